"""Opening hours in OpenStreetMap opening_hours syntax, evaluated for Sweden.

Storage is the OSM syntax ("Mo-Th 08:00-17:00; Fr 08:00-16:00; PH off"); evaluation is
opening-hours-py, with the days a Swedish municipal office is closed added as explicit
"off" rules: the public holidays and the eves (midsommarafton, julafton, nyårsafton) of
the `holidays` package's Swedish public and de-facto categories. Display is plain Swedish
or English ("Måndag–torsdag kl. 08.00–17.00", "Öppnar måndag kl. 08.00").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from register.language import babel_locale

if TYPE_CHECKING:
    from opening_hours import OpeningHours

# holidays, opening_hours and babel.dates are imported where they are used: loading
# them takes a moment, and a command line that never evaluates hours should not wait.

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COUNTRY = "SE"
OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
_RULE = re.compile(
    r"^(?P<days>(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?"
    r"(?:,(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?)*)"
    r"\s+(?P<times>\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*)$"
)


OSM_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
HOLIDAY_CATEGORIES = ("public", "de_facto")


def parse(text: str) -> OpeningHours:
    from opening_hours import OpeningHours

    return OpeningHours(text, country=COUNTRY, timezone=STOCKHOLM)


def closed_days(year: int) -> dict[date, str]:
    """Public holidays and the eves offices close on, by Swedish name, for one year."""
    import holidays

    return dict(
        holidays.country_holidays(
            COUNTRY, years=year, categories=HOLIDAY_CATEGORIES, language="sv"
        ).items()
    )


@lru_cache(maxsize=32)
def closed_day_name(day: date, lang: str = "sv") -> str:
    """'Midsommarafton' / 'Midsummer Eve' when offices are closed for the day, else ''."""
    import holidays

    names = holidays.country_holidays(
        COUNTRY,
        years=day.year,
        categories=HOLIDAY_CATEGORIES,
        language="sv" if lang == "sv" else "en_US",
    )
    return names.get(day, "")


def _closed_day_rules(years: range) -> str:
    days = sorted(day for year in years for day in closed_days(year))
    return "; ".join(f"{day.year} {OSM_MONTHS[day.month - 1]} {day.day:02d} off" for day in days)


@lru_cache(maxsize=64)
def _office_hours(text: str, year: int) -> OpeningHours:
    """`text` with the closed days of the years around `year` as rules that override it.

    A year either side, so that the next change is right across New Year.
    """
    return parse(f"{text}; {_closed_day_rules(range(year - 1, year + 2))}")


def validate_opening_hours(text: str) -> None:
    """Refuse invalid syntax with the parser's own message."""
    if not text:
        return
    try:
        parse(text)
    except Exception as exc:  # the parser raises its own ParserError/SyntaxError types
        raise ValidationError(
            _("Invalid opening_hours syntax: %(message)s"),
            code="invalid_opening_hours",
            params={"message": str(exc).strip()},
        ) from exc


@dataclass(frozen=True)
class OpenState:
    is_open: bool
    next_change: datetime | None


def state(text: str, when: datetime | None = None) -> OpenState:
    from opening_hours import State

    when = (when or timezone.now()).astimezone(STOCKHOLM)
    hours = _office_hours(text, when.year)
    current, _comment = hours.state(when)
    change = hours.next_change(when)
    return OpenState(
        is_open=current == State.OPEN, next_change=change.astimezone(STOCKHOLM) if change else None
    )


def _clock(moment: datetime, lang: str) -> str:
    return f"kl. {moment:%H.%M}" if lang == "sv" else f"at {moment:%H:%M}"


def _day_words(moment: datetime, now: datetime, lang: str) -> str:
    """'' for today, 'i morgon', a weekday within six days, else the date."""
    days = (moment.date() - now.date()).days
    if days == 0:
        return ""
    if days == 1:
        return "i morgon" if lang == "sv" else "tomorrow"
    if days < 7:
        name = _day_name(OSM_DAYS[moment.weekday()], lang)
        return name.lower() if lang == "sv" else name
    from babel.dates import format_date

    return format_date(moment.date(), "EEEE d MMMM", locale=babel_locale(lang))


def next_change_words(current: OpenState, now: datetime, lang: str = "sv") -> str:
    """'Stänger kl. 17.00', 'Öppnar måndag kl. 08.00' / 'Closes at 17:00', 'Opens Monday …'."""
    if current.next_change is None:
        return ""
    now = now.astimezone(STOCKHOLM)
    change = current.next_change.astimezone(STOCKHOLM)
    if lang == "sv":
        verb = "Stänger" if current.is_open else "Öppnar"
    else:
        verb = "Closes" if current.is_open else "Opens"
    return " ".join(
        part for part in (verb, _day_words(change, now, lang), _clock(change, lang)) if part
    )


@dataclass(frozen=True)
class Stretch:
    """A stretch of time in which the state and its wording stay the same."""

    start: datetime
    is_open: bool
    words: str
    closed_day: str = ""  # 'Midsommarafton' when closed for a holiday or an eve


def stretches(text: str, now: datetime, days: int = 8, lang: str = "sv") -> list[Stretch]:
    """State and wording from `now` for `days` days: a new stretch at every change of state
    and at every midnight (where 'i morgon' becomes 'i dag'), so that a page can stay right
    without asking the server again."""
    return list(_stretches(text, now.astimezone(STOCKHOLM), days, lang))


@lru_cache(maxsize=64)
def _stretches(text: str, now: datetime, days: int, lang: str) -> tuple[Stretch, ...]:
    # Kept: it depends on nothing else, and the pages ask from the start of the day
    # (public.pages.open_now), so every render that day asks the same; evaluating the
    # rules for eight days took over a millisecond of each render.
    end = now + timedelta(days=days)
    result = []
    moment = now
    while moment < end:
        current = state(text, moment)
        holiday = "" if current.is_open else closed_day_name(moment.date(), lang)
        if lang == "sv":  # Swedish holiday names are common nouns mid-sentence
            holiday = holiday.lower()
        words = next_change_words(current, moment, lang)
        result.append(Stretch(moment, current.is_open, words, holiday))
        midnight = datetime.combine(
            moment.date() + timedelta(days=1), datetime.min.time(), tzinfo=STOCKHOLM
        )
        moment = min(current.next_change or midnight, midnight)
    return tuple(result)


@dataclass(frozen=True)
class HoursLine:
    days: str
    times: str


def _day_name(day: str, lang: str) -> str:
    from babel.dates import get_day_names

    return get_day_names("wide", locale=babel_locale(lang))[OSM_DAYS.index(day)]


def _days_words(days: str, lang: str) -> str:
    parts = []
    for span in days.split(","):
        ends = [_day_name(day, lang) for day in span.split("-")]
        parts.append("–".join(ends))
    words = ", ".join(parts)
    if lang == "sv":  # Swedish writes day names in lower case, but starts a line upper
        words = words.lower()
    return words[:1].upper() + words[1:]


def _times_words(times: tuple[tuple[str, str], ...], lang: str) -> str:
    spans = []
    for start, end in times:
        if lang == "sv":
            spans.append(f"{start.replace(':', '.')}–{end.replace(':', '.')}")
        else:
            spans.append(f"{start}–{end}")
    prefix = "kl. " if lang == "sv" else ""
    return prefix + ", ".join(spans)


@dataclass(frozen=True)
class WeeklyRule:
    """A rule of the common weekday form: 'Mo-Th 08:00-17:00' or 'Mo,We 08:00-12:00,13:00-16:00'."""

    days: str  # as written: "Mo-Th", "Mo,We"
    times: tuple[tuple[str, str], ...]  # (opens, closes) pairs: (("08:00", "17:00"),)

    @property
    def weekdays(self) -> list[str]:
        """The days the rule covers, spans written out: 'Mo-We' -> Mo, Tu, We."""
        days = []
        for span in self.days.split(","):
            first, _sep, last = span.partition("-")
            days += OSM_DAYS[OSM_DAYS.index(first) : OSM_DAYS.index(last or first) + 1]
        return days


def rules(text: str) -> list[WeeklyRule | str]:
    """The one reader of the stored syntax for display and export: each rule of `text`
    as a WeeklyRule, or as written when it is of another form ('PH off', dates)."""
    found: list[WeeklyRule | str] = []
    for rule in (part.strip() for part in (text or "").split(";")):
        if not rule:
            continue
        match = _RULE.match(rule)
        if match:
            spans = tuple(tuple(span.split("-")) for span in match["times"].split(","))
            found.append(WeeklyRule(match["days"], spans))
        else:
            found.append(rule)
    return found


def describe(text: str, lang: str = "sv") -> list[HoursLine]:
    """'Mo-Th 08:00-17:00; Fr 08:00-16:00; PH off' -> Måndag–torsdag kl. 08.00–17.00, …

    Rules outside the common weekday form are shown as written rather than guessed at;
    'PH off' is left out, since closing on public holidays is what readers expect.
    """
    return list(_described(text, lang))


@lru_cache(maxsize=64)
def _described(text: str, lang: str) -> tuple[HoursLine, ...]:
    # Kept, as _stretches: the same two texts are described on every page.
    lines = []
    for rule in rules(text):
        if isinstance(rule, WeeklyRule):
            lines.append(HoursLine(_days_words(rule.days, lang), _times_words(rule.times, lang)))
        elif rule not in ("PH off", "PH closed"):
            lines.append(HoursLine(rule, ""))
    return tuple(lines)
