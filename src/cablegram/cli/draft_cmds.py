"""``cablegram draft new|edit|show|list|submit|withdraw|reply|repeat|correct``,
``cablegram clear``, ``cablegram return``, ``cablegram release``: the drafting,
clearance and release workflow on an archive, acting as ``--as USER``.

Thin: each command calls one method of :class:`cablegram.network.Network`
(opened on the archive with :func:`cablegram.network.open_network`) and prints
its result; ``--json`` prints the same objects as the HTTP API.  A refused
step prints why and exits with status 1, nothing changed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from cablegram.cli import main
from cablegram.cli.archive_cmds import _echo_json, _open, archive_option, json_option
from cablegram.cli.network_cmds import draft_group

acting_option = click.option(
    "--as",
    "as_user",
    envvar="CABLEGRAM_USER",
    required=True,
    metavar="USER",
    help="Act as this user: an archive account who is a person in the network "
    "directory (env CABLEGRAM_USER).",
)


@contextmanager
def _network(archive_file: str, as_user: str, as_json: bool) -> Iterator[Any]:
    """The workflow on the archive; refusals and stale edits end the command
    with status 1 and their message (as JSON with ``--json``)."""
    from cablegram.format.drafts import DraftError
    from cablegram.network import Refused, StaleVersion, open_network

    with _open(archive_file) as archive:
        try:
            net = open_network(archive)
        except ValueError as err:  # a clock that is no time
            raise click.ClickException(str(err)) from None
        try:
            yield net
        except Refused as err:
            _fail(err.to_dict(), f"refused: {err.message}", as_json)
        except StaleVersion as err:
            _fail({"refused": "stale", "message": str(err)}, str(err), as_json)
        except DraftError as err:
            _fail({"refused": "unreadable", "message": str(err)}, str(err), as_json)


def _fail(data: dict[str, Any], message: str, as_json: bool) -> None:
    if as_json:
        _echo_json(data)
    else:
        click.echo(f"cablegram: {message}", err=True)
    sys.exit(1)


def _read_cable(path: str) -> Any:
    """A draft cable from a schema JSON or telegram text file (``-``: standard input)."""
    from cablegram.network import drafts

    try:
        if path == "-":
            raw = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as f:
                raw = f.read()
    except OSError as err:
        raise click.ClickException(f"{path}: {err.strerror}") from None
    name = "<stdin>" if path == "-" else path
    return drafts.from_json(raw, name) if raw.lstrip().startswith("{") else drafts.from_text(raw)


def _requests(values: tuple[str, ...], net: Any, user: str) -> list[Any]:
    """``--clearance OFFICE`` (the drafter's station) or ``STATION:OFFICE``."""
    from cablegram.network.drafts import ClearanceRequest

    person = net.directory.person(user)
    out = []
    for value in values:
        station, sep, office = value.rpartition(":")
        if not sep:
            station = person.station if person is not None else ""
        out.append(ClearanceRequest(station, office))
    return out


clearance_option = click.option(
    "--clearance",
    "clearances",
    multiple=True,
    metavar="[STATION:]OFFICE",
    help="Ask this office to clear (repeatable; the station defaults to yours).",
)


# -- printing --
def _draft_line(d: Any) -> str:
    subject = d.cable.subject or "(no subject)"
    return f"draft {d.id}  v{d.version}  {d.state:<9}  {d.drafter:<12}  {subject}"


def _show_findings(findings: list[Any]) -> None:
    for f in findings:
        where = f" ({f.field})" if f.field else ""
        click.echo(f"  {f.code} {f.severity}: {f.message}{where}")


def _show_view(view: Any) -> None:
    click.echo(_draft_line(view.draft))
    c = view.draft.cable
    level = c.classification.value if c.classification else "UNCLASSIFIED"
    to = ", ".join(a.name for a in c.to) or "-"
    click.echo(f"  from {c.from_.name if c.from_ else '-'} to {to}; {level}")
    if view.draft.basis:
        click.echo(f"  {view.draft.kind} of {view.draft.basis}")
    if view.draft.released_as:
        click.echo(f"  released as {view.draft.released_as}")
    click.echo(f"findings: {len(view.findings) or 'none'}")
    _show_findings(view.findings)
    click.echo("clearances:")
    given = {c.key: c for c in view.clearances}
    for r in view.required:
        c = given.get(r.key)
        mark = (
            f"cleared by {c.user}" + (f" ({c.mode.upper()})" if c.mode != "full" else "")
            if c
            else "missing"
        )
        click.echo(f"  {r.office:<8} {mark:<28} {r.reason}")
    click.echo("history:")
    for e in view.events:
        extra = f" — {e.detail['comment']}" if e.detail.get("comment") else ""
        click.echo(f"  {e.at}  {e.action:<9} {e.user} (v{e.version}){extra}")


def _done(net: Any, user: str, draft: Any, as_json: bool, words: str) -> None:
    if as_json:
        _echo_json(net.show(user, draft.id).to_dict())
    else:
        click.echo(f"{_draft_line(draft)}  — {words}")


# -- the draft group (``draft validate`` is in network_cmds) --
@draft_group.command("new")
@click.argument("path", required=False)
@click.option("--template", help="Start from a packaged template (unclassified, classified).")
@clearance_option
@acting_option
@archive_option
@json_option
def draft_new(path: str | None, template: str | None, clearances: tuple[str, ...],
              as_user: str, archive_file: str, as_json: bool) -> None:  # fmt: skip
    """Start a draft from PATH (schema JSON or telegram text; - reads standard
    input) or from --template; prints it with its findings."""
    from cablegram.model import Station
    from cablegram.network import drafts

    if (path is None) == (template is None):
        raise click.UsageError("give a PATH or --template NAME (one of them)")
    with _network(archive_file, as_user, as_json) as net:
        if template is not None:
            person = net.directory.person(as_user)
            origin = Station(person.station) if person is not None else None
            cable = drafts.from_template(template, origin=origin)
        else:
            cable = _read_cable(path or "-")
        draft = net.create(as_user, cable, requested=_requests(clearances, net, as_user))
        view = net.show(as_user, draft.id)
        if as_json:
            _echo_json(view.to_dict())
        else:
            click.echo(f"{_draft_line(draft)}  — created")
            _show_findings(view.findings)


@draft_group.command("edit")
@click.argument("draft_id", type=int)
@click.argument("path", required=False)
@click.option("--version", "version", type=int, required=True,
              help="The version the edit is based on (an older one is refused).")  # fmt: skip
@clearance_option
@acting_option
@archive_option
@json_option
def draft_edit(draft_id: int, path: str | None, version: int, clearances: tuple[str, ...],
               as_user: str, archive_file: str, as_json: bool) -> None:  # fmt: skip
    """Replace draft DRAFT_ID's cable with PATH and/or its requested clearances
    (--clearance); the clearances it had are cleared."""
    if path is None and not clearances:
        raise click.UsageError("give a PATH, --clearance, or both")
    with _network(archive_file, as_user, as_json) as net:
        cable = _read_cable(path) if path is not None else None
        requested = _requests(clearances, net, as_user) if clearances else None
        draft = net.edit(as_user, draft_id, version=version, cable=cable, requested=requested)
        _done(net, as_user, draft, as_json, "edited")
        if not as_json:
            _show_findings(net.show(as_user, draft_id).findings)


@draft_group.command("show")
@click.argument("draft_id", type=int)
@click.option("--cable", "cable_only", is_flag=True,
              help="Only the draft's cable as schema JSON (to edit and give back).")  # fmt: skip
@click.option("--telegram", is_flag=True,
              help="The telegram as release would send it now (nothing is consumed).")  # fmt: skip
@acting_option
@archive_option
@json_option
def draft_show(draft_id: int, cable_only: bool, telegram: bool, as_user: str,
               archive_file: str, as_json: bool) -> None:  # fmt: skip
    """A draft: its findings, required clearances, history."""
    from cablegram.network.drafts import draft_json

    with _network(archive_file, as_user, as_json) as net:
        view = net.show(as_user, draft_id)
        if cable_only:
            _echo_json(draft_json(view.draft.cable))
        elif telegram:
            click.echo(net.plan(as_user, draft_id).assembled.telegram, nl=False)
        elif as_json:
            _echo_json(view.to_dict())
        else:
            _show_view(view)


@draft_group.command("list")
@click.option("--state", type=click.Choice(["draft", "submitted", "released", "withdrawn"]))
@click.option("--queue", is_flag=True, help="Drafts waiting for your office's clearance.")
@acting_option
@archive_option
@json_option
def draft_list(state: str | None, queue: bool, as_user: str, archive_file: str,
               as_json: bool) -> None:  # fmt: skip
    """Drafts you may read (newest last), or your clearance queue."""
    with _network(archive_file, as_user, as_json) as net:
        found = [v.draft for v in net.queue(as_user)] if queue else net.list(as_user, state=state)
        if as_json:
            _echo_json([d.to_dict() for d in found])
            return
        for d in found:
            click.echo(_draft_line(d))
        click.echo(f"{len(found)} draft{'s' if len(found) != 1 else ''}"
                   + (" waiting for your clearance" if queue else ""))  # fmt: skip


def _step(name: str, doc: str, act: Callable[[Any, str, int], Any], words: str) -> None:
    @draft_group.command(name, help=doc)
    @click.argument("draft_id", type=int)
    @acting_option
    @archive_option
    @json_option
    def command(draft_id: int, as_user: str, archive_file: str, as_json: bool) -> None:
        with _network(archive_file, as_user, as_json) as net:
            _done(net, as_user, act(net, as_user, draft_id), as_json, words)


_step("submit", "Send draft DRAFT_ID for clearance and approval (refused while it has errors).",
      lambda net, user, d: net.submit(user, d), "submitted")  # fmt: skip
_step("withdraw", "Withdraw draft DRAFT_ID (it is kept, and can no longer be edited).",
      lambda net, user, d: net.withdraw(user, d), "withdrawn")  # fmt: skip


@draft_group.command("reply")
@click.argument("cable_id")
@acting_option
@archive_option
@json_option
def draft_reply(cable_id: str, as_user: str, archive_file: str, as_json: bool) -> None:
    """Start a draft answering CABLE_ID (REF A cites it by canonical id)."""
    with _network(archive_file, as_user, as_json) as net:
        _done(net, as_user, net.reply(as_user, cable_id), as_json, f"reply to {cable_id.upper()}")


@draft_group.command("repeat")
@click.argument("cable_id")
@click.option("--to", "to", multiple=True, required=True, metavar="ADDRESS",
              help="A new addressee (repeatable), e.g. 'AMEMBASSY MOSCOW'.")  # fmt: skip
@acting_option
@archive_option
@json_option
def draft_repeat(cable_id: str, to: tuple[str, ...], as_user: str, archive_file: str,
                 as_json: bool) -> None:  # fmt: skip
    """Start a repeat of CABLE_ID to new addressees (FOLLOWING ... REPEATED YOU)."""
    with _network(archive_file, as_user, as_json) as net:
        draft = net.repeat(as_user, cable_id, list(to))
        _done(net, as_user, draft, as_json, f"repeat of {cable_id.upper()}")


@draft_group.command("correct")
@click.argument("cable_id")
@click.option("--reason", required=True, help="What the corrected copy corrects.")
@acting_option
@archive_option
@json_option
def draft_correct(cable_id: str, reason: str, as_user: str, archive_file: str,
                  as_json: bool) -> None:  # fmt: skip
    """Start a corrected copy of CABLE_ID (same MRN and DTG, ZDS on FL4)."""
    with _network(archive_file, as_user, as_json) as net:
        draft = net.correct(as_user, cable_id, reason)
        _done(net, as_user, draft, as_json, f"corrected copy of {cable_id.upper()}")


# -- clearance and release --
@main.command("clear")
@click.argument("draft_id", type=int)
@click.option("--draft", "mode", flag_value="draft", help="Cleared on the draft: (DRAFT).")
@click.option("--subst", "mode", flag_value="subst", help="Cleared as a substitute: (SUBST).")
@click.option("--comment", default="", help="What the clearer says.")
@acting_option
@archive_option
@json_option
def clear_cmd(draft_id: int, mode: str | None, comment: str, as_user: str,
              archive_file: str, as_json: bool) -> None:  # fmt: skip
    """Clear submitted draft DRAFT_ID for your office."""
    with _network(archive_file, as_user, as_json) as net:
        c = net.clear(as_user, draft_id, mode=mode or "full", comment=comment)
        if as_json:
            _echo_json(c.to_dict())
        else:
            click.echo(f"draft {draft_id}: cleared for {c.office} by {c.label()}")


@main.command("return")
@click.argument("draft_id", type=int)
@click.option("--comment", required=True, help="Why it goes back to its drafter.")
@acting_option
@archive_option
@json_option
def return_cmd(draft_id: int, comment: str, as_user: str, archive_file: str,
               as_json: bool) -> None:  # fmt: skip
    """Send submitted draft DRAFT_ID back to its drafter."""
    with _network(archive_file, as_user, as_json) as net:
        _done(net, as_user, net.return_(as_user, draft_id, comment), as_json, "returned")


def _plan_lines(plan: dict[str, Any]) -> Iterator[str]:
    yield f"id        {plan['id']}"
    yield f"MRN       {plan['mrn']}"
    yield f"DTG       {plan['dtg']}"
    yield f"DE line   {plan['de']}"
    yield f"security  {plan['security']}"
    yield f"routing   {' '.join(plan['routing_indicators'])}"
    numbers = ", ".join(f"{k} {v}" for k, v in plan["numbers"].items()) or "none"
    yield f"numbers   {numbers}"
    yield f"sections  {plan['sections']}"


@main.command("release")
@click.argument("draft_id", type=int)
@click.option("--plan", "plan_only", is_flag=True,
              help="Show what release would assign now and what refuses it; consume nothing.")  # fmt: skip
@acting_option
@archive_option
@json_option
def release_cmd(draft_id: int, plan_only: bool, as_user: str, archive_file: str,
                as_json: bool) -> None:  # fmt: skip
    """Release draft DRAFT_ID: assign its serial, DTG, DE line and numbers, store
    it in the archive; refused (nothing consumed) unless every rule is met."""
    with _network(archive_file, as_user, as_json) as net:
        if plan_only:
            plan = net.plan(as_user, draft_id).to_dict()
            if as_json:
                _echo_json({k: v for k, v in plan.items() if k != "telegram"})
                return
            for line in _plan_lines(plan):
                click.echo(line)
            for r in plan["refusals"]:
                click.echo(f"refused: {r['message']}")
            return
        record = net.release(as_user, draft_id)
        if as_json:
            _echo_json(record.to_dict())
            return
        click.echo(f"released {record.cable_id}: {record.origin} {record.serial:06d} {record.dtg}")
        click.echo(f"  drafted by {record.drafted_by}; cleared by "
                   f"{', '.join(record.cleared_by) or 'nobody'}; approved by {record.approved_by}")  # fmt: skip
        if record.numbers:
            click.echo("  numbers: " + ", ".join(f"{k} {v}" for k, v in record.numbers.items()))
