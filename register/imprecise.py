"""Imprecise facts: dates in Library of Congress EDTF and approximate counts (one
count, and sums of counts that keep their precision).

A value keeps the precision its source gave ("199X" is the 1990s, not 1990-01-01),
and is written out the Swedish or English way without inventing precision.
"""

from __future__ import annotations

import calendar
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from register.language import babel_locale, current_lang

# edtf (pyparsing) and babel.dates are imported where they are used: loading them
# takes a moment that a command line printing its help should not wait for.


def _struct_to_date(value) -> date | None:
    """EDTF bounds are struct_time, or +/-inf for open ends."""
    if isinstance(value, float) and math.isinf(value):
        return None
    if isinstance(value, time.struct_time):
        year = min(max(value.tm_year, 1), 9999)
        day = min(value.tm_mday, calendar.monthrange(year, value.tm_mon)[1])
        return date(year, value.tm_mon, day)
    return None


@lru_cache(maxsize=4096)
def parse(text: str):
    """Parse EDTF text, or raise ValidationError naming the problem. Cached: the edtf
    parser (pyparsing) takes milliseconds per value, and lists show the same few values
    many times; parsed values are never modified."""
    from edtf import parse_edtf
    from edtf.parser.edtf_exceptions import EDTFParseException

    try:
        parsed = parse_edtf(text.strip())
        # Some forms parse but fail when their bounds are asked for ("000X-0X": the
        # library reads the month "0X" as a number); refused here like any other.
        parsed.lower_strict(), parsed.upper_strict()
        return parsed
    except (EDTFParseException, ValueError, TypeError, AttributeError) as exc:
        # AttributeError: the edtf parser itself fails on some malformed years (a
        # hypothesis case in tests/test_properties.py); refused like any other.
        raise ValidationError(
            _("“%(value)s” is not a valid EDTF date (for example 2008, 2010-10, 199X, 2009~)."),
            code="invalid_edtf",
            params={"value": text},
        ) from exc


def validate_edtf(text: str) -> None:
    if text:
        parse(text)
        try:  # valid EDTF that the pages cannot write yet (e.g. 19XX-01) is refused here
            format_date(text, "sv"), format_date(text, "en")
        except (ValueError, TypeError, IndexError, KeyError) as exc:
            raise ValidationError(
                _(
                    "“%(value)s” is valid EDTF, but not a form Vänort can write out; "
                    "use a year, a month, a day, a decade (199X), a century (19XX) or an "
                    "interval of these (2008/2012)."
                ),
                code="unwritable_edtf",
                params={"value": text},
            ) from exc


@dataclass(frozen=True)
class ImpreciseDate:
    """An EDTF date with its bounds: the earliest and latest day it can mean."""

    text: str

    @property
    def parsed(self):
        return parse(self.text)

    @property
    def earliest(self) -> date | None:
        return _struct_to_date(self.parsed.lower_strict())

    @property
    def latest(self) -> date | None:
        return _struct_to_date(self.parsed.upper_strict())

    @property
    def precision(self) -> str:
        """One of: day, month, year, decade, century, or 'open' for '[..2009]'."""
        return _precision(self.text)

    def plus_months(self, months: int) -> ImpreciseDate:
        """The date `months` later, at the same precision ("2008" + 48 months = "2012")."""
        core, qualifier = _split_qualifier(self.text)
        precision = _precision(core)
        if precision == "year" and months % 12 == 0:
            return ImpreciseDate(f"{int(core) + months // 12:04d}{qualifier}")
        if precision == "month":
            year, month = (int(part) for part in core.split("-"))
            year, month = divmod(year * 12 + month - 1 + months, 12)
            return ImpreciseDate(f"{year:04d}-{month + 1:02d}{qualifier}")
        if precision == "day":
            start = date.fromisoformat(core)
            year, month = divmod(start.year * 12 + start.month - 1 + months, 12)
            month += 1
            day = min(start.day, calendar.monthrange(year, month)[1])
            return ImpreciseDate(f"{date(year, month, day).isoformat()}{qualifier}")
        if precision in ("year", "decade") and months % 12 == 0:
            # A decade plus a term lands somewhere in a span of years: say so.
            low, high = self.earliest, self.latest
            assert low is not None and high is not None  # a year or a decade has bounds
            return ImpreciseDate(f"{low.year + months // 12}/{high.year + months // 12}")
        raise ValueError(f"cannot add a term of {months} months to {self.text!r}")


def _split_qualifier(text: str) -> tuple[str, str]:
    text = text.strip()
    if text and text[-1] in "~?%":
        return text[:-1], text[-1]
    return text, ""


def _precision(text: str) -> str:
    core, _qualifier = _split_qualifier(text)
    if core.startswith("[") or core.startswith("{") or "/" in core:
        return "open" if ".." in core else "range"
    if len(core) == 4 and core.endswith("XX"):
        return "century"
    if len(core) == 4 and core.endswith("X"):
        return "decade"
    if len(core) == 4:
        return "year"
    if len(core) == 7:
        return "month"
    return "day"


# --- writing dates the Swedish and English way ---------------------------------


def _month_name(month: int, lang: str) -> str:
    from babel.dates import get_month_names

    return get_month_names("wide", locale=babel_locale(lang))[month]


def _plain(core: str, lang: str) -> str:
    """A date without qualifiers, at its own precision."""
    precision = _precision(core)
    if precision == "century":
        return f"{core[:2]}00-talet" if lang == "sv" else f"the {core[:2]}00s"
    if precision == "decade":
        return f"{core[:3]}0-talet" if lang == "sv" else f"the {core[:3]}0s"
    if precision == "year":
        return core
    if precision == "month":
        year, month = core.split("-")
        return f"{_month_name(int(month), lang)} {int(year)}"
    from babel.dates import format_date as babel_format_date

    day = date.fromisoformat(core)
    return babel_format_date(day, format="long", locale=babel_locale(lang))


def format_date(text: str, lang: str = "sv", *, since: bool = False) -> str:
    """Write an EDTF date for people: '199X' -> '1990-talet', with 'since' -> 'sedan 1990-talet'."""
    if not text:
        return ""
    sv = lang == "sv"
    core, qualifier = _split_qualifier(text)
    if core.startswith("[..") and core.endswith("]"):
        # "[..2009]": one of the dates up to 2009, i.e. by 2009 at the latest.
        phrase = _plain(core[3:-1], lang)
        words = f"{phrase} eller tidigare" if sv else f"{phrase} or earlier"
    elif "/" in core:
        low, high = core.split("/", 1)
        if low in ("", "..") and high not in ("", ".."):  # "../2009": 2009 at the latest
            words = f"till {_plain(high, lang)}" if sv else f"until {_plain(high, lang)}"
        elif high in ("", ".."):  # "2008/..": open or unknown end
            words = f"från {_plain(low, lang)}" if sv else f"from {_plain(low, lang)}"
        else:
            words = f"{_plain(low, lang)}–{_plain(high, lang)}"
    else:
        words = _plain(core, lang)
    if qualifier in ("~", "%"):
        words = f"cirka {words}" if sv else f"about {words}"
    if qualifier in ("?", "%"):
        words = f"{words} (osäkert)" if sv else f"{words} (uncertain)"
    if since:
        words = f"sedan {words}" if sv else f"since {words}"
    return words


def format_span(start: str, end: str, lang: str = "sv") -> str:
    """'2008'–'2012' -> '2008–2012'; an open end -> 'sedan 2008'."""
    if start and end:
        return f"{format_date(start, lang)}–{format_date(end, lang)}"
    if start:
        return format_date(start, lang, since=True)
    if end:
        return (
            (f"till {format_date(end, lang)}")
            if lang == "sv"
            else f"until {format_date(end, lang)}"
        )
    return ""


# --- approximate counts ---------------------------------------------------------


def format_count(value: int | None, approximate: bool, lang: str = "sv") -> str:
    """'about 100' is 'ett 100-tal' in Swedish; 'about 80' is 'cirka 80'."""
    if value is None:
        return ""
    if not approximate:
        return str(value)
    if lang == "sv":
        if value >= 100 and value % 100 == 0 and value < 1000:
            return f"ett {value}-tal"
        return f"cirka {value}"
    return f"about {value}"


@dataclass(frozen=True)
class Count:
    """A sum of counts: its value, whether any part was approximate, how many were missing."""

    value: int = 0
    approximate: bool = False
    missing: int = 0  # items that had no count at all
    counted: int = 0  # items that had one

    def __add__(self, other: Count) -> Count:
        return Count(
            self.value + other.value,
            self.approximate or other.approximate,
            self.missing + other.missing,
            self.counted + other.counted,
        )

    @classmethod
    def of(cls, value: int | None, approximate: bool = False) -> Count:
        if value is None:
            return cls(missing=1)
        return cls(value, approximate, 0, 1)

    @property
    def known(self) -> bool:
        return self.counted > 0

    def text(self, lang: str | None = None) -> str:
        """'ett 100-tal', 'cirka 180', '40'; empty if nothing was counted."""
        if not self.known:
            return ""
        return format_count(self.value, self.approximate, lang or current_lang())

    def note(self) -> str:
        """Why the figure is not an exact total, in the reader's language."""
        notes = []
        if self.approximate and self.counted > 1:
            notes.append(gettext("a sum of figures of which some are approximate"))
        elif self.approximate:
            notes.append(gettext("approximate"))
        if self.missing:
            notes.append(
                ngettext("%(n)s without a count", "%(n)s without a count", self.missing)
                % {"n": self.missing}
            )
        return "; ".join(notes)


def sum_counts(counts: Iterable[Count]) -> Count:
    total = Count()
    for count in counts:
        total = total + count
    return total
