"""Who may edit which organisation's register: a role per user and organisation."""

import simple_history
from django.conf import settings
from django.contrib.auth.models import User
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


# --- users: who changed a user, and when (django-simple-history) ----------------------------


class UserHistory(HistoricalRecords):
    """The auth user's history. Not its password hash (an old hash kept in the history
    could still be cracked), and a sign-in, which only stamps `last_login`, is no change.

    A save through a proxy (StaffUser, in the admin) signals as the proxy, not as User;
    the history follows every proxy of the user model as well.
    """

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            models.signals.class_prepared.connect(self.follow_proxy, weak=False)

    def follow_proxy(self, sender, **kwargs):
        if not (sender._meta.proxy and issubclass(sender, self.cls)):
            return
        models.signals.post_save.connect(self.post_save, sender=sender, weak=False)
        models.signals.pre_delete.connect(self.pre_delete, sender=sender, weak=False)
        models.signals.post_delete.connect(self.post_delete, sender=sender, weak=False)
        sender._meta.simple_history_manager_attribute = self.manager_name

    def post_save(self, instance, created, using=None, **kwargs):
        if kwargs.get("update_fields") == frozenset({"last_login"}):
            return
        super().post_save(instance, created, using=using, **kwargs)


simple_history.register(
    User, app="accounts", records_class=UserHistory, excluded_fields=["password", "last_login"]
)


class StaffUser(User):
    """A user as an organisation's administrator manages them in the admin (accounts/admin.py):
    names, e-mail, active or not, a new password; never superuser status or permissions."""

    class Meta:
        proxy = True
        verbose_name = _("user")
        verbose_name_plural = _("users")
