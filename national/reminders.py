"""Reminders before a partner profile expires, sent by `vanort send-reminders` with the
agreements' reminders (reports/reminders.py), through Django's e-mail backend.

A published profile whose last day falls within VANORT_PROFILE_REMINDER_DAYS (30) gets
one e-mail to its contact and its organisation's editors. The profile records the
expiry date it was reminded of (reminder_sent_for), set in the same transaction as the
send and only if still unset for that date: never twice, also when two runs race; a
profile extended to a new date is reminded again before that one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership
from national.models import PartnerProfile

DEFAULT_DAYS = 30


def configured_days() -> int:
    return int(getattr(settings, "VANORT_PROFILE_REMINDER_DAYS", DEFAULT_DAYS))


def due(today: date, days: int | None = None, organisations=None):
    """Published profiles expiring within `days`, not yet reminded of that date."""
    days = configured_days() if days is None else days
    rows = (
        PartnerProfile.objects.filter(
            is_published=True, valid_until__gte=today, valid_until__lte=today + timedelta(days)
        )
        .filter(Q(reminder_sent_for__isnull=True) | ~Q(reminder_sent_for=F("valid_until")))
        .select_related("organisation", "place")
        .order_by("valid_until", "pk")
    )
    if organisations is not None:
        rows = rows.filter(organisation__in=organisations)
    return rows


def recipients(profile: PartnerProfile) -> list[str]:
    addresses = {profile.contact_email} if profile.contact_email else set()
    if profile.organisation_id:
        addresses |= set(
            Membership.objects.editors_of(profile.organisation)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    return sorted(addresses)


@dataclass
class Outcome:
    mails: int = 0
    lines: list[str] = field(default_factory=list)


def compose(profile: PartnerProfile, today: date) -> tuple[str, str]:
    """In the installation's language for a Swedish municipality, English for a foreign one."""
    lang = settings.LANGUAGE_CODE if profile.organisation_id else "en"
    with translation.override(lang):
        name = profile.seeker_name(lang)
        subject = translation.gettext("Vänort: your partner profile expires on %(date)s") % {
            "date": profile.valid_until.isoformat()
        }
        base = getattr(settings, "VANORT_BASE_URL", "").rstrip("/")
        body = render_to_string(
            "national/profile_reminder_email.txt",
            {
                "profile": profile,
                "name": name,
                "days": (profile.valid_until - today).days,
                "url": base + reverse("national:profile", args=[profile.pk]),
                "admin_url": base
                + reverse("admin:national_partnerprofile_change", args=[profile.pk]),
            },
        )
    return subject, body


def send_profile_reminders(
    today: date | None = None, days: int | None = None, organisations=None, dry_run=False
) -> Outcome:
    today = today or timezone.localdate()
    outcome = Outcome()
    for profile in due(today, days, organisations):
        label = f"profile {profile.pk} ({profile.seeker_name()})"
        to = recipients(profile)
        if dry_run:
            outcome.lines.append(f"{label}: would remind {len(to)} address(es)")
            continue
        with transaction.atomic():
            claimed = (
                PartnerProfile.objects.filter(pk=profile.pk, valid_until=profile.valid_until)
                .filter(Q(reminder_sent_for__isnull=True) | ~Q(reminder_sent_for=F("valid_until")))
                .update(reminder_sent_for=profile.valid_until)
            )
            if not claimed:  # another run sent it meanwhile
                continue
            subject, body = compose(profile, today)
            send_mail(subject, body, None, to)
        outcome.mails += 1
        outcome.lines.append(f"{label}: reminded {len(to)} address(es) of {profile.valid_until}")
    return outcome
