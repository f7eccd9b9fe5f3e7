"""Browser tests: Playwright drives Debian's Chromium against a real server.

Each test leaves a screenshot in ``test-output/screenshots/`` at the repository
root.  Skipped (with the reason) only when Chromium is not installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from web_fixtures import PASSWORD, SEED_ID, SYNTHETIC, citing_pair
from web_server import CHROMIUM, REPO, browser_tests, serving

SHOTS = REPO / "test-output" / "screenshots"

pytestmark = browser_tests()


@pytest.fixture(scope="module")
def base_url(archive_file: str) -> Iterator[str]:
    with serving(archive_file, "--anonymous", "owner") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # a dev dependency: missing is an error

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def _total(page: Any) -> int:
    return int(page.locator(".results-head .total").inner_text().replace(",", ""))


def test_search_from_the_box(page: Any) -> None:
    page.goto("/")
    page.get_by_role("searchbox", name="Search cables").fill("detainees")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=detainees$"))
    assert _total(page) >= 2
    assert page.locator(f'.hit a[href="/cables/{SEED_ID}"]').is_visible()
    assert page.locator(".hit mark").first.inner_text().lower() == "detainees"


def test_slash_key_focuses_the_search_box(page: Any) -> None:
    page.goto("/overview")
    page.goto("/search?q=detainees")
    page.locator("body").press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(" tag:PTER")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"tag%3APTER"))


def test_narrow_by_a_facet_and_a_histogram_bar(page: Any) -> None:
    page.goto("/search?q=has:refs")
    before = _total(page)
    facet = page.locator(".facet-tag a").first
    tag, meaning = facet.inner_text().split(" — ")
    assert meaning  # tags are shown with their meanings
    facet.click()
    page.wait_for_url(re.compile(rf"q=has%3Arefs\+tag%3A{tag}$"))
    narrowed = _total(page)
    assert 0 < narrowed < before
    remove = page.get_by_role("link", name=re.compile(rf"^Remove filter:\s+{tag} — "))
    assert remove.count() == 1  # the active facet says what a click on it does
    bar = page.locator(".histogram svg a").first
    month = re.search(r"\d{4}-\d{2}", bar.get_attribute("aria-label") or "")
    assert month
    bar.click()
    page.wait_for_url(re.compile(rf"date%3A{month.group(0)}"))
    assert 0 < _total(page) <= narrowed


def test_open_a_cable(page: Any) -> None:
    page.goto("/search?q=detainees")
    page.locator(f'.hit a[href="/cables/{SEED_ID}"]').click()
    page.wait_for_url(f"**/cables/{SEED_ID}")
    banners = page.locator(".banner")
    assert banners.count() == 2 and banners.first.inner_text() == "UNCLASSIFIED"
    green = "rgb(0, 122, 51)"
    assert banners.first.evaluate("e => getComputedStyle(e).backgroundColor") == green
    page.locator('a.pnum[href="#para-2"]').click()
    assert page.url.endswith("#para-2")
    assert page.locator("#para-2").evaluate("e => e.matches(':target')")
    assert page.locator(".tagsline abbr", has_text="PTER").get_attribute("title") == (
        "Terrorists and Terrorism"
    )


def test_follow_a_ref_link(page: Any, archive_file: str) -> None:
    citer, cited = citing_pair(archive_file)
    page.goto(f"/cables/{citer}")
    page.locator(f'.telegram a.ref-archive[href="/cables/{cited}"]').click()
    page.wait_for_url(f"**/cables/{cited}")
    assert page.locator(".facts .mono").first.inner_text() == cited
    assert page.locator(f'.citers a[href="/cables/{citer}"]').is_visible()


def test_thread_view(page: Any, archive_file: str) -> None:
    citer, cited = citing_pair(archive_file)
    page.goto(f"/cables/{citer}")
    page.get_by_role("link", name="Thread view").click()
    page.wait_for_url(f"**/cables/{citer}/thread")
    nodes = page.locator("svg.thread circle.node")
    rows = page.locator(".thread-table tbody tr")
    assert nodes.count() == rows.count() >= 2
    assert page.locator("svg.thread circle.root").count() == 1
    assert page.locator("svg.thread path.edge").count() >= 1
    page.locator(f'svg.thread a[href="/cables/{cited}"]').click()
    page.wait_for_url(f"**/cables/{cited}")


def test_overview_charts(page: Any) -> None:
    page.goto("/overview")
    from playwright.sync_api import expect  # (waits; string predicates would need eval, CSP)

    expect(page.locator("[data-stat=cables]")).to_have_text(f"{SYNTHETIC + 2}")
    assert page.locator('[data-chart="months"] svg rect.bar').count() >= 12
    assert page.locator('[data-chart="classes"] svg rect.part').count() == 4
    page.locator('[data-chart="origins"] a.hbar').first.click()
    page.wait_for_url(re.compile(r"/search\?q=origin%3A"))
    assert _total(page) > 0


def test_sign_in_and_out(browser: Any, archive_file: str) -> None:
    with serving(archive_file) as url:  # anonymous readers are the public here
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"/cables/{SEED_ID}")
        assert page.locator(".reader-name").inner_text() == "Reading as public"
        assert page.locator("h1").inner_text() == "Not found"  # SBU: not for the public
        page.get_by_role("link", name="Sign in").click()
        page.get_by_label("Name").fill("analyst")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"**/cables/{SEED_ID}")  # back where the reader was
        assert page.locator(".reader-name").inner_text() == "Reading as analyst"
        assert page.locator(".clearance").inner_text() == "CONFIDENTIAL + NOFORN"
        assert page.locator(".banner").first.inner_text() == "UNCLASSIFIED"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "test_sign_in_and_out_signed_in.png"), full_page=True)
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(url)
        assert page.locator(".reader-name").inner_text() == "Reading as public"
        page.screenshot(path=str(SHOTS / "test_sign_in_and_out.png"), full_page=True)
        context.close()


def test_narrow_screen_has_no_sideways_scrolling(browser: Any, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    for url, name in ((f"/cables/{SEED_ID}", "cable"), ("/search?q=detainees", "search")):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"test_narrow_screen_{name}.png"), full_page=True)
    context.close()


def test_swagger_ui_works_offline(browser: Any, base_url: str) -> None:
    """/docs lists the operations and runs one with every request off the server
    refused (as on a machine without internet) and no policy violation."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    elsewhere: list[str] = []

    def only_this_server(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_server)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto("/docs")
    from playwright.sync_api import expect

    operations = page.locator(".opblock-summary-path")
    expect(operations.first).to_be_visible()
    paths = {p.get_attribute("data-path") for p in operations.all()}
    assert {"/api/search", "/api/cables/{cable_id}", "/api/me"} <= paths
    me = page.locator("#operations-access-me_api_me_get")
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()
    answer = me.locator(".live-responses-table")
    expect(answer.locator("tr.response .response-col_status").first).to_have_text("200")
    expect(answer.locator(".microlight").first).to_contain_text('"owner": true')
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "test_swagger_ui_works_offline.png"), full_page=False)
    context.close()
    assert not elsewhere, f"requests off the server: {elsewhere}"
    assert not problems, f"errors (a refused asset or policy violation shows here): {problems}"
