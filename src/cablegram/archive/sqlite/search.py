"""Search on SQLite: measuring a result, its pages, facets and every match.

Every query is the compiled tree (compile.py) AND-ed with the reader's rule
(:meth:`SQLiteStore.scope`).  A text query is *measured* first (broad.py):
narrow results get exact totals, facets and BM25 ranking; broad ones an
estimate from an even sample.  When release views exist, a non-owner's text
matches come from the cable's own text where it reads the cable, and from
the view's text where it reads a view (``fts_views``), so a withheld word
never finds, counts or snippets a cable.  A reader who sees exactly what the
public reader sees matches the public tier's index instead (``fts_public``,
tiers.py), which holds nothing else: what its query costs never depends on
what is hidden from it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cablegram.archive import broad
from cablegram.archive.blobs import unpack_json
from cablegram.archive.broad import (
    Measure,
    likely_narrow,
    sample_spans,
    sample_step,
    scaled_total,
)
from cablegram.archive.facets import EXACT_LIMIT, Facets
from cablegram.archive.records import FULL_VIEW
from cablegram.archive.results import snippet, term_pattern
from cablegram.archive.sqlite import tiers
from cablegram.archive.sqlite.access import ReaderScope
from cablegram.archive.sqlite.compile import Reader, compile_tree
from cablegram.archive.sqlite.facets import facets_of_query, facets_of_rowids, fill_hits
from cablegram.archive.store import Hit, Page
from cablegram.archive.tree import Plan


def _weights(index: str) -> str:
    return f"bm25({index}, 4.0, 1.0)"  # a word in the subject counts four times


_FTS_WEIGHTS = _weights("fts")
# What a hit row shows, before its score and rowid (see SearchQueries._hits).
_HIT_COLUMNS = "c.id, c.created, c.classification, c.origin, c.subject"


@dataclass(frozen=True, slots=True)
class _Query:
    """A plan compiled for this store's reader."""

    plan: Plan
    match: str | None
    where: str
    params: tuple[object, ...]
    views: bool  # text matches also come from release views
    index: str = "fts"  # the full-text index the match runs on (tiers.py)

    @property
    def heavy(self) -> bool:
        return self.match is not None and self.plan.heavy

    @property
    def prefix(self) -> bool:
        return self.match is not None and self.plan.prefix


def _ints(listed: str | None) -> list[int]:
    """The rowids of a ``group_concat`` (None: none)."""
    return [int(r) for r in listed.split(",")] if listed else []


def _tier_text(index: str) -> Callable[[str], tuple[str, tuple[object, ...]]]:
    """Row ``c`` has text matching an expression as the reader of the tier
    whose index is ``index`` sees it."""

    def text(expr: str) -> tuple[str, tuple[object, ...]]:
        return f"c.rowid IN (SELECT rowid FROM {index} WHERE {index} MATCH ?)", (expr,)

    return text


class SearchQueries:
    """The search half of :class:`~cablegram.archive.sqlite.store.SQLiteStore`."""

    conn: sqlite3.Connection
    reader: ReaderScope
    _lock: threading.Lock
    _matches_key: tuple[object, ...] | None

    def scope(self) -> tuple[str, tuple[object, ...]]:  # provided by the store
        raise NotImplementedError

    def views_present(self) -> bool:
        raise NotImplementedError

    def view_of(self, rowid: int) -> int | None:
        raise NotImplementedError

    def view_row(self, rowid: int, level: int) -> tuple[str | None, bytes]:
        raise NotImplementedError

    def seen_data(self, rowid: int) -> bytes | None:
        raise NotImplementedError

    def _data(self, rowid: int) -> bytes:
        raise NotImplementedError

    # -- compiling --
    def _view_text(self, expr: str) -> tuple[str, tuple[object, ...]]:
        """Row ``c`` has text matching ``expr`` as this reader sees it."""
        case, cp = self.reader.view_case()
        sql = (
            f"(CASE ({case}) WHEN {FULL_VIEW} THEN c.rowid IN"
            " (SELECT rowid FROM fts WHERE fts MATCH ?)"
            f" ELSE c.rowid * 8 + ({case}) IN"
            " (SELECT rowid FROM fts_views WHERE fts_views MATCH ?) END)"
        )
        return sql, (*cp, expr, *cp, expr)

    def _query(self, plan: Plan) -> _Query:
        if (tier := tiers.tier_of(self.reader, self.conn)) is not None:
            # The public reader, or a cleared reader with no read-ins: only its
            # tier's indexes, which hold what it may read, as it reads it
            # (views included), and nothing hidden (tiers.py).
            reader = Reader(self.reader.full(), _tier_text(tier.index), tier.prefix)
            sql = compile_tree(plan.tree, reader)
            return _Query(plan, sql.match, sql.where, sql.params, False, tier.index)
        views = not self.reader.owner and self.views_present()
        reader = Reader(
            full=None if self.reader.owner else self.reader.full(),
            text=self._view_text if views else None,
        )
        sql = compile_tree(plan.tree, reader)
        return _Query(plan, sql.match, sql.where, sql.params, views and sql.match is not None)

    def _from_where(
        self, q: _Query, span: tuple[int, int] | None = None, step: int = 1
    ) -> tuple[str, list[object], str]:
        """FROM/WHERE of the matches and the rank expression.

        The FTS cursor drives the join (CROSS JOIN); field predicates and the
        reader's rule filter ``cables c``.  ``span`` (first, last cable rowid)
        restricts a text match inside FTS5, which seeks to the range instead
        of reading every match; ``step`` keeps the matches whose rowid it
        divides, tested before the ``cables`` join (broad.py)."""
        vis, vp = self.scope()
        where, wp = q.where, list(q.params)
        if q.match is None:
            return f" FROM cables c WHERE {where}{vis}", [*wp, *vp], "0.0"
        rng, rp = ("", []) if span is None else (" AND rowid BETWEEN ? AND ?", list(span))
        if step > 1:
            rng += f" AND rowid % {int(step)} = 0"
        if not q.views:
            ix = q.index
            sql = (
                f" FROM {ix} CROSS JOIN cables c ON c.rowid = {ix}.rowid"
                f" WHERE {ix} MATCH ?{rng.replace('rowid', f'{ix}.rowid')} AND {where}{vis}"
            )
            return sql, [q.match, *rp, *wp, *vp], _weights(ix)
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
        return sql, [q.match, *rp, q.match, *vrp, *wp, *cp], "m.score"

    def _owner_text_only(self, q: _Query) -> bool:
        """The owner's text-only query: the FTS doclist alone answers (no join)."""
        return q.match is not None and q.where == "1" and self.reader.owner

    def _matching(
        self, q: _Query, span: tuple[int, int] | None = None, step: int = 1
    ) -> tuple[str, list[object]]:
        """SELECT of the matching rowids (see ``_from_where`` for ``span`` and
        ``step``); the owner's text-only query skips the ``cables`` join (a
        join costs a B-tree lookup per match)."""
        if self._owner_text_only(q):
            sql = "SELECT rowid FROM fts WHERE fts MATCH ?"
            params: list[object] = [q.match]
            if span is not None:
                sql, params = sql + " AND rowid BETWEEN ? AND ?", [*params, *span]
            return sql + (f" AND rowid % {int(step)} = 0" if step > 1 else ""), params
        frm, params, _ = self._from_where(q, span, step)
        return f"SELECT c.rowid AS rowid{frm}", params

    def _matches(self, q: _Query) -> str | None:
        """``temp.matches(rowid, score)``: every match of a heavy plan (phrase,
        prefix), evaluated once and shared by the page, the total and the
        facets (each would otherwise re-check every phrase position).  Kept
        while the plan, the reader and the data stay the same."""
        if not q.heavy:
            return None
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        key = (q.match, q.where, q.params, self.reader, version, self.conn.total_changes)
        if key != self._matches_key:
            frm, params, score = self._from_where(q)
            self.conn.execute("DROP TABLE IF EXISTS temp.matches")
            self.conn.execute(
                f"CREATE TEMP TABLE matches AS SELECT c.rowid AS rowid, {score} AS score{frm}",
                params,
            )
            self._matches_key = key
        return "temp.matches"

    def _rowids(self, q: _Query) -> tuple[str, list[object]]:
        """SELECT of the matching rowids (a heavy plan's evaluated matches)."""
        if (table := self._matches(q)) is not None:
            return f"SELECT rowid FROM {table}", []
        return self._matching(q)

    def _rowid_list(self, sql: str, params: list[object], limit: int | None = None) -> list[int]:
        tail = f" LIMIT {int(limit)}" if limit is not None else ""
        return [r for (r,) in self.conn.execute(sql + tail, params)]

    @staticmethod
    def _order(q: _Query, sort: str, score: str) -> str:
        # Field-only queries walk the created index and stop after the page.
        if sort == "rank" and q.match is not None:
            return f" ORDER BY {score}, c.rowid"
        if sort == "date-asc":
            return " ORDER BY c.created IS NULL, c.created, c.rowid"
        return " ORDER BY c.created DESC, c.rowid"

    def _top(self) -> int:
        """The highest rowid of the archive (0: empty)."""
        return int(self.conn.execute("SELECT max(rowid) FROM cables").fetchone()[0] or 0)

    # -- measuring --
    def count(self, plan: Plan) -> int:
        """Every match counted (no ranking: BM25 would count each phrase again)."""
        sql, params = self._matching(self._query(plan))
        return int(self.conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])

    def measure(self, plan: Plan) -> Measure:
        """How many cables match (exact, or estimated for a broad text query;
        see broad.py), with the rowids that stand for them."""
        q = self._query(plan)
        sql, params = self._matching(q)
        if q.match is None:  # fields only: indexes give the rowids cheaply
            first = self._rowid_list(sql, params, EXACT_LIMIT + 1)
            if len(first) <= EXACT_LIMIT:
                return Measure(len(first), True, tuple(first))
            # Many: one evaluation counts them and lists a sample, and every
            # match too when the first ones say they are few enough to list
            # (listing FIELD_ROWIDS before counting the rest cost as much).
            likely = broad.likely_matches(self._top(), sorted(first))
            return self._counted_sample(
                sql,
                params,
                EXACT_LIMIT,
                listed=broad.FIELD_ROWIDS,
                every=likely <= 2 * broad.FIELD_ROWIDS,
            )
        if q.prefix and self._owner_text_only(q):
            return self._counted_sample(*self._matching(q), broad.SAMPLE)
        first = self._rowid_list(sql, params, broad.PROBE + 1)
        if len(first) <= broad.PROBE:
            return Measure(len(first), True, tuple(first))
        if q.views:
            # Matches come from two indexes, not in one rowid order, so the
            # "rest after the first ones" below would miss some: list them all.
            listed = tuple(self._rowid_list(sql, params))
            return Measure(len(listed), True, listed)
        top = self._top()
        if likely_narrow(top, first):  # read on up to BROAD, after the first ones
            rest = self._matching(q, (first[-1] + 1, top))
            first += self._rowid_list(*rest, broad.BROAD + 1 - len(first))
            if len(first) <= broad.BROAD:
                return Measure(len(first), True, tuple(first))
        if q.prefix:  # a second evaluation, thinned by rowid (see broad.py)
            step = sample_step(top, first)
            rows = tuple(self._rowid_list(*self._matching(q, step=step)))
            return Measure(max(len(first), len(rows) * step), False, rows, sample=True)
        spans = sample_spans(top, first)
        if spans is None:  # sparse beyond the first matches: list the rest (one pass in all)
            first += self._rowid_list(*self._matching(q, (first[-1] + 1, top)))
            return Measure(len(first), True, tuple(first))
        found: list[int] = []
        for span in spans:
            found += self._rowid_list(*self._matching(q, span))
        total = scaled_total(len(found), spans, top, len(first))
        return Measure(total, False, tuple(found), sample=True)

    def _counted_sample(
        self, sql: str, params: list[object], size: int, *, listed: int = 0, every: bool = False
    ) -> Measure:
        """Every match of ``sql`` counted, and an even sample of about ``size``
        of them (every ``step``-th rowid), in one evaluation: besides the
        count it lists the rowids a fine and a coarse step divide, and the
        sample is thinned from one of them.  For the owner's text-only prefix
        query (FTS5 merges every doclist of the prefix in each statement) and
        a query of fields only with many matches (each read by its rowid):
        a second evaluation would cost as much again.  A sample whose step
        is below both lists' is read by a second evaluation (few matches).

        Up to ``listed`` matches (a query of fields only: FIELD_ROWIDS) are
        measured exactly, every match listed: by the same evaluation when
        ``every`` (it lists all of them as well), else by a second one."""
        fine, coarse = broad.SAMPLE_STEPS
        listed_all = "group_concat(rowid)" if every else "NULL"
        counted, all_rowids, every_fine, every_coarse = self.conn.execute(
            f"SELECT count(*), {listed_all},"
            f" group_concat(rowid) FILTER (WHERE rowid % {fine} = 0),"
            f" group_concat(rowid) FILTER (WHERE rowid % {coarse} = 0) FROM ({sql})",
            params,
        ).fetchone()
        if counted <= listed:
            if all_rowids is None:
                return Measure(counted, True, tuple(self._rowid_list(sql, params)))
            return Measure(counted, True, tuple(_ints(all_rowids)))
        step, base = broad.counted_sample_step(counted, size)
        if base is None:
            rows = tuple(
                self._rowid_list(f"SELECT rowid FROM ({sql}) WHERE rowid % {step} = 0", params)
            )
        else:
            thinned = _ints(every_coarse if base == coarse else every_fine)
            rows = tuple(r for r in thinned if r % step == 0)
        return Measure(counted, True, rows, sample=step > 1)

    # -- pages --
    def page(self, plan: Plan, measure: Measure, *, sort: str, limit: int, offset: int) -> Page:
        """One page of matches with snippets, by relevance or date.

        A broad result's relevance page comes from its sample; a narrow one
        whose matches are known is ranked inside FTS5 (only the page joins
        ``cables``); a small field-only result is sorted rather than walked."""
        if limit <= 0:
            return Page([])
        q = self._query(plan)
        ranked = sort == "rank" and q.match is not None
        rowids = measure.rowids
        if ranked and measure.sample:
            return Page(self._sample_page(q, rowids or (), limit, offset), approximate_rank=True)
        if ranked and rowids is not None and not q.views:
            return Page(self._known_ranked_page(q, rowids, limit, offset))
        if (
            q.match is None
            and rowids is not None
            and not measure.sample
            and len(rowids) < broad.SORTABLE
        ):
            return Page(self._rowid_page(q, rowids, sort, limit, offset))
        if q.match is None and (hits := self._window_page(q, measure, sort, limit, offset)):
            return Page(hits)
        return Page(self._search(q, sort, limit, offset))

    def _search(self, q: _Query, sort: str, limit: int, offset: int) -> list[Hit]:
        frm, params, score = self._from_where(q)
        ranked = sort == "rank" and q.match is not None
        if not ranked:
            score = "0.0"
        if (table := self._matches(q)) is not None:
            frm = f" FROM {table} m CROSS JOIN cables c ON c.rowid = m.rowid"
            score = "m.score" if ranked else "0.0"
            rows = self.conn.execute(
                f"SELECT {_HIT_COLUMNS}, {score}, c.rowid{frm}{self._order(q, sort, score)}"
                " LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        elif ranked and self._owner_text_only(q):
            # Text only: rank inside FTS5 and join just the page (~20% faster).
            sql = (
                f"SELECT {_HIT_COLUMNS}, f.score, c.rowid FROM (SELECT rowid, {score} AS score"
                " FROM fts WHERE fts MATCH ? ORDER BY score, rowid LIMIT ? OFFSET ?) f"
                " CROSS JOIN cables c ON c.rowid = f.rowid ORDER BY f.score, c.rowid"
            )
            rows = self.conn.execute(sql, (q.match, limit, offset)).fetchall()
        else:
            rows = self.conn.execute(
                f"SELECT {_HIT_COLUMNS}, {score}, c.rowid{frm}{self._order(q, sort, score)}"
                " LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return self._hits(q.plan, rows)

    def _window_page(
        self, q: _Query, measure: Measure, sort: str, limit: int, offset: int
    ) -> list[Hit] | None:
        """A date page of a query of fields only read from a window of the
        first cables in date order (broad.date_window: the owner's, when it
        pays), or None: the planner would read and sort every match (the
        index of the field first), where the window reads a few rows per
        match on the page.  None also when the matches cluster elsewhere in
        time and the window holds too few of them."""
        if not self.reader.owner or not measure.exact or measure.total <= offset + limit:
            return None
        window = broad.date_window(offset + limit, self._top(), measure.total)
        if window is None:
            return None
        # The index cables_created, read in the page's order (undated last).
        if sort == "date-asc":
            first = (
                "SELECT rowid AS w FROM cables WHERE created IS NOT NULL ORDER BY created, rowid"
            )
        else:
            first = "SELECT rowid AS w FROM cables ORDER BY created DESC, rowid"
        vis, vp = self.scope()
        rows = self.conn.execute(
            f"SELECT {_HIT_COLUMNS}, 0.0, c.rowid FROM ({first} LIMIT {int(window)})"
            f" CROSS JOIN cables c ON c.rowid = w WHERE {q.where}{vis}"
            f"{self._order(q, sort, '0.0')} LIMIT ? OFFSET ?",
            (*q.params, *vp, limit, offset),
        ).fetchall()
        return self._hits(q.plan, rows) if len(rows) == limit else None

    def _known_ranked_page(
        self, q: _Query, rowids: tuple[int, ...], limit: int, offset: int
    ) -> list[Hit]:
        """A BM25 page of a narrow query whose matches are known (measured with
        the reader's scope): FTS5 scores only the text matches among them,
        and only the page is joined to ``cables``."""
        with self._lock:
            fill_hits(self.conn, rowids)
            # FTS5 drives; the known set is probed by its key.  (``rowid IN
            # (...)`` would be handed to FTS5 as one MATCH per rowid: seconds.)
            ix = q.index
            ranked = self.conn.execute(
                f"SELECT {ix}.rowid, {_weights(ix)} AS score FROM {ix}"
                f" CROSS JOIN temp.hits h ON h.rowid = {ix}.rowid WHERE {ix} MATCH ?"
                f" ORDER BY score, {ix}.rowid LIMIT ? OFFSET ?",
                (q.match, limit, offset),
            ).fetchall()
        if not ranked:
            return []
        marks = ",".join("?" * len(ranked))
        rows = {row[-1]: row for row in self.conn.execute(
            f"SELECT {_HIT_COLUMNS}, c.rowid"
            f" FROM cables c WHERE c.rowid IN ({marks})", [r for r, _ in ranked])}  # fmt: skip
        return self._hits(q.plan, [(*rows[r][:5], score, r) for r, score in ranked])

    def _rowid_page(
        self, q: _Query, rowids: tuple[int, ...], sort: str, limit: int, offset: int
    ) -> list[Hit]:
        """A date-ordered page of a known set of matches (a query of fields
        only): sorting the set beats walking the date index past rows that
        fail the filter."""
        with self._lock:
            fill_hits(self.conn, rowids)
            rows = self.conn.execute(
                f"SELECT {_HIT_COLUMNS}, 0.0, c.rowid"
                " FROM temp.hits h CROSS JOIN cables c ON c.rowid = h.rowid"
                f"{self._order(q, sort, '0.0')} LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return self._hits(q.plan, rows)

    def _sample_page(
        self, q: _Query, rowids: tuple[int, ...], limit: int, offset: int
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
        pattern = term_pattern(q.plan.terms)
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
        return self._hits(q.plan, [found[r] for r in page])

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

    # -- facets and every match --
    def facets(self, plan: Plan, *, size: int = 10, measure: Measure) -> Facets:
        """Facet counts of the matches (of the rowids ``measure`` holds, when it
        holds them: a broad query's sample, or a narrow query's every match)."""
        with self._lock:
            if measure.rowids is not None:
                return facets_of_rowids(self.conn, measure.rowids, size, total=measure.total,
                                        exact=not measure.sample)  # fmt: skip
            sql, params = self._rowids(self._query(plan))
            return facets_of_query(self.conn, sql, params, size, total=measure.total)

    def iter_matches(self, plan: Plan, *, sort: str = "date") -> Iterator[dict[str, Any]]:
        """Schema JSON of every match as this reader sees it, streamed in ``sort`` order."""
        q = self._query(plan)
        frm, params, score = self._from_where(q)
        order = self._order(q, sort, score)
        if self.reader.owner:
            data = "(SELECT d.data FROM cable_data d WHERE d.rowid = c.rowid)"
            for (blob,) in self.conn.execute(f"SELECT {data}{frm}{order}", params):
                yield unpack_json(blob)
            return
        rowids = [r for (r,) in self.conn.execute(f"SELECT c.rowid{frm}{order}", params)]
        for rowid in rowids:
            blob = self.seen_data(rowid)
            if blob is not None:
                yield unpack_json(blob)
