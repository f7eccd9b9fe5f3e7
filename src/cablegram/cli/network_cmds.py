"""``cablegram draft validate`` and ``cablegram directory export``: the network
commands that need no archive (a draft checked against a directory; the
directory written as CSV).  Thin: each calls :mod:`cablegram.network`."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime

import click

from cablegram.cli import main


def _directory(path: str | None):  # type: ignore[no-untyped-def]
    from cablegram.network import DirectoryError, default_directory, read_directory_csv
    from cablegram.network.directory_csv import directory_of

    if path is None:
        return default_directory()
    try:
        with open(path, encoding="utf-8") as f:
            return directory_of(read_directory_csv(f.read(), path))
    except OSError as err:
        raise click.ClickException(f"{path}: {err.strerror}") from None
    except DirectoryError as err:
        raise click.ClickException(str(err)) from None


@main.group("draft")
def draft_group() -> None:
    """Draft cables (NETWORK.md §2): check a draft before it goes for clearance."""


@draft_group.command("validate")
@click.argument("path")
@click.option("--on", "on", help="Drafting date (YYYY-MM-DD; default: today, UTC).")
@click.option("--directory", "directory_csv", help="A directory CSV (default: the shipped one).")
@click.option("--json", "as_json", is_flag=True, help="Findings as JSON lines.")
def draft_validate(path: str, on: str | None, directory_csv: str | None, as_json: bool) -> None:
    """Check a draft (schema JSON or telegram text) with the format's release rules and
    the network's (N01-N08): ``file:line: CODE severity: message (field)``; exit
    status 1 when an error was found."""
    from cablegram.format.drafts import DraftError
    from cablegram.network import check_draft, drafts

    try:
        with open(path, encoding="utf-8") as f:
            raw = f.read()
    except OSError as err:
        raise click.ClickException(f"{path}: {err.strerror}") from None
    try:
        day = date.fromisoformat(on) if on else datetime.now(UTC).date()
    except ValueError:
        raise click.ClickException(f"--on {on!r}: use YYYY-MM-DD") from None
    try:
        is_json = raw.lstrip().startswith("{")
        cable = drafts.from_json(raw, path) if is_json else drafts.from_text(raw)
    except DraftError as err:
        raise click.ClickException(str(err)) from None
    findings = check_draft(cable, _directory(directory_csv), day)
    for f in findings:
        if as_json:
            click.echo(json.dumps({"file": path, "line": f.line, "field": f.field, "code": f.code,
                                   "severity": f.severity, "message": f.message}))  # fmt: skip
        else:
            field = f" ({f.field})" if f.field and "(field" not in f.message else ""
            click.echo(f"{path}:{f.line or 0}: {f.code} {f.severity}: {f.message}{field}")
    sys.exit(1 if any(f.severity == "error" for f in findings) else 0)


@main.group("directory")
def directory_group() -> None:
    """The network directory: stations, collectives, offices, people."""


@directory_group.command("export")
@click.option(
    "--directory", "directory_csv", help="A directory CSV to rewrite (default: the shipped one)."
)
def directory_export(directory_csv: str | None) -> None:
    """Write the directory as CSV on standard output."""
    from cablegram.network import write_directory_csv

    click.echo(write_directory_csv(_directory(directory_csv)), nl=False)
