"""``cablegram network send|serve|relay|status|subscribe|roster``, ``cablegram inbox``,
``cablegram ack``, ``cablegram action``: delivery.  Thin: each calls
:class:`cablegram.network.node.Node` (the same calls as the HTTP API)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import click

from cablegram.cli import main
from cablegram.cli.archive_cmds import _open, archive_option, as_option, json_option
from cablegram.cli.wording import counted


def _directory_for(archive: Any, path: str | None) -> Any:
    from cablegram.network import DirectoryError
    from cablegram.network.node import directory_of

    try:
        return directory_of(archive, path)
    except OSError as err:
        raise click.ClickException(f"{path}: {err.strerror}") from None
    except DirectoryError as err:
        raise click.ClickException(str(err)) from None


directory_option = click.option(
    "--directory",
    "directory_csv",
    envvar="CABLEGRAM_DIRECTORY",
    default=None,
    metavar="CSV",
    help="The network directory as CSV (cablegram directory export); default: the one the "
    "archive keeps (cablegram directory import, person add), else the shipped one "
    "(env CABLEGRAM_DIRECTORY).",
)
hosts_option = click.option(
    "--hosts",
    envvar="CABLEGRAM_HOSTS",
    default=None,
    metavar="RI,...",
    help="Routing indicators of the stations this installation hosts (a federation); "
    "default: all of them, one installation, no broker (env CABLEGRAM_HOSTS).",
)
relays_option = click.option(
    "--relays",
    envvar="CABLEGRAM_RELAYS",
    default=None,
    metavar="RI,...",
    help="Relays this installation runs (default: all when it hosts all, else none; "
    "env CABLEGRAM_RELAYS).",
)
nats_option = click.option(
    "--nats",
    "url",
    envvar="CABLEGRAM_NATS",
    default="nats://127.0.0.1:4222",
    show_default=True,
    help="The NATS JetStream server (env CABLEGRAM_NATS).",
)


prefix_option = click.option(
    "--prefix",
    envvar="CABLEGRAM_NATS_PREFIX",
    default="cablegram",
    show_default=True,
    help="Subject prefix (and stream name) of this network at the broker.",
)


def _ris(text: str | None) -> list[str] | None:
    return None if text is None else [r.strip().upper() for r in text.split(",") if r.strip()]


@contextmanager
def _node(
    archive_file: str,
    directory_csv: str | None,
    hosts: str | None = None,
    relays: str | None = None,
    as_user: str | None = None,
    *,
    create: bool = False,
) -> Iterator[Any]:
    from cablegram.network.node import Node

    host_list, relay_list = _ris(hosts), _ris(relays)
    if host_list is not None and relay_list is None:
        relay_list = []
    with _open(archive_file, as_user, create=create) as archive:
        yield Node(archive, _directory_for(archive, directory_csv), hosts=host_list,
                   relays=relay_list, follow_directory=directory_csv is None)  # fmt: skip


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@main.group("network")
def network_group() -> None:
    """Send, relay and deliver released cables (see docs/network-delivery.md)."""


@network_group.command("send")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@archive_option
@directory_option
@hosts_option
@relays_option
@json_option
def network_send(paths, archive_file, directory_csv, hosts, relays, as_json) -> None:  # type: ignore[no-untyped-def]
    """Send released telegrams (files of ACP-127 text) to their addressees: delivered at
    once to the stations this installation hosts, the rest left for `network serve`."""
    from cablegram.network.node import released_cables
    from cablegram.network.routing import RoutingError

    texts = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            texts.append((path, f.read()))
    out = []
    with _node(archive_file, directory_csv, hosts, relays, create=True) as node:
        for cable, telegram in released_cables(texts):
            try:
                sent = node.dispatch(cable, telegram)
            except RoutingError as err:
                raise click.ClickException(f"{cable.id}: {err}") from None
            out.append({"cable": cable.id, "transmissions": len(sent),
                        "stations": sorted({t.route.name for t in sent})})  # fmt: skip
        status = node.status()
    if as_json:
        _echo_json({"sent": out, "queues": status["queues"]})
        return
    for item in out:
        click.echo(f"{item['cable']}: {len(item['stations'])} stations, "
                   f"{item['transmissions']} transmissions")  # fmt: skip
    queues = status["queues"]
    broker = sum(n for q, n in queues.items() if q.startswith("out:"))
    held = sum(n for q, n in queues.items() if not q.startswith("out:"))
    if broker:
        click.echo(f"{broker} transmissions wait for the broker (cablegram network serve)")
    if held:
        click.echo(f"{held} transmissions wait for a relay or link that is down")


def _serve(
    node: Any, name: str, url: str, idle_exit: int | None, ack_wait: float, prefix: str,
    as_json: bool,
) -> None:  # fmt: skip
    import asyncio  # here, not at start-up: every other command would pay for it

    bridge = node.bridge(name=name, url=url, ack_wait=ack_wait, prefix=prefix)
    # Unacknowledged FLASH/NIACT past due alert the rosters, checked every 30 s.
    with suppress(KeyboardInterrupt):
        asyncio.run(bridge.run(idle_rounds=idle_exit, every=(30.0, node.inboxes.escalate)))
    status = bridge.status()
    if as_json:
        _echo_json(status)
    else:
        click.echo(f"{name}: published {status['published']}, received {status['received']}, "
                   f"relayed {status['relayed']}, deliveries {status['deliveries']}")  # fmt: skip


@network_group.command("serve")
@archive_option
@directory_option
@hosts_option
@relays_option
@nats_option
@prefix_option
@click.option("--name", default=None, help="This installation's name at the broker "
              "(default: its hosts and relays).")  # fmt: skip
@click.option("--idle-exit", type=int, default=None, metavar="ROUNDS",
              help="Stop after this many rounds in a row with nothing to do.")  # fmt: skip
@click.option("--ack-wait", type=float, default=10.0, show_default=True,
              help="Seconds before the broker sends an unacknowledged message again.")  # fmt: skip
@json_option
def network_serve(
    archive_file, directory_csv, hosts, relays, url, prefix, name, idle_exit, ack_wait, as_json
) -> None:  # type: ignore[no-untyped-def]
    """Run this installation's relays and delivery against the broker (until Ctrl-C)."""
    if hosts is None and relays is None:
        raise click.UsageError(
            "name the stations this installation hosts (--hosts) or the relays it runs "
            "(--relays); the embedded default (one installation) needs no serve"
        )
    with _node(archive_file, directory_csv, hosts or "", relays, create=True) as node:
        label = name or "-".join(
            [*sorted(node.installation.hosts), *sorted(node.installation.relays or ())]
        )
        _serve(node, label or "cablegram", url, idle_exit, ack_wait, prefix, as_json)


@network_group.command("relay")
@click.argument("relays", nargs=-1, required=True)
@archive_option
@directory_option
@nats_option
@prefix_option
@click.option("--name", default=None, help="This relay's name at the broker.")
@click.option("--idle-exit", type=int, default=None, metavar="ROUNDS")
@click.option("--ack-wait", type=float, default=10.0, show_default=True)
@json_option
def network_relay(
    relays, archive_file, directory_csv, url, prefix, name, idle_exit, ack_wait, as_json
) -> None:  # type: ignore[no-untyped-def]
    """Run relay stations only (store and forward in precedence order)."""
    with _node(archive_file, directory_csv, "", ",".join(relays), create=True) as node:
        _serve(node, name or "relay-" + "-".join(r.upper() for r in relays), url, idle_exit,
               ack_wait, prefix, as_json)  # fmt: skip


@network_group.command("status")
@archive_option
@directory_option
@json_option
def network_status(archive_file, directory_csv, as_json) -> None:  # type: ignore[no-untyped-def]
    """Queues, deliveries and the stations delivered to."""
    with _node(archive_file, directory_csv) as node:
        status = node.status()
    if as_json:
        _echo_json(status)
        return
    click.echo(f"deliveries: {status['deliveries']}")
    click.echo(f"stations delivered to: {len(status['stations'])}")
    if not status["relays_known"]:
        click.echo("relays: none in the directory (every transmission goes straight to its "
                   "addressee; cablegram directory import puts relays back)")  # fmt: skip
    if status["relays_down"] or status["links_down"]:
        click.echo("down: " + ", ".join([*status["relays_down"], *status["links_down"]]))
    queues = status["queues"]
    click.echo("queues: " + (", ".join(f"{q} {n}" for q, n in sorted(queues.items())) or "empty"))


def _mark(relay, link, archive_file, directory_csv, as_user, as_json, down) -> None:  # type: ignore[no-untyped-def]
    from cablegram.archive.errors import AccessDenied
    from cablegram.network.node import NetworkError

    with _node(archive_file, directory_csv, as_user=as_user, create=True) as node:
        try:
            done = node.mark(relay, down=down, link=link)
        except (AccessDenied, NetworkError) as err:
            click.echo(f"cablegram: {err}", err=True)
            sys.exit(1)
    if as_json:
        _echo_json(done)
        return
    what = f"{done['relay']} to {done['link']}" if done["link"] else done["relay"]
    click.echo(f"{what}: {'down' if down else 'up'}")
    click.echo("relays down: " + (", ".join(done["relays_down"]) or "none")
               + "; links down: " + (", ".join(done["links_down"]) or "none"))  # fmt: skip
    if done["moved"]:
        click.echo(f"{done['moved']} waiting transmissions moved on")
    if done["waiting"]:
        click.echo(f"{done['waiting']} transmissions wait for a relay or link that is down")


_link_option = click.option(
    "--link", metavar="RI", default=None,
    help="Only the relay's link to the station with this routing indicator.",
)  # fmt: skip


@network_group.command("down")
@click.argument("relay")
@_link_option
@archive_option
@directory_option
@as_option
@json_option
def network_down(relay, link, archive_file, directory_csv, as_user, as_json) -> None:  # type: ignore[no-untyped-def]
    """Mark RELAY (or its --link to one station) down: its traffic takes the first
    alternate relay the directory names that is up, or waits; nothing is dropped.
    Every process serving the archive (network serve) honours it."""
    _mark(relay, link, archive_file, directory_csv, as_user, as_json, True)


@network_group.command("up")
@click.argument("relay")
@_link_option
@archive_option
@directory_option
@as_option
@json_option
def network_up(relay, link, archive_file, directory_csv, as_user, as_json) -> None:  # type: ignore[no-untyped-def]
    """Mark RELAY (or its --link to one station) up again: what waited moves on."""
    _mark(relay, link, archive_file, directory_csv, as_user, as_json, False)


@network_group.command("subscribe")
@click.argument("station")
@click.argument("office")
@click.argument("tags", nargs=-1, required=True)
@archive_option
@directory_option
@json_option
def network_subscribe(station, office, tags, archive_file, directory_csv, as_json) -> None:  # type: ignore[no-untyped-def]
    """Subscribe an office of a station to TAGS (it receives the cables carrying them)."""
    from cablegram.network.directory import address

    with _node(archive_file, directory_csv) as node:
        if node.directory.office(station, office) is None:
            raise click.ClickException(f"no office {office} at {address(station)} in the directory")
        for tag in tags:
            node.store.subscribe(address(station), office.upper(), tag)
        held = [t for o, t in node.store.subscriptions(address(station)) if o == office.upper()]
        if as_json:
            _echo_json({"station": address(station), "office": office.upper(), "tags": held})
            return
        click.echo(
            f"{office.upper()} ({address(station)}): "
            + ", ".join(
                t for o, t in node.store.subscriptions(address(station)) if o == office.upper()
            )
        )


@network_group.command("roster")
@click.argument("station")
@click.argument("users", nargs=-1, required=True)
@archive_option
@directory_option
@json_option
def network_roster(station, users, archive_file, directory_csv, as_json) -> None:  # type: ignore[no-untyped-def]
    """Set a station's alert roster: who is alerted, in turn, about an overdue FLASH/NIACT."""
    from cablegram.network.directory import address

    with _node(archive_file, directory_csv) as node:
        node.store.set_roster(address(station), list(users))
        if as_json:
            _echo_json({"station": address(station), "roster": node.store.roster(address(station))})
            return
        click.echo(f"{address(station)}: " + " > ".join(node.store.roster(address(station))))


# -- inboxes --
def _line(d: Any) -> str:
    flags = "".join((
        "N" if d.niact else " ",
        "*" if d.read_at is None else " ",
        "!" if d.ack_required and d.acked_at is None else " ",
    ))  # fmt: skip
    return (f"{d.id:>6} {d.precedence.value:<9} {flags} {d.cable_id:<16} {d.role:<6} "
            f"{d.received_at[:16]}  {d.subject[:60]}")  # fmt: skip


@main.command("inbox")
@click.argument("target", required=False)
@archive_option
@directory_option
@as_option
@json_option
@click.option("--escalate", is_flag=True, help="With 'overdue': alert the rosters now.")
def inbox_cmd(target, archive_file, directory_csv, as_user, as_json, escalate) -> None:  # type: ignore[no-untyped-def]
    """A station's, an office's (SYMBOL or STATION:SYMBOL) or a person's inbox, by
    precedence; without TARGET, the --as user's; 'overdue': what is past its objective.

    Flags: N NIACT, * unread, ! to acknowledge."""
    from cablegram.network.inbox import InboxError

    with _node(archive_file, directory_csv, as_user=as_user) as node:
        reader = node.reader(None)
        try:
            if target == "overdue":
                if escalate:
                    node.inboxes.escalate()
                found = node.inboxes.overdue(reader)
                if as_json:
                    _echo_json([d.to_dict() for d in found])
                    return
                click.echo(f"{len(found)} overdue")
                for d in found:
                    click.echo(f"{_line(d)}  [{d.kind} {d.holder}, due {d.due_at[:16]}]")
                return
            view = node.inboxes.inbox(target or reader.name, reader)
        except InboxError as err:
            click.echo(f"cablegram: {err}", err=True)
            sys.exit(1)
    if as_json:
        _echo_json(view.to_dict())
        return
    click.echo(
        f"{view.kind} {view.holder}: {counted(len(view.deliveries), 'cable')}, {view.unread} unread"
    )
    for d in view.deliveries:
        click.echo(_line(d))


@main.command("ack")
@click.argument("delivery_id", type=int)
@archive_option
@directory_option
@as_option
@json_option
def ack_cmd(delivery_id, archive_file, directory_csv, as_user, as_json) -> None:  # type: ignore[no-untyped-def]
    """Acknowledge a FLASH, IMMEDIATE or NIACT delivery (for its station)."""
    from cablegram.network.inbox import InboxError

    with _node(archive_file, directory_csv, as_user=as_user) as node:
        try:
            d = node.inboxes.acknowledge(delivery_id, node.reader(None))
        except InboxError as err:
            click.echo(f"cablegram: {err}", err=True)
            sys.exit(1)
    if as_json:
        _echo_json(d.to_dict())
    else:
        click.echo(f"{d.cable_id} acknowledged at {d.station} by {d.acked_by} ({d.acked_at[:16]})")


@main.command("action")
@click.argument("delivery_id", type=int)
@click.option("--will-comply", "action", flag_value="will-comply")
@click.option("--have-complied", "action", flag_value="have-complied")
@click.option("--cannot-comply", "action", flag_value="cannot-comply")
@click.option("--comment", default="")
@archive_option
@directory_option
@as_option
@json_option
def action_cmd(delivery_id, action, comment, archive_file, directory_csv, as_user, as_json) -> None:  # type: ignore[no-untyped-def]
    """Record what an action addressee does about a cable."""
    from cablegram.network.inbox import InboxError

    if action is None:
        raise click.UsageError("say which: --will-comply, --have-complied or --cannot-comply")
    with _node(archive_file, directory_csv, as_user=as_user) as node:
        try:
            record = node.inboxes.act(delivery_id, action, node.reader(None), comment)
        except InboxError as err:
            click.echo(f"cablegram: {err}", err=True)
            sys.exit(1)
    if as_json:
        _echo_json(record.to_dict())
    else:
        click.echo(f"{record.cable_id} at {record.station}: {record.action} ({record.user})")


# -- replay --
REPLAY_SETTING = "network.replay"  # the last replay report, for the web page


@network_group.command("replay")
@click.argument("query", required=False, default="")
@archive_option
@directory_option
@as_option
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many cables.")
@click.option("--synthetic", type=click.IntRange(min=1), default=None, metavar="N",
              help="Replay N synthetic cables instead of the archive's.")  # fmt: skip
@click.option("--start", default="2010-02-01T00:00", show_default=True,
              help="With --synthetic: when the week of traffic starts.")  # fmt: skip
@click.option("--service-seconds", type=float, default=2.0, show_default=True,
              help="Seconds a relay takes to send one transmission on.")  # fmt: skip
@click.option("--inject", "injects", multiple=True, metavar="SPEC",
              help="relay-down:RI@FROM..TO, minimize@FROM..TO or flash-flood:N@TIME.")  # fmt: skip
@click.option("--plot", "plot_file", default=None, metavar="PNG", help="Write the queue plot.")
@click.option("--report", "report_file", default=None, metavar="JSON",
              help="Write the report as JSON.")  # fmt: skip
@json_option
def network_replay(query, archive_file, directory_csv, as_user, limit, synthetic, start,
                   service_seconds, injects, plot_file, report_file, as_json) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    """Replay real cables (those matching QUERY, oldest first, e.g. 'date:2010-02-01..2010-02-07')
    through the network on a simulated clock, and report delivery times by precedence,
    objectives missed, queue depths and relay load (also kept for the web page)."""
    import itertools
    from datetime import timedelta

    from cablegram.archive.query import compile_query
    from cablegram.model import from_dict
    from cablegram.network.replay import _time, parse_inject, plot, replay, synthetic_traffic

    try:
        parsed = [parse_inject(i) for i in injects]
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--inject") from None
    with _open(archive_file, as_user, create=synthetic is not None) as archive:
        directory = _directory_for(archive, directory_csv)
        if synthetic is not None:
            cables = synthetic_traffic(directory, synthetic, _time(start))
        else:
            rows = archive.store.iter_matches(compile_query(query), sort="date-asc")
            cables = [from_dict(r) for r in itertools.islice(rows, limit)]
        report = replay(cables, directory, service=timedelta(seconds=service_seconds),
                        injects=parsed).to_dict()  # fmt: skip
        archive.store.set_setting(REPLAY_SETTING, report)
    if report_file:
        with open(report_file, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
    if plot_file:
        plot(report, plot_file)
    if as_json:
        _echo_json(report)
        return
    click.echo(f"{counted(report['cables'], 'cable')}, {counted(report['deliveries'], 'delivery')} "
               f"({report['start'][:16]} .. {report['end'][:16]})")  # fmt: skip
    click.echo(f"{'precedence':<10} {'delivered':>9} {'p50 s':>8} {'p95 s':>8} {'max s':>9} "
               f"{'missed':>6}")  # fmt: skip
    for name, p in report["precedence"].items():
        click.echo(f"{name:<10} {p['deliveries']:>9} {p['p50_seconds']:>8} {p['p95_seconds']:>8} "
                   f"{p['max_seconds']:>9} {p['objectives_missed']:>6}")  # fmt: skip
    if report["refused_by_minimize"]:
        click.echo(f"refused by MINIMIZE: {report['refused_by_minimize']}")
    if report["cables_without_addressees"]:
        click.echo(f"cables naming no addressee: {report['cables_without_addressees']}")
    if report["unroutable_addressees"]:
        click.echo(f"addressees not in the directory: {report['unroutable_addressees']}")
    busiest = list(report["relay_load"].items())[:5]
    click.echo("busiest relays: " + (", ".join(f"{r} {n}" for r, n in busiest) or "none"))
