from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def status_label(status: str) -> str:
    return {
        "active": _("in force"),
        "ended": _("ended"),
        "upcoming": _("upcoming"),
        "none": _("no agreement recorded"),
    }.get(status, "")


@register.filter
def percent_of(value: int, top: int) -> int:
    return round(100 * value / top) if top else 0


@register.simple_tag
def select(field):
    """A <select> for a bound ChoiceField, written at once (hundreds of options: the
    widget templates would render each one as a template of its own)."""
    from html import escape

    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    value = field.value()
    value = "" if value is None else str(value)
    options = "".join(  # the standard library's escape: Django's costs 30 µs a value
        f'<option value="{escape(str(key))}"{" selected" if str(key) == value else ""}>'
        f"{escape(str(label))}</option>"
        for key, label in field.field.choices
    )
    return format_html(
        '<select name="{}" id="{}">{}</select>',
        field.html_name,
        field.id_for_label,
        mark_safe(options),  # noqa: S308  (every part escaped above)
    )


@register.filter
def country(code: str) -> str:
    """IT -> Italien / Italy, in the reader's language."""
    from register.models import country_name

    return country_name(code)


@register.filter
def inhabitants(n) -> str:
    """95000 -> '95 000' (Swedish) / '95,000' (English)."""
    from national.matching import number
    from register.language import current_lang

    return number(int(n), current_lang())
