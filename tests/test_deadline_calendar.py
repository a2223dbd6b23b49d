"""The editor's deadlines as an iCalendar feed behind a secret, revocable address, and the
editor's start page in the admin that lists what is coming up."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from accounts.models import Membership
from register.models import Agreement, AgreementKind, Organisation, Place, Relation
from reports.models import CalendarToken, hash_token

OCTOBER_2011 = dt.datetime(2011, 10, 1, 9, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def editor(demo):
    user = get_user_model().objects.create_user(
        "alice", "alice@halmstad.example", "pw-alice-2026", is_staff=True
    )
    Membership.objects.create(user=user, organisation=demo)
    return user


@pytest.fixture
def elsewhere(demo):
    """Another organisation with an agreement ending soon, which Halmstad's editors never see."""
    place = Place.objects.create(name="Laholm", country="SE")
    org = Organisation.objects.create(place=place, slug="laholm", name_sv="Laholms kommun")
    partner = Place.objects.create(name="Oberhaching", country="DE")
    relation = Relation.objects.create(organisation=org, partner=partner)
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    return Agreement.objects.create(relation=relation, kind=kind, start="2008-11", term_months=36)


def events(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_it_serves_the_deadlines_of_the_editors_organisations(client, editor, elsewhere):
    token, secret = CalendarToken.issue(editor, "Outlook")
    assert token.token_hash == hash_token(secret) and secret not in token.token_hash
    with time_machine.travel(OCTOBER_2011):
        [moshi] = events(client.get(f"/en/calendar/{secret}.ics"))
    assert str(moshi["SUMMARY"]) == "Municipal partnership with Moshi ends"
    assert moshi.decoded("DTSTART") == dt.date(2012, 1, 1)  # "2012": its earliest day
    assert "earliest day" in str(moshi["DESCRIPTION"])
    triggers = sorted(alarm.decoded("TRIGGER") for alarm in moshi.walk("VALARM"))
    assert triggers == [dt.timedelta(days=-180), dt.timedelta(days=-30)]
    token.refresh_from_db()
    assert token.last_used_at is not None

    with time_machine.travel(OCTOBER_2011):
        [swedish] = events(client.get(f"/sv/calendar/{secret}.ics"))
    assert str(swedish["SUMMARY"]) == "Kommunalt partnerskap med Moshi upphör"


def test_it_closes_the_feed_when_the_address_is_revoked(client, editor):
    token, secret = CalendarToken.issue(editor)
    assert client.get(f"/sv/calendar/{secret}.ics").status_code == 200
    token.revoke()
    assert client.get(f"/sv/calendar/{secret}.ics").status_code == 404
    assert client.get("/sv/calendar/not-a-secret.ics").status_code == 404
    _other, fresh = CalendarToken.issue(editor)
    editor.is_active = False
    editor.save()
    assert client.get(f"/sv/calendar/{fresh}.ics").status_code == 404


def test_it_makes_and_revokes_an_address_in_the_admin(client, editor):
    client.force_login(editor)
    response = client.post("/admin/reports/calendartoken/add/", {"label": "Telefonen"}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    [address] = re.findall(r"https?://[^\s<]+/calendar/[\w-]+\.ics", text)
    path = address.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    token = CalendarToken.objects.get(user=editor)
    response = client.post(
        "/admin/reports/calendartoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert client.get(path).status_code == 404


def test_it_lists_what_is_coming_up_on_the_editors_start_page(client, editor, elsewhere):
    client.force_login(editor)
    with time_machine.travel(OCTOBER_2011):
        page = client.get("/admin/").content.decode()
    assert 'id="vanort-reminders"' in page
    assert "Moshi" in page and "upphör om 92 dagar" in page
    assert "Oberhaching" not in page  # another organisation's agreement
    assert "Ingen aktivitet med Gentofte registrerad" in page
    assert "/sv/reports/halmstad/2010/" in page
    assert "Inget avtal upphör" not in page


def test_the_start_page_does_not_issue_more_queries_as_agreements_grow(client, editor, demo):
    client.force_login(editor)
    kind = AgreementKind.objects.get(code="samarbetsavtal")

    def add_partners(first, n):
        for i in range(first, first + n):
            partner = Place.objects.create(name=f"Partner {i}", country="DE")
            relation = Relation.objects.create(organisation=demo, partner=partner)
            Agreement.objects.create(
                relation=relation, kind=kind, start="2009-01-15", term_months=36
            )

    add_partners(0, 1)
    with time_machine.travel(OCTOBER_2011):
        client.get("/admin/")
        with CaptureQueriesContext(connection) as small:
            client.get("/admin/")
        add_partners(1, 20)
        with CaptureQueriesContext(connection) as large:
            page = client.get("/admin/").content.decode()
    assert "Partner 20" in page
    assert len(large) == len(small)
