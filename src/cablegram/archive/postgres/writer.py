"""Writing a batch of copy records on PostgreSQL: one transaction, bulk COPY.

Several processes (on several machines) may write one archive at once, so
the merge of a cable's copies is serialised per cable by row locks, never by
reading first and writing later:

1. *lock*: every id of the batch gets its ``cables`` row — inserted as an
   empty row (no copy yet: ``copy`` 0) when new, ``ON CONFLICT DO NOTHING`` when
   another process has it — and all of them are locked ``FOR UPDATE``, in id
   order (every process locks in the same order: no deadlock).  A process
   that meets a row another has just inserted waits for it to commit;
2. *decide*, record by record, against the locked rows: a copy already
   stored (same sha256) is unchanged; a known id gains a copy, and the
   cable's fields are replaced when this copy parses better
   (``records.outranks``: whichever process sees which copy first, the same
   one ends up primary);
3. *write*: the copies, the derived rows and the text to index are streamed
   with COPY (the cables' fields into a staging table, then one UPDATE ...
   FROM); the full-text vectors are built by PostgreSQL from the texts cut
   into the tokens the query side uses (:func:`index_text`), the keys of
   their word pairs here (:func:`pair_keys`: what phrases are searched by).
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import psycopg

from cablegram.archive.postgres import schema
from cablegram.archive.records import CopyRecord, ViewRecord, outranks
from cablegram.archive.store import WriteCounts
from cablegram.archive.tree import tokens

# The tsvector of a cable or a view, from two texts already cut into the
# tokens both backends index (:func:`index_text`): the subject's with weight
# A, then the body's after a gap (the '_' lexeme, which no text holds, is
# deleted after), so no phrase spans the two, as with FTS5's two columns.
DOCUMENT = (
    "ts_delete(setweight(to_tsvector('simple', {subject}), 'A')"
    " || '_:1'::tsvector || to_tsvector('simple', {body}), '_'::text)"
)
# The subject alone (``head``: what ranking reads, see schema.py).
HEAD = "setweight(to_tsvector('simple', {subject}), 'A')"

# Every ASCII character that is not a letter or a digit, as a space.
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


def index_text(text: str | None) -> str:
    """``text`` cut into the tokens of tree.tokens (letters and digits, lower
    case, diacritics removed), space separated, for PostgreSQL's parser —
    which would otherwise read ``state.gov`` or ``anti-war`` by rules of its
    own.  This runs for every cable ingested, so the common case (ASCII
    letters, with at most some non-ASCII symbols such as ``¶``) is done with
    str methods at C speed; other texts go through tree.tokens itself."""
    text = text or ""
    if not text.isascii():
        odd = {c for c in set(text) if not c.isascii()}
        if any(c.isalnum() or unicodedata.combining(c) for c in odd):
            return " ".join(tokens(text))
        for c in odd:
            text = text.replace(c, " ")
    return text.translate(_ASCII_SEPARATORS).lower()


# PostgreSQL drops a word this long or longer from a text vector (to_tsvector:
# "word is too long to be indexed"); it takes no position.
_TOO_LONG = 2047


def _words(text: str) -> list[str]:
    """The words of ``index_text``'s output that PostgreSQL indexes, in order."""
    words = text.split()
    # A word of _TOO_LONG bytes has at least a quarter as many characters
    # (UTF-8 takes at most four bytes for one): the longest word rules out
    # nearly every text at C speed, before each word is encoded.
    if words and 4 * len(max(words, key=len)) >= _TOO_LONG:
        words = [w for w in words if len(w.encode()) < _TOO_LONG]
    return words


def pair_keys(words: list[str] | tuple[str, ...]) -> list[int]:
    """Keys of the adjacent word pairs of ``words`` (:func:`_key`).  A cable
    holding a phrase holds the keys of the phrase's pairs (``fts.pairs``,
    GIN-indexed; the subject's pairs and the body's, none across the gap),
    so a phrase's candidates are the cables holding all of them (a key may
    stand for another pair too: the phrase is still checked on ``doc``),
    rather than every cable holding its words, each of whose whole vector
    would be read to check the positions."""
    if len(words) < 2:
        return []
    keys = {w: zlib.crc32(w.encode()) for w in set(words)}
    hs = list(map(keys.__getitem__, words))
    # _key, written out: it runs for every word of every cable ingested.
    return list({((a * _ODD + b) & 0xFFFFFFFF) >> 12 for a, b in pairwise(hs)})


_ODD = 0x9E3779B1


def _key(a: int, b: int) -> int:
    """The key of the pair of words whose CRC-32s are ``a``, ``b``: one of
    2**20 (an odd multiplier keys (a, b) apart from (b, a)).  Few keys keep
    the index small (a key's cables are a compressed list: ~2 bytes each,
    against ~20 for a key of its own); a cable holds ~550 keys, so one key
    it holds for another pair is found in ~0.05 % of cables, which the check
    on ``doc`` removes."""
    return ((a * _ODD + b) & 0xFFFFFFFF) >> 12


_LEXEME = re.compile(r"'((?:[^']|'')*)'(?::([0-9A-D,]+))?")


def vector_pairs(doc: str) -> list[int]:
    """The pair keys of a stored text vector (its text form): every two
    words at adjacent positions (migration 6 fills ``fts.pairs`` so)."""
    at: dict[int, list[int]] = {}
    for match in _LEXEME.finditer(doc):
        key = zlib.crc32(match[1].replace("''", "'").encode())
        for pos in (match[2] or "").split(","):
            if pos:
                at.setdefault(int(pos.rstrip("ABCD")), []).append(key)
    return list({_key(a, b) for pos, first in at.items() for a in first
                 for b in at.get(pos + 1, ())})  # fmt: skip


def text_pairs(subject: str, body: str) -> str:
    """The pair keys of a cable's texts as ``index_text`` gave them, as an
    array literal: COPY takes it as text, where psycopg would dump a list of
    ~550 ints element by element in Python (a quarter of the writer's own
    time in a profile)."""
    keys = {*pair_keys(_words(subject)), *pair_keys(_words(body))}
    return "{" + ",".join(map(str, keys)) + "}"


# The cables' fields a batch writes, with their types (stage_cables).
_CABLE_FIELDS = (
    ("created", "TEXT"), ("year", "INTEGER"), ("month", "TEXT"), ("origin", "TEXT"),
    ("class_rank", "INTEGER"), ("classification", "TEXT"), ("sbu", "INTEGER"),
    ("precedence", "TEXT"), ("subject", "TEXT"), ("has_summary", "INTEGER"),
    ("quality", "INTEGER"), ("copy", "BIGINT"), ("access_rank", "INTEGER"),
    ("access_sbu", "INTEGER"), ("access_caps", "BIGINT"), ("review_due", "TEXT"),
    ("tag_list", "TEXT"), ("caption_list", "TEXT"),
)  # fmt: skip
_CABLE_COLUMNS = tuple(name for name, _ in _CABLE_FIELDS)
_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS stage_cables (rowid BIGINT PRIMARY KEY, "
    + ", ".join(f"{name} {kind}" for name, kind in _CABLE_FIELDS)
    + ") ON COMMIT DELETE ROWS;"
    " CREATE TEMP TABLE IF NOT EXISTS stage_text (rowid BIGINT PRIMARY KEY, subject TEXT,"
    " body TEXT, pairs TEXT) ON COMMIT DELETE ROWS;"
    # The texts are read once, by the INSERT into fts, and dropped at
    # commit: compressing them on the way in is wasted work.
    " ALTER TABLE stage_text ALTER body SET STORAGE EXTERNAL, ALTER pairs SET STORAGE EXTERNAL;"
)


@dataclass(slots=True)
class _Pending:
    copies: list[tuple[Any, ...]] = field(default_factory=list)
    fields: dict[int, tuple[CopyRecord, int]] = field(default_factory=dict)  # rowid -> rec, copy
    cleared: list[int] = field(default_factory=list)  # rows written before, replaced now


def _copy(
    conn: psycopg.Connection, table: str, columns: str, rows: Iterable[tuple[Any, ...]]
) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def write_batch(
    conn: psycopg.Connection,
    records: Iterable[CopyRecord],
    *,
    put_view: Callable[[int, ViewRecord], None],
    on_fields: Callable[[list[str]], None] | None,
) -> tuple[WriteCounts, list[int]]:
    """Store ``records`` inside the caller's open transaction; returns the
    counts and the rowids of the cables whose fields were written (the
    public tier indexes them, tiers.py)."""
    records = list(records)
    counts = WriteCounts()
    if not records:
        return counts, []
    conn.execute(_STAGING)
    # A GIN index's pending list, when it fills during the INSERT into fts,
    # is merged into the index in work_mem: the default 4 MB merges ~550
    # pair keys a cable in many small rounds (a sixth more time for them).
    conn.execute("SET LOCAL work_mem = '64MB'")
    ids = sorted({r.id for r in records})
    created = {
        cid: rowid
        for cid, rowid in conn.execute(
            "INSERT INTO cables (id, quality, copy) SELECT x, 0, 0 FROM unnest(%s::text[]) x"
            " ORDER BY x ON CONFLICT (id) DO NOTHING RETURNING id, rowid",
            (ids,),
        ).fetchall()
    }
    locked = conn.execute(
        "SELECT id, rowid, quality, copy FROM cables WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
        (ids,),
    ).fetchall()
    primary: dict[int, str] = dict(conn.execute(
        "SELECT rowid, sha256 FROM copies WHERE rowid = ANY(%s)", ([c for *_, c in locked],)))  # fmt: skip
    # id -> (rowid, quality of its best copy, that copy's digest; None: no copy yet)
    known: dict[str, tuple[int, int, str | None]] = {
        cid: (rowid, quality, primary.get(copy)) for cid, rowid, quality, copy in locked
    }
    stored = {sha for (sha,) in conn.execute(
        "SELECT sha256 FROM copies WHERE sha256 = ANY(%s)", ([r.sha256 for r in records],))}  # fmt: skip
    fresh = [r for r in records if r.sha256 not in stored]
    copy_ids = iter([n for (n,) in conn.execute(
        "SELECT nextval(pg_get_serial_sequence('copies', 'rowid')) FROM generate_series(1, %s)"
        " ORDER BY 1",
        (len({r.sha256 for r in fresh}),))])  # fmt: skip
    pending = _Pending()
    empty = set(created.values())  # rows this batch inserted, not yet filled
    for rec in records:
        if rec.sha256 in stored:
            counts.unchanged += 1
            continue
        stored.add(rec.sha256)
        copy = next(copy_ids)
        rowid, best, best_sha = known[rec.id]
        if rowid in empty and rowid not in pending.fields:
            counts.new += 1
            for code, n in rec.defects:
                counts.defects[code] = counts.defects.get(code, 0) + n
        else:
            counts.merged += 1
        pending.copies.append(
            (copy, rowid, rec.sha256, rec.format, rec.path, rec.locator, rec.metadata,
             rec.source_defects, rec.line_map, rec.raw)
        )  # fmt: skip
        if best_sha is not None:
            if not outranks(rec.quality, rec.sha256, best, best_sha):
                continue
            counts.updated += 1
            if rowid not in empty and rowid not in pending.fields:
                pending.cleared.append(rowid)  # rows written before this batch
        known[rec.id] = (rowid, rec.quality, rec.sha256)
        pending.fields[rowid] = (rec, copy)
    unfilled = [r for r in empty if r not in pending.fields]
    if unfilled:  # (every copy of a new id was stored already: not expected)
        conn.execute("DELETE FROM cables WHERE rowid = ANY(%s)", (unfilled,))
    _clear(conn, pending.cleared)
    _write(conn, pending)
    for rowid, (rec, _copy) in sorted(pending.fields.items()):
        for view in rec.views:
            put_view(rowid, view)
    if on_fields is not None:
        on_fields([rec.id for rec, _copy in pending.fields.values()])
    return counts, sorted(pending.fields)


def _cable_row(rowid: int, rec: CopyRecord, copy: int) -> tuple[Any, ...]:
    acc = rec.access
    return (rowid, rec.created, rec.year, rec.month, rec.origin, rec.class_rank,
            rec.classification, int(rec.sbu), rec.precedence, rec.subject, int(rec.has_summary),
            rec.quality, copy, acc.class_rank, acc.sbu, rec.access_caps, rec.review_due,
            schema.FACET_SEP.join(rec.tags), schema.FACET_SEP.join(rec.captions))  # fmt: skip


def _write(conn: psycopg.Connection, pending: _Pending) -> None:
    _copy(conn, "copies", "rowid, cable, sha256, format, path, locator, metadata,"
          " source_defects, line_map, raw", pending.copies)  # fmt: skip
    items = sorted(pending.fields.items())
    _copy(conn, "stage_cables", "rowid, " + ", ".join(_CABLE_COLUMNS),
          (_cable_row(rowid, rec, copy) for rowid, (rec, copy) in items))  # fmt: skip
    conn.execute(
        f"UPDATE cables c SET {', '.join(f'{col} = s.{col}' for col in _CABLE_COLUMNS)}"
        " FROM stage_cables s WHERE c.rowid = s.rowid"
    )
    recs = [(rowid, rec) for rowid, (rec, _copy) in items]
    _copy(conn, "cable_data", "rowid, data", ((rowid, rec.data) for rowid, rec in recs))
    texts = [(rowid, index_text(rec.subject), index_text(rec.body)) for rowid, rec in recs]
    _copy(conn, "stage_text", "rowid, subject, body, pairs",
          ((rowid, subject, body, text_pairs(subject, body)) for rowid, subject, body in texts))  # fmt: skip
    conn.execute(
        "INSERT INTO fts (rowid, doc, head, pairs) SELECT rowid, "
        + DOCUMENT.format(subject="subject", body="body")
        + ", "
        + HEAD.format(subject="subject")
        + ", pairs::integer[] FROM stage_text"
    )
    for table, col, attr in (("tags", "value", "tags"), ("captions", "value", "captions"),
                             ("signers", "value", "signers"), ("cable_keys", "key", "keys")):  # fmt: skip
        _copy(conn, table, f"cable, {col}",
              ((rowid, v) for rowid, rec in recs for v in dict.fromkeys(getattr(rec, attr))))  # fmt: skip
    _copy(conn, "defects", "cable, value, n",
          ((rowid, code, n) for rowid, rec in recs for code, n in _unique(rec.defects)))  # fmt: skip
    _copy(conn, "addressees", "cable, kind, value",
          ((rowid, kind, name) for rowid, rec in recs for kind, name in dict.fromkeys(rec.addressees)))  # fmt: skip
    _copy(conn, "refs", "cable, ord, label, text, cited_id, cited_key",
          ((rowid, *ref) for rowid, rec in recs for ref in rec.refs))  # fmt: skip
    _copy(conn, "access_captions", "cable_rowid, caption",
          ((rowid, c) for rowid, rec in recs for c in dict.fromkeys(rec.access.captions)))  # fmt: skip
    _copy(conn, "access_addressees", "cable_rowid, role, routing_indicator, name",
          ((rowid, *a) for rowid, rec in recs for a in rec.access.addressees))  # fmt: skip
    _copy(conn, "access_offices", "cable_rowid, office",
          ((rowid, o) for rowid, rec in recs for o in dict.fromkeys(rec.access.offices)))  # fmt: skip


def _unique(pairs: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """Defect counts by code (the first count of a code, as SQLite's primary key keeps)."""
    out: dict[str, int] = {}
    for code, n in pairs:
        out.setdefault(code, n)
    return list(out.items())


def _clear(conn: psycopg.Connection, rowids: list[int]) -> None:
    """Remove everything derived from these cables' best copies (before replacing them)."""
    if not rowids:
        return
    for table in ("cable_data", "fts"):
        conn.execute(f"DELETE FROM {table} WHERE rowid = ANY(%s)", (rowids,))
    for table in schema.SIDE_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE cable = ANY(%s)", (rowids,))
    for table in schema.ACCESS_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE cable_rowid = ANY(%s)", (rowids,))
    conn.execute("DELETE FROM views WHERE cable = ANY(%s)", (rowids,))
