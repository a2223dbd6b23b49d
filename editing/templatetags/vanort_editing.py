"""The editor's start page: drafts, agreements whose decision is not on record, and what
the background text names that the register does not have in force."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template

from accounts.roles import organisation_ids
from register import publishing
from register.language import current_lang
from register.models import Organisation
from register.wording import background_warnings

register = template.Library()


@dataclass
class Attention:
    organisation: Organisation
    relations: list = field(default_factory=list)
    agreements: list = field(default_factory=list)
    activities: list = field(default_factory=list)
    not_on_record: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    lang: str = field(default_factory=current_lang)  # the preview's language

    @property
    def drafts(self) -> bool:
        return bool(self.relations or self.agreements or self.activities)


@register.simple_tag
def editor_attention(user) -> list[Attention]:
    if user.is_superuser:
        ids = list(Organisation.objects.values_list("pk", flat=True))
    else:
        ids = list(organisation_ids(user))
    found = {
        org.pk: Attention(org)
        for org in Organisation.objects.filter(pk__in=ids).select_related("place")
    }
    drafts = publishing.drafts_of(ids)
    for name in ("relations", "agreements", "activities"):
        for record in drafts[name]:
            org_id = record.relation.organisation_id if name == "agreements" else None
            org_id = org_id or record.organisation_id
            getattr(found[org_id], name).append(record)
    for agreement in publishing.not_on_record_of(ids):
        found[agreement.relation.organisation_id].not_on_record.append(agreement)
    for attention in found.values():
        attention.warnings = background_warnings(attention.organisation)
    return list(found.values())


# --- the error summary of every admin form (GOV.UK's pattern, as the public form has) ---


@dataclass(frozen=True)
class SummaryError:
    message: str
    href: str = ""  # "#id_partner": the field to correct; blank for a form's own error


def _form_errors(form, where: str = "") -> list[SummaryError]:
    found: list[SummaryError] = []
    prefix = f"{where}: " if where else ""
    for message in form.non_field_errors():
        found.append(SummaryError(f"{prefix}{message}"))
    # In the order of the fields on the page, as GOV.UK's summary lists them.
    order = {name: number for number, name in enumerate(form.fields)}
    errors = sorted(form.errors.items(), key=lambda item: order.get(item[0], len(order)))
    for name, messages in errors:
        if name == "__all__":
            continue
        if name not in form.fields or form.fields[name].widget.is_hidden:
            found += [SummaryError(f"{prefix}{message}") for message in messages]
            continue
        bound = form[name]
        label = str(bound.label)
        # A widget of several inputs (the imprecise date) has no id for its label: its first.
        target = bound.id_for_label or f"{bound.auto_id}_0"
        found += [SummaryError(f"{prefix}{label}: {message}", f"#{target}") for message in messages]
    return found


@register.simple_tag
def error_summary(adminform=None, inline_admin_formsets=(), form=None) -> list[SummaryError]:
    """Every error of the page, each linked to its field: the main form's, then each
    inline row's ("Avtal 2: Start: …"), then the inlines' own."""
    main = form if form is not None else getattr(adminform, "form", None)
    found = _form_errors(main) if main is not None and main.is_bound else []
    for inline in inline_admin_formsets or ():
        formset = inline.formset
        if not formset.is_bound:
            continue
        title = str(formset.model._meta.verbose_name).capitalize()
        for number, row in enumerate(formset.forms, start=1):
            found += _form_errors(row, f"{title} {number}")
        found += [SummaryError(f"{title}: {m}") for m in formset.non_form_errors()]
    return found


@register.filter
def column_label(opts, column: str) -> str:
    """A history list's column by its field's name in the reader's language ("E-post"),
    else the column as django-simple-history writes it (through gettext)."""
    from django.core.exceptions import FieldDoesNotExist
    from django.utils.translation import gettext

    try:
        label = str(opts.get_field(column).verbose_name)
    except (FieldDoesNotExist, AttributeError):
        label = gettext(column)
    return label[:1].upper() + label[1:]


@register.simple_tag
def quick_tasks(user) -> list:
    """The relations the user edits, for the start page's two common tasks: record an
    activity, record an agreement with its decision (each one click to a prefilled form)."""
    from register.models import Relation

    relations = Relation.objects.select_related("partner", "organisation").prefetch_related(
        "partner__names"
    )
    if not user.is_superuser:
        relations = relations.filter(organisation__in=organisation_ids(user))
    return list(relations.order_by("organisation__name_sv", "order", "id"))
