"""Staff users: who is made staff with which role, and who manages whom.

One path for both faces: `vanort add-user` and the admin's user module call these.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import QuerySet

from accounts.models import Membership, Role
from accounts.roles import organisation_ids
from register.models import Organisation


def enrol(
    user: User, organisation: Organisation, role: str, *, password: str | None = None
) -> Membership:
    """Make `user` staff with `role` in `organisation`; user and role in one transaction.

    A password given is checked by the installation's validators first (ValidationError,
    nothing written) and hashed as configured (Argon2). A new user given none, and
    carrying no hash yet, gets an unusable one, to be set later. Superuser status is
    never given here: that is the installation's own business.
    """
    if role not in Role.values:
        raise ValueError(f"role: “{role}” is none of {', '.join(Role.values)}")
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
    elif not user.password:
        user.set_unusable_password()
    user.is_staff = True
    with transaction.atomic():
        user.save()
        membership, _created = Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": role}
        )
    return membership


def managed_users(by: User, queryset: QuerySet | None = None) -> QuerySet:
    """The users `by` may see as an administrator: everyone for a superuser, otherwise
    those with a role in an organisation `by` administers."""
    queryset = User.objects.all() if queryset is None else queryset
    if by.is_superuser:
        return queryset
    administered = organisation_ids(by, administrator=True)
    members = Membership.objects.filter(organisation__in=administered).values("user_id")
    return queryset.filter(pk__in=members)


def may_manage(by: User, user: User) -> bool:
    """May `by` change `user`'s name, e-mail, activity and password?

    Only if every organisation `user` belongs to is one `by` administers: an
    administrator in Halmstad must not take over an account that also works for
    another municipality. Superusers are managed by superusers only.
    """
    if by.is_superuser:
        return True
    if user.is_superuser:
        return False
    theirs = set(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
    return bool(theirs) and theirs <= organisation_ids(by, administrator=True)
