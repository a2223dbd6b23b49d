"""Who may do what: a user's roles per organisation, read once per request.

The admin's querysets and permission checks ask these functions; templates never decide.
"""

from __future__ import annotations

from accounts.models import Membership, Role

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
