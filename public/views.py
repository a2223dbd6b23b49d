"""The citizen's pages: thin views over public/pages.py and register/."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from csp.decorators import csp_replace
from django.conf import settings
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from public import accessibility as statement_facts
from public import gather, pages, theme
from public.caching import cached_page
from public.forms import FeedbackForm
from public.pages import build_page
from register.language import current_lang
from register.models import Organisation

log = logging.getLogger(__name__)


def _page_or_404(slug: str):
    page = build_page(slug, current_lang())
    if page is None:
        raise Http404("No such organisation")
    return page


def _render(request: HttpRequest, template: str, page, **context) -> HttpResponse:
    context.update(page=page, page_url=request.build_absolute_uri(request.path))
    request.vanort_page = page  # for @cached_page: how long the answer stays right
    context.setdefault(
        "open_now",
        {
            "url": reverse("public:open_now", args=[page.organisation.slug]),
            "lines": pages.open_now_data(page.open_lines),
        },
    )
    return render(request, template, context)


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
@cached_page
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    return _render(request, "public/organisation.html", _page_or_404(slug))


@require_GET
@cached_page
def partner(request: HttpRequest, slug: str, partner: str) -> HttpResponse:
    page = _page_or_404(slug)
    relation = next(
        (rel for rel in page.relations if pages.partner_slug(rel.partner) == partner), None
    )
    if relation is None:
        raise Http404("No such partner")
    pages.prefetch_history(relation)
    return _render(
        request,
        "public/partner.html",
        page,
        relation=relation,
        history=pages.relation_history(relation, current_lang()),
    )


@require_GET
@cached_page
def activities(request: HttpRequest, slug: str) -> HttpResponse:
    page = _page_or_404(slug)
    return _render(
        request,
        "public/activities.html",
        page,
        activities=list(pages.activities_of(page.organisation)),
    )


@dataclass(frozen=True)
class _Drawn:
    """What @cached_page needs of a drawing: when its data last changed (no opening
    hours: the map does not change when the desk opens)."""

    updated: datetime | None
    open_lines: tuple = ()


# The drawing is an image, not a page: it has its own styles and nothing else, so its
# policy allows exactly that (and, opened by itself, still runs no script).
MAP_POLICY = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "script-src": ["'none'"],
    "img-src": ["'none'"],
    "font-src": None,
    "connect-src": None,
    "form-action": None,
}


@require_GET
@cached_page
@csp_replace(MAP_POLICY)
def partner_map_svg(request: HttpRequest, slug: str) -> HttpResponse:
    """The partner map as an SVG file of its own: drawn once per organisation, language
    and data version (the response cache), with ETag, Last-Modified and 304."""
    gathered = gather.page(slug)
    if gathered is None:
        raise Http404("No such organisation")
    organisation, relations = gathered
    lang = current_lang()
    drawing = pages.partner_map(organisation, relations, lang)
    if drawing is None:
        raise Http404("No map: no partner has coordinates")
    title, description = pages.map_texts(organisation, relations, lang)
    request.vanort_page = _Drawn(pages.last_updated(organisation))
    return render(
        request,
        "public/map.svg",
        {
            "drawing": drawing,
            "title": title,
            "description": description,
            "marker_colour": theme.darkened_for_text(organisation.colour),
        },
        content_type="image/svg+xml; charset=utf-8",
    )


@require_GET
@cached_page
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    return _render(request, "public/contact_page.html", _page_or_404(slug))


@require_GET
def privacy(request: HttpRequest, slug: str) -> HttpResponse:
    """What the site stores about visitors and staff, and which cookies it sets."""
    return _render(request, "public/privacy.html", _page_or_404(slug))


@require_http_methods(["GET", "POST"])
def accessibility(request: HttpRequest, slug: str) -> HttpResponse:
    page = _page_or_404(slug)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        feedback = form.save(commit=False)
        feedback.organisation = page.organisation
        feedback.language = current_lang()
        feedback.save()
        _mail_feedback(feedback)
        return redirect(request.path + "?sent=1#feedback")
    return _render(
        request,
        "public/accessibility.html",
        page,
        form=form,
        sent=request.GET.get("sent") == "1",
        facts=statement_facts,
    )


def _mail_feedback(feedback) -> None:
    """E-mail the report to the organisation; it is stored already, so a mail server that
    is down is logged, not shown to the visitor as an error."""
    recipient = feedback.organisation.email
    if not recipient:
        return
    body = "\n\n".join(
        part
        for part in (
            feedback.message,
            f"{gettext('Page')}: {feedback.page}" if feedback.page else "",
            f"{gettext('From')}: {feedback.name} <{feedback.email}>".replace(" <>", ""),
        )
        if part.strip(": ")
    )
    try:
        send_mail(
            gettext("Accessibility feedback about %(service)s")
            % {"service": feedback.organisation.name},
            body,
            None,
            [recipient],
            fail_silently=False,
        )
    except OSError:
        log.exception("accessibility feedback %s stored but not e-mailed", feedback.pk)
        return
    feedback.mailed = True
    feedback.save(update_fields=["mailed"])


@require_GET
def open_now_json(request: HttpRequest, slug: str) -> JsonResponse:
    """'Open now' from a moment (?at=ISO 8601, default now), for a page left open."""
    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        raise Http404("No such organisation")
    try:
        at = datetime.fromisoformat(request.GET["at"]) if "at" in request.GET else timezone.now()
    except ValueError:
        return JsonResponse({"error": "at: not an ISO 8601 date and time"}, status=400)
    if timezone.is_naive(at):
        return JsonResponse(
            {"error": "at: give a time zone, e.g. 2026-06-18T16:59:00Z"}, status=400
        )
    return JsonResponse({"lines": pages.open_now_data(pages.open_now(org, at, current_lang()))})


@require_GET
def theme_css(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's colour as CSS, so no inline style is needed (strict CSP)."""
    org = Organisation.objects.filter(slug=slug).only("colour").first()
    if org is None:
        raise Http404("No such organisation")
    css = theme.theme_css(org.colour)
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
