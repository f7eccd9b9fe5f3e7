"""One contract for the command line and the HTTP API: the same library call,
the same meaning, the same JSON; and the command line's own rules (exit
status, bounds, queries that start with '-', ``--json`` everywhere)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from cablegram.archive import Archive
from cablegram.archive.demo import demo_sources
from cablegram.cli import main
from cablegram.web import create_app
from commands import command_paths

SEEDS = Path(__file__).resolve().parents[2] / "src/cablegram/data/examples/seeds"

# Commands that print no document of their own, so --json would mean nothing.
WITHOUT_JSON = {
    "render": "prints telegram text; its input is the JSON",
    "export": "streams its own formats (--format jsonl is the JSON)",
    "serve": "runs a server",
    "demo": "a guided tour: ingests, prints sample searches, serves",
    "synth": "writes files; prints only a count on stderr",
    "directory export": "writes the directory in its CSV exchange form",
}


@pytest.fixture(scope="module")
def archive_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("contract") / "a.sqlite"
    with Archive(path) as archive:
        archive.ingest(demo_sources(300), workers=1)
        archive.users.add("analyst", clearance="confidential", captions=["NOFORN"])
    return str(path)


@pytest.fixture(scope="module")
def client(archive_file: str) -> Iterator[TestClient]:
    with TestClient(create_app(archive_file, anonymous="owner")) as c:
        yield c


def cli(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "params",
    [
        {"q": "detainees"},
        {"q": "tag:PTER OR tag:PREL", "sort": "date", "limit": "5", "offset": "3"},
        {"q": "class:>=confidential -has:refs", "facets": "true", "limit": "0"},
    ],
)
def test_search_json_is_the_api_document(
    archive_file: str, client: TestClient, params: dict[str, str]
) -> None:
    args = ["search", params["q"], "--archive", archive_file, "--json"]
    for key in ("sort", "limit", "offset"):
        if key in params:
            args += [f"--{key}", params[key]]
    if params.get("facets") == "true":
        args.append("--facets")
    code, out, _ = cli(*args)
    assert code == 0
    api = client.get("/api/search", params=params)
    assert api.status_code == 200
    assert json.loads(out) == api.json()
    assert set(api.json()) == {"query", "sort", "offset", "limit", "total", "total_exact",
                               "pageable", "approximate_rank", "hits", "facets"}  # fmt: skip


def copy_archive(source: str, target: Path) -> str:
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return str(target)


def _grants(info: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in info.items() if k not in ("created", "updated")}


@pytest.mark.parametrize(
    ("cli_args", "patch"),
    [
        (["--caption", "NODIS"], {"captions": ["NODIS"]}),
        (["--station", "RUEHMO", "--station", "RUEHTA"], {"stations": ["RUEHMO", "RUEHTA"]}),
        (["--clearance", "secret", "--sbu"], {"clearance": "secret", "sbu": True}),
        (["--clear-grants"], {"captions": [], "stations": [], "offices": []}),
    ],
)
def test_user_set_means_what_patch_means(
    archive_file: str, tmp_path: Path, cli_args: list[str], patch: dict[str, Any]
) -> None:
    """A change given to ``user set`` and the same change sent as PATCH leave the
    account alike: what is given replaces the user's, the rest stays."""
    by_cli = copy_archive(archive_file, tmp_path / "cli.sqlite")
    by_api = copy_archive(archive_file, tmp_path / "api.sqlite")
    with Archive(by_cli) as archive:
        archive.users.set("analyst", offices=["EUR/RUS"])
    with Archive(by_api) as archive:
        archive.users.set("analyst", offices=["EUR/RUS"])
    code, out, _ = cli("user", "set", "analyst", *cli_args, "--archive", by_cli, "--json")
    assert code == 0
    with TestClient(create_app(by_api, anonymous="owner")) as api:
        answer = api.patch("/api/users/analyst", json=patch)
    assert answer.status_code == 200
    assert _grants(json.loads(out)) == _grants(answer.json())
    given = {"captions", "stations", "offices"} & set(patch)
    kept = {"captions": ["NOFORN"], "stations": [], "offices": ["EUR/RUS"]}
    for key in {"captions", "stations", "offices"} - given:
        assert answer.json()[key] == kept[key]  # not given: left as it was


def test_every_printing_command_takes_json() -> None:
    missing = [
        name for name, command in command_paths(main)
        if name not in WITHOUT_JSON
        and not any("--json" in p.opts for p in command.params if isinstance(p, click.Option))
    ]  # fmt: skip
    assert missing == []
    assert set(WITHOUT_JSON) <= {name for name, _ in command_paths(main)}  # no stale exemption


def test_graph_json(archive_file: str) -> None:
    code, out, _ = cli("graph", "has:refs", "--limit", "20", "--archive", archive_file, "--json")
    graph = json.loads(out)
    assert code == 0 and graph["edges"] and {"nodes", "edges"} == set(graph)
    assert json.loads(cli("graph", "has:refs", "--limit", "20", "--archive", archive_file)[1]) == (
        graph
    )


@pytest.mark.parametrize(
    "args",
    [
        ["search", "detainees", "--limit", "-5"],
        ["search", "detainees", "--offset", "-1"],
        ["graph", "has:refs", "--limit", "0"],
        ["thread", "06ALMATY1703", "--depth", "0"],
        ["declass", "due", "--limit", "-1"],
        ["audit", "--limit", "0"],
    ],
)
def test_out_of_range_numbers_are_refused(archive_file: str, args: list[str]) -> None:
    code, out, err = cli(*args, "--archive", archive_file)
    assert code == 2 and "is not in the range" in err and out == ""


@pytest.mark.parametrize("command", ["search", "graph", "export"])
def test_a_query_may_start_with_a_minus(archive_file: str, command: str) -> None:
    """``-has:date`` (the documented NOT) reaches the query, before or after the
    options, as one argument or as separate words, and after ``--``."""
    expected = cli(command, "has:refs AND -tag:PREL", "--archive", archive_file)
    assert expected[0] == 0
    for args in (
        ["-tag:PREL", "has:refs", "--archive", archive_file],
        ["--archive", archive_file, "-tag:PREL", "has:refs"],
        ["--archive", archive_file, "--", "-tag:PREL", "has:refs"],
    ):
        code, out, err = cli(command, *args)
        assert code == 0, err
        assert out == expected[1]


def test_a_minus_query_counts_what_it_excludes(archive_file: str) -> None:
    def total(*words: str) -> int:
        code, out, _ = cli("search", *words, "--limit", "0", "--json", "--archive", archive_file)
        assert code == 0
        return int(json.loads(out)["total"])

    assert total("-tag:PREL") + total("tag:PREL") == total("has:date") + total("-has:date")
    assert 0 < total("-tag:PREL") < total("has:date")


def test_an_unknown_option_is_still_an_error(archive_file: str) -> None:
    code, _, err = cli("search", "detainees", "--limti", "3", "--archive", archive_file)
    assert code == 2 and "No such option" in err


def test_ingest_fails_when_any_input_failed(tmp_path: Path) -> None:
    """Like parse: every input is read, the failures are listed after the
    summary, and the exit status is 1."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "note.txt").write_text("a shopping list, not a cable\n")
    (tmp_path / "in" / "06ALMATY2872.txt").write_bytes((SEEDS / "06ALMATY2872.txt").read_bytes())
    archive = str(tmp_path / "a.sqlite")
    code, out, err = cli("ingest", str(tmp_path / "in"), str(tmp_path / "nope.txt"),
                         "--archive", archive)  # fmt: skip
    assert code == 1
    assert out.startswith("1 cable from 2 files")  # the good cable is in
    assert err.splitlines() == [
        "2 inputs failed:",
        f"  {tmp_path / 'in' / 'note.txt'}: text without cable structure (no header, "
        "classification line or TAGS/SUBJECT/E.O. lines)",
        f"  {tmp_path / 'nope.txt'}: no such file or directory",
    ]
    with Archive(archive) as a:
        assert a.get("06ALMATY2872") is not None
    code, out, err = cli("ingest", str(tmp_path / "in"), "--archive", archive, "--json")
    assert code == 1 and json.loads(out)["failures"][0]["where"].endswith("note.txt")
    code, out, err = cli("ingest", str(SEEDS / "06ALMATY1703.txt"), "--archive", archive)
    assert code == 0 and err == ""


def test_parquet_and_pandas_carry_created_as_a_timestamp(archive_file: str, tmp_path: Path) -> None:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = tmp_path / "x.parquet"
    code, _, err = cli("export", "origin:ALMATY", "--format", "parquet", "--out", str(target),
                       "--archive", archive_file)  # fmt: skip
    assert code == 0 and err == "2 cables exported\n"
    table = pq.read_table(target)
    assert table.schema.field("created").type == pa.timestamp("ms", tz="UTC")
    created = dict(zip(table.column("id").to_pylist(), table.column("created").to_pylist(),
                       strict=True))  # fmt: skip
    assert created["06ALMATY1703"].isoformat() == "2006-05-15T02:25:00+00:00"
    with Archive(archive_file) as archive:
        frame = archive.search("origin:ALMATY").to_pandas()
    assert isinstance(frame["created"].dtype, pd.DatetimeTZDtype)
    assert str(frame["created"].dtype.tz) == "UTC"
    day = frame.set_index("id").loc["06ALMATY2872", "created"]
    assert day == pd.Timestamp("2006-08-10T00:49:00Z")


# -- commands load by name --
def test_the_command_table_names_what_each_module_registers() -> None:
    import importlib
    import pkgutil

    import cablegram.cli as cli

    for module in pkgutil.iter_modules(cli.__path__):
        importlib.import_module(f"cablegram.cli.{module.name}")
    registered: dict[str, set[str]] = {}  # module -> the top-level commands it adds to

    def add(top: str, command: click.Command) -> None:
        assert command.callback is not None
        registered.setdefault(command.callback.__module__.rsplit(".", 1)[1], set()).add(top)
        for sub in getattr(command, "commands", {}).values():
            add(top, sub)

    for name, command in main.commands.items():
        add(name, command)
    assert registered == {module: set(names) for module, names in cli.COMMAND_MODULES.items()}


def test_a_command_imports_its_own_module_only() -> None:
    import subprocess
    import sys

    seed = sorted(SEEDS.glob("*.txt"))[0]
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(sorted(m for m in sys.modules if m.endswith('_cmds')),"
        " file=sys.stderr))\n"
        "from cablegram.cli import main\n"
        f"main(['parse', '--json', {str(seed)!r}])\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["id"] == seed.stem
    assert run.stderr.strip() == "['cablegram.cli.format_cmds']"
    listed = CliRunner().invoke(main, ["--help"]).output  # every command still listed
    assert all(f"  {name} " in listed for name in ("parse", "search", "serve", "ack", "copy"))
