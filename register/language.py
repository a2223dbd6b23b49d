"""The two languages Vänort writes in: which one is current, and babel's name for it.

Every face asks here rather than reading Django's active language itself, so that "sv"
and "en" (and the fallback to Swedish) are decided in one place.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.utils.translation import get_language

if TYPE_CHECKING:
    from babel import Locale

LANGS = ("sv", "en")
BABEL_LOCALES = {"sv": "sv_SE", "en": "en_GB"}


def current_lang() -> str:
    """The active language's two-letter code; Swedish when none is active."""
    return (get_language() or "sv")[:2]


def babel_locale(lang: str | None) -> str:
    """The babel (and Open Graph) locale for a language: sv -> sv_SE, en -> en_GB.
    Any other language is written the Swedish way."""
    return BABEL_LOCALES.get(lang or "", BABEL_LOCALES["sv"])


@lru_cache(maxsize=16)
def babel_locale_object(lang: str | None) -> Locale:
    """babel's Locale for a language, parsed once: given a name, babel parses it on every
    call, some forty times a page."""
    from babel import Locale

    return Locale.parse(babel_locale(lang))
