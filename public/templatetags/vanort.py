from django import template
from django.utils.translation import get_language

from register import hours
from register.imprecise import format_date
from register.wording import join

register = template.Library()


def _lang() -> str:
    return (get_language() or "sv")[:2]


@register.filter
def status_on(agreement, day):
    return agreement.status_on(day)


@register.filter
def edtf(text):
    return format_date(text, _lang())


@register.filter
def labels(items):
    """A list of vocabulary items as prose: 'utbildning, kultur och demokrati'."""
    return join([str(item.label) for item in items], _lang())


@register.filter
def opening_lines(text):
    return hours.describe(text, _lang())


@register.filter
def tel_href(phone):
    """'035-13 70 00' -> 'tel:+4635137000' (Swedish numbers, leading 0 -> +46)."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if digits.startswith("0"):
        digits = "+46" + digits[1:]
    return f"tel:{digits}"
