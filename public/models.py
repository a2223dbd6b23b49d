from django.db import models
from django.utils.translation import gettext_lazy as _

from register.models import Organisation


class AccessibilityFeedback(models.Model):
    """A visitor's report of an accessibility problem, sent from the accessibility statement.

    Kept here as well as e-mailed, so that no report is lost if the mail does not go out.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="accessibility_feedback"
    )
    page = models.CharField(_("page"), max_length=500, blank=True)
    message = models.TextField(_("message"), max_length=5000)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=8)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    mailed = models.BooleanField(_("e-mailed"), default=False)

    class Meta:
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.received_at:%Y-%m-%d %H:%M}"
