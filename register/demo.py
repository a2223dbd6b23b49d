"""The demo register: every fact of Halmstad's page "Vänorter och samarbetsstäder".

Loading is idempotent: records are found by natural keys and updated in place, so a
second run changes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from register.history import one_row
from register.models import (
    Activity,
    ActivityKind,
    Agreement,
    AgreementKind,
    DecidingBody,
    FocusArea,
    Funding,
    GovernanceRule,
    Organisation,
    Place,
    PlaceName,
    Relation,
    Source,
)

# The seed page as published: its text (shared/seeds) is the page at this address, which
# the reference at the foot of the public page links to (not the site's home page).
SEED_URL = (
    "https://www.halmstad.se/kommunpolitik/internationelltochregionaltsamarbete/"
    "internationellafragor/vanorterochsamarbetsstader.892.html"
)
SEED_TITLE = "Vänorter och samarbetsstäder – Halmstads kommun"
SEED_DOCUMENT = ""  # the URL names the document; no internal path on a public page
SEED_READ_ON = date(2026, 11, 1)

AGREEMENT_KINDS = [
    # code, sv, en, plural sv, plural en
    ("vanortsavtal", "vänortsavtal", "twinning agreement", "vänortsavtal", "twinning agreements"),
    (
        "vanortsliknande",
        "vänortsliknande förbindelse",
        "twin-town-like relation",
        "vänortsliknande förbindelser",
        "twin-town-like relations",
    ),
    (
        "samarbetsavtal",
        "samarbetsavtal",
        "cooperation agreement",
        "samarbetsavtal",
        "cooperation agreements",
    ),
    (
        "kommunalt-partnerskap",
        "kommunalt partnerskap",
        "municipal partnership",
        "kommunala partnerskap",
        "municipal partnerships",
    ),
    (
        "avsiktsforklaring",
        "avsiktsförklaring",
        "letter of intent",
        "avsiktsförklaringar",
        "letters of intent",
    ),
]
PARTNERSHIP_PURPOSE_SV = (
    "Syftet med kommunala partnerskap är att på lokal nivå stödja hållbar utveckling i de "
    "länder som ingår i den svenska biståndspolitiken."
)
PARTNERSHIP_PURPOSE_EN = (
    "The purpose of municipal partnerships is to support sustainable development at the local "
    "level in the countries covered by Swedish development-aid policy."
)

# The demo's agreements come from a web page, not from the minutes: where the rules name a
# deciding body, the agreement says so explicitly instead of inventing a decision.
NOT_ON_RECORD_REASON = (
    "Avtalet ingicks före det digitala diariet; beslutet är inte registrerat i Vänort."
)

FOCUS_AREAS = [
    ("utbildning", "utbildning", "education"),
    ("ungdomsfragor", "ungdomsfrågor", "youth"),
    ("kultur", "kultur", "culture"),
    ("naringsliv", "näringsliv", "business"),
    ("stadsplanering", "stadsplanering", "urban planning"),
    ("demokrati", "demokrati", "democracy"),
    ("hallbar-utveckling", "hållbar utveckling", "sustainable development"),
]

ACTIVITY_KINDS = [
    ("medborgarmote", "medborgarmöte", "citizens' meeting"),
    ("utbyte", "utbyte", "exchange"),
    ("besok", "besök", "visit"),
    ("konferens", "konferens", "conference"),
    ("projekt", "projekt", "project"),
]

# The seed page's first sentence ("Halmstads kommun har vänortsavtal och vänortsliknande
# förbindelser med städer både inom och utanför EU.") is a claim about the register: the
# page writes it from what is in force (register/wording.introduction), so the free
# background keeps only the history.
BACKGROUND_SV = (
    "Efter andra världskriget var det vanligt att man i Norden slöt "
    "vänortsavtal kommuner emellan för att samarbeta och knyta kontakter. I dag är det "
    "vanligare att man sluter tidsbegränsade samarbetsavtal kring ett par områden man vill "
    "samarbeta kring."
)
BACKGROUND_EN = (
    "After the Second World War it was common in the Nordic countries for municipalities to "
    "sign twinning agreements with each other to cooperate and make contacts. "
    "Today it is more common to sign time-limited cooperation agreements on a few areas "
    "of shared interest."
)

# name, country, region, lat, lon, {lang: name}. Coordinates as in the Wikipedia pairs
# data set (shared/data); Wikidata ids are left for the Wikidata import to fill in.
# Only Piemonte is named by the seed page; the other regions are left blank.
PLACES = {
    "halmstad": ("Halmstad", "SE", "", "56.673900", "12.857200", {}),
    "asti": ("Asti", "IT", "Piemonte", "44.900000", "8.206900", {}),
    "moshi": ("Moshi", "TZ", "", "-3.334900", "37.340400", {}),
    "gentofte": ("Gentofte", "DK", "", "55.753600", "12.541400", {}),
    "hanko": ("Hanko", "FI", "", "59.822800", "22.969500", {"sv": "Hangö", "fi": "Hanko"}),
    "stord": ("Stord", "NO", "", "59.825000", "5.488400", {}),
}


def _vocabulary(model, rows, extra=None):
    items = {}
    for order, row in enumerate(rows):
        code, label_sv, label_en = row[:3]
        defaults = {"label_sv": label_sv, "label_en": label_en, "order": order}
        defaults.update((extra or {}).get(code, {}))
        items[code] = _upsert(model, {"code": code}, defaults)
    return items


def _place(key: str) -> Place:
    name, country, region, lat, lon, names = PLACES[key]
    place = Place.objects.filter(name=name, country=country).order_by("pk").first()
    place = place or Place(name=name, country=country)
    _save_if_changed(place, region=region, latitude=Decimal(lat), longitude=Decimal(lon))
    for language, other in names.items():
        _upsert(PlaceName, {"place": place, "language": language}, {"name": other})
    return place


def _upsert(model, lookup: dict, values: dict):
    """update_or_create that writes nothing when the stored record already agrees."""
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    _save_if_changed(obj, **values)
    return obj


def _set_if_changed(manager, items) -> None:
    """Replace a many-to-many set only if it differs, so a re-run writes nothing."""
    if set(manager.all()) != set(items):
        manager.set(items)


def _save_if_changed(obj, **values) -> None:
    changed = [field for field, value in values.items() if getattr(obj, field, None) != value]
    for field in changed:
        setattr(obj, field, values[field])
    if changed or obj.pk is None:
        obj.full_clean()
        obj.save()


@transaction.atomic
def load_demo() -> Organisation:
    kinds = {row[0]: row for row in AGREEMENT_KINDS}
    agreement_kinds = _vocabulary(
        AgreementKind,
        [row[:3] for row in AGREEMENT_KINDS],
        extra={code: {"plural_sv": row[3], "plural_en": row[4]} for code, row in kinds.items()}
        | {
            "kommunalt-partnerskap": {
                "plural_sv": "kommunala partnerskap",
                "plural_en": "municipal partnerships",
                "description_sv": PARTNERSHIP_PURPOSE_SV,
                "description_en": PARTNERSHIP_PURPOSE_EN,
            },
            "avsiktsforklaring": {
                "plural_sv": "avsiktsförklaringar",
                "plural_en": "letters of intent",
                "has_duration": False,
            },
        },
    )
    areas = _vocabulary(FocusArea, FOCUS_AREAS)
    activity_kinds = _vocabulary(ActivityKind, ACTIVITY_KINDS)

    halmstad = _place("halmstad")
    org = Organisation.objects.filter(slug="halmstad").first()
    org = org or Organisation(slug="halmstad", place=halmstad)
    with one_row(org):  # the organisation with its source: one history row
        _save_if_changed(
            org,
            place=halmstad,
            name_sv="Halmstads kommun",
            name_en="Halmstad Municipality",
            phone="035-13 70 00",
            email="direkt@halmstad.se",
            visiting_address="Rådhuset, Kyrkogatan 5",
            postal_address="301 05 Halmstad",
            map_url="https://www.openstreetmap.org/?mlat=56.6736&mlon=12.8570#map=18/56.6736/12.8570",
            website="https://www.halmstad.se",
            visitor_hours="Mo-Th 08:00-17:00; Fr 08:00-16:00; PH off",
            phone_hours="Mo-Th 07:00-17:00; Fr 07:00-16:00; PH off",
            background_sv=BACKGROUND_SV,
            background_en=BACKGROUND_EN,
        )
        source = Source.objects.filter(organisation=org, title=SEED_TITLE).first()
        source = source or Source(organisation=org, title=SEED_TITLE)
        _save_if_changed(
            source,
            url=SEED_URL,
            document=SEED_DOCUMENT,
            publisher="Halmstads kommun",
            accessed_on=SEED_READ_ON,
        )
        _set_if_changed(org.sources, [source])

    for kind_code, body in [
        ("vanortsavtal", DecidingBody.COUNCIL),
        ("samarbetsavtal", DecidingBody.EXECUTIVE_BOARD),
        ("kommunalt-partnerskap", DecidingBody.EXECUTIVE_BOARD),
    ]:
        _upsert(
            GovernanceRule,
            {"organisation": org, "kind": agreement_kinds[kind_code]},
            {"body": body},
        )

    def relation(key, order, section="", since="", description_sv="", description_en=""):
        rel = Relation.objects.filter(organisation=org, partner=_place(key)).first()
        rel = rel or Relation(organisation=org, partner=_place(key))
        with one_row(rel):
            _save_if_changed(
                rel,
                is_published=True,
                order=order,
                section=section,
                since=since,
                description_sv=description_sv,
                description_en=description_en,
            )
            _set_if_changed(rel.sources, [source])
        return rel

    def agreement(rel, kind, focus=(), funding=(), **values):
        found = Agreement.objects.filter(relation=rel, kind=agreement_kinds[kind]).first()
        found = found or Agreement(relation=rel, kind=agreement_kinds[kind])
        governed = GovernanceRule.objects.filter(organisation=org, kind=found.kind).exists()
        if governed and found.decision_id is None:
            values |= {
                "decision_not_on_record": True,
                "decision_not_on_record_reason": NOT_ON_RECORD_REASON,
            }
        with one_row(found):
            _save_if_changed(found, is_published=True, **values)
            _set_if_changed(found.focus_areas, [areas[code] for code in focus])
            _set_if_changed(found.sources, [source])
        for funder, share in funding:
            _upsert(Funding, {"agreement": found, "funder": funder}, {"share_percent": share})
        return found

    asti = relation(
        "asti",
        1,
        since="[..2009]",
        description_sv="Halmstads kommun samarbetar sedan ett par år tillbaka med Asti kring "
        "utbildningsfrågor. Under år 2009 har Halmstad och Asti utvecklat samarbetet.",
        description_en="Halmstad has cooperated with Asti on education for a couple of years. "
        "In 2009 Halmstad and Asti developed the cooperation.",
    )
    agreement(
        asti,
        "avsiktsforklaring",
        start="2009",
        focus=["utbildning", "ungdomsfragor", "kultur", "naringsliv", "stadsplanering"],
        purpose_sv="Att öka samarbetet.",
        purpose_en="To increase the cooperation.",
    )
    meeting = Activity.objects.filter(
        organisation=org, kind=activity_kinds["medborgarmote"], date="2010-10"
    ).first()
    meeting = meeting or Activity(organisation=org, kind=activity_kinds["medborgarmote"])
    with one_row(meeting):
        _save_if_changed(
            meeting,
            is_published=True,
            date="2010-10",
            title_sv="Medborgarmöte med Asti",
            title_en="Citizens' meeting with Asti",
            participants=100,
            participants_approximate=True,
            young_participants=80,
            young_participants_approximate=True,
            outcome_sv="Mötet utmynnade i idéer och tankar kring städernas framtida utveckling.",
            outcome_en="The meeting produced ideas and thoughts on the cities' future development.",
        )
        _set_if_changed(meeting.relations, [asti])
        _set_if_changed(
            meeting.themes,
            [areas[c] for c in ("hallbar-utveckling", "stadsplanering", "kultur", "demokrati")],
        )
        _set_if_changed(meeting.sources, [source])

    moshi = relation("moshi", 2)
    agreement(
        moshi,
        "kommunalt-partnerskap",
        start="2008",
        term_months=48,
        focus=["utbildning", "demokrati"],
        responsible_unit="Kattegattgymnasiet",
        funding=[("Sida", Decimal("100"))],
    )

    for order, (key, kind, since) in enumerate(
        [
            ("gentofte", "samarbetsavtal", "194X"),
            ("hanko", "samarbetsavtal", "194X"),
            ("stord", "vanortsliknande", "199X"),
        ],
        start=3,
    ):
        rel = relation(key, order, section="nordic", since=since)
        agreement(rel, kind, start=since)
    return org
