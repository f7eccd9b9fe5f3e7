"""Rules on the transmission header and addressees (FORMAT §4: R01-R07, R23, R25)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from cablegram.format.parse.message import CORRECTED_COPY
from cablegram.format.validate._common import (
    ERROR,
    WARNING,
    Context,
    Finding,
    needs_classification,
    parse_dtg,
)
from cablegram.model import Classification

# Operating signals that mark a corrected, repeated or re-sent transmission:
# such copies are filed later than their DTG (FORMAT §2.4/2.5).
_RESENT_SIGNALS = re.compile(r"\b(ZDS|ZDK|CCY|ZUI|TAO)\b")
_CORRECTED_SIGNALS = re.compile(r"\b(ZDS|CCY|TAO)\b")
_FL4_FORM = re.compile(r"^(?P<sw>ZNR|ZNY) (?P<cls>([UECST])\3{4})\b")


def _signals(ctx: Context) -> str:
    """FL4 and FL5 as written, operating signals included."""
    h = ctx.cable.header
    return " ".join(x for x in (h.security, h.dtg, h.signals) if x) if h is not None else ""


@needs_classification
def r01_security_line(ctx: Context) -> Iterator[Finding]:
    h = ctx.cable.header
    if h is None or not h.security:
        return
    m = _FL4_FORM.match(h.security)
    if m is None:
        yield ctx.finding("R01", ERROR, f"FL4 {h.security!r} is not ZNR/ZNY + 5 letters", "FL4")
        return
    letter = m.group("cls")[0]
    expected = ctx.cls.letter
    unclassified = ctx.cls is Classification.UNCLASSIFIED
    ok_letter = letter == expected or (unclassified and letter == "E")
    ok_sw = (m.group("sw") == "ZNR") == unclassified
    if not (ok_letter and ok_sw):
        sw = "ZNR" if unclassified else "ZNY"
        yield ctx.finding(
            "R01",
            ERROR,
            f"FL4 {m.group(0)!r} contradicts {ctx.cls.value} text (expected {sw} {expected * 5})",
            "FL4",
        )


def r02_relay_prosign(ctx: Context) -> Iterator[Finding]:
    h, prec = ctx.cable.header, ctx.cable.precedence
    if h is None or h.relay is None or h.relay.precedence is None or prec is None:
        return
    if h.relay.precedence != prec:
        yield ctx.finding(
            "R02",
            ERROR,
            f"FL2 prosign {h.relay.precedence.prosign * 2} is not the FL5 action "
            f"precedence {prec.prosign} doubled",
            "FL2",
        )


def _filed(ctx: Context) -> datetime | None:
    """FL3 filing time as a datetime near the DTG (day-of-year roll-over handled)."""
    h = ctx.cable.header
    if h is None or not h.filed or ctx.when is None:
        return None
    if not re.fullmatch(r"\d{7}", h.filed):
        return None
    day, hh, mi = int(h.filed[:3]), int(h.filed[3:5]), int(h.filed[5:])
    if not (1 <= day <= 366 and hh <= 23 and mi <= 59):
        return None
    best: datetime | None = None
    for year in (ctx.when.year - 1, ctx.when.year, ctx.when.year + 1):
        cand = datetime(year, 1, 1, hh, mi) + timedelta(days=day - 1)
        if best is None or abs(cand - ctx.when) < abs(best - ctx.when):
            best = cand
    return best


def r03_r04_filing_time(ctx: Context) -> Iterator[Finding]:
    h = ctx.cable.header
    if h is None or not h.filed or ctx.when is None:
        return
    filed = _filed(ctx)
    if filed is None:
        yield ctx.finding("R03", ERROR, f"FL3 filing time {h.filed!r} is not dddhhmm", "FL3")
        return
    if ctx.when - timedelta(minutes=5) <= filed <= ctx.when + timedelta(hours=6):
        return  # includes filing just after midnight of a DTG late on 31 Dec
    if filed.date() != ctx.when.date():
        later = filed.date() > ctx.when.date()
        resent = bool(_RESENT_SIGNALS.search(_signals(ctx)))
        yield ctx.finding(
            "R03",
            WARNING if (later and resent) else ERROR,
            f"FL3 day {h.filed[:3]} is not the DTG's day of year "
            f"{ctx.when.timetuple().tm_yday:03d}",
            "FL3",
        )
    else:
        yield ctx.finding(
            "R04",
            WARNING,
            f"FL3 filing time {filed:%H%M}Z is outside DTG -5 min .. +6 h",
            "FL3",
        )


def r05_dtg(ctx: Context) -> Iterator[Finding]:
    c = ctx.cable
    if ctx.when is None:
        if not ctx.draft:
            yield ctx.finding("R05", ERROR, "no valid date-time group (created is missing)")
        return
    h = c.header
    if h is not None and h.dtg:
        written = parse_dtg(h.dtg)
        if written is None:
            yield ctx.finding("R05", ERROR, f"DTG {h.dtg!r} is not a real date and time", "FL5")
        elif written != ctx.when:
            yield ctx.finding(
                "R05", ERROR, f"DTG {h.dtg!r} disagrees with created {c.created}", "FL5"
            )


def r06_station_serial(ctx: Context) -> Iterator[Finding]:
    c, h = ctx.cable, ctx.cable.header
    if h is None:
        return
    ssn = h.station_serial
    if ssn is not None and c.serial is not None and ssn != c.serial % 10000:
        yield ctx.finding(
            "R06",
            ERROR,
            f"FL3 #{ssn:04d} is not the last 4 digits of serial {c.serial:06d}",
            "FL3",
        )
    if h.section is not None:
        total = c.section.total if c.section is not None else 1
        if not 1 <= h.section <= total:
            yield ctx.finding(
                "R06", ERROR, f"FL3 section /{h.section:02d} exceeds {total} section(s)", "FL3"
            )


def r07_addressee_precedence(ctx: Context) -> Iterator[Finding]:
    c = ctx.cable
    if c.precedence is None:
        return
    for role, items in (("TO", c.to), ("INFO", c.info), ("XMT", c.xmt)):
        for i, a in enumerate(items):
            if a.precedence is not None and a.precedence > c.precedence:
                yield ctx.finding(
                    "R07",
                    ERROR,
                    f"{role} {a.name}: {a.precedence.value} outranks the message "
                    f"precedence {c.precedence.value}",
                    f"{role}.{i}",
                )


def _collective(name: str) -> bool:
    return name.upper().rstrip().endswith("COLLECTIVE")


def r23_counters(ctx: Context) -> Iterator[Finding]:
    c = ctx.cable
    for role, items in (("TO", c.to), ("INFO", c.info)):
        for i, a in enumerate(items):
            if _collective(a.name) and a.serial is not None:
                yield ctx.finding(
                    "R23", WARNING, f"collective {a.name} carries a counter", f"{role}.{i}"
                )
            elif role == "TO" and a.routing_indicator and a.serial is None:
                yield ctx.finding(
                    "R23",
                    WARNING,
                    f"action addressee {a.routing_indicator}/{a.name} has no counter",
                    f"{role}.{i}",
                )


def r25_corrected_copy(ctx: Context) -> Iterator[Finding]:
    c = ctx.cable
    if c.header is None:
        return
    signalled = bool(_CORRECTED_SIGNALS.search(_signals(ctx)))
    marked = any(CORRECTED_COPY.match(notice) for notice in c.notices)
    if signalled != marked:
        what = "ZDS/CCY signal without" if signalled else "CORRECTED COPY line without"
        other = "a CORRECTED COPY line" if signalled else "a ZDS/CCY signal"
        yield ctx.finding("R25", WARNING, f"{what} {other}", "FL4" if signalled else "NOTICE.0")


RULES = (
    r01_security_line,
    r02_relay_prosign,
    r03_r04_filing_time,
    r05_dtg,
    r06_station_serial,
    r07_addressee_precedence,
    r23_counters,
    r25_corrected_copy,
)
