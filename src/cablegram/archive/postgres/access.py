"""Who is reading, as PostgreSQL SQL: the access rule over the archive's columns.

The same compilation as archive/sqlite/access.py, in PostgreSQL's
placeholders and booleans (the two layouts name the same columns).

The rule itself lives in :mod:`cablegram.access.policy` (:func:`read_rule`
gives it as data); this module compiles it onto the archive layout
(``cables c`` and the ``access_*`` tables) and adds the archive's release
views.  A reader sees a cable through exactly one *view*, chosen per row by
:meth:`ReaderScope.view_case`:

* ``-1`` — the cable itself (the rule's part 2 holds: clearance, SBU, captions,
  membership);
* ``7`` (``PUBLIC_VIEW``) — the public view under a release decision
  (``release`` / ``release-in-part``) when the reader may not read it in full;
* ``rank`` — under the partial-release search policy, the view released to
  the reader's clearance, when the handling tests (captions, membership) hold
  and such a view exists;
* NULL — nothing: the cable does not exist for this reader.

Every query AND-s :meth:`ReaderScope.visible`; text search matches the view's
own text (``views.doc``) for rows seen through a view, so a withheld word can
never find, count or snippet a cable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cablegram.access.policy import (
    ReadRule,
    caption_bits,
    caption_mask,
    read_rule,
    reads_as_cleared,
    reads_as_public,
)
from cablegram.access.principal import OWNER, Principal
from cablegram.archive.records import FULL_VIEW, PUBLIC_VIEW
from cablegram.model import Classification

__all__ = ["ReaderScope", "rule_sql"]

Fragment = tuple[str, tuple[Any, ...]]


def _in_list(column: str, values: Iterable[str], params: list[object]) -> str | None:
    """``column IN (%s, ...)`` or None for an empty set."""
    items = sorted(values)
    if not items:
        return None
    params.extend(items)
    return f"{column} IN ({', '.join('%s' for _ in items)})"


def _exists(table: str, alias: str, condition: str, *, per_row: bool = False) -> str:
    """``EXISTS`` over one of the cable's access rows.  ``per_row``: looked
    up for each cable that gets that far (OFFSET 0 keeps the planner from
    turning it into a hashed subplan, which reads the whole table once a
    query: right only if most cables needed the lookup, and the membership
    lookups come after the cheap test that settles nearly every cable)."""
    fence = " OFFSET 0" if per_row else ""
    return (f"EXISTS (SELECT 1 FROM {table} {alias}"
            f" WHERE {alias}.cable_rowid = c.rowid AND {condition}{fence})")  # fmt: skip


# "Carries no caption of the mask".  ``access_caps = 0 OR`` changes nothing
# (a cable without captions passes every mask) but lets the planner estimate
# the test from the column's statistics: it guesses a bit test at 0.5 % of
# the rows, and so, for a phrase, walked every cable the rule passes (two
# thirds of them) into the text index one by one instead of reading the
# matches in rowid order (316 against 45 ms at 50,000 cables).
_NO_CAPTION_OF_MASK = "(c.access_caps = 0 OR (c.access_caps & %s) = 0)"


def _clauses(rule: ReadRule, bits: Mapping[str, int] | None, params: list[object]) -> Iterator[str]:
    if rule.max_rank is not None:
        params.append(rule.max_rank)
        yield "c.access_rank <= %s"
    if not rule.sbu:
        yield "c.access_sbu = 0"
    # (c) no controlling caption outside the principal's read-ins.
    if bits is not None:
        if rule.denied:
            params.append(caption_mask(rule.denied, bits))
            yield _NO_CAPTION_OF_MASK
    elif cond := _in_list("k.caption", rule.denied, params):
        yield "NOT " + _exists("access_captions", "k", cond)
    # (d) restricted captions need membership; only reachable when granted.
    if not rule.restricted:
        return
    if bits is not None:
        params.append(caption_mask(rule.restricted, bits))
        unrestricted = _NO_CAPTION_OF_MASK
    else:
        cond = _in_list("r.caption", rule.restricted, params)
        unrestricted = "NOT " + _exists("access_captions", "r", str(cond))
    member = []
    if cond := _in_list("a.routing_indicator", rule.stations, params):
        member.append(_exists("access_addressees", "a", cond, per_row=True))
    if cond := _in_list("o.office", rule.offices, params):
        member.append(_exists("access_offices", "o", cond, per_row=True))
    # Written first so the cheap test usually decides: the EXISTS lookups run only for
    # the few cables that carry a restricted caption.
    yield "(" + " OR ".join([unrestricted, *member]) + ")"


def rule_sql(rule: ReadRule | None, bits: Mapping[str, int] | None = None) -> Fragment:
    """``(…)``: the rule's part 2 over ``cables c``.  ``bits``: the archive's
    caption bit map when it is this lexicon's (then ``access_caps`` answers
    the caption tests without reading ``access_captions``)."""
    if rule is None:
        return "(1 = 1)", ()
    params: list[object] = []
    parts = [f"({c})" for c in _clauses(rule, bits, params)]
    return "(" + (" AND ".join(parts) or "1 = 1") + ")", tuple(params)


@dataclass(frozen=True, slots=True)
class ReaderScope:
    """The SQL of one reader on one archive.

    ``bits``: the archive's caption bit map (used only when it is this
    lexicon's map; otherwise the rule reads ``access_captions``).
    ``policy``: partial-release search is on.
    """

    principal: Principal = OWNER
    bits: dict[str, int] | None = None
    policy: bool = False

    @property
    def owner(self) -> bool:
        """Reads every cable in full (the owner, the published reader): no rule."""
        return self.principal.owner or self.principal.reads_all

    @property
    def public_tier(self) -> bool:
        """Sees exactly what the public reader sees, so searches the public
        tier's index (tiers.py)."""
        return reads_as_public(self.principal)

    @property
    def cleared_tier(self) -> Classification | None:
        """The clearance whose tier's index this reader searches: it reads
        exactly what a reader cleared to it with no read-ins reads (tiers.py)."""
        return reads_as_cleared(self.principal)

    def _bits(self) -> dict[str, int] | None:
        return self.bits if self.bits == caption_bits() else None

    def full(self) -> Fragment:
        """The rule's part 2 (read the cable itself)."""
        return rule_sql(read_rule(self.principal), self._bits())

    def _policy_branch(self) -> Fragment | None:
        if not self.policy or self.owner:
            return None
        handling, params = rule_sql(read_rule(self.principal, level=False), self._bits())
        rank = self.principal.clearance.rank
        sql = (
            "(EXISTS (SELECT 1 FROM views w WHERE w.cable = c.rowid AND w.level = %s)"
            f" AND {handling})"
        )
        return sql, (rank, *params)

    def visible(self) -> Fragment:
        """``(…)``: the row ``c`` exists for this reader (no leading AND)."""
        if self.owner:
            return "TRUE", ()
        full, fp = self.full()
        parts, params = [full, "c.released = 1"], [*fp]
        if branch := self._policy_branch():
            parts.append(branch[0])
            params += branch[1]
        return "(" + " OR ".join(parts) + ")", tuple(params)

    def view_case(self) -> Fragment:
        """An expression giving the view of row ``c`` this reader gets (or NULL)."""
        if self.owner:
            return str(FULL_VIEW), ()
        full, fp = self.full()
        sql = f"CASE WHEN {full} THEN {FULL_VIEW} WHEN c.released = 1 THEN {PUBLIC_VIEW}"
        params = [*fp]
        if branch := self._policy_branch():
            sql += f" WHEN {branch[0]} THEN {self.principal.clearance.rank}"
            params += branch[1]
        return sql + " END", tuple(params)
