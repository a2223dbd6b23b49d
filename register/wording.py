"""Sentences written from the register's data, for every face that needs them.

The governance paragraph is written from an organisation's rules, so changing a rule
changes the sentence; lists are joined the language's way ("a, b och c").
"""

from __future__ import annotations

from babel.lists import format_list
from django.utils import translation

from register.language import LANGS, babel_locale
from register.models import DecidingBody, Organisation


def join(items: list[str], lang: str) -> str:
    return format_list(list(items), locale=babel_locale(lang)) if items else ""


def governance_sentence(organisation: Organisation, lang: str) -> str:
    """'I Halmstads kommun är det kommunfullmäktige som beslutar om vänortsavtal medan …'"""
    clauses = []
    for body, kinds in organisation.rules_by_body():
        plurals = [
            (kind.plural_sv or kind.label_sv) if lang == "sv" else (kind.plural_en or kind.label_en)
            for kind in kinds
        ]
        clauses.append((body_name(body, lang), join(plurals, lang)))
    if not clauses:
        return ""
    name = organisation.name_sv if lang == "sv" else (organisation.name_en or organisation.name_sv)
    (first_body, first_kinds), rest = clauses[0], clauses[1:]
    if lang == "sv":
        sentence = f"I {name} är det {first_body} som beslutar om {first_kinds}"
        others = [f"{body} beslutar om {kinds}" for body, kinds in rest]
        return sentence + (f" medan {join(others, lang)}" if others else "") + "."
    sentence = f"In {name}, the {first_body} decides on {first_kinds}"
    others = [f"the {body} decides on {kinds}" for body, kinds in rest]
    return sentence + (f", while {join(others, lang)}" if others else "") + "."


def body_name(body: str, lang: str) -> str:
    """The deciding body's name as a sentence uses it ("kommunfullmäktige" / "municipal
    council"): DecidingBody's own label, in `lang`."""
    with translation.override(lang if lang in LANGS else "sv"):
        return str(DecidingBody(str(body)).label)
