"""Time in the network: delivery objectives, business hours, and a clock that
runs in real time or simulated (NETWORK.md §4).

* :data:`OBJECTIVES` — how long each precedence may take: FLASH 10 minutes,
  IMMEDIATE 30 minutes, PRIORITY 3 hours, ROUTINE 6 hours.
* :func:`clock_start` — when a delivery's clock starts: on receipt, except a
  ROUTINE one received after hours, whose clock starts at the beginning of the
  next business day in the station's time zone.
* :func:`due` — the start plus the objective.
* :class:`SimulatedClock` — a clock a replay moves (``advance``), or that runs
  ``speed`` times faster than the real one.

Times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

import time
import zoneinfo
from datetime import UTC, datetime, timedelta
from functools import cache

from cablegram.model import Precedence

__all__ = [
    "BUSINESS_DAYS",
    "BUSINESS_HOURS",
    "OBJECTIVES",
    "SimulatedClock",
    "acknowledged",
    "clock_start",
    "due",
    "utc",
]

OBJECTIVES: dict[Precedence, timedelta] = {
    Precedence.FLASH: timedelta(minutes=10),
    Precedence.IMMEDIATE: timedelta(minutes=30),
    Precedence.PRIORITY: timedelta(hours=3),
    Precedence.ROUTINE: timedelta(hours=6),
}
# A post's working day, local time, Monday (0) to Friday (4).
BUSINESS_HOURS = (8, 17)
BUSINESS_DAYS = frozenset(range(5))


def acknowledged(precedence: Precedence, niact: bool) -> bool:
    """Whether a delivery must be acknowledged: FLASH, IMMEDIATE and NIACT."""
    return niact or precedence >= Precedence.IMMEDIATE


def utc(when: datetime | str) -> datetime:
    """``when`` as an aware UTC datetime (a naive one is taken as UTC)."""
    if isinstance(when, str):
        when = datetime.fromisoformat(when.replace("Z", "+00:00"))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _in_business_hours(local: datetime) -> bool:
    start, end = BUSINESS_HOURS
    return local.weekday() in BUSINESS_DAYS and start <= local.hour < end


def clock_start(precedence: Precedence, received: datetime, time_zone: str = "UTC") -> datetime:
    """When the delivery clock starts (see the module docstring)."""
    received = utc(received)
    if precedence is not Precedence.ROUTINE:
        return received
    local = received.astimezone(_zone(time_zone))
    if _in_business_hours(local):
        return received
    day = local.date() if local.hour < BUSINESS_HOURS[0] else local.date() + timedelta(days=1)
    while day.weekday() not in BUSINESS_DAYS:
        day += timedelta(days=1)
    opening = datetime(day.year, day.month, day.day, BUSINESS_HOURS[0], tzinfo=_zone(time_zone))
    return opening.astimezone(UTC)


def due(precedence: Precedence, received: datetime, time_zone: str = "UTC") -> datetime:
    """When a delivery received at ``received`` meets its objective at the latest."""
    return clock_start(precedence, received, time_zone) + OBJECTIVES[precedence]


class SimulatedClock:
    """A network clock: set and moved by a replay, or running ``speed`` times
    the real clock from ``start`` (``speed=0``: stands still until moved)."""

    def __init__(self, start: datetime, speed: float = 0.0) -> None:
        self._at = utc(start)
        self._speed = speed
        self._real = time.monotonic()

    def __call__(self) -> datetime:
        return self.now()

    def now(self) -> datetime:
        if self._speed:
            return self._at + timedelta(seconds=(time.monotonic() - self._real) * self._speed)
        return self._at

    def advance(self, by: timedelta) -> datetime:
        self._at = self.now() + by
        self._real = time.monotonic()
        return self._at

    def set(self, when: datetime) -> datetime:
        self._at = utc(when)
        self._real = time.monotonic()
        return self._at
