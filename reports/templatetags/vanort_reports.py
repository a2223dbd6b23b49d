"""Template helpers for the reports and the editor's start page."""

from __future__ import annotations

from django import template
from django.utils import timezone

from register.imprecise import format_date
from register.language import current_lang
from reports.feeds import organisations_of
from reports.reminders import due_for

register = template.Library()


@register.filter
def edtf(value: str) -> str:
    """An EDTF date written for people: '2010-10' -> 'oktober 2010'."""
    return format_date(value or "", current_lang())


@register.simple_tag
def upcoming_reminders(user):
    """What the user's organisations should hear about today, for the admin start page."""
    if not getattr(user, "is_authenticated", False):
        return []
    return due_for(organisations_of(user).select_related("place"), timezone.localdate())


@register.simple_tag
def reportable_organisations(user, limit: int = 20):
    """The user's organisations with last year, for links to their annual reports."""
    if not getattr(user, "is_authenticated", False):
        return []
    year = timezone.localdate().year - 1
    return [(org, year) for org in organisations_of(user).order_by("name_sv")[:limit]]
