"""Docs that run: every console block of README.md and docs/*.md runs and
prints what it shows (scripts/docs.py; ``--write`` regenerates the output),
and every CLI command and HTTP route is documented.

A block that names the corpus (``../shared/corpus``) is skipped, saying so,
when the corpus is absent; every other block runs on the bundled examples.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from commands import command_paths

REPO = Path(__file__).resolve().parents[2]


def _runner():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("docs_runner", REPO / "scripts" / "docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["docs_runner"] = module
    spec.loader.exec_module(module)
    return module


docs = _runner()
BLOCKS = [(path, i) for path in docs.doc_files() for i, _ in enumerate(docs.parse_doc(path))]


@pytest.mark.parametrize(
    ("path", "index"), BLOCKS, ids=[docs.parse_doc(p)[i].name for p, i in BLOCKS]
)
def test_console_block_prints_what_it_shows(path: Path, index: int) -> None:
    run = docs.cached_run(path)[index]
    if run.skipped:
        pytest.skip(f"{run.block.name}: {run.skipped}")
    drift = [f"line {r.command.line}: $ {r.command.text}\n{r.diff()}"
             for r in run.results if not r.ok]  # fmt: skip
    assert not drift, (
        "\n\n".join(drift) + "\n\nIf the new output is right: .venv/bin/python scripts/docs.py "
        f"--write {docs.shown_path(path)} (and review the diff)"
    )


def test_every_doc_follows_the_convention() -> None:
    """Each doc parses (no cablegram example outside a run block or a marked one)."""
    for path in docs.doc_files():
        docs.parse_doc(path)
    assert len(BLOCKS) >= 10


# -- the runner itself --
def _doc(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_unrun_examples_are_refused(tmp_path: Path) -> None:
    for text in ("```text\n$ cablegram search x\n```\n", "```sh\ncablegram stats\n```\n",
                 "```\nls && .venv/bin/cablegram demo\n```\n"):  # fmt: skip
        with pytest.raises(docs.DocsError, match="outside a console block"):
            docs.parse_doc(_doc(tmp_path, text))
    marked = "<!-- docs: not run — serves until stopped -->\n```text\n$ cablegram serve\n```\n"
    assert docs.parse_doc(_doc(tmp_path, marked)) == []
    python = "```python\nimport cablegram\ncablegram.read('x')\n```\n"
    assert docs.parse_doc(_doc(tmp_path, python)) == []


def test_a_session_runs_blocks_in_order_and_skips_corpus_blocks_without_it(
    tmp_path: Path,
) -> None:
    text = (
        "```console\n$ echo one > f.txt\n$ cat f.txt\none\n```\n\n"
        "```console\n$ ls ../shared/corpus/dev | head -n 1\nINDEX.tsv\n```\n\n"
        "```console\n$ cat f.txt; echo 'done in 1.5s (300/s)'\none\ndone in 9.9s (12/s)\n```\n"
    )
    path = _doc(tmp_path, text)
    runs = docs.run_doc(path, corpus=None)
    assert [bool(r.skipped) for r in runs] == [False, True, False]
    assert "../shared/corpus" in (runs[1].skipped or "")
    assert all(result.ok for run in runs for result in run.results)  # durations normalised


def test_write_regenerates_outputs_and_keeps_cuts(tmp_path: Path) -> None:
    text = (
        "Intro.\n\n```console\n$ printf 'a\\nb\\nc\\nd\\n'\nstale\n\n$ seq 1 10\n1\n...\n10\n"
        "$ seq 1 20\n1\n2\n...\n9\n```\n"
    )
    path = _doc(tmp_path, text)
    runs = docs.run_doc(path, corpus=None)
    assert [r.ok for r in runs[0].results] == [False, True, False]
    assert docs.write(path, runs) == 2
    assert path.read_text() == (
        "Intro.\n\n```console\n$ printf 'a\\nb\\nc\\nd\\n'\na\nb\nc\nd\n\n$ seq 1 10\n1\n...\n10\n"
        "$ seq 1 20\n1\n2\n...\n20\n```\n"
    )
    assert all(r.ok for run in docs.run_doc(path, corpus=None) for r in run.results)


def test_normalisation() -> None:
    lines = [
        "2026-12-02T08:56:10.583+00:00  owner  cli  user-add",
        '"created": "2006-05-15T02:25:00Z", "seconds": 3.617,',
        "2002 cables from 2002 files in 5.0s (400/s): 2002 new",
    ]
    assert docs.normalise(lines) == [
        "<NOW>  owner  cli  user-add",
        '"created": "2006-05-15T02:25:00Z", "seconds": <SECONDS>,',  # a cable's date stays
        "2002 cables from 2002 files in <SECONDS>s (<RATE>/s): 2002 new",
    ]


# -- everything is documented --
def _documentation() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in docs.doc_files())


def test_every_cli_command_is_documented() -> None:
    from cablegram.cli import main

    text = _documentation()
    missing = [c for c, _ in command_paths(main) if not re.search(rf"cablegram {c}\b", text)]
    assert missing == []


def _route_pattern(path: str) -> re.Pattern[str]:
    """A route as docs write it: parameters as ``{name}`` or ``ID``/``NAME``."""
    if path == "/":
        return re.compile(r"`/`")
    parts = re.split(r"\{[^}]+\}", path)
    body = r"(?:\{[^}]+\}|[A-Z]+)".join(re.escape(p) for p in parts)
    return re.compile(rf"(?<![\w/{{}}.-]){body}(?![\w/{{-])")


def _paths(routes: list[object]) -> set[str]:
    """Every route's path, included routers walked (static files aside)."""
    from starlette.routing import Mount

    out: set[str] = set()
    for route in routes:
        if isinstance(route, Mount):
            continue
        if isinstance(getattr(route, "path", None), str):
            out.add(route.path)  # type: ignore[attr-defined]
        inner = getattr(getattr(route, "original_router", route), "routes", None)
        if inner is not None and inner is not routes:
            out |= _paths(inner)
    return out


def test_every_http_route_is_documented(tmp_path: Path) -> None:
    from cablegram.archive import Archive
    from cablegram.web import create_app

    Archive(tmp_path / "a.sqlite").close()
    app = create_app(str(tmp_path / "a.sqlite"))
    text = _documentation()
    routes = _paths(app.routes)
    assert {"/api/search", "/cables/{cable_id}", "/favicon.ico", "/docs"} <= routes
    missing = sorted(path for path in routes if not _route_pattern(path).search(text))
    assert missing == []
