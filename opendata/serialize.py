"""Register records as plain data for the API and the exports. Reads only what the
queries in opendata.queries fetched: no query per item."""

from __future__ import annotations

from datetime import date

from register.imprecise import ImpreciseDate, format_count, format_date
from register.models import Activity, Agreement, Decision, Organisation, Place, Relation, Source


def imprecise(text: str) -> dict | None:
    if not text:
        return None
    value = ImpreciseDate(text)
    return {
        "edtf": text,
        "earliest": value.earliest,
        "latest": value.latest,
        "precision": value.precision,
        "text_sv": format_date(text, "sv"),
        "text_en": format_date(text, "en"),
    }


def count(value: int | None, approximate: bool) -> dict | None:
    if value is None:
        return None
    return {
        "value": value,
        "approximate": approximate,
        "text_sv": format_count(value, approximate, "sv"),
        "text_en": format_count(value, approximate, "en"),
    }


def label(item) -> dict:
    return {"code": item.code, "label_sv": item.label_sv, "label_en": item.label_en}


def place(item: Place) -> dict:
    return {**place_without_names(item), "names": _other_names(item)}


def _other_names(item: Place) -> dict:
    return {other.language: other.name for other in item.names.all()}


def place_without_names(item: Place) -> dict:
    """For places fetched without their other names (the national pairs)."""
    return {
        "id": item.pk,
        "name": item.name,
        "names": {},
        "country": item.country,
        "region": item.region,
        # Numbers, as in GeoJSON; null where a value is absent, never "".
        "latitude": float(item.latitude) if item.latitude is not None else None,
        "longitude": float(item.longitude) if item.longitude is not None else None,
        "wikidata_id": item.wikidata_id or None,
        "updated_at": item.updated_at,
    }


def source(item: Source) -> dict:
    return {
        "id": item.pk,
        "title": item.title,
        "url": item.url,
        "document": item.document,
        "publisher": item.publisher,
        "accessed_on": item.accessed_on,
        "organisation": item.organisation.slug if item.organisation else None,
    }


def decision(item: Decision) -> dict:
    return {
        "id": item.pk,
        "body": item.body,
        "date": imprecise(item.date),
        "reference": item.reference,
        "summary_sv": item.summary_sv,
        "summary_en": item.summary_en,
        "url": item.url,
        "unanimous": item.unanimous,
        "votes_for": item.votes_for,
        "votes_against": item.votes_against,
        "votes_abstaining": item.votes_abstaining,
    }


def agreement(item: Agreement, on: date) -> dict:
    return {
        "id": item.pk,
        "kind": label(item.kind),
        "start": imprecise(item.start),
        "end": imprecise(item.effective_end),
        "term_months": item.term_months,
        "status": str(item.status_on(on)),
        "status_on": on,
        "focus_areas": [label(area) for area in item.focus_areas.all()],
        "responsible_unit": item.responsible_unit,
        "decision_id": item.decision_id,
        # "Beslut ej registrerat": said in words, as on the page (register/governance.py).
        "decision_not_on_record": item.decision_not_on_record,
        "decision_not_on_record_reason": item.decision_not_on_record_reason,
        "decision_record_sv": "Beslut ej registrerat" if item.decision_not_on_record else "",
        "decision_record_en": "Decision not on record" if item.decision_not_on_record else "",
        "renews_id": item.renews_id,
        "purpose_sv": item.purpose_sv,
        "purpose_en": item.purpose_en,
        "funding": [
            {
                "funder": f.funder,
                "share_percent": float(f.share_percent) if f.share_percent is not None else None,
            }
            for f in item.funding.all()
        ],
        "source_ids": [s.pk for s in item.sources.all()],
    }


def organisation_ref(item: Organisation) -> dict:
    return {
        "slug": item.slug,
        "name_sv": item.name_sv,
        "name_en": item.name_en,
        "place_id": item.place_id,
    }


def relation(item: Relation, on: date) -> dict:
    return {
        "id": item.pk,
        "organisation": organisation_ref(item.organisation),
        "place": place_without_names(item.organisation.place),
        "partner": place(item.partner),
        "since": imprecise(item.since),
        "description_sv": item.description_sv,
        "description_en": item.description_en,
        "agreements": [agreement(a, on) for a in item.agreements.all()],
        "decisions": [decision(d) for d in item.decisions.all()],
        "source_ids": [s.pk for s in item.sources.all()],
        "updated_at": item.updated_at,
    }


def organisation(item: Organisation) -> dict:
    return {
        "slug": item.slug,
        "name_sv": item.name_sv,
        "name_en": item.name_en,
        "place": place_without_names(item.place),
        "phone": item.phone,
        "email": item.email,
        "visiting_address": item.visiting_address,
        "postal_address": item.postal_address,
        "website": item.website,
        "visitor_hours": item.visitor_hours,
        "phone_hours": item.phone_hours,
        "updated_at": item.updated_at,
    }


def activity(item: Activity) -> dict:
    relations = list(item.relations.all())
    return {
        "id": item.pk,
        "organisation": item.organisation.slug,
        "kind": label(item.kind),
        "title_sv": item.title_sv,
        "title_en": item.title_en,
        "date": imprecise(item.date),
        "relation_ids": [r.pk for r in relations],
        "partner_ids": [r.partner_id for r in relations],
        "themes": [label(theme) for theme in item.themes.all()],
        "participants": count(item.participants, item.participants_approximate),
        "young_participants": count(item.young_participants, item.young_participants_approximate),
        "outcome_sv": item.outcome_sv,
        "outcome_en": item.outcome_en,
        "source_ids": [s.pk for s in item.sources.all()],
    }
