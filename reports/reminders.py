"""Reminders to an organisation's editors: agreements about to run out, quiet relations.

What is due comes from register.lifecycle; this module finds the editors (accounts),
sends the e-mail through Django's e-mail backend and records each reminder, so that
running `vanort send-reminders` every hour never sends the same reminder twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership
from register.imprecise import format_date
from register.lifecycle import (
    DEFAULT_QUIET_YEARS,
    DEFAULT_WINDOWS,
    EndingAgreement,
    QuietRelation,
    agreements_ending,
    quiet_relations,
)
from register.models import Agreement, Organisation, Relation
from reports.models import SentReminder


def configured_windows() -> tuple[int, ...]:
    return tuple(getattr(settings, "VANORT_REMINDER_WINDOWS", DEFAULT_WINDOWS))


def configured_quiet_years() -> int:
    return int(getattr(settings, "VANORT_QUIET_YEARS", DEFAULT_QUIET_YEARS))


@dataclass
class Due:
    """What one organisation's editors should hear about today."""

    organisation: Organisation
    ending: list[EndingAgreement] = field(default_factory=list)
    quiet: list[QuietRelation] = field(default_factory=list)
    sent_keys: set[str] = field(default_factory=set)

    @property
    def items(self) -> list[EndingAgreement | QuietRelation]:
        return [*self.ending, *self.quiet]

    @property
    def unsent(self) -> list[EndingAgreement | QuietRelation]:
        return [item for item in self.items if item.key not in self.sent_keys]

    def __bool__(self) -> bool:
        return bool(self.items)


def due_for(
    organisations,
    today: date,
    windows: tuple[int, ...] | None = None,
    quiet_years: int | None = None,
) -> list[Due]:
    """Reminders due today, per organisation, each marked as already sent or not.

    A fixed number of queries, however many organisations and agreements there are."""
    windows = configured_windows() if windows is None else windows
    quiet_years = configured_quiet_years() if quiet_years is None else quiet_years
    organisations = list(organisations)
    by_id = {org.pk: Due(org) for org in organisations}
    for item in agreements_ending(
        Agreement.objects.filter(relation__organisation__in=organisations), today, windows
    ):
        by_id[item.agreement.relation.organisation_id].ending.append(item)
    for item in quiet_relations(
        Relation.objects.filter(organisation__in=organisations), today, quiet_years
    ):
        by_id[item.relation.organisation_id].quiet.append(item)
    keys = [item.key for due in by_id.values() for item in due.items]
    sent = set(SentReminder.objects.filter(key__in=keys).values_list("key", flat=True))
    for due in by_id.values():
        due.sent_keys = {item.key for item in due.items} & sent
    return [due for due in by_id.values() if due]


def editor_addresses(organisation: Organisation) -> list[str]:
    return sorted(
        set(
            Membership.objects.editors_of(organisation)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


@dataclass
class Outcome:
    mails: int = 0
    reminders: int = 0
    without_editors: list[Organisation] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def send_reminders(
    today: date | None = None,
    windows: tuple[int, ...] | None = None,
    quiet_years: int | None = None,
    organisations=None,
    dry_run: bool = False,
) -> Outcome:
    """E-mail each organisation's editors the reminders not sent before, and record them."""
    today = today or timezone.localdate()
    organisations = Organisation.objects.all() if organisations is None else organisations
    outcome = Outcome()
    for due in due_for(organisations.select_related("place"), today, windows, quiet_years):
        items = due.unsent
        if not items:
            continue
        recipients = editor_addresses(due.organisation)
        if not recipients:
            outcome.without_editors.append(due.organisation)
            outcome.lines.append(
                f"{due.organisation.slug}: {len(items)} reminder(s) not sent, "
                "no editor with an e-mail address"
            )
            continue
        if dry_run:
            outcome.lines.append(f"{due.organisation.slug}: would send {len(items)} reminder(s)")
            continue
        if _send_and_record(due.organisation, items, recipients, today):
            outcome.mails += 1
            outcome.reminders += len(items)
            outcome.lines.append(
                f"{due.organisation.slug}: sent {len(items)} reminder(s) to {len(recipients)}"
            )
    return outcome


def _send_and_record(organisation, items, recipients, today) -> bool:
    """Record and send in one transaction: a failed send records nothing, and a run that
    races another one and loses (unique key) sends nothing."""
    try:
        with transaction.atomic():
            SentReminder.objects.bulk_create(
                [_record(organisation, item, recipients) for item in items]
            )
            subject, body = compose(organisation, items, today)
            send_mail(subject, body, None, recipients)
    except IntegrityError:
        return False
    return True


def _record(organisation, item, recipients) -> SentReminder:
    if isinstance(item, EndingAgreement):
        return SentReminder(
            key=item.key,
            organisation=organisation,
            agreement=item.agreement,
            relation=item.agreement.relation,
            window_days=item.window,
            due_on=item.ends_on,
            recipients="\n".join(recipients),
        )
    return SentReminder(
        key=item.key,
        organisation=organisation,
        relation=item.relation,
        due_on=item.last_activity,
        recipients="\n".join(recipients),
    )


def compose(organisation, items, today) -> tuple[str, str]:
    """The e-mail, in the installation's language (Swedish by default)."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = ngettext(
            "Vänort: %(n)s reminder for %(organisation)s",
            "Vänort: %(n)s reminders for %(organisation)s",
            len(items),
        ) % {"n": len(items), "organisation": organisation.name}
        body = render_to_string(
            "reports/reminder_email.txt",
            {
                "organisation": organisation,
                "lines": [describe(item) for item in items],
                "today": today,
                "base_url": getattr(settings, "VANORT_BASE_URL", "").rstrip("/"),
            },
        )
    return subject, body


def describe(item: EndingAgreement | QuietRelation) -> str:
    """One reminder as a sentence, in the active language."""
    lang = translation.get_language()[:2]
    if isinstance(item, EndingAgreement):
        agreement = item.agreement
        return _("%(kind)s with %(partner)s (%(period)s) ends %(end)s, in %(days)s days.") % {
            "kind": agreement.kind.label.capitalize(),
            "partner": agreement.relation.partner.display_name(lang),
            "period": agreement.period_text(lang),
            "end": _end_text(item, lang),
            "days": item.days_left,
        }
    relation = item.relation
    if item.last_activity is None:
        return _("No activity with %(partner)s is recorded (relation in force).") % {
            "partner": relation.partner.display_name(lang)
        }
    return _("No activity with %(partner)s since %(date)s (more than %(years)s years).") % {
        "partner": relation.partner.display_name(lang),
        "date": format_date(item.last_activity_date, lang) or item.last_activity.isoformat(),
        "years": item.years,
    }


def _end_text(item: EndingAgreement, lang: str) -> str:
    precise = item.agreement.effective_end == item.ends_on.isoformat()
    if precise:
        return _("on %(date)s") % {"date": item.ends_on.isoformat()}
    return _("%(when)s (at the earliest %(date)s)") % {
        "when": format_date(item.agreement.effective_end, lang),
        "date": item.ends_on.isoformat(),
    }
