"""The JSON-LD data block and the API docs work under the site's CSP, in Chromium on a
live server (a module of its own: it commits, so it cannot share the demo's transaction)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
def test_the_json_ld_block_and_the_api_docs_work_under_the_csp(live_server, transactional_db):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is missing (CI=true)")
        pytest.skip("Chromium is missing")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    from register.demo import load_demo

    load_demo()
    watch = """window.__violations = [];
    document.addEventListener('securitypolicyviolation',
        e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.add_init_script(watch)
            response = page.goto(f"{live_server.url}/sv/halmstad/")
            assert "script-src 'self'" in response.headers["content-security-policy"]
            found = page.evaluate(
                "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]')"
                ".textContent)['@type']"
            )
            assert found == "GovernmentOrganization"
            assert page.evaluate("window.__violations") == []
            page.goto(f"{live_server.url}/api/docs")
            page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
            assert "Vänort open data" in page.inner_text(".swagger-ui .info .title")
            page.wait_for_selector(".opblock", timeout=20000)
            assert page.evaluate("window.__violations") == []
        finally:
            browser.close()
