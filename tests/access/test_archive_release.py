"""Release decisions, the partial-release search policy, accounts and the audit
log, on the leak fixture archive (each test gets its own copy)."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from leak_fixtures import PRINCIPALS, LeakArchive, build, cable_id

from cablegram.archive import PUBLIC, AccessDenied, Archive, ReviewError
from cablegram.model import Classification

SECRET_MIXED = cable_id(4)  # SECRET; ¶1 (S), ¶2 (C), ¶3 (U); subject (S)
SECRET_NOFORN = cable_id(5)  # SECRET NOFORN; ¶1 (S//NF), ¶2 (C), ¶3 (U)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> LeakArchive:
    return build(tmp_path_factory.mktemp("release") / "t.sqlite")


@pytest.fixture
def fx(template: LeakArchive, tmp_path: Path) -> LeakArchive:
    path = tmp_path / "a.sqlite"
    with sqlite3.connect(template.path) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    return LeakArchive(path, template.cables)


def _words(value: Any) -> set[str]:
    return set(re.findall(r"zq\w+", json.dumps(value, default=str).lower()))


def _everything(archive: Archive, cid: str, query: str) -> list[Any]:
    result = archive.search(query, limit=50)
    return [
        archive.get_dict(cid), archive.raw(cid), [h.to_dict() for h in result.hits],
        list(archive.search(query, limit=0).dicts()), archive.graph(query),
    ]  # fmt: skip


def test_release_in_part_shows_the_public_exactly_what_was_released(fx: LeakArchive) -> None:
    with Archive(fx.path) as owner:
        owner.review.decide(SECRET_MIXED, "release-in-part", "1.4(b)")
    with Archive(fx.path, principal=PUBLIC) as public:
        view = public.get(SECRET_MIXED)
        assert view is not None
        assert view.classification is Classification.SECRET  # shown as released, not lowered
        assert [(p.number, p.marking) for p in view.paragraphs] == [(1, "S"), (2, "C"), (3, "U")]
        assert view.paragraphs[0].text == "withheld under 1.4(b)"
        assert "zqpara4x3" in view.paragraphs[2].text
        assert public.search("zqpara4x3").total == 1  # released portion: found
        for withheld in ("zqpara4x1", "zqpara4x2", "zqsubj4"):
            assert public.search(withheld).total == 0, withheld
            assert public.search(f"subject:{withheld}").total == 0
            # Nested beside a field, a word is matched against the view too.
            assert public.search(f"({withheld} OR tag:ZZNONE) has:date").total == 0, withheld
            assert public.search(f"has:date -{withheld}").total == public.search("has:date").total
        assert public.search("(zqpara4x3 OR tag:ZZNONE) has:date").total == 1
        for output in _everything(public, SECRET_MIXED, "zqpara4x3"):
            assert not _words(output) & {"zqpara4x1", "zqpara4x2", "zqsubj4"}
        assert public.copies(SECRET_MIXED) == []  # original texts hold withheld portions
        hit = public.search("zqpara4x3").hits[0]
        assert "withheld" in (hit.subject or "")


def test_exempt_and_full_release(fx: LeakArchive) -> None:
    with Archive(fx.path) as owner:
        owner.review.decide(SECRET_MIXED, "release", "declassified in full")
    with Archive(fx.path, principal=PUBLIC) as public:
        assert public.search("zqpara4x1").total == 1
        assert public.get(SECRET_MIXED).paragraphs[0].text.startswith("Paragraph 1")  # type: ignore[union-attr]
    with Archive(fx.path) as owner:
        owner.review.decide(SECRET_MIXED, "exempt", "25X1")
        assert [d.action.value for d in owner.review.decisions(SECRET_MIXED)] == [
            "release", "exempt",
        ]  # fmt: skip
    with Archive(fx.path, principal=PUBLIC) as public:
        assert public.get(SECRET_MIXED) is None
        assert public.search("zqbody4").total == 0
        assert public.stats()["cables"] == len(fx.visible("public"))


def test_only_owners_decide_and_manage_accounts(fx: LeakArchive) -> None:
    with Archive(fx.path) as owner:
        dave = owner.users.principal("dave")
    with Archive(fx.path, principal=dave) as reader:
        with pytest.raises(ReviewError):
            reader.review.decide(SECRET_MIXED, "release", "x")
        with pytest.raises(AccessDenied):
            reader.users.add("eve")
        with pytest.raises(AccessDenied):
            reader.ingest([b"x"])
        with pytest.raises(AccessDenied):  # the log names what others read
            reader.audit.query()
        with pytest.raises(AccessDenied):
            reader.users.list()
        with pytest.raises(AccessDenied):
            reader.users.info("alice")
        assert reader.users.info("dave").clearance == "TOP SECRET"  # its own account


def test_review_queue_lists_due_cables_until_decided(fx: LeakArchive) -> None:
    with Archive(fx.path) as owner:
        due = {i.id for i in owner.review.due(date(2026, 1, 1), limit=100)}
        classified = {cid for cid, c in fx.cables.items() if c.classification.rank > 0}  # type: ignore[union-attr]
        assert due == classified  # DECL 01/01/2019 has passed for all
        assert not list(owner.review.due(date(2018, 12, 31)))
        owner.review.decide(SECRET_MIXED, "release-in-part", "1.4(b)")
        assert SECRET_MIXED not in {i.id for i in owner.review.due(date(2026, 1, 1))}
        report = owner.review.report()
        assert report["total"]["released_in_part"] == 1
        assert report["total"]["closed"] == len(classified) - 1
        assert sum(r["released_in_part"] for r in report["by_year"]) == 1
    with Archive(fx.path, principal=PUBLIC) as public:
        # The public's queue and report only count what it may see.
        assert public.review.report()["total"] == {
            "released": 0, "released_in_part": 1, "exempted": 0, "closed": 0,
        }  # fmt: skip


def test_partial_release_search_policy(fx: LeakArchive) -> None:
    with Archive(fx.path) as owner:
        alice = owner.users.principal("alice")
    with Archive(fx.path, principal=alice) as reader:  # off by default
        assert not reader.partial_release_search
        assert reader.search("zqpara4x2").total == 0
    with Archive(fx.path) as owner:
        assert owner.set_partial_release_search(True) > 0
    with Archive(fx.path, principal=alice) as reader:
        assert reader.search("zqpara4x2").total == 1  # the C portion of a SECRET cable
        assert reader.search("zqpara4x1").total == 0  # its S portion
        assert reader.search("zqpara5x2").total == 0  # NOFORN cable: alice is not read in
        view = reader.get(SECRET_MIXED)
        assert view is not None and view.paragraphs[0].text.startswith("withheld")
        assert not _words(_everything(reader, SECRET_MIXED, "zqpara4x2")) & {"zqpara4x1"}
        with pytest.raises(AccessDenied):
            reader.set_partial_release_search(False)
    with Archive(fx.path) as owner:
        owner.set_partial_release_search(False)
    with Archive(fx.path, principal=alice) as reader:
        assert reader.search("zqpara4x2").total == 0


def test_decisions_accounts_and_audit_survive_reindex(fx: LeakArchive) -> None:
    with Archive(fx.path) as owner:
        owner.review.decide(SECRET_MIXED, "release-in-part", "1.4(b)")
        before = len(owner.audit.query(limit=1000))
        owner.reindex(workers=1)
        assert owner.users.principal("carol") == PRINCIPALS["carol"]
        assert len(owner.audit.query(limit=1000)) == before
    with Archive(fx.path, principal=PUBLIC) as public:
        assert public.search("zqpara4x3").total == 1
        assert public.search("zqpara4x1").total == 0


def test_audit_log_records_reads_decisions_and_accounts_and_is_append_only(
    fx: LeakArchive,
) -> None:
    with Archive(fx.path) as owner:
        bob = owner.users.principal("bob")
    with Archive(fx.path, principal=bob, interface="cli") as reader:
        reader.get(SECRET_MIXED)
        reader.get(cable_id(0))  # unclassified: not audited
    with Archive(fx.path) as owner:
        owner.users.set("bob", clearance="top secret", password="s3cret-pass")
        owner.review.decide(SECRET_MIXED, "release", "declassified")
        reads = owner.audit.query(who="bob", action="read")
        assert [(e.target, e.interface) for e in reads] == [(SECRET_MIXED, "cli")]
        change = owner.audit.query(action="user-set")[0]
        assert change.target == "bob" and change.detail["password"] == "changed"
        assert "s3cret-pass" not in json.dumps([e.to_dict() for e in owner.audit.query()])
        assert owner.audit.query(action="declass-decide")[0].detail["decision"] == "release"
        for sql in ("UPDATE audit SET who = 'x'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                owner.store.conn.execute(sql)


def test_passwords_are_argon2_hashes_and_authenticate(fx: LeakArchive) -> None:
    with Archive(fx.path) as owner:
        owner.users.set("alice", password="correct horse")
        stored = owner.store.conn.execute(
            "SELECT password_hash FROM users WHERE name = 'alice'"
        ).fetchone()[0]
        assert stored.startswith("$argon2id$") and "correct horse" not in stored
        assert owner.users.authenticate("alice", "correct horse") == owner.users.principal("alice")
        assert owner.users.authenticate("alice", "wrong") is None
        assert owner.users.authenticate("nobody", "correct horse") is None
        assert owner.users.authenticate("bob", "") is None  # no password set: no login


def test_old_archive_layout_is_refused_with_the_fix(tmp_path: Path) -> None:
    from cablegram.archive import ArchiveVersionError

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('schema', '2')")
    with pytest.raises(ArchiveVersionError, match="cablegram reindex"):
        Archive(path)


def test_text_facts_of_withheld_portions_do_not_show_through_a_view(tmp_path: Path) -> None:
    from cablegram.format.render import render
    from cablegram.model import from_dict

    secret = from_dict({
        "id": "09STATE3001", "origin": "STATE", "serial": 3001,
        "created": "2009-03-01T10:00:00Z", "classification": "SECRET", "subject": "A SUBJECT",
        "paragraphs": [
            {"number": 1, "marking": "S", "text": "Summary: the withheld summary. End summary."},
            {"number": 2, "marking": "U", "text": "Released text."},
        ],
    })  # fmt: skip
    path = tmp_path / "s.sqlite"
    with Archive(path) as owner:
        owner.ingest([render(secret).encode()], workers=1)
        assert owner.search("has:summary").total == 1
        owner.review.decide("09STATE3001", "release-in-part", "1.4(b)")
    with Archive(path, principal=PUBLIC) as public:
        assert public.search("released").total == 1  # the view is public
        assert public.get("09STATE3001").summary is None  # type: ignore[union-attr]
        assert public.search("has:summary").total == 0  # ... and says nothing of ¶1
        assert public.search("released has:summary").total == 0
