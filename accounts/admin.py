"""The users of an organisation, managed by its administrators in the admin.

An administrator of an organisation creates a staff user with a role in it (one
transaction: the user and the membership, or nothing), and changes the name, e-mail,
activity and password of users who work for the organisations they administer and for
no other. Superuser status, staff status, groups and permissions are never offered
here: the installation's superuser keeps the stock user admin for those. Users are not
deleted here but deactivated, so their history and the register's history stay whole.
Editors and users without an organisation do not see this module at all.

Memberships (who has which role in which organisation) are managed the same way: by the
organisation's administrators, for their organisations only. Both forms refuse to save
over values changed since they were shown (editing/forms.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import SetPasswordMixin, UserCreationForm
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Membership, Role, StaffUser
from accounts.roles import may_administer, organisation_ids
from accounts.users import enrol, managed_users, may_manage
from editing.base import FilterLookupsOnly, ScopedChoicesMixin, ScopedMixin, key_or_404
from editing.forms import UnchangedSinceShownForm
from register.models import Organisation

NOT_DELETED = _(
    "Users are not deleted here: untick to stop this user signing in. Their roles, "
    "and the history of what they changed, stay."
)


class StaffUserCreationForm(UserCreationForm):
    """A new staff user with a role in one of the organisations the creator administers."""

    organisations = Organisation.objects.none()  # set per request by StaffUserAdmin.get_form

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("organisation")
    )
    role = forms.ChoiceField(
        choices=Role.choices,
        initial=Role.EDITOR,
        label=_("role"),
        help_text=_(
            "An editor changes the organisation's register; an administrator also its "
            "users, rules and vocabularies."
        ),
    )

    class Meta(UserCreationForm.Meta):
        model = StaffUser
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = self.organisations
        self.fields["email"].required = True
        self.fields["email"].help_text = _("Where the user is reached, reminders included.")

    def clean_username(self):
        username = self.cleaned_data.get("username")
        if username and User.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                _(
                    "A user named “%(username)s” exists already. Give that user a role "
                    "in your organisation under Memberships instead of creating it again."
                ),
                code="exists",
                params={"username": username},
            )
        return username


class StaffUserChangeForm(SetPasswordMixin, UnchangedSinceShownForm):
    """Name, e-mail, active or not, and optionally a new password (typed twice)."""

    new_password1, new_password2 = SetPasswordMixin.create_password_fields(
        label1=_("New password"), label2=_("New password (again)")
    )

    changed_by_pk: int | None = None  # set per request by StaffUserAdmin.get_form

    class Meta:
        model = StaffUser
        fields = ["first_name", "last_name", "email", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("new_password1", "new_password2"):
            if name in self.fields:
                self.fields[name].required = False
        if "new_password1" in self.fields:
            self.fields["new_password1"].help_text = format_lazy(
                "{} {}",
                _("Leave both empty to keep the current password."),
                self.fields["new_password1"].help_text,  # the validators' rules, as HTML
            )
        if "is_active" in self.fields:
            self.fields["is_active"].help_text = NOT_DELETED

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and not second and "new_password2" not in self.errors:
            self.add_error("new_password2", _("Type the new password again."))
        if second and not first and "new_password1" not in self.errors:
            self.add_error("new_password1", _("Type the new password here as well."))
        self.validate_passwords("new_password1", "new_password2")
        if cleaned.get("is_active") is False and self.instance.pk == self.changed_by_pk:
            # Nobody would be left to undo it, if they are the organisation's only one.
            self.add_error(
                "is_active",
                _("You cannot deactivate yourself: ask another administrator to do it."),
            )
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        # After the instance has the new names: the similarity check compares with them.
        self.validate_password_for_user(self.instance, "new_password2")

    @property
    def sets_password(self) -> bool:
        return bool(self.cleaned_data.get("new_password1"))

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.sets_password:
            user.set_password(self.cleaned_data["new_password1"])
        if commit:
            user.save()
        return user


@admin.register(StaffUser)
class StaffUserAdmin(FilterLookupsOnly, SimpleHistoryAdmin):
    list_display = ["username", "full_name", "email", "roles", "is_active", "last_login"]
    list_filter = ["is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    form = StaffUserChangeForm
    add_form = StaffUserCreationForm
    readonly_fields = ["roles", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "roles", "seen_values"]}),
        (_("Personal details"), {"fields": ["first_name", "last_name", "email", "is_active"]}),
        (_("New password"), {"fields": ["new_password1", "new_password2"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "first_name", "last_name", "email"]}),
        (_("Password"), {"fields": ["password1", "password2"]}),
        (_("Role"), {"fields": ["organisation", "role"]}),
    ]
    history_list_display = ["is_active", "email"]

    # -- who sees what: administrators of an organisation, and superusers --

    @staticmethod
    def administered(request) -> set[int]:
        return organisation_ids(request.user, administrator=True)

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(self.administered(request))

    def has_view_permission(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return self.has_module_permission(request)
        return managed_users(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return self.has_module_permission(request) and may_manage(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # everyone else deactivates (NOT_DELETED)

    def get_queryset(self, request):
        if not self.has_module_permission(request):
            return StaffUser.objects.none()
        visible = Membership.objects.select_related("organisation").order_by("organisation")
        if not request.user.is_superuser:
            visible = visible.filter(organisation__in=self.administered(request))
        users = managed_users(request.user, super().get_queryset(request))
        return users.annotate(membership_count=Count("memberships")).prefetch_related(
            Prefetch("memberships", queryset=visible, to_attr="visible_memberships")
        )

    # -- the forms --

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if not self.has_change_permission(request, obj):  # shown read-only: nothing to send
            return [
                (title, {"fields": [name for name in opts["fields"] if name != "seen_values"]})
                for title, opts in self.fieldsets
                if "new_password1" not in opts["fields"]
            ]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else [*self.readonly_fields, "username"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            organisations = Organisation.objects.order_by("name_sv")
            if not request.user.is_superuser:
                organisations = organisations.filter(pk__in=self.administered(request))
            return type(form.__name__, (form,), {"organisations": organisations})
        return type(form.__name__, (form,), {"changed_by_pk": request.user.pk})

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        if change:
            if form.sets_password:
                obj._change_reason = gettext("new password set")
            obj.save()
            if form.sets_password and obj.pk == request.user.pk:
                update_session_auth_hash(request, obj)  # stay signed in with the new one
            return
        # The admin's add view runs in a transaction; enrol's own one nests in it.
        obj.is_superuser = False
        enrol(obj, form.cleaned_data["organisation"], form.cleaned_data["role"])

    # -- columns and read-only fields --

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description=_("roles"))
    def roles(self, user):
        memberships = getattr(user, "visible_memberships", None)
        if memberships is None:  # a user read from its history
            return "–"
        listed = format_html_join(
            ", ",
            "{} ({})",
            ((m.organisation, m.get_role_display()) for m in memberships),
        )
        hidden = getattr(user, "membership_count", len(memberships)) - len(memberships)
        if hidden:
            listed = format_html(
                "{}{}{}", listed, "; " if memberships else "", _("also in another organisation")
            )
        link = reverse("admin:accounts_membership_changelist") + f"?user__id__exact={user.pk}"
        return format_html('{} · <a href="{}">{}</a>', listed or "–", link, _("memberships"))

    # -- history: read only, and only of the users this administrator sees --

    def revert_disabled(self, request, obj=None):
        return True  # a user's old state would bring back old rights; change it instead

    def visible_or_404(self, request, object_id) -> None:
        if not self.has_module_permission(request):
            raise PermissionDenied
        if not (
            str(object_id).isdigit() and self.get_queryset(request).filter(pk=object_id).exists()
        ):
            raise Http404  # another organisation's user does not exist for this one

    def history_view(self, request, object_id, extra_context=None):
        self.visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.visible_or_404(request, object_id)
        key_or_404(self.model.history.model, version_id)
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Membership)
class MembershipAdmin(ScopedMixin, ScopedChoicesMixin, SimpleHistoryAdmin):
    """An organisation's administrators manage its users' roles."""

    list_display = ["member", "organisation", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email"]
    form = UnchangedSinceShownForm
    fields = ["user", "organisation", "role", "seen_values"]
    administrators_only = True
    extra_lookups = frozenset({"user__id__exact"})  # the users' list links a user's roles

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def has_module_permission(self, request):
        return request.user.is_superuser or bool(organisation_ids(request.user, administrator=True))

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return self.has_module_permission(request)
        return may_administer(request.user, obj.organisation_id)

    @admin.display(description=_("user"), ordering="user__username")
    def member(self, membership):
        return membership.user  # the field's own name is "user", in English only

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user":
            field.label = _("User")
        if db_field.name == "organisation" and not request.user.is_superuser:
            field.queryset = field.queryset.filter(
                pk__in=organisation_ids(request.user, administrator=True)
            )
        if db_field.name == "user" and not request.user.is_superuser:
            # Colleagues, and staff users who belong to no organisation yet.
            orgs = organisation_ids(request.user, administrator=True)
            field.queryset = field.queryset.filter(
                Q(memberships__organisation__in=orgs)
                | Q(memberships__isnull=True, is_staff=True, is_superuser=False)
            ).distinct()
        return field
