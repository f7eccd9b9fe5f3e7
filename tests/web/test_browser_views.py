"""Browser tests of how the pages look: time axes drawn as time, a forty-cable
thread a reader can follow on one page, the reader showing what the source
holds (headings, unresolved REFs, no invented lines), an icon and no missing
resource on any page, /docs listing each operation once with a way back.

Playwright drives Debian's Chromium against a real ``cablegram serve`` on the
demo archive plus a body-only extract and a 1975 cable (so that time has a
gap of decades).  Each test leaves a screenshot in ``test-output/screenshots/``.
Skipped (with the reason) only when Chromium is not installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import combinations
from typing import Any

import pytest
from web_fixtures import EXTRACT, SEED_ID
from web_server import CHROMIUM, REPO, browser_tests, serving

from cablegram.archive import Archive
from cablegram.archive.demo import demo_sources
from cablegram.format.render import render
from cablegram.model import from_dict

SHOTS = REPO / "test-output" / "screenshots"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update"]  # fmt: skip
EXTRACT_ID = "08RIGA461"
OLD_ID = "75LAPAZ1234"
OLD = from_dict(
    {
        "id": OLD_ID,
        "origin": "LAPAZ",
        "serial": 1234,
        "created": "1975-02-11T14:05:00Z",
        "classification": "UNCLASSIFIED",
        "tags": ["PINT", "BL"],
        "subject": "BOLIVIA: CABINET CHANGES",
        "paragraphs": [{"number": 1, "text": "The President named three new ministers today."}],
    }
)  # fmt: skip  (constructed: a cable decades before the demo's)

pytestmark = browser_tests()


@pytest.fixture(scope="module")
def views_archive(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("views")
    extract = folder / f"{EXTRACT_ID}.txt"  # an extract's id comes from its file name
    extract.write_text(EXTRACT, encoding="utf-8")
    with Archive(folder / "views.sqlite") as archive:
        report = archive.ingest([*demo_sources(2000), str(extract), render(OLD).encode()],
                                workers=2)  # fmt: skip
    assert not report.failures and report.counts.new == 2004
    return str(folder / "views.sqlite")


@pytest.fixture(scope="module")
def largest_thread(views_archive: str) -> str:
    with Archive(views_archive) as archive:
        threads = (archive.thread(h.id, depth=4)
                   for h in archive.search("date:2003", sort="date-asc", limit=400))  # fmt: skip
        largest = max(threads, key=lambda t: len(t.nodes) if t else 0)
    assert largest is not None and len(largest.nodes) >= 40
    return largest.root


@pytest.fixture(scope="module")
def base_url(views_archive: str) -> Iterator[str]:
    with serving(views_archive, "--anonymous", "owner") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    failed: list[str] = []
    page.on("pageerror", lambda error: failed.append(str(error)))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else 0)
    yield page
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not failed, f"errors or missing resources: {failed}"


def _boxes(page: Any, selector: str) -> list[dict[str, float]]:
    return page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,"
        " text: e.textContent, month: e.dataset.month || null}; })",
    )


def _disjoint(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["right"] <= b["left"] or b["right"] <= a["left"]
            or a["bottom"] <= b["top"] or b["bottom"] <= a["top"])  # fmt: skip


def _month(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _assert_time_axis(page: Any, chart: str) -> None:
    """Bars stand where their months are (x linear in time) and the axis labels
    neither touch each other nor leave the chart."""
    frame = _boxes(page, f"{chart} svg")[0]
    bars = [b for b in _boxes(page, f"{chart} svg rect.bar") if b["month"]]
    assert len(bars) >= 2
    first, last = (
        min(bars, key=lambda b: _month(b["month"])),
        max(bars, key=lambda b: _month(b["month"])),
    )
    span = _month(last["month"]) - _month(first["month"])
    per_month = (last["left"] - first["left"]) / span
    for bar in bars:
        expected = first["left"] + per_month * (_month(bar["month"]) - _month(first["month"]))
        assert abs(bar["left"] - expected) < 1.0, bar
    labels = _boxes(page, f"{chart} .time-axis text")
    assert len(labels) >= 3
    years = [int(label["text"][:4]) for label in labels]
    assert years == sorted(years)
    for label in labels:
        assert frame["left"] <= label["left"] and label["right"] <= frame["right"], label
    for a, b in combinations(labels, 2):
        assert _disjoint(a, b), (a, b)


def test_search_histogram_draws_time(page: Any) -> None:
    page.goto("/search?q=" + "date:1975 OR origin:ALMATY OR tag:PTER".replace(" ", "+"))
    page.wait_for_selector(".histogram .time-axis")
    _assert_time_axis(page, ".histogram")
    labels = [label["text"] for label in _boxes(page, ".histogram .time-axis text")]
    assert labels[0] <= "1976" and labels[-1] >= "2008"  # from the 1970s to the demo's years


def test_overview_month_axis_is_linear_in_time(page: Any) -> None:
    """The overview gets only the months that hold cables: 1975, then 2003 on.
    A bar per month side by side made that gap as wide as one month."""
    page.goto("/overview")
    page.wait_for_selector('[data-chart="months"] .time-axis')
    _assert_time_axis(page, '[data-chart="months"]')
    bars = _boxes(page, '[data-chart="months"] svg rect.bar')
    by_month = {b["month"]: b for b in bars}
    old, next_one = by_month["1975-02"], min((b for b in bars if b["month"] > "1975-02"),
                                            key=lambda b: b["month"])  # fmt: skip
    frame = _boxes(page, '[data-chart="months"] svg')[0]
    assert next_one["left"] - old["left"] > 0.6 * (frame["right"] - frame["left"] - 60)


def test_a_forty_cable_thread_fits_the_page(page: Any, largest_thread: str) -> None:
    page.goto(f"/cables/{largest_thread}/thread")
    assert page.locator("svg.thread circle.node").count() >= 40
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    frame = _boxes(page, "svg.thread")[0]
    assert frame["right"] <= 1280
    texts = _boxes(page, "svg.thread text")
    for t in texts:  # no label clipped
        assert frame["left"] <= t["left"] and t["right"] <= frame["right"], t
        assert frame["top"] <= t["top"] and t["bottom"] <= frame["bottom"], t
    ids = _boxes(page, "svg.thread text.node-id")
    for a, b in combinations(ids, 2):
        assert _disjoint(a, b), (a["text"], b["text"])
    assert min(t["bottom"] - t["top"] for t in ids) >= 8  # legible once scaled to the page
    page.locator("svg.thread circle.root").click()
    page.wait_for_url(f"**/cables/{largest_thread}")


def test_headings_and_unresolved_refs_read_plainly(page: Any) -> None:
    page.goto(f"/cables/{EXTRACT_ID}")
    heading = page.locator(".telegram .para.heading")
    assert heading.count() == 1 and heading.inner_text() == "------- SUMMARY -------"
    assert heading.locator(".pnum, .inherited, .mark").count() == 0  # no ¶, no [C]
    unmarked = page.locator(".telegram .para", has_text="The finance ministry")
    assert unmarked.inner_text().startswith("2. The finance ministry")  # the text as written
    assert unmarked.locator(".inherited").get_attribute("data-mark") == "C"  # shown beside it
    missing = page.locator(".telegram .ref-missing").first
    assert missing.evaluate("e => getComputedStyle(e).textDecorationLine") == "none"
    assert missing.evaluate("e => e.nextElementSibling.textContent") == " (not in the archive)"


def _telegram_lines(page: Any) -> list[str]:
    text = page.locator(".telegram").inner_text()
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_the_reader_shows_what_the_source_holds(page: Any) -> None:
    page.goto(f"/cables/{EXTRACT_ID}")
    lines = _telegram_lines(page)
    assert lines[0] == "C O N F I D E N T I A L SECTION 01 OF 02 RIGA 000461"
    assert lines[-1] == "LARSON" and not {"BT", "NNNN", "#0461"} & set(lines)
    assert "As the source holds it" in page.locator(".view-caption").inner_text()
    page.get_by_role("link", name="Rendered telegram").click()
    page.wait_for_url(f"**/cables/{EXTRACT_ID}?view=rendered")
    assert _telegram_lines(page)[-3:] == ["BT", "#0461", "NNNN"]
    assert page.locator(".view-caption").inner_text().startswith("Rendered as a telegram")
    page.get_by_role("link", name="As held").click()
    page.wait_for_url(f"**/cables/{EXTRACT_ID}")


PAGES = ["/", "/search?q=detainees", f"/cables/{SEED_ID}", f"/cables/{SEED_ID}/thread",
         "/overview", "/reference", "/login", "/docs"]  # fmt: skip


def test_every_page_has_its_icon_and_no_missing_resource(page: Any) -> None:
    """(The page fixture fails the test on any response of 400 or more.)"""
    for url in PAGES:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        icon = page.locator("link[rel~=icon]").first.get_attribute("href")
        answer = page.request.get(icon)
        assert answer.ok and answer.headers["content-type"].startswith("image/"), (url, icon)
    favicon = page.request.get("/favicon.ico")
    assert favicon.ok and favicon.headers["content-type"] == "image/png"


def test_docs_list_each_operation_once_and_lead_back(page: Any, base_url: str) -> None:
    page.goto("/docs")
    from playwright.sync_api import expect

    blocks = page.locator(".opblock")
    expect(blocks.first).to_be_visible()
    operations = page.eval_on_selector_all(
        ".opblock",
        "els => els.map(e => [e.querySelector('.opblock-summary-method').textContent,"
        " e.querySelector('.opblock-summary-path').dataset.path])",
    )
    assert len(operations) == len({tuple(o) for o in operations})  # each once
    assert [o for o in operations if o[1] == "/api/tags"] == [["GET", "/api/tags"]]
    page.get_by_role("link", name=re.compile("cablegram")).first.click()
    page.wait_for_url(base_url)
    assert page.locator("#q").is_visible()  # the search page
