"""Sweden's 21 counties (län) and the 290 municipalities in them.

A place's county is read from its region when that names a county ("Hallands län",
"Halland", "SE-N"); otherwise from the municipality's name (Halmstad -> Hallands län),
the way the Wikipedia lists name Swedish places. Kept as data here, not in the
register's models: a county follows from the municipality and never needs typing in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class County:
    code: str  # ISO 3166-2 without "SE-": N for Hallands län
    name_sv: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_sv if lang == "sv" else self.name_en


# code, Swedish name, English name, municipalities (by the name of the municipality)
_COUNTIES = [
    ("AB", "Stockholms län", "Stockholm County",
     "Botkyrka Danderyd Ekerö Haninge Huddinge Järfälla Lidingö Nacka Norrtälje Nykvarn "
     "Nynäshamn Salem Sigtuna Sollentuna Solna Stockholm Sundbyberg Södertälje Tyresö Täby "
     "Upplands-Bro Upplands_Väsby Vallentuna Vaxholm Värmdö Österåker"),
    ("C", "Uppsala län", "Uppsala County",
     "Enköping Heby Håbo Knivsta Tierp Uppsala Älvkarleby Östhammar"),
    ("D", "Södermanlands län", "Södermanland County",
     "Eskilstuna Flen Gnesta Katrineholm Nyköping Oxelösund Strängnäs Trosa Vingåker"),
    ("E", "Östergötlands län", "Östergötland County",
     "Boxholm Finspång Kinda Linköping Mjölby Motala Norrköping Söderköping Vadstena "
     "Valdemarsvik Ydre Åtvidaberg Ödeshög"),
    ("F", "Jönköpings län", "Jönköping County",
     "Aneby Eksjö Gislaved Gnosjö Habo Jönköping Mullsjö Nässjö Sävsjö Tranås Vaggeryd "
     "Vetlanda Värnamo"),
    ("G", "Kronobergs län", "Kronoberg County",
     "Alvesta Lessebo Ljungby Markaryd Tingsryd Uppvidinge Växjö Älmhult"),
    ("H", "Kalmar län", "Kalmar County",
     "Borgholm Emmaboda Hultsfred Högsby Kalmar Mönsterås Mörbylånga Nybro Oskarshamn "
     "Torsås Vimmerby Västervik"),
    ("I", "Gotlands län", "Gotland County", "Gotland"),
    ("K", "Blekinge län", "Blekinge County",
     "Karlshamn Karlskrona Olofström Ronneby Sölvesborg"),
    ("M", "Skåne län", "Skåne County",
     "Bjuv Bromölla Burlöv Båstad Eslöv Helsingborg Hässleholm Höganäs Hörby Höör Klippan "
     "Kristianstad Kävlinge Landskrona Lomma Lund Malmö Osby Perstorp Simrishamn Sjöbo "
     "Skurup Staffanstorp Svalöv Svedala Tomelilla Trelleborg Vellinge Ystad Åstorp "
     "Ängelholm Örkelljunga Östra_Göinge"),
    ("N", "Hallands län", "Halland County",
     "Falkenberg Halmstad Hylte Kungsbacka Laholm Varberg"),
    ("O", "Västra Götalands län", "Västra Götaland County",
     "Ale Alingsås Bengtsfors Bollebygd Borås Dals-Ed Essunga Falköping Färgelanda "
     "Grästorp Gullspång Göteborg Götene Herrljunga Hjo Härryda Karlsborg Kungälv Lerum "
     "Lidköping Lilla_Edet Lysekil Mariestad Mark Mellerud Munkedal Mölndal Orust Partille "
     "Skara Skövde Sotenäs Stenungsund Strömstad Svenljunga Tanum Tibro Tidaholm Tjörn "
     "Tranemo Trollhättan Töreboda Uddevalla Ulricehamn Vara Vårgårda Vänersborg Åmål "
     "Öckerö"),
    ("S", "Värmlands län", "Värmland County",
     "Arvika Eda Filipstad Forshaga Grums Hagfors Hammarö Karlstad Kil Kristinehamn "
     "Munkfors Storfors Sunne Säffle Torsby Årjäng"),
    ("T", "Örebro län", "Örebro County",
     "Askersund Degerfors Hallsberg Hällefors Karlskoga Kumla Laxå Lekeberg Lindesberg "
     "Ljusnarsberg Nora Örebro"),
    ("U", "Västmanlands län", "Västmanland County",
     "Arboga Fagersta Hallstahammar Kungsör Köping Norberg Sala Skinnskatteberg "
     "Surahammar Västerås"),
    ("W", "Dalarnas län", "Dalarna County",
     "Avesta Borlänge Falun Gagnef Hedemora Leksand Ludvika Malung-Sälen Mora Orsa "
     "Rättvik Smedjebacken Säter Vansbro Älvdalen"),
    ("X", "Gävleborgs län", "Gävleborg County",
     "Bollnäs Gävle Hofors Hudiksvall Ljusdal Nordanstig Ockelbo Ovanåker Sandviken "
     "Söderhamn"),
    ("Y", "Västernorrlands län", "Västernorrland County",
     "Härnösand Kramfors Sollefteå Sundsvall Timrå Ånge Örnsköldsvik"),
    ("Z", "Jämtlands län", "Jämtland County",
     "Berg Bräcke Härjedalen Krokom Ragunda Strömsund Åre Östersund"),
    ("AC", "Västerbottens län", "Västerbotten County",
     "Bjurholm Dorotea Lycksele Malå Nordmaling Norsjö Robertsfors Skellefteå Sorsele "
     "Storuman Umeå Vilhelmina Vindeln Vännäs Åsele"),
    ("BD", "Norrbottens län", "Norrbotten County",
     "Arjeplog Arvidsjaur Boden Gällivare Haparanda Jokkmokk Kalix Kiruna Luleå Pajala "
     "Piteå Älvsbyn Överkalix Övertorneå"),
]  # fmt: skip

# Other names the lists use for a municipality or its seat.
_ALIASES = {
    "Gothenburg": "Göteborg",
    "Visby": "Gotland",
    "Malung": "Malung-Sälen",
    "Upplands Bro": "Upplands-Bro",
    "Hedemora kommun": "Hedemora",
    "Dals Ed": "Dals-Ed",
    "Sveg": "Härjedalen",
    "Kungsängen": "Upplands-Bro",
    "Kinna": "Mark",
    "Åkersberga": "Österåker",
    "Ekerö kommun": "Ekerö",
}

COUNTIES = [County(code, sv, en) for code, sv, en, _names in _COUNTIES]
BY_CODE = {county.code: county for county in COUNTIES}
NOT_KNOWN = _("County not known")


def municipalities() -> list[tuple[str, County]]:
    """All 290 municipalities, with their county, in the table's order."""
    return [
        (name.replace("_", " "), BY_CODE[code])
        for code, _sv, _en, names in _COUNTIES
        for name in names.split()
    ]


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").split())


@cache
def _lookup() -> dict[str, County]:
    table = {_fold(name): county for name, county in municipalities()}
    for alias, name in _ALIASES.items():
        table[_fold(alias)] = table[_fold(name)]
    for county in COUNTIES:
        for key in (county.name_sv, county.name_en, county.code, f"SE-{county.code}"):
            table[_fold(key)] = county
        table[_fold(county.name_sv.removesuffix(" län").removesuffix("s"))] = county
        table[_fold(county.name_en.removesuffix(" County"))] = county
    return table


def _strip_municipality(name: str) -> str:
    """'Halmstads kommun' -> 'Halmstad'; 'Halmstad Municipality' -> 'Halmstad'."""
    name = name.strip()
    for suffix in (" Municipality", " kommun"):
        if name.endswith(suffix):
            name = name.removesuffix(suffix)
            if suffix == " kommun" and name.endswith("s") and _fold(name[:-1]) in _lookup():
                name = name[:-1]
    return name


@lru_cache(maxsize=65536)
def county_of(name: str, region: str = "", country: str = "SE") -> County | None:
    """The county of a Swedish place: from its region if that names one, else its name."""
    if country.upper() != "SE":
        return None
    table = _lookup()
    inner = re.findall(r"\(([^)]*)\)", name)  # "Fellingsbro (Lindesberg)"
    for text in (region, name, _strip_municipality(name), *inner):
        if text and _fold(text) in table:
            return table[_fold(text)]
    return None
