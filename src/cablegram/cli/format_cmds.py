"""``cablegram parse | render | validate``: the format layer on the command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any, BinaryIO

import click

from cablegram.cli import main


def _inputs(paths: tuple[str, ...]) -> Iterator[tuple[str, str | BinaryIO]]:
    """(label, source) pairs: '-' is standard input (read as a stream, never whole),
    anything else a path."""
    for p in paths:
        if p == "-":
            yield "<stdin>", sys.stdin.buffer
        else:
            yield p, p


def _reporter(failures: list[str]) -> Any:
    def report(err: Any) -> None:
        failures.append(str(err))
        click.echo(f"cablegram: {err}", err=True)

    return report


def _read_one(label: str, src: str | BinaryIO, failures: list[str]) -> Iterator[Any]:
    """Every cable in one input; parts that are not cables or cannot be read (a
    missing file, a corrupt zip, a link loop ...) are reported on stderr, naming
    their path, and reading goes on with the rest."""
    from cablegram.format.reader import read
    from cablegram.model import NotACableError

    report = _reporter(failures)
    try:
        yield from read(src, path=None if isinstance(src, str) else label, on_error=report)
    except NotACableError as err:  # the reader could not even start on the input
        report(err)


def _read_all(paths: tuple[str, ...], failures: list[str]) -> Iterator[Any]:
    for label, src in _inputs(paths):
        yield from _read_one(label, src, failures)


@main.command("parse")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--json", "as_json", is_flag=True, help="One schema JSON object per cable per line (JSONL)."
)
def parse_cmd(paths: tuple[str, ...], as_json: bool) -> None:
    """Parse cables from files, directories (recursed) or '-' (stdin).

    Every serialization is recognised from content: raw telegrams, WikiLeaks
    pages, cables.csv dumps, first-release JSON, text extracts, PlusD pages,
    NARA AAD printouts (PDF).
    Without --json, one summary line per cable.  Exit status 1 if any input
    was not a cable.
    """
    from cablegram.model import to_json_line

    failures: list[str] = []
    out = sys.stdout
    binary = out.buffer if hasattr(out, "buffer") else None
    for cable in _read_all(paths, failures):
        if as_json:
            line = to_json_line(cable)
            if binary is not None:
                binary.write(line)
            else:
                out.write(line.decode())
        else:
            cls = cable.classification.value if cable.classification else "?"
            defects = f"  [{len(cable.defects)} defects]" if cable.defects else ""
            out.write(
                f"{cable.id or '?'}\t{(cable.created or '')[:16]}\t{cls}\t"
                f"{cable.subject or ''}{defects}\n"
            )
    sys.exit(1 if failures else 0)


def _load_json_cables(path: str) -> Iterator[Any]:
    """Cables from a schema JSON file: one object, an array, or JSON lines."""
    from cablegram.format.drafts import DraftError, read_drafts

    if path == "-":
        raw = sys.stdin.read()
    else:
        with open(path, encoding="utf-8") as f:  # no pathlib: `parse` starts without it
            raw = f.read()
    try:
        yield from read_drafts(raw, path)
    except DraftError as err:
        raise click.ClickException(str(err)) from None


@main.command("render")
@click.argument("path", type=str)
def render_cmd(path: str) -> None:
    """Write cables given as schema JSON (FILE.json or '-') as telegram text."""
    from cablegram.format.render import render

    first = True
    for cable in _load_json_cables(path):
        if not first:
            click.echo("")
        click.echo(render(cable), nl=False)
        first = False


def _is_schema_json(path: str) -> bool:
    """True for a JSON file in the cable schema form (a draft), not a source dump."""
    if not path.endswith((".json", ".jsonl")):
        return False
    try:
        with open(path, encoding="utf-8") as f:
            head = f.read(4096)
    except OSError:
        return False
    return '"paragraphs"' in head and '"_id"' not in head


@main.command("validate")
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Findings as JSON lines.")
@click.option("--warnings/--no-warnings", default=True, help="Also print warnings.")
def validate_cmd(paths: tuple[str, ...], as_json: bool, warnings: bool) -> None:
    """Check cables against the release rules (FORMAT.md §4).

    PATHS are cable files in any serialization, or drafts as schema JSON.
    Findings print as ``file:line: CODE severity: message``; exit status 1
    when any error (not warning) was found or an input was not a cable.
    """
    from cablegram.format.validate import validate

    failures: list[str] = []
    errors = 0
    for label, src in _inputs(paths):
        cables: Any
        draft = isinstance(src, str) and _is_schema_json(src)
        cables = _load_json_cables(label) if draft else _read_one(label, src, failures)
        for cable in cables:
            # A draft is reported against its JSON file, a read cable against its source.
            where = label if draft else (cable.source.path or label)
            for f in validate(cable):
                if f.severity == "error":
                    errors += 1
                elif not warnings:
                    continue
                if as_json:
                    click.echo(
                        json.dumps(
                            {
                                "file": where,
                                "id": cable.id,
                                "line": f.line,
                                "code": f.code,
                                "severity": f.severity,
                                "message": f.message,
                            }
                        )
                    )
                else:
                    click.echo(f"{where}:{f.line or 0}: {f.code} {f.severity}: {f.message}")
    sys.exit(1 if errors or failures else 0)
