"""``cablegram copy SRC DST``: move a whole archive between locations and backends."""

from __future__ import annotations

import json
import sys

import click

from cablegram.cli import main
from cablegram.cli.wording import counted


@main.command("copy")
@click.argument("source")
@click.argument("target")
@click.option("--workers", default=2, show_default=True, help="Parser processes.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def copy_cmd(source: str, target: str, workers: int, as_json: bool) -> None:
    """Copy the archive SOURCE into a new archive TARGET (an SQLite file or a
    postgresql:// URL, either way), accounts, decisions and the audit log
    included, then compare them cable by cable; exit 1 if they differ."""
    from cablegram.archive import ArchiveNotFound, NotAnArchive
    from cablegram.archive.copy import CopyError, copy_archive

    try:
        report = copy_archive(source, target, workers=workers)
    except (ArchiveNotFound, NotAnArchive, CopyError) as error:
        click.echo(f"cablegram: {error}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(
            f"copied {counted(report.cables, 'cable')} ({counted(report.copies, 'copy')}), "
            f"{counted(report.users, 'user')}, {counted(report.decisions, 'decision')}, "
            f"{counted(report.audit, 'audit entry')} "
            f"in {report.ingest.seconds:.1f}s"
        )
        click.echo("verified: identical" if report.identical else "DIFFERENCES:")
        for line in report.differences:
            click.echo(f"  {line}")
    if not report.identical:
        sys.exit(1)
