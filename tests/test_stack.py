"""The production stack (docs/deploy.md): nginx in front of two app instances (granian) on
one PostgreSQL with the shared Redis cache. nginx answers from its own copy without asking
the app, and an edit is still seen at once through either instance and through nginx: no
stale page anywhere (issue 14).

Runs in CI's PostgreSQL run (`-m stack` alone); skipped on SQLite, and without nginx or
redis-server except under CI=true, where their absence fails."""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import stack  # noqa: E402

pytestmark = pytest.mark.stack

PAGE = "/sv/halmstad/"
EDIT = """
from register.models import Relation
relation = Relation.objects.get(partner__name="Stord")
relation.description_sv = "Ändrad genom stacken."
relation.save()
"""


def _needs(program, name):
    if program is None:
        if os.getenv("CI", "").lower() == "true":
            pytest.fail(f"{name} is not installed; CI must run the stack test")
        pytest.skip(f"{name} is not installed")


@pytest.fixture
def database_url():
    """A database of the stack's own on the suite's PostgreSQL server, dropped after."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the stack runs on PostgreSQL (the suite's PostgreSQL run)")
    import psycopg

    name = f"vanort_stack_{uuid.uuid4().hex[:8]}"
    params = dict(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None
    )
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    yield f"postgres://{auth}@{db['HOST']}:{params['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read().decode()  # any case


def test_an_edit_is_seen_at_once_through_every_instance_and_nginx(tmp_path, database_url):
    _needs(stack.NGINX, "nginx")
    _needs(stack.REDIS, "redis-server")
    with stack.Stack(tmp_path, database_url, instances=2, workers=1) as running:
        urls = [*running.app_urls, running.nginx_url]
        for url in urls:  # every cache warm: Redis, and the copy nginx keeps
            for _ in range(2):
                assert "Ändrad genom stacken." not in fetch(url + PAGE)[2]
        status, headers, _ = fetch(running.nginx_url + "/static/public/site.css")
        assert status == 200 and "text/css" in headers["Content-Type"]

        assert fetch(running.nginx_url + PAGE)[1]["X-Cache-Status"] == "HIT"  # app not asked
        before = os.readlink(running.generation)

        stack.vanort(["shell", "-c", EDIT], running.env())

        assert os.readlink(running.generation) != before  # moved on by the committing process
        status, headers, page = fetch(running.nginx_url + PAGE)
        assert "Ändrad genom stacken." in page and headers["X-Cache-Status"] == "MISS"
        for url in [*running.app_urls, running.nginx_url]:
            assert "Ändrad genom stacken." in fetch(url + PAGE)[2], url
        # What nginx passes on is the app's: validators and cache policy.
        status, headers, _ = fetch(running.nginx_url + PAGE)
        assert headers["X-Cache-Status"] == "HIT"
        assert headers["Cache-Control"] == "public, max-age=0, must-revalidate"
        assert "ETag" in headers and "X-Accel-Expires" not in headers
        # A browser's revalidation is answered by nginx from its copy.
        request = urllib.request.Request(
            running.nginx_url + PAGE, headers={"If-None-Match": headers["ETag"]}
        )
        with pytest.raises(urllib.error.HTTPError) as not_modified:
            urllib.request.urlopen(request, timeout=10)
        assert not_modified.value.code == 304


def test_nginx_keeps_a_page_only_until_it_changes_by_itself(tmp_path, database_url):
    """The app's X-Accel-Expires is the absolute moment of the page's next change by
    itself (the phone line opening, midnight), so a copy nginx kept cannot outlive it."""
    _needs(stack.NGINX, "nginx")
    _needs(stack.REDIS, "redis-server")
    with stack.Stack(tmp_path, database_url, instances=1, workers=1) as running:
        app = running.app_urls[0]
        status, headers, _ = fetch(app + "/sv/halmstad/kontakt/")
        expires = headers["X-Accel-Expires"]
        assert expires.startswith("@")
        remaining = int(expires[1:]) - time.time()
        assert 0 < remaining <= 24 * 3600 + 60


def test_an_api_list_follows_an_edit_through_nginx(tmp_path, database_url):
    _needs(stack.NGINX, "nginx")
    _needs(stack.REDIS, "redis-server")
    with stack.Stack(tmp_path, database_url, instances=2, workers=1) as running:
        path = "/api/relations?organisation=halmstad"
        for _ in range(3):
            assert "genom stacken." not in fetch(running.nginx_url + path)[2]
        stack.vanort(["shell", "-c", EDIT], running.env())
        for url in [running.nginx_url, *running.app_urls]:
            assert "genom stacken." in fetch(url + path)[2], url  # JSON: \u00c4ndrad


EDITS_AND_READS = """
import urllib.request
from register.models import Relation
relation = Relation.objects.get(partner__name="Stord")
for number in range(5):
    relation.description_sv = f"Ändring nummer {number}."
    relation.save()
    with urllib.request.urlopen("{url}", timeout=10) as response:
        page = response.read().decode()
    assert f"Ändring nummer {number}." in page, number
print("all seen")
"""


def test_edit_after_edit_is_seen_through_nginx_at_once(tmp_path, database_url):
    """Five edits in a row, each read back through nginx as soon as it is saved: every
    one moves the generation on, none is answered from the copy before it."""
    _needs(stack.NGINX, "nginx")
    _needs(stack.REDIS, "redis-server")
    with stack.Stack(tmp_path, database_url, instances=2, workers=1) as running:
        for _ in range(2):
            fetch(running.nginx_url + PAGE)
        script = EDITS_AND_READS.replace("{url}", running.nginx_url + PAGE)
        assert "all seen" in stack.vanort(["shell", "-c", script], running.env())
