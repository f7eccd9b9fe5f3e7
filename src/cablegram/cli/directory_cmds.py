"""``cablegram station|collective|office list|add|remove`` and ``person
remove``: the archive's network directory, entry by entry.  An entry is
given with the columns of the directory CSV (``directory export``), read by
the same code, so the command line, the CSV and the archive agree."""

from __future__ import annotations

import sys
from typing import Any

import click

from cablegram.cli import main
from cablegram.cli.archive_cmds import _echo_json, archive_option, as_option, json_option
from cablegram.cli.network_cmds import _owned_network, person_group


def _entries(net: Any, kind: str) -> list[Any]:
    d = net.directory
    return {
        "station": sorted(d.stations.values(), key=lambda s: s.plad),
        "collective": sorted(d.collectives.values(), key=lambda c: c.name),
        "office": sorted(d.offices.values(), key=lambda o: o.key),
    }[kind]


def _line(row: dict[str, str]) -> str:
    kind = row["entry"]
    if kind == "station":
        extra = " ".join(x for x in (row["country"], row["bureau"]) if x)
        numbered = "" if row["numbered"] == "yes" else " (unnumbered)"
        return (f"{row['address']:<32} {row['origin']:<16} {row['routing']:<28} "
                f"{row['kind'] or '-':<10} {extra}{numbered}").rstrip()  # fmt: skip
    if kind == "collective":
        return f"{row['address']:<44} {row['routing']:<10} {row['kind']:<9} {row['members']}"
    return (f"{row['station']:<24} {row['office']:<10} {row['name']}"
            + (f" [{row['role']}]" if row["role"] else "")
            + (f" {row['countries']}" if row["countries"] else ""))  # fmt: skip


def _group(kind: str, doc: str) -> click.Group:
    @main.group(kind, help=doc)
    def group() -> None:
        pass

    @group.command("list", help=f"The {kind}s of the archive's directory.")
    @click.option("--like", default="", help="Only entries whose line holds this text.")
    @archive_option
    @as_option
    @json_option
    def list_cmd(like: str, archive_file: str, as_user: str | None, as_json: bool) -> None:
        from cablegram.network.directory_csv import row_of

        with _owned_network(archive_file, as_user, change=False) as (net, _archive):
            rows = [row_of(e) for e in _entries(net, kind)]
        rows = [r for r in rows if like.upper() in _line(r).upper()]
        if as_json:
            _echo_json(rows)
            return
        for r in rows:
            click.echo(_line(r))
        click.echo(f"{len(rows)} {kind}{'s' if len(rows) != 1 else ''}")

    @group.command("remove", help=f"Remove a {kind} from the archive's directory.")
    @click.argument("key")
    @archive_option
    @as_option
    @json_option
    def remove_cmd(key: str, archive_file: str, as_user: str | None, as_json: bool) -> None:
        key = " ".join(key.upper().split())
        with _owned_network(archive_file, as_user) as (net, archive):
            done = net.remove(archive.principal.name, kind, key)
        if as_json:
            _echo_json({"removed": done, kind: key})
        elif done:
            click.echo(f"removed {kind} {key}")
        if not done:
            if not as_json:
                click.echo(f"cablegram: no {kind} {key}", err=True)
            sys.exit(1)

    return group


def _put(row: dict[str, str], archive_file: str, as_user: str | None, as_json: bool) -> None:
    from cablegram.network import DirectoryError
    from cablegram.network.directory_csv import entry_of, row_of

    try:
        entry = entry_of(row)
    except (DirectoryError, KeyError, ValueError) as err:
        raise click.ClickException(str(err)) from None
    with _owned_network(archive_file, as_user) as (net, archive):
        net.put(archive.principal.name, entry)
    if as_json:
        _echo_json(row_of(entry))
    else:
        click.echo(_line(row_of(entry)))


station_group = _group("station", "Stations of the network directory (posts, offices abroad).")
collective_group = _group("collective", "Collectives: addresses that stand for several stations.")
office_group = _group("office", "Offices within stations (POL, S/S, SCA/CEN).")


@station_group.command("add")
@click.argument("address")
@click.option("--origin", help="Origin token of its cables (ALMATY); default: the address.")
@click.option("--ri", "ris", multiple=True, required=True, metavar="RI[@FROM..TO]",
              help="A routing indicator, dated when it changed (repeatable).")  # fmt: skip
@click.option("--kind", default="", help="embassy, consulate, mission ...")
@click.option("--time-zone", default="UTC", help="IANA time zone (Asia/Almaty).")
@click.option("--country", default="", help="Country code of the station (KZ).")
@click.option("--bureau", default="", help="Its regional bureau at State (SCA).")
@click.option("--unnumbered", is_flag=True, help="Traffic to it gets no per-addressee numbers.")
@archive_option
@as_option
@json_option
def station_add(address: str, origin: str | None, ris: tuple[str, ...], kind: str,
                time_zone: str, country: str, bureau: str, unnumbered: bool,
                archive_file: str, as_user: str | None, as_json: bool) -> None:  # fmt: skip
    """Add or replace station ADDRESS ('AMEMBASSY ALMATY')."""
    row = {"entry": "station", "address": " ".join(address.upper().split()),
           "origin": (origin or "").upper(), "routing": ";".join(ris), "kind": kind,
           "time_zone": time_zone, "country": country.upper(), "bureau": bureau.upper(),
           "numbered": "no" if unnumbered else "yes"}  # fmt: skip
    _put(row, archive_file, as_user, as_json)


@collective_group.command("add")
@click.argument("name")
@click.option("--ri", required=True, metavar="RI[@FROM..TO]", help="The collective's RI.")
@click.option("--member", "members", multiple=True, metavar="RI[@FROM..TO]",
              help="A member station's RI, dated when it joined or left (repeatable).")  # fmt: skip
@click.option("--kind", default="regional", help="regional, all-posts, tasking ...")
@archive_option
@as_option
@json_option
def collective_add(name: str, ri: str, members: tuple[str, ...], kind: str, archive_file: str,
                   as_user: str | None, as_json: bool) -> None:  # fmt: skip
    """Add or replace collective NAME ('CIS COLLECTIVE')."""
    row = {"entry": "collective", "address": " ".join(name.upper().split()), "routing": ri,
           "kind": kind, "members": ";".join(members)}  # fmt: skip
    _put(row, archive_file, as_user, as_json)


@office_group.command("add")
@click.argument("station")
@click.argument("symbol")
@click.option("--name", default="", help="The office's name.")
@click.option("--role", default="", help="Its part in the clearance rules: executive-"
              "secretariat, watch, regional-bureau, country-desk.")  # fmt: skip
@click.option("--country", "countries", multiple=True, help="A country it is the desk of.")
@archive_option
@as_option
@json_option
def office_add(station: str, symbol: str, name: str, role: str, countries: tuple[str, ...],
               archive_file: str, as_user: str | None, as_json: bool) -> None:  # fmt: skip
    """Add or replace office SYMBOL at STATION."""
    row = {"entry": "office", "station": " ".join(station.upper().split()),
           "office": symbol.upper(), "name": name, "role": role,
           "countries": ";".join(c.upper() for c in countries)}  # fmt: skip
    _put(row, archive_file, as_user, as_json)


@person_group.command("remove")
@click.argument("user")
@archive_option
@as_option
@json_option
def person_remove(user: str, archive_file: str, as_user: str | None, as_json: bool) -> None:
    """Remove USER from the directory (their archive account stays)."""
    with _owned_network(archive_file, as_user) as (net, archive):
        done = net.remove(archive.principal.name, "person", user)
    if as_json:
        _echo_json({"removed": done, "person": user})
    elif done:
        click.echo(f"removed person {user}")
    if not done:
        if not as_json:
            click.echo(f"cablegram: no person {user}", err=True)
        sys.exit(1)
