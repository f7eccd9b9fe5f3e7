"""A small archive holding cables at every level and with every kind of caption,
each carrying words no other cable has, citing and cited by each other, plus
the principals that read it.  Used by the leak suite for every interface.

Cables go through the real pipeline: rendered to telegram text, ingested,
parsed.  Each cable ``n`` carries the secret words ``zqsubj{n}`` (subject)
and ``zqbody{n}`` (body), so any appearance of them in any output of a
reader who may not read cable ``n`` is a leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cablegram.access import Principal, may_read
from cablegram.archive import Archive
from cablegram.format.render import render
from cablegram.model import Cable, Classification, from_dict

# (level, captions, portion marks of paragraphs 1-3, addressee RI)
SPECS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str], ...] = (
    ("UNCLASSIFIED", (), ("U", "U", "U"), "RUEHMO"),
    ("UNCLASSIFIED", ("SENSITIVE BUT UNCLASSIFIED",), ("SBU", "U", "SBU"), "RUEHMO"),
    ("CONFIDENTIAL", (), ("C", "U", "C"), "RUEHMO"),
    ("CONFIDENTIAL", ("NOFORN",), ("C//NF", "U", "C//NF"), "RUEHMO"),
    ("SECRET", (), ("S", "C", "U"), "RUEHMO"),
    ("SECRET", ("NOFORN",), ("S//NF", "C", "U"), "RUEHMO"),
    ("SECRET", ("NODIS",), ("S", "C", "U"), "RUEHTA"),
    ("SECRET", ("EXDIS",), ("S", "S", "U"), "RUEHMO"),
    ("SECRET", ("ORCON",), ("S", "C", "U"), "RUEHMO"),
    ("TOP SECRET", (), ("TS", "S", "U"), "RUEHMO"),
    ("TOP SECRET", ("NODIS",), ("TS", "S", "C"), "RUEHMO"),
    ("UNCLASSIFIED", (), ("U", "U", "U"), "RUEHMO"),
)
# Cable n cites cable CITES[n] (a chain across levels, and one cable no one has).
CITES = {n: (n + 1) % len(SPECS) for n in range(len(SPECS))}
ABSENT_ID = "09STATE99999"


def cable_id(n: int) -> str:
    return f"09STATE{1000 + n}"


def fixture_cable(n: int) -> Cable:
    level, captions, marks, ri = SPECS[n]
    cited = CITES[n]
    paragraphs = [
        {"number": i + 1, "marking": mark,
         "text": f"Paragraph {i + 1} of cable {n} zqbody{n} zqpara{n}x{i + 1} common words."}
        for i, mark in enumerate(marks)
    ]  # fmt: skip
    top_mark = marks[0]
    data: dict[str, Any] = {
        "id": cable_id(n),
        "origin": "STATE",
        "serial": 1000 + n,
        "year": 2009,
        "created": f"2009-0{1 + n % 9}-1{n % 10}T12:00:00Z",
        "classification": level,
        "captions": list(captions),
        "from": {"name": "SECSTATE WASHDC", "routing_indicator": "RUEHC"},
        "to": [{"name": f"POST {ri}", "routing_indicator": ri, "precedence": "ROUTINE",
                "serial": None}],
        "tags": ["PREL", "PGOV"],
        "subject": f"({top_mark}) TOPIC zqsubj{n} FOR CABLE {n}",
        "references": [
            {"label": "A", "text": f"09 STATE {1000 + cited}", "id": cable_id(cited)},
            {"label": "B", "text": "09 STATE 99999", "id": ABSENT_ID},
        ],
        "paragraphs": paragraphs,
        "signers": ["CLINTON"],
    }  # fmt: skip
    if level != "UNCLASSIFIED":
        data["eo"] = {"order": "12958", "text": "DECL: 01/01/2019", "declassify_on": "2019-01-01"}
        data["classified_by"] = {"name": "A Person", "title": "Director",
                                 "reasons": ["1.4(b)"], "text": None}  # fmt: skip
    return from_dict(data)


PRINCIPALS = {
    "public": Principal("public"),
    "alice": Principal("alice", Classification.CONFIDENTIAL),
    "bob": Principal("bob", Classification.SECRET, captions=frozenset({"NOFORN"})),
    "carol": Principal(
        "carol",
        Classification.SECRET,
        captions=frozenset({"NODIS", "NOFORN"}),
        stations=frozenset({"RUEHTA"}),
    ),
    "dave": Principal("dave", Classification.TOP_SECRET, captions=frozenset({"NOFORN", "EXDIS"})),
}


@dataclass
class LeakArchive:
    path: Path | str  # an SQLite file or a PostgreSQL URL
    cables: dict[str, Cable]  # parsed, by id

    def visible(self, name: str) -> set[str]:
        p = PRINCIPALS[name]
        return {cid for cid, c in self.cables.items() if may_read(p, c)}

    def hidden(self, name: str) -> set[str]:
        return set(self.cables) - self.visible(name)

    def secrets_of(self, cable_ids: set[str]) -> list[str]:
        """Words that only these cables hold (subject, body, paragraph words)."""
        out = []
        for cid in cable_ids:
            n = int(cid[-4:]) - 1000
            out += [f"zqsubj{n}", f"zqbody{n}", *(f"zqpara{n}x{i}" for i in (1, 2, 3))]
        return out


def build(path: Path | str) -> LeakArchive:
    texts = [render(fixture_cable(n)).encode() for n in range(len(SPECS))]
    with Archive(path) as archive:
        archive.ingest(texts, workers=1)
        for name, p in PRINCIPALS.items():
            if name != "public":
                archive.users.add(name, clearance=p.clearance, sbu=p.sbu, captions=p.captions,
                                  stations=p.stations, offices=p.offices)  # fmt: skip
        cables = {cable_id(n): archive.get(cable_id(n)) for n in range(len(SPECS))}
    assert all(c is not None for c in cables.values())
    return LeakArchive(path, cables)  # type: ignore[arg-type]
