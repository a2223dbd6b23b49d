"""What the management commands share: finding the organisation a command names."""

from __future__ import annotations

from django.core.management.base import CommandError

from register.models import Organisation


def organisation_from_slug(slug: str, option: str = "") -> Organisation:
    """The organisation with `slug` (its place loaded too), or a CommandError that says
    which slugs there are; `option` ("--organisation") starts the message when given."""
    organisation = Organisation.objects.select_related("place").filter(slug=slug).first()
    if organisation is None:
        known = ", ".join(Organisation.objects.order_by("slug").values_list("slug", flat=True))
        message = f"no organisation with the slug “{slug}” (known: {known or 'none yet'})."
        raise CommandError(f"{option}: {message}" if option else message[:1].upper() + message[1:])
    return organisation
