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
import re
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
from cablegram.network.outages import Outages, save_outages, stored_outages
from cablegram.network.outages import mark as mark_outage

__all__ = ["NetworkError", "Node", "directory_of", "released_cables"]


class NetworkError(ValueError):
    """A request about the network that names something it does not have."""


def _now() -> datetime:
    return datetime.now(UTC)


# The same variable and archive setting as the release workflow's clock (part 1):
# training and replays run the whole network at one time.
CLOCK_VARIABLE = "CABLEGRAM_NOW"
CLOCK_SETTING = "network_clock"
# Set once an installation of a federation (--hosts) has used the archive: its
# relay queues are then moved by its `network serve`, not by whoever marks a relay up.
FEDERATED_SETTING = "network.federated"


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
        follow_directory: bool = False,
    ) -> None:
        clock = clock or network_time(archive)
        # ``follow_directory``: ``directory`` is the archive's own, and a long-running
        # node (network serve) takes its changes as it reads the marks again.
        self.follow_directory = follow_directory
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
            if not archive.store.setting(FEDERATED_SETTING):  # its queues are a serve's
                archive.store.set_setting(FEDERATED_SETTING, True)
        self.inboxes = Inboxes(self.store, directory, principal_of=principal_of, clock=clock)
        self.outages = self.refresh_outages()

    @property
    def federated(self) -> bool:
        return self.installation.hosts is not None

    def dispatch(self, cable: Any, telegram: str) -> list[Transmission]:
        """Send a released cable (the release hook): delivered at once where this
        installation hosts its addressees, else left in the outbox for the broker;
        what waits for a relay or link that is down is kept in the archive."""
        with self.store.transaction():
            sent = self.installation.dispatch(cable, telegram)
            self.installation.drain()
            self.park()
        return sent

    # -- relays and links down --
    def refresh_outages(self) -> Outages:
        """Read the relays and links down from the archive (another process may
        have marked them) and route by them from now on."""
        self.outages = stored_outages(self.archive)
        self.installation.apply_outages(self.outages.relays_down, self.outages.links_down)
        if self.follow_directory:
            self._follow_directory()
        return self.outages

    def _follow_directory(self) -> None:
        from cablegram.network.archived import stored_directory

        current = stored_directory(self.archive)  # kept until it changes: cheap to ask
        if current is not None and current is not self.directory:
            self.directory = current
            self.installation.directory = current
            self.inboxes.directory = current

    def adopt_outages(self, outages: Outages) -> None:
        """Route by ``outages`` (the state merged with the federation's, from the
        broker), keeping it as the archive's copy when it differs."""
        if outages.to_dict() != self.outages.to_dict():
            save_outages(self.archive, outages)
        self.outages = outages
        self.installation.apply_outages(outages.relays_down, outages.links_down)

    def mark(self, relay: str, *, down: bool, link: str | None = None) -> dict[str, Any]:
        """Mark ``relay`` (or its link to the station ``link``, a routing
        indicator) down or up, for every process serving this archive (the
        archive's owner does; audited).  In the embedded installation, what
        waited for it moves on at once (to the alternate, when marked down)."""
        relay = relay.upper()
        if relay not in self.directory.relays:
            raise NetworkError(f"no relay {relay} in the directory")
        if link is not None and not re.fullmatch(r"[A-Z0-9]{2,12}", link.upper()):
            raise NetworkError(f"{link!r} is not a routing indicator")
        self.outages = mark_outage(self.archive, relay, down=down, link=link)
        self.installation.apply_outages(self.outages.relays_down, self.outages.links_down)
        # An embedded installation moves what waited at once; a federated one's
        # `network serve` does, at its next round (it reads the marks again).
        serve = self.federated or self.archive.store.setting(FEDERATED_SETTING)
        moved = 0 if serve else self.release_waiting()
        return {
            "relay": relay,
            "link": link.upper() if link else None,
            "down": down,
            "moved": moved,
            "waiting": self.waiting(),
            "relays_down": sorted(self.outages.relays_down),
            "links_down": sorted(f"{a}-{b}" for a, b in self.outages.links_down),
        }

    def park(self) -> None:
        """Keep what the installation still holds (waiting for a relay or link
        that is down) in the archive's relay queues, so no process exit loses it."""
        from cablegram.network.bridge import RELAY

        for hop, t in self.installation.take_waiting():
            self.store.enqueue([t], RELAY + hop)

    def release_waiting(self) -> int:
        """Send on what waits in the archive's relay queues, as the relays and
        links now are (the embedded installation: ``cablegram network up``, a
        release); returns how many transmissions moved."""
        from cablegram.network.bridge import RELAY

        inst = self.installation
        moved = 0
        with self.store.transaction():
            for queue in sorted(q for q in self.store.queues() if q.startswith(RELAY)):
                hop = queue[len(RELAY) :]
                waiting = self.store.queued(queue)
                self.store.dequeue(queue, [t.key for t in waiting])
                for t in waiting:
                    inst.queue(hop, t)
                moved += len(waiting)
            inst.drain()
            left = inst.take_waiting()
            for hop, t in left:
                self.store.enqueue([t], RELAY + hop)
        return moved - len(left)

    def waiting(self) -> int:
        """Transmissions waiting in this archive's relay queues."""
        from cablegram.network.bridge import RELAY

        return sum(n for q, n in self.store.queues().items() if q.startswith(RELAY))

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
                      prefix=prefix, outages=self)  # fmt: skip

    def status(self) -> dict[str, Any]:
        inst = self.installation
        return {
            "outages": self.outages.to_dict(),
            "federated": self.federated,
            "hosts": sorted(inst.hosts) if inst.hosts is not None else "all",
            "relays": sorted(inst.relays) if inst.relays is not None else "all",
            "relays_known": len(self.directory.relays),
            "relays_down": sorted(inst.down),
            "links_down": sorted(f"{a}-{b}" for a, b in inst.links_down),
            "queues": self.store.queues(),
            "deliveries": self.store.count(),
            "stations": self.store.holders("station"),
        }

    def reader(self, principal: Principal | None) -> Principal:
        return principal or self.archive.principal
