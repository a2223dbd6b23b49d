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


@register.simple_tag
def localized_text(obj, field: str, tag: str = "p", css: str = ""):
    """A content field in the reader's language; when it is missing, the Swedish (or
    English) text marked with its language and a visible note, never a silent switch.
    Written here, not in a template of its own: it is on every page a dozen times, and
    an inclusion tag's template cost more than the rest of the tag."""
    from django.utils.html import format_html

    value, lang = localized_with_language(obj, field, current_lang())
    if not value:
        return ""
    fallback = lang != current_lang()
    attributes = format_html(
        "{}{}",
        format_html(' class="{}"', css) if css else "",
        format_html(' lang="{}"', lang) if fallback else "",
    )
    if tag == "span":
        text = format_html("<span{}>{}</span>", attributes, value)
        note = _("only in Swedish") if lang == "sv" else _("only in English")
        return (
            format_html('{} <span class="fallback-note">({})</span>', text, note)
            if fallback
            else text
        )
    text = format_html("<p{}>{}</p>", attributes, value)
    if not fallback:
        return text
    note = (
        _("This text is only available in Swedish.")
        if lang == "sv"
        else _("This text is only available in English.")
    )
    return format_html('{}\n<p class="fallback-note">{}</p>', text, note)


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


# --- the page's sentences (register/prose.py) and its numbered sources -------------------


@register.filter
def agreement_text(agreement, day):
    """The agreement's term in the tense of its status on `day` (register/prose.py)."""
    from register.prose import agreement_sentence

    lang = current_lang()
    kind = agreement.kind.label_sv if lang == "sv" else agreement.kind.label_en
    return agreement_sentence(
        kind,
        lang,
        status=str(agreement.status_on(day)),
        start=agreement.start,
        end=agreement.effective_end,
        term_months=agreement.term_months,
        has_duration=agreement.kind.has_duration,
        ended_early=bool(agreement.ended_early_on),
    )


@register.filter
def activity_text(activity, page):
    """'I oktober 2010 hölls ett medborgarmöte med Asti kring … Ett 100-tal personer
    deltog, varav cirka 80 ungdomar.' (register/prose.py)."""
    from register.countries import preposition
    from register.imprecise import ImpreciseDate
    from register.prose import activity_sentence, participants_sentence

    lang = current_lang()
    kind = activity.kind.label_sv if lang == "sv" else activity.kind.label_en
    place = ""
    day = page.today
    if activity.host_country and activity.host_country != page.organisation.place.country:
        from register.models import country_name

        host = activity.host_country
        place = f"{preposition(host, lang)} {country_name(host, lang)}"
    try:
        upcoming = ImpreciseDate(activity.date).earliest > day
    except (TypeError, ValueError):
        upcoming = False
    sentence = activity_sentence(
        kind,
        activity.date,
        lang,
        partners=[rel.partner.display_name(lang) for rel in activity.relations.all()],
        place=place,
        themes=[str(theme.label) for theme in activity.themes.all()],
        upcoming=upcoming,
    )
    counted = participants_sentence(
        lang,
        activity.participants,
        activity.participants_approximate,
        activity.young_participants,
        activity.young_participants_approximate,
    )
    return f"{sentence} {counted}".strip()


@register.filter
def has_details(agreement) -> bool:
    return pages.has_details(agreement)


@register.simple_tag
def cite(page, sources, within=()):
    """Superscript links to the page's numbered sources ("[1]"), each source numbered
    once (public.pages.References); those `within` already cites are left out."""
    from django.utils.html import format_html, format_html_join

    numbers = page.references.cite(list(sources), within=list(within))
    if not numbers:
        return ""
    label = _("Source")
    return format_html(
        '<sup class="citation">{}</sup>',
        format_html_join(
            "",
            '<a href="#source-{}"><span class="visually-hidden">{} </span>[{}]</a>',
            ((number, label, number) for number, _source in numbers),
        ),
    )


@register.simple_tag
def partner_links(page, relations):
    """'Gentofte, Hangö och Stord', each a link to its partner page."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    slug = page.organisation.slug
    links = [
        format_html(
            '<a href="{}">{}</a>',
            reverse("public:partner", args=[slug, pages.partner_slug(rel.partner)]),
            rel.partner.display_name(),
        )
        for rel in relations
    ]
    return mark_safe(join(links, current_lang()))  # each part escaped by format_html


@register.filter
def map_description(page) -> str:
    return pages.map_texts(page.organisation, page.relations, current_lang(), page.map_places)[1]


@register.filter
def long_date(day) -> str:
    """A day as the page writes it: '1 november 2026', '1 November 2026'."""
    return format_date(day.isoformat(), current_lang()) if day else ""


@register.filter
def shown_agreements(section, relation):
    return section.shown_agreements(relation)


@register.filter
def tie_sentence(relation, page) -> str:
    """The relation in one sentence (register/prose.py), as the overview's section has it."""
    from register.models import localized
    from register.prose import ties_of, ties_sentence

    lang = current_lang()
    name = localized(page.organisation, "name", lang)
    return ties_sentence(name, ties_of(relation, lang, page.today), lang)
