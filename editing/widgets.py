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
from django.utils.translation import gettext_lazy as _

from register.imprecise import format_date, validate_edtf
from register.language import current_lang


class Precision:
    AS_WRITTEN, DAY, MONTH, YEAR, DECADE, CENTURY = "edtf", "day", "month", "year", "decade", "c"
    CHOICES = [
        (AS_WRITTEN, _("as written (EDTF)")),
        (DAY, _("day")),
        (MONTH, _("month")),
        (YEAR, _("year")),
        (DECADE, _("decade")),
        (CENTURY, _("century")),
    ]
    QUALIFIERS = [
        ("", _("exact")),
        ("~", _("about")),
        ("?", _("uncertain")),
        ("%", _("about, and uncertain")),
    ]


def to_edtf(text: str, precision: str, qualifier: str) -> str:
    """'1994' as a decade, about -> '199X~'; text as written is taken as EDTF."""
    text = (text or "").strip()
    if not text or precision in ("", Precision.AS_WRITTEN):
        return text + (qualifier if text and text[-1] not in "~?%" else "")
    year = text[:4]
    edtf = {
        Precision.DAY: text[:10],
        Precision.MONTH: text[:7],
        Precision.YEAR: year,
        Precision.DECADE: f"{year[:3]}X",
        Precision.CENTURY: f"{year[:2]}XX",
    }.get(precision, text)
    return edtf + qualifier


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
                forms.TextInput(attrs={"size": 14, "placeholder": "1990, 2010-10, 199X"}),
                forms.Select(choices=Precision.CHOICES, attrs={"aria-label": _("precision")}),
                forms.Select(choices=Precision.QUALIFIERS, attrs={"aria-label": _("certainty")}),
            ],
            attrs,
        )

    def decompress(self, value):
        return [value or "", Precision.AS_WRITTEN, ""]

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


class ImpreciseDateField(forms.MultiValueField):
    widget = ImpreciseDateWidget

    def __init__(self, *, max_length=None, empty_value="", since: bool = False, **kwargs):
        kwargs["widget"] = ImpreciseDateWidget(since=since)
        fields = [
            forms.CharField(required=False),
            forms.ChoiceField(choices=Precision.CHOICES, required=False),
            forms.ChoiceField(choices=Precision.QUALIFIERS, required=False),
        ]
        super().__init__(fields, require_all_fields=False, **kwargs)
        self.help_text = _(
            "A value and its precision (1994 as a decade is published as “1990-talet”), "
            "or EDTF text as written: 199X, 2009~, [..2009], 2008/2012."
        )

    def compress(self, values):
        text, precision, qualifier = (list(values) + ["", "", ""])[:3]
        return to_edtf(text or "", precision or "", qualifier or "")


def is_imprecise_date(db_field) -> bool:
    """A model field holding EDTF text: the register marks them by their validator."""
    return validate_edtf in getattr(db_field, "validators", [])
