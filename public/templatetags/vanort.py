import re

from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils.translation import gettext as _

from public import pages
from register import hours
from register.imprecise import format_date
from register.language import LANGS, babel_locale, current_lang
from register.models import localized_with_language
from register.wording import join

register = template.Library()


@register.filter
def status_on(agreement, day):
    return agreement.status_on(day)


@register.filter
def edtf(text):
    return format_date(text, current_lang())


@register.filter
def edtf_datetime(text):
    """A machine-readable date for <time datetime>, where the EDTF date is a plain one
    ('2010-10'); '' for uncertain or approximate dates, which HTML cannot express."""
    return text if text and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text) else ""


@register.filter
def labels(items):
    """A list of vocabulary items as prose: 'utbildning, kultur och demokrati'."""
    return join([str(item.label) for item in items], current_lang())


@register.filter
def opening_lines(text):
    return hours.describe(text, current_lang())


@register.filter
def tel_href(phone):
    """'035-13 70 00' -> 'tel:+4635137000' (Swedish numbers, leading 0 -> +46)."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if digits.startswith("0"):
        digits = "+46" + digits[1:]
    return f"tel:{digits}"


@register.inclusion_tag("public/localized.html")
def localized_text(obj, field: str, tag: str = "p", css: str = ""):
    """A content field in the reader's language; when it is missing, the Swedish (or
    English) text marked with its language and a visible note, never a silent switch."""
    value, lang = localized_with_language(obj, field, current_lang())
    return {
        "value": value,
        "lang": lang,
        "is_fallback": bool(value) and lang != current_lang(),
        "tag": tag,
        "css": css,
    }


@register.simple_tag(takes_context=True)
def alternate_languages(context):
    """This page in each language: [(code, name in that language, absolute URL)]."""
    request = context["request"]
    links = []
    for code, _name in settings.LANGUAGES:
        path = translate_url(request.path, code)
        links.append((code, LANGUAGE_NAMES[code], request.build_absolute_uri(path), path))
    return links


LANGUAGE_NAMES = {"sv": "Svenska", "en": "English"}


@register.filter
def partner_slug(place):
    return pages.partner_slug(place)


@register.filter
def og_locale(code):
    return babel_locale(code) if code in LANGS else code


@register.filter
def in_country(place) -> str:
    """'i Danmark', 'på Island', 'in Iceland': the place's country with its preposition."""
    from register.countries import preposition

    lang = current_lang()
    return f"{preposition(place.country, lang)} {place.country_name(lang)}"


@register.filter
def phone_display(phone: str) -> str:
    """The number as the page's readers dial it: '035-13 70 00' on the Swedish page,
    '+46 35 13 70 00' (libphonenumber's international format) on the English one."""
    import phonenumbers

    if current_lang() == "sv" or not phone:
        return phone
    try:
        number = phonenumbers.parse(phone, "SE")
    except phonenumbers.NumberParseException:
        return phone
    if not phonenumbers.is_possible_number(number):
        return phone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@register.inclusion_tag("public/open_data.html")
def open_data(organisation):
    """The visible "Open data" section: every format the page's <head> advertises
    (opendata.discovery.alternates), the JSON-LD, the register format and the API docs."""
    from opendata.discovery import alternates

    slug = organisation.slug
    links = [(link.title, link.href, link.media_type) for link in alternates(slug)]
    links += [
        (
            _("The organisation as linked data (JSON-LD)"),
            reverse("api:organisation_jsonld", kwargs={"slug": slug}),
            "application/ld+json",
        ),
        (
            _("The whole register in Vänort's format (JSON)"),
            reverse("api:register_json", kwargs={"slug": slug}),
            "application/json",
        ),
        # The datasets described for harvesting (dataportal.se), as the <head> links it.
        (_("Data catalogue (DCAT-AP-SE)"), reverse("dcat"), "application/rdf+xml"),
    ]
    return {"links": links, "api_docs": reverse("api:openapi-view")}
