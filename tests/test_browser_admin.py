"""The admin in a real browser (Debian's Chromium, Playwright, live server, the strict
Content-Security-Policy on): an editor signs in and types an imprecise date; the form
says how the public page will write it, before saving."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from tests.conftest import _staff
from tests.test_browser_public import browser, new_page, site  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

PASSWORD = "Vänort-lösen-2026!"


@pytest.fixture
def signed_in(site, new_page):  # noqa: F811 - the fixtures imported above
    from register.models import Organisation

    editor = _staff("ebba", Organisation.objects.get(slug="halmstad"), Role.EDITOR)
    editor.set_password(PASSWORD)
    editor.save()
    page = new_page(locale="sv-SE")
    page.goto(f"{site}/admin/login/?next=/admin/")
    page.fill("#id_username", "ebba")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{site}/admin/")
    return page


def test_the_date_field_shows_the_published_wording_while_typing(site, signed_in):  # noqa: F811
    from register.models import Relation

    page = signed_in
    stord = Relation.objects.get(partner__name="Stord")
    page.goto(f"{site}/admin/register/relation/{stord.pk}/change/")
    wording = page.locator(".field-since .imprecise-date-text").first
    assert wording.text_content() == "sedan 1990-talet"

    # Playwright's expect polls without evaluating strings: the CSP forbids 'unsafe-eval'.
    page.fill("#id_since_0", "1994")
    page.select_option("#id_since_1", "year")
    expect(wording).to_have_text("sedan 1994")
    page.select_option("#id_since_2", "~")
    expect(wording).to_have_text("sedan cirka 1994")
    page.select_option("#id_since_1", "decade")
    expect(wording).to_have_text("sedan cirka 1990-talet")
    page.fill("#id_since_0", "1994-13")
    page.select_option("#id_since_1", "edtf")
    page.select_option("#id_since_2", "")
    expect(wording).to_contain_text("är inte ett giltigt EDTF-datum")
    assert stord.since == Relation.objects.get(pk=stord.pk).since  # nothing saved by typing
    assert not page.problems, page.problems  # no script error, no CSP refusal
