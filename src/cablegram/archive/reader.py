"""Who is reading an archive, as SQL: the access rule over the archive's columns.

The rule itself lives in :mod:`cablegram.access.policy`; this module only
maps it onto the archive layout (``cables c`` and the ``access_*`` tables)
and adds the archive's release views.  A reader sees a cable through exactly
one *view*, chosen per row by :meth:`ReaderScope.view_case`:

* ``-1`` — the cable itself (the rule's part 2 holds: clearance, SBU, captions,
  membership);
* ``7`` (``PUBLIC_VIEW``) — the public view under a release decision
  (``release`` / ``release-in-part``) when the reader may not read it in full;
* ``rank`` — under the partial-release search policy, the view released to
  the reader's clearance, when the handling tests (captions, membership) hold
  and such a view exists;
* NULL — nothing: the cable does not exist for this reader.

Every query AND-s :meth:`ReaderScope.visible`; text search matches the view's
own text (``fts_views``) for rows seen through a view, so a withheld word can
never find, count or snippet a cable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cablegram.access.policy import AccessSchema, caption_bits, rule_sql
from cablegram.access.principal import OWNER, Principal
from cablegram.archive.records import PUBLIC_VIEW

__all__ = ["ARCHIVE_ACCESS_SCHEMA", "FULL_VIEW", "ReaderScope"]

# The archive's names for what the rule reads (see archive/schema.py).
ARCHIVE_ACCESS_SCHEMA = AccessSchema(
    cables="c",
    key="rowid",
    class_rank="access_rank",
    sbu="access_sbu",
    released="released",
    captions_table="access_captions",
    addressees_table="access_addressees",
    offices_table="access_offices",
    captions_mask="access_caps",
)

FULL_VIEW = -1

Fragment = tuple[str, tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class ReaderScope:
    """The SQL of one reader on one archive.

    ``bits``: the archive's caption bit map (used only when it is this
    lexicon's map; otherwise the rule falls back to its EXISTS form, which
    reads ``access_captions``).  ``policy``: partial-release search is on.
    """

    principal: Principal = OWNER
    bits: dict[str, int] | None = None
    policy: bool = False

    @property
    def owner(self) -> bool:
        return self.principal.owner

    def _bits(self) -> dict[str, int] | None:
        return self.bits if self.bits == caption_bits() else None

    def full(self) -> Fragment:
        """The rule's part 2 (read the cable itself)."""
        sql, params = rule_sql(self.principal, schema=ARCHIVE_ACCESS_SCHEMA, bits=self._bits())
        return sql, tuple(params)

    def _policy_branch(self) -> Fragment | None:
        if not self.policy or self.owner:
            return None
        handling, params = rule_sql(
            self.principal, schema=ARCHIVE_ACCESS_SCHEMA, bits=self._bits(), level=False
        )
        rank = self.principal.clearance.rank
        sql = (
            "(EXISTS (SELECT 1 FROM views w WHERE w.cable = c.rowid AND w.level = ?)"
            f" AND {handling})"
        )
        return sql, (rank, *params)

    def visible(self) -> Fragment:
        """``(…)``: the row ``c`` exists for this reader (no leading AND)."""
        if self.owner:
            return "1", ()
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
