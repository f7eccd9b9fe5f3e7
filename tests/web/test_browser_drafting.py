"""Browser test of the drafting form: findings appear beside the field while
the drafter types, and go when the field is right; the preview shows the
telegram as it will be sent; the draft is created, submitted, cleared and
released through the pages.  Playwright drives Debian's Chromium against a
real server (skipped, saying so, only when Chromium is not installed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from drafting_fixtures import PASSWORD, network_archive
from web_server import CHROMIUM, REPO, browser_tests, serving

SHOTS = REPO / "test-output" / "screenshots"

pytestmark = browser_tests()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = network_archive(str(tmp_path_factory.mktemp("drafting") / "network.sqlite"))
    with serving(path) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


def signed_in(browser: Any, base_url: str, name: str) -> Any:
    context = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto("/login?next=/drafts")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/drafts")
    return page


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def findings_beside(page: Any, field: str) -> Any:
    return page.locator(f'[data-field="{field}"] [data-findings-for="{field}"] li')


def test_findings_appear_beside_the_field_while_typing(browser: Any, base_url: str) -> None:
    page = signed_in(browser, base_url, "poloff")
    page.get_by_role("link", name="New draft").click()
    page.wait_for_url("**/drafts/new")
    page.get_by_label("Action (TO)").fill("SECSTATE WASHDC")
    page.get_by_label("Subject").fill("KAZAKHSTAN: MFA ON THE DETAINEES")
    page.get_by_label("Text").fill("(U) The MFA asked again about the detainees.")
    page.get_by_label("Signer").fill("ORDWAY")
    # The page comes with the findings of the empty form (no subject TAG yet).
    tags = findings_beside(page, "tags")
    assert "at least one subject tag" in tags.first.inner_text()
    # An addressee the directory does not know: N04 beside INFO, as it is typed.
    assert findings_beside(page, "info").count() == 0
    page.get_by_label("Information (INFO)").press_sequentially("AMEMBASSY ATLANTIS", delay=10)
    info = findings_beside(page, "info").filter(has_text="N04")
    info.wait_for()
    assert "AMEMBASSY ATLANTIS is not in the directory on 2006-08-10" in info.inner_text()
    assert "has-error" in page.locator('[data-field="info"]').get_attribute("class")
    shot(page, "test_drafting_live_findings")
    # Put right, the findings go; the preview is the telegram as it will be sent.
    page.get_by_label("TAGS").press_sequentially("PREL, PHUM, KZ", delay=10)
    page.get_by_label("Information (INFO)").fill("")
    page.locator("#check-state", has_text="no errors").wait_for()
    assert findings_beside(page, "tags").count() == 0
    assert findings_beside(page, "info").count() == 0
    preview = page.locator("#preview").inner_text()
    assert "DE RUEHTA #0001 2220049" in preview and "TO RUEHC/SECSTATE WASHDC" in preview
    page.get_by_label("Clearances asked").fill("POL")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url("**/drafts/1")
    page.get_by_role("button", name="Submit for clearance").click()
    page.wait_for_url("**/drafts/1")
    assert "submitted" in page.locator(".crumbs").inner_text()
    shot(page, "test_drafting_submitted")
    assert page.errors == []
    page.context.close()


def test_clear_and_release_through_the_pages(browser: Any, base_url: str) -> None:
    chief = signed_in(browser, base_url, "polchief")
    chief.locator('#queue ~ table a[href="/drafts/1"]').click()
    chief.get_by_label("Comment").fill("POL clears")
    chief.get_by_role("button", name="Clear", exact=True).click()
    chief.wait_for_url("**/drafts")
    chief.context.close()
    boss = signed_in(browser, base_url, "ambassador")
    boss.goto("/drafts/1/release")
    assert boss.locator(".plan").inner_text().count("ALMATY 000001") == 1
    shot(boss, "test_drafting_release_page")
    boss.get_by_role("button", name="Release ALMATY 000001").click()
    boss.wait_for_url("**/cables/06ALMATY1")
    assert boss.locator("h1").inner_text() == "KAZAKHSTAN: MFA ON THE DETAINEES"
    assert boss.errors == []
    boss.context.close()
