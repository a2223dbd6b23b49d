"""The sign-in lockout is keyed on the real client's address behind the TLS proxy, and
a forged X-Forwarded-For has no effect (issue 12 #5; VANORT_TRUSTED_PROXIES)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
RIGHT = "a-long-Passw0rd-x"


def sign_in(password: str, remote: str, forwarded: str | None = None) -> int:
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    response = Client(**headers).post(
        reverse("admin:login"), {"username": "alice", "password": password, "next": "/admin/"}
    )
    return response.status_code


def fail_until_locked(settings, remote: str, forwarded=None) -> None:
    codes = [sign_in("wrong", remote, forwarded) for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert codes[-1] == 429, codes


def test_behind_the_configured_proxy_two_clients_are_locked_separately(alice, settings):
    settings.VANORT_TRUSTED_PROXIES = [PROXY]
    fail_until_locked(settings, PROXY, "203.0.113.5")  # the attacker, through the proxy
    assert sign_in(RIGHT, PROXY, "203.0.113.5") == 429
    assert sign_in(RIGHT, PROXY, "198.51.100.7") == 302  # alice herself, elsewhere


def test_behind_the_proxy_a_client_cannot_dodge_the_lock_by_forging_the_header(alice, settings):
    """The proxy appends the address it saw; what the client wrote stands to its left."""
    settings.VANORT_TRUSTED_PROXIES = ["10.0.0.0/24"]
    codes = [
        sign_in("wrong", PROXY, f"192.0.2.{n}, 203.0.113.5")
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes[-1] == 429, codes
    assert sign_in(RIGHT, PROXY, "192.0.2.99, 203.0.113.5") == 429
    assert sign_in(RIGHT, PROXY, "203.0.113.9") == 302


@pytest.mark.parametrize("proxies", [[], [PROXY]])
def test_a_forged_header_from_outside_neither_dodges_nor_causes_a_lock(alice, settings, proxies):
    settings.VANORT_TRUSTED_PROXIES = proxies
    attacker, victim = "203.0.113.5", "198.51.100.7"
    # A new forged address on every try: still one attacker, locked.
    codes = [sign_in("wrong", attacker, f"192.0.2.{n}") for n in range(settings.AXES_FAILURE_LIMIT)]
    assert codes[-1] == 429, codes
    assert sign_in(RIGHT, attacker, "192.0.2.200") == 429
    # The forged header named the victim's address: the victim is not locked.
    fail_until_locked(settings, "203.0.113.6", victim)
    assert sign_in(RIGHT, victim) == 302
