"""Who may do what: a user's roles per organisation, read once per request, and the
records those roles reach.

A staff user sees and changes only the records of the organisations they are a member
of (accounts.Membership), drafts included; administrators of an organisation also
change its rules and memberships; a superuser runs the installation. Places, sources
without an organisation and vocabularies are shared by the installation.

These are plain functions of a user (never of a request), so that the admin's querysets
and permission checks (editing/), the commands and the tests all ask the same rule;
templates never decide.
"""

from __future__ import annotations

from operator import attrgetter

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet

from accounts.models import Membership, Role
from register.models import Activity, Agreement, Decision, Organisation, Relation, Source

_CACHE = "_vanort_roles"


def roles_of(user) -> dict[int, str]:
    """{organisation id: role} for an active staff user; cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return {}
    if not hasattr(user, _CACHE):
        rows = Membership.objects.filter(user=user).values_list("organisation_id", "role")
        setattr(user, _CACHE, dict(rows))
    return getattr(user, _CACHE)


def organisation_ids(user, *, administrator: bool = False) -> set[int]:
    """The organisations whose register the user edits (or administers)."""
    roles = roles_of(user)
    if administrator:
        return {org for org, role in roles.items() if role == Role.ADMINISTRATOR}
    return set(roles)


def may_edit(user, organisation_id: int | None) -> bool:
    return bool(user.is_superuser) or organisation_id in organisation_ids(user)


def may_administer(user, organisation_id: int | None) -> bool:
    return bool(user.is_superuser) or organisation_id in organisation_ids(user, administrator=True)


# --- the records a user's organisations reach ----------------------------------------------


def organisation_of(obj, org_path: str) -> int | None:
    """The organisation id a record belongs to, following `org_path` (dots), such as
    "organisation_id" or "relation.organisation_id"; None for a record of none."""
    try:
        return attrgetter(org_path)(obj)
    except (AttributeError, ObjectDoesNotExist):
        return None


def within_organisations(user, queryset: QuerySet, org_lookup: str = "organisation") -> QuerySet:
    """`queryset` limited to the user's organisations; `org_lookup` leads from its model to
    the organisation ("organisation", "relation__organisation", "pk")."""
    if user.is_superuser:
        return queryset
    return queryset.filter(**{f"{org_lookup}__in": organisation_ids(user)})


def visible_sources(user, queryset: QuerySet) -> QuerySet:
    """The user's organisations' sources, and those the installation shares (no owner)."""
    if user.is_superuser:
        return queryset
    return queryset.filter(
        Q(organisation__in=organisation_ids(user)) | Q(organisation__isnull=True)
    )


def choosable(user, queryset: QuerySet) -> QuerySet:
    """The records of `queryset` a user may link to (a foreign key's or many-to-many's
    choices): their organisations' own, and whatever the installation shares."""
    model = queryset.model
    if model is Organisation:
        return within_organisations(user, queryset, "pk")
    if model in (Relation, Activity):
        return within_organisations(user, queryset, "organisation")
    if model in (Decision, Agreement):
        return within_organisations(user, queryset, "relation__organisation")
    if model is Source:
        return visible_sources(user, queryset)
    return queryset  # places and vocabularies are shared by the installation


def may_change_place(user, place) -> bool:
    """Members change a place that no other organisation has or uses as a partner: the
    gazetteer is shared, so one organisation's edit must not rename another's partner."""
    if user.is_superuser:
        return True
    orgs = organisation_ids(user)
    if not orgs:
        return False
    if place is None or place.pk is None:
        return True
    users = set(Relation.objects.filter(partner=place).values_list("organisation", flat=True))
    owner = Organisation.objects.filter(place=place).values_list("pk", flat=True).first()
    if owner is not None:
        users.add(owner)
    return users <= orgs
