"""public/gather.py fetches the overview's records with SQL compiled once (register/
fetching.py) instead of prefetch_related: it must give exactly what the prefetch gave,
published records and drafts alike, and leave nothing to be fetched later."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext

from public import gather
from register.models import (
    Activity,
    ActivityKind,
    Agreement,
    AgreementKind,
    Decision,
    FocusArea,
    Funding,
    Organisation,
    Place,
    PlaceName,
    Relation,
    Source,
)


def prefetched(slug: str, drafts: bool):
    """The page's records as prefetch_related fetched them before public/gather.py."""
    organisation = (
        Organisation.objects.select_related("place")
        .prefetch_related("place__names", "governance_rules__kind", "sources")
        .get(slug=slug)
    )
    agreements = (
        (Agreement.objects.all() if drafts else Agreement.objects.published())
        .select_related("kind", "decision")
        .prefetch_related("focus_areas", "funding", "sources")
    )
    activities = (
        (Activity.objects.all() if drafts else Activity.objects.published())
        .select_related("kind")
        .prefetch_related(
            "themes",
            "sources",
            Prefetch(
                "relations",
                queryset=Relation.objects.select_related("partner").prefetch_related(
                    "partner__names"
                ),
            ),
        )
    )
    relations = organisation.relations.all() if drafts else organisation.relations.published()
    relations = (
        relations.select_related("partner")
        .prefetch_related(
            "partner__names",
            Prefetch("agreements", queryset=agreements),
            Prefetch("activities", queryset=activities),
            "sources",
        )
        .order_by("order", "id")
    )
    return organisation, list(relations)


def names(place) -> list:
    return sorted((name.language, name.name) for name in place.names.all())


def pks(manager) -> list:
    return [item.pk for item in manager.all()]


def shape(organisation, relations) -> dict:
    """Everything the pages read of the records, as plain values."""
    return {
        "place": (organisation.place.pk, names(organisation.place)),
        "rules": sorted((r.pk, r.kind.code, r.body) for r in organisation.governance_rules.all()),
        "sources": pks(organisation.sources),
        "relations": [
            {
                "pk": relation.pk,
                "partner": (
                    relation.partner.pk,
                    relation.partner.latitude,
                    names(relation.partner),
                ),
                "sources": pks(relation.sources),
                "agreements": [
                    (
                        a.pk,
                        a.relation.pk,
                        a.kind.code,
                        a.decision.reference if a.decision else None,
                        pks(a.focus_areas),
                        sorted(str(fund) for fund in a.funding.all()),
                        pks(a.sources),
                    )
                    for a in relation.agreements.all()
                ],
                "activities": [
                    (
                        act.pk,
                        act.kind.code,
                        pks(act.themes),
                        pks(act.sources),
                        [(r.pk, r.partner.pk, names(r.partner)) for r in act.relations.all()],
                    )
                    for act in relation.activities.all()
                ],
            }
            for relation in relations
        ],
    }


@pytest.fixture
def busy(demo, other_municipality):
    """The demo with a draft partner, a shared activity, sources, areas, funding and a
    decision everywhere the page reads them, and a second organisation beside it."""
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    area = FocusArea.objects.create(code="rymd", label_sv="Rymd", label_en="Space")
    source = Source.objects.create(title="Protokoll", organisation=demo)
    draft = Relation.objects.create(
        organisation=demo,
        partner=Place.objects.create(name="Tartu", country="EE", latitude=58.38, longitude=26.72),
        since="2020",
        is_published=False,
    )
    PlaceName.objects.create(place=draft.partner, language="sv", name="Dorpat")
    published = list(demo.relations.published())
    decision = Decision.objects.create(relation=published[0], body="KS", reference="KS 2020/1")
    for relation in (published[0], draft):
        relation.sources.add(source)
        agreement = Agreement.objects.create(
            relation=relation, kind=kind, start="2020", decision=decision, is_published=True
        )
        agreement.focus_areas.add(area)
        agreement.sources.add(source)
        Funding.objects.create(agreement=agreement, funder="Sida", share_percent=50)
    Agreement.objects.create(relation=published[1], kind=kind, start="2021")  # a draft
    activity = Activity.objects.create(
        organisation=demo,
        kind=ActivityKind.objects.first(),
        date="2021-05",
        is_published=True,
    )
    activity.relations.add(published[0], published[1], draft)
    activity.themes.add(area)
    activity.sources.add(source)
    demo.sources.add(source)
    return demo


@pytest.mark.parametrize("drafts", [False, True], ids=["published", "preview"])
def test_it_gathers_what_prefetch_related_gave(busy, drafts):
    organisation, relations = gather.page("halmstad", drafts)
    expected = shape(*prefetched("halmstad", drafts))
    with CaptureQueriesContext(connection) as queries:
        found = shape(organisation, relations)
    assert found == expected
    assert len(queries) == 0  # nothing left for the template to fetch
    tartu = busy.relations.get(partner__name="Tartu").pk  # the draft: in the preview only
    assert any(relation["pk"] == tartu for relation in found["relations"]) is drafts


def test_it_answers_none_for_an_unknown_organisation(db):
    assert gather.page("nowhere") is None


def test_another_organisations_records_stay_out(busy, other_municipality):
    _, relations = gather.page("varberg", drafts=True)
    assert [r.partner.name for r in relations] == ["Sonderborg"]
    assert all(not r.agreements.all() and not r.activities.all() for r in relations)


def test_gathered_rows_are_read_not_queried(busy):
    """Filtering fetched rows would lose their owner (register/fetching.Fetched): refused."""
    _, relations = gather.page("halmstad")
    relation = next(r for r in relations if r.agreements.all())
    with CaptureQueriesContext(connection) as queries:
        assert relation.agreements.count() == len(list(relation.agreements.all())) > 0
        assert relation.agreements.exists() and relation.agreements.all()[0].relation is relation
    assert len(queries) == 0
    with pytest.raises(TypeError, match="read them"):
        relation.agreements.filter(start="2020")
