"""Every public page in a real browser: Debian's Chromium driven by Playwright against a
live server. axe-core (WCAG 2.0/2.1 A and AA), the Nu Html Checker, the keyboard, the
requests a page makes, layout at 320/375/1280 px and at 200 % text, "open now" under a
pinned clock. Screenshots go to test-artifacts/screenshots/.

Runs once, on SQLite (`make test`); with CI=true a missing browser or checker fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.test_public_site import PAGES

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = "/usr/bin/java"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
STOCKHOLM = ZoneInfo("Europe/Stockholm")
ALL_PAGES = PAGES["sv"] + PAGES["en"]

# Playwright's sync API runs an event loop in this thread; Django refuses database work
# in a thread with a running loop unless told it is safe (the tests are sequential).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def missing(what: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is missing: the browser tests cannot run (CI=true)")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        missing(f"Chromium ({CHROMIUM}; apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(transactional_db, live_server):
    from register.demo import load_demo

    load_demo()
    return live_server.url


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(width: int = 1280, height: int = 900, **options):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            timezone_id="Europe/Stockholm",
            **options,
        )
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()


def slug(url: str) -> str:
    return url.strip("/").replace("/", "-")


def test_every_page_passes_axe_for_wcag_2_1_a_and_aa(site, new_page):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = new_page()
    report = {}
    for url in ALL_PAGES:
        page.goto(site + url, wait_until="networkidle")
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        violations = results.response["violations"]
        report[url] = [
            (v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3]) for v in violations
        ]
        assert results.response["passes"] or violations is not None  # axe did run
    failing = {url: found for url, found in report.items() if found}
    print(
        f"axe-core {results.response['testEngine']['version']}: {len(report)} pages, "
        f"{sum(len(v) for v in failing.values())} violations"
    )
    assert not failing, json.dumps(failing, indent=1)
    assert not page.problems, page.problems  # no script error, no CSP refusal


def test_every_page_is_valid_html_by_the_nu_html_checker(site, tmp_path):
    if not VNU.exists():
        missing(f"the Nu Html Checker ({VNU.relative_to(ROOT)}; npm ci)")
    if not Path(JAVA).exists():
        missing(f"Java ({JAVA}; apt-get install openjdk-17-jre-headless)")
    files = []
    for url in ALL_PAGES:
        with urllib.request.urlopen(site + url) as response:  # the HTML as served
            target = tmp_path / f"{slug(url)}.html"
            target.write_bytes(response.read())
            files.append(target)
    result = subprocess.run(
        [JAVA, "-jar", str(VNU), "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [
        f"{Path(urlsplit(m['url']).path).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    print(
        f"Nu Html Checker: {len(files)} pages, {len(errors)} errors, "
        f"{sum(m.get('subType') == 'warning' for m in messages)} warnings"
    )
    assert not errors, "\n".join(errors)
    assert len(files) == len(ALL_PAGES)


FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const focusable = Array.from(document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), textarea, select, [tabindex]:not([tabindex="-1"])'
  )).filter((node) => !node.closest('[hidden]') && node.getClientRects().length > 0);
  return {
    index: focusable.indexOf(el),
    count: focusable.length,
    text: (el.innerText || el.value || el.name || el.tagName).trim().slice(0, 40),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    shadow: style.boxShadow !== 'none',
    visible: box.width > 0 && box.height > 0,
  };
}"""


def test_the_keyboard_reaches_every_control_in_order_with_visible_focus(site, new_page):
    page = new_page()
    for url in ALL_PAGES:
        page.goto(site + url, wait_until="networkidle")
        page.keyboard.press("Tab")
        first = page.evaluate(FOCUS_STATE)
        assert first["index"] == 0 and "skip-link" in page.evaluate(
            "document.activeElement.className"
        ), (url, first)
        assert first["visible"] and (first["outline"] or first["shadow"]), (url, first)
        page.keyboard.press("Enter")  # the skip link moves focus to the content
        assert page.evaluate("document.activeElement.id") == "main", url
        assert page.evaluate("location.hash") == "#main"
        page.goto(site + url, wait_until="networkidle")
        reached = []
        for _ in range(400):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUS_STATE)
            if state is None or (reached and state["index"] <= reached[-1]["index"]):
                break
            assert state["visible"] and (state["outline"] or state["shadow"]), (url, state)
            reached.append(state)
        order = [state["index"] for state in reached]
        assert order == list(range(reached[0]["count"])), (url, order)


def test_no_page_load_asks_any_host_but_the_test_server(site, new_page):
    page = new_page(width=375, permissions=["clipboard-read", "clipboard-write"])
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    server = urlsplit(site).netloc
    for url in ALL_PAGES:
        page.goto(site + url, wait_until="networkidle")
    page.clock.install(time=datetime(2026, 6, 18, 16, 59, tzinfo=STOCKHOLM))
    page.goto(site + PAGES["sv"][0], wait_until="networkidle")  # with its open-now fetch
    foreign = [
        u
        for u in requested
        if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != server
    ]
    print(f"{len(requested)} requests over {len(ALL_PAGES) + 1} page loads, all to {server}")
    assert requested and not foreign, foreign
    assert any("open-now.json" in u for u in requested)


def test_layout_at_320_375_and_1280_px_and_200_percent_text_without_horizontal_scroll(
    site, new_page
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    overflow = []
    for width in (320, 375, 640, 1280):
        page = new_page(width=width, height=800)
        for url in ALL_PAGES:
            # "load", not "networkidle": the layout is complete once the page and its
            # styles have loaded; waiting 500 ms for network quiet per page bought nothing.
            page.goto(site + url, wait_until="load")
            if width in (375, 1280):
                page.screenshot(path=ARTIFACTS / f"{slug(url)}-{width}.png", full_page=True)
            # Text at 200 % where WCAG asks it (1.4.4: 1280 px, and 640 px = 1280 px at
            # 200 % browser zoom); 320 px at 100 % is the reflow case (1.4.10).
            for zoom in ("100%", "200%") if width >= 640 else ("100%",):
                page.evaluate(f"document.documentElement.style.fontSize = '{zoom}'")
                sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                if sizes[0] > sizes[1]:
                    overflow.append((url, width, zoom, sizes))
            if width == 1280:  # text at 200 %: the page reflows, nothing is cut off
                page.screenshot(path=ARTIFACTS / f"{slug(url)}-1280-text-200.png")
    shots = sorted(ARTIFACTS.glob("*.png"))
    print(f"{len(shots)} screenshots in {ARTIFACTS.relative_to(ROOT)}")
    assert not overflow, overflow
    assert len([s for s in shots if s.stem.endswith(("-375", "-1280"))]) >= 2 * len(ALL_PAGES)


def open_line(page, key: str) -> str:
    return " ".join(page.locator(f'[data-open-line="{key}"]').inner_text().split())


def test_open_now_is_right_for_a_pinned_clock_and_stays_right_without_a_reload(site, new_page):
    page = new_page()
    page.clock.install(time=datetime(2026, 6, 18, 16, 59, tzinfo=STOCKHOLM))
    page.goto(site + "/sv/halmstad/kontakt/", wait_until="networkidle")
    page.wait_for_function(
        "document.querySelector('[data-open-line=visitors]').innerText.includes('17.00')"
    )
    assert open_line(page, "visitors") == "Öppet nu. Stänger kl. 17.00"
    page.clock.run_for("02:00")  # 17:01 on the Thursday before Midsummer Eve
    assert open_line(page, "visitors") == "Stängt nu. Öppnar måndag kl. 08.00"
    assert open_line(page, "phone") == "Stängt nu. Öppnar måndag kl. 07.00"

    page = new_page()
    page.clock.install(time=datetime(2026, 6, 19, 10, 0, tzinfo=STOCKHOLM))
    page.goto(site + "/en/halmstad/contact/", wait_until="networkidle")
    page.wait_for_function(
        "document.querySelector('[data-open-line=visitors]').innerText.includes('Midsummer')"
    )
    assert open_line(page, "visitors") == "Closed now (Midsummer Eve). Opens Monday at 08:00"

    page = new_page()
    page.clock.install(time=datetime(2026, 6, 15, 7, 30, tzinfo=STOCKHOLM))
    page.goto(site + "/sv/halmstad/kontakt/", wait_until="networkidle")
    page.wait_for_function(
        "document.querySelector('[data-open-line=phone]').innerText.includes('Stänger')"
    )
    assert open_line(page, "phone") == "Öppet nu. Stänger kl. 17.00"
    assert open_line(page, "visitors") == "Stängt nu. Öppnar kl. 08.00"
    page.clock.run_for("31:00")  # 08:01: the desk has opened in the open page
    assert open_line(page, "visitors") == "Öppet nu. Stänger kl. 17.00"
    assert not page.problems, page.problems


def test_copy_link_works_and_says_so_to_screen_readers(site, new_page):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(site + "/sv/halmstad/", wait_until="networkidle")
    page.get_by_role("button", name="Kopiera länk").click()
    status = page.get_by_role("status").filter(has_text="Länken")
    assert status.inner_text() == "Länken är kopierad."
    assert page.evaluate("navigator.clipboard.readText()") == site + "/sv/halmstad/"
    has_web_share = page.evaluate("typeof navigator.share === 'function'")
    assert page.locator(".web-share").is_visible() == has_web_share


def test_the_print_style_leaves_out_navigation_and_sharing(site, new_page):
    page = new_page()
    page.goto(site + "/sv/halmstad/", wait_until="networkidle")
    page.emulate_media(media="print")
    assert not page.locator(".share").is_visible()
    assert not page.locator(".site-nav").is_visible()
    assert page.get_by_role("heading", level=1).is_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # the page as a reader would print it
    page.pdf(path=ARTIFACTS / "sv-halmstad-print.pdf")


def test_the_feedback_form_works_from_the_keyboard_and_explains_its_errors(site, new_page):
    from axe_playwright_python.sync_playwright import Axe

    from public.models import AccessibilityFeedback

    page = new_page()
    page.goto(site + "/en/halmstad/accessibility/", wait_until="networkidle")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.activeElement.className") == "error-summary"
    assert page.get_by_role("alert").get_by_role("link").first.inner_text() == (
        "Describe the problem, so that we can fix it."
    )
    violations = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert not violations.response["violations"], violations.generate_report()
    page.get_by_role("alert").get_by_role("link").first.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_message"
    page.keyboard.type("The map labels are too small on my phone.")
    page.get_by_label("Your e-mail address").fill("reader@example.se")
    page.get_by_role("button", name="Send").press("Enter")
    page.wait_for_load_state("networkidle")
    assert (
        "Thank you. We have received your report" in page.get_by_role("status").first.inner_text()
    )
    feedback = AccessibilityFeedback.objects.get()
    assert feedback.message == "The map labels are too small on my phone." and feedback.mailed
    assert not page.problems, page.problems


# --- the map, an image file of its own (issue 15) ------------------------------------------


MAP_LABELS = """() => {
  const svg = document.documentElement;
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = Array.from(document.querySelectorAll('text')).map(
    (text) => parseFloat(getComputedStyle(text).fontSize) * scale);
  return {count: sizes.length, smallest: Math.min(...sizes)};
}"""


@pytest.mark.parametrize("width", [320, 375, 1280])
def test_the_maps_labels_are_at_least_12_px_wherever_it_is_shown(site, new_page, width):
    """The page shows the map with <img>, so the drawing's own media query sizes its
    labels by the width the image is shown at. Opened by itself at that width it is laid
    out the same: each label, scaled as the image is, is at least 12 CSS px (WCAG 1.4.4)."""
    page = new_page(width=width)
    page.goto(site + "/sv/halmstad/", wait_until="load")
    image = page.locator(".map-figure img")
    shown = image.evaluate("img => img.getBoundingClientRect().width")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")  # it loaded
    alt = image.get_attribute("alt")
    assert "Moshi" in alt and "Hangö" in alt
    drawing = new_page(width=round(shown), height=3000)
    drawing.goto(site + "/sv/halmstad/karta.svg", wait_until="load")
    labels = drawing.evaluate(MAP_LABELS)
    print(
        f"map shown {shown:.0f} px wide at {width} px: smallest label {labels['smallest']:.1f} px"
    )
    assert labels["count"] >= 7 and labels["smallest"] >= 12, labels
    assert not drawing.problems, drawing.problems  # its styles are allowed by its policy


def test_the_map_is_valid_svg_by_the_nu_html_checker(site, tmp_path):
    if not VNU.exists():
        missing(f"the Nu Html Checker ({VNU.relative_to(ROOT)}; npm ci)")
    if not Path(JAVA).exists():
        missing(f"Java ({JAVA}; apt-get install openjdk-17-jre-headless)")
    files = []
    for url in ("/sv/halmstad/karta.svg", "/en/halmstad/map.svg"):
        with urllib.request.urlopen(site + url) as response:
            target = tmp_path / f"{slug(url)}"
            target.write_bytes(response.read())
            files.append(str(target))
    result = subprocess.run(
        [JAVA, "-jar", str(VNU), "--also-check-svg", "--format", "json", "--stdout", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = [m["message"] for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    print(f"Nu Html Checker: {len(files)} maps, {len(errors)} errors")
    assert not errors, errors
