"""The HTML pages, rendered by the server (no browser): content, links, errors."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from web_fixtures import SEED, SEED_ID, citing_pair


def _query_of(href: str) -> str:
    return parse_qs(urlparse(href.replace("&amp;", "&")).query)["q"][0]


def _json_block(html: str, element_id: str) -> object:
    m = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert m, f"no #{element_id} data in the page"
    return json.loads(m.group(1))


def test_home_has_search_box_and_reader(client: TestClient, public_client: TestClient) -> None:
    html = client.get("/").text
    assert 'role="search"' in html and 'name="q"' in html
    assert "Reading as <strong>owner</strong>" in html and "full access" in html
    public = public_client.get("/").text
    assert "Reading as <strong>public</strong>" in public and "UNCLASSIFIED" in public


def test_search_page_lists_hits_with_highlighted_snippets(client: TestClient) -> None:
    html = client.get("/search", params={"q": "detainees"}).text
    assert f'href="/cables/{SEED_ID}"' in html
    assert "<mark>" in html and "cables match" in html
    assert 'value="detainees"' in html  # the box keeps the query


def test_facets_narrow_and_widen_the_query(client: TestClient) -> None:
    html = client.get("/search", params={"q": "detainees"}).text
    hrefs = re.findall(r'<a href="(/search\?[^"]+)"', html)
    narrowing = [_query_of(h) for h in hrefs]
    assert "detainees tag:PTER" in narrowing
    assert (
        'detainees class:"unclassified"' in narrowing or "detainees class:unclassified" in narrowing
    )
    assert "PTER — Terrorists and Terrorism" in html  # tags carry their meanings
    narrowed = client.get("/search", params={"q": "detainees tag:PTER"}).text
    active = re.search(r'<li class="active">\s*<a href="([^"]+)"', narrowed)
    assert active and _query_of(active.group(1)) == "detainees"


def test_facet_on_a_query_with_or_brackets_it(client: TestClient) -> None:
    html = client.get("/search", params={"q": "origin:ALMATY OR detainees"}).text
    narrowing = [_query_of(h) for h in re.findall(r'<a href="(/search\?[^"]+)"', html)]
    assert "(origin:ALMATY OR detainees) tag:PTER" in narrowing


def test_date_histogram_bars_narrow_to_a_month(client: TestClient) -> None:
    html = client.get("/search", params={"q": "has:refs"}).text
    bars = _json_block(html, "histogram-data")
    assert isinstance(bars, list) and len(bars) > 12
    months = [b["month"] for b in bars]
    assert months == sorted(months)
    full = next(b for b in bars if b["count"])
    assert _query_of(full["url"]) == f"has:refs date:{full['month']}"
    assert all(b["url"] is None for b in bars if not b["count"])


def test_paging_and_sorting_links(client: TestClient) -> None:
    html = client.get("/search", params={"q": "has:refs", "sort": "date", "page": 2}).text
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert 'aria-current="page">2<' in html
    assert "page=3" in html and "sort=date" in html
    assert '<ol class="hits" start="21">' in html


def test_bad_query_page_shows_the_position(client: TestClient) -> None:
    r = client.get("/search", params={"q": "tag:PTER AND (detainees"})
    assert r.status_code == 400
    assert "missing &#39;)&#39; for this &#39;(&#39;" in r.text
    assert '<mark class="fault">(</mark>' in r.text and "position 13" in r.text


def test_search_without_a_query_goes_home_and_a_blank_one_browses(client: TestClient) -> None:
    r = client.get("/search", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    r = client.get("/search", params={"q": "  "}, follow_redirects=False)
    assert r.status_code == 200 and "cables" in r.text


def test_wrong_types_on_pages_are_html(client: TestClient) -> None:
    r = client.get("/search", params={"q": "x", "page": "two"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "Invalid parameters" in r.text


def test_query_text_is_escaped(client: TestClient) -> None:
    html = client.get("/search", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_cable_reader(client: TestClient) -> None:
    html = client.get(f"/cables/{SEED_ID}").text
    assert html.count('class="banner lvl-unclassified"') == 2  # top and bottom
    assert "UNCLAS ALMATY 001703" in html
    for n in range(1, 6):  # a permalink anchor per paragraph
        assert f'id="para-{n}"' in html and f'href="#para-{n}"' in html
    assert '<span class="mark lvl-unclassified" title="Portion mark">(SBU)</span>' in html
    assert '<abbr title="Terrorists and Terrorism">PTER</abbr>' in html
    assert "Kazakhstan" in html  # KZ's meaning in the tags panel
    assert html.count("(not in the archive)") >= 2  # both REFs are missing from the archive
    assert "urgently requests" in html  # the second copy's difference


def _telegram(html: str) -> str:
    """The text of the reader's telegram panel, tags stripped."""
    start = html.index('<div class="telegram"')
    panel = html[start : html.index('<div class="banner', start)]
    return re.sub(r"<[^>]+>", "", panel.replace("</div>", "\n"))


def test_reader_shows_what_the_source_holds(client: TestClient) -> None:
    """The seed is a header and text without BT or NNNN: the default view adds
    none; the rendered telegram, a separate and labelled view, has them."""
    held = client.get(f"/cables/{SEED_ID}").text
    seed_lines = {line.strip() for line in SEED.read_text().splitlines()}
    assert "BT" not in seed_lines and "NNNN" not in seed_lines
    text = _telegram(held)
    shown = [line.strip() for line in text.splitlines() if line.strip()]
    assert "NNNN" not in shown and "BT" not in shown and "#1703" not in shown
    assert "TAGS: PTER KAWC PINR PREL KZ" in shown  # the line as written (no commas added)
    assert "As the source holds it" in held and 'href="/cables/06ALMATY1703?view=rendered"' in held
    rendered = client.get(f"/cables/{SEED_ID}", params={"view": "rendered"}).text
    shown = [line.strip() for line in _telegram(rendered).splitlines() if line.strip()]
    assert shown[-3:] == ["BT", "#1703", "NNNN"]
    assert "Rendered as a telegram by cablegram render" in rendered
    assert client.get(f"/cables/{SEED_ID}", params={"view": "x"}).status_code == 422


def test_ref_lines_link_to_cited_cables(client: TestClient, archive_file: str) -> None:
    citer, cited = citing_pair(archive_file)
    html = client.get(f"/cables/{citer}").text
    assert f'class="ref ref-archive" href="/cables/{cited}"' in html
    cited_html = client.get(f"/cables/{cited}").text
    assert f'href="/cables/{citer}"' in cited_html  # in its "cited by" list


def test_alias_spelling_redirects_to_the_permalink(client: TestClient) -> None:
    r = client.get("/cables/06almaty1703", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == f"/cables/{SEED_ID}"


@pytest.mark.parametrize("url", ["/cables/99NOWHERE1", "/cables/99NOWHERE1/thread", "/nothing"])
def test_not_found_pages_are_html(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in r.text


def test_thread_page(client: TestClient, archive_file: str) -> None:
    citer, cited = citing_pair(archive_file)
    html = client.get(f"/cables/{citer}/thread").text
    graph = html[html.index('<svg class="thread"') : html.index("</svg>")]
    assert graph.count('<circle class="node') == html.count("<tr") - 1  # a dot per table row
    assert f'<a href="/cables/{cited}" aria-label="{cited} (' in graph  # drawn without script
    assert f'<a href="/cables/{cited}">' in html and "cited by it" in html
    assert client.get(f"/cables/{citer}/thread", params={"depth": 99}).status_code == 422


def test_overview_page_loads_its_figures_from_the_api(client: TestClient) -> None:
    html = client.get("/overview").text
    assert 'data-stats="/api/stats"' in html and 'data-chart="months"' in html


def test_static_files(client: TestClient) -> None:
    assert client.get("/static/style.css").status_code == 200
    js = client.get("/static/charts.js")
    assert js.status_code == 200 and "function columns" in js.text


def test_pages_carry_security_headers(client: TestClient) -> None:
    r = client.get("/")
    policy = r.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in client.get(f"/cables/{SEED_ID}").text  # no inline script to allow


@pytest.mark.parametrize("url", ["/", "/search?q=x", "/overview", f"/cables/{SEED_ID}"])
def test_pages_with_a_bad_token_say_so(client: TestClient, url: str) -> None:
    r = client.get(url, headers={"Authorization": "Bearer expired.token"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("text/html")
    assert "invalid or expired token" in r.text and "Reading as <strong>owner" in r.text
    missing = client.get("/nothing", headers={"Authorization": "Bearer expired.token"})
    assert missing.status_code == 404 and "<h1>Not found</h1>" in missing.text


def test_api_reference_page_lists_every_route(client: TestClient) -> None:
    html = client.get("/reference").text
    for path, methods in client.get("/openapi.json").json()["paths"].items():
        for method in methods:
            assert f"{method.upper()}</span> <code>{path}</code>" in html, (method, path)
    assert "<code>facets</code>" in html  # docstring code spans
    assert "<code>/search</code>" not in html  # pages are not API routes


def test_an_empty_search_browses_every_cable(client: TestClient) -> None:
    page = client.get("/search?q=")
    assert page.status_code == 200 and "cables" in page.text
    api = client.get("/api/search", params={"q": "", "limit": 0}).json()
    assert api["total"] == client.get("/api/stats").json()["cables"]
    assert client.get("/search", follow_redirects=False).status_code == 303  # nothing asked


def test_every_page_says_what_the_reader_reads_as(
    public_client: TestClient, client: TestClient
) -> None:
    for path in ("/", "/search?q=detainees", "/overview"):
        text = public_client.get(path).text
        assert "Reading as the public: cables above UNCLASSIFIED, SBU cables and restricted" in text
        assert "reader-notice" not in client.get(path).text  # the owner is told nothing
