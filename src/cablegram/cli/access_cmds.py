"""``cablegram user | declass | audit | policy``: accounts, declassification
review and the audit log on the command line (docs/access.md)."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click

from cablegram.cli import main
from cablegram.cli.archive_cmds import _echo_json, _open, archive_option, as_option, json_option

_LEVELS = ["unclassified", "confidential", "secret", "top-secret"]


def _grant_options(fn: Any) -> Any:
    for option in reversed((
        click.option("--clearance", type=click.Choice(_LEVELS, case_sensitive=False),
                     help="Highest classification the user may read."),
        click.option("--sbu/--no-sbu", default=None, help="May read SBU/LOU/FOUO text."),
        click.option("--caption", "captions", multiple=True, metavar="CAPTION",
                     help="Handling caption the user is read into (NOFORN, NODIS, ...)."),
        click.option("--station", "stations", multiple=True, metavar="RI",
                     help="Routing indicator of a post the user belongs to (RUEHTA)."),
        click.option("--office", "offices", multiple=True, metavar="SYMBOL",
                     help="Office the user belongs to (EUR/RUS)."),
        click.option("--owner/--no-owner", default=None,
                     help="Full access, account management and declassification decisions."),
        click.option("--password", "ask_password", is_flag=True,
                     help="Ask for a password (needed to log in to the web/API)."),
    )):  # fmt: skip
        fn = option(fn)
    return fn


def _password(ask: bool) -> str | None:
    if not ask:
        return None
    if not sys.stdin.isatty():  # scripts pipe it in; never take it from argv
        return sys.stdin.readline().rstrip("\n") or None
    import getpass  # here: every command starts faster without it

    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise click.UsageError("the passwords differ")
    return first or None


def _level_name(word: str) -> str:
    return word.replace("-", " ").upper()


def _level(word: str | None) -> str | None:
    return _level_name(word) if word else None


@main.group("user")
def user_group() -> None:
    """Archive accounts: who may read what (clearance, SBU, captions, stations, offices)."""


@user_group.command("add")
@click.argument("name")
@archive_option
@_grant_options
@json_option
def user_add(name: str, archive_file: str, clearance: str | None, sbu: bool | None,
             captions: tuple[str, ...], stations: tuple[str, ...], offices: tuple[str, ...],
             owner: bool | None, ask_password: bool, as_json: bool) -> None:  # fmt: skip
    """Create user NAME (default clearance: unclassified; POST /api/users)."""
    with _open(archive_file) as archive:
        archive.users.add(
            name, clearance=_level(clearance) or "UNCLASSIFIED", sbu=bool(sbu),
            captions=captions, stations=stations, offices=offices, owner=bool(owner),
            password=_password(ask_password),
        )  # fmt: skip
        _print_user(archive.users.info(name), as_json)


def _given(values: tuple[str, ...], clear: bool) -> list[str] | None:
    """A grant list for Users.set: the values given, [] to empty it, None to keep it."""
    return list(values) if values or clear else None


@user_group.command("set")
@click.argument("name")
@archive_option
@_grant_options
@click.option("--clear-grants", is_flag=True,
              help="Empty the captions, stations and offices not given.")  # fmt: skip
@json_option
def user_set(name: str, archive_file: str, clearance: str | None, sbu: bool | None,
             captions: tuple[str, ...], stations: tuple[str, ...], offices: tuple[str, ...],
             owner: bool | None, ask_password: bool, clear_grants: bool,
             as_json: bool) -> None:  # fmt: skip
    """Change user NAME, as PATCH /api/users/NAME does: what is given replaces the
    user's (--caption A --caption B: its captions become A and B), the rest stays."""
    with _open(archive_file) as archive:
        archive.users.set(
            name, clearance=_level(clearance), sbu=sbu,
            captions=_given(captions, clear_grants), stations=_given(stations, clear_grants),
            offices=_given(offices, clear_grants), owner=owner,
            password=_password(ask_password),
        )  # fmt: skip
        _print_user(archive.users.info(name), as_json)


@user_group.command("remove")
@click.argument("name")
@archive_option
@json_option
def user_remove(name: str, archive_file: str, as_json: bool) -> None:
    """Delete user NAME (its audit entries stay; DELETE /api/users/NAME)."""
    with _open(archive_file) as archive:
        archive.users.remove(name)
    if as_json:
        _echo_json({"removed": name.lower()})
    else:
        click.echo(f"removed {name.lower()}")


@user_group.command("list")
@archive_option
@json_option
def user_list(archive_file: str, as_json: bool) -> None:
    """Every user and its grants (never a password)."""
    with _open(archive_file) as archive:
        users = archive.users.list()
    if as_json:
        _echo_json([u.to_dict() for u in users])
        return
    for u in users:
        _print_user(u)


def _print_user(u: Any, as_json: bool = False) -> None:
    if as_json:
        _echo_json(u.to_dict())
        return
    grants = [u.clearance + (" +SBU" if u.sbu else "")]
    grants += [f"captions {','.join(u.captions)}"] if u.captions else []
    grants += [f"stations {','.join(u.stations)}"] if u.stations else []
    grants += [f"offices {','.join(u.offices)}"] if u.offices else []
    grants += ["OWNER"] if u.owner else []
    grants += ["password set"] if u.has_password else []
    click.echo(f"{u.name:<16} " + "; ".join(grants))


@main.group("declass")
def declass_group() -> None:
    """Declassification review: the queue, decisions, the report."""


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else date.today()
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)") from None


@declass_group.command("due")
@archive_option
@as_option
@click.option("--on", "on", metavar="DATE", help="Review day (default today).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@json_option
def declass_due(archive_file: str, as_user: str | None, on: str | None, limit: int,
                as_json: bool) -> None:  # fmt: skip
    """The review queue: cables due for review or declassified, not yet decided."""
    with _open(archive_file, as_user) as archive:
        items = list(archive.review.due(_day(on), limit=limit))
    if as_json:
        _echo_json([i.to_dict() for i in items])
        return
    for i in items:
        when = i.status.date.isoformat() if i.status.date else ""
        click.echo(f"{i.id:<22} {(i.created or '')[:10]}  {i.classification or '?':<12} "
                   f"{i.status.status.value:<15} {when}  {i.status.basis}")  # fmt: skip
    click.echo(f"{len(items)} cables in the queue" + (" (limit reached)" if len(items) == limit
                                                     else ""), err=True)  # fmt: skip


@declass_group.command("status")
@click.argument("cable_id")
@archive_option
@as_option
@click.option("--on", "on", metavar="DATE")
@json_option
def declass_status_cmd(cable_id: str, archive_file: str, as_user: str | None, on: str | None,
                       as_json: bool) -> None:  # fmt: skip
    """Where a cable stands: classified, due for review, declassified, exempted."""
    with _open(archive_file, as_user) as archive:
        status = archive.review.status(cable_id, _day(on))
        decisions = archive.review.decisions(cable_id)
    out = {"id": cable_id.upper(), "status": status.status.value,
           "date": status.date.isoformat() if status.date else None, "basis": status.basis,
           "exemptions": list(status.exemptions),
           "decisions": [{"action": d.action.value, "reason": d.reason, "who": d.who,
                          "when": d.when.isoformat(), "level": d.level.value, "sbu": d.sbu}
                         for d in decisions]}  # fmt: skip
    if as_json:
        _echo_json(out)
        return
    click.echo(f"{out['id']}: {out['status']} {out['date'] or ''}  ({out['basis']})")
    for d in out["decisions"]:
        click.echo(f"  {d['when']} {d['action']} by {d['who']}: {d['reason']}")


@declass_group.command("decide")
@click.argument("cable_id")
@click.argument("action", type=click.Choice(["release", "release-in-part", "exempt"]))
@click.option("--reason", required=True, help="Authority cited (1.4(d), 25X6, ...).")
@click.option(
    "--level",
    type=click.Choice(_LEVELS, case_sensitive=False),
    default="unclassified",
    show_default=True,
    help="release-in-part: portions above it are withheld.",
)
@click.option("--sbu", is_flag=True, help="release-in-part: release SBU portions too.")
@click.option("--on", "on", metavar="DATE", help="Decision date (default today).")
@archive_option
@as_option
@json_option
def declass_decide(cable_id: str, action: str, reason: str, level: str, sbu: bool,
                   on: str | None, archive_file: str, as_user: str | None,
                   as_json: bool) -> None:  # fmt: skip
    """Record a decision; the public then sees exactly what was released."""
    from cablegram.model import Classification

    with _open(archive_file, as_user) as archive:
        d = archive.review.decide(cable_id, action, reason, level=Classification(_level_name(level)),
                                  sbu=sbu, on=_day(on))  # fmt: skip
    if as_json:
        _echo_json({"cable_id": d.cable_id, "action": d.action.value, "reason": d.reason,
                    "who": d.who, "when": d.when.isoformat(), "level": d.level.value,
                    "sbu": d.sbu})  # fmt: skip
        return
    click.echo(f"{d.cable_id}: {d.action.value} ({d.reason}) by {d.who} on {d.when.isoformat()}")


@declass_group.command("report")
@archive_option
@as_option
@click.option("--size", default=15, show_default=True, type=click.IntRange(1, 200),
              help="Rows for origins and tags.")  # fmt: skip
@json_option
def declass_report(archive_file: str, as_user: str | None, size: int, as_json: bool) -> None:
    """Classified cables by year, origin and tag: released, in part, exempted, closed."""
    with _open(archive_file, as_user) as archive:
        report = archive.review.report(size=size)
    if as_json:
        _echo_json(report)
        return
    t = report["total"]
    click.echo(f"classified cables: {sum(t.values())}  released {t['released']}, in part "
               f"{t['released_in_part']}, exempted {t['exempted']}, closed {t['closed']}")  # fmt: skip
    for group in ("year", "origin", "tag"):
        click.echo(f"\nby {group:<24} released  in part  exempted    closed")
        for row in report[f"by_{group}"]:
            click.echo(f"   {row[group]!s:<24} {row['released']:>8} {row['released_in_part']:>8}"
                       f" {row['exempted']:>9} {row['closed']:>9}")  # fmt: skip


@main.command("audit")
@archive_option
@click.option("--who", help="Only this user.")
@click.option("--action", help="read, read-copies, declass-decide, user-add, user-set, ...")
@click.option("--target", help="Only this cable id or user name.")
@click.option("--since", metavar="DATE")
@click.option("--until", metavar="DATE")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@json_option
def audit_cmd(archive_file: str, who: str | None, action: str | None, target: str | None,
              since: str | None, until: str | None, limit: int, as_json: bool) -> None:  # fmt: skip
    """The audit log, newest first (reads of classified cables, decisions, accounts)."""
    with _open(archive_file) as archive:
        entries = archive.audit.query(who=who, action=action, target=target, since=since,
                                      until=until, limit=limit)  # fmt: skip
    if as_json:
        _echo_json([e.to_dict() for e in entries])
        return
    for e in entries:
        detail = " ".join(f"{k}={v}" for k, v in e.detail.items())
        click.echo(f"{e.at}  {e.who:<12} {e.interface:<6} {e.action:<15} {e.target or '':<22} "
                   f"{detail}")  # fmt: skip


@main.command("policy")
@archive_option
@click.option("--partial-release-search/--no-partial-release-search", "partial", default=None,
              help="Let readers below a cable's level find it by the portions released "
              "to their level (and read it redacted).  Off by default.")  # fmt: skip
@json_option
def policy_cmd(archive_file: str, partial: bool | None, as_json: bool) -> None:
    """Show or change the archive's release policy."""
    with _open(archive_file) as archive:
        if partial is not None:
            n = archive.set_partial_release_search(partial)
            click.echo(f"{n} reader-level views written", err=True)
        on = archive.partial_release_search
    if as_json:
        _echo_json({"partial_release_search": on})
    else:
        click.echo(f"partial-release search: {'on' if on else 'off'}")
