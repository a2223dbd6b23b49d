"""`vanort send-reminders`: agreements ending within the windows (180 and 30 days by
default) and quiet relations, e-mailed once to the organisation's editors. Time is pinned
with time-machine."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.models import Membership
from register.lifecycle import renew
from register.models import (
    Activity,
    ActivityKind,
    Agreement,
    AgreementKind,
    Organisation,
    Place,
    Relation,
)
from reports.models import SentReminder

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day: dt.date, hour: int = 7):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM))


def send(**options) -> str:
    out = StringIO()
    call_command("send_reminders", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def falkenberg(demo):
    """An organisation of its own with one partner, so that only our agreement is due."""
    place = Place.objects.create(name="Falkenberg", country="SE", latitude=56.9, longitude=12.5)
    org = Organisation.objects.create(place=place, slug="falkenberg", name_sv="Falkenbergs kommun")
    partner = Place.objects.create(name="Ølgod", country="DK", latitude=55.8, longitude=8.6)
    relation = Relation.objects.create(organisation=org, partner=partner)
    users = get_user_model().objects
    editor = users.create_user("erik", "erik@falkenberg.example", "pw-erik-2026")
    admin = users.create_user("anna", "anna@falkenberg.example", "pw-anna-2026")
    Membership.objects.create(user=editor, organisation=org, role="editor")
    Membership.objects.create(user=admin, organisation=org, role="administrator")
    users.create_user("olle", "olle@elsewhere.example", "pw-olle-2026")  # not an editor
    return relation


def days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def test_it_reminds_of_a_four_year_agreement_180_and_30_days_before_and_only_once_each(
    falkenberg,
):
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    agreement = Agreement.objects.create(
        relation=falkenberg, kind=kind, start="2008-03-01", term_months=48
    )
    assert agreement.effective_end == "2012-03-01"

    sent_on = []
    for day in days(dt.date(2011, 8, 1), dt.date(2012, 3, 31)):
        for hour in (7, 8):  # cron every hour: the second run of a day sends nothing
            before = len(mail.outbox)
            with at(day, hour):
                send(organisation="falkenberg", quiet_years=0)
            if len(mail.outbox) > before:
                sent_on.append((day, hour))

    assert sent_on == [(dt.date(2011, 9, 3), 7), (dt.date(2012, 1, 31), 7)]
    first, second = mail.outbox
    assert sorted(first.to) == ["anna@falkenberg.example", "erik@falkenberg.example"]
    assert "Ølgod" in first.body and "180" in first.body and "2012-03-01" in first.body
    assert "Ølgod" in second.body and "30" in second.body
    assert "Falkenbergs kommun" in first.subject
    assert sorted(SentReminder.objects.values_list("window_days", "due_on")) == [
        (30, dt.date(2012, 3, 1)),
        (180, dt.date(2012, 3, 1)),
    ]


def test_it_never_reminds_of_an_open_ended_agreement(falkenberg):
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    Agreement.objects.create(relation=falkenberg, kind=kind, start="2008-03-01")
    for year in range(2008, 2031):
        for month in (1, 4, 7, 10):
            with at(dt.date(year, month, 1)):
                send(organisation="falkenberg", quiet_years=0)
    assert mail.outbox == []
    assert SentReminder.objects.count() == 0


def test_it_stops_reminding_once_the_agreement_is_renewed(falkenberg):
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    first = Agreement.objects.create(
        relation=falkenberg, kind=kind, start="2008-03-01", term_months=48
    )
    with at(dt.date(2011, 9, 3)):
        send(organisation="falkenberg", quiet_years=0)
    assert len(mail.outbox) == 1
    renew(first, start="2012-03-02")
    with at(dt.date(2012, 1, 31)):
        send(organisation="falkenberg", quiet_years=0)
    assert len(mail.outbox) == 1  # the 30-day reminder is not needed any more
    with at(dt.date(2015, 9, 4)):  # 180 days before the renewal's end, 2016-03-02
        send(organisation="falkenberg", quiet_years=0)
    assert len(mail.outbox) == 2 and "2016-03-02" in mail.outbox[1].body


def test_it_honours_configured_windows(falkenberg, settings):
    settings.VANORT_REMINDER_WINDOWS = [90]
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    Agreement.objects.create(relation=falkenberg, kind=kind, start="2008-03-01", term_months=48)
    with at(dt.date(2011, 9, 3)):
        send(organisation="falkenberg", quiet_years=0)
    assert mail.outbox == []
    with at(dt.date(2011, 12, 2)):  # 90 days before 2012-03-01
        send(organisation="falkenberg", quiet_years=0)
    assert len(mail.outbox) == 1
    with at(dt.date(2011, 12, 2)):
        send(organisation="falkenberg", quiet_years=0, windows=[7])
    assert len(mail.outbox) == 1


def test_it_reminds_once_of_a_relation_without_activity_for_years(falkenberg):
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    Agreement.objects.create(relation=falkenberg, kind=kind, start="2005")
    visit = ActivityKind.objects.get(code="besok")
    activity = Activity.objects.create(
        organisation=falkenberg.organisation, kind=visit, date="2007-05-12"
    )
    activity.relations.set([falkenberg])

    with at(dt.date(2010, 5, 12)):
        send(organisation="falkenberg")  # exactly three years: not yet
    assert mail.outbox == []
    with at(dt.date(2010, 5, 13)):
        send(organisation="falkenberg")
        send(organisation="falkenberg")
    assert len(mail.outbox) == 1
    assert "Ølgod" in mail.outbox[0].body and "12 maj 2007" in mail.outbox[0].body
    with at(dt.date(2011, 1, 1)):
        send(organisation="falkenberg", quiet_years=5)
        send(organisation="falkenberg")
    assert len(mail.outbox) == 1

    later = Activity.objects.create(
        organisation=falkenberg.organisation, kind=visit, date="2011-02-01"
    )
    later.relations.set([falkenberg])
    with at(dt.date(2014, 2, 2)):  # a new quiet spell is a new reminder
        send(organisation="falkenberg")
    assert len(mail.outbox) == 2


def test_it_keeps_reminders_for_when_an_organisation_has_editors(falkenberg):
    Membership.objects.filter(organisation=falkenberg.organisation).delete()
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    Agreement.objects.create(relation=falkenberg, kind=kind, start="2008-03-01", term_months=48)
    with at(dt.date(2011, 9, 3)):
        output = send(organisation="falkenberg", quiet_years=0)
    assert "no editor with an e-mail address" in output
    assert mail.outbox == [] and SentReminder.objects.count() == 0


def test_it_records_nothing_when_sending_fails(falkenberg, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    Agreement.objects.create(relation=falkenberg, kind=kind, start="2008-03-01", term_months=48)
    with at(dt.date(2011, 9, 3)), pytest.raises(OSError):
        send(organisation="falkenberg", quiet_years=0)
    assert SentReminder.objects.count() == 0  # so the next hourly run tries again


def test_it_refuses_bad_options_naming_them(demo):
    with pytest.raises(CommandError, match="--organisation"):
        send(organisation="atlantis")
    with pytest.raises(CommandError, match="--window"):
        send(windows=[-5])
    with pytest.raises(CommandError, match="--quiet-years"):
        send(quiet_years=-1)


def test_it_runs_as_a_command_and_writes_the_mail_with_the_file_backend(cli, settings, tmp_path):
    """The demo on today's date: Gentofte, Hangö and Stord have agreements in force and no
    recorded activity, Asti none since October 2010, so their editors hear of it once."""
    mail_dir = tmp_path / "mail"
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(mail_dir)
    cli("load-demo")
    from accounts.models import Membership
    from register.models import Organisation

    karin = get_user_model().objects.create_user("karin", "karin@halmstad.example", "pw-karin-2026")
    Membership.objects.create(user=karin, organisation=Organisation.objects.get(slug="halmstad"))
    first = cli("send-reminders")
    assert "halmstad: sent 4 reminder(s) to 1" in first.stdout
    [message] = mail_dir.iterdir()
    text = message.read_text()
    assert "To: karin@halmstad.example" in text
    for partner in ("Gentofte", "Hangö", "Stord", "Asti sedan oktober 2010"):
        assert partner in text
    second = cli("send-reminders")
    assert "0 reminder(s) sent" in second.stdout
    assert len(list(mail_dir.iterdir())) == 1
