"""The national register's filters: a GET form, so every filter state is a URL."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from national.counties import COUNTIES
from national.queries import ENDED, IN_FORCE, OWN, REPORTED, Filters, country_label
from register.language import current_lang
from register.models import AgreementKind, FocusArea

ANY = [("", _("Any"))]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Place name"), required=False, max_length=100)
    municipality = forms.TypedChoiceField(
        label=_("Municipality"), required=False, coerce=int, empty_value=None
    )
    county = forms.ChoiceField(label=_("County"), required=False)
    country = forms.ChoiceField(label=_("Partner country"), required=False)
    kind = forms.ChoiceField(label=_("Kind of relation"), required=False)
    focus = forms.ChoiceField(label=_("Focus area"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=ANY + [(IN_FORCE, _("in force")), (ENDED, _("ended"))],
    )
    source = forms.ChoiceField(
        label=_("Source"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (OWN, _("The municipalities’ own registers")),
            (REPORTED, _("Reported by Wikipedia/Wikidata")),
        ],
    )

    def __init__(self, data, *, places, countries: list[str]):
        super().__init__(data)
        lang = current_lang()
        self.fields["municipality"].choices = ANY + places.places
        self.fields["county"].choices = ANY + [(c.code, c.name(lang)) for c in COUNTIES]
        named = sorted(((c, country_label(c, lang)) for c in countries), key=lambda c: c[1])
        self.fields["country"].choices = ANY + named
        self.fields["kind"].choices = ANY + [(k.code, k.label) for k in AgreementKind.objects.all()]
        self.fields["focus"].choices = ANY + [(f.code, f.label) for f in FocusArea.objects.all()]

    def filters(self) -> Filters:
        """The valid filters; a value that is not a choice is left out (and reported)."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        return Filters(
            q=(data["q"] or "").strip(),
            municipality=data["municipality"],
            county=data["county"] or "",
            country=data["country"] or "",
            kind=data["kind"] or "",
            focus=data["focus"] or "",
            status=data["status"] or "",
            source=data["source"] or OWN,
        )


class SeekingFilterForm(forms.Form):
    """The partner seekers' filters: a theme, a country (the seeker's or one it wants)."""

    theme = forms.ChoiceField(label=_("Theme"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, data, *, countries: list[str]):
        super().__init__(data)
        lang = current_lang()
        self.fields["theme"].choices = ANY + [(f.code, f.label) for f in FocusArea.objects.all()]
        named = sorted(((c, country_label(c, lang)) for c in countries), key=lambda c: c[1])
        self.fields["country"].choices = ANY + named

    def values(self) -> tuple[str, str]:
        """(theme, country), each left out (and reported) when it is not a choice."""
        self.is_valid()
        return self.cleaned_data.get("theme") or "", self.cleaned_data.get("country") or ""
