"""Checks of values that come from outside (importers, forms, the API), in the domain so
that every face gets the same refusal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# The longest URL any of the register's URL fields stores (Source.url, ReportedPair's).
URL_MAX_LENGTH = 500
SCHEMES = ("http", "https")

_valid_url = URLValidator(schemes=list(SCHEMES))


def outside_url(value: str, max_length: int = URL_MAX_LENGTH) -> str:
    """`value` if it is an http:// or https:// address of at most `max_length` characters;
    otherwise ValidationError, naming the rule. An empty value is no URL and passes (the
    fields are optional). `javascript:`, `data:`, `file:` and the like are refused, so
    that nothing the register links to runs in a reader's browser."""
    if value in (None, ""):
        return value
    if not isinstance(value, str):
        raise ValidationError(_("A URL must be text."), code="invalid_url")
    if len(value) > max_length:
        raise ValidationError(
            _("A URL may have at most %(max)d characters (this one has %(length)d)."),
            code="url_too_long",
            params={"max": max_length, "length": len(value)},
        )
    scheme = value.split(":", 1)[0].strip().lower() if ":" in value else ""
    if scheme not in SCHEMES:
        raise ValidationError(
            _("Only http:// and https:// addresses are allowed, not “%(scheme)s:”."),
            code="url_scheme",
            params={"scheme": scheme or value[:20]},
        )
    _valid_url(value)
    return value


class OutsideURLValidator:
    """outside_url as a field validator, with the field's own max_length."""

    def __init__(self, max_length: int = URL_MAX_LENGTH):
        self.max_length = max_length

    def __call__(self, value) -> None:
        outside_url(value, self.max_length)

    def __eq__(self, other) -> bool:
        return isinstance(other, OutsideURLValidator) and other.max_length == self.max_length


class OutsideURLField(models.URLField):
    """A URLField whose values are checked by outside_url (http and https only, at most
    max_length characters). Its validator is a default one, so migrations see a plain
    URLField and none is needed for it."""

    @property
    def default_validators(self):
        return [OutsideURLValidator(self.max_length or URL_MAX_LENGTH)]

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.URLField", args, kwargs
