"""Who may edit which organisation's register: a role per user and organisation."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from register.models import Organisation


class Role(models.TextChoices):
    EDITOR = "editor", _("editor")  # changes the organisation's register
    ADMINISTRATOR = "administrator", _("administrator")  # also its users, rules, vocabularies


class MembershipQuerySet(models.QuerySet):
    def editors_of(self, organisation: Organisation):
        """Everyone who edits the organisation's register (administrators edit too)."""
        return self.filter(organisation=organisation, user__is_active=True)

    def administrators_of(self, organisation: Organisation):
        return self.editors_of(organisation).filter(role=Role.ADMINISTRATOR)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True, null=True)
    history = HistoricalRecords()  # who gave whom which role, and when

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_role_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"
