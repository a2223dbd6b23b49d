"""The editors' faces: the annual report (HTML, PDF, CSV) and the deadline calendar feed."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Membership
from register.figures import annual_figures
from register.language import current_lang
from register.models import Organisation
from reports import annual, feeds
from reports.forms import CaseNumberForm
from reports.models import CalendarToken

FIRST_YEAR, LAST_YEAR = 1900, 2100


def _organisation_for(request: HttpRequest, slug: str, year: int) -> Organisation:
    """The organisation, if the signed-in user edits it; reports are for its editors."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404("No report for that year")
    organisation = get_object_or_404(Organisation.objects.select_related("place"), slug=slug)
    user = request.user
    if not (
        user.is_superuser
        or Membership.objects.filter(user=user, organisation=organisation).exists()
    ):
        raise PermissionDenied("Only the organisation's editors see its reports.")
    return organisation


def _editor_view(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "admin:login")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_GET
@_editor_view
def annual_report(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    organisation = _organisation_for(request, slug, year)
    form = CaseNumberForm(request.GET)
    case_number = form.cleaned_data["diarienummer"] if form.is_valid() else ""
    context = annual.report_context(organisation, year, current_lang(), case_number)
    return render(
        request,
        "reports/annual.html",
        {**context, "for_pdf": False, "form": form},
        status=200 if form.is_valid() else 400,
    )


@require_GET
@_editor_view
def annual_report_pdf(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    organisation = _organisation_for(request, slug, year)
    form = CaseNumberForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(form.errors["diarienummer"]))
    case_number = form.cleaned_data["diarienummer"]
    pdf = annual.render_pdf(annual.report_context(organisation, year, current_lang(), case_number))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="vanort-{slug}-{year}-{current_lang()}.pdf"'
    )
    return response


@require_GET
@_editor_view
def annual_report_csv(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    organisation = _organisation_for(request, slug, year)
    text = annual.render_csv(annual_figures(organisation, year), current_lang())
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="vanort-{slug}-{year}-{current_lang()}.csv"'
    )
    return response


@require_GET
def deadline_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The editor's deadlines as iCalendar; the secret in the address is the sign-in."""
    calendar_token = CalendarToken.objects.find(token)
    if calendar_token is None:
        raise Http404("No such calendar (the address may have been revoked)")
    CalendarToken.objects.filter(pk=calendar_token.pk).update(last_used_at=timezone.now())
    body = feeds.deadline_calendar(
        calendar_token.user, current_lang(), request.build_absolute_uri("/")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="vanort-deadlines.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
