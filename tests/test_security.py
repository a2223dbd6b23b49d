"""Sign-in, passwords, security headers and production settings, from the outside."""

from __future__ import annotations

import re
import secrets
import subprocess

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.conftest import ROOT, VANORT

PAGE = "/sv/halmstad/"


def csp_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_protected(response) -> None:
    policy = csp_of(response)
    sources = [source for values in policy.values() for source in values]
    assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    assert not [s for s in sources if "://" in s or s.endswith(":") and s != "data:"], sources
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def inline_code(html: str) -> list[str]:
    """Scripts without src, style elements and style attributes: what the CSP blocks."""
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    # JSON data blocks are not run, so the policy does not concern them
    found = [tag for tag in scripts if not re.search(r'type="application/(ld\+)?json"', tag)]
    found += re.findall(r"<style\b", html)
    found += re.findall(r"\sstyle=\"", html)
    found += re.findall(r"\son[a-z]+=\"", html)  # onclick=… handlers
    return found


def test_it_protects_the_public_page(client, demo):
    response = client.get(PAGE)
    assert response.status_code == 200
    assert_protected(response)
    html = response.content.decode()
    assert inline_code(html) == []
    assert not re.search(r"(src|href)=\"https?://(?!www\.halmstad)[^\"]*\.(js|css)", html)


def test_it_protects_the_organisations_colour_stylesheet(client, demo):
    assert_protected(client.get("/sv/halmstad/theme.css"))


def test_it_protects_the_admin(client, alice):
    assert_protected(client.get(reverse("admin:login")))
    client.force_login(alice)
    for url in (
        reverse("admin:index"),
        reverse("admin:register_relation_changelist"),
        reverse(
            "admin:register_relation_change",
            args=[alice.memberships.get().organisation.relations.first().pk],
        ),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert_protected(response)
        assert [tag for tag in inline_code(response.content.decode()) if "<script" in tag] == []


def test_it_protects_error_pages(client, db):
    response = client.get("/sv/no-such-municipality/")
    assert response.status_code == 404
    assert_protected(response)


def test_it_hashes_passwords_with_argon2(alice):
    assert User.objects.get(username="alice").password.startswith("argon2")


def sign_in(browser: Client, password: str):
    return browser.post(
        reverse("admin:login"), {"username": "alice", "password": password, "next": "/admin/"}
    )


def test_it_locks_sign_in_after_repeated_failures_and_unlocks_by_command(alice, settings):
    browser = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(browser, "wrong").status_code == 200  # the form again, with an error
    locked = sign_in(browser, "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "vanort unlock-user alice" in text
    # the right password does not help while locked
    assert sign_in(browser, "a-long-Passw0rd-x").status_code == 429
    call_command("unlock_user", "alice")
    assert sign_in(browser, "a-long-Passw0rd-x").status_code == 302


def test_it_signs_in_with_the_right_password(alice):
    response = sign_in(Client(), "a-long-Passw0rd-x")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def vanort(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process (Playwright runs an
    # event loop); a deployment never has it, and the deploy check rightly refuses it.
    unset = ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in __import__("os").environ.items() if k not in unset}
    return subprocess.run(
        [VANORT, *args], env={**clean, **env}, cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def production(tmp_path) -> dict[str, str]:
    return {
        "VANORT_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "vanort.example.se",
        "VANORT_VAR_DIR": str(tmp_path),
    }


def test_production_settings_pass_the_deployment_check(production):
    result = vanort("check", "--deploy", "--fail-level", "WARNING", **production)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_requires_a_secret_key_and_hosts(production):
    without_key = {**production, "SECRET_KEY": ""}
    result = vanort("check", **without_key)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    without_hosts = {**production, "ALLOWED_HOSTS": ""}
    result = vanort("check", **without_hosts)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_turns_debug_off(production):
    result = vanort(
        "shell",
        "-c",
        "from django.conf import settings; print('DEBUG', settings.DEBUG)",
        **production,
        DEBUG="true",
    )
    assert "DEBUG False" in result.stdout, result.stderr
