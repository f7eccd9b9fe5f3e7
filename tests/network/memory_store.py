"""A NetworkStore kept in memory: the test double the workflow is exercised
through until the archive backends implement the protocol.

Its transaction is a lock plus a snapshot: an exception inside rolls every
change back, as a database transaction would (nested calls join the outer one).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from cablegram.model import Cable
from cablegram.network.clearance import Clearance
from cablegram.network.directory import Collective, Office, Person, Station
from cablegram.network.drafts import Draft
from cablegram.network.store import Event, ReleaseRecord, StaleVersion


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self.state: dict[str, Any] = {
            "loaded": False,
            "station": {},
            "collective": {},
            "office": {},
            "person": {},
            "drafts": {},
            "clearances": [],
            "events": [],
            "serials": {},
            "numbers": {},
            "cables": {},
            "telegrams": {},
            "releases": {},
            "audit": [],
        }

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            snapshot = copy.deepcopy(self.state) if self._depth == 0 else None
            self._depth += 1
            try:
                yield
            except BaseException:
                if snapshot is not None:
                    self.state = snapshot
                raise
            finally:
                self._depth -= 1

    # directory
    def directory_loaded(self) -> bool:
        return self.state["loaded"]

    def mark_directory_loaded(self) -> None:
        self.state["loaded"] = True

    def load_directory(self):
        s = self.state
        return (
            list(s["station"].values()),
            list(s["collective"].values()),
            list(s["office"].values()),
            list(s["person"].values()),
        )

    def put_station(self, station: Station) -> None:
        self.state["station"][station.plad] = station

    def put_collective(self, collective: Collective) -> None:
        self.state["collective"][collective.name] = collective

    def put_office(self, office: Office) -> None:
        self.state["office"][f"{office.station}:{office.symbol}"] = office

    def put_person(self, person: Person) -> None:
        self.state["person"][person.user] = person

    def remove_entry(self, kind: str, key: str) -> bool:
        return self.state[kind].pop(key, None) is not None

    # drafts
    def add_draft(self, draft: Draft) -> Draft:
        with self.transaction():
            draft = replace(draft, id=len(self.state["drafts"]) + 1, version=1)
            self.state["drafts"][draft.id] = draft
            return draft

    def get_draft(self, draft_id: int) -> Draft | None:
        return self.state["drafts"].get(draft_id)

    def update_draft(self, draft: Draft, expected: int) -> Draft:
        with self.transaction():
            current = self.state["drafts"][draft.id]
            if current.version != expected:
                raise StaleVersion(draft.id, expected, current.version)
            stored = replace(draft, version=expected + 1)
            self.state["drafts"][draft.id] = stored
            return stored

    def list_drafts(self, *, state: str | None = None) -> Iterator[Draft]:
        return iter([d for d in self.state["drafts"].values() if state is None or d.state == state])

    def add_clearance(self, clearance: Clearance) -> None:
        self.state["clearances"].append(clearance)

    def clearances(self, draft_id: int) -> list[Clearance]:
        return [c for c in self.state["clearances"] if c.draft == draft_id]

    def add_event(self, event: Event) -> None:
        self.state["events"].append(event)

    def events(self, draft_id: int) -> list[Event]:
        return [e for e in self.state["events"] if e.draft == draft_id]

    # counters
    def next_serial(self, origin: str, year: int) -> int:
        value = self.state["serials"].get((origin, year), 0) + 1
        self.state["serials"][(origin, year)] = value
        return value

    def set_serial(self, origin: str, year: int, last: int) -> None:
        self.state["serials"][(origin, year)] = last

    def last_serial(self, origin: str, year: int) -> int:
        return self.state["serials"].get((origin, year), 0)

    def next_number(self, origin: str, addressee: str) -> int:
        value = self.last_number(origin, addressee) % 9999 + 1
        self.state["numbers"][(origin, addressee)] = value
        return value

    def set_number(self, origin: str, addressee: str, last: int) -> None:
        self.state["numbers"][(origin, addressee)] = last

    def last_number(self, origin: str, addressee: str) -> int:
        return self.state["numbers"].get((origin, addressee), 0)

    # releases
    def store_cable(self, cable: Cable, telegram: str) -> None:
        self.state["cables"][cable.id] = cable
        self.state["telegrams"][cable.id] = telegram

    def released_cable(self, cable_id: str) -> Cable | None:
        return self.state["cables"].get(cable_id)

    def released_telegram(self, cable_id: str) -> str | None:
        return self.state["telegrams"].get(cable_id)

    def put_release(self, record: ReleaseRecord) -> None:
        self.state["releases"][record.cable_id] = record

    def release_of(self, cable_id: str) -> ReleaseRecord | None:
        return self.state["releases"].get(cable_id)

    def audit(self, action: str, user: str, target: str, detail: dict[str, Any]) -> None:
        self.state["audit"].append((action, user, target, detail))
