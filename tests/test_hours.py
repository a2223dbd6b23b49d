"""Opening hours on fixed moments: Swedish public holidays, the eves offices close on,
and the wording of the next change ("Öppnar måndag kl. 08.00")."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from register import hours
from register.demo import load_demo

VISITORS = "Mo-Th 08:00-17:00; Fr 08:00-16:00; PH off"
PHONE = "Mo-Th 07:00-17:00; Fr 07:00-16:00; PH off"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=hours.STOCKHOLM)


def test_it_is_open_on_thursday_before_midsummer_at_16_59():
    now = at("2026-06-18 16:59")
    current = hours.state(VISITORS, now)
    assert current.is_open
    assert current.next_change == at("2026-06-18 17:00")
    assert hours.next_change_words(current, now, "sv") == "Stänger kl. 17.00"
    assert hours.next_change_words(current, now, "en") == "Closes at 17:00"


@pytest.mark.parametrize("clock", ["00:00", "08:00", "10:30", "15:59"])
def test_it_is_closed_all_day_on_midsummer_eve(clock):
    now = at(f"2026-06-19 {clock}")
    current = hours.state(VISITORS, now)
    assert not current.is_open
    assert current.next_change == at("2026-06-22 08:00")
    assert hours.next_change_words(current, now, "sv") == "Öppnar måndag kl. 08.00"
    assert hours.next_change_words(current, now, "en") == "Opens Monday at 08:00"
    assert hours.closed_day_name(now.date(), "sv") == "Midsommarafton"
    assert hours.closed_day_name(now.date(), "en") == "Midsummer Eve"


def test_it_is_closed_on_an_ordinary_friday_at_16_01():
    now = at("2026-06-12 16:01")
    current = hours.state(VISITORS, now)
    assert not current.is_open
    assert hours.next_change_words(current, now, "sv") == "Öppnar måndag kl. 08.00"
    assert hours.closed_day_name(now.date()) == ""


def test_it_is_open_on_an_ordinary_friday_at_15_59():
    assert hours.state(VISITORS, at("2026-06-12 15:59")).is_open


@pytest.mark.parametrize("day", ["2026-12-24", "2026-12-31", "2027-01-06"])
def test_it_is_closed_on_christmas_eve_new_years_eve_and_holidays(day):
    assert not hours.state(VISITORS, at(f"{day} 10:00")).is_open


def test_after_christmas_it_opens_on_monday_the_28th():
    now = at("2026-12-24 10:00")
    current = hours.state(VISITORS, now)
    assert current.next_change == at("2026-12-28 08:00")
    assert hours.next_change_words(current, now, "sv") == "Öppnar måndag kl. 08.00"


def test_across_new_year_it_opens_after_twelfth_night():
    now = at("2026-12-30 17:30")
    current = hours.state(VISITORS, now)
    assert current.next_change == at("2027-01-04 08:00")


def test_the_phone_line_is_open_at_07_30_on_a_monday_while_the_desk_is_closed():
    now = at("2026-06-15 07:30")
    assert hours.state(PHONE, now).is_open
    desk = hours.state(VISITORS, now)
    assert not desk.is_open
    assert hours.next_change_words(desk, now, "sv") == "Öppnar kl. 08.00"
    assert hours.next_change_words(desk, now, "en") == "Opens at 08:00"


def test_tomorrow_and_far_days_are_named_so():
    evening = at("2026-06-16 18:00")  # Tuesday
    assert hours.next_change_words(hours.state(VISITORS, evening), evening) == (
        "Öppnar i morgon kl. 08.00"
    )
    # Weeks of closure are rare, but then the date is given, not a weekday.
    long = hours.OpenState(False, at("2026-07-13 08:00"))
    assert hours.next_change_words(long, at("2026-07-01 12:00"), "sv") == (
        "Öppnar måndag 13 juli kl. 08.00"
    )
    assert hours.next_change_words(long, at("2026-07-01 12:00"), "en") == (
        "Opens Monday 13 July at 08:00"
    )


def test_the_closed_days_are_the_public_holidays_and_the_three_eves():
    names = hours.closed_days(2026)
    assert names[date(2026, 6, 19)] == "Midsommarafton"
    assert names[date(2026, 12, 24)] == "Julafton"
    assert names[date(2026, 12, 31)] == "Nyårsafton"
    assert names[date(2026, 6, 6)] == "Nationaldagen"
    assert len(names) == 16


def test_stretches_keep_the_wording_right_through_midnight():
    parts = hours.stretches(VISITORS, at("2026-06-18 16:59"), days=4)
    assert [(p.start, p.is_open, p.words) for p in parts[:2]] == [
        (at("2026-06-18 16:59"), True, "Stänger kl. 17.00"),
        (at("2026-06-18 17:00"), False, "Öppnar måndag kl. 08.00"),
    ]
    sunday = next(p for p in parts if p.start == at("2026-06-21 00:00"))
    assert sunday.words == "Öppnar i morgon kl. 08.00"
    monday = next(p for p in parts if p.start == at("2026-06-22 00:00"))
    assert monday.words == "Öppnar kl. 08.00"


@pytest.mark.django_db
def test_the_organisation_answers_for_both_lines():
    organisation = load_demo()
    now = at("2026-06-15 07:30")
    assert organisation.phone_hours_now(now).is_open
    assert not organisation.visitor_hours_now(now).is_open
