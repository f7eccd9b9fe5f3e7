"""An installation opened over an archive: what the CLI, the HTTP API and the
pages call for delivery (``cablegram network ...``, ``cablegram inbox``).

:class:`Node` ties together the archive's deliveries
(:class:`~cablegram.network.archived_deliveries.ArchivedDeliveries`), the
directory, the archive's accounts (who may read what), the installation
(routing, relays, receipt) and its inboxes.  ``hosts``/``relays`` None (the
embedded default): one installation that hosts every station and runs every
relay, nothing to set up — a released cable is delivered as soon as it is
dispatched.  With ``hosts`` (routing indicators) it is one installation of a
federation: what it does not host goes out through the broker
(:mod:`cablegram.network.bridge`, ``cablegram network serve``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime
from typing import Any

from cablegram.access.principal import Principal
from cablegram.archive.archive import Archive
from cablegram.format import parse
from cablegram.network.archived_deliveries import ArchivedDeliveries
from cablegram.network.clock import utc
from cablegram.network.delivery import Transmission
from cablegram.network.directory import Directory
from cablegram.network.inbox import Inboxes
from cablegram.network.installation import Installation, split_sections

__all__ = ["Node", "directory_of", "released_cables"]


def _now() -> datetime:
    return datetime.now(UTC)


# The same variable and archive setting as the release workflow's clock (part 1):
# training and replays run the whole network at one time.
CLOCK_VARIABLE = "CABLEGRAM_NOW"
CLOCK_SETTING = "network_clock"


def network_time(archive: Archive) -> Callable[[], datetime]:
    """``$CABLEGRAM_NOW`` (an ISO time), else the archive's network clock, else real time."""
    value = os.environ.get(CLOCK_VARIABLE, "").strip() or archive.store.setting(CLOCK_SETTING)
    if not value:
        return _now
    try:
        fixed = utc(value)
    except ValueError:
        raise ValueError(
            f"{value!r}: the network clock is an ISO time (2006-05-15T02:25Z)"
        ) from None
    return lambda: fixed


def released_cables(texts: Iterable[tuple[str, str]]) -> Iterable[tuple[Any, str]]:
    """(cable, telegram) of each released telegram text ((name, text) pairs): a
    file may hold several cables one after the other (each section ends NNNN;
    the sections of one cable share its id)."""
    for _name, text in texts:
        group: list[str] = []
        group_id = None
        for section in split_sections(text):
            cable = parse(section)
            if group and cable.id != group_id:
                yield _whole(group)
                group = []
            group.append(section)
            group_id = cable.id
        if group:
            yield _whole(group)


def _whole(sections: list[str]) -> tuple[Any, str]:
    from dataclasses import replace

    parts = [parse(s) for s in sections]
    cable = replace(parts[0], paragraphs=tuple(p for c in parts for p in c.paragraphs))
    return cable, "".join(sections)


_CSV: dict[str, tuple[tuple[str, int], Directory]] = {}  # read once until the file changes


def directory_of(archive: Archive, csv_path: str | None = None) -> Directory:
    """The directory an installation over ``archive`` delivers with: the CSV at
    ``csv_path`` when one is named (``--directory``, ``$CABLEGRAM_DIRECTORY``),
    else the one the archive keeps (``cablegram directory ...``), else the shipped one."""
    from cablegram.network.archived import stored_directory
    from cablegram.network.defaults import default_directory
    from cablegram.network.directory_csv import directory_of as from_csv
    from cablegram.network.directory_csv import read_directory_csv

    if csv_path:
        stamp = (csv_path, os.stat(csv_path).st_mtime_ns)
        if _CSV.get(csv_path, (None,))[0] != stamp:
            with open(csv_path, encoding="utf-8") as f:
                _CSV[csv_path] = (stamp, from_csv(read_directory_csv(f.read(), csv_path)))
        return _CSV[csv_path][1]
    stored = stored_directory(archive)
    return stored if stored is not None else default_directory()


class Node:
    def __init__(
        self,
        archive: Archive,
        directory: Directory,
        *,
        hosts: Collection[str] | None = None,
        relays: Collection[str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        clock = clock or network_time(archive)
        # The directory's relays are the network's: a directory without relays
        # (one kept before relays were part of it, or one that removed them all)
        # sends every transmission straight to its addressee.
        self.archive = archive
        self.directory = directory
        self.store = ArchivedDeliveries(archive.store)
        principal_of = archive.users.principal
        self.installation = Installation(
            directory, self.store, principal_of=principal_of, clock=clock,
            hosts=hosts, relays=relays,
        )  # fmt: skip
        if hosts is not None:  # a federation: what is not hosted here waits for the broker
            from cablegram.network.bridge import outbox

            self.installation.outbound = outbox(self.store)
        self.inboxes = Inboxes(self.store, directory, principal_of=principal_of, clock=clock)

    @property
    def federated(self) -> bool:
        return self.installation.hosts is not None

    def dispatch(self, cable: Any, telegram: str) -> list[Transmission]:
        """Send a released cable (the release hook): delivered at once where this
        installation hosts its addressees, else left in the outbox for the broker."""
        sent = self.installation.dispatch(cable, telegram)
        self.installation.drain()
        return sent

    def on_release(self, released: Any) -> None:
        """The release hook (``Network.on_release(node.on_release, in_transaction=True)``):
        ``released`` has the ``cable`` as the archive keeps it and its ``telegram``.
        Inside the release's transaction, what dispatch writes — deliveries here,
        the outbox for the broker — commits with the release or not at all."""
        self.dispatch(released.cable, released.telegram)

    def bridge(
        self, *, name: str, url: str, ack_wait: float = 10.0, prefix: str = "cablegram"
    ) -> Any:
        from cablegram.network.bridge import Bridge

        return Bridge(self.installation, self.store, name=name, url=url, ack_wait=ack_wait,
                      prefix=prefix)  # fmt: skip

    def status(self) -> dict[str, Any]:
        inst = self.installation
        return {
            "federated": self.federated,
            "hosts": sorted(inst.hosts) if inst.hosts is not None else "all",
            "relays": sorted(inst.relays) if inst.relays is not None else "all",
            "relays_down": sorted(inst.down),
            "links_down": sorted(f"{a}-{b}" for a, b in inst.links_down),
            "queues": self.store.queues(),
            "deliveries": self.store.count(),
            "stations": self.store.holders("station"),
        }

    def reader(self, principal: Principal | None) -> Principal:
        return principal or self.archive.principal
