"""Opening hours in OpenStreetMap opening_hours syntax, evaluated for Sweden.

Storage is the OSM syntax ("Mo-Th 08:00-17:00; Fr 08:00-16:00; PH off"); evaluation is
opening-hours-py with Sweden's public holidays; display is plain Swedish or English
("Måndag–torsdag kl. 08.00–17.00").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from opening_hours import OpeningHours, State

STOCKHOLM = ZoneInfo("Europe/Stockholm")
COUNTRY = "SE"
OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
_RULE = re.compile(
    r"^(?P<days>(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?"
    r"(?:,(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?)*)"
    r"\s+(?P<times>\d\d:\d\d-\d\d:\d\d(?:,\d\d:\d\d-\d\d:\d\d)*)$"
)


def parse(text: str) -> OpeningHours:
    return OpeningHours(text, country=COUNTRY, timezone=STOCKHOLM)


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
    when = (when or timezone.now()).astimezone(STOCKHOLM)
    hours = parse(text)
    current, _comment = hours.state(when)
    return OpenState(is_open=current == State.OPEN, next_change=hours.next_change(when))


@dataclass(frozen=True)
class HoursLine:
    days: str
    times: str


def _day_name(day: str, lang: str) -> str:
    locale = "sv_SE" if lang == "sv" else "en_GB"
    return get_day_names("wide", locale=locale)[OSM_DAYS.index(day)]


def _days_words(days: str, lang: str) -> str:
    parts = []
    for span in days.split(","):
        ends = [_day_name(day, lang) for day in span.split("-")]
        parts.append("–".join(ends))
    words = ", ".join(parts)
    if lang == "sv":  # Swedish writes day names in lower case, but starts a line upper
        words = words.lower()
    return words[:1].upper() + words[1:]


def _times_words(times: str, lang: str) -> str:
    spans = []
    for span in times.split(","):
        start, end = span.split("-")
        if lang == "sv":
            spans.append(f"{start.replace(':', '.')}–{end.replace(':', '.')}")
        else:
            spans.append(f"{start}–{end}")
    prefix = "kl. " if lang == "sv" else ""
    return prefix + ", ".join(spans)


def describe(text: str, lang: str = "sv") -> list[HoursLine]:
    """'Mo-Th 08:00-17:00; Fr 08:00-16:00; PH off' -> Måndag–torsdag kl. 08.00–17.00, …

    Rules outside the common weekday form are shown as written rather than guessed at;
    'PH off' is left out, since closing on public holidays is what readers expect.
    """
    lines = []
    for rule in (part.strip() for part in (text or "").split(";")):
        if not rule or rule in ("PH off", "PH closed"):
            continue
        match = _RULE.match(rule)
        if match:
            lines.append(
                HoursLine(_days_words(match["days"], lang), _times_words(match["times"], lang))
            )
        else:
            lines.append(HoursLine(rule, ""))
    return lines
