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
