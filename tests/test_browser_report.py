"""The annual report and the map in a real browser (issue 15): no sideways scrolling of the
report at 375 px, axe 0 on it, and map labels of at least 12 CSS px on a 375 px screen."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from accounts.models import Membership
from register.models import Organisation
from tests.test_browser_public import ARTIFACTS, WCAG_TAGS, browser, new_page, site  # noqa: F401

pytestmark = pytest.mark.browser


def signed_in_page(site, new_page, width: int):  # noqa: F811
    user = get_user_model().objects.create_user("alice", "a@example.org", "pw", is_staff=True)
    Membership.objects.create(user=user, organisation=Organisation.objects.get(slug="halmstad"))
    from django.test import Client

    client = Client()
    client.force_login(user)
    page = new_page(width=width)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}]
    )
    return page


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_it_shows_the_report_on_a_phone_without_sideways_scrolling(site, new_page, lang):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    page = signed_in_page(site, new_page, 375)
    page.goto(f"{site}/{lang}/reports/halmstad/2010/?diarienummer=KS+2026/123")
    assert page.get_by_role("heading", level=1).count() == 1
    assert "KS 2026/123" in page.locator(".cover-facts").inner_text()  # the report, signed in
    width = page.evaluate("document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"report-{lang}-375.png", full_page=True)
    assert width <= 375, width
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert not results.response["violations"], results.generate_report()
