"""The leak suite: for every principal and every interface, nothing about a
cable the principal may not read is observable — not its id as a result, its
subject, its text, its existence, nor its effect on a count, a facet, a
snippet, a graph edge or a REF resolution.

Interfaces answer the same questions in JSON form (``ask``); the suite runs
over each interface and each store (SQLite is the only store today).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from leak_fixtures import ABSENT_ID, CITES, PRINCIPALS, LeakArchive, build, cable_id

from backends import BACKENDS, new_location
from cablegram.archive import PUBLIC, Archive
from cablegram.cli import main

BROAD = "common"  # a word every cable holds


class PythonInterface:
    name = "python"

    def __init__(self, fx: LeakArchive, user: str) -> None:
        with Archive(fx.path) as owner:
            principal = PUBLIC if user == "public" else owner.users.principal(user)
        self.archive = Archive(fx.path, principal=principal)

    def ask(self, op: str, arg: str = "") -> Any:
        a = self.archive
        if op == "search":
            r = a.search(arg, limit=100)
            return {"total": r.total, "hits": [h.to_dict() for h in r.hits],
                    "facets": r.facets().to_dict()}  # fmt: skip
        if op == "show":
            return a.get_dict(arg)
        if op == "raw":
            return a.raw(arg)
        if op == "refs":
            links = a.refs(arg)
            return None if links is None else [link.to_dict() for link in links]
        if op == "cited-by":
            nodes = a.cited_by(arg)
            return None if nodes is None else [n.id for n in nodes]
        if op == "thread":
            t = a.thread(arg)
            return None if t is None else t.to_dict()
        if op == "graph":
            return a.graph(arg)
        if op == "stats":
            return a.stats()
        if op == "export":
            return list(a.search(arg, limit=0).dicts())
        raise AssertionError(op)


class CLIInterface:
    name = "cli"

    def __init__(self, fx: LeakArchive, user: str) -> None:
        self.base = ["--archive", str(fx.path), "--as", user]
        self.runner = CliRunner()

    def _run(self, *args: str) -> tuple[int, str]:
        result = self.runner.invoke(main, [*args, *self.base])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result.exit_code, result.stdout

    def ask(self, op: str, arg: str = "") -> Any:
        if op == "search":
            code, out = self._run("search", arg, "--json", "--facets", "--limit", "100")
            data = json.loads(out)
            return {"total": data["total"], "hits": data["hits"], "facets": data["facets"]}
        if op in ("show", "refs", "cited-by", "thread"):
            code, out = self._run(op, arg, "--json")
            if code != 0:
                return None
            data = json.loads(out)
            return [n["id"] for n in data] if op == "cited-by" else data
        if op == "raw":
            code, out = self._run("show", arg, "--raw")
            return out if code == 0 else None
        if op == "graph":
            return json.loads(self._run("graph", arg, "--format", "json")[1])
        if op == "stats":
            return json.loads(self._run("stats", "--json")[1])
        if op == "export":
            return [json.loads(line) for line in self._run("export", arg)[1].splitlines()]
        raise AssertionError(op)


INTERFACES: list[Callable[[LeakArchive, str], Any]] = [PythonInterface, CLIInterface]
STORES = list(BACKENDS)  # every Store implementation runs the same suite


@pytest.fixture(scope="module", params=STORES)
def fx(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> LeakArchive:
    return build(new_location(request.param, tmp_path_factory.mktemp(request.param), "leaks",
                              request))  # fmt: skip


@pytest.fixture(params=INTERFACES, ids=lambda i: i.name)
def interface(request: pytest.FixtureRequest) -> Callable[[LeakArchive, str], Any]:
    return request.param  # type: ignore[no-any-return]


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _no_secrets(fx: LeakArchive, user: str, output: Any) -> None:
    words = set(re.findall(r"zq\w+", _dump(output).lower()))
    leaked = words & set(fx.secrets_of(fx.hidden(user)))
    assert not leaked, f"{user} sees {sorted(leaked)} of hidden cables"


def _outputs(fx: LeakArchive, api: Any, user: str) -> Iterator[Any]:
    """Every question asked about every cable and the corpus."""
    yield api.ask("search", BROAD)
    yield api.ask("graph", BROAD)
    yield api.ask("stats")
    yield api.ask("export", BROAD)
    for cid in fx.cables:
        for op in ("show", "raw", "refs", "cited-by", "thread"):
            yield api.ask(op, cid)


@pytest.mark.parametrize("user", sorted(PRINCIPALS))
def test_results_counts_and_facets_cover_exactly_what_may_be_read(
    fx: LeakArchive, interface: Any, user: str
) -> None:
    api = interface(fx, user)
    visible = fx.visible(user)
    result = api.ask("search", BROAD)
    assert result["total"] == len(visible)
    assert {h["id"] for h in result["hits"]} == visible
    facets = result["facets"]
    for name in ("classification", "year", "month"):
        assert sum(n for _, n in facets[name]) == len(visible), name
    assert dict(facets["tag"]).get("PREL", 0) == len(visible)
    stats = api.ask("stats")
    assert stats["cables"] == len(visible)
    assert sum(n for _, n in stats["by_year"]) == len(visible)
    hidden_targets = sum(
        1 for cid in visible if cable_id(CITES[int(cid[-4:]) - 1000]) not in visible
    )
    # Each visible cable cites one cable (visible or not) and one the archive lacks.
    assert stats["unresolved_references"] == len(visible) + hidden_targets
    assert {c["id"] for c in api.ask("export", BROAD)} == visible


@pytest.mark.parametrize("user", sorted(PRINCIPALS))
def test_hidden_cables_do_not_exist_for_the_reader(
    fx: LeakArchive, interface: Any, user: str
) -> None:
    api = interface(fx, user)
    absent = {op: api.ask(op, ABSENT_ID) for op in ("show", "raw", "refs", "thread")}
    assert all(v is None for v in absent.values())
    visible = fx.visible(user)
    # Every visible cable cites the absent id: cited-by answers from the REFs.
    assert set(api.ask("cited-by", ABSENT_ID)) == visible
    for cid in fx.hidden(user):
        for op in ("show", "raw", "refs", "thread"):
            assert api.ask(op, cid) == absent[op], (op, cid)
        # Like an absent id: the visible cables whose REF names it, or nothing.
        citers = {c for c in visible if cable_id(CITES[int(c[-4:]) - 1000]) == cid}
        assert set(api.ask("cited-by", cid) or ()) == citers
        for word in fx.secrets_of({cid}):
            assert api.ask("search", word)["total"] == 0, word
        assert api.ask("search", f'"{word}" OR {BROAD}')["total"] == len(fx.visible(user))


@pytest.mark.parametrize("user", sorted(PRINCIPALS))
def test_a_ref_to_a_hidden_cable_looks_like_a_ref_to_an_absent_one(
    fx: LeakArchive, interface: Any, user: str
) -> None:
    api = interface(fx, user)
    hidden = fx.hidden(user)
    graph = api.ask("graph", BROAD)
    nodes = {n["id"]: n for n in graph["nodes"]}
    absent_node = nodes[ABSENT_ID]
    for cid in fx.visible(user):
        links = api.ask("refs", cid)
        cited = cable_id(CITES[int(cid[-4:]) - 1000])
        by_id = {link["id"]: link for link in links}
        if cited in hidden:
            a, b = dict(by_id[cited]), dict(by_id[ABSENT_ID])
            for link in (a, b):
                link.pop("id"), link.pop("text"), link.pop("label")
            assert a == b  # same status ("missing"), no targets
            node = {k: v for k, v in nodes[cited].items() if k != "id"}
            assert node == {k: v for k, v in absent_node.items() if k != "id"}
        assert not set(api.ask("cited-by", cid)) & hidden
        thread = api.ask("thread", cid)
        assert not {n["id"] for n in thread["nodes"]} & hidden
    for edge in graph["edges"]:
        assert edge["source"] not in hidden


@pytest.mark.parametrize("user", sorted(PRINCIPALS))
def test_no_output_holds_a_word_of_a_hidden_cable(
    fx: LeakArchive, interface: Any, user: str
) -> None:
    api = interface(fx, user)
    for output in _outputs(fx, api, user):
        _no_secrets(fx, user, output)


def test_the_fixture_really_hides_something_from_everyone_but_the_owner(fx: LeakArchive) -> None:
    # Guards the suite itself: each principal has cables it must not see, and
    # each sees something (or the assertions above would be vacuous).
    for user in PRINCIPALS:
        assert fx.hidden(user), user
        assert fx.visible(user), user
    with Archive(fx.path) as owner:
        assert owner.search(BROAD).total == len(fx.cables)


@pytest.mark.parametrize("query", [BROAD, "comm*", f"{BROAD} class:>=unclassified"])
@pytest.mark.parametrize("user", sorted(PRINCIPALS))
def test_broad_results_sample_only_what_may_be_read(
    fx: LeakArchive, user: str, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the broad-query thresholds below the fixture's size, the total is
    estimated and the page and facets come from a sample (archive/broad.py):
    the sample must be drawn from the reader's own matches only."""
    from cablegram.archive import broad

    monkeypatch.setattr(broad, "BROAD", 2)
    monkeypatch.setattr(broad, "PROBE", 1)
    monkeypatch.setattr(broad, "SAMPLE", 3)
    monkeypatch.setattr(broad, "RANGES", 4)
    monkeypatch.setattr(broad, "MAX_SHARE", 1.0)
    api = PythonInterface(fx, user)
    visible = fx.visible(user)
    result = api.archive.search(query, limit=100)
    assert result.approximate_rank == (len(visible) > broad.BROAD)  # the sampled path ran
    assert {h.id for h in result.hits} <= visible
    assert result.exact_total() == len(visible)
    if result.total_exact:
        assert result.total == len(visible)
    facets = result.facets()
    seen = {fx.cables[cid].classification.value for cid in visible}  # type: ignore[union-attr]
    assert {v for v, _ in facets["classification"]} <= seen
    _no_secrets(fx, user, [h.to_dict() for h in result.hits])
    _no_secrets(fx, user, facets.to_dict())
