"""Broad text queries: total, facets and first page from an even sample.

A word or phrase found in most of a 250,000-cable archive matches ~200,000
cables.  Counting them means decoding every posting (and, for a phrase,
every position), and BM25 must count a phrase's documents before it can
score a single row: on this archive that is a quarter of a second or more
per query, for numbers nobody reads to the last digit.

So a text query is *measured* first: FTS5 yields matches in rowid order and
stops after :data:`PROBE` + 1 of them (cheap when matches are dense); when
their density says the whole archive holds few more, it reads on up to
:data:`BROAD` + 1.  Fewer than that: the result is narrow, and total, facets
and BM25 ranking are exact.  More:
the result is broad, and is measured on a sample of :data:`RANGES` rowid
ranges spread evenly over the archive, sized to hold about :data:`SAMPLE`
matches.  FTS5 takes each range as a constraint and seeks to it, so the cost
follows the sample, not the archive.  The total is the sample's count scaled
by the share of rowids sampled (``exact = False``, shown as "about");
facets are counted on the sample and scaled; the first page lists the
sample's cables with a query word in their subject first, then newest first
(``approximate_rank``).  Spreading the ranges over the whole archive keeps
terms that cluster in time (a name that appears only in 2009) estimated
fairly; and since archives are mostly ingested in date order, a rowid range
is also a stretch of time: 96 of them give an 8-year archive's month
histogram a sample in nearly every month (32 left most months empty).  An exact count is always available (``SearchResult.exact_total``,
``--exact``).

Prefix words (``negotiat*``) are the exception: FTS5 merges the postings of
every term with the prefix before it yields the first row, so each probe
would pay for the whole merge.  A broad prefix query is sampled by
``rowid % step`` in one more evaluation instead of 96 probes (the step from
the first matches' density); for the owner's text-only query the doclists
count every match without a join, so that total is exact, and the same
evaluation lists the rowids its sample is thinned from (SQLite).

Access is not affected: every probe is the reader's own scoped query.
"""

from __future__ import annotations

from dataclasses import dataclass

BROAD = 5_000  # matches read before a text query counts as broad
PROBE = 1_000  # matches read first: their density says whether to read on to BROAD
SAMPLE = 1_000  # matches a broad query's sample aims at
RANGES = 96  # rowid ranges the sample is spread over
MAX_SHARE = 0.5  # a sample above this share of the archive saves little: list every match
# A query of fields only reads its rowids from indexes (no postings, no
# positions): up to this many are listed exactly, and facets thin them.
# Beyond, it is counted exactly, with an even sample of its rowids listed by
# the same evaluation, for the facets (counted_sample_step).
FIELD_ROWIDS = 50_000
# The rowid steps by which one evaluation that counts many matches also
# lists them (the owner's broad prefix query on SQLite, a query of fields
# only with many matches): the sample is thinned from the finer list, or the
# coarser when its step reaches it (1 in 16 and 1 in 512 of the matches are
# listed beside the count: a few ms for 250,000).
SAMPLE_STEPS = (16, 512)
# A backend that can estimate a text query's matches before reading any
# (PostgreSQL's planner, from its statistics of the commonest words) samples
# a query it expects to match more than BROAD at once: listing the first
# BROAD matches of a word found in a tenth of the archive reads ten times as
# many rows.  A sample that scales to BROAD or fewer means the guess was
# wrong, and the query is measured as usual (exactly).  Where the planner
# cannot tell (phrases, prefixes, rare words), a pilot does: the query run on
# PILOT_ROWS rowids spread over the archive; PILOT_FOUND matches or more there
# make an estimate good enough to size the sample by.
PILOT_ROWS = 1_000
PILOT_FOUND = 20
SORTABLE = 2_000  # a field-only result this small is sorted rather than walked by date
# A date page of many matches is read from a window of the first cables in
# date order when the window is at most this many times as long as the
# matches are many (date_window): a cable of the window costs less to read
# than a match read by its rowid.
WINDOW_PER_MATCH = 2


@dataclass(frozen=True, slots=True)
class Measure:
    """How many cables a query matches (``exact`` or estimated), and which
    rowids stand for them: every match, a ``sample`` of them, or ``None``
    (only counted: field-only queries)."""

    total: int
    exact: bool
    rowids: tuple[int, ...] | None = None
    sample: bool = False


def _density(first: list[int]) -> float:
    """Matches per rowid where they start (a term may appear only late)."""
    return len(first) / max(1, first[-1] - first[0] + 1)


def date_window(wanted: int, top: int, matches: int) -> int | None:
    """How many of the first cables in date order to read for the first
    ``wanted`` of ``matches`` matches (``top``: the highest rowid), or None
    when sorting the matches costs less.

    The window holds the page four times over if matches are spread evenly
    over time; matches that cluster elsewhere in time leave it short of a
    page, and then every match is read and sorted.  The owner's searches
    only: a reader's window would hold cables hidden from it, whose dates
    would decide how far its search reads."""
    if matches <= wanted:
        return None
    window = 4 * wanted * top // matches + wanted
    return window if window <= WINDOW_PER_MATCH * matches else None


def likely_matches(top: int, first: list[int]) -> float:
    """Matches over the whole archive (highest rowid ``top``) if they are
    as dense as the first ones (``first``: rowids in order)."""
    return _density(first) * top


def likely_narrow(top: int, first: list[int]) -> bool:
    """Whether matches as dense as the first ones (``first``: PROBE + 1
    rowids in order) would stay near BROAD over the whole archive: then the
    rest is read (and counted exactly when it stays under BROAD)."""
    return likely_matches(top, first) <= 2 * BROAD


def sample_step(top: int, first: list[int]) -> int:
    """``rowid % step`` keeping about SAMPLE matches, from the first matches."""
    return max(1, round(_density(first) * top / SAMPLE))


def sample_spans(top: int, first: list[int]) -> list[tuple[int, int]] | None:
    """Rowid ranges to sample, given the first matches in rowid order
    (``first``, more than BROAD) and the highest rowid ``top``; None when the
    sample would cover so much of the archive that listing the remaining
    matches is as cheap (the first ones already cover much of it)."""
    return spans_at(top, _density(first))


def spans_at(top: int, density: float) -> list[tuple[int, int]] | None:
    """Rowid ranges sampling matches found at ``density`` per rowid (None:
    they would cover more than :data:`MAX_SHARE` of the archive)."""
    share = SAMPLE / (max(density, 1e-9) * top)
    return None if share > MAX_SHARE else even_spans(top, share)


def pilot_spans(top: int) -> list[tuple[int, int]] | None:
    """Rowid ranges holding :data:`PILOT_ROWS` rowids spread over the archive
    (None: the archive is too small for a pilot to save anything)."""
    return even_spans(top, PILOT_ROWS / top) if top > 4 * PILOT_ROWS else None


def even_spans(top: int, share: float) -> list[tuple[int, int]]:
    """:data:`RANGES` rowid ranges holding ``share`` of rowids 1..``top``, evenly spread."""
    width = max(1, round(share * top / RANGES))
    spans = []
    for i in range(RANGES):
        start = 1 + (i * top) // RANGES
        spans.append((start, min(top, start + width - 1)))
    return spans


def scaled_total(found: int, spans: list[tuple[int, int]], top: int, floor: int) -> int:
    """Matches in the archive estimated from ``found`` matches in ``spans``
    (never fewer than ``floor``, the matches already seen)."""
    covered = sum(b - a + 1 for a, b in spans)
    return min(top, max(floor, round(found * top / covered)))


def counted_sample_step(counted: int, size: int) -> tuple[int, int | None]:
    """(step, base) of a sample of about ``size`` of ``counted`` matches, the
    matches whose rowid ``step`` divides: thinned from the rowids the step
    ``base`` of SAMPLE_STEPS divides (listed by the evaluation that counted
    them), the coarser when the step reaches it, at a multiple of ``base``
    near the step asked for; ``base`` None when that step is below both (the
    matches are few: a second evaluation lists the sample)."""
    fine, coarse = SAMPLE_STEPS
    step = max(1, -(-counted // size))
    if step < fine:
        return step, None
    base = coarse if step >= coarse else fine
    return step // base * base, base
