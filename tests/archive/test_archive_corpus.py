"""The archive on the real dev corpus: search finds, filters agree with the
parsed fields, facets agree with result sets, the graph is consistent, and
re-ingest changes nothing."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from archive_fixtures import all_cables

from cablegram.archive import Archive
from cablegram.archive.ids import cable_keys, id_key


def ids(archive: Archive, query: str) -> set[str]:
    return {h.id for h in archive.search(query, limit=100_000)}


def words(text: str) -> list[str]:
    """Tokens as FTS5's unicode61 tokenizer cuts them (letters and digits)."""
    return re.findall(r"[^\W_]+", text.lower())


def test_ingest_merges_copies_and_reports_failures(dev_archive: Archive) -> None:
    report = dev_archive.first_report  # type: ignore[attr-defined]
    assert report.counts.merged > 50  # the same cable in several serializations
    assert all(reason for _, reason in report.failures)
    assert len(report.failures) < 10
    stats = dev_archive.stats()
    assert stats["cables"] == report.counts.new
    assert stats["copies"] == report.counts.new + report.counts.merged


def test_unique_phrase_finds_its_cable_first(dev_archive: Archive) -> None:
    cables = all_cables(dev_archive)
    corpus = {cid: " " + " ".join(words((c["subject"] or "") + " " + c["text"])) + " "
              for cid, c in cables.items()}  # fmt: skip
    checked = 0
    for cid in sorted(cables)[::25]:
        tokens = words(cables[cid]["text"])
        for start in range(len(tokens) // 2, len(tokens) - 4, 7):
            phrase = " ".join(tokens[start : start + 4])
            if not phrase.replace(" ", "").isascii():
                continue
            if sum(f" {phrase} " in text for text in corpus.values()) == 1:
                hits = dev_archive.search(f'"{phrase}"').hits
                assert hits and hits[0].id == cid, phrase
                assert "«" in hits[0].snippet
                checked += 1
                break
    assert checked >= 20


def _expected(cables: dict[str, dict[str, Any]], pred: Any) -> set[str]:
    return {cid for cid, c in cables.items() if pred(c)}


def _addressed(c: dict[str, Any], kind: str, part: str) -> bool:
    return any(part in a["name"].upper() for a in c[kind])


def test_every_field_filter_matches_the_parsed_fields(dev_archive: Archive) -> None:
    cables = all_cables(dev_archive)
    tags = Counter(t for c in cables.values() for t in set(c["tags"]))
    origins = Counter(c["origin"] for c in cables.values() if c["origin"])
    signers = Counter(s for c in cables.values() for s in set(c["signers"]))
    defects = Counter(d["code"] for c in cables.values() for d in c["defects"])
    cited = Counter(r["id"] for c in cables.values() for r in c["references"] if r["id"])
    rank = {"UNCLASSIFIED": 0, "CONFIDENTIAL": 2, "SECRET": 3, "TOP SECRET": 4}
    cases: list[tuple[str, Any]] = []
    for tag, _ in tags.most_common(3) + tags.most_common()[-2:]:
        cases.append((f"tag:{tag}", lambda c, t=tag: t in c["tags"]))
    for origin, _ in origins.most_common(2) + origins.most_common()[-1:]:
        q = f'origin:"{origin}"' if " " in origin else f"origin:{origin}"
        cases.append((q, lambda c, o=origin: c["origin"] == o))
    cases += [
        ("class:secret", lambda c: c["classification"] == "SECRET"),
        ("class:>=confidential", lambda c: rank.get(c["classification"], -1) >= 2),
        ("class:<confidential", lambda c: rank.get(c["classification"], 9) < 2),
        ("caption:NOFORN", lambda c: "NOFORN" in c["captions"]),
        ("caption:SIPDIS", lambda c: "SIPDIS" in c["captions"]),
        ("to:STATE", lambda c: _addressed(c, "to", "STATE")),
        ('info:"NSC WASHDC"', lambda c: _addressed(c, "info", "NSC WASHDC")),
        ("date:2006-05..2006-08", lambda c: "2006-05" <= (c["created"] or "") < "2006-09"),
        ("date:2009", lambda c: (c["created"] or "").startswith("2009")),
        ("before:2003", lambda c: bool(c["created"]) and c["created"] < "2003"),
        ("after:2008-06", lambda c: (c["created"] or "") >= "2008-07"),
        ("has:summary", lambda c: bool(c["summary"])),
        ("-has:summary", lambda c: not c["summary"]),
        ("tag:PREL -tag:PGOV", lambda c: "PREL" in c["tags"] and "PGOV" not in c["tags"]),
        ("tag:PREL OR tag:ECON", lambda c: "PREL" in c["tags"] or "ECON" in c["tags"]),
    ]
    signer = signers.most_common(1)[0][0]
    cases.append((f'signer:"{signer}"', lambda c: signer in c["signers"]))
    code = defects.most_common(1)[0][0]
    cases.append((f"defect:{code}", lambda c: any(d["code"] == code for d in c["defects"])))
    ref = cited.most_common(1)[0][0]
    cases.append(
        (
            f"refs:{ref}",
            lambda c: any(r["id"] and id_key(r["id"]) == id_key(ref) for r in c["references"]),
        )
    )
    for query, pred in cases:
        expected = _expected(cables, pred)
        assert ids(dev_archive, query) == expected, query
    assert all(_expected(cables, p) for q, p in cases if not q.startswith("class:<")), "empty"


@pytest.mark.parametrize("query", ["tag:PREL", "detainees OR terrorism", "class:secret date:2009"])
def test_facet_counts_equal_the_result_set(dev_archive: Archive, query: str) -> None:
    cables = all_cables(dev_archive)
    result = dev_archive.search(query, limit=100_000)
    matched = [cables[h.id] for h in result.hits]
    assert result.total == len(matched) > 0
    facets = result.facets(size=1000)
    assert dict(facets["tag"]) == Counter(t for c in matched for t in set(c["tags"]))
    assert dict(facets["caption"]) == Counter(t for c in matched for t in set(c["captions"]))
    assert dict(facets["origin"]) == Counter(c["origin"] or "(unknown)" for c in matched)
    assert dict(facets["classification"]) == Counter(
        c["classification"] or "(unknown)" for c in matched
    )
    months = Counter((c["created"] or "")[:7] or "(unknown)" for c in matched)
    assert dict(facets["month"]) == months
    assert sum(n for _, n in facets["year"]) == len(matched)


def test_cited_by_is_the_exact_inverse_of_refs(dev_archive: Archive) -> None:
    cables = all_cables(dev_archive)
    forward = {(a, b) for a in cables for link in dev_archive.refs(a) or [] for b in link.targets}
    backward = {(c.id, b) for b in cables for c in dev_archive.cited_by(b) or []}
    assert forward == backward
    assert len(forward) > 5


def test_refs_classify_every_item(dev_archive: Archive) -> None:
    cables = all_cables(dev_archive)
    keys = {k for cid, c in cables.items() for k in cable_keys(cid, c["origin"])}
    statuses = Counter()
    for cid, c in cables.items():
        links = dev_archive.refs(cid) or []
        assert len(links) == len(c["references"])
        for link, ref in zip(links, c["references"], strict=True):
            statuses[link.status] += 1
            if ref["id"] is None:
                assert link.status == "not-a-cable"
            else:
                assert (link.status == "archive") == (id_key(ref["id"]) in keys)
    assert statuses["archive"] and statuses["missing"]


def test_reingest_is_a_no_op(dev_archive: Archive, corpus: Any) -> None:
    conn = dev_archive.store.conn
    tables = ("cables", "copies", "tags", "refs", "cable_keys", "defects")

    def snapshot() -> list[Any]:
        return [conn.execute(f"SELECT count(*), total(rowid) FROM {t}").fetchone()
                if t in ("cables", "copies") else conn.execute(f"SELECT count(*) FROM {t}").fetchone()
                for t in tables]  # fmt: skip

    before = snapshot()
    data_before = conn.execute("SELECT group_concat(hex(data)) FROM cable_data").fetchone()
    report = dev_archive.ingest([corpus / "dev"])
    assert (report.counts.new, report.counts.updated, report.counts.merged) == (0, 0, 0)
    assert report.counts.unchanged == report.documents > 0
    assert snapshot() == before
    assert conn.execute("SELECT group_concat(hex(data)) FROM cable_data").fetchone() == data_before


def test_facets_of_big_sets_are_sampled_and_say_so(
    dev_archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cablegram.archive import facets as facets_module

    exact = dev_archive.search("has:date").facets(size=1000)
    assert not exact.approximate
    monkeypatch.setattr(facets_module, "EXACT_LIMIT", exact.total // 4)
    sampled = dev_archive.search("has:date").facets(size=1000)
    assert sampled.approximate and sampled.total == exact.total
    estimate = dict(sampled["classification"])
    for value, n in exact["classification"]:
        if n > exact.total // 5:  # large groups are estimated within 30%
            assert abs(estimate[value] - n) <= 0.3 * n, value


def test_origins_as_written_find_the_cables_of_their_post(dev_archive: Archive) -> None:
    by_token = dev_archive.search("origin:THEHAGUE", limit=0).total
    assert by_token > 0
    for written in ('"THE HAGUE"', '"AMEMBASSY THE HAGUE"', "thehague"):
        assert dev_archive.search(f"origin:{written}", limit=0).total == by_token
    assert (
        dev_archive.search('origin:"TEL AVIV"').total
        == dev_archive.search("origin:TELAVIV").total
        > 0
    )
    missed = dev_archive.search('origin:"THE HAUGE"')
    assert missed.total == 0 and missed.notices == [
        'unknown origin "THE HAUGE"; did you mean THE HAGUE?'
    ]


def test_undated_cables_are_counted_one_way(dev_archive: Archive) -> None:
    """stats, facets and date: agree: a cable is dated by its date-time group,
    and the undated ones are "(unknown)" everywhere."""
    stats = dict(dev_archive.stats()["by_year"])
    facets = dict(dev_archive.search("").facets(size=0)["year"])
    assert stats == facets
    assert sum(stats.values()) == dev_archive.stats()["cables"]
    for year, n in stats.items():
        if year != "(unknown)":
            assert dev_archive.search(f"date:{year}", limit=0).total == n, year
    undated = dev_archive.search("-has:date", limit=0).total
    assert stats.get("(unknown)", 0) == undated > 0


def test_the_empty_query_is_every_cable(dev_archive: Archive) -> None:
    everything = dev_archive.search("", limit=5)
    assert everything.total == dev_archive.stats()["cables"]
    assert len(everything.hits) == 5
