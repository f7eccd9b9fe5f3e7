"""The ``Store`` protocol and its embedded SQLite implementation.

Every read goes through :meth:`SQLiteStore.scope`, which AND-s the reader's
access rule (:mod:`cablegram.archive.reader`) into the query, so counts,
facets, snippets, graph edges and stats never see a hidden cable; rows a
reader sees through a release view are matched, shown and snippeted from the
view (``views`` / ``fts_views``), never from the cable.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from cablegram.access.principal import OWNER, Principal
from cablegram.archive import broad, schema
from cablegram.archive.blobs import unpack_json, unpack_text
from cablegram.archive.broad import (
    Measure,
    likely_narrow,
    sample_spans,
    sample_step,
    scaled_total,
)
from cablegram.archive.facets import Facets, facets, facets_of, fill_hits
from cablegram.archive.fields import TEXT_FACT_CLOSE, TEXT_FACT_OPEN
from cablegram.archive.ids import id_key
from cablegram.archive.query import Plan
from cablegram.archive.reader import FULL_VIEW, ReaderScope
from cablegram.archive.records import CopyRecord, ViewRecord
from cablegram.archive.results import Hit, snippet, term_pattern
from cablegram.archive.writer import WriteCounts, clear_fields, write_batch


@dataclass(frozen=True, slots=True)
class CopyInfo:
    sha256: str
    format: str
    path: str | None
    locator: str | None
    text: str
    primary: bool


class Store(Protocol):
    """What the archive needs of a database (SQLite now, PostgreSQL later).

    A store is opened for one reader (:class:`Principal`); every read
    method answers as that reader sees the archive."""

    principal: Principal

    def write(self, records: Iterable[CopyRecord]) -> WriteCounts: ...
    def rowid_of(self, cable_id: str) -> int | None: ...
    def get(self, cable_id: str) -> dict[str, Any] | None: ...
    def copies(self, cable_id: str) -> list[CopyInfo]: ...
    def search(self, plan: Plan, *, sort: str, limit: int, offset: int) -> list[Hit]: ...
    def count(self, plan: Plan) -> int: ...
    def measure(self, plan: Plan) -> Measure: ...
    def sample_page(
        self, plan: Plan, rowids: tuple[int, ...], *, limit: int, offset: int
    ) -> list[Hit]: ...
    def rowid_page(
        self, plan: Plan, rowids: tuple[int, ...], *, sort: str, limit: int, offset: int
    ) -> list[Hit]: ...
    def ranked_known(self, plan: Plan) -> bool: ...
    def known_ranked_page(
        self, plan: Plan, rowids: tuple[int, ...], *, limit: int, offset: int
    ) -> list[Hit]: ...
    def facets(self, plan: Plan, *, size: int, measure: Measure | None) -> Facets: ...
    def iter_matches(self, plan: Plan, *, sort: str) -> Iterator[dict[str, Any]]: ...
    def close(self) -> None: ...


_FTS_WEIGHTS = "bm25(fts, 4.0, 1.0)"  # a word in the subject counts four times
# What a hit row shows, before its score and rowid (see SQLiteStore._hits).
_HIT_COLUMNS = "c.id, c.created, c.classification, c.origin, c.subject"


class SQLiteStore:
    """An archive in one SQLite file (WAL; one writer, many readers)."""

    def __init__(self, path: str, principal: Principal | None = None) -> None:
        self.path = path
        self.conn = schema.connect(path)
        self._lock = threading.Lock()
        # Called after a cable's fields are (re)written, inside the write
        # transaction: the archive re-applies release decisions there.
        self.on_fields: Callable[[int, CopyRecord], None] | None = None
        self._matches_key: tuple[object, ...] | None = None
        self.reader = ReaderScope(
            principal or OWNER, self.setting("caption_bits"), bool(self.setting("partial_release"))
        )

    @property
    def principal(self) -> Principal:
        return self.reader.principal

    def close(self) -> None:
        self.conn.close()

    def setting(self, key: str) -> Any:
        """A JSON value kept in ``meta`` (None when unset)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set_setting(self, key: str, value: Any) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    # -- access control: the one place where the rule enters every query --
    def scope(self) -> tuple[str, tuple[object, ...]]:
        """`` AND (rule)`` for the cables row aliased ``c``, and its params.

        Every read (search, counts, facets, snippets, graph, stats) appends
        this, so access control lives in one place, inside the SQL."""
        if self.reader.owner:
            return "", ()
        sql, params = self.reader.visible()
        return f" AND {sql}", params

    def _views_present(self) -> bool:
        return bool(self.conn.execute("SELECT EXISTS (SELECT 1 FROM views)").fetchone()[0])

    def view_of(self, rowid: int) -> int | None:
        """The view through which this reader sees cable ``rowid`` (None: hidden)."""
        if self.reader.owner:
            return FULL_VIEW
        case, params = self.reader.view_case()
        row = self.conn.execute(
            f"SELECT {case} FROM cables c WHERE c.rowid = ?", (*params, rowid)
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def view_row(self, rowid: int, level: int) -> tuple[str | None, bytes]:
        """(subject, packed JSON) of a release view."""
        row = self.conn.execute(
            "SELECT subject, data FROM views WHERE cable = ? AND level = ?", (rowid, level)
        ).fetchone()
        return row[0], bytes(row[1])

    def seen_subject(self, rowid: int, subject: str | None) -> str | None:
        """The subject as this reader sees it (a view may withhold it)."""
        view = self.view_of(rowid)
        if view is None or view == FULL_VIEW:
            return subject
        return self.view_row(rowid, view)[0]

    def seen_data(self, rowid: int) -> bytes | None:
        """Packed schema JSON of cable ``rowid`` as this reader sees it, or None."""
        view = self.view_of(rowid)
        if view is None:
            return None
        if view == FULL_VIEW:
            return self._data(rowid)
        return self.view_row(rowid, view)[1]

    # -- writing --
    def write(self, records: Iterable[CopyRecord]) -> WriteCounts:
        """Store a batch in one transaction: all of it or (on error) none."""
        with self._lock, schema.transaction(self.conn):
            return write_batch(
                self.conn, records,
                clear_fields=lambda rowid: clear_fields(self.conn, rowid, self.drop_views),
                put_view=self.put_view,
                on_fields=self.on_fields,
            )  # fmt: skip

    def drop_views(self, rowid: int, level: int | None = None) -> None:
        """Remove release views of a cable (all, or one level) and their index entries."""
        one = level is not None
        sql = "SELECT level, data FROM views WHERE cable = ?" + (" AND level = ?" if one else "")
        args = (rowid, level) if one else (rowid,)
        for lvl, blob in self.conn.execute(sql, args).fetchall():
            view = unpack_json(blob)
            self.conn.execute(
                "INSERT INTO fts_views (fts_views, rowid, subject, body) VALUES ('delete', ?, ?, ?)",
                (rowid * 8 + lvl, view.get("subject") or "", view.get("text") or ""),
            )
            self.conn.execute("DELETE FROM views WHERE cable = ? AND level = ?", (rowid, lvl))

    def put_view(self, rowid: int, view: ViewRecord) -> None:
        """Store a release view and index its text (replacing that level)."""
        self.drop_views(rowid, view.level)
        self.conn.execute(
            "INSERT INTO views (cable, level, subject, data) VALUES (?, ?, ?, ?)",
            (rowid, view.level, view.subject, view.data),
        )
        self.conn.execute(
            "INSERT INTO fts_views (rowid, subject, body) VALUES (?, ?, ?)",
            (rowid * 8 + view.level, view.subject or "", view.body),
        )

    # -- reading --
    def rowid_of(self, cable_id: str) -> int | None:
        """The visible cable answering to ``cable_id`` (exact id first, then alias key)."""
        vis, vp = self.scope()
        row = self.conn.execute(
            f"SELECT c.rowid FROM cables c WHERE c.id = ?{vis}", (cable_id.upper(), *vp)
        ).fetchone()
        if row is None:
            row = self.conn.execute(
                "SELECT c.rowid FROM cable_keys k JOIN cables c ON c.rowid = k.cable"
                f" WHERE k.key = ?{vis} ORDER BY c.rowid LIMIT 1",
                (id_key(cable_id), *vp),
            ).fetchone()
        return None if row is None else int(row[0])

    def get(self, cable_id: str) -> dict[str, Any] | None:
        """The schema JSON of a cable as this reader sees it, or None (absent or hidden)."""
        rowid = self.rowid_of(cable_id)
        blob = None if rowid is None else self.seen_data(rowid)
        return None if blob is None else unpack_json(blob)  # type: ignore[no-any-return]

    def copies(self, cable_id: str) -> list[CopyInfo]:
        """The stored copies (original texts): only for a reader of the whole cable."""

        rowid = self.rowid_of(cable_id)
        if rowid is None or self.view_of(rowid) != FULL_VIEW:
            return []
        rows = self.conn.execute(
            "SELECT p.sha256, p.format, p.path, p.locator, p.raw, p.rowid = c.copy"
            " FROM copies p JOIN cables c ON c.rowid = p.cable WHERE p.cable = ? ORDER BY p.rowid",
            (rowid,),
        ).fetchall()
        return [
            CopyInfo(sha, fmt, path, loc, unpack_text(raw), bool(primary))
            for sha, fmt, path, loc, raw, primary in rows
        ]

    def _through_views(self, plan: Plan) -> bool:
        """Text search must also look in release views' own text."""
        return plan.match is not None and not self.reader.owner and self._views_present()

    def _from_where(
        self, plan: Plan, span: tuple[int, int] | None = None, step: int = 1
    ) -> tuple[str, list[object], str]:
        """FROM/WHERE of the matches and the rank expression.

        The FTS cursor drives the join (CROSS JOIN); field predicates and the
        reader's rule filter ``cables c``.  When release views exist, a
        non-owner's text matches come from the cable's text where it reads the
        cable, and from the view's text where it reads a view.  ``span``
        (first, last cable rowid) restricts a text match inside FTS5, which
        seeks to the range instead of reading every match; ``step`` keeps the
        matches whose rowid it divides, tested before the ``cables`` join
        (broad.py)."""
        vis, vp = self.scope()
        where, wp = self._where(plan)
        if plan.match is None:
            return f" FROM cables c WHERE {where}{vis}", [*wp, *vp], "0.0"
        rng, rp = ("", []) if span is None else (" AND rowid BETWEEN ? AND ?", list(span))
        if step > 1:
            rng += f" AND rowid % {int(step)} = 0"
        if not self._through_views(plan):
            sql = (
                " FROM fts CROSS JOIN cables c ON c.rowid = fts.rowid"
                f" WHERE fts MATCH ?{rng.replace('rowid', 'fts.rowid')} AND {where}{vis}"
            )
            return sql, [plan.match, *rp, *wp, *vp], _FTS_WEIGHTS
        case, cp = self.reader.view_case()
        vrp = [] if span is None else [span[0] * 8, span[1] * 8 + 7]  # view rowid = cable*8+level
        vrng = rng.replace(f"rowid % {int(step)}", f"(rowid >> 3) % {int(step)}")
        sql = (
            f" FROM (SELECT rowid AS cable, {FULL_VIEW} AS v, {_FTS_WEIGHTS} AS score"
            f" FROM fts WHERE fts MATCH ?{rng}"
            " UNION ALL SELECT rowid >> 3, rowid & 7, bm25(fts_views, 4.0, 1.0)"
            f" FROM fts_views WHERE fts_views MATCH ?{vrng}) m"
            f" CROSS JOIN cables c ON c.rowid = m.cable WHERE {where} AND m.v = ({case})"
        )
        return sql, [plan.match, *rp, plan.match, *vrp, *wp, *cp], "m.score"

    def _where(self, plan: Plan) -> tuple[str, list[object]]:
        """The plan's field predicates for this reader: a text fact (has:summary,
        defect:) holds only of a cable the reader reads in full — a release
        view must not reveal what its withheld text held."""
        if TEXT_FACT_OPEN not in plan.where:
            return plan.where, list(plan.params)
        if self.reader.owner:
            return plan.where, list(plan.params)
        full, fp = self.reader.full()
        out, params, rest = [], list(plan.params), plan.where
        taken: list[object] = []
        while (i := rest.find(TEXT_FACT_OPEN)) >= 0:
            before = rest[:i]
            n = before.count("?")
            taken += params[:n]
            params = params[n:]
            out.append(f"{before}({full} AND (")
            taken += fp
            rest = rest[i + len(TEXT_FACT_OPEN) :].replace(TEXT_FACT_CLOSE, "))", 1)
        out.append(rest)
        return "".join(out), [*taken, *params]

    def _matches(self, plan: Plan) -> str | None:
        """``temp.matches(rowid, score)``: every match of a heavy plan (phrase,
        prefix), evaluated once and shared by the page, the total and the
        facets (each would otherwise re-check every phrase position).  Kept
        while the plan, the reader and the data stay the same."""
        if not plan.heavy or plan.match is None:
            return None
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        key = (plan.match, plan.where, plan.params, self.reader, version, self.conn.total_changes)
        if key != self._matches_key:
            frm, params, score = self._from_where(plan)
            self.conn.execute("DROP TABLE IF EXISTS temp.matches")
            self.conn.execute(
                f"CREATE TEMP TABLE matches AS SELECT c.rowid AS rowid, {score} AS score{frm}",
                params,
            )
            self._matches_key = key
        return "temp.matches"

    def _rowids(self, plan: Plan) -> tuple[str, list[object]]:
        """SELECT of the matching rowids (a heavy plan's evaluated matches)."""
        if (table := self._matches(plan)) is not None:
            return f"SELECT rowid FROM {table}", []
        return self._matching(plan)

    @staticmethod
    def _order(plan: Plan, sort: str, score: str) -> str:
        # Field-only queries walk the created index and stop after the page.
        if sort == "rank" and plan.match is not None:
            return f" ORDER BY {score}, c.rowid"
        if sort == "date-asc":
            return " ORDER BY c.created IS NULL, c.created, c.rowid"
        return " ORDER BY c.created DESC, c.rowid"

    def search(
        self, plan: Plan, *, sort: str = "rank", limit: int = 20, offset: int = 0
    ) -> list[Hit]:
        """One page of matches with snippets, by BM25 rank or date."""
        frm, params, score = self._from_where(plan)
        ranked = sort == "rank" and plan.match is not None
        if not ranked:
            score = "0.0"
        cols = _HIT_COLUMNS
        if (table := self._matches(plan)) is not None:
            frm = f" FROM {table} m CROSS JOIN cables c ON c.rowid = m.rowid"
            score = "m.score" if ranked else "0.0"
            rows = self.conn.execute(
                f"SELECT {cols}, {score}, c.rowid{frm}{self._order(plan, sort, score)}"
                " LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        elif ranked and plan.where == "1" and self.reader.owner:
            # Text only: rank inside FTS5 and join just the page (~20% faster).
            sql = (
                f"SELECT {cols}, f.score, c.rowid FROM (SELECT rowid, {score} AS score FROM fts"
                " WHERE fts MATCH ? ORDER BY score, rowid LIMIT ? OFFSET ?) f"
                " CROSS JOIN cables c ON c.rowid = f.rowid ORDER BY f.score, c.rowid"
            )
            rows = self.conn.execute(sql, (plan.match, limit, offset)).fetchall()
        else:
            rows = self.conn.execute(
                f"SELECT {cols}, {score}, c.rowid{frm}{self._order(plan, sort, score)}"
                " LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return self._hits(plan, rows)

    def ranked_known(self, plan: Plan) -> bool:
        """Whether :meth:`known_ranked_page` can rank this plan's known matches
        (text matched in the cables' own index only, no release views)."""
        return plan.match is not None and not self._through_views(plan)

    def known_ranked_page(
        self, plan: Plan, rowids: tuple[int, ...], *, limit: int, offset: int
    ) -> list[Hit]:
        """A BM25 page of a narrow query whose matches are known (``rowids``,
        measured with the reader's scope): FTS5 scores only the text matches
        among them, and only the page is joined to ``cables`` - no per-match
        join to re-apply the fields and the access rule."""
        with self._lock:
            fill_hits(self.conn, rowids)
            # FTS5 drives; the known set is probed by its key.  (``rowid IN
            # (...)`` would be handed to FTS5 as one MATCH per rowid: seconds.)
            ranked = self.conn.execute(
                f"SELECT fts.rowid, {_FTS_WEIGHTS} AS score FROM fts"
                " CROSS JOIN temp.hits h ON h.rowid = fts.rowid WHERE fts MATCH ?"
                " ORDER BY score, fts.rowid LIMIT ? OFFSET ?",
                (plan.match, limit, offset),
            ).fetchall()
        if not ranked:
            return []
        marks = ",".join("?" * len(ranked))
        rows = {row[-1]: row for row in self.conn.execute(
            f"SELECT {_HIT_COLUMNS}, c.rowid"
            f" FROM cables c WHERE c.rowid IN ({marks})", [r for r, _ in ranked])}  # fmt: skip
        return self._hits(plan, [(*rows[r][:5], score, r) for r, score in ranked])

    def rowid_page(
        self, plan: Plan, rowids: tuple[int, ...], *, sort: str, limit: int, offset: int
    ) -> list[Hit]:
        """A date-ordered page of a known set of matches (a query of fields
        only): sorting the set beats walking the date index past rows that
        fail the filter."""
        with self._lock:
            fill_hits(self.conn, rowids)
            rows = self.conn.execute(
                f"SELECT {_HIT_COLUMNS}, 0.0, c.rowid"
                " FROM temp.hits h CROSS JOIN cables c ON c.rowid = h.rowid"
                f"{self._order(plan, sort, '0.0')} LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return self._hits(plan, rows)

    def sample_page(
        self, plan: Plan, rowids: tuple[int, ...], *, limit: int, offset: int
    ) -> list[Hit]:
        """A page of a broad query's sample (broad.py): cables with a query
        term in their subject (as this reader sees it) first, then newest first."""
        case, cp = self.reader.view_case()
        with self._lock:
            fill_hits(self.conn, rowids)
            rows = self.conn.execute(
                "SELECT c.rowid, c.created, CASE WHEN v.level IS NULL THEN c.subject"
                " ELSE v.subject END FROM temp.hits h CROSS JOIN cables c ON c.rowid = h.rowid"
                f" LEFT JOIN views v ON v.cable = c.rowid AND v.level = ({case})"
                f" AND v.level != {FULL_VIEW}",
                cp,
            ).fetchall()
        pattern = term_pattern(plan.terms)
        rows.sort(key=lambda row: row[0])  # stable sorts: rowid, then date, then subject
        rows.sort(key=lambda row: row[1] or "", reverse=True)  # newest first, undated last
        if pattern is not None:
            rows.sort(key=lambda row: pattern.search(row[2] or "") is None)
        page = [rowid for rowid, _, _ in rows[offset : offset + limit]]
        if not page:
            return []
        found = {row[6]: row for row in self.conn.execute(
            f"SELECT {_HIT_COLUMNS}, 0.0, c.rowid"
            f" FROM cables c WHERE c.rowid IN ({','.join('?' * len(page))})", page)}  # fmt: skip
        return self._hits(plan, [found[r] for r in page])

    def _hits(self, plan: Plan, rows: list[tuple[Any, ...]]) -> list[Hit]:
        """Hits with snippets, each as this reader sees the cable."""
        hits = []
        for cid, created, cls, origin, subject, sc, rowid in rows:
            view = self.view_of(rowid)
            if view == FULL_VIEW:
                text = unpack_json(self._data(rowid)).get("text") or ""
            else:  # seen through a release view: its subject and text only
                subject, blob = self.view_row(rowid, int(view or 0))
                text = unpack_json(blob).get("text") or ""
            hits.append(Hit(cid, created, cls, origin, subject, snippet(text, plan.terms), -sc))
        return hits

    def _matching(
        self, plan: Plan, span: tuple[int, int] | None = None, step: int = 1
    ) -> tuple[str, list[object]]:
        """SELECT of the matching rowids (see ``_from_where`` for ``span`` and
        ``step``); the owner's text-only query skips the ``cables`` join: the
        FTS doclist alone answers (a join costs a B-tree lookup per match)."""
        if plan.match is not None and plan.where == "1" and self.reader.owner:
            sql, params = "SELECT rowid FROM fts WHERE fts MATCH ?", [plan.match]
            if span is not None:
                sql, params = sql + " AND rowid BETWEEN ? AND ?", [*params, *span]
            return sql + (f" AND rowid % {int(step)} = 0" if step > 1 else ""), params
        frm, params, _ = self._from_where(plan, span, step)
        return f"SELECT c.rowid AS rowid{frm}", params

    def _rowid_list(self, sql: str, params: list[object], limit: int | None = None) -> list[int]:
        tail = f" LIMIT {int(limit)}" if limit is not None else ""
        return [r for (r,) in self.conn.execute(sql + tail, params)]

    def measure(self, plan: Plan) -> Measure:
        """How many cables match (exact, or estimated for a broad text query;
        see broad.py), with the rowids that stand for them."""
        sql, params = self._matching(plan)
        if plan.match is None:  # fields only: indexes give the rowids cheaply
            every = self._rowid_list(sql, params, broad.FIELD_ROWIDS + 1)
            if len(every) <= broad.FIELD_ROWIDS:
                return Measure(len(every), True, tuple(every))
            return Measure(self.count(plan), True)
        if plan.prefix and plan.where == "1" and self.reader.owner:
            # The doclist counts alone (no join): one merge gives the exact total.
            counted = self.count(plan)
            step = -(-counted // broad.SAMPLE)
            rows = tuple(self._rowid_list(*self._matching(plan, step=step)))
            return Measure(counted, True, rows, sample=step > 1)
        first = self._rowid_list(sql, params, broad.PROBE + 1)
        if len(first) <= broad.PROBE:
            return Measure(len(first), True, tuple(first))
        if self._through_views(plan):
            # Matches come from two indexes, not in one rowid order, so the
            # "rest after the first ones" below would miss some: list them all.
            every = tuple(self._rowid_list(sql, params))
            return Measure(len(every), True, every)
        top = int(self.conn.execute("SELECT max(rowid) FROM cables").fetchone()[0])
        if likely_narrow(top, first):  # read on up to BROAD, after the first ones
            rest = self._matching(plan, (first[-1] + 1, top))
            first += self._rowid_list(*rest, broad.BROAD + 1 - len(first))
            if len(first) <= broad.BROAD:
                return Measure(len(first), True, tuple(first))
        if plan.prefix:  # a second evaluation, thinned by rowid (see broad.py)
            step = sample_step(top, first)
            rows = tuple(self._rowid_list(*self._matching(plan, step=step)))
            return Measure(max(len(first), len(rows) * step), False, rows, sample=True)
        spans = sample_spans(top, first)
        if spans is None:  # sparse beyond the first matches: list the rest (one pass in all)
            first += self._rowid_list(*self._matching(plan, (first[-1] + 1, top)))
            return Measure(len(first), True, tuple(first))
        found: list[int] = []
        for span in spans:
            found += self._rowid_list(*self._matching(plan, span))
        total = scaled_total(len(found), spans, top, len(first))
        return Measure(total, False, tuple(found), sample=True)

    def count(self, plan: Plan) -> int:
        """Every match counted (no ranking: BM25 would count each phrase again)."""
        sql, params = self._matching(plan)
        return int(self.conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])

    def facets(self, plan: Plan, *, size: int = 10, measure: Measure | None = None) -> Facets:
        """Facet counts of the matches (of the rowids ``measure`` holds, when it
        holds them: a broad query's sample, or a narrow query's every match)."""
        measure = measure or self.measure(plan)
        with self._lock:
            if measure.rowids is not None:
                return facets_of(self.conn, measure.rowids, size, total=measure.total,
                                 exact=not measure.sample)  # fmt: skip
            sql, params = self._rowids(plan)
            return facets(self.conn, sql, params, size, total=measure.total)

    def iter_matches(self, plan: Plan, *, sort: str = "date") -> Iterator[dict[str, Any]]:
        """Schema JSON of every match as this reader sees it, streamed in ``sort`` order."""
        frm, params, score = self._from_where(plan)
        if self.reader.owner:
            data = "(SELECT d.data FROM cable_data d WHERE d.rowid = c.rowid)"
            cur = self.conn.execute(f"SELECT {data}{frm}{self._order(plan, sort, score)}", params)
            for (blob,) in cur:
                yield unpack_json(blob)
            return
        order = self._order(plan, sort, score)
        rowids = [r for (r,) in self.conn.execute(f"SELECT c.rowid{frm}{order}", params)]
        for rowid in rowids:
            blob = self.seen_data(rowid)
            if blob is not None:
                yield unpack_json(blob)

    def _data(self, rowid: int) -> bytes:
        row = self.conn.execute("SELECT data FROM cable_data WHERE rowid = ?", (rowid,)).fetchone()
        return bytes(row[0])
