"""The response cache (issue 14, vanort/caching.py): a cached answer is byte-identical to
a fresh one, and every kind of change, and time passing, reaches the cached page at once."""

from __future__ import annotations

import os
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import OperationalError, close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from register import versions
from register.models import (
    Activity,
    ActivityKind,
    Agreement,
    AgreementKind,
    DecidingBody,
    Decision,
    FocusArea,
    Funding,
    GovernanceRule,
    Organisation,
    Place,
    PlaceName,
    Relation,
    Source,
)

PAGE = "/sv/halmstad/"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def get(client, url=PAGE, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    response.queries = len(queries)
    return response


def body(client, url=PAGE) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_it_answers_a_second_request_from_the_cache_in_one_query(client, demo):
    cold = get(client)
    warm = get(client)
    assert cold.status_code == warm.status_code == 200
    assert cold.queries > 1
    assert warm.queries == 1  # the data version, nothing else


def test_it_serves_a_cached_page_byte_identical_to_a_fresh_one(client, demo):
    first = get(client)
    cached = get(client)
    caches["responses"].clear()
    fresh = get(client)
    assert cached.queries == 1 and fresh.queries > 1
    assert cached.content == fresh.content == first.content
    assert dict(cached.items()) == dict(fresh.items())


def test_a_gzip_answer_is_cached_apart_and_identical(client, demo):
    gzip = {"HTTP_ACCEPT_ENCODING": "gzip"}
    plain = get(client)
    compressed = get(client, **gzip)
    again = get(client, **gzip)
    assert compressed["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert again.queries == 1 and again.content == compressed.content


def test_the_page_answers_conditional_requests(client, demo):
    first = get(client)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert get(client, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert get(client, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    caches["responses"].clear()  # a miss answers the condition too
    assert get(client, HTTP_IF_NONE_MATCH=etag).status_code == 304
    edit_a_field(demo)
    assert get(client, HTTP_IF_NONE_MATCH=etag).status_code == 200


# --- every kind of change reaches the cached page -----------------------------------------


def edit_a_field(demo):
    relation = Relation.objects.get(partner__name="Stord")
    relation.description_sv = "En alldeles ny beskrivning."
    relation.save()
    return "En alldeles ny beskrivning.", True


def link_a_focus_area(demo):
    area = FocusArea.objects.create(code="rymdfart", label_sv="Rymdfart", label_en="Space")
    Agreement.objects.filter(relation__partner__name="Moshi").first().focus_areas.add(area)
    return "Rymdfart", True


def delete_a_relation(demo):
    Relation.objects.get(partner__name="Moshi").delete()
    return "Moshi", False


def revert_an_edit(demo):
    relation = Relation.objects.get(partner__name="Stord")
    before = relation.history.earliest()
    relation.description_sv = "Tillfällig text."
    relation.save()
    return lambda client: (
        "Tillfällig text." in body(client)
        and before.instance.save() is None
        and "Tillfällig text." not in body(client)
    )


def change_a_rule(demo):
    rule = GovernanceRule.objects.get(organisation=demo, kind__code="kommunalt-partnerskap")
    rule.body = DecidingBody.COUNCIL
    rule.save()
    return "kommunfullmäktige som beslutar om vänortsavtal och kommunala partnerskap", True


def change_the_hours(demo):
    demo.phone_hours = "Mo-Fr 09:00-11:00; PH off"
    demo.save()
    return "kl. 09.00–11.00", True


def rename_a_partner_place(demo):
    place = Place.objects.get(name="Stord")
    place.region = place.region  # a save of a shared record: the partner's organisations
    place.name = "Stord kommune"
    place.save()
    return "Stord kommune", True


def rename_a_shared_vocabulary(demo):
    kind = AgreementKind.objects.get(code="kommunalt-partnerskap")
    kind.label_sv = "kommunalt superpartnerskap"
    kind.save()
    return "superpartnerskap", True


@pytest.mark.parametrize(
    ("change", "url"),
    [
        (edit_a_field, PAGE),
        (link_a_focus_area, PAGE),
        (delete_a_relation, PAGE),
        (revert_an_edit, PAGE),
        (change_a_rule, PAGE),
        (change_the_hours, "/sv/halmstad/kontakt/"),
        (rename_a_partner_place, PAGE),
        (rename_a_shared_vocabulary, PAGE),
    ],
)
def test_every_kind_of_change_reaches_the_cached_page_at_once(client, demo, change, url):
    body(client, url)
    assert get(client, url).queries == 1  # cached
    expected = change(demo)
    if callable(expected):
        assert expected(client)
        return
    text, shown = expected
    assert (text in body(client, url)) is shown
    caches["responses"].clear()
    assert (text in body(client, url)) is shown  # as a fresh render says


def test_a_change_to_another_organisation_leaves_the_page_cached(client, demo):
    place = Place.objects.create(name="Varberg", country="SE")
    other = Organisation.objects.create(place=place, slug="varberg", name_sv="Varbergs kommun")
    body(client)
    other.name_sv = "Varbergs kommun (ändrad)"
    other.save()
    assert get(client).queries == 1


def test_a_rolled_back_change_leaves_no_version_behind(client, demo):
    from django.db import transaction

    before = versions.for_organisation("halmstad").key
    with pytest.raises(RuntimeError), transaction.atomic():
        demo.save()
        assert versions.for_organisation("halmstad").key != before
        raise RuntimeError
    assert versions.for_organisation("halmstad").key == before


# --- time passing -----------------------------------------------------------------------


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


def test_the_page_changes_when_an_agreement_ends(client, demo):
    relation = Relation.objects.get(partner__name="Stord")
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    Agreement.objects.create(
        relation=relation, kind=kind, start="2020", end="2030-06-30", is_published=True
    )
    with time_machine.travel(at("2030-06-30 23:59:30"), tick=False):
        before = body(client)
        assert get(client).queries == 1
    with time_machine.travel(at("2030-07-01 00:00:01"), tick=False):
        after = get(client)
    assert after.queries > 1  # expired at midnight
    # told in the present perfect while in force, in the past tense once ended (issue 15)
    assert "sedan 2020 ett samarbetsavtal med Stord" in before
    assert "hade mellan 2020 och den 30 juni 2030 ett samarbetsavtal med Stord" in (
        after.content.decode()
    )


def test_the_page_changes_when_the_phone_line_opens(client, demo):
    url = "/sv/halmstad/kontakt/"
    with time_machine.travel(at("2026-06-15 06:59:00"), tick=False):  # a Monday
        closed = body(client, url)
    with time_machine.travel(at("2026-06-15 06:59:59"), tick=False):
        assert get(client, url).queries == 1
    with time_machine.travel(at("2026-06-15 07:00:00"), tick=False):
        opened = get(client, url)
    assert opened.queries > 1 and opened.content.decode() != closed


def test_a_page_rendered_anywhere_in_a_stretch_is_the_same(client, demo):
    with time_machine.travel(at("2026-06-15 09:00"), tick=False):
        early = body(client)
    caches["responses"].clear()
    with time_machine.travel(at("2026-06-15 15:59"), tick=False):
        late = body(client)
    assert early == late


# --- what is never cached ---------------------------------------------------------------


def test_staff_get_a_fresh_page(admin_client, demo):
    admin_client.get(PAGE)
    assert get(admin_client).queries > 1


def test_the_feedback_form_page_is_not_cached(client, demo):
    url = "/sv/halmstad/tillganglighet/"
    first = client.get(url)
    assert "csrftoken" in first.cookies
    assert get(client, url).queries > 1


def test_an_unknown_organisation_is_not_cached(client, demo):
    assert client.get("/sv/nowhere/").status_code == 404
    assert get(client, "/sv/nowhere/").queries > 1


# --- the API ------------------------------------------------------------------------------


def test_the_api_lists_are_cached_and_follow_the_data(client, demo):
    url = "/api/relations?organisation=halmstad"
    first = get(client, url)
    again = get(client, url)
    assert again.queries == 1 and again.content == first.content
    Relation.objects.get(partner__name="Moshi").delete()
    assert b"Moshi" in first.content and b"Moshi" not in client.get(url).content


def test_a_bulk_import_bumps_every_version(client, demo):
    before = versions.for_everything().key, versions.for_organisation("halmstad").key
    versions.bump_all()
    after = versions.for_everything().key, versions.for_organisation("halmstad").key
    assert before[0] != after[0] and before[1] != after[1]


# --- the database gone --------------------------------------------------------------------


def test_without_the_database_the_page_is_answered_from_the_cache(client, demo):
    page = body(client)
    with mock.patch.object(versions, "for_organisation", side_effect=OperationalError("gone")):
        response = client.get(PAGE)
    assert response.status_code == 200 and response.content.decode() == page


# --- a fixed number of queries ---------------------------------------------------------


def test_a_cold_page_takes_as_many_queries_for_50_partners_as_for_5(client, demo):
    """Each partner with all the page reads of one: names, sources, an agreement with an
    area, funding, a decision and a source, an activity with a theme and a source."""
    kind = AgreementKind.objects.get(code="samarbetsavtal")
    area = FocusArea.objects.first()
    activity_kind = ActivityKind.objects.first()

    def add(count) -> str:
        name = ""
        for number in range(Place.objects.count(), Place.objects.count() + count):
            place = Place.objects.create(
                name=f"Partner {number}", country="DE", latitude=50, longitude=10
            )
            PlaceName.objects.create(place=place, language="sv", name=f"Partnern {number}")
            relation = Relation.objects.create(
                organisation=demo, partner=place, since="2001", is_published=True
            )
            source = Source.objects.create(title=f"Protokoll {number}", organisation=demo)
            relation.sources.add(source)
            decision = Decision.objects.create(relation=relation, body="KS", reference="KS 1")
            agreement = Agreement.objects.create(
                relation=relation, kind=kind, start="2001", decision=decision, is_published=True
            )
            agreement.focus_areas.add(area)
            agreement.sources.add(source)
            Funding.objects.create(agreement=agreement, funder="Sida", share_percent=10)
            activity = Activity.objects.create(
                organisation=demo, kind=activity_kind, date="2010", is_published=True
            )
            activity.relations.add(relation)
            activity.themes.add(area)
            activity.sources.add(source)
            name = f"Partnern {number}"
        return name

    add(5 - demo.relations.count())
    with_5 = get(client)
    last = add(45)
    with_50 = get(client)
    assert demo.relations.count() == 50
    assert last in with_50.content.decode()
    assert with_5.queries == with_50.queries <= 16  # public/gather.py: 16 on 4 December 2026


# --- answered before Django's handler (vanort/wsgi.py, caching.CachedAnswers) ----------


class Wsgi:
    """The server's WSGI application called as gunicorn calls it, counting the requests
    that reached Django's handler behind it."""

    def __init__(self):
        from vanort.caching import CachedAnswers
        from vanort.wsgi import django_application

        self.reached_django = 0

        def django(environ, start_response):
            self.reached_django += 1
            return django_application(environ, start_response)

        self.application = CachedAnswers(django)

    def get(self, path, **headers):
        from django.test import RequestFactory

        path, _, query = path.partition("?")
        environ = RequestFactory().get(path, **headers).environ
        environ["QUERY_STRING"] = query
        answer = {}

        def start_response(status, header_list, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), dict(header_list)

        # As Django's test client does: the test's own connection (and transaction) stays.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            with CaptureQueriesContext(connection) as queries:
                chunks = self.application(environ, start_response)
                content = b"".join(chunks)
                getattr(chunks, "close", lambda: None)()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return answer["status"], answer["headers"], content, len(queries)


def test_a_cached_page_is_sent_before_django_byte_for_byte(client, demo):
    wsgi = Wsgi()
    first = wsgi.get(PAGE)
    assert wsgi.reached_django == 1
    status, headers, content, queries = wsgi.get(PAGE)
    assert wsgi.reached_django == 1 and queries == 1  # the version, nothing else
    caches["responses"].clear()
    fresh = client.get(PAGE)
    assert status == fresh.status_code == 200
    assert content == fresh.content == first[2]
    assert headers == dict(fresh.items())


def test_the_fast_path_answers_conditional_requests(demo):
    wsgi = Wsgi()
    _, headers, _, _ = wsgi.get(PAGE)
    status, not_modified, content, _ = wsgi.get(PAGE, HTTP_IF_NONE_MATCH=headers["ETag"])
    assert status == 304 and content == b"" and wsgi.reached_django == 1
    assert not_modified["ETag"] == headers["ETag"]


def test_the_fast_path_adds_the_cors_headers_the_api_has(client, demo):
    url, origin = "/api/relations?organisation=halmstad", "https://example.org"
    wsgi = Wsgi()
    wsgi.get(url, HTTP_ORIGIN=origin)
    status, headers, content, _ = wsgi.get(url, HTTP_ORIGIN=origin)
    assert wsgi.reached_django == 1
    caches["responses"].clear()
    fresh = client.get(url, HTTP_ORIGIN=origin)
    assert headers == dict(fresh.items()) and content == fresh.content
    headers = {name.lower(): value for name, value in headers.items()}
    assert headers["access-control-allow-origin"] == "*" and "origin" in headers["vary"].lower()


def test_a_plain_request_is_answered_from_what_the_process_sent_before(client, demo):
    wsgi = Wsgi()
    rendered, from_cache, ready = wsgi.get(PAGE), wsgi.get(PAGE), wsgi.get(PAGE)
    assert len(wsgi.application.ready.answers) == 1 and wsgi.reached_django == 1
    assert ready[3] == 1  # the version, nothing else
    caches["responses"].clear()
    fresh = client.get(PAGE)
    for answer in (rendered, from_cache, ready):
        assert answer[0] == 200 and answer[2] == fresh.content
        assert answer[1] == dict(fresh.items())


def test_after_an_edit_the_fast_path_sends_the_new_page(demo):
    wsgi = Wsgi()
    for _ in range(3):  # rendered, from the cache, ready in the process
        assert "Moshi" in wsgi.get(PAGE)[2].decode()
    Relation.objects.get(partner__name="Moshi").delete()
    _, _, content, _ = wsgi.get(PAGE)
    assert "Moshi" not in content.decode() and wsgi.reached_django == 2


def test_the_fast_path_sends_a_ready_answer_only_until_it_expires(demo):
    url, wsgi = "/sv/halmstad/kontakt/", Wsgi()
    with time_machine.travel(at("2026-06-15 06:59:00"), tick=False):  # a Monday
        closed = [wsgi.get(url)[2] for _ in range(3)][-1]
        assert len(wsgi.application.ready.answers) == 1
    with time_machine.travel(at("2026-06-15 07:00:00"), tick=False):  # the line opens
        opened = wsgi.get(url)[2]
    assert wsgi.reached_django == 2 and opened != closed


def test_a_host_not_allowed_is_refused_by_django_every_time(demo):
    wsgi = Wsgi()
    for _ in range(2):
        assert wsgi.get(PAGE, HTTP_HOST="evil.example")[0] == 400
    assert wsgi.reached_django == 2 and not wsgi.application.addresses


def test_staff_and_head_requests_go_to_django(demo):
    wsgi = Wsgi()
    wsgi.get(PAGE)
    wsgi.get(PAGE, HTTP_COOKIE="sessionid=abc")
    status, _, content, _ = wsgi.get(PAGE, REQUEST_METHOD="HEAD")
    assert wsgi.reached_django == 3


def test_a_revalidation_is_answered_from_the_headers_alone(client, demo):
    etag = client.get(PAGE)["ETag"]
    cache = caches["responses"]
    bodies = [key for key in cache._cache if ":entry:" in key and ":head:" not in key]
    for key in bodies:  # only the headers are left: a 304 needs no more
        del cache._cache[key]
    revalidated = get(client, HTTP_IF_NONE_MATCH=etag)
    assert revalidated.status_code == 304 and revalidated.queries == 1  # the version
    full = get(client)
    assert full.status_code == 200 and full.queries > 1  # the body was gone: rendered


def test_a_worker_warms_up_without_a_missing_template(caplog):
    from vanort.caching import warm_up

    with caplog.at_level("WARNING", logger="vanort.caching"):
        warm_up()
    assert not caplog.records, [record.getMessage() for record in caplog.records]


# --- nginx's copy: the generation link (docs/deploy.md) -------------------------------


@pytest.fixture
def generation(tmp_path, settings):
    settings.VANORT_NGINX_GENERATION = str(tmp_path / "current")
    return tmp_path / "current"


def test_a_committed_change_points_nginx_at_a_new_generation(transactional_db, demo, generation):
    from vanort.caching import point_nginx_at_the_current_generation

    first = point_nginx_at_the_current_generation()
    assert generation.resolve() == first and first.is_dir()
    assert point_nginx_at_the_current_generation() == first  # nothing changed: the same
    relation = Relation.objects.get(partner__name="Stord")
    relation.description_sv = "Ny text."
    relation.save()  # autocommit: committed at once
    assert generation.resolve() != first


def test_only_a_commit_moves_nginx_on(transactional_db, demo, generation):
    """Real transactions: a rolled-back change leaves the link, a committed one moves it."""
    from django.db import transaction

    from vanort.caching import point_nginx_at_the_current_generation

    first = point_nginx_at_the_current_generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        Relation.objects.get(partner__name="Stord").delete()
        assert generation.resolve() == first  # inside the transaction: not yet
        raise RuntimeError("rolled back")
    assert generation.resolve() == first
    with transaction.atomic():
        Relation.objects.get(partner__name="Stord").delete()
    assert generation.resolve() != first


def test_nginx_may_keep_a_page_until_it_changes_by_itself(client, demo, generation):
    with time_machine.travel(at("2026-06-15 06:59:00"), tick=False):  # a Monday
        response = client.get("/sv/halmstad/kontakt/")
    # the phone line opens at 07:00; the header is stored with the entry, so absolute
    assert response["X-Accel-Expires"] == f"@{int(at('2026-06-15 07:00:00').timestamp())}"


def test_without_a_generation_nginx_asks_again_every_time(client, demo):
    assert client.get(PAGE)["X-Accel-Expires"] == "@1"


def test_the_generation_command_points_the_link_or_says_what_is_missing(vanort_process, tmp_path):
    refused = vanort_process("nginx-generation", check=False)
    assert refused.returncode != 0 and "VANORT_NGINX_GENERATION is not set" in refused.stderr
    vanort_process("migrate", "--noinput", "-v", "0")
    link = tmp_path / "nginx" / "current"
    vanort_process.env["VANORT_NGINX_GENERATION"] = str(link)
    pointed = vanort_process("nginx-generation")
    assert str(link.resolve()) in pointed.stdout and link.resolve().is_dir()
    assert os.readlink(link).startswith("g-")  # relative, beside the link


def test_a_transaction_of_many_changes_moves_nginx_on_once(transactional_db, demo, generation):
    from django.db import transaction

    sent = []

    def count(sender, **kwargs):
        sent.append(sender)

    versions.committed.connect(count, weak=False, dispatch_uid="test-count")
    try:
        relation = Relation.objects.get(partner__name="Stord")
        with transaction.atomic():
            with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint undone
                relation.save()
                raise RuntimeError("rolled back")
            for number in range(3):
                relation.description_sv = f"Text {number}."
                relation.save()
    finally:
        versions.committed.disconnect(dispatch_uid="test-count")
    assert len(sent) == 1 and generation.is_symlink()
