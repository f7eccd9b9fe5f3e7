"""Relays and links marked down and up again (NETWORK.md §5: "a relay or link
can be marked down; traffic waits, or takes an alternate relay").

An operator marks a **relay** down (``RUEH``: the relay stores and forwards
nothing; its traffic takes the first alternate the directory names that is
up, or waits) or a **link** down (``RUEH`` to ``RUEHBB``: the relay keeps
traffic for that station until the link is up again).  Nothing is dropped:
what waits is kept in the archive's queues (or in the broker's stream) and
moves on when the relay or link is up.

:class:`Outages` is the state: one :class:`Mark` per relay or link, down or
up, with the (real) time it was set and by whom.  An up mark is kept, not
removed, so that two copies of the state merge by keeping each entry's latest
mark (:meth:`Outages.merge`): that is how installations of a federation share
it through the broker (network/bridge.py), whichever of them an operator
marked it at.  An archive keeps its installation's copy as a setting
(:func:`stored_outages`, :func:`mark`; the archive's owner marks, audited).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cablegram.archive import Archive

__all__ = ["OUTAGES_SETTING", "Mark", "Outages", "link_key", "mark", "relay_key", "stored_outages"]

# The archive setting holding an installation's copy of the state.
OUTAGES_SETTING = "network.outages"


def relay_key(relay: str) -> str:
    return f"relay:{relay.upper()}"


def link_key(relay: str, ri: str) -> str:
    return f"link:{relay.upper()}:{ri.upper()}"


@dataclass(frozen=True, slots=True)
class Mark:
    down: bool
    at: str  # ISO UTC with microseconds, real time: the latest mark wins a merge
    by: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"down": self.down, "at": self.at, "by": self.by}


@dataclass(frozen=True)
class Outages:
    """Marks by key (:func:`relay_key`, :func:`link_key`)."""

    marks: Mapping[str, Mark] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Outages:
        return cls({k: Mark(bool(v["down"]), str(v["at"]), str(v.get("by", "")))
                    for k, v in (data or {}).items()})  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {k: m.to_dict() for k, m in sorted(self.marks.items())}

    def with_mark(self, key: str, down: bool, by: str, at: datetime | None = None) -> Outages:
        when = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
        return Outages({**self.marks, key: Mark(down, when, by)})

    def merge(self, other: Outages) -> Outages:
        """Each key's latest mark of the two (ties: ``other``'s)."""
        out = dict(self.marks)
        for k, m in other.marks.items():
            if k not in out or m.at >= out[k].at:
                out[k] = m
        return Outages(out)

    @property
    def relays_down(self) -> set[str]:
        return {k.split(":")[1] for k, m in self.marks.items() if m.down and k.startswith("relay:")}

    @property
    def links_down(self) -> set[tuple[str, str]]:
        out = set()
        for k, m in self.marks.items():
            if m.down and k.startswith("link:"):
                _, relay, ri = k.split(":")
                out.add((relay, ri))
        return out


def stored_outages(archive: Archive) -> Outages:
    """The archive's copy of the state (nothing marked: every relay and link up)."""
    return Outages.from_dict(archive.store.setting(OUTAGES_SETTING))


def save_outages(archive: Archive, outages: Outages) -> None:
    """Keep ``outages`` (a merge from the broker, say) as the archive's copy."""
    archive.store.set_setting(OUTAGES_SETTING, outages.to_dict())


def mark(archive: Archive, relay: str, *, down: bool, link: str | None = None) -> Outages:
    """Mark ``relay`` (or its ``link`` to the station with that routing
    indicator) down or up; the archive's owner does, audited.  Returns the state."""
    from cablegram.archive.audit import AuditLog
    from cablegram.archive.errors import AccessDenied

    if not archive.principal.owner:
        raise AccessDenied(f"{archive.principal.name} may not mark relays or links down or up")
    key = relay_key(relay) if link is None else link_key(relay, link)
    with archive.store.transaction():
        state = stored_outages(archive).with_mark(key, down, archive.principal.name)
        save_outages(archive, state)
        AuditLog(archive.store.audit).record(
            archive.principal.name, archive.interface,
            f"network.{'link' if link else 'relay'}.{'down' if down else 'up'}", None,
            relay=relay.upper(), **({"link": link.upper()} if link else {}),
        )  # fmt: skip
    return state
