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
                ".textContent)['@graph'].map(thing => thing['@type'])"
            )
            assert "GovernmentOrganization" in found
            assert page.evaluate("window.__violations") == []
            page.goto(f"{live_server.url}/api/docs")
            page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
            assert "Vänort open data" in page.inner_text(".swagger-ui .info .title")
            page.wait_for_selector(".opblock", timeout=20000)
            assert page.evaluate("window.__violations") == []
        finally:
            browser.close()


def _serve_elsewhere(html: str):
    """A page on another origin (its own port on 127.0.0.1), as a web map or notebook
    hosted elsewhere would be."""
    import http.server
    import threading

    body = html.encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.browser
def test_a_page_on_another_origin_reads_the_api_after_a_preflight(live_server, transactional_db):
    """If-None-Match is no CORS-safelisted header, so the browser sends an OPTIONS
    preflight first; the API allows it, and the exposed ETag is readable. The admin is
    not open to other origins."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is missing (CI=true)")
        pytest.skip("Chromium is missing")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    from register.demo import load_demo

    load_demo()
    api = live_server.url.replace("127.0.0.1", "localhost")  # another origin than the page
    elsewhere = _serve_elsewhere("<!doctype html><title>A map elsewhere</title>")
    methods = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            try:
                page = browser.new_page()
                page.on("request", lambda request: methods.append(request.method))
                page.goto(f"http://127.0.0.1:{elsewhere.server_port}/")
                answer = page.evaluate(
                    """async (api) => {
                        const r = await fetch(api + '/api/places',
                                              {headers: {'If-None-Match': '"not-it"'}});
                        const body = await r.json();
                        let admin = 'read';
                        try { await fetch(api + '/admin/login/',
                                          {headers: {'If-None-Match': '"x"'}}); }
                        catch (e) { admin = 'refused'; }
                        return {status: r.status, etag: r.headers.get('ETag'),
                                places: body.items.length, admin: admin};
                    }""",
                    api,
                )
            finally:
                browser.close()
    finally:
        elsewhere.shutdown()
    assert answer["status"] == 200 and answer["places"] > 0
    assert answer["etag"], "the ETag is exposed to the other origin"
    assert answer["admin"] == "refused"
