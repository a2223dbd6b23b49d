"""The one field an editor adds to the annual report: the council's case number."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# A registry's case number (diarienummer) as Swedish municipalities write them:
# "KS 2026/123", "KS2026-0123", "2026/123", "KS 2026.123". Letters for the register,
# a year, a separator and a serial; nothing that could be markup.
CASE_NUMBER = RegexValidator(
    r"^[A-Za-zÅÄÖåäö]{0,12}[ .-]?(?:19|20)\d{2}[/.:-]\d{1,6}(?:[/.:-]\d{1,4})?$",
    _("Write the case number as the registry does, for example KS 2026/123."),
)


class CaseNumberForm(forms.Form):
    diarienummer = forms.CharField(
        label=_("Case number (diarienummer)"),
        required=False,
        max_length=40,
        strip=True,
        validators=[CASE_NUMBER],
        help_text=_("For example KS 2026/123. It is printed on the cover."),
    )
