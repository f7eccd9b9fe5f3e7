"""``cablegram ingest | search | show | refs | cited-by | thread | graph | stats |
export | reindex | demo | synth``: the archive on the command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from cablegram.cli import main
from cablegram.cli.query_arg import QueryCommand, joined, query_argument
from cablegram.cli.wording import agrees, counted, noun_for

archive_option = click.option(
    "--archive",
    "archive_file",
    envvar="CABLEGRAM_ARCHIVE",
    default="cablegram.sqlite",
    show_default=True,
    help="Archive: an SQLite file, or a postgresql://user@host:port/dbname URL "
    "(env CABLEGRAM_ARCHIVE).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")
as_option = click.option(
    "--as",
    "as_user",
    envvar="CABLEGRAM_USER",
    default=None,
    metavar="USER",
    help="Read as this archive user ('public': the anonymous reader; 'published': "
    "every cable, as for a corpus already public). Default: the local owner, who "
    "reads everything (env CABLEGRAM_USER).",
)


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _principal(archive_file: str, as_user: str | None) -> Any:
    """The reader ``--as`` names (None: the local owner)."""
    from cablegram.archive import PUBLIC, PUBLISHED, Archive

    if as_user is None or as_user.lower() == "owner":
        return None
    if as_user.lower() == "public":
        return PUBLIC
    if as_user.lower() == "published":
        return PUBLISHED
    with Archive(archive_file, create=False) as owner:
        principal = owner.users.principal(as_user)
    if principal is None:
        click.echo(f"cablegram: no user '{as_user}' in {archive_file} (see cablegram user list)",
                   err=True)  # fmt: skip
        sys.exit(2)
    return principal


@contextmanager
def _open(archive_file: str, as_user: str | None = None, *, create: bool = False) -> Iterator[Any]:
    """The archive opened for the ``--as`` reader; access errors end the command
    cleanly.  Only commands that build an archive (``create``: ingest, demo)
    may make a new one: a mistyped ``--archive`` must not answer "0 cables"."""
    from cablegram.archive import (
        AccessDenied,
        Archive,
        ArchiveNotFound,
        ArchiveVersionError,
        NotAnArchive,
        ReadOnlyArchive,
        ReviewError,
        UserError,
    )

    try:
        principal = _principal(archive_file, as_user)
        archive = Archive(archive_file, principal=principal, interface="cli", create=create)
    except ArchiveNotFound as error:
        click.echo(f"cablegram: {error} (build one with 'cablegram ingest' or "
                   "'cablegram demo', or name it with --archive)", err=True)  # fmt: skip
        sys.exit(2)
    except (ArchiveVersionError, NotAnArchive, ReadOnlyArchive) as error:
        click.echo(f"cablegram: {error}", err=True)
        sys.exit(2)
    try:
        yield archive
    except (AccessDenied, ReviewError, UserError) as error:
        click.echo(f"cablegram: {error}", err=True)
        sys.exit(1)
    finally:
        archive.close()


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[int, int, int], None] | None]:
    """A rich progress bar (files, cables, cables/s, ETA by bytes) fed by ingest."""
    if not enabled:
        yield None
        return
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        BarColumn(),
        TextColumn(
            "{task.fields[files]} files  {task.fields[cables]} cables  {task.fields[rate]}/s"
        ),
        TimeRemainingColumn(),
    )
    start = time.perf_counter()
    with Progress(*columns, console=_console(), transient=False) as bar:
        task = bar.add_task("ingest", total=total or None, files=0, cables=0, rate=0)

        def update(files: int, cables: int, done: int) -> None:
            rate = int(cables / max(time.perf_counter() - start, 1e-6))
            bar.update(task, completed=done, files=files, cables=cables, rate=rate)

        yield update


def _print_report(report: Any, as_json: bool) -> None:
    if as_json:
        _echo_json(report.to_dict())
        _print_failures(report.failures)
        return
    c = report.counts
    click.echo(
        f"{counted(report.documents, 'cable')} from {counted(report.files, 'file')}"
        f" in {report.seconds:.1f}s "
        f"({report.rate:.0f}/s): {c.new} new, {c.updated} updated, {c.unchanged} unchanged, "
        f"{c.merged} copies merged"
    )
    if c.defects:
        click.echo("defects: " + ", ".join(f"{k} {v}" for k, v in sorted(c.defects.items())))
    _print_failures(report.failures)


def _print_failures(failures: list[tuple[str, str]]) -> None:
    """The inputs that were not read, after the report (stderr), in name order."""
    if failures:
        n = len(failures)
        click.echo(f"{n} input{'' if n == 1 else 's'} failed:", err=True)
        for where, reason in sorted(failures):
            click.echo(f"  {where}: {reason}", err=True)


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True)
@archive_option
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1),
              help="Parser processes.")  # fmt: skip
@click.option("--batch", default=5000, show_default=True, type=click.IntRange(min=1),
              help="Cables per transaction.")  # fmt: skip
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a TTY).")
@click.option(
    "--part", default=None, metavar="K/N",
    help="Only share K of N of the inputs (files, and the documents of big files): "
    "N processes or machines given the same paths fill one archive together.",
)  # fmt: skip
@click.option(
    "--parse-seconds", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
    help="Time limit per document: one that takes longer is kept as its text with a "
    "defect (default: CABLEGRAM_PARSE_SECONDS, else 10; 0: no limit).",
)  # fmt: skip
@json_option
def ingest_cmd(
    paths: tuple[str, ...], archive_file: str, workers: int, batch: int,
    progress: bool | None, part: str | None, parse_seconds: float | None, as_json: bool,
) -> None:  # fmt: skip
    """Read files, directories, zip/gzip files or '-' (stdin) into the archive.

    Every input is read, also after one fails; exit status 1 if any input
    failed (the failures are listed after the summary, on stderr)."""
    from cablegram.archive.ingest import IngestError, Part, total_bytes

    try:
        share = Part.parse(part) if part else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--part") from None
    sources: list[Any] = [sys.stdin.buffer if p == "-" else p for p in paths]  # stdin streamed
    show = sys.stderr.isatty() if progress is None else progress
    with _open(archive_file, create=True) as archive, _progress(total_bytes(sources), show) as bar:
        try:
            report = archive.ingest(sources, workers=workers, batch=batch, progress=bar,
                                    part=share, parse_seconds=parse_seconds)  # fmt: skip
        except IngestError as error:
            click.echo(f"cablegram: {error}", err=True)
            sys.exit(1)
    _print_report(report, as_json)
    sys.exit(1 if report.failures else 0)


@main.command("reindex")
@archive_option
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1))
@json_option
def reindex_cmd(archive_file: str, workers: int, as_json: bool) -> None:
    """Re-parse every stored copy with this version's parser (after an upgrade)."""
    with _open(archive_file) as archive:
        report = archive.reindex(workers=workers)
    _print_report(report, as_json)


def _search(archive: Any, query: str, **kw: Any) -> Any:
    from cablegram.archive import QuerySyntaxError

    try:
        return archive.search(query, **kw)
    except QuerySyntaxError as error:
        click.echo(f"query error: {error.message}\n  {query}\n  {' ' * error.position}^", err=True)
        sys.exit(2)


def _styled(snippet: str) -> str:
    from rich.markup import escape

    return escape(snippet).replace("«", "[bold yellow]").replace("»", "[/bold yellow]")


@main.command("search", cls=QueryCommand)
@as_option
@query_argument
@archive_option
@click.option("--sort", type=click.Choice(["rank", "date", "date-asc"]), default="rank")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=0),
              help="Hits to print (0: only count).")  # fmt: skip
@click.option("--offset", default=0, show_default=True, type=click.IntRange(min=0))
@click.option("--facets/--no-facets", default=False, help="Counts by tag, origin, class...")
@click.option(
    "--exact", is_flag=True,
    help="Count every match (a query matching over 5,000 cables is otherwise estimated).",
)  # fmt: skip
@json_option
def search_cmd(
    as_user: str | None, query_words: tuple[str, ...], archive_file: str, sort: str,
    limit: int, offset: int, facets: bool, exact: bool, as_json: bool,
) -> None:  # fmt: skip
    """Search: words, "phrases", prefix*, AND/OR/NOT/-word, (), field:value.

    QUERY is one argument or several words; a word may start with '-' (NOT:
    cablegram search -has:date); '--' ends the options.  A query matching
    more than 5,000 cables gets an estimated total ("about"), facets and a
    relevance page from an even sample of its matches; --exact counts every
    match, --sort date pages through all of them.  --json prints the search
    document of GET /api/search."""
    query = joined(query_words)
    with _open(archive_file, as_user) as archive:
        result = _search(archive, query, sort=sort, limit=limit, offset=offset, exact=exact)
        if as_json:
            _echo_json(result.to_dict(facets=facets))
            return
        counts = result.facets() if facets else None
        total = result.total
        console = _console()
        about = "" if result.total_exact else "about "
        console.print(
            f"{about}[bold]{total:,}[/bold] {noun_for(total, 'cable')}"
            f" {agrees(total, 'matches', 'match')}"
        )
        if result.approximate_rank:
            console.print(
                f"[dim]a sample of {result.pageable:,}: subject matches first, then newest"
                " (--sort date pages through every match, --exact counts them)[/]"
            )
        for h in result.hits:
            from rich.markup import escape

            console.print(
                f"[bold cyan]{h.id}[/]  {(h.created or '')[:10]}  {h.classification or '?'}  "
                f"{escape(h.origin or '')}  [bold]{escape(h.subject or '')}[/]"
            )
            console.print("    " + _styled(h.snippet))
        if counts:
            if counts.approximate:
                console.print("[dim]facets estimated from a sample of the matches[/]")
            for name, values in counts.items():
                shown = values if name != "month" else values[-12:]
                console.print(f"[dim]{name}:[/] " + ", ".join(f"{v} {n}" for v, n in shown))


def _need(value: Any, cable_id: str) -> Any:
    if value is None:
        click.echo(f"cablegram: {cable_id}: not in the archive", err=True)
        sys.exit(1)
    return value


@main.command("show")
@as_option
@click.argument("cable_id")
@archive_option
@json_option
@click.option("--raw", is_flag=True, help="The stored text of the best copy.")
@click.option("--copies", "show_copies", is_flag=True, help="Every copy, with a diff.")
@click.option(
    "--release-to",
    "release_to",
    metavar="LEVEL",
    help="The releasable view for a reader at LEVEL: portions above it withheld.",
)
def show_cmd(
    as_user: str | None, cable_id: str, archive_file: str, as_json: bool, raw: bool,
    show_copies: bool, release_to: str | None,
) -> None:  # fmt: skip
    """Print a cable (its parsed text; --json schema object; --raw; --copies)."""
    with _open(archive_file, as_user) as archive:
        if release_to:
            _show_release(archive, cable_id, release_to, as_json)
            return
        data = _need(archive.get_dict(cable_id), cable_id)
        copies = archive.copies(cable_id) if show_copies else []
        text = archive.raw(cable_id) if raw else None
    if show_copies and not copies:
        click.echo(f"cablegram: {cable_id}: no copies you may read (you see a release view)",
                   err=True)  # fmt: skip
        sys.exit(1)
    if show_copies:
        if as_json:
            _echo_json([{"sha256": c.sha256, "format": c.format, "path": c.path,
                         "locator": c.locator, "primary": c.primary, "text": c.text}
                        for c in copies])  # fmt: skip
            return
        base = next(c for c in copies if c.primary)
        for c in copies:
            mark = "*" if c.primary else " "
            click.echo(f"{mark} {c.sha256[:12]}  {c.format}  {c.path or ''} {c.locator or ''}")
        import difflib  # here: every command starts faster without it

        for c in copies:
            if c is not base:
                diff = difflib.unified_diff(
                    base.text.splitlines(), c.text.splitlines(),
                    f"{base.format}:{base.path}", f"{c.format}:{c.path}", lineterm="", n=1,
                )  # fmt: skip
                click.echo("\n".join(diff))
        return
    if as_json:
        _echo_json(data)
    elif raw:
        click.echo(text)
    else:
        click.echo(data.get("text") or "")


def _show_release(archive: Any, cable_id: str, level: str, as_json: bool) -> None:
    from cablegram.format.render import render
    from cablegram.model import to_dict

    view = _need(archive.release_view(cable_id, level), cable_id)
    if as_json:
        _echo_json(to_dict(view))
    else:
        click.echo(render(view), nl=False)


@main.command("refs")
@as_option
@click.argument("cable_id")
@archive_option
@json_option
def refs_cmd(as_user: str | None, cable_id: str, archive_file: str, as_json: bool) -> None:
    """What a cable cites: in the archive / known id not in it / not a cable."""
    with _open(archive_file, as_user) as archive:
        links = _need(archive.refs(cable_id), cable_id)
    if as_json:
        _echo_json([link.to_dict() for link in links])
        return
    for link in links:
        target = ", ".join(link.targets) or link.cited_id or ""
        click.echo(f"{link.label or '-'}  {link.status:<12} {target:<22} {link.text}")


@main.command("cited-by")
@as_option
@click.argument("cable_id")
@archive_option
@json_option
def cited_by_cmd(as_user: str | None, cable_id: str, archive_file: str, as_json: bool) -> None:
    """Cables in the archive that cite this one."""
    with _open(archive_file, as_user) as archive:
        nodes = _need(archive.cited_by(cable_id), cable_id)
    if as_json:
        _echo_json([{"id": n.id, "created": n.created, "subject": n.subject} for n in nodes])
        return
    for n in nodes:
        click.echo(f"{n.id:<22} {(n.created or '')[:10]}  {n.subject or ''}")


@main.command("thread")
@as_option
@click.argument("cable_id")
@archive_option
@click.option("--depth", default=4, show_default=True, type=click.IntRange(1, 8),
              help="Citation steps to follow.")  # fmt: skip
@json_option
def thread_cmd(
    as_user: str | None, cable_id: str, archive_file: str, depth: int, as_json: bool
) -> None:
    """The conversation: cables it cites and that cite it, in date order."""
    from rich.markup import escape
    from rich.tree import Tree

    with _open(archive_file, as_user) as archive:
        thread = _need(archive.thread(cable_id, depth=depth), cable_id)
    if as_json:
        _echo_json(thread.to_dict())
        return

    def label(cid: str) -> str:
        n = thread.nodes[cid]
        return f"[cyan]{cid}[/] {(n.created or '')[:10]} {escape(n.subject or '')}"

    def grow(tree: Tree, cid: str, step: Callable[[str], list[str]], seen: set[str]) -> None:
        kids = sorted(step(cid), key=lambda k: (thread.nodes[k].created or "", k))
        for kid in kids:
            if kid not in seen:
                seen.add(kid)
                grow(tree.add(label(kid)), kid, step, seen)

    root = Tree(label(thread.root))
    grow(root.add("[dim]cites[/]"), thread.root, thread.cites, {thread.root})
    grow(root.add("[dim]cited by[/]"), thread.root, thread.cited_by, {thread.root})
    _console().print(root)


@main.command("graph", cls=QueryCommand)
@as_option
@query_argument
@archive_option
@click.option("--format", "fmt", type=click.Choice(["json", "graphml"]), default="json",
              show_default=True)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print JSON (same as --format json).")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(min=1),
              help="Matches whose citations are drawn (newest first).")  # fmt: skip
def graph_cmd(
    as_user: str | None, query_words: tuple[str, ...], archive_file: str, fmt: str,
    as_json: bool, limit: int,
) -> None:  # fmt: skip
    """The citation graph of the cables matching QUERY (GET /api/graph): JSON, or
    GraphML for graph tools."""
    from cablegram.archive.graph import to_graphml

    query = joined(query_words)
    with _open(archive_file, as_user) as archive:
        _search(archive, query, limit=1)  # reports syntax errors cleanly
        g = archive.graph(query, limit=limit)
    if fmt == "graphml" and not as_json:
        click.echo(to_graphml(g))
    else:
        _echo_json(g)


@main.command("stats")
@as_option
@archive_option
@json_option
def stats_cmd(as_user: str | None, archive_file: str, as_json: bool) -> None:
    """Counts by year, origin, classification, tag; defects; unresolved references."""
    with _open(archive_file, as_user) as archive:
        s = archive.stats()
    if as_json:
        _echo_json(s)
        return
    for key in ("cables", "copies", "references", "unresolved_references", "non_cable_references"):
        click.echo(f"{key.replace('_', ' ')}: {s[key]}")
    for key in ("by_year", "by_classification", "by_origin", "by_tag", "defects"):
        click.echo(f"{key.replace('_', ' ')}: " + ", ".join(f"{v} {n}" for v, n in s[key]))


@main.command("export", cls=QueryCommand)
@as_option
@query_argument
@archive_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl")
@click.option("--out", "out", default="-", help="Output file ('-' = stdout; required for parquet).")
@click.option("--sort", type=click.Choice(["rank", "date", "date-asc"]), default="date")
def export_cmd(
    as_user: str | None, query_words: tuple[str, ...], archive_file: str, fmt: str, out: str,
    sort: str,
) -> None:  # fmt: skip
    """Stream every cable matching QUERY as JSON lines (schema objects), CSV or
    Parquet (flat columns; Parquet's created is a timestamp)."""
    from cablegram.archive import export

    query = joined(query_words)
    with _open(archive_file, as_user) as archive:
        cables = _search(archive, query, sort=sort, limit=0).dicts()
        if fmt == "parquet":
            if out == "-":
                raise click.UsageError("--format parquet needs --out FILE")
            n = export.write_parquet(cables, out)
        else:
            writer = export.write_jsonl if fmt == "jsonl" else export.write_csv
            if out == "-":
                n = writer(cables, sys.stdout)
            else:
                with open(out, "w", encoding="utf-8", newline="") as f:
                    n = writer(cables, f)
    click.echo(f"{counted(n, 'cable')} exported", err=True)


@main.command("synth")
@click.option("--count", default=1000, show_default=True, type=click.IntRange(min=0))
@click.option("--seed", default=0, show_default=True)
@click.option("--out", required=True, help="Directory (one ID.txt each), FILE.csv or FILE.csv.gz.")
def synth_cmd(count: int, seed: int, out: str) -> None:
    """Write synthetic telegram cables (for demos and benchmarks)."""
    from cablegram.archive.demo import write_synth

    click.echo(f"{counted(write_synth(count, out, seed=seed), 'cable')} written to {out}", err=True)


@main.command("demo")
@archive_option
@click.option("--count", default=2000, show_default=True, type=click.IntRange(min=0),
              help="Synthetic cables to add.")  # fmt: skip
@click.option("--serve/--no-serve", default=True, help="Open the web interface on it afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to serve on.")
@click.option("--port", default=8000, show_default=True, help="TCP port to serve on.")
def demo_cmd(archive_file: str, count: int, serve: bool, host: str, port: int) -> None:
    """Build a demo archive (shipped seeds + synthetic cables), run searches, and
    serve it on the web (as its owner: the demo holds no real secrets)."""
    from cablegram.archive.demo import DEMO_QUERIES, demo_sources

    with _open(archive_file, create=True) as archive:
        report = archive.ingest(demo_sources(count))
        _print_report(report, False)
        console = _console()
        for query in DEMO_QUERIES:
            result = archive.search(query, limit=3)
            console.print(
                f"\n[bold]cablegram search '{query}'[/]: {counted(result.total, 'cable')}"
            )
            for h in result.hits:
                console.print(f"  [cyan]{h.id}[/] {(h.created or '')[:10]} {h.subject or ''}")
    click.echo(f"\narchive: {archive_file}  (try: cablegram search --archive {archive_file} QUERY)")
    if not serve:
        return
    from cablegram.cli.web_cmds import run_server, web_available

    if not web_available():
        click.echo("(install the web extra to browse it: pip install 'cablegram[web]')", err=True)
        return
    run_server(archive_file, host=host, port=port, anonymous="owner")
