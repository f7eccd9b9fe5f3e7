"""The JSON API: every route, with good and bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient
from web_fixtures import SEED, SEED_ID, SYNTHETIC, bearer, citing_pair

from cablegram.lexicon import data_path

SCHEMA = json.loads(Path(data_path("cable.schema.json")).read_text())


# -- search --
def test_search_returns_hits_total_and_facets(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "detainees", "facets": "true"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] >= 2 and len(body["hits"]) == min(body["total"], 20)
    assert {"06ALMATY1703", "06ALMATY2872"} <= {h["id"] for h in body["hits"]}
    assert any("«" in h["snippet"] for h in body["hits"])
    facets = body["facets"]
    assert facets["total"] == body["total"]
    assert sum(n for _, n in facets["classification"]) == body["total"]
    assert {"tag", "origin", "classification", "caption", "year", "month"} <= facets.keys()


def test_search_pages_and_sorts(client: TestClient) -> None:
    first = client.get("/api/search", params={"q": "has:refs", "sort": "date", "limit": 5}).json()
    second = client.get(
        "/api/search", params={"q": "has:refs", "sort": "date", "limit": 5, "offset": 5}
    ).json()
    assert first["facets"] is None
    dates = [h["created"] for h in first["hits"] + second["hits"]]
    assert dates == sorted(dates, reverse=True)
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    oldest = client.get("/api/search", params={"q": "has:refs", "sort": "date-asc", "limit": 3})
    assert [h["created"] for h in oldest.json()["hits"]] == sorted(
        h["created"] for h in oldest.json()["hits"]
    )


def test_malformed_query_is_400_with_position(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "tag:PTER AND (detainees"})
    assert r.status_code == 400
    assert r.json() == {"error": "missing ')' for this '('", "position": 13}
    r = client.get("/api/search", params={"q": 'subject:"unterminated'})
    assert r.status_code == 400 and r.json()["position"] >= 0


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "x", "limit": "abc"},
        {"q": "x", "limit": "501"},
        {"q": "x", "offset": "-1"},
        {"q": "x", "sort": "random"},
        {"q": "x", "facets": "maybe"},
    ],
)
def test_search_wrong_types_are_422(client: TestClient, params: dict[str, str]) -> None:
    r = client.get("/api/search", params=params)
    assert r.status_code == 422
    body = r.json()
    assert body["error"].startswith("invalid parameters") and body["detail"]


# -- one cable --
def test_cable_is_schema_json(client: TestClient) -> None:
    r = client.get(f"/api/cables/{SEED_ID}")
    assert r.status_code == 200
    jsonschema.validate(r.json(), SCHEMA)
    assert r.json()["id"] == SEED_ID


def test_cable_alias_spelling_resolves(client: TestClient) -> None:
    assert client.get("/api/cables/06almaty1703").json()["id"] == SEED_ID


@pytest.mark.parametrize("suffix", ["", "/raw", "/copies", "/refs", "/cited-by", "/thread"])
def test_unknown_cable_is_404_json(client: TestClient, suffix: str) -> None:
    r = client.get(f"/api/cables/99NOWHERE1{suffix}")
    assert r.status_code == 404
    assert r.json() == {"error": "99NOWHERE1: not in the archive"}


def test_raw_is_the_primary_copy_text(client: TestClient) -> None:
    r = client.get(f"/api/cables/{SEED_ID}/raw")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    copies = client.get(f"/api/cables/{SEED_ID}/copies").json()
    assert r.text == next(c["text"] for c in copies if c["primary"])
    assert "UNCLAS ALMATY 001703" in r.text


def test_copies_lists_both_copies_one_primary(client: TestClient) -> None:
    copies = client.get(f"/api/cables/{SEED_ID}/copies").json()
    assert len(copies) == 2 and sum(c["primary"] for c in copies) == 1
    assert sum("urgently requests" in c["text"] for c in copies) == 1
    assert all(len(c["sha256"]) == 64 for c in copies)


def test_refs_and_cited_by_are_inverse(client: TestClient, archive_file: str) -> None:
    citer, cited = citing_pair(archive_file)
    links = client.get(f"/api/cables/{citer}/refs").json()
    assert any(cited in link["targets"] and link["status"] == "archive" for link in links)
    citers = client.get(f"/api/cables/{cited}/cited-by").json()
    assert citer in {n["id"] for n in citers}
    seed_links = client.get(f"/api/cables/{SEED_ID}/refs").json()
    assert [(link["label"], link["status"]) for link in seed_links] == [
        ("A", "missing"),
        ("B", "missing"),
    ]


def test_thread_has_root_nodes_and_edges(client: TestClient, archive_file: str) -> None:
    citer, cited = citing_pair(archive_file)
    thread = client.get(f"/api/cables/{citer}/thread", params={"depth": 2}).json()
    ids = {n["id"] for n in thread["nodes"]}
    assert thread["root"] == citer and {citer, cited} <= ids
    assert {"source": citer, "target": cited} in thread["edges"]
    assert all(e["source"] in ids and e["target"] in ids for e in thread["edges"])
    assert all(n["classification"] for n in thread["nodes"])
    dates = [n["created"] for n in thread["nodes"]]
    assert dates == sorted(dates)


@pytest.mark.parametrize("depth", ["0", "9", "deep"])
def test_thread_depth_out_of_range_is_422(client: TestClient, depth: str) -> None:
    assert client.get(f"/api/cables/{SEED_ID}/thread", params={"depth": depth}).status_code == 422


def test_graph_of_a_query(client: TestClient) -> None:
    g = client.get("/api/graph", params={"q": "origin:ALMATY"}).json()
    ids = {n["id"] for n in g["nodes"]}
    assert {"06ALMATY1703", "06ALMATY2872", "06STATE32380"} <= ids
    assert {"source": "06ALMATY1703", "target": "06STATE32380"} in g["edges"]
    assert not next(n for n in g["nodes"] if n["id"] == "06STATE32380")["in_archive"]
    assert client.get("/api/graph", params={"q": "(("}).status_code == 400
    assert client.get("/api/graph", params={"q": "x", "limit": "0"}).status_code == 422


def test_stats(client: TestClient) -> None:
    s = client.get("/api/stats").json()
    assert s["cables"] == SYNTHETIC + 2 and s["copies"] == SYNTHETIC + 3
    assert sum(n for _, n in s["by_month"]) == s["cables"]
    assert sum(n for _, n in s["by_year"]) == s["cables"]
    assert s["unresolved_references"] > 0 and s["references"] > s["unresolved_references"]


# -- export --
def test_export_jsonl_streams_every_match(client: TestClient) -> None:
    query = "class:>=confidential"
    total = client.get("/api/search", params={"q": query, "limit": 0}).json()["total"]
    r = client.get("/api/export", params={"q": query})
    assert r.status_code == 200 and r.headers["content-type"] == "application/x-ndjson"
    lines = r.text.splitlines()
    assert len(lines) == total > 200  # more than one streamed batch
    for line in lines[:5]:
        jsonschema.validate(json.loads(line), SCHEMA)


def test_export_csv_has_one_header(client: TestClient) -> None:
    r = client.get("/api/export", params={"q": "class:secret", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    total = client.get("/api/search", params={"q": "class:secret", "limit": 0}).json()["total"]
    assert len(rows) == total and all(row["classification"] == "SECRET" for row in rows)
    assert r.headers["content-disposition"] == 'attachment; filename="cables.csv"'


def test_export_of_nothing_and_bad_input(client: TestClient) -> None:
    assert client.get("/api/export", params={"q": "id:99NOWHERE1"}).text == ""
    empty_csv = client.get("/api/export", params={"q": "id:99NOWHERE1", "format": "csv"}).text
    assert empty_csv.startswith("id,created,") and empty_csv.count("\n") == 1
    bad = client.get("/api/export", params={"q": "date:2006-13"})
    assert bad.status_code == 400 and "error" in bad.json()
    assert client.get("/api/export", params={"q": "x", "format": "xml"}).status_code == 422


# -- ingest --
def test_ingest_upload(scratch_client: TestClient) -> None:
    files = {"files": ("06ALMATY1703.txt", SEED.read_bytes(), "text/plain")}
    first = scratch_client.post("/api/ingest", files=files)
    assert first.status_code == 200, first.text
    assert first.json()["new"] == 1 and first.json()["failures"] == []
    again = scratch_client.post("/api/ingest", files=files).json()
    assert again["new"] == 0 and again["unchanged"] == 1
    assert scratch_client.get(f"/api/cables/{SEED_ID}").status_code == 200


def test_ingest_reports_documents_that_are_not_cables(scratch_client: TestClient) -> None:
    files = {"files": ("notes.txt", b"Shopping list: eggs, milk, bread.\n", "text/plain")}
    report = scratch_client.post("/api/ingest", files=files).json()
    assert report["new"] == 0 and len(report["failures"]) == 1


def test_oversized_upload_is_413(scratch_client: TestClient) -> None:
    big = {"files": ("big.txt", b"x" * (65 * 1024), "text/plain")}
    r = scratch_client.post("/api/ingest", files=big)
    assert r.status_code == 413 and "too large" in r.json()["error"]


def test_oversized_chunked_upload_is_413(scratch_client: TestClient) -> None:
    def body():  # no Content-Length: the limit is counted as the body arrives
        for _ in range(20):
            yield b"y" * 8192

    r = scratch_client.post(
        "/api/ingest", content=body(), headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert r.status_code == 413 and "too large" in r.json()["error"]


def test_ingest_without_files_is_422(scratch_client: TestClient) -> None:
    assert scratch_client.post("/api/ingest").status_code == 422
    r = scratch_client.post("/api/ingest", data={"files": "not a file"})
    assert r.status_code == 422


def test_only_owners_may_ingest(public_client: TestClient) -> None:
    files = {"files": ("06ALMATY1703.txt", SEED.read_bytes(), "text/plain")}
    r = public_client.post("/api/ingest", files=files)
    assert r.status_code == 401 and r.json() == {"error": "sign in as an archive owner"}
    assert r.headers["www-authenticate"] == "Bearer"
    analyst = bearer(public_client, "analyst")
    r = public_client.post("/api/ingest", files=files, headers=analyst)
    assert r.status_code == 403 and r.json() == {"error": "analyst is not an archive owner"}


# -- vocabulary, reader, errors --
def test_tags_with_meanings(client: TestClient) -> None:
    tags = {t["tag"]: t for t in client.get("/api/tags").json()}
    assert tags["PTER"]["meaning"] == "Terrorists and Terrorism"
    assert tags["KZ"]["kind"] == "country"


def test_unknown_api_route_and_method(client: TestClient) -> None:
    assert client.get("/api/nothing").json() == {"error": "Not Found"}
    assert client.get("/api/nothing").status_code == 404
    assert client.delete("/api/stats").status_code == 405


def test_internal_errors_reveal_no_trace(
    archive_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cablegram.archive import Archive
    from cablegram.web import create_app

    def broken(self: Archive) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(Archive, "stats", broken)
    with TestClient(create_app(archive_file), raise_server_exceptions=False) as c:
        r = c.get("/api/stats")
        page = c.get("/overview")
    assert r.status_code == 500
    assert r.json() == {"error": "internal error (the server log has the details)"}
    assert "Traceback" not in r.text and "passwd" not in r.text
    assert page.status_code == 200  # the overview page itself needs no archive call


def test_broad_queries_say_their_total_is_an_estimate(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cablegram.archive import broad

    monkeypatch.setattr(broad, "BROAD", 5)
    monkeypatch.setattr(broad, "PROBE", 2)
    monkeypatch.setattr(broad, "SAMPLE", 8)
    monkeypatch.setattr(broad, "MAX_SHARE", 1.0)
    out = client.get("/api/search", params={"q": "minister", "facets": True, "limit": 500}).json()
    assert out["approximate_rank"] is True and out["total_exact"] is False
    assert out["total"] > 5 and out["facets"]["approximate"] is True
    assert out["pageable"] == len(out["hits"]) < out["total"]
    exact = client.get("/api/search", params={"q": "minister", "exact": True}).json()
    assert exact["total_exact"] is True and exact["approximate_rank"] is False
    page = client.get("/search", params={"q": "minister"}).text
    assert "an even sample of them" in page and "exact=1" in page and ">about<" in page
    by_date = client.get("/api/search", params={"q": "minister", "sort": "date"}).json()
    assert by_date["approximate_rank"] is False and by_date["pageable"] == by_date["total"]
