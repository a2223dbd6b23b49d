"""The admin's forms that refuse lost updates, and the renewal form.

Two editors may open the same record; whoever saves second would silently undo the
first one's change. So every form remembers what it showed and refuses to save over
something newer, saying who changed what meanwhile: versioned records (the register's)
by their version, records without one (users, memberships) by their shown values, signed.
What counts as a conflict is the domain's (register/concurrency.py); these forms carry
the version or values through the browser and word the refusal.
"""

from __future__ import annotations

from django import forms
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from editing.widgets import ImpreciseDateField
from register import history
from register.concurrency import Conflict, conflict_for, conflict_in_values, stored_values
from register.lifecycle import planned_end_of, renew
from register.models import Decision

INCOMPLETE = _("This form is incomplete (it has no record version). Open the record again.")


class VersionedForm(forms.ModelForm):
    """Remembers the version it showed and refuses to save over a newer one."""

    seen_version = forms.IntegerField(
        label=_("seen version"), widget=forms.HiddenInput, required=False
    )

    # {many-to-many field: ids} of the historical version a revert form shows.
    reverting_many_to_many: dict[str, list] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            # The stored version, not the instance's: a revert form shows an old version.
            stored = (
                type(self.instance)
                ._base_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            self.fields["seen_version"].initial = stored
            for name, ids in self.reverting_many_to_many.items():
                if name in self.fields:
                    self.initial[name] = ids

    def _update_errors(self, errors):
        # A rule of the model may name a field this form does not show (an inline shows
        # a few): it is shown above the form, with the field's name, never as a crash.
        if hasattr(errors, "error_dict"):
            shown, elsewhere = {}, []
            for field, messages in errors.error_dict.items():
                if field == NON_FIELD_ERRORS or field in self.fields:
                    shown[field] = messages
                    continue
                try:
                    label = str(self._meta.model._meta.get_field(field).verbose_name)
                except Exception:  # noqa: BLE001 - not a model field: no name to give
                    label = field
                elsewhere += [f"{label[:1].upper()}{label[1:]}: {m}" for e in messages for m in e]
            if elsewhere:
                shown.setdefault(NON_FIELD_ERRORS, []).extend(ValidationError(elsewhere).error_list)
                errors = ValidationError(shown)
        super()._update_errors(errors)

    def save(self, commit=True):
        history.defer(self.instance)  # one history row, written once the m2m are saved
        return super().save(commit)

    def _save_m2m(self):
        super()._save_m2m()
        # A revert gives the version's links even for a many-to-many the form leaves out.
        history.set_many_to_many(self.instance, self.reverting_many_to_many, skip=self.fields)
        history.write(self.instance)

    # The parent form is saved whatever changed; an inline row only when it changed.
    check_unchanged = True

    def has_changed(self) -> bool:
        return any(name != "seen_version" for name in self.changed_data)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or not (self.check_unchanged or self.has_changed()):
            return cleaned
        seen = cleaned.get("seen_version")
        if seen is None:
            raise forms.ValidationError(INCOMPLETE, code="no_version")
        conflict = conflict_for(self.instance, seen)
        if conflict is not None:
            raise forms.ValidationError(conflict_message(self.instance, conflict), code="stale")
        self.instance.version = seen  # a reverted record continues from the stored version
        return cleaned


class VersionedInlineForm(VersionedForm):
    check_unchanged = False


class LinkedInlineFormSet(BaseInlineFormSet):
    """An inline formset that knows the other inlines of the same page (`siblings`, set
    by the ModelAdmin), so that one form can be checked with another's pending values."""

    siblings: list = []

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.formset = self
        return form

    def pending(self, model, pk):
        """The instance of `model` with `pk` as this save is about to store it, when
        another inline on the page changes it validly; else None."""
        for formset in self.siblings:
            if formset.model is not model or formset is self:
                continue
            for form in formset.forms:
                if form.instance.pk != pk or not form.has_changed():
                    continue
                if not form.is_valid():
                    return None
                if formset.can_delete and formset._should_delete_form(form):
                    return None
                return form.instance
        return None


class AgreementInlineForm(VersionedInlineForm):
    """An agreement on its relation's page: the decision it links is checked as this
    save leaves it (a body corrected in the decisions below counts)."""

    def _post_clean(self):
        chosen = self.cleaned_data.get("decision")
        formset = getattr(self, "formset", None)
        if chosen is not None and isinstance(formset, LinkedInlineFormSet):
            pending = formset.pending(Decision, chosen.pk)
            if pending is not None:
                self.cleaned_data["decision"] = pending
        super()._post_clean()


class UnchangedSinceShownForm(forms.ModelForm):
    """No lost updates for records that have no version (users, memberships): the form
    carries the values it showed, signed, and refuses to save over different ones."""

    seen_values = forms.CharField(widget=forms.HiddenInput, required=False)
    signing_salt = "vanort.admin.seen-values"

    def watched(self) -> list[str]:
        model_fields = {field.name for field in self._meta.model._meta.concrete_fields}
        return [name for name in self.fields if name in model_fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            seen = stored_values(self.instance, self.watched())
            self.fields["seen_values"].initial = signing.dumps(seen, salt=self.signing_salt)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        try:
            seen = signing.loads(cleaned.get("seen_values") or "", salt=self.signing_salt)
        except signing.BadSignature:
            raise forms.ValidationError(INCOMPLETE, code="no_version") from None
        conflict = conflict_in_values(self.instance, seen, self.watched())
        if conflict is not None:
            raise forms.ValidationError(conflict_message(self.instance, conflict), code="stale")
        return cleaned


def conflict_message(instance, conflict: Conflict) -> str:
    what = instance._meta.verbose_name
    if conflict.deleted:
        return gettext(
            "Not saved: someone deleted this %(what)s while you were editing it. "
            "It can be restored from its history."
        ) % {"what": what}
    when = date_format(conflict.changed_at, "DATETIME_FORMAT") if conflict.changed_at else "?"
    changes = "; ".join(f"{c.field}: “{c.old}” → “{c.new}”" for c in conflict.changes)
    return gettext(
        "Not saved: %(who)s saved this %(what)s at %(when)s, after you opened it. "
        "Changed meanwhile: %(changes)s. Nothing of yours was saved: open the record "
        "again, and make your changes on the current version."
    ) % {
        "who": conflict.changed_by or gettext("someone"),
        "what": what,
        "when": when,
        "changes": changes or gettext("its parts (agreements, decisions, activities …)"),
    }


class RenewalForm(forms.Form):
    """The new agreement's dates and decision; the rest is carried over by lifecycle.renew."""

    start = ImpreciseDateField(label=_("Start"))
    term_months = forms.IntegerField(
        label=_("Term in months"),
        required=False,
        min_value=1,
        help_text=_("Blank: the same term as the agreement renewed."),
    )
    end = ImpreciseDateField(label=_("End"), required=False)
    decision = forms.ModelChoiceField(
        label=_("Decision"), queryset=Decision.objects.none(), required=False
    )

    def __init__(self, agreement, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.fields["decision"].queryset = agreement.relation.decisions.all()
        self.fields["start"].initial = planned_end_of(agreement)

    def renew(self):
        """The renewal, or None with the rule's message next to its field."""
        data = self.cleaned_data
        try:
            return renew(
                self.agreement,
                start=data["start"],
                term_months=data["term_months"],
                end=data["end"] or "",
                decision=data["decision"],
            )
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
            return None


class AgreementWithDecisionForm(VersionedForm):
    """An agreement and, on the same form, the decision that made it: the coordinator
    records both in one save instead of opening the decision's form beside it. The
    deciding body, left blank, is the one the organisation's rules name for the kind."""

    new_decision_body = forms.ChoiceField(
        label=_("decided by"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Blank: the body the rules name for the kind (the council for twinnings)."),
    )
    new_decision_date = ImpreciseDateField(label=_("decision date"), required=False)
    new_decision_reference = forms.CharField(
        label=_("decision reference"),
        required=False,
        max_length=100,
        help_text=_("for example KS 2008/123 or KF § 54/23"),
    )
    NEW_DECISION = ("new_decision_body", "new_decision_date", "new_decision_reference")

    def __init__(self, *args, **kwargs):
        from register.models import DecidingBody

        super().__init__(*args, **kwargs)
        if "new_decision_body" in self.fields:
            self.fields["new_decision_body"].choices = [("", _("as the rules say"))] + list(
                DecidingBody.choices
            )

    def clean(self):
        cleaned = super().clean()
        date = cleaned.get("new_decision_date") or ""
        reference = (cleaned.get("new_decision_reference") or "").strip()
        if not (date or reference):
            return cleaned
        if cleaned.get("decision") is not None:
            self.add_error(
                "new_decision_reference",
                _("Link the decision chosen above, or record a new one here: not both."),
            )
            return cleaned
        relation = cleaned.get("relation")
        if relation is None:
            return cleaned  # the relation's own error says what to do
        from register.governance import required_body

        self.instance.relation, self.instance.kind = relation, cleaned.get("kind")
        body = cleaned.get("new_decision_body") or (
            required_body(self.instance) if cleaned.get("kind") else None
        )
        if not body:
            self.add_error("new_decision_body", _("Choose the body that decided."))
            return cleaned
        decision = Decision(relation=relation, body=body, date=date, reference=reference)
        try:
            decision.full_clean(exclude=["relation"], validate_constraints=False)
        except ValidationError as refused:
            names = {"body": "new_decision_body", "date": "new_decision_date"}
            for field, messages in refused.message_dict.items():
                self.add_error(names.get(field, "new_decision_reference"), messages)
            return cleaned
        cleaned["decision"] = decision  # saved first by AgreementAdmin.save_model
        return cleaned
