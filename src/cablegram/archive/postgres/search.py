"""Search on PostgreSQL: measuring a result, its pages, facets and every match.

Every query is the compiled tree (compile.py) AND-ed with the reader's rule
(:meth:`PostgresStore.scope`).  The tsquery is bound once, in the FROM
clause (``t.q``), so the match, the rank and the filters share it.  A text
query is *measured* first (broad.py): up to :data:`~broad.BROAD` matches
are listed and everything about them is exact; beyond that the total is
estimated, and facets and the first page come from, an even sample of rowid
ranges (as on SQLite).  When release views exist, a non-owner's text matches come
from the cable's own vector where it reads the cable and from the view's
(``views.doc``) where it reads a view, so a withheld word never finds,
counts or snippets a cable.  A reader who sees exactly what the public
reader sees matches the public tier's vectors instead (``fts_public``,
tiers.py), which hold nothing else: what its query costs never depends on
what is hidden from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg

from cablegram.archive import broad
from cablegram.archive.blobs import unpack_json
from cablegram.archive.broad import Measure, likely_narrow, sample_spans, scaled_total
from cablegram.archive.facets import EXACT_LIMIT, Facets
from cablegram.archive.postgres import tiers
from cablegram.archive.postgres.access import ReaderScope
from cablegram.archive.postgres.compile import Reader, compile_tree
from cablegram.archive.postgres.connection import int_array, one_row
from cablegram.archive.postgres.facets import facets_of_query, facets_of_rowids
from cablegram.archive.records import FULL_VIEW
from cablegram.archive.results import snippet, term_pattern
from cablegram.archive.store import Hit, Page
from cablegram.archive.tree import Plan

# ts_rank weights {D, C, B, A} over the subject's vector (``fts.head``, all
# weight A).  Relevance is how well the subject answers the query, then the
# newest first: ranking by the whole text (as BM25 does on SQLite) would read
# every match's full vector from TOAST storage, seconds on a broad query.
_WEIGHTS = "'{0.25, 0.25, 0.25, 1.0}'::float4[]"
_HIT_COLUMNS = "c.id, c.created, c.classification, c.origin, c.subject"
_CHUNK = 500  # cables read per statement when streaming every match


# A lexeme of a compiled tsquery (compile.py: a quoted token, then its label).
_LEXEME = re.compile(r"'[^']*'(?::[*A-D]+)?")
# A subject vector holding no query word (no token is punctuation), to rank.
_NO_QUERY_WORD = "-"


def _by_date(sort: str) -> str:
    """The date order of ``sort`` (``date-asc``: oldest first; else newest
    first), undated cables last, then by rowid; as the indexes on ``created``
    are ordered, so a window of it is read from one."""
    if sort == "date-asc":
        return " ORDER BY c.created ASC NULLS LAST, c.rowid"
    return " ORDER BY c.created DESC NULLS LAST, c.rowid"


@dataclass(frozen=True, slots=True)
class _Query:
    plan: Plan
    match: str | None
    where: str
    params: tuple[object, ...]
    views: bool  # text matches also come from release views
    index: str = "fts"  # the table of text vectors the match runs on (tiers.py)
    doc: str | None = None  # the tsquery searched over the text vectors (``doc``)
    head: str | None = None  # and the one over the subject's (``head``)
    pairs: tuple[int, ...] = ()  # keys every match's ``fts.pairs`` holds

    def text(self, alias: str = "", *, pairs: bool = False) -> str:
        """The text match over a table of vectors (``fts``, ``fts_public``,
        ``views``; ``alias.`` names it; ``pairs``: it is ``fts``, which
        holds them), whose constants are ``t.d``, ``t.h``, ``t.p``."""
        # Cheapest first (a row failing one is not read for the next): the
        # pair keys (in the row), the subject's vector, the whole text's
        # (~7 KB, out of line).
        parts = [f"{alias}pairs @> t.p" if pairs and self.pairs else "",
                 f"{alias}head @@ t.h" if self.head else "", f"{alias}doc @@ t.d" if self.doc else ""]  # fmt: skip
        return " AND ".join(p for p in parts if p)

    def constants(self) -> tuple[str, list[object]]:
        """The FROM item ``t`` binding the tsqueries once, and its parameters."""
        return ("(SELECT %s::tsquery AS q, %s::tsquery AS d, %s::tsquery AS h,"
                " %s::integer[] AS p) t", [self.match, self.doc, self.head, list(self.pairs)])  # fmt: skip


def _tier_text(index: str) -> Callable[[str], tuple[str, tuple[object, ...]]]:
    """Row ``c`` has text matching a query as the reader of tier ``index`` sees it."""

    def text(query: str) -> tuple[str, tuple[object, ...]]:
        sql = f"EXISTS (SELECT 1 FROM {index} p WHERE p.rowid = c.rowid AND p.doc @@ %s::tsquery)"
        return sql, (query,)

    return text


class SearchQueries:
    """The search half of :class:`~cablegram.archive.postgres.store.PostgresStore`."""

    conn: psycopg.Connection
    reader: ReaderScope

    def scope(self) -> tuple[str, tuple[object, ...]]:  # provided by the store
        raise NotImplementedError

    def views_present(self) -> bool:
        raise NotImplementedError

    def seen_rows(self, rowids: list[int]) -> dict[int, tuple[int, str | None, bytes]]:
        raise NotImplementedError

    # -- compiling --
    def _view_text(self, query: str) -> tuple[str, tuple[object, ...]]:
        """Row ``c`` has text matching ``query`` as this reader sees it."""
        case, cp = self.reader.view_case()
        sql = (
            f"(CASE ({case}) WHEN {FULL_VIEW} THEN EXISTS (SELECT 1 FROM fts"
            " WHERE fts.rowid = c.rowid AND fts.doc @@ %s::tsquery)"
            f" ELSE EXISTS (SELECT 1 FROM views v WHERE v.cable = c.rowid AND v.level = ({case})"
            " AND v.doc @@ %s::tsquery) END)"
        )
        return sql, (*cp, query, *cp, query)

    def _query(self, plan: Plan) -> _Query:
        if (tier := tiers.tier_of(self.reader, self.conn)) is not None:
            # The public reader, or a cleared reader with no read-ins: only its
            # tier's tables, which hold what it may read, as it reads it
            # (views included), and nothing hidden (tiers.py).
            reader = Reader(self.reader.full(), _tier_text(tier.index), tier.prefix)
            sql = compile_tree(plan.tree, reader)
            where = sql.where
            if sql.match is None:  # fields only: the tier's partial indexes (tiers.py)
                where = f"c.{tier.flag} = 1 AND {where}"
            return _Query(plan, sql.match, where, sql.params, False, tier.index,
                          sql.doc, sql.head, sql.pairs)  # fmt: skip
        views = not self.reader.owner and self.views_present()
        reader = Reader(
            full=None if self.reader.owner else self.reader.full(),
            text=self._view_text if views else None,
        )
        sql = compile_tree(plan.tree, reader)
        return _Query(plan, sql.match, sql.where, sql.params, views and sql.match is not None,
                      doc=sql.doc, head=sql.head, pairs=sql.pairs)  # fmt: skip

    def _from_where(
        self, q: _Query, spans: list[tuple[int, int]] | None = None
    ) -> tuple[str, list[object], str]:
        """FROM/WHERE of the matches, its parameters and the rank expression;
        ``spans`` (first, last rowid of each) restrict it to part of the
        archive (a broad query's sample, broad.py: one statement, so the
        index is read once for all of them)."""
        vis, vp = self.scope()
        where, wp = q.where, list(q.params)
        part, pp = "", list[object]()
        if spans:
            part = " AND (" + " OR ".join("c.rowid BETWEEN %s AND %s" for _ in spans) + ")"
            pp = [bound for span in spans for bound in span]
        if q.match is None:
            return f" FROM cables c WHERE {where}{vis}{part}", [*wp, *vp, *pp], "0.0"
        consts, tp = q.constants()
        if not q.views:
            sql = (
                f" FROM {consts} CROSS JOIN {q.index} f"
                " JOIN cables c ON c.rowid = f.rowid"
                f" WHERE {q.text('f.', pairs=q.index == 'fts')} AND {where}{vis}{part.replace('c.rowid', 'f.rowid')}"
            )
            # Both indexes keep the subject's vector (head) that ranking reads.
            return sql, [*tp, *wp, *vp, *pp], f"ts_rank({_WEIGHTS}, f.head, t.q)"
        case, cp = self.reader.view_case()
        sql = (
            f" FROM {consts} CROSS JOIN LATERAL"
            f" (SELECT rowid AS cable, {FULL_VIEW} AS v, ts_rank({_WEIGHTS}, head, t.q) AS score"
            f" FROM fts WHERE {q.text(pairs=True)} UNION ALL SELECT cable, level,"
            f" ts_rank({_WEIGHTS}, head, t.q) FROM views WHERE {q.text()}) m"
            f" JOIN cables c ON c.rowid = m.cable WHERE {where} AND m.v = ({case}){part}"
        )
        return sql, [*tp, *wp, *cp, *pp], "m.score"

    def _known_in_views(self, q: _Query, rowids: tuple[int, ...]) -> tuple[str, list[object], str]:
        """FROM/WHERE of text matches already listed (a narrow result's every
        match, :meth:`measure`) for a reader who reads some through release
        views, its parameters and the rank expression: the text is not
        matched again, only the subject's vector (the cable's or the view's)
        is read, to rank.  (Other readers: :meth:`_ranked_known`.)"""
        case, cp = self.reader.view_case()
        sql = (
            " FROM (SELECT %s::tsquery AS q) t CROSS JOIN cables c"
            f" CROSS JOIN LATERAL (SELECT ({case}) AS v) s"
            f" LEFT JOIN fts f ON f.rowid = c.rowid AND s.v = {FULL_VIEW}"
            " LEFT JOIN views w ON w.cable = c.rowid AND w.level = s.v"
            " WHERE c.rowid = ANY(%s::bigint[])"
        )
        score = f"ts_rank({_WEIGHTS}, coalesce(f.head, w.head), t.q)"
        return sql, [q.match, *cp, int_array(rowids)], score

    def _matching(
        self, q: _Query, spans: list[tuple[int, int]] | None = None
    ) -> tuple[str, list[object]]:
        frm, params, _ = self._from_where(q, spans)
        return f"SELECT c.rowid AS rowid{frm}", params

    def _rowid_list(self, sql: str, params: list[object], limit: int | None = None) -> list[int]:
        """The rowids ``sql`` yields, in order, the first ``limit`` of them.
        They come as one array: thousands of one-column rows cost more to
        receive than to find."""
        if limit is not None:
            sql = f"SELECT rowid FROM ({sql}) m ORDER BY rowid LIMIT {int(limit)}"
        found = one_row(self.conn.execute(
            f"SELECT array_agg(rowid ORDER BY rowid) FROM ({sql}) l", params), "rowids")[0]  # fmt: skip
        return found or []

    @staticmethod
    def _order(q: _Query, sort: str, score: str) -> str:
        if sort == "rank" and q.match is not None:
            # Relevance: how well the subject answers the query, then newest first.
            return f" ORDER BY {score} DESC, c.created DESC NULLS LAST, c.rowid"
        return _by_date(sort)

    def _top(self) -> int:
        """The highest rowid of the archive (0: empty)."""
        return int(one_row(self.conn.execute("SELECT max(rowid) FROM cables"), "max rowid")[0] or 0)

    # -- measuring --
    def count(self, plan: Plan) -> int:
        sql, params = self._matching(self._query(plan))
        counted = self.conn.execute(f"SELECT count(*) FROM ({sql}) m", params)
        return int(one_row(counted, "count of matches")[0])

    def measure(self, plan: Plan) -> Measure:
        """How many cables match (exact, or estimated for a broad text query;
        see broad.py), with the rowids that stand for them — the same
        strategy as the SQLite backend's, so both answer alike."""
        q = self._query(plan)
        sql, params = self._matching(q)
        if q.match is None:  # fields only: indexes give the rowids cheaply
            every = self._rowid_list(sql, params, broad.FIELD_ROWIDS + 1)
            if len(every) <= broad.FIELD_ROWIDS:
                return Measure(len(every), True, tuple(every))
            # More: one evaluation counts them and lists an even sample, for
            # the facets (a count, then the facets' own evaluation, were two).
            return self._counted_sample(sql, params, EXACT_LIMIT)
        # The first matches in rowid order.  A phrase's are each read whole to
        # check positions, in rowid order: as few as say whether the result
        # is broad (PROBE, as on SQLite).  Other text is answered by the GIN
        # index alone, in one bitmap, when the planner is asked for enough
        # (BROAD) — asked for fewer, it walks the table in rowid order and
        # reads each row's vector, which it does not know to be costly.
        top = self._top()
        if top == 0:  # an empty archive
            return Measure(0, True, ())
        if (sampled := self._sample_at_once(q, sql, params, top)) is not None:
            return sampled
        probe = broad.PROBE if q.pairs else broad.BROAD
        first = self._rowid_list(sql, params, probe + 1)
        if len(first) <= probe:
            return Measure(len(first), True, tuple(first))
        if probe < broad.BROAD and likely_narrow(top, first):  # read on up to BROAD
            rest = self._matching(q, [(first[-1] + 1, top)])
            first += self._rowid_list(*rest, broad.BROAD + 1 - len(first))
            if len(first) <= broad.BROAD:
                return Measure(len(first), True, tuple(first))
        spans = sample_spans(top, first)
        if spans is None:  # the sample would cover most of the archive: list every match
            first += self._rowid_list(*self._matching(q, [(first[-1] + 1, top)]))
            return Measure(len(first), True, tuple(first))
        found = self._rowid_list(*self._matching(q, spans))
        total = scaled_total(len(found), spans, top, len(first))
        return Measure(total, False, tuple(found), sample=True)

    def _counted_sample(self, sql: str, params: list[object], size: int) -> Measure:
        """Every match of ``sql`` (a query of fields only, with more than
        FIELD_ROWIDS matches) counted, and an even sample of about ``size``
        of them, in one evaluation: besides the count it lists the rowids the
        steps of broad.SAMPLE_STEPS divide, and the sample is thinned from one
        of them (as on SQLite); a step below both is listed by a second."""
        fine, coarse = broad.SAMPLE_STEPS
        counted, every_fine, every_coarse = one_row(
            self.conn.execute(
                f"SELECT count(*), array_agg(rowid) FILTER (WHERE mod(rowid, {fine}) = 0),"
                f" array_agg(rowid) FILTER (WHERE mod(rowid, {coarse}) = 0) FROM ({sql}) m",
                params,
            ),
            "count and sample",
        )
        step, base = broad.counted_sample_step(counted, size)
        if base is None:
            rows = self._rowid_list(
                f"SELECT rowid FROM ({sql}) s WHERE mod(rowid, {step}) = 0", params
            )
        else:
            listed = (every_coarse if base == coarse else every_fine) or ()
            rows = sorted(r for r in listed if r % step == 0)
        return Measure(counted, True, tuple(rows), sample=step > 1)

    def _sample_at_once(
        self, q: _Query, sql: str, params: list[object], top: int
    ) -> Measure | None:
        """A broad result measured on its sample straight away, when the
        planner or a pilot expects more than BROAD matches (broad.py):
        listing the first BROAD of a word in a tenth of the archive walks the
        table in rowid order reading ten times as many vectors (0.6 s at
        250,000 cables).  None: expected narrower, or the sample says it is
        (the caller then measures as usual, exactly)."""
        if top <= broad.BROAD:  # cannot be broad: no estimate to pay for
            return None
        # The planner's statistics count every cable in the table: a reader
        # who reads only part of `fts` must not have its result measured
        # (exactly or not) by what is hidden from it, so only the owner and
        # the tiers' readers (whose tables hold only what they read) ask it.
        # A pilot runs the reader's own query.
        planner = not q.pairs and (self.reader.owner or q.index != "fts")
        expected = self._expected_rows(sql, params) if planner else 0.0
        if expected <= broad.BROAD and (pilot := broad.pilot_spans(top)) is not None:
            # The planner guesses phrases from their words and knows only the
            # commonest words: ask the archive itself.
            piloted = len(self._rowid_list(*self._matching(q, pilot)))
            if piloted >= broad.PILOT_FOUND:
                expected = scaled_total(piloted, pilot, top, 0)
        if expected <= broad.BROAD or (spans := broad.spans_at(top, expected / top)) is None:
            return None
        found = self._rowid_list(*self._matching(q, spans))
        total = scaled_total(len(found), spans, top, 0)
        return Measure(total, False, tuple(found), sample=True) if total > broad.BROAD else None

    def _expected_rows(self, sql: str, params: list[object]) -> float:
        """The rows the planner expects ``sql`` to yield (for words, from its
        statistics of the text vectors' commonest lexemes: within ~15 % on
        the benchmark's archives)."""
        plan = one_row(self.conn.execute("EXPLAIN (FORMAT JSON) " + sql, params), "plan")[0]
        return float(plan[0]["Plan"]["Plan Rows"])

    # -- pages --
    def page(self, plan: Plan, measure: Measure, *, sort: str, limit: int, offset: int) -> Page:
        """One page of matches with snippets, by relevance or date (a broad
        result's relevance page comes from its sample, see broad.py)."""
        if limit <= 0:
            return Page([])
        q = self._query(plan)
        ranked = sort == "rank" and q.match is not None
        if ranked and measure.sample:
            return Page(self._sample_page(q, measure.rowids or (), limit, offset),
                        approximate_rank=True)  # fmt: skip
        if measure.rowids is not None and not measure.sample:
            # Every match is listed: no text is matched again.
            if not ranked:
                rows = self._newest_known(measure.rowids, sort, limit, offset)
                return Page(self._hits(q.plan, rows))
            if not q.views:
                return Page(
                    self._hits(q.plan, self._ranked_known(q, measure.rowids, limit, offset))
                )
        if q.match is not None and measure.rowids is not None and not measure.sample:
            frm, params, score = self._known_in_views(q, measure.rowids)
        else:
            frm, params, score = self._from_where(q)
        if not ranked:
            score = "0.0"
        rows = self.conn.execute(
            f"SELECT {_HIT_COLUMNS}, {score}, c.rowid{frm}{self._order(q, sort, score)}"
            " LIMIT %s OFFSET %s",
            (*params, limit, offset),
        ).fetchall()
        return Page(self._hits(q.plan, rows))

    def _ranked_known(
        self, q: _Query, rowids: tuple[int, ...], limit: int, offset: int
    ) -> list[tuple[Any, ...]]:
        """A relevance page of matches already listed (``rowids``), without
        reading every match's subject vector (one ``fts`` page each).

        Only a match whose subject holds a word of the query can rank above
        the others, which all get the lowest ``ts_rank`` (0, or 1e-20 for an
        AND: the rank of a subject without those words): the subject index
        (GIN on ``head``) finds those among the matches, and they are ranked;
        the rest follow newest first, as ties on relevance.  (A cable without
        a subject, ranked 0 beside the others' 1e-20 by ``ts_rank``, is one
        of them here: no more irrelevant than a subject without the words.)"""
        words = " | ".join(sorted(set(_LEXEME.findall(q.match or ""))))
        ranked = self.conn.execute(
            f"SELECT c.rowid, s.score FROM (SELECT %s::tsquery AS q, %s::tsquery AS a) t"
            f" CROSS JOIN LATERAL (SELECT f.rowid, ts_rank({_WEIGHTS}, f.head, t.q) AS score"
            f" FROM {q.index} f WHERE f.head @@ t.a AND f.rowid = ANY(%s::bigint[])) s"
            f" JOIN cables c ON c.rowid = s.rowid WHERE s.score > ts_rank({_WEIGHTS}, %s::tsvector, t.q)"
            " ORDER BY s.score DESC, c.created DESC NULLS LAST, c.rowid",
            (q.match, words, int_array(rowids), _NO_QUERY_WORD),
        ).fetchall()
        page = ranked[offset : offset + limit]
        found = self._hit_rows([rowid for rowid, _ in page])
        rows = [(*found[rowid][:5], score, rowid) for rowid, score in page]
        if len(rows) < limit:
            above = {rowid for rowid, _ in ranked}
            rest = tuple(r for r in rowids if r not in above)
            rows += self._newest_known(
                rest, "date", limit - len(rows), max(0, offset - len(ranked))
            )
        return rows

    def _newest_known(
        self, rowids: tuple[int, ...], sort: str, limit: int, offset: int
    ) -> list[tuple[Any, ...]]:
        """A page of matches already listed (``rowids``), in date order.

        Many matches are found faster by walking the archive in date order
        (the index ``cables_newest``, or ``cables_created`` for the oldest
        first) than by reading every match's row to sort them: a window of
        the first cables (broad.date_window; the owner only), then, if the
        matches cluster elsewhere in time, every match sorted."""
        order = _by_date(sort)
        if self.reader.owner and len(rowids) > offset + limit:
            window = broad.date_window(offset + limit, self._top(), len(rowids))
            if window is not None:
                rows = self.conn.execute(
                    f"SELECT {_HIT_COLUMNS}, 0.0, c.rowid FROM (SELECT c.rowid, c.created FROM"
                    f" (SELECT c.rowid, c.created FROM cables c{order} LIMIT %s) c"
                    f" WHERE c.rowid = ANY(%s::bigint[]){order} LIMIT %s OFFSET %s) p"
                    f" JOIN cables c ON c.rowid = p.rowid{order}",
                    (window, int_array(rowids), limit, offset),
                ).fetchall()
                if len(rows) == limit:
                    return rows
        # Materialized: else the planner may walk an index on the dates
        # filtering by rowid, expecting matches spread over time; matches of
        # one month of long ago would have it read the whole archive.
        return self.conn.execute(
            f"WITH m AS MATERIALIZED (SELECT {_HIT_COLUMNS}, 0.0 AS score, c.rowid FROM cables c"
            f" WHERE c.rowid = ANY(%s::bigint[])) SELECT * FROM m c{order} LIMIT %s OFFSET %s",
            (int_array(rowids), limit, offset),
        ).fetchall()

    def _sample_page(
        self, q: _Query, rowids: tuple[int, ...], limit: int, offset: int
    ) -> list[Hit]:
        """A page of a broad query's sample: cables with a query term in their
        subject (as this reader sees it) first, then newest first."""
        case, cp = self.reader.view_case()
        rows = self.conn.execute(
            "SELECT c.rowid, c.created, CASE WHEN v.level IS NULL THEN c.subject"
            " ELSE v.subject END FROM cables c"
            f" LEFT JOIN views v ON v.cable = c.rowid AND v.level = ({case})"
            f" AND v.level != {FULL_VIEW} WHERE c.rowid = ANY(%s::bigint[])",
            (*cp, int_array(rowids)),
        ).fetchall()
        pattern = term_pattern(q.plan.terms)
        rows.sort(key=lambda row: row[0])
        rows.sort(key=lambda row: row[1] or "", reverse=True)
        if pattern is not None:
            rows.sort(key=lambda row: pattern.search(row[2] or "") is None)
        page = [rowid for rowid, _, _ in rows[offset : offset + limit]]
        found = self._hit_rows(page)
        return self._hits(q.plan, [found[r] for r in page])

    def _hit_rows(self, rowids: list[int]) -> dict[int, tuple[Any, ...]]:
        """The hit columns of these cables (score 0.0), by rowid, in one statement."""
        if not rowids:
            return {}
        return {row[6]: row for row in self.conn.execute(
            f"SELECT {_HIT_COLUMNS}, 0.0, c.rowid FROM cables c WHERE c.rowid = ANY(%s::bigint[])",
            (int_array(rowids),))}  # fmt: skip

    def _hits(self, plan: Plan, rows: list[tuple[Any, ...]]) -> list[Hit]:
        """Hits with snippets, each as this reader sees the cable."""
        hits = []
        seen = self.seen_rows([row[6] for row in rows])
        for cid, created, cls, origin, subject, sc, rowid in rows:
            if rowid not in seen:
                raise LookupError(f"cable row {rowid} of a page is not readable by this reader")
            view, view_subject, blob = seen[rowid]
            if view != FULL_VIEW:  # seen through a release view: its subject and text only
                subject = view_subject
            text = unpack_json(blob).get("text") or ""
            hits.append(Hit(cid, created, cls, origin, subject, snippet(text, plan.terms),
                            float(sc)))  # fmt: skip
        return hits

    # -- facets and every match --
    def facets(self, plan: Plan, *, size: int = 10, measure: Measure) -> Facets:
        if measure.rowids is not None:
            return facets_of_rowids(self.conn, measure.rowids, size, total=measure.total,
                                    exact=not measure.sample)  # fmt: skip
        sql, params = self._matching(self._query(plan))
        return facets_of_query(self.conn, sql, params, size, total=measure.total)

    def iter_matches(self, plan: Plan, *, sort: str = "date") -> Iterator[dict[str, Any]]:
        """Schema JSON of every match as this reader sees it, in ``sort`` order
        (the rowids first, then the cables a chunk at a time)."""
        q = self._query(plan)
        frm, params, score = self._from_where(q)
        order = self._order(q, sort, score)
        rowids = [r for (r,) in self.conn.execute(f"SELECT c.rowid{frm}{order}", params)]
        for i in range(0, len(rowids), _CHUNK):
            chunk = rowids[i : i + _CHUNK]
            seen = self.seen_rows(chunk)
            for rowid in chunk:
                if rowid in seen:
                    yield unpack_json(seen[rowid][2])
