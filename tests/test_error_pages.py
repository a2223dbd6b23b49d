"""404, 403, 500 and 503 in the site's design, in Swedish and English (issue 12 #14),
and as application/problem+json under /api/."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def get(path: str, language: str = "sv", user=None):
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client.get(path)


def in_design(response) -> str:
    body = response.content.decode()
    assert "site.css" in body and 'class="skip-link"' in body and "<h1>" in body
    return body


@pytest.mark.parametrize(
    "path, language, expected",
    [
        ("/sv/no-such-municipality/", "en", "Sidan finns inte"),
        ("/en/no-such-municipality/", "sv", "Page not found"),
        ("/sv/halmstad/no/such/page/", "en", "Sidan finns inte"),
        ("/en/halmstad/no/such/page/", "sv", "Page not found"),
    ],
)
def test_a_missing_page_is_a_404_in_the_sites_design_and_language(path, language, expected):
    response = get(path, language)
    assert response.status_code == 404
    body = in_design(response)
    assert expected in body
    assert f'lang="{expected == "Page not found" and "en" or "sv"}"' in body


def test_the_apis_404_is_problem_json():
    response = get("/api/no-such-endpoint", "en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["status"] == 404


def test_a_forbidden_page_is_a_403_in_the_sites_design(charlie):
    for language, expected in (("sv", "Åtkomst nekad"), ("en", "Access denied")):
        response = get("/admin/register/relation/deleted/", language, user=charlie)
        assert response.status_code == 403
        assert expected in in_design(response)


@pytest.mark.urls("tests.error_urls")
def test_a_bug_is_a_500_in_the_sites_design_and_language():
    for path, expected in (
        ("/sv/fails/", "Något gick fel"),
        ("/en/fails/", "Something went wrong"),
    ):
        response = get(path)
        assert response.status_code == 500
        assert expected in in_design(response)


@pytest.mark.urls("tests.error_urls")
def test_a_database_fault_is_a_503_page_and_problem_json():
    response = get("/sv/gone/")
    assert response.status_code == 503 and response["Retry-After"]
    assert "Tjänsten är tillfälligt otillgänglig" in in_design(response)
    response = get("/api/gone/", "en")
    assert response.status_code == 503
    problem = json.loads(response.content)
    assert problem["title"] == "The service is temporarily unavailable"
