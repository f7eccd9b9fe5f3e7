"""``cablegram draft validate`` and ``cablegram directory export``: the network
commands that need no archive (a draft checked against a directory; the
directory written as CSV).  Thin: each calls :mod:`cablegram.network`."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import UTC, date, datetime

import click

from cablegram.cli import main
from cablegram.cli.archive_cmds import _echo_json, archive_option, as_option, json_option


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
    for found in findings:
        if as_json:
            click.echo(json.dumps({"file": path, "line": found.line, "field": found.field,
                                   "code": found.code, "severity": found.severity,
                                   "message": found.message}))  # fmt: skip
        else:
            field = f" ({found.field})" if found.field and "(field" not in found.message else ""
            click.echo(
                f"{path}:{found.line or 0}: {found.code} {found.severity}: {found.message}{field}"
            )
    sys.exit(1 if any(found.severity == "error" for found in findings) else 0)


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


# -- the directory kept in an archive --
def _owned_network(archive_file: str, as_user: str | None, *, change: bool = True):  # type: ignore[no-untyped-def]
    """The network of an archive, for the ``--as`` reader; ``change``: they are
    about to change the directory or the counters, which an owner does."""
    from cablegram.cli.archive_cmds import _open
    from cablegram.network import open_network

    @contextmanager
    def opened():  # type: ignore[no-untyped-def]
        with _open(archive_file, as_user) as archive:
            if change and not archive.principal.owner:
                click.echo(f"cablegram: {archive.principal.name} may not change the directory "
                           "(an owner does)", err=True)  # fmt: skip
                sys.exit(1)
            try:
                net = open_network(archive)
            except ValueError as err:
                raise click.ClickException(str(err)) from None
            yield net, archive

    return opened()


@directory_group.command("import")
@click.argument("path")
@archive_option
@as_option
@json_option
def directory_import(path: str, archive_file: str, as_user: str | None, as_json: bool) -> None:
    """Add or replace the entries of a directory CSV in the archive's directory."""
    from cablegram.network import DirectoryError, read_directory_csv

    try:
        with open(path, encoding="utf-8") as f:
            entries = read_directory_csv(f.read(), path)
    except OSError as err:
        raise click.ClickException(f"{path}: {err.strerror}") from None
    except DirectoryError as err:
        raise click.ClickException(str(err)) from None
    with _owned_network(archive_file, as_user) as (net, archive):
        net.put(archive.principal.name, *entries)
    kinds: dict[str, int] = {}
    for e in entries:
        kind = type(e).__name__.lower()
        kinds[kind] = kinds.get(kind, 0) + 1
    if as_json:
        _echo_json({"imported": len(entries), "kinds": dict(sorted(kinds.items()))})
        return
    counts = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in sorted(kinds.items()))
    click.echo(f"imported {len(entries)} entries ({counts})")


@main.group("person")
def person_group() -> None:
    """People of the network directory: archive users at a station and office."""


def _person_dict(p) -> dict:  # type: ignore[no-untyped-def,type-arg]
    a = p.authority
    return {
        "user": p.user, "station": p.station, "office": p.office, "name": p.name,
        "roles": sorted(p.roles),
        "authority": {"origins": sorted(a.origins), "classification": a.classification.value,
                      "captions": sorted(a.captions)} if a else None,
    }  # fmt: skip


def _person_line(p) -> str:  # type: ignore[no-untyped-def]
    a = p.authority
    may = (f"; releases {','.join(sorted(a.origins))} up to {a.classification.value}"
           + (f" ({','.join(sorted(a.captions))})" if a.captions else "")) if a else ""  # fmt: skip
    return f"{p.user:<12} {p.station} {p.office}: {', '.join(sorted(p.roles)) or 'no roles'}{may}"


@person_group.command("add")
@click.argument("user")
@click.option("--station", required=True, help="Plain-language address: 'AMEMBASSY ALMATY'.")
@click.option("--office", required=True, help="Office symbol at the station: POL, S/S.")
@click.option("--role", "roles", multiple=True,
              type=click.Choice(["drafter", "clearer", "approver"]), help="A role (repeatable).")  # fmt: skip
@click.option("--name", default="", help="The person's name.")
@click.option("--release-origin", "origins", multiple=True, metavar="ORIGIN",
              help="Release authority: an origin they release for (repeatable).")  # fmt: skip
@click.option("--release-up-to", "up_to", metavar="LEVEL",
              help="Release authority: the highest classification (UNCLASSIFIED ... TOP SECRET).")  # fmt: skip
@click.option("--release-caption", "captions", multiple=True, metavar="CAPTION",
              help="Release authority: a caption they may release (repeatable).")  # fmt: skip
@archive_option
@as_option
@json_option
def person_add(user: str, station: str, office: str, roles: tuple[str, ...], name: str,
               origins: tuple[str, ...], up_to: str | None, captions: tuple[str, ...],
               archive_file: str, as_user: str | None, as_json: bool) -> None:  # fmt: skip
    """Add USER (or replace them) in the directory."""
    from cablegram.archive.users import UserError, parse_clearance
    from cablegram.network.directory import DirectoryError, Person, ReleaseAuthority

    if (origins or captions) and not up_to:
        raise click.UsageError("a release authority needs --release-up-to LEVEL")
    try:
        authority = ReleaseAuthority(
            frozenset(o.upper() for o in origins), parse_clearance(up_to),
            frozenset(c.upper() for c in captions),
        ) if up_to else None  # fmt: skip
        person = Person(user, station, office, frozenset(roles), authority, name)
    except (DirectoryError, UserError, ValueError) as err:
        raise click.ClickException(str(err)) from None
    with _owned_network(archive_file, as_user) as (net, archive):
        if net.directory.station(person.station) is None:
            raise click.ClickException(f"no station {person.station!r} in the directory")
        net.put(archive.principal.name, person)
    click.echo(json.dumps(_person_dict(person), indent=2) if as_json else _person_line(person))


@person_group.command("list")
@archive_option
@as_option
@json_option
def person_list(archive_file: str, as_user: str | None, as_json: bool) -> None:
    """People in the archive's directory."""
    with _owned_network(archive_file, as_user, change=False) as (net, _archive):
        people = sorted(net.directory.people.values(), key=lambda p: p.user)
    if as_json:
        _echo_json([_person_dict(p) for p in people])
        return
    for p in people:
        click.echo(_person_line(p))


@main.command("serial")
@click.argument("origin")
@click.option("--year", type=int, required=True, help="The calendar year of the series.")
@click.option("--set", "last", type=int, help="The last serial used (it only moves forward).")
@archive_option
@as_option
@json_option
def serial_cmd(origin: str, year: int, last: int | None, archive_file: str,
               as_user: str | None, as_json: bool) -> None:  # fmt: skip
    """Where ORIGIN's series of YEAR stands (the last serial used); --set moves it."""
    from cablegram.network import Refused

    origin = origin.upper()
    with _owned_network(archive_file, as_user) as (net, archive):
        before = net.store.last_serial(origin, year)
        if last is not None:
            try:
                net.set_serial(archive.principal.name, origin, year, last)
            except Refused as err:
                if as_json:
                    _echo_json(err.to_dict())
                else:
                    click.echo(f"cablegram: refused: {err.message}", err=True)
                sys.exit(1)
    now = before if last is None else last
    if as_json:
        _echo_json({"origin": origin, "year": year, "last": now, "next": now + 1})
    elif last is None:
        click.echo(f"{origin} {year}: {now} (the next release is {now + 1})")
    else:
        click.echo(f"{origin} {year}: {before} -> {last} (the next release is {last + 1})")


@main.command("clock")
@click.argument("when", required=False)
@click.option("--real", is_flag=True, help="Run on the real clock again.")
@archive_option
@as_option
@json_option
def clock_cmd(when: str | None, real: bool, archive_file: str, as_user: str | None,
              as_json: bool) -> None:  # fmt: skip
    """The time the archive's network runs at: WHEN (an ISO time such as
    2006-08-10T00:49Z) for training and replays, --real for the real clock
    ($CABLEGRAM_NOW overrides both)."""
    from cablegram.network.archived import CLOCK_SETTING, set_network_clock
    from cablegram.network.workflow import parse_time

    if when and real:
        raise click.UsageError("give WHEN or --real, not both")
    try:
        at = parse_time(when) if when else None
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="WHEN") from None
    with _owned_network(archive_file, as_user) as (_net, archive):
        if when or real:
            set_network_clock(archive, at)
        value = archive.store.setting(CLOCK_SETTING)
    if as_json:
        _echo_json({"clock": value or "real"})
    else:
        click.echo(f"network clock: {value or 'real'}")
