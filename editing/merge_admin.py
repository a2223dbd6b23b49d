"""The admin's face of merging places (register/merge.py does the work).

On the place list, "Merge two places" takes the two selected places to a confirmation
page: for each choice of the place to keep, what would move (relations, names, sources,
reported pairs) or why it is refused, worked out by doing the merge and rolling it back.
Merges are listed under "Merges of places", where "Undo merge" brings the removed place
back. Only superusers and users with the permission register.merge_place merge or undo.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from register.merge import MergeReport, merge_places, refusal, undo_merge
from register.models import Place, PlaceMerge


def may_merge(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("register.merge_place"))


class _Rollback(Exception):
    pass


def preview(keep: Place, remove: Place) -> MergeReport | ValidationError:
    """What merging `remove` into `keep` would do, done and rolled back; or the refusal."""
    refused = refusal(keep, remove)
    if refused is not None:
        return refused
    try:
        with transaction.atomic():
            report = merge_places(keep, remove)
            raise _Rollback(report)
    except _Rollback as done:
        return done.args[0]
    except ValidationError as refused:
        return refused


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


@admin.action(description=_("Merge two places"), permissions=["merge"])
def merge_two_places(modeladmin, request, queryset):
    places = list(queryset.order_by("pk")[:3])
    if len(places) != 2:
        modeladmin.message_user(
            request, gettext("Choose exactly two places to merge."), messages.ERROR
        )
        return None
    if request.POST.get("confirm") == "yes":
        keep = next((p for p in places if str(p.pk) == request.POST.get("keep")), None)
        if keep is None:
            modeladmin.message_user(request, gettext("Choose the place to keep."), messages.ERROR)
            return None
        remove = places[1] if keep is places[0] else places[0]
        try:
            report = merge_places(keep, remove, by=request.user)
        except ValidationError as refused:
            modeladmin.message_user(request, _messages(refused), messages.ERROR)
            return None
        modeladmin.message_user(
            request,
            gettext("Merged %(removed)s into %(kept)s. It can be undone under Merges of places.")
            % {"removed": report.merge.removed_name, "kept": keep},
            messages.SUCCESS,
        )
        return redirect(reverse("admin:register_place_change", args=[keep.pk]))
    choices = []
    for keep, remove in ((places[0], places[1]), (places[1], places[0])):
        outcome = preview(keep, remove)
        refused = isinstance(outcome, ValidationError)
        choices.append(
            {
                "keep": keep,
                "remove": remove,
                "refused": _messages(outcome) if refused else "",
                "report": None if refused else outcome,
                "pairs": None if refused else outcome.others.get("reported_pairs"),
            }
        )
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": gettext("Merge two places"),
        "places": places,
        "choices": choices,
        "action": request.POST.get("action", "merge_two_places"),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/register/place/merge.html", context)


class PlaceMergeMixin:
    """For PlaceAdmin: the merge action, for those who may merge."""

    def has_merge_permission(self, request) -> bool:
        return may_merge(request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if may_merge(request.user):
            actions["merge_two_places"] = self.get_action(merge_two_places)
        return actions


@admin.action(description=_("Undo merge"), permissions=["merge"])
def undo_merges(modeladmin, request, queryset):
    for merge in queryset.order_by("-merged_at"):
        try:
            place = undo_merge(merge, by=request.user)
        except ValidationError as refused:
            modeladmin.message_user(request, f"{merge}: {_messages(refused)}", messages.ERROR)
            continue
        modeladmin.message_user(
            request,
            gettext("Merge undone: %(place)s is back, with what moved.") % {"place": place},
            messages.SUCCESS,
        )


@admin.register(PlaceMerge)
class PlaceMergeAdmin(admin.ModelAdmin):
    list_display = ["removed_name", "kept", "merged_by", "merged_at", "undone_at"]
    readonly_fields = [
        "kept",
        "removed_id",
        "removed_name",
        "merged_by",
        "merged_at",
        "moved",
        "undone_at",
    ]
    actions = [undo_merges]

    def has_merge_permission(self, request) -> bool:
        return may_merge(request.user)

    def has_module_permission(self, request):
        return may_merge(request.user)

    def has_view_permission(self, request, obj=None):
        return may_merge(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
