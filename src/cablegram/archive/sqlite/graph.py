"""The reference graph and archive statistics on SQLite (under the reader's rule).

Edges are stored by *cited key* (``refs.cited_key``) and resolved at read
time by joining ``cable_keys``: a cable ingested later is linked to every
earlier citer without rewriting anything, under any alias spelling.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from cablegram.archive.store import Node, RefItem


class GraphQueries:
    """The graph and stats half of :class:`~cablegram.archive.sqlite.store.SQLiteStore`."""

    conn: sqlite3.Connection

    # Provided by the store (the class this one is mixed into).
    def scope(self) -> tuple[str, tuple[object, ...]]:
        raise NotImplementedError

    def rowid_of(self, cable_id: str) -> int | None:
        raise NotImplementedError

    def seen_subject(self, rowid: int, subject: str | None) -> str | None:
        raise NotImplementedError

    def _nodes(self, where: str, params: tuple[object, ...]) -> list[Node]:
        vis, vp = self.scope()
        rows = self.conn.execute(
            "SELECT DISTINCT c.id, c.created, c.subject, c.rowid, c.classification FROM cables c"
            f" WHERE {where}{vis} ORDER BY c.created IS NULL, c.created, c.id",
            (*params, *vp),
        ).fetchall()
        # A cable seen through a release view shows the view's subject (it may be withheld).
        return [Node(cid, created, self.seen_subject(rowid, subject), cls)
                for cid, created, subject, rowid, cls in rows]  # fmt: skip

    def node(self, cable_id: str) -> Node | None:
        rowid = self.rowid_of(cable_id)
        found = [] if rowid is None else self._nodes("c.rowid = ?", (rowid,))
        return found[0] if found else None

    def ref_items(self, cable_id: str) -> list[RefItem] | None:
        """The REF items of a visible cable, in order (None: absent or hidden)."""
        rowid = self.rowid_of(cable_id)
        if rowid is None:
            return None
        rows = self.conn.execute(
            "SELECT label, text, cited_id, cited_key FROM refs WHERE cable = ? ORDER BY ord",
            (rowid,),
        ).fetchall()
        return [RefItem(*row) for row in rows]

    def answering(self, key: str) -> list[Node]:
        """The visible cables answering to the id key ``key``."""
        return self._nodes("c.rowid IN (SELECT cable FROM cable_keys WHERE key = ?)", (key,))

    def citing(self, cable_id: str) -> list[Node] | None:
        """The visible cables whose REFs resolve to this visible cable (None: absent or hidden)."""
        rowid = self.rowid_of(cable_id)
        if rowid is None:
            return None
        return self._nodes(
            "c.rowid IN (SELECT r.cable FROM refs r WHERE r.cited_key IN"
            " (SELECT key FROM cable_keys WHERE cable = ?))",
            (rowid,),
        )

    def thread_step(self, cable_ids: Sequence[str], direction: str) -> dict[str, list[Node]]:
        """For each visible cable of ``cable_ids``, the visible cables its REFs
        resolve to, itself excepted (``up``), or whose REFs resolve to it
        (``down``): a level of a thread in one statement, rather than two
        for each cable of it."""
        vis, vp = self.scope()
        sources = (
            "SELECT c.id, c.rowid FROM cables c WHERE c.id IN (SELECT value FROM json_each(?))"
        )
        if direction == "up":
            link = ("JOIN refs r ON r.cable = s.rowid JOIN cable_keys k ON k.key = r.cited_key"
                    " JOIN cables c ON c.rowid = k.cable WHERE c.rowid != s.rowid")  # fmt: skip
        else:
            link = ("JOIN cable_keys k ON k.cable = s.rowid JOIN refs r ON r.cited_key = k.key"
                    " JOIN cables c ON c.rowid = r.cable WHERE 1")  # fmt: skip
        rows = self.conn.execute(
            "SELECT x.source, x.id, x.created, x.subject, x.rowid, x.classification FROM"
            " (SELECT DISTINCT s.id AS source, c.id, c.created, c.subject, c.rowid,"
            f" c.classification FROM ({sources}{vis}) s {link}{vis}) x"
            " ORDER BY x.source, x.created IS NULL, x.created, x.id",
            (json.dumps(list(cable_ids)), *vp, *vp),
        ).fetchall()
        found: dict[str, list[Node]] = {}
        for source, cid, created, subject, rowid, cls in rows:
            # A cable seen through a release view shows the view's subject (it may be withheld).
            found.setdefault(source, []).append(
                Node(cid, created, self.seen_subject(rowid, subject), cls)
            )
        return found

    def citing_key(self, key: str) -> list[Node]:
        """The visible cables with a REF naming the id key ``key``."""
        return self._nodes("c.rowid IN (SELECT r.cable FROM refs r WHERE r.cited_key = ?)", (key,))

    def stats(self, *, size: int = 20) -> dict[str, Any]:
        """Counts by year, month, origin, classification, tag; defects; copies
        and unresolved references (all under the reader's rule)."""
        conn = self.conn
        vis, vp = self.scope()
        visible = f"SELECT c.rowid FROM cables c WHERE 1{vis}"

        def pairs(sql: str, *params: object) -> list[tuple[Any, int]]:
            return [(v, n) for v, n in conn.execute(sql, (*vp, *params))]

        cables = conn.execute(f"SELECT count(*) FROM ({visible})", vp).fetchone()[0]
        copies = conn.execute(
            f"SELECT count(*) FROM copies WHERE cable IN ({visible})", vp
        ).fetchone()[0]
        refs_total, unresolved, not_cables = conn.execute(
            "SELECT count(*), sum(r.cited_key IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM cable_keys k JOIN cables c ON c.rowid = k.cable"
            f"  WHERE k.key = r.cited_key{vis})), sum(r.cited_key IS NULL)"
            f" FROM refs r WHERE r.cable IN ({visible})",
            (*vp, *vp),
        ).fetchone()
        by = f"FROM cables c WHERE 1{vis} GROUP BY 1"
        return {
            "cables": cables,
            "copies": copies,
            "references": refs_total,
            "unresolved_references": unresolved or 0,
            "non_cable_references": not_cables or 0,
            "by_year": pairs(f"SELECT c.year, count(*) {by} ORDER BY 1"),
            "by_month": pairs(f"SELECT c.month, count(*) {by} ORDER BY 1"),
            "by_classification": pairs(f"SELECT c.classification, count(*) {by} ORDER BY 2 DESC"),
            "by_origin": pairs(f"SELECT c.origin, count(*) {by} ORDER BY 2 DESC, 1 LIMIT ?", size),
            "by_tag": pairs(
                f"SELECT t.value, count(*) FROM tags t WHERE t.cable IN ({visible})"
                " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?",
                size,
            ),
            "defects": pairs(
                f"SELECT d.value, sum(d.n) FROM defects d WHERE d.cable IN ({visible})"
                " GROUP BY 1 ORDER BY 2 DESC, 1"
            ),
        }
