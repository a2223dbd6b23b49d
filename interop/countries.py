"""Country names written as free text ("England, United Kingdom", "Georgia (country)")
mapped to ISO 3166-1 alpha-2 codes, with the part before the comma kept as a region.
"""

from __future__ import annotations

from dataclasses import dataclass

# Names pycountry does not know: short English names, constituent countries, and the
# misspellings found in Wikipedia's lists. Each one was checked by hand.
ALIASES = {
    "russia": "RU",
    "turkey": "TR",
    "republic of ireland": "IE",
    "palestine": "PS",
    "west bank": "PS",
    "georgia (country)": "GE",
    "cape verde": "CV",
    "ivory coast": "CI",
    "são tomé and príncipe": "ST",
    "democratic republic of the congo": "CD",
    "moldavia": "MD",
    "falkland islands": "FK",
    "east timor": "TL",
    "bosnia and hercegovina": "BA",
    "surinam": "SR",
    "brunei": "BN",
    "madagaskar": "MG",
    "grece": "GR",
    "kazakhstah": "KZ",
    "island": "IS",  # Icelandic/Scandinavian name of Iceland
    "micronesia": "FM",
    "in italy": "IT",
    "kosovo": "XK",  # user-assigned code used by the EU and Wikidata
    "united states": "US",
    "united kingdom": "GB",
    "south korea": "KR",
    "north korea": "KP",
    "vietnam": "VN",
    "laos": "LA",
    "syria": "SY",
    "iran": "IR",
    "taiwan": "TW",
    "venezuela": "VE",
    "bolivia": "BO",
    "tanzania": "TZ",
    "czech republic": "CZ",
}
# Parts of a country written as if they were one: the name becomes the region.
CONSTITUENT = {
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
}
# Names that denote no ISO 3166-1 country: refused with this reason rather than guessed.
NOT_A_COUNTRY = {
    "northern cyprus": "Northern Cyprus has no ISO 3166-1 code",
}


class UnknownCountry(ValueError):
    pass


@dataclass(frozen=True)
class Country:
    code: str
    region: str = ""


def code_for(name: str) -> str:
    key = " ".join(name.split()).casefold()
    if not key:
        raise UnknownCountry("the country is empty")
    if key in NOT_A_COUNTRY:
        raise UnknownCountry(NOT_A_COUNTRY[key])
    if key in ALIASES:
        return ALIASES[key]
    if key in CONSTITUENT:
        return CONSTITUENT[key]
    import pycountry  # here: loading its data takes a moment

    try:
        return pycountry.countries.lookup(key).alpha_2
    except LookupError:
        raise UnknownCountry(f"“{name}” is not a country name we know") from None


def parse_country(text: str) -> Country:
    """'England, United Kingdom' -> GB, England; 'Martinique, France' -> FR, Martinique."""
    text = " ".join(text.split())
    region, _, country = text.rpartition(",")
    region, country = region.strip(), country.strip()
    code = code_for(country)
    key = country.casefold()
    if not region and key in CONSTITUENT:
        region = country
    return Country(code, region)
