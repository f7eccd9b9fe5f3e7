"""THE access rule, in Python (:func:`may_read`) and as SQL (:func:`visibility_sql`).

A principal may read a cable when

1. it is the owner, or the cable has been released to the public by a
   declassification decision (``release`` or ``release-in-part``; readers then
   get :func:`cablegram.access.declass.public_view`), or
2. all of:
   a. its clearance rank >= the cable's effective classification rank,
   b. the cable carries no SBU text, or the principal may see SBU,
   c. every controlling caption of the cable (NOFORN, ORCON, NOCONTRACT,
      NODIS, EXDIS, LIMDIS, STADIS, SPECAT, ROGER ...) is among the captions it
      is read into, and
   d. if the cable carries a restricted-distribution caption (kind
      ``distribution``/``channel`` in the lexicon), it belongs to one of the
      cable's stations (originator, TO, INFO, XMT — collectives included) or
      to one of the offices named on its distribution lines.

The public reader is simply the principal with no grants: it reads
UNCLASSIFIED, non-SBU cables without controlling captions, plus releases.
The facts compared are :func:`cablegram.access.facts.access_facts`; the
archive stores them in the columns and tables of :data:`ACCESS_DDL`, and
:func:`visibility_sql` is the same rule over those columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from cablegram.access.facts import (
    AccessFacts,
    access_facts,
    controlling_captions,
    restricted_captions,
)
from cablegram.access.principal import Principal
from cablegram.model import Cable

__all__ = [
    "ACCESS_DDL",
    "DEFAULT_SCHEMA",
    "AccessRows",
    "AccessSchema",
    "Dialect",
    "access_rows",
    "caption_bits",
    "caption_mask",
    "may_read",
    "may_read_facts",
    "rule_sql",
    "visibility_sql",
]

Dialect = Literal["sqlite", "postgres"]


def may_read_facts(principal: Principal, facts: AccessFacts, *, released: bool = False) -> bool:
    """The rule over already-computed facts (see the module docstring)."""
    if principal.owner or released:
        return True
    if principal.clearance.rank < facts.class_rank:
        return False
    if facts.sbu and not principal.sees_sbu:
        return False
    if not facts.captions <= principal.captions:
        return False
    if facts.captions & restricted_captions():
        member = bool(facts.stations & principal.routing_indicators()) or bool(
            facts.offices & principal.office_memberships()
        )
        if not member:
            return False
    return True


def may_read(principal: Principal, cable: Cable, *, released: bool = False) -> bool:
    """May ``principal`` read ``cable`` in full?  ``released``: a public release
    decision is in force for the cable (then everyone reads the public view)."""
    return may_read_facts(principal, access_facts(cable), released=released)


@dataclass(frozen=True, slots=True)
class AccessSchema:
    """Where the archive keeps the facts.  ``cables`` is the table name or the
    alias the enclosing query gives it; ``key`` the column side tables point at.

    Columns of ``cables``: ``class_rank INTEGER NOT NULL`` (= facts
    ``class_rank``), ``sbu INTEGER NOT NULL`` (0/1), ``released INTEGER NOT NULL
    DEFAULT 0`` (1 while a release or release-in-part decision is in force).
    Side tables (one row per value, ``cable_rowid`` = ``cables.key``):
    ``cable_captions(cable_rowid, caption)`` — must hold every caption of
    ``access_facts(cable).captions`` (other captions may be stored too; the rule
    ignores them); optionally ``captions_mask INTEGER`` on ``cables``, the
    :func:`caption_mask` of those captions under :func:`caption_bits`;
    ``cable_addressees(cable_rowid, role, routing_indicator,
    name)`` — roles ``from``/``to``/``info``/``xmt``; ``cable_offices(cable_rowid,
    office)`` = ``access_facts(cable).offices``.
    """

    cables: str = "cables"
    key: str = "rowid"
    class_rank: str = "class_rank"
    sbu: str = "sbu"
    released: str = "released"
    captions_table: str = "cable_captions"
    addressees_table: str = "cable_addressees"
    offices_table: str = "cable_offices"
    captions_mask: str | None = None


DEFAULT_SCHEMA = AccessSchema()

# DDL for the access facts (SQLite; PostgreSQL needs an explicit key column).
ACCESS_DDL = """
CREATE TABLE IF NOT EXISTS cables (
    id TEXT,
    class_rank INTEGER NOT NULL,
    sbu INTEGER NOT NULL DEFAULT 0,
    released INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS cable_captions (cable_rowid INTEGER NOT NULL, caption TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cable_addressees (
    cable_rowid INTEGER NOT NULL, role TEXT NOT NULL, routing_indicator TEXT, name TEXT
);
CREATE TABLE IF NOT EXISTS cable_offices (cable_rowid INTEGER NOT NULL, office TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cable_captions_by_cable ON cable_captions (cable_rowid, caption);
CREATE INDEX IF NOT EXISTS cable_addressees_by_cable
    ON cable_addressees (cable_rowid, routing_indicator);
CREATE INDEX IF NOT EXISTS cable_offices_by_cable ON cable_offices (cable_rowid, office);
"""


@dataclass(frozen=True, slots=True)
class AccessRows:
    """The values to store for one cable (see :class:`AccessSchema`)."""

    class_rank: int
    sbu: int
    captions: tuple[str, ...]
    addressees: tuple[tuple[str, str | None, str], ...]  # (role, routing_indicator, name)
    offices: tuple[str, ...]


def _ri(indicator: str | None) -> str | None:
    # Stored upper-case, as AccessFacts.stations and Principal.stations are.
    return indicator.upper() if indicator else None


def access_rows(cable: Cable) -> AccessRows:
    """What the archive writes for ``cable`` so that :func:`visibility_sql` works."""
    facts = access_facts(cable)
    addressees: list[tuple[str, str | None, str]] = []
    if cable.from_ is not None:
        addressees.append(("from", _ri(cable.from_.routing_indicator), cable.from_.name))
    for role, items in (("to", cable.to), ("info", cable.info), ("xmt", cable.xmt)):
        addressees.extend((role, _ri(a.routing_indicator), a.name) for a in items)
    return AccessRows(
        class_rank=facts.class_rank,
        sbu=int(facts.sbu),
        captions=tuple(sorted(facts.captions)),
        addressees=tuple(addressees),
        offices=tuple(sorted(facts.offices)),
    )


class _Params:
    def __init__(self, dialect: Dialect) -> None:
        self.mark = {"sqlite": "?", "postgres": "%s"}[dialect]
        self.values: list[object] = []

    def one(self, value: object) -> str:
        self.values.append(value)
        return self.mark

    def in_list(self, column: str, values: Iterable[str]) -> str | None:
        """``column IN (...)`` or None for an empty set (``IN ()`` is not portable)."""
        items = sorted(values)
        if not items:
            return None
        self.values.extend(items)
        return f"{column} IN ({', '.join(self.mark for _ in items)})"


def _exists(table: str, alias: str, s: AccessSchema, condition: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM {table} {alias} "
        f"WHERE {alias}.cable_rowid = {s.cables}.{s.key} AND {condition})"
    )


def caption_bits() -> dict[str, int]:
    """Bit of each controlling caption in a caption mask column (sorted order).

    An archive records the map it was built with; :func:`rule_sql` uses the
    mask only when the map covers every controlling caption of the lexicon.
    """
    return {name: i for i, name in enumerate(sorted(controlling_captions()))}


def caption_mask(captions: Iterable[str], bits: Mapping[str, int]) -> int:
    """The mask of ``captions`` under ``bits`` (captions without a bit ignored)."""
    return sum(1 << bits[c] for c in set(captions) if c in bits)


def _clauses(
    principal: Principal,
    s: AccessSchema,
    p: _Params,
    bits: Mapping[str, int] | None,
    level: bool,
) -> Iterator[str]:
    if level:
        yield f"{s.cables}.{s.class_rank} <= {p.one(principal.clearance.rank)}"
        if not principal.sees_sbu:
            yield f"{s.cables}.{s.sbu} = 0"
    use_mask = (
        s.captions_mask is not None and bits is not None and controlling_captions() <= bits.keys()
    )
    ungranted = controlling_captions() - principal.captions
    granted_restricted = restricted_captions() & principal.captions
    # (c) no controlling caption outside the principal's read-ins.
    if use_mask:
        assert bits is not None
        if ungranted:
            mask = caption_mask(ungranted, bits)
            yield f"({s.cables}.{s.captions_mask} & {p.one(mask)}) = 0"
    elif cond := p.in_list("_acc_k.caption", ungranted):
        yield "NOT " + _exists(s.captions_table, "_acc_k", s, cond)
    # (d) restricted captions need membership; only reachable when granted.
    if not granted_restricted:
        return
    if use_mask:
        assert bits is not None
        mask = caption_mask(granted_restricted, bits)
        unrestricted = f"({s.cables}.{s.captions_mask} & {p.one(mask)}) = 0"
    else:
        cond = p.in_list("_acc_r.caption", granted_restricted)
        unrestricted = "NOT " + _exists(s.captions_table, "_acc_r", s, str(cond))
    member = [
        _exists(s.addressees_table, "_acc_a", s, c)
        for c in [p.in_list("_acc_a.routing_indicator", principal.routing_indicators())]
        if c
    ] + [
        _exists(s.offices_table, "_acc_o", s, c)
        for c in [p.in_list("_acc_o.office", principal.office_memberships())]
        if c
    ]
    # Written first so SQLite short-circuits: the EXISTS lookups run only for
    # the few cables that carry a restricted caption.
    yield "(" + " OR ".join([unrestricted, *member]) + ")"


def rule_sql(
    principal: Principal,
    *,
    dialect: Dialect = "sqlite",
    schema: AccessSchema = DEFAULT_SCHEMA,
    bits: Mapping[str, int] | None = None,
    level: bool = True,
) -> tuple[str, list[object]]:
    """Part 2 of the rule (full reading, no release) as a WHERE fragment.

    ``level=False`` leaves out the clearance and SBU tests (a)-(b) and keeps
    the handling tests (c)-(d): the archive uses it to open a reader-level
    release view of a cable above the reader's clearance (partial-release
    search policy).  ``bits``: the archive's caption bit map, when its cables
    row carries ``schema.captions_mask`` (faster than the EXISTS form).
    """
    if principal.owner:
        return "(1 = 1)", []
    p = _Params(dialect)
    parts = [f"({c})" for c in _clauses(principal, schema, p, bits, level)]
    return "(" + (" AND ".join(parts) or "1 = 1") + ")", p.values


def visibility_sql(
    principal: Principal,
    *,
    dialect: Dialect = "sqlite",
    schema: AccessSchema = DEFAULT_SCHEMA,
    bits: Mapping[str, int] | None = None,
) -> tuple[str, list[object]]:
    """The rule as a WHERE fragment over :class:`AccessSchema` plus its parameters.

    AND it into every query that touches cables (search, counts, facets,
    snippets, graph edges): ``f"... WHERE ({fragment}) AND ..."``.  The
    fragment is parenthesised and self-contained.
    """
    if principal.owner:
        return "(1 = 1)", []
    body, params = rule_sql(principal, dialect=dialect, schema=schema, bits=bits)
    released = f"{schema.cables}.{schema.released} = 1"
    return f"({released} OR {body})", params
