"""An organisation's published register in standard formats: CSV (UTF-8, and the
variant Swedish Excel opens directly), GeoJSON (RFC 7946), iCalendar (RFC 5545) and
schema.org JSON-LD. Each function reads a fixed number of queries and returns text."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from decimal import Decimal

from django.db.models import Max
from django.urls import reverse

from opendata import queries
from opendata.cells import defuse_formula
from register import hours
from register.imprecise import ImpreciseDate, format_date
from register.models import Activity, Agreement, Organisation, Relation, country_name

STOCKHOLM = "Europe/Stockholm"


@dataclass
class Register:
    """What an organisation publishes: the organisation and its published relations
    (with published agreements) and activities, fetched once."""

    organisation: Organisation
    relations: list[Relation]
    activities: list

    @classmethod
    def of(cls, organisation: Organisation) -> Register:
        relations = list(queries.relations().filter(organisation=organisation))
        activities = list(queries.activities().filter(organisation=organisation))
        return cls(organisation, relations, activities)


def last_modified_of(organisation: Organisation):
    """The newest change to what the organisation publishes, deletions included: the
    history's newest record of its relations, their agreements and its activities."""
    relations = organisation.relations.published()
    relation_ids = Relation.history.filter(organisation_id=organisation.pk).values("id")
    histories = [
        Relation.history.filter(organisation_id=organisation.pk),
        Agreement.history.filter(relation_id__in=relation_ids),
        Activity.history.filter(organisation_id=organisation.pk),
        Organisation.history.filter(id=organisation.pk),
    ]
    stamps = [
        organisation.updated_at,
        relations.aggregate(newest=Max("updated_at"))["newest"],
        organisation.activities.published().aggregate(newest=Max("updated_at"))["newest"],
        *(h.aggregate(newest=Max("history_date"))["newest"] for h in histories),
    ]
    return max(stamp for stamp in stamps if stamp)


# --- CSV ------------------------------------------------------------------------------

CSV_COLUMNS = [
    "organisation",
    "partner",
    "partner_names",
    "partner_country",
    "partner_region",
    "partner_latitude",
    "partner_longitude",
    "partner_wikidata",
    "relation_since",
    "relation_since_earliest",
    "relation_since_latest",
    "agreement_kind",
    "agreement_kind_label",
    "agreement_start",
    "agreement_start_earliest",
    "agreement_start_latest",
    "agreement_end",
    "agreement_end_earliest",
    "agreement_end_latest",
    "agreement_term_months",
    "agreement_status",
    "focus_areas",
    "focus_area_labels",
    "decision_body",
    "decision_reference",
    "funding",
    "source_urls",
]


def _bounds(column: str, text: str) -> dict:
    """EDTF's earliest and latest days beside it, as the API gives them."""
    value = ImpreciseDate(text) if text else None
    return {
        f"{column}_earliest": value.earliest if value else None,
        f"{column}_latest": value.latest if value else None,
    }


def _label(item, lang: str) -> str:
    return (item.label_en if lang == "en" else item.label_sv) or item.label_sv


def csv_rows(register: Register, on: date, lang: str = "sv") -> list[dict]:
    """One row per published agreement; a relation without one still gets a row. Codes
    keep their columns; labels in `lang` stand beside them."""
    rows = []
    for relation in register.relations:
        partner = relation.partner
        base = {
            "organisation": register.organisation.slug,
            "partner": partner.name,
            "partner_names": "; ".join(
                f"{other.language}:{other.name}" for other in partner.names.all()
            ),
            "partner_country": partner.country,
            "partner_region": partner.region,
            "partner_latitude": partner.latitude,
            "partner_longitude": partner.longitude,
            "partner_wikidata": partner.wikidata_id,
            "relation_since": relation.since,
            **_bounds("relation_since", relation.since),
            "source_urls": " ".join(s.url for s in relation.sources.all() if s.url),
        }
        agreements = list(relation.agreements.all()) or [None]
        for agreement in agreements:
            rows.append(base | (agreement_columns(agreement, on, lang) if agreement else {}))
    return rows


def agreement_columns(agreement, on: date, lang: str = "sv") -> dict:
    decision = agreement.decision
    areas = list(agreement.focus_areas.all())
    return {
        "agreement_kind": agreement.kind.code,
        "agreement_kind_label": _label(agreement.kind, lang),
        "agreement_start": agreement.start,
        **_bounds("agreement_start", agreement.start),
        "agreement_end": agreement.effective_end,
        **_bounds("agreement_end", agreement.effective_end),
        "agreement_term_months": agreement.term_months,
        "agreement_status": str(agreement.status_on(on)),
        "focus_areas": "; ".join(area.code for area in areas),
        "focus_area_labels": "; ".join(_label(area, lang) for area in areas),
        "decision_body": decision.body if decision else "",
        "decision_reference": decision.reference if decision else "",
        "funding": "; ".join(
            f"{f.funder} {f.share_percent.normalize():f} %"
            if f.share_percent is not None
            else f.funder
            for f in agreement.funding.all()
        ),
    }


def to_csv(rows: list[dict], *, excel_sv: bool = False) -> str:
    """UTF-8 CSV; with `excel_sv`, what Excel in a Swedish locale opens without an import
    dialog: a byte-order mark, semicolons, decimal commas, CRLF line ends."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out,
        fieldnames=CSV_COLUMNS,
        delimiter=";" if excel_sv else ",",
        lineterminator="\r\n",
        extrasaction="raise",
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key), excel_sv) for key in CSV_COLUMNS})
    return ("\ufeff" if excel_sv else "") + out.getvalue()


def spreadsheet_safe(value) -> str:
    """A cell of a plain (comma, decimal point) CSV."""
    return _cell(value, excel_sv=False)


def _cell(value, excel_sv: bool) -> str:
    """A cell as text, formula-safe (opendata.cells); in the Excel variant with decimal
    commas."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
        return text.replace(".", ",") if excel_sv else text
    if isinstance(value, bool | int | float):
        return str(value)
    text = defuse_formula(str(value))
    if excel_sv and text.endswith(" %"):
        return re.sub(r"(?<=\d)\.(?=\d)", ",", text)
    return text


# --- GeoJSON (RFC 7946) ---------------------------------------------------------------


def _position(place) -> list[float] | None:
    if place.latitude is None or place.longitude is None:
        return None
    return [float(place.longitude), float(place.latitude)]  # RFC 7946: longitude first


def _line(start: list[float], end: list[float]) -> dict:
    """The shorter way round; cut in two at the antimeridian (RFC 7946 section 3.1.9)."""
    (lon1, lat1), (lon2, lat2) = start, end
    if abs(lon2 - lon1) <= 180:
        return {"type": "LineString", "coordinates": [start, end]}
    edge = 180.0 if lon1 > 0 else -180.0
    lon2_unwrapped = lon2 + (360 if lon1 > 0 else -360)
    share = (edge - lon1) / (lon2_unwrapped - lon1)
    lat_cut = round(lat1 + (lat2 - lat1) * share, 6)
    return {
        "type": "MultiLineString",
        "coordinates": [[start, [edge, lat_cut]], [[-edge, lat_cut], end]],
    }


def _place_properties(place, role: str) -> dict:
    return {
        "kind": "place",
        "role": role,
        "place_id": place.pk,
        "name": place.name,
        "names": {other.language: other.name for other in place.names.all()},
        "country": place.country,
        "country_name_sv": country_name(place.country, "sv"),
        "country_name_en": country_name(place.country, "en"),
        "region": place.region,
        "wikidata_id": place.wikidata_id or None,
    }


def geojson(register: Register, on: date) -> dict:
    """Partner places as points and relations as lines from the organisation's place.
    Feature ids are unique across both kinds ("place/12", "relation/3"), and so are the
    properties GDAL reads as fields: place_id, relation_id (never a shared `id`), with
    partner_id naming the partner's place feature."""
    home = register.organisation.place
    home_position = _position(home)
    features = []
    if home_position:
        features.append(_feature(f"place/{home.pk}", home_position, _home_properties(home)))
    for relation in register.relations:
        partner = relation.partner
        position = _position(partner)
        if position is None:
            continue
        features.append(
            _feature(f"place/{partner.pk}", position, _place_properties(partner, "partner"))
        )
        if home_position:
            features.append(
                {
                    "type": "Feature",
                    "id": f"relation/{relation.pk}",
                    "geometry": _line(home_position, position),
                    "properties": _relation_properties(register, relation, on),
                }
            )
    return {"type": "FeatureCollection", "features": features}


def _home_properties(home) -> dict:
    properties = _place_properties(home, "organisation")
    properties["names"] = {}
    return properties


def _feature(identifier: str, position: list[float], properties: dict) -> dict:
    return {
        "type": "Feature",
        "id": identifier,
        "geometry": {"type": "Point", "coordinates": position},
        "properties": properties,
    }


def _relation_properties(register: Register, relation, on: date) -> dict:
    return {
        "kind": "relation",
        "relation_id": relation.pk,
        "place_id": register.organisation.place_id,
        "organisation": register.organisation.slug,
        "partner": relation.partner.name,
        "partner_id": relation.partner_id,
        "since": relation.since or None,
        "since_sv": relation.since_text("sv") or None,
        "since_en": relation.since_text("en") or None,
        "agreements": [
            {
                "kind": agreement.kind.code,
                "kind_sv": agreement.kind.label_sv,
                "kind_en": agreement.kind.label_en,
                "start": agreement.start or None,
                "end": agreement.effective_end or None,
                "status": str(agreement.status_on(on)),
                "period_sv": agreement.period_text("sv"),
                "period_en": agreement.period_text("en"),
            }
            for agreement in relation.agreements.all()
        ],
    }


# --- iCalendar (RFC 5545) -------------------------------------------------------------


def _day(text: str) -> date | None:
    """The day an imprecise date names, or None when it may mean more than one day
    ('2010-10', '194X', '2009~' are not days: they never become long events)."""
    if not text:
        return None
    value = ImpreciseDate(text)
    if value.earliest is None or value.earliest != value.latest:
        return None
    return value.earliest


def partner_path(organisation_slug: str, partner) -> str:
    """The partner page's path (in the active language)."""
    from public.pages import partner_slug  # the page's address rule, kept with the page

    return reverse("public:partner", args=[organisation_slug, partner_slug(partner)])


CALENDAR_TEXT = {
    "sv": {
        "name": "{organisation}: vänorter och samarbeten",
        "participants": "Deltagare",
        "with": "{kind} med {partner}",
        "start": "{kind} med {partner} börjar",
        "end": "{kind} med {partner} upphör",
        "not_a_day": "Inte i kalendern som händelse: datumet ({date}) är inte en dag.",
    },
    "en": {
        "name": "{organisation}: twin towns and partnerships",
        "participants": "Participants",
        "with": "{kind} with {partner}",
        "start": "{kind} with {partner} begins",
        "end": "{kind} with {partner} ends",
        "not_a_day": "Not in the calendar as an event: its date ({date}) is not a day.",
    },
}


def icalendar(register: Register, host: str, lang: str = "sv", url_of=None) -> bytes:
    """Activities, and the start and end of agreements, that fall on a day, as all-day
    events with the partner's place (LOCATION, GEO) and page (URL), in `lang`. What has
    only an imprecise date ('194X', a year) is a VJOURNAL note, which has no time span
    and so never shows as a year-long event; a Europe/Stockholm VTIMEZONE for the
    calendar's local times. `url_of(relation)` gives the partner page's absolute URL."""
    from icalendar import Calendar, Timezone  # here: loading it takes a moment

    organisation = register.organisation
    words = CALENDAR_TEXT[lang]
    name = (organisation.name_en if lang == "en" else "") or organisation.name_sv
    calendar = Calendar()
    calendar.add("prodid", "-//Vänort//Open data//" + lang.upper())
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", words["name"].format(organisation=name))
    calendar.add("x-wr-timezone", STOCKHOLM)
    calendar.add("refresh-interval", timedelta(days=1), parameters={"VALUE": "DURATION"})
    calendar.add_component(Timezone.from_ical(STOCKHOLM_VTIMEZONE))
    for component in _events(register, host, lang, url_of or (lambda relation: "")):
        calendar.add_component(component)
    return calendar.to_ical()


# Sweden has kept the EU's summer-time rule since 1996: from the last Sunday of March at
# 02:00 to the last Sunday of October at 03:00 local time. Written as rules, as calendar
# programs do, rather than as a list of dates.
STOCKHOLM_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Stockholm
X-LIC-LOCATION:Europe/Stockholm
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19960331T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19961027T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
""".replace("\n", "\r\n")


def _in(lang: str, sv: str, en: str) -> str:
    return (en if lang == "en" else sv) or sv


def _events(register: Register, host: str, lang: str, url_of):
    words = CALENDAR_TEXT[lang]
    for activity in register.activities:
        relations = list(activity.relations.all())
        partners = ", ".join(r.partner.name for r in relations)
        kind = _in(lang, activity.kind.label_sv, activity.kind.label_en)
        summary = _in(lang, activity.title_sv, activity.title_en) or f"{kind}: {partners}"
        description = "\n".join(
            part
            for part in (
                f"{kind} ({format_date(activity.date, lang)})",
                f"{words['participants']}: {activity.participants_text(lang)}"
                if activity.participants
                else "",
                _in(lang, activity.outcome_sv, activity.outcome_en),
            )
            if part
        )
        yield _component(
            f"activity-{activity.pk}@{host}",
            summary,
            description,
            activity.date,
            activity.updated_at.astimezone(UTC),
            relations,
            url_of,
            words,
            lang,
        )
    for relation in register.relations:
        for agreement in relation.agreements.all():
            kind = _in(lang, agreement.kind.label_sv, agreement.kind.label_en).capitalize()
            for edge, text in (("start", agreement.start), ("end", agreement.effective_end)):
                if not text:
                    continue
                key = edge if agreement.kind.has_duration else "with"  # signed once
                summary = words[key].format(kind=kind, partner=relation.partner.name)
                yield _component(
                    f"agreement-{agreement.pk}-{edge}@{host}",
                    summary,
                    f"{kind}, {agreement.period_text(lang)}.",
                    text,
                    agreement.updated_at.astimezone(UTC),
                    [relation],
                    url_of,
                    words,
                    lang,
                )


def _component(uid, summary, description, when, modified, relations, url_of, words, lang):
    from icalendar import Event, Journal

    day = _day(when)
    component = Event() if day else Journal()
    component.add("uid", uid)
    component.add("dtstamp", modified)
    component.add("last-modified", modified)
    component.add("summary", summary, parameters={"LANGUAGE": lang})
    if day is None:
        note = words["not_a_day"].format(date=format_date(when, lang))
        description = f"{description}\n{note}"
    component.add("description", description, parameters={"LANGUAGE": lang})
    if relations:
        partner = relations[0].partner
        location = ", ".join(
            f"{r.partner.name}, {country_name(r.partner.country, lang)}" for r in relations
        )
        component.add("location", location, parameters={"LANGUAGE": lang})
        if partner.latitude is not None and partner.longitude is not None:
            component.add("geo", (float(partner.latitude), float(partner.longitude)))
        url = url_of(relations[0])
        if url:
            component.add("url", url)
    if day:
        component.add("dtstart", day)
        component.add("dtend", day + timedelta(days=1))
        component.add("transp", "TRANSPARENT")
    return component


# --- schema.org JSON-LD -------------------------------------------------------------

SCHEMA_DAY = {
    "Mo": "Monday",
    "Tu": "Tuesday",
    "We": "Wednesday",
    "Th": "Thursday",
    "Fr": "Friday",
    "Sa": "Saturday",
    "Su": "Sunday",
}


def opening_hours_specification(text: str) -> list[dict]:
    """'Mo-Th 08:00-17:00; Fr 08:00-16:00; PH off' as schema.org OpeningHoursSpecification,
    read by register.hours. Rules other than weekdays with times (holidays, 'off') are
    left to the page."""
    return [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [SCHEMA_DAY[day] for day in rule.weekdays],
            "opens": opens,
            "closes": closes,
        }
        for rule in hours.rules(text)
        if isinstance(rule, hours.WeeklyRule)
        for opens, closes in rule.times
    ]


WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
# schema.org has no property for twin towns (`knowsAbout` is a topic, `member` is
# membership, `knows` is between persons). Wikidata's P190 "twinned administrative body"
# means exactly that, between the two places; it is used as a linked-data property on
# the organisation's own City, beside schema.org's terms.
TWINNED_WITH = "http://www.wikidata.org/prop/direct/P190"
DOWNLOADS = [
    ("relations.csv", "text/csv", "Relations (CSV)"),
    ("relations-excel.csv", "text/csv", "Relations (CSV for Swedish Excel)"),
    ("relations.geojson", "application/geo+json", "Map data (GeoJSON)"),
    ("calendar.ics", "text/calendar", "Calendar (iCalendar)"),
    ("jsonld", "application/ld+json", "schema.org (JSON-LD)"),
    ("register.json", "application/json", "Register (Vänort format 1)"),
]


def thing_ids(base_url: str, slug: str) -> dict:
    """One stable @id per thing, the same from /sv/ and /en/ pages and from the API:
    URLs without a language prefix (fragments of the organisation's API resource)."""
    root = base_url.rstrip("/") + f"/api/organisations/{slug}"
    return {
        "organisation": f"{root}#organisation",
        "town_hall": f"{root}#town-hall",
        "dataset": f"{root}#dataset",
        "downloads": root + "/",
    }


def place_id(base_url: str, place) -> str:
    return base_url.rstrip("/") + f"/api/places/{place.pk}"


def jsonld(register: Register, base_url: str) -> dict:
    """schema.org JSON-LD as a @graph: the GovernmentOrganization; its town hall, a
    GovernmentOffice carrying the visitor hours (openingHoursSpecification belongs to a
    place or a LocalBusiness, not to an Organization); its City, twinned (Wikidata P190)
    with the partner Cities; and a Dataset with a DataDownload per download."""
    organisation = register.organisation
    ids = thing_ids(base_url, organisation.slug)
    postal = re.match(r"^(\d{3} ?\d{2})\s+(.+)$", organisation.postal_address.strip())
    postal_code, locality = postal.groups() if postal else ("", "")
    address = {
        "@type": "PostalAddress",
        "streetAddress": organisation.visiting_address or None,
        "postalCode": postal_code or None,
        "addressLocality": locality or organisation.place.name,
        "addressCountry": organisation.place.country,
    }
    home = _city(organisation.place, base_url, with_names=False)
    home["twinnedWith"] = [{"@id": place_id(base_url, r.partner)} for r in register.relations]
    graph = [
        {
            "@type": "GovernmentOrganization",
            "@id": ids["organisation"],
            "name": organisation.name_sv,
            "alternateName": organisation.name_en or None,
            "url": organisation.website or None,
            "telephone": organisation.phone or None,
            "email": organisation.email or None,
            "address": address,
            "areaServed": {"@id": home["@id"]},
            "location": {"@id": ids["town_hall"]},
            "sameAs": _wikidata(organisation.place),
        },
        {
            "@type": "GovernmentOffice",
            "@id": ids["town_hall"],
            "name": organisation.name_sv,
            "parentOrganization": {"@id": ids["organisation"]},
            "address": address,
            "telephone": organisation.phone or None,
            "openingHoursSpecification": opening_hours_specification(organisation.visitor_hours),
        },
        home,
        *(_city(relation.partner, base_url) for relation in register.relations),
        {
            "@type": "Dataset",
            "@id": ids["dataset"],
            "name": f"{organisation.name_sv}: vänorter och internationella samarbeten",
            "description": (
                f"The published register of {organisation.name_en or organisation.name_sv}"
                "'s twin towns and international partnerships."
            ),
            "license": catalogue_license(),
            "publisher": {"@id": ids["organisation"]},
            "isAccessibleForFree": True,
            "distribution": [
                {
                    "@type": "DataDownload",
                    "name": title,
                    "contentUrl": ids["downloads"] + name,
                    "encodingFormat": media_type,
                }
                for name, media_type, title in DOWNLOADS
            ],
        },
    ]
    return {
        # An inline context, so that no consumer has to fetch one; dayOfWeek values are
        # schema.org terms (schema:Monday), not strings.
        "@context": {
            "@vocab": "https://schema.org/",
            "dayOfWeek": {"@type": "@vocab"},
            "sameAs": {"@type": "@id"},
            "license": {"@type": "@id"},
            "contentUrl": {"@type": "@id"},
            "twinnedWith": {"@id": TWINNED_WITH, "@type": "@id"},
        },
        "@graph": _without_empty(graph),
    }


def catalogue_license() -> str:
    from opendata.catalogue import LICENSE_URI

    return LICENSE_URI


def _wikidata(place) -> str | None:
    return WIKIDATA_ENTITY + place.wikidata_id if place.wikidata_id else None


def _city(place, base_url: str, *, with_names: bool = True) -> dict:
    city = {"@type": "City", "@id": place_id(base_url, place), "name": place.name}
    if with_names:  # partners' names are prefetched; the home place's are not
        city["alternateName"] = [other.name for other in place.names.all()]
    if place.latitude is not None and place.longitude is not None:
        city["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(place.latitude),
            "longitude": float(place.longitude),
        }
    city["address"] = {"@type": "PostalAddress", "addressCountry": place.country}
    city["sameAs"] = _wikidata(place)
    return city


def _without_empty(value):
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v not in (None, "", [])}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


def jsonld_text(register: Register, base_url: str) -> str:
    """For a <script type="application/ld+json"> block: '<' escaped so the text can
    never close the element."""
    text = json.dumps(jsonld(register, base_url), ensure_ascii=False, sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def quickstatements_text(organisation: Organisation, result) -> str:
    """QuickStatements with, at its top, comment lines saying what was left out and why,
    so that an answer is never an empty, unexplained text."""
    head = [f"# Vänort: P190 (twinned administrative body) statements of {organisation.name_sv}"]
    if result.skipped:
        head.append(f"# Left out ({len(result.skipped)}):")
        head += [f"#   {reason}" for reason in result.skipped]
    if not result.lines:
        head.append("# No statements: no relation has Wikidata ids for both places.")
    return "".join(line + "\n" for line in head) + result.text
