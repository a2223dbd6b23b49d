"""Publishing in the admin: an action on the lists and a button on the change page.

What publishing means, and the governance rule it checks, is the domain's
(register/publishing.py); this face asks it, words the refusal and records nothing itself.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from editing.base import RegisterAdmin
from register import publishing


def refusal(record, error: ValidationError) -> str:
    """'Not published: “…”: Decision: A published …' with the field's name."""
    parts = []
    for field, errors in error.message_dict.items():
        try:
            label = str(type(record)._meta.get_field(field).verbose_name)
        except Exception:  # noqa: BLE001 - a rule on no field of its own
            label = ""
        for message in errors:
            parts.append(f"{label[:1].upper()}{label[1:]}: {message}" if label else message)
    return gettext("Not published: “%(record)s”. %(reasons)s") % {
        "record": record,
        "reasons": " ".join(parts),
    }


class PublishingMixin:
    """Publish and withdraw, from the list (actions) and the change page (a button)."""

    actions = [*RegisterAdmin.actions, "publish_selected", "withdraw_selected"]
    change_form_template = "admin/register/publishing_change_form.html"

    @admin.action(description=_("Publish the selected records"))
    def publish_selected(self, request, queryset):
        done = 0
        for record in queryset:
            if not self.may_change(request, record):
                continue
            try:
                publishing.publish(record)
            except ValidationError as error:
                self.message_user(request, refusal(record, error), messages.ERROR)
                continue
            done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d record published.", "%(count)d records published.", done)
                % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Withdraw the selected records (make them drafts)"))
    def withdraw_selected(self, request, queryset):
        done = 0
        for record in queryset:
            if self.may_change(request, record) and record.is_published:
                publishing.withdraw(record)
                done += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d record withdrawn: it is a draft again.",
                "%(count)d records withdrawn: they are drafts again.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        own = [
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(require_POST(self.publish_view)),
                name="{}_{}_publish".format(*info),
            ),
        ]
        return own + super().get_urls()

    def publish_view(self, request, object_id):
        record = self.get_object(request, object_id)
        if record is None:
            raise Http404
        if not self.may_change(request, record):
            raise PermissionDenied
        withdrawing = request.POST.get("withdraw") == "1"
        if withdrawing:
            publishing.withdraw(record)
            self.message_user(
                request,
                gettext("“%(record)s” is withdrawn: it is a draft again.") % {"record": record},
                messages.SUCCESS,
            )
        else:
            try:
                publishing.publish(record)
            except ValidationError as error:
                self.message_user(request, refusal(record, error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("“%(record)s” is published.") % {"record": record},
                    messages.SUCCESS,
                )
        info = self.model._meta.app_label, self.model._meta.model_name
        return redirect("admin:{}_{}_change".format(*info), record.pk)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        info = self.model._meta.app_label, self.model._meta.model_name
        context["publish_url_name"] = "admin:{}_{}_publish".format(*info)
        context["may_publish"] = obj is not None and self.may_change(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)
