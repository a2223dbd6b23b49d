"""How Swedish says where a place lies: "i Danmark", but "på Island".

Kept as data: island countries take "på" in Swedish (Språkrådet's usage; "på Irland"
and "i Irland" are both written, "på Irland" is the commoner). Every other country
takes "i". English always says "in".
"""

from __future__ import annotations

# ISO 3166-1 alpha-2 codes of the countries written with "på" in Swedish.
PA_COUNTRIES = frozenset(
    {
        "IS",  # på Island
        "CY",  # på Cypern
        "MT",  # på Malta
        "IE",  # på Irland (also "i Irland")
        "LK",  # på Sri Lanka
        "CU",  # på Kuba
        "JM",  # på Jamaica
        "MG",  # på Madagaskar
        "NZ",  # på Nya Zeeland
        "FO",  # på Färöarna
        "GL",  # på Grönland
        "MU",  # på Mauritius
        "TT",  # på Trinidad och Tobago
        "BS",  # på Bahamas
        "BB",  # på Barbados
        "CV",  # på Kap Verde
        "SC",  # på Seychellerna
        "MV",  # på Maldiverna
        "FJ",  # på Fiji
        "PH",  # på Filippinerna
    }
)


def preposition(country_code: str, lang: str) -> str:
    """The preposition before a country's name: 'på' for Iceland in Swedish, else 'i'/'in'."""
    if lang != "sv":
        return "in"
    return "på" if (country_code or "").upper() in PA_COUNTRIES else "i"
