"""The national register's pages in a real browser (issue 16): axe-core, the Nu Html
Checker, the keyboard, no request to another host, and screenshots at 375 and 1280 px.
Reuses tests/test_browser_public.py's browser, checkers and focus probe."""

# ruff: noqa: F811  (the browser fixtures are imported, then named as test parameters)
from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.test_browser_public import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    FOCUS_STATE,
    JAVA,
    VNU,
    WCAG_TAGS,
    browser,
    missing,
    new_page,
    slug,
)

pytestmark = pytest.mark.browser

RADIOS_LEFT_TO_ARROWS = """() => {
  const focusable = Array.from(document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), textarea, select, [tabindex]:not([tabindex="-1"])'
  )).filter((node) => !node.closest('[hidden]') && node.getClientRects().length > 0);
  return focusable.map((el, i) => [el, i]).filter(([el]) => el.type === 'radio' && !el.checked
    && document.querySelector(`input[name="${el.name}"]:checked`)).map(([, i]) => i);
}"""


@pytest.fixture
def national_site(transactional_db, live_server):
    from interop.models import ReportedPair
    from register.demo import load_demo
    from register.models import Place, Source

    org = load_demo()
    source = Source.objects.create(
        title="Wikipedia: lists of twin towns", url="https://github.com/Hekman/twincities"
    )
    nikopol = Place.objects.create(
        name="Nikopol", country="UA", latitude="47.57", longitude="34.39"
    )
    for other in (nikopol, Place.objects.get(name="Gentofte")):
        a, b = sorted([org.place, other], key=lambda p: p.pk)
        ReportedPair.objects.create(place_a=a, place_b=b, source=source)
    asti = Place.objects.get(name="Asti").pk
    profile = _seekers(org, nikopol)
    pages = [
        "/sv/register/",
        "/sv/register/?source=reported",
        "/sv/register/?q=hang&county=N&status=active",
        f"/sv/register/ort/{asti}/",
        "/sv/register/land/it/",
        "/sv/register/statistik/",
        "/en/register/",
        f"/en/register/place/{asti}/",
        "/en/register/country/ua/",
        "/en/register/statistics/",
        "/sv/register/soker/",
        "/sv/register/soker/?theme=kultur&country=DK",
        f"/sv/register/soker/{profile}/",
        "/en/register/seeking/",
        f"/en/register/seeking/{profile}/",
    ]
    return live_server.url, pages


def _seekers(org, nikopol) -> int:
    """Halmstad seeks a partner (the page checked), Nikopol and Roskilde are listed too."""
    from datetime import timedelta

    from django.utils import timezone

    from national.models import PartnerProfile
    from register.models import FocusArea, Place

    until = timezone.localdate() + timedelta(days=60)
    roskilde = Place.objects.create(name="Roskilde", country="DK", latitude="55.6",
                                    longitude="12.1")  # fmt: skip
    culture = list(FocusArea.objects.filter(code__in=["kultur", "utbildning"]))
    for place in (nikopol, roskilde):
        other = PartnerProfile.objects.create(
            place=place, countries="SE", population=80000, contact_name="Contact",
            contact_email="contact@example.org", valid_until=until, is_published=True,
        )  # fmt: skip
        other.themes.set(culture)
    profile = PartnerProfile.objects.create(
        organisation=org, countries="DK, UA", regions="Östersjöregionen", population=105000,
        offers="Skolutbyten och kulturfestivaler.\nEtt vänortsråd.", contact_name="Anna Andersson",
        contact_email="anna@halmstad.example", valid_until=until, is_published=True,
    )  # fmt: skip
    profile.themes.set(culture)
    return profile.pk


def test_national_pages_pass_axe_for_wcag_2_1_a_and_aa(national_site, new_page):
    from axe_playwright_python.sync_playwright import Axe

    site, pages = national_site
    axe, page, failing = Axe(), new_page(), {}
    for url in pages:
        page.goto(site + url, wait_until="load")
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        found = [
            (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
        ]
        if found:
            failing[url] = found
    print(f"axe-core: {len(pages)} national pages, {sum(map(len, failing.values()))} violations")
    assert not failing, json.dumps(failing, indent=1)
    assert not page.problems, page.problems


def test_national_pages_are_valid_html_by_the_nu_html_checker(national_site, tmp_path):
    if not VNU.exists():
        missing("the Nu Html Checker (npm ci)")
    if not Path(JAVA).exists():
        missing(f"Java ({JAVA})")
    site, pages = national_site
    files = []
    for n, url in enumerate(pages):
        with urllib.request.urlopen(site + url) as response:
            target = tmp_path / f"{n}-{slug(urlsplit(url).path)}.html"
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
    print(f"Nu Html Checker: {len(files)} national pages, {len(errors)} errors")
    assert not errors, "\n".join(errors)


def test_the_keyboard_reaches_every_control_in_order_and_filters_without_a_mouse(
    national_site, new_page
):
    site, pages = national_site
    page = new_page()
    for url in pages:
        page.goto(site + url, wait_until="load")
        page.keyboard.press("Tab")
        first = page.evaluate(FOCUS_STATE)
        assert first["index"] == 0 and first["visible"] and (first["outline"] or first["shadow"])
        reached = []
        for _ in range(600):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUS_STATE)
            if state is None or (reached and state["index"] <= reached[-1]["index"]):
                break
            assert state["visible"] and (state["outline"] or state["shadow"]), (url, state)
            reached.append(state)
        order = [state["index"] for state in reached]
        # Tab enters a radio group at its checked button; the arrows move within it.
        skipped = set(page.evaluate(RADIOS_LEFT_TO_ARROWS))
        expected = [i for i in range(1, reached[0]["count"]) if i not in skipped]
        assert order == expected, (url, order)
    # A search by keyboard alone: type a name, submit with Enter, the URL keeps the state.
    page.goto(site + "/en/register/", wait_until="load")
    page.focus("#id_q")
    page.keyboard.type("Hanko")
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/register/?q=Hanko*")
    assert "1 relation in the municipalities’ own registers" in page.inner_text("main")


def test_national_pages_ask_no_host_but_the_test_server(national_site, new_page):
    site, pages = national_site
    page = new_page(width=375)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for url in pages:
        page.goto(site + url, wait_until="networkidle")
    server = urlsplit(site).netloc
    foreign = [u for u in requested if urlsplit(u).scheme not in ("data", "blob")
               and urlsplit(u).netloc != server]  # fmt: skip
    assert requested and not foreign, foreign


def test_national_pages_fit_375_and_1280_px_with_screenshots(national_site, new_page):
    site, pages = national_site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    overflow = []
    for width in (320, 375, 1280):
        page = new_page(width=width, height=800)
        for url in pages:
            page.goto(site + url, wait_until="load")
            sizes = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if sizes[0] > sizes[1]:
                overflow.append((url, width, sizes))
        shots = (("national-register", pages[0]), ("national-statistics", pages[5]),
                 ("national-seeking", pages[10]), ("national-profile", pages[12]))  # fmt: skip
        for name, url in shots:
            if width in (375, 1280):
                page.goto(site + url, wait_until="load")
                page.screenshot(path=ARTIFACTS / f"{name}-{width}.png", full_page=True)
    assert not overflow, overflow
    assert (ARTIFACTS / "national-register-375.png").exists()
    assert (ARTIFACTS / "national-register-1280.png").exists()
