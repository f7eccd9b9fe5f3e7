"""The transmission envelope before the classification line (FORMAT §2, §7).

FL1 ``VZCZC...``, FL2 ``RR RUEH...``, FL3 ``DE RUEHTA #1703/01 1350225``, FL4
``ZNR UUUUU ZZH``, FL5 ``R 150225Z MAY 06``, ``FM``, ``TO``/``INFO``/``XMT``
blocks with ``RI/PLAD PRECEDENCE NNNN`` entries; also the reduced headers of
retyped cables (no RIs) and the office lines of 1970s received copies
(``ACTION EUR-25``, ``INFO OCT-01 ...``, ``DRAFTED BY``), kept as distribution.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cablegram.format.parse.dates import Dtg, parse_dtg
from cablegram.format.parse.lines import is_banner, is_page_noise
from cablegram.lexicon import NIACT, PRECEDENCE_WORDS
from cablegram.model import Addressee, Defect, Header, Precedence, Relay, Station

FL1 = re.compile(r"^VZCZC[A-Z]{3}\d{3,4}$")
FL2 = re.compile(r"^(?P<pp>[ZOPRYW])(?P=pp)\s+(?P<ris>R[A-Z0-9]{3,7}(?:\s+R[A-Z0-9]{3,7})*)\s*$")
# A line of routing indicators alone: FL2 continued when its RIs did not fit one line.
FL2_MORE = re.compile(r"^R[A-Z0-9]{3,7}(?:\s+R[A-Z0-9]{3,7})*\s*$")
FL3 = re.compile(
    r"^DE\s+(?P<ri>R[A-Z0-9]{3,7})\s+#(?P<ssn>\d{1,5})(?:/(?P<sec>\d{1,3}))?(?:\s+(?P<filed>\d{7}))?"
)
FL4 = re.compile(r"^(?:ZNR|ZNY)\s+(?:UUUUU|EEEEE|CCCCC|SSSSS|TTTTT)\b.*$")
FM = re.compile(r"^FM\s+(?P<plad>.+?)\s*$")
ROLE = re.compile(r"^(?P<role>TO|INFO|XMT)\b\s*(?P<rest>.*)$")
_PREC_WORDS = "|".join(sorted(PRECEDENCE_WORDS, key=len, reverse=True))
ENTRY = re.compile(
    rf"^(?:(?P<ri>R[A-Z0-9]{{3,7}})/)?(?P<plad>.+?)(?:\s+(?P<prec>{_PREC_WORDS}))?(?:\s+(?P<nr>\d{{4}}))?\s*$"
)
# 1970s received copies: office lines and the drafting block.
OFFICE_CODES = re.compile(r"^(?P<kw>ACTION|ORIGIN|INFO)\s+(?:[A-Z]{1,6}-\d{2}\b\s*)+.*$")
# A further line of office codes, or the copy total alone ("CIAE-00 INR-10",
# "/130 W"): it continues the office line before it, blank lines between
# (printouts space every line).
OFFICE_MORE = re.compile(r"^(?:[A-Z]{1,6}-\d{2}\s+)*(?:[A-Z]{1,6}-\d{2}|/\d{2,4}\s*[A-Z]?)$")
DRAFTING = re.compile(r"^(?:DRAFTED|APPROVED|CLEARED|DISTRIBUTION)\s+BY\b|^DESIRED DISTRIBUTION\b")


@dataclass
class Envelope:
    header: Header | None = None
    dtg: Dtg | None = None
    from_: Station | None = None
    to: list[Addressee] = field(default_factory=list)
    info: list[Addressee] = field(default_factory=list)
    xmt: list[Addressee] = field(default_factory=list)
    office_lines: list[str] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)
    found: bool = False  # any envelope line recognised
    at: dict[str, int] = field(default_factory=dict)  # element key -> index of its line


def _entry(text: str, default: Precedence | None) -> Addressee | None:
    m = ENTRY.match(" ".join(text.split()))
    if not m:
        return None
    prec = PRECEDENCE_WORDS[m["prec"]] if m["prec"] else default
    return Addressee(
        name=m["plad"],
        routing_indicator=m["ri"],
        precedence=prec,
        serial=int(m["nr"]) if m["nr"] else None,
        niact=m["prec"] == NIACT,
    )


def read_envelope(lines: list[str]) -> Envelope:
    """Read the envelope lines (everything before the classification line)."""
    env = Envelope()
    som = originator = filed = security = None
    ssn = section = None
    relay: Relay | None = None
    role: str | None = None
    office_block: list[str] | None = None
    office_open = False  # the last line read was an office line (blank lines aside)
    raw_entries: list[tuple[str, str, int]] = []
    relay_open = False  # the line before continued FL2: RIs alone may follow
    for i, raw in enumerate(lines):
        s = " ".join(raw.split())
        if not s:
            role = None
            office_block = None
            continue
        u = s.upper()
        was_open, relay_open = relay_open, False
        was_office, office_open = office_open, False
        if was_office and OFFICE_MORE.match(u):
            env.office_lines[-1] += " " + s
            office_open = True
        elif FL1.match(u):
            som, env.found = u, True
            env.at["FL1"] = i
        elif (m := FL2.match(u)) and relay is None:
            relay = Relay(Precedence.from_prosign(m["pp"]), tuple(m["ris"].split()))
            env.found, relay_open = True, True
            env.at["FL2"] = i
        elif was_open and relay is not None and FL2_MORE.match(u):
            relay = Relay(relay.precedence, relay.routing_indicators + tuple(u.split()))
            relay_open = True
        elif m := FL3.match(u):
            originator, ssn = m["ri"], int(m["ssn"])
            section = int(m["sec"]) if m["sec"] else None
            filed, env.found = m["filed"], True
            env.at["FL3"] = i
        elif FL4.match(u):
            security, env.found = s, True
            env.at["FL4"] = i
        elif env.dtg is None and (d := parse_dtg(u)):
            env.dtg, env.found, role = d, True, None
            env.at["FL5"] = i
        elif m := FM.match(u):
            env.from_, env.found, role = Station(name=m["plad"]), True, None
            env.at["FM"] = i
        elif (m := OFFICE_CODES.match(u)) and env.dtg is None:
            env.office_lines.append(s)
            office_block, env.found, office_open = env.office_lines, True, True
        elif DRAFTING.match(u):
            env.office_lines.append(s)
            office_block = env.office_lines
        elif (m := ROLE.match(u)) and (env.from_ is not None or env.dtg is not None):
            role = m["role"].lower()
            if m["rest"]:
                raw_entries.append((role, m["rest"], i))
        elif role is not None and not is_banner(u) and not is_page_noise(u):
            raw_entries.append((role, s, i))
        elif office_block is not None and not is_page_noise(u) and not is_banner(u):
            office_block[-1] = office_block[-1] + " " + s
        elif is_page_noise(u) or is_banner(u):
            continue
        elif env.found:
            env.defects.append(Defect("UNRECOGNIZED_HEADER_LINE", s[:120], None))
    p1 = Precedence.from_prosign(env.dtg.p1) if env.dtg and env.dtg.p1 else None
    p2 = Precedence.from_prosign(env.dtg.p2) if env.dtg and env.dtg.p2 else p1
    for role_name, text, i in raw_entries:
        a = _entry(text, p2 if role_name == "info" else p1)
        if a is None:
            env.defects.append(Defect("BAD_ADDRESSEE", text[:120], i + 1))
            continue
        entries = getattr(env, role_name)
        if a in entries:
            # A copy printed the address block twice (a page break in it): one entry.
            env.defects.append(
                Defect("DUPLICATE_ADDRESSEE", f"{role_name.upper()} {text[:100]}", None)
            )
            continue
        env.at[f"{role_name.upper()}.{len(entries)}"] = i
        entries.append(a)
    if env.from_ is not None and originator:
        env.from_ = Station(name=env.from_.name, routing_indicator=originator)
    if som or relay or originator or security or env.dtg:
        env.header = Header(
            start_of_message=som,
            relay=relay,
            originator=originator,
            station_serial=ssn,
            filed=filed,
            security=security,
            dtg=env.dtg.written if env.dtg else None,
            section=section,
            signals=(env.dtg.ops or None) if env.dtg else None,
        )
    return env
