"""The archive commands, end to end through click (thin shells over the library)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cablegram.cli import main

SEEDS = Path(__file__).resolve().parents[2] / "src/cablegram/data/examples/seeds"
SEED_TEXTS = [str(p) for p in sorted(SEEDS.glob("*.txt"))]  # (beside them: expected JSON)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "a.sqlite")
    result = CliRunner().invoke(main, ["ingest", *SEED_TEXTS, "--archive", path, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["new"] == 2
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_search_text_and_json(db: str) -> None:
    code, out = run("search", "guantanamo detainees", "--archive", db, "--facets")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "2 cables match"
    assert lines[1].startswith("06ALMATY1703")  # both words in its subject: ranked first
    assert "PTER 2" in out
    code, out = run("search", "origin:ALMATY", "--archive", db, "--json", "--sort", "date")
    data = json.loads(out)
    assert data["total"] == 2
    assert [h["id"] for h in data["hits"]] == ["06ALMATY2872", "06ALMATY1703"]


def test_query_error_is_a_message_not_a_trace(db: str) -> None:
    code, out = run("search", "tag:PTER (detainees", "--archive", db)
    assert code == 2
    assert "missing ')'" in out and "Traceback" not in out
    assert out.splitlines()[-1].index("^") == 2 + len("tag:PTER ")


def test_show_refs_thread_stats(db: str) -> None:
    code, out = run("show", "06ALMATY1703", "--archive", db, "--json")
    assert json.loads(out)["subject"] == "KAZAKHSTAN: DISCUSSION OF GUANTANAMO DETAINEES"
    code, out = run("show", "06ALMATY1703", "--archive", db, "--raw")
    assert "SUBJECT: KAZAKHSTAN" in out
    code, out = run("show", "06ALMATY1703", "--archive", db, "--copies")
    assert out.startswith("* ")
    code, out = run("refs", "06ALMATY1703", "--archive", db, "--json")
    assert [(r["id"], r["status"]) for r in json.loads(out)] == [
        ("06STATE32380", "missing"), ("06ALMATY336", "missing"),
    ]  # fmt: skip
    code, out = run("cited-by", "06ALMATY1703", "--archive", db, "--json")
    assert json.loads(out) == []
    code, out = run("thread", "06ALMATY1703", "--archive", db)
    assert code == 0 and "06ALMATY1703" in out
    code, out = run("stats", "--archive", db, "--json")
    assert json.loads(out)["unresolved_references"] >= 2
    code, out = run("show", "99NOWHERE1", "--archive", db)
    assert code == 1 and "not in the archive" in out


def test_graph_and_export(db: str, tmp_path: Path) -> None:
    code, out = run("graph", "origin:ALMATY", "--archive", db, "--format", "graphml")
    assert code == 0 and '<edge id="e0" source="06ALMATY1703" target="06ALMATY336"/>' in out
    target = tmp_path / "out.csv"
    code, _ = run(
        "export", "origin:ALMATY", "--archive", db, "--format", "csv", "--out", str(target)
    )
    assert code == 0
    assert target.read_text().splitlines()[0].startswith("id,created,origin")
    assert len(target.read_text().splitlines()) >= 3


def test_reingest_reports_unchanged(db: str) -> None:
    code, out = run("ingest", *SEED_TEXTS, "--archive", db, "--json")
    assert code == 0
    summary = json.loads(out)
    assert (summary["new"], summary["unchanged"]) == (0, 2)


def test_ingest_from_stdin_and_missing_path(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sqlite")
    data = (SEEDS / "06ALMATY2872.txt").read_bytes()
    result = CliRunner().invoke(main, ["ingest", "-", "--archive", path, "--json"], input=data)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["new"] == 1
    assert json.loads(result.output)["files"] == 1  # stdin is one input
    code, out = run("ingest", str(tmp_path / "nope"), "--archive", path)
    assert code == 1 and "no such file or directory" in out


def test_big_files_count_as_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files unwrapped in the parent (big or zip) are counted like small ones."""
    from cablegram.archive import ingest

    monkeypatch.setattr(ingest, "BIG_FILE", 1000)  # every seed is "big"
    code, out = run("ingest", str(SEEDS), "--archive", str(tmp_path / "b.sqlite"), "--json")
    assert code == 1  # the expected-fields JSON beside the seeds is no cable
    summary = json.loads(out.split("\n2 inputs failed:")[0])
    assert (summary["files"], summary["new"]) == (len(list(SEEDS.iterdir())), 2)


def test_a_mistyped_archive_is_refused_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "cabels.sqlite"
    for args in (["search", "detainees"], ["show", "06ALMATY1703"], ["stats"], ["user", "list"]):
        result = CliRunner().invoke(main, [*args, "--archive", str(missing)])
        assert result.exit_code == 2, (args, result.output)
        assert f"{missing}: no such archive" in result.output
    assert not missing.exists()


def test_no_query_browses_every_cable(db: str) -> None:
    code, out = run("search", "--archive", db, "--sort", "date")
    assert code == 0 and out.splitlines()[0] == "2 cables match"
    code, out = run("export", "--archive", db)
    assert code == 0 and sum(line.startswith("{") for line in out.splitlines()) == 2
