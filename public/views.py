from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from public.pages import build_page
from register.models import Organisation


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Lead to the default organisation's page, or list the organisations hosted here."""
    organisations = list(Organisation.objects.order_by("name_sv"))
    default = settings.VANORT_DEFAULT_ORGANISATION
    if any(org.slug == default for org in organisations):
        return redirect("public:organisation", slug=default)
    if len(organisations) == 1:
        return redirect("public:organisation", slug=organisations[0].slug)
    return render(request, "public/index.html", {"organisations": organisations})


@require_GET
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    lang = (get_language() or "sv")[:2]
    page = build_page(slug, lang)
    if page is None:
        raise Http404("No such organisation")
    page_url = request.build_absolute_uri(reverse("public:organisation", args=[slug]))
    return render(request, "public/organisation.html", {"page": page, "page_url": page_url})


@require_GET
def theme_css(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's colour as CSS, so no inline style is needed (strict CSP)."""
    org = Organisation.objects.filter(slug=slug).only("colour").first()
    if org is None:
        raise Http404("No such organisation")
    css = f":root {{ --brand: {org.colour}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
