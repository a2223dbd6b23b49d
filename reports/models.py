"""What the editors' desk remembers: reminders already sent, and calendar feed tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from register.models import Agreement, Organisation, Relation


class SentReminder(models.Model):
    """One reminder, recorded when it was e-mailed, so that it is never sent twice."""

    # "agreement:<id>:<window>:<end>" or "relation:<id>:quiet-since:<date>": the key says
    # what was reminded of; its uniqueness is what makes send-reminders idempotent.
    key = models.CharField(_("key"), max_length=120, unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sent_reminders"
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    relation = models.ForeignKey(
        Relation, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    window_days = models.PositiveSmallIntegerField(_("window (days)"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.TextField(_("recipients"), help_text=_("One address a line."))

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        ordering = ["-sent_at", "key"]

    def __str__(self) -> str:
        return self.key


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)

    def find(self, token: str):
        """The active token for this secret, or None. Only a hash is stored."""
        return self.active().select_related("user").filter(token_hash=hash_token(token)).first()


class CalendarToken(models.Model):
    """A secret feed address for an editor's deadline calendar; revoking it closes the feed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("e.g. “Outlook at work”")
    )
    # Only a hash is kept: the address is shown once, when the token is made.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = CalendarTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label or f"{self.user} {self.created_at:%Y-%m-%d}"

    @classmethod
    def issue(cls, user, label: str = "") -> tuple[CalendarToken, str]:
        """A new token and its secret; the secret is not stored and cannot be shown again."""
        secret = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, label=label, token_hash=hash_token(secret))
        return token, secret

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
