"""The imprecise-date field of the admin: a value with its precision, or EDTF text.

An editor types "1994" and picks "decade" rather than writing EDTF ("199X"); the widget
turns the parts into EDTF, and below the inputs says how the public page will write the
date ("sedan 1990-talet"). What a precision means and how a date is written are the
domain's (register/imprecise.py); this module only offers them in a form.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from register.imprecise import format_date, validate_edtf
from register.language import current_lang


class Precision:
    AS_WRITTEN, DAY, MONTH, YEAR, DECADE, CENTURY = "edtf", "day", "month", "year", "decade", "c"
    BY = "by"  # "[..2009]": at the latest, published as "2009 eller tidigare"
    CHOICES = [
        (DAY, _("day")),
        (MONTH, _("month")),
        (YEAR, _("year")),
        (DECADE, _("decade")),
        (CENTURY, _("century")),
        (BY, _("at the latest (by)")),
        (AS_WRITTEN, _("as written (EDTF)")),
    ]
    QUALIFIERS = [
        ("", _("exact")),
        ("~", _("about")),
        ("?", _("uncertain")),
        ("%", _("about, and uncertain")),
    ]


QUALIFIER_MARKS = "~?%"


def to_edtf(text: str, precision: str, qualifier: str) -> str:
    """'1994' as a decade, about -> '199X~'; text as written is taken as EDTF (a
    qualifier chosen beside it replaces the one written, if any)."""
    text = (text or "").strip()
    qualifier = qualifier if qualifier in QUALIFIER_MARKS else ""
    if not text:
        return ""
    if precision in ("", Precision.AS_WRITTEN):
        if qualifier and text[-1] in QUALIFIER_MARKS:
            text = text[:-1]
        return text + qualifier
    if precision == Precision.BY:
        core = text.strip("[].")
        return f"[..{core}]" + qualifier
    year = text[:4]
    edtf = {
        Precision.DAY: text[:10],
        Precision.MONTH: text[:7],
        Precision.YEAR: year,
        Precision.DECADE: f"{year[:3]}X",
        Precision.CENTURY: f"{year[:2]}XX",
    }.get(precision, text)
    return edtf + qualifier


def from_edtf(edtf: str) -> list[str]:
    """The widget's parts for a stored value, so a form reopens as it was filled in:
    '199X~' -> ['1990', 'decade', '~'], '[..2009]' -> ['2009', 'by', '']; what the
    parts cannot say (an interval, 2008/2012) stays as written."""
    import re

    edtf = (edtf or "").strip()
    if not edtf:
        # "Day" cuts nothing off: 2026, 2026-03 and 2026-03-14 are kept as precise as typed.
        return ["", Precision.DAY, ""]
    core, qualifier = (edtf[:-1], edtf[-1]) if edtf[-1] in QUALIFIER_MARKS else (edtf, "")
    patterns = [
        (r"\d{4}-\d{2}-\d{2}", Precision.DAY, lambda c: c),
        (r"\d{4}-\d{2}", Precision.MONTH, lambda c: c),
        (r"\d{4}", Precision.YEAR, lambda c: c),
        (r"\d{3}X", Precision.DECADE, lambda c: c[:3] + "0"),
        (r"\d{2}XX", Precision.CENTURY, lambda c: c[:2] + "00"),
        (r"\[\.\.\d{4}(-\d{2}(-\d{2})?)?\]", Precision.BY, lambda c: c[3:-1]),
    ]
    for pattern, precision, text in patterns:
        if re.fullmatch(pattern, core):
            return [text(core), precision, qualifier]
    return [edtf, Precision.AS_WRITTEN, ""]


def published_or_error(edtf: str, since: bool = False) -> str:
    """How the public page writes `edtf` in the editor's language, or why it cannot."""
    if not edtf:
        return "–"
    try:
        validate_edtf(edtf)
    except ValidationError as refused:
        return " ".join(refused.messages)
    return format_date(edtf, current_lang(), since=since)


class ImpreciseDateWidget(forms.MultiWidget):
    """Value, precision and certainty; posting the plain field name (EDTF) works too.

    Below the inputs it says how the public page will write the date ("sedan
    1990-talet"): from the server when the form is drawn, and kept up to date while the
    editor types by a small static script asking editing.views.imprecise_date_preview."""

    template_name = "editing/widgets/imprecise_date.html"

    class Media:
        # Under register/ still: the URL the script had before the admin left register/.
        js = ["register/imprecise-date.js"]

    def __init__(self, attrs=None, since: bool = False):
        self.since = since
        super().__init__(
            [
                forms.TextInput(attrs={"size": 14, "placeholder": "1994, 2010-10, 2010-10-05"}),
                forms.Select(choices=Precision.CHOICES, attrs={"aria-label": _("precision")}),
                forms.Select(choices=Precision.QUALIFIERS, attrs={"aria-label": _("certainty")}),
            ],
            attrs,
        )

    def decompress(self, value):
        return from_edtf(value or "")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if isinstance(value, list | tuple):  # as posted: value, precision, certainty
            value = to_edtf(*[part or "" for part in (list(value) + ["", "", ""])[:3]])
        context["widget"].update(
            since=self.since,
            preview_url=reverse("imprecise_date_preview"),
            published=published_or_error(value or "", since=self.since),
        )
        return context

    def value_from_datadict(self, data, files, name):
        # A script, a test or an older form may post the EDTF text under the plain name.
        if f"{name}_0" not in data and name in data:
            return [data.get(name), Precision.AS_WRITTEN, ""]
        return super().value_from_datadict(data, files, name)


HOW_TO_WRITE = _(
    "Write a year or a date and choose how exact it is. For example: the 1990s "
    "(write 1994, choose decade), about 2009 (2009, year, about), by 2009 at the "
    "latest (2009, at the latest). A period such as 2008/2012 can be written as is."
)


class ImpreciseDateField(forms.MultiValueField):
    widget = ImpreciseDateWidget

    def __init__(
        self, *, max_length=None, empty_value="", since: bool = False, help_text="", **kwargs
    ):
        kwargs["widget"] = ImpreciseDateWidget(since=since)
        fields = [
            forms.CharField(required=False),
            forms.ChoiceField(choices=Precision.CHOICES, required=False),
            forms.ChoiceField(choices=Precision.QUALIFIERS, required=False),
        ]
        super().__init__(fields, require_all_fields=False, **kwargs)
        # The field's own help first ("Leave blank when a term is given"), then how to write it.
        self.help_text = (
            format_lazy("{} {}", help_text, HOW_TO_WRITE) if help_text else HOW_TO_WRITE
        )

    def compress(self, values):
        text, precision, qualifier = (list(values) + ["", "", ""])[:3]
        if precision == Precision.BY and qualifier and (text or "").strip():
            raise ValidationError(
                _("“At the latest” is a date already known to be uncertain: choose exact."),
                code="by_with_qualifier",
            )
        return to_edtf(text or "", precision or "", qualifier or "")


def is_imprecise_date(db_field) -> bool:
    """A model field holding EDTF text: the register marks them by their validator."""
    return validate_edtf in getattr(db_field, "validators", [])
