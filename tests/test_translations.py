"""Every interface string has its Swedish translation, and the compiled catalogue is the
one the .po file describes (a string added but not translated fails here)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}|<slug:\w+>")


def catalogue(lang: str):
    with open(LOCALE / lang / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po, locale=lang)


def strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def ids(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


def test_every_interface_string_has_a_swedish_translation():
    untranslated = [
        ids(message)[0]
        for message in catalogue("sv")
        if message.id and (message.fuzzy or not all(strings(message)))
    ]
    assert not untranslated, f"{len(untranslated)} untranslated in locale/sv: {untranslated}"


def test_translations_use_no_placeholder_the_original_lacks():
    """A placeholder the code does not fill would break the page (a plural form may drop
    one: 'en aktivitet')."""
    wrong = []
    for message in catalogue("sv"):
        if not message.id or not all(strings(message)):
            continue
        known = set(PLACEHOLDER.findall(" ".join(ids(message))))
        for text in strings(message):
            if not set(PLACEHOLDER.findall(text)) <= known:
                wrong.append((ids(message)[0], text))
    assert not wrong, wrong


def test_the_compiled_catalogues_match_the_po_files(tmp_path):
    for lang in ("sv", "en"):
        po = LOCALE / lang / "LC_MESSAGES" / "django.po"
        fresh = tmp_path / f"{lang}.mo"
        subprocess.run(["msgfmt", "--check-format", "-o", fresh, po], check=True)
        with open(fresh, "rb") as a, open(po.with_suffix(".mo"), "rb") as b:
            compiled, committed = read_mo(a), read_mo(b)
        assert as_dict(compiled) == as_dict(committed), (
            f"locale/{lang}: run `make messages` (compilemessages) again"
        )


def as_dict(catalog) -> dict:
    return {tuple(ids(m)): tuple(strings(m)) for m in catalog if m.id}
