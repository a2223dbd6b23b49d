from django import forms
from django.utils.translation import gettext_lazy as _

from public.models import AccessibilityFeedback


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = AccessibilityFeedback
        fields = ["page", "message", "name", "email"]
        labels = {
            "page": _("Which page or part of a page is it about? (optional)"),
            "message": _("Describe the problem"),
            "name": _("Your name (optional)"),
            "email": _("Your e-mail address, if you want an answer (optional)"),
        }
        help_texts = {
            "email": _("We use it only to answer you."),
        }
        widgets = {
            "message": forms.Textarea(attrs={"rows": 6}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        error_messages = {
            "message": {"required": _("Describe the problem, so that we can fix it.")},
            "email": {"invalid": _("Enter an e-mail address like name@example.se.")},
        }
