"""Membership of the European Union, kept as data (not a model: it changes by treaty).

The 27 member states, ISO 3166-1 alpha-2, as of 2026-12-01 (after the United Kingdom
left on 2020-01-31). Update this set, with its date, when a state joins or leaves;
the public page's "inom och utanför EU" is written from it (register/wording.py).
"""

from __future__ import annotations

EU_MEMBER_STATES_AS_OF = "2026-12-01"
EU_MEMBER_STATES: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip


def in_eu(country: str) -> bool:
    return (country or "").upper() in EU_MEMBER_STATES
