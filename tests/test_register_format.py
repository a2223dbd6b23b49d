"""The register's own format: one versioned JSON document per organisation, described by
a JSON Schema; export, import into an empty database and export again is byte-identical."""

from __future__ import annotations

import json
from decimal import Decimal

import jsonschema
import pytest

from opendata.register_format import (
    RegisterFormatError,
    dumps,
    export_register,
    import_register,
    json_schema,
    loads,
)
from register.lifecycle import end_early, renew
from register.models import (
    Activity,
    ActivityKind,
    ActivityParticipants,
    Agreement,
    AgreementKind,
    DecidingBody,
    Decision,
    Organisation,
    Relation,
)


@pytest.fixture
def rich(demo):
    """The demo plus what it lacks: decisions, a renewal, an early end, a draft,
    participants by country, a circa date and an approximate count."""
    moshi = Relation.objects.get(partner__name="Moshi")
    agreement = moshi.agreements.get()
    first = Decision.objects.create(
        relation=moshi,
        body=DecidingBody.EXECUTIVE_BOARD,
        date="2008-03-11",
        reference="KS 2008/123",
    )
    agreement.decision = first
    agreement.save()
    second = Decision.objects.create(
        relation=moshi, body=DecidingBody.EXECUTIVE_BOARD, date="2012-02", reference="KS 2012/7"
    )
    following = renew(agreement, start="2012", term_months=36, decision=second)
    ending = Decision.objects.create(
        relation=moshi, body=DecidingBody.EXECUTIVE_BOARD, date="2013-05~", reference="KS 2013/40"
    )
    end_early(following, on="2013-06", decision=ending)
    Relation.objects.filter(partner__name="Stord").update(is_published=False)
    meeting = Activity.objects.get()
    ActivityParticipants.objects.create(activity=meeting, country="IT", count=30, approximate=True)
    ActivityParticipants.objects.create(activity=meeting, country="SE", count=70)
    Activity.objects.create(
        organisation=demo,
        kind=ActivityKind.objects.get(code="besok"),
        title_sv="Besök från Gentofte",
        date="1995~",
        participants=12,
    ).relations.set([Relation.objects.get(partner__name="Gentofte")])
    return Organisation.objects.get(pk=demo.pk)


def test_it_is_valid_by_its_own_json_schema(rich):
    document = export_register(rich, published_only=False)
    jsonschema.Draft202012Validator.check_schema(json_schema())
    jsonschema.validate(document, json_schema())
    assert (document["format"], document["version"]) == ("vanort-register", 1)
    relations = {r["partner"]: r for r in document["relations"]}
    places = {p["ref"]: p["name"] for p in document["places"]}
    moshi = next(r for ref, r in relations.items() if places[ref] == "Moshi")
    assert [a["renews"] for a in moshi["agreements"]] == [None, moshi["agreements"][0]["ref"]]
    assert moshi["agreements"][1]["ended_early_on"] == "2013-06"
    assert moshi["agreements"][0]["funding"] == [{"funder": "Sida", "share_percent": "100.00"}]
    meeting = document["activities"][0]
    assert (meeting["participants"], meeting["participants_approximate"]) == (100, True)


def test_it_leaves_drafts_out_of_the_published_document(rich, client):
    published = export_register(rich)
    assert "Stord" not in json.dumps(published)
    served = client.get("/api/organisations/halmstad/register.json").content.decode()
    assert served == dumps(published)
    schema = client.get("/api/schemas/register-1.json").json()
    # Issue 13: served with its $id set to the URL it is served from.
    assert schema == json_schema() | {"$id": "http://testserver/api/schemas/register-1.json"}


def test_export_import_export_is_byte_identical(rich, vanort_process, tmp_path):
    """Into a new installation's empty database, as an operator moves a register."""
    first = dumps(export_register(rich, published_only=False))
    path = tmp_path / "halmstad.json"
    path.write_text(first, encoding="utf-8")
    vanort_process("migrate", "--noinput", "-v", "0")
    imported = vanort_process("import-register", str(path))
    assert "Imported the register of Halmstads kommun: 5 relations, 2 activities" in imported.stdout
    again = vanort_process("export-register", "halmstad", "--with-drafts").stdout
    assert again == first
    assert "194X" in again and "1995~" in again and "[..2009]" in again


def test_it_imports_into_this_database_in_one_piece(rich):
    document = export_register(rich, published_only=False)
    copy_of(document)
    copy = import_register(document)
    assert copy.relations.count() == 5
    assert (
        export_register(copy, published_only=False)["relations"][1]["agreements"][1][
            "ended_early_on"
        ]
        == "2013-06"
    )


def copy_of(document: dict, slug: str = "halmstad-kopia") -> dict:
    """The document as another organisation's, at a new place of its own."""
    document["organisation"]["slug"] = slug
    for source in document["sources"]:
        if source["owner"]:
            source["owner"] = slug
    home = document["places"][0]
    home.update(name="Halmstad (kopia)", wikidata_id="", latitude=None, longitude=None)
    home["names"] = {}
    return document


def broken(rich, change) -> dict:
    document = export_register(rich, published_only=False)
    change(document)
    return document


def counts():
    return Organisation.objects.count(), Relation.objects.count(), Agreement.objects.count()


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (lambda d: d.update(version=2), "$.version", "must be 1, not “2”"),
        (
            lambda d: d["relations"][1]["agreements"][0].update(start=1998),
            "$.relations[1].agreements[0].start",
            "must be text",
        ),
        (
            lambda d: d["relations"][0].pop("partner"),
            "$.relations[0].partner",
            "is missing",
        ),
        (
            lambda d: d["relations"][0].update(colour="red"),
            "$.relations[0].colour",
            "is not a field of this record",
        ),
        (
            lambda d: d["relations"][2].update(since="194Y"),
            "$.relations[2].since",
            "“194Y” is not a date the register can read",
        ),
        (
            lambda d: d["sources"][0].update(accessed_on="2023-02-30"),
            "$.sources[0].accessed_on",
            "“2023-02-30” is not a calendar date that exists",
        ),
    ],
)
def test_it_refuses_a_document_that_breaks_the_schema(rich, change, where, words):
    text = dumps(broken(rich, change))
    with pytest.raises(RegisterFormatError) as refused:
        loads(text, "halmstad.json")
    assert refused.value.where == where
    assert words in refused.value.reason


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (lambda d: d["relations"][0].update(partner="p99"), "$.relations[0].partner", "“p99”"),
        (
            lambda d: d["relations"][2].update(since="2008-02-30"),
            "$.relations[2].since",
            "not a valid EDTF date",
        ),
        (
            lambda d: d["relations"][2]["agreements"][0].update(kind="nope"),
            "$.relations[2].agreements[0].kind",
            "“nope” is not in the vocabulary of agreement kinds",
        ),
        (
            lambda d: d["governance"][0].update(kind="nope"),
            "$.governance[0].kind",
            "“nope”",
        ),
    ],
)
def test_it_refuses_a_document_with_bad_content_and_changes_nothing(rich, change, where, words):
    document = copy_of(broken(rich, change))
    before = counts()
    with pytest.raises(RegisterFormatError) as refused:
        import_register(document, "halmstad.json")
    assert refused.value.where == where
    assert words in refused.value.reason
    assert counts() == before


def test_it_names_the_line_of_a_json_syntax_error(db):
    with pytest.raises(RegisterFormatError) as refused:
        loads('{\n  "format": "vanort-register",\n  "version": 1,,\n}', "bad.json")
    assert refused.value.where.startswith("line 3")
    assert str(refused.value).startswith("bad.json: line 3")


def test_decimals_keep_their_digits(rich):
    document = export_register(rich)
    halmstad = document["places"][0]
    assert halmstad["latitude"] == "56.673900"
    assert Decimal(halmstad["latitude"]) == rich.place.latitude
    assert AgreementKind.objects.count() == len(document["vocabularies"]["agreement_kinds"])
