"""An editor's deadlines as an iCalendar feed: the ends of the agreements they keep."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership
from register.lifecycle import deadline_agreements, end_day
from register.models import Agreement, Organisation
from reports.reminders import configured_windows

if TYPE_CHECKING:
    from icalendar import Event


def organisations_of(user: AbstractBaseUser):
    """The organisations a user edits (a superuser: all of them)."""
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        pk__in=Membership.objects.filter(user=user).values("organisation")
    )


def deadline_calendar(user: AbstractBaseUser, lang: str, base_url: str) -> bytes:
    """All-day events on the day each agreement ends, with alarms at the reminder windows."""
    host = urlsplit(base_url).hostname or "vanort"
    from icalendar import Calendar  # here: loading it takes a moment

    with translation.override(lang):
        calendar = Calendar()
        calendar.add("prodid", "-//Vänort//deadlines//SV")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", _("Vänort: agreement deadlines"))
        today = timezone.localdate()
        agreements = deadline_agreements(
            Agreement.objects.filter(relation__organisation__in=organisations_of(user)), today
        )
        for agreement in agreements:
            event = _event(agreement, lang, host, base_url)
            if event is not None:
                calendar.add_component(event)
        return calendar.to_ical()


def _event(agreement: Agreement, lang: str, host: str, base_url: str) -> Event | None:
    ends_on = end_day(agreement)
    if ends_on is None:
        return None
    partner = agreement.relation.partner.display_name(lang)
    renewed = bool(agreement.renewals.all())
    from icalendar import Alarm, Event

    event = Event()
    event.add("uid", f"agreement-{agreement.pk}-end@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", ends_on)
    event.add("dtend", ends_on + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    summary = _("%(kind)s with %(partner)s ends") % {
        "kind": agreement.kind.label.capitalize(),
        "partner": partner,
    }
    if renewed:
        summary += " " + _("(renewed)")
    event.add("summary", summary)
    organisation = agreement.relation.organisation
    lines = [f"{organisation.name}: {agreement.kind.label} {agreement.period_text(lang)}"]
    if agreement.effective_end != ends_on.isoformat():
        lines.append(
            _("The end is known as “%(end)s”; this is its earliest day.")
            % {"end": agreement.effective_end}
        )
    event.add("description", "\n".join(lines))
    try:
        change = reverse("admin:register_agreement_change", args=[agreement.pk])
        event.add("url", base_url.rstrip("/") + change)
    except NoReverseMatch:  # the admin may not list agreements in every installation
        pass
    if not renewed:
        for days in configured_windows():
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary)
            alarm.add("trigger", timedelta(days=-days))
            event.add_component(alarm)
    return event
