"""The editing face's own views, beside the admin's: the date widget's live preview, and
the preview of the organisation's public pages with its drafts."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import may_edit
from editing.widgets import published_or_error, to_edtf
from public import pages
from public.pages import build_page
from register.language import LANGS
from register.models import Organisation


@staff_member_required
@require_GET
def imprecise_date_preview(request):
    """{"edtf", "text"}: what the date widget's value, precision and certainty give."""
    edtf = to_edtf(
        request.GET.get("value", ""),
        request.GET.get("precision", ""),
        request.GET.get("qualifier", ""),
    )
    return JsonResponse(
        {"edtf": edtf, "text": published_or_error(edtf, since=request.GET.get("since") == "1")}
    )


# --- preview: the organisation's public pages as they will look with the drafts -----------


def _previewable(request, slug: str):
    """The organisation, if the user edits it; 404 otherwise (another's drafts do not exist)."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None or not (
        request.user.is_superuser or may_edit(request.user, organisation.pk)
    ):
        raise Http404("No such organisation")
    return organisation


@never_cache
@staff_member_required
@require_GET
def preview(request, slug: str, lang: str, partner: str | None = None):
    """The public page (or a partner's page) with the drafts, marked as a preview and
    kept out of caches and search engines."""
    if lang not in LANGS:
        raise Http404("No such language")
    _previewable(request, slug)
    with translation.override(lang):
        page = build_page(slug, lang, drafts=True)
        context = {"preview": True, "page": page, "page_url": request.build_absolute_uri()}
        context["open_now"] = {
            "url": reverse("public:open_now", args=[slug]),
            "lines": pages.open_now_data(page.open_lines),
        }
        template = "public/organisation.html"
        if partner is not None:
            relation = next(
                (rel for rel in page.relations if pages.partner_slug(rel.partner) == partner),
                None,
            )
            if relation is None:
                raise Http404("No such partner")
            pages.prefetch_history(relation)
            context |= {"relation": relation, "history": pages.relation_history(relation, lang)}
            template = "public/partner.html"
        response = render(request, template, context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
