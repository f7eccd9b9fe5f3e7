"""The vocabulary of the format, loaded once from packaged CSV files.

Every list of captions, tags, origins, routing indicators, classification and
precedence spellings lives here (and in ``cablegram/data``); nothing else in
the project hard-codes them.  Loaders are cached: the first call reads the
file, later calls are free.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from cablegram.model import Classification, Precedence

__all__ = [
    "CLASSIFICATION_WORDS",
    "PRECEDENCE_WORDS",
    "Caption",
    "CaptionRules",
    "Tag",
    "canonical_origin",
    "caption_rules",
    "captions",
    "collectives",
    "country_codes",
    "data_path",
    "known_origins",
    "plad_prefixes",
    "read_columns",
    "read_csv",
    "routing_indicators",
    "sbu_captions",
    "tags",
]


_DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")


def data_path(name: str) -> str:
    """Filesystem path of a packaged data file."""
    # The package is installed as files (wheel or editable), so the data folder
    # is a directory beside this one; importlib.resources would cost every
    # command ~20 ms of start-up to say the same.
    return os.path.join(_DATA_DIR, name)


def read_csv(name: str) -> list[dict[str, str]]:
    """The rows of a packaged CSV file as dicts keyed by its heading (as
    ``csv.DictReader`` gives them, built without its per-row Python: the
    vocabularies load on every command's first parse)."""
    with open(data_path(name), encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        heading = next(rows, [])
        width = len(heading)
        return [
            dict(zip(heading, row, strict=True)) if len(row) == width else _dict_row(heading, row)
            for row in rows
            if row
        ]


def read_columns(name: str, *columns: str) -> list[tuple[Any, ...]]:
    """The named columns of each row of a packaged CSV file, as tuples (a
    missing field None, as in read_csv): the loaders that every parse runs take
    two or three columns of their thousand-row files, and a dict per row cost
    them as much again as reading the file."""
    with open(data_path(name), encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        heading = next(rows, [])
        at = [heading.index(column) for column in columns]
        need = max(at, default=-1) + 1
        return [
            tuple(row[k] for k in at)
            if len(row) >= need
            else tuple(row[k] if k < len(row) else None for k in at)
            for row in rows
            if row
        ]


def _dict_row(heading: list[str], row: list[str]) -> dict[str, Any]:
    """A row of another width, as ``csv.DictReader`` reads it (missing fields
    None, extra ones as a list under None)."""
    out: dict[Any, Any] = dict(zip(heading, row, strict=False))
    if len(row) > len(heading):
        out[None] = row[len(heading) :]
    for key in heading[len(row) :]:
        out[key] = None
    return out


# Written forms of each level, compared after removing spaces and upper-casing
# (FORMAT §3.2): "C O N F I D E N T I A L" -> "CONFIDENTIAL".
CLASSIFICATION_WORDS: dict[str, Classification] = {
    "TOPSECRET": Classification.TOP_SECRET,
    "SECRET": Classification.SECRET,
    "CONFIDENTIAL": Classification.CONFIDENTIAL,
    "UNCLASSIFIED": Classification.UNCLASSIFIED,
    "UNCLAS": Classification.UNCLASSIFIED,
    "UNCLASEFTO": Classification.UNCLASSIFIED,
    "LIMITEDOFFICIALUSE": Classification.UNCLASSIFIED,
}
# Unclassified controls that set the sbu flag when they are the written level.
SBU_LEVEL_WORDS = frozenset({"LIMITEDOFFICIALUSE", "UNCLASEFTO"})

# Per-addressee precedence words and FL5 prosigns (FORMAT §2.7, §2.9).
PRECEDENCE_WORDS: dict[str, Precedence] = {
    "FLASH": Precedence.FLASH,
    "NIACT IMMEDIATE": Precedence.IMMEDIATE,
    "IMMEDIATE": Precedence.IMMEDIATE,
    "PRIORITY": Precedence.PRIORITY,
    "ROUTINE": Precedence.ROUTINE,
}
PROSIGNS = "ZOPRYW"
# The State label of an IMMEDIATE addressee who must act at once, day or night.
NIACT = "NIACT IMMEDIATE"

# Portion-mark levels in rank order (U = SBU = 0 < C < S < TS; FORMAT §3.11).
PORTION_LEVELS: dict[str, Classification] = {
    "U": Classification.UNCLASSIFIED,
    "SBU": Classification.UNCLASSIFIED,
    "LOU": Classification.UNCLASSIFIED,
    "C": Classification.CONFIDENTIAL,
    "S": Classification.SECRET,
    "TS": Classification.TOP_SECRET,
}


@dataclass(frozen=True, slots=True)
class Caption:
    caption: str
    kind: str  # distribution | channel | release | posting | control | logistics
    rank: int  # most restrictive first
    meaning: str


def classification_named(word: str) -> Classification:
    """The level a word names (``secret``, ``TOP SECRET``, ``top_secret``,
    ``unclas``, ``c o n f i d e n t i a l``); ``ValueError`` naming the levels."""
    token = origin_token(word)
    if token in CLASSIFICATION_WORDS:
        return CLASSIFICATION_WORDS[token]
    for level in Classification:
        if origin_token(level.value) == token:
            return level
    levels = ", ".join(c.value.lower() for c in Classification)
    raise ValueError(f"unknown classification '{word}' (use one of: {levels})")


@cache
def captions() -> dict[str, Caption]:
    """Handling captions by upper-case name."""
    return {
        r["caption"]: Caption(r["caption"], r["kind"], int(r["rank"]), r["meaning"])
        for r in read_csv("captions.csv")
    }


@dataclass(frozen=True, slots=True)
class CaptionRules:
    """How captions may be combined (NETWORK.md §6), from ``caption_rules.csv``.

    * ``alone`` — captions nothing may be added to (AGREMENT, DIRGEN);
    * ``excludes`` — pairs that may not appear together (SIPDIS with NODIS);
    * ``combines`` — the distribution captions that may join another one
      (STADIS with NODIS or EXDIS); any other two distribution captions conflict.
    """

    alone: frozenset[str]
    excludes: frozenset[tuple[str, str]]
    combines: frozenset[tuple[str, str]]


@cache
def caption_rules() -> CaptionRules:
    rows = read_csv("caption_rules.csv")

    def pairs(rule: str) -> frozenset[tuple[str, str]]:
        return frozenset((r["caption"], r["other"]) for r in rows if r["rule"] == rule)

    alone = frozenset(r["caption"] for r in rows if r["rule"] == "alone")
    return CaptionRules(alone, pairs("excludes"), pairs("combines"))


@cache
def sbu_captions() -> frozenset[str]:
    """Caption lines that mark sensitive-but-unclassified text (carried by ``sbu``)."""
    return frozenset(r["caption"] for r in read_csv("sbu_captions.csv"))


@dataclass(frozen=True, slots=True)
class Tag:
    tag: str
    kind: str  # subject | program | organization | country | person | unknown
    meaning: str


@cache
def tags() -> dict[str, Tag]:
    """Known TAGS (subject, program, organisation and country codes) with meanings."""
    out: dict[str, Tag] = {}
    for tag, kind, meaning in read_columns("tags.csv", "tag", "kind", "meaning"):
        out.setdefault(tag.upper(), Tag(tag.upper(), kind, meaning))
    for code, name in country_codes().items():
        out.setdefault(code, Tag(code, "country", name))
    return out


@cache
def country_codes() -> dict[str, str]:
    """Two-letter geographic TAGS (FIPS 10-4 plus State codes) -> name."""
    return {code.upper(): name for code, name in read_columns("country_codes.csv", "code", "name")}


@cache
def plad_prefixes() -> tuple[str, ...]:
    """Words that open a plain-language address and are not part of the origin."""
    return tuple(r["prefix"] for r in read_csv("plad_prefixes.csv"))


@cache
def _spaced_prefixes() -> tuple[str, ...]:
    """The PLAD prefixes with the blank after them (``AMEMBASSY ``)."""
    return tuple(p + " " for p in plad_prefixes())


@cache
def _origin_aliases() -> dict[str, str]:
    """Written origin -> canonical token, also keyed by the written origin's own
    token so that spacing does not matter (``USUN NY`` as ``USUNNY``)."""
    rows = {r["written"]: r["canonical"] for r in read_csv("origin_aliases.csv")}
    for written, canonical in list(rows.items()):
        rows.setdefault(origin_token(written), canonical)
    return rows


_NON_ALNUM = re.compile(r"[^A-Z0-9]")


def origin_token(written: str) -> str:
    """An origin as used in a cable's own id: upper case, spaces and punctuation removed."""
    return _NON_ALNUM.sub("", written.upper())


def canonical_origin(written: str) -> str:
    """The canonical origin token of an origin as written in a REF (FORMAT §3.9 alias map).

    ``SECSTATE`` -> ``STATE``, ``USUN NEW YORK`` -> ``USUNNEWYORK``,
    ``AMEMBASSY PARIS`` -> ``PARIS``.
    """
    w = " ".join(written.upper().replace(".", " ").split())
    prefixes = _spaced_prefixes()
    if w.startswith(prefixes):
        p = next(p for p in prefixes if w.startswith(p))
        w = w[len(p) :]
    aliases = _origin_aliases()
    alias = aliases.get(w)
    if alias:
        return alias
    token = origin_token(w)
    return aliases.get(token, token)


@cache
def known_origins() -> frozenset[str]:
    """Origin tokens known to head a cable series (observed origins, aliases, RI stations)."""
    observed = read_columns(
        "origins_observed.csv", "wikileaks_id_origin", "classification_line_origin"
    )
    out = {origin_token(wikileaks) for wikileaks, _ in observed}
    out.update(origin_token(written) for _, written in observed)
    out.update(_origin_aliases().values())
    stations = [station for (station,) in read_columns("routing_indicators.csv", "station")]
    # Observed PLADs name posts that the 2010 RI table lists under a later name
    # (AMEMBASSY ALMATY, whose RI passed to ASTANA).
    stations += [
        plad for (plad,) in read_columns("routing_indicators_observed.csv", "plad_as_written")
    ]
    spaced = _spaced_prefixes()
    for station in stations:
        st = station.upper()
        if st.startswith(spaced):  # one test for most stations, which have no prefix
            for p in spaced:
                if st.startswith(p):
                    out.add(origin_token(st[len(p) :]))
    return frozenset(out)


@cache
def origin_spellings() -> dict[str, str]:
    """Each known origin token with the name as written (``THEHAGUE`` ->
    ``THE HAGUE``; the token itself where no other spelling is known)."""
    out = {token: token for token in known_origins()}
    for row in read_csv("origins_observed.csv"):
        written = " ".join(row["classification_line_origin"].upper().split())
        if written:
            out[origin_token(written)] = written
    return out


@cache
def routing_indicators() -> dict[str, str]:
    """Routing indicator -> station name (ACP 117, 2010/11; first spelling wins)."""
    out: dict[str, str] = {}
    for r in read_csv("routing_indicators.csv"):
        out.setdefault(r["indicator"], r["station"])
    for r in read_csv("routing_indicators_observed.csv"):
        out.setdefault(r["indicator"], r["plad_as_written"])
    return out


@cache
def collectives() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Collective RI -> (name, member RIs observed).  Membership is partial (FORMAT §6.4)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for r in read_csv("collectives_observed.csv"):
        _name, members = out.setdefault(r["collective_ri"], (r["collective_name"], []))
        if r["fl2_member_ri"] not in members:
            members.append(r["fl2_member_ri"])
    return {ri: (n, tuple(m)) for ri, (n, m) in out.items()}


@cache
def titles() -> tuple[str, ...]:
    """Official titles written before or after a name in "Classified By" lines,
    longest first so that "Pol-Econ Chief" wins over "Chief"."""
    rows = {r["title"].strip() for r in read_csv("titles.csv") if r["title"].strip()}
    return tuple(sorted(rows, key=lambda t: (-len(t.split()), -len(t), t)))
