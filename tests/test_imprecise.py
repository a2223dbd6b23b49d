"""Imprecise dates and counts: stored with their precision, written the Swedish way."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from register.imprecise import ImpreciseDate, format_count, format_date, format_span, parse


@pytest.mark.parametrize(
    ("text", "sv", "en"),
    [
        ("194X", "1940-talet", "the 1940s"),
        ("199X", "1990-talet", "the 1990s"),
        ("2008", "2008", "2008"),
        ("2010-10", "oktober 2010", "October 2010"),
        ("2010-10-15", "15 oktober 2010", "15 October 2010"),
        ("[..2009]", "2009 eller tidigare", "2009 or earlier"),
        ("2009~", "cirka 2009", "about 2009"),
        ("2009?", "2009 (osäkert)", "2009 (uncertain)"),
        ("2008/2012", "2008–2012", "2008–2012"),
    ],
)
def test_it_writes_dates_at_their_own_precision(text, sv, en):
    assert format_date(text, "sv") == sv
    assert format_date(text, "en") == en


def test_it_writes_since():
    assert format_date("199X", "sv", since=True) == "sedan 1990-talet"
    assert format_date("199X", "en", since=True) == "since the 1990s"


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("194X", date(1940, 1, 1), date(1949, 12, 31)),
        ("2010-10", date(2010, 10, 1), date(2010, 10, 31)),
        ("[..2009]", None, date(2009, 12, 31)),
        ("2008", date(2008, 1, 1), date(2008, 12, 31)),
    ],
)
def test_it_knows_the_bounds(text, earliest, latest):
    value = ImpreciseDate(text)
    assert (value.earliest, value.latest) == (earliest, latest)


def test_it_adds_a_term_without_inventing_precision():
    assert ImpreciseDate("2008").plus_months(48).text == "2012"
    assert ImpreciseDate("2008-03").plus_months(48).text == "2012-03"
    assert ImpreciseDate("2008-03-01").plus_months(48).text == "2012-03-01"
    assert ImpreciseDate("2008-02-29").plus_months(12).text == "2009-02-28"
    assert ImpreciseDate("199X").plus_months(48).text == "1994/2003"


def test_it_refuses_text_that_is_not_edtf():
    with pytest.raises(ValidationError) as error:
        parse("since the nineties")
    assert "EDTF" in str(error.value)


def test_it_refuses_edtf_whose_bounds_the_library_cannot_tell():
    # "000X-0X" parses, but the edtf library fails on its month when asked for its bounds
    # (found by the property test in tests/test_properties.py on PostgreSQL).
    with pytest.raises(ValidationError) as error:
        parse("000X-0X")
    assert error.value.code == "invalid_edtf"


def test_it_writes_approximate_counts_the_swedish_way():
    assert format_count(100, True, "sv") == "ett 100-tal"
    assert format_count(80, True, "sv") == "cirka 80"
    assert format_count(80, False, "sv") == "80"
    assert format_count(100, True, "en") == "about 100"
    assert format_count(None, True, "sv") == ""


def test_it_writes_spans():
    assert format_span("2008", "2012", "sv") == "2008–2012"
    assert format_span("194X", "", "sv") == "sedan 1940-talet"
    assert format_span("", "2012", "en") == "until 2012"
