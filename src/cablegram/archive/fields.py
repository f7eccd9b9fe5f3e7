"""Query fields -> SQL predicates over the ``cables`` row aliased ``c``.

Each predicate is an indexed lookup (a side-table ``value`` index or a
``cables`` column index).  Values are matched case-insensitively; a trailing
``*`` makes a prefix match for the string fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from cablegram.archive.ids import id_key
from cablegram.lexicon import PRECEDENCE_WORDS, classification_named, origin_token
from cablegram.model import Precedence

Predicate = tuple[str, list[object]]

# Facts read from a cable's whole text (its summary, its parse defects) are not
# facts of a release view, which may withhold the text they come from.  Such
# predicates are bracketed so that the store can require, for a reader, that
# the row be read in full (SQLiteStore._where).
TEXT_FACT_OPEN, TEXT_FACT_CLOSE = "/*text-fact*/(", ")/*end*/"


def text_fact(sql: str) -> str:
    return f"{TEXT_FACT_OPEN}{sql}{TEXT_FACT_CLOSE}"


def _text_fact_of(predicate: Predicate) -> Predicate:
    return text_fact(predicate[0]), predicate[1]


def _side(table: str) -> Callable[[str], Predicate]:
    def build(value: str) -> Predicate:
        v = value.upper()
        if v.endswith("*"):
            return f"c.rowid IN (SELECT cable FROM {table} WHERE value GLOB ?)", [v[:-1] + "*"]
        return f"c.rowid IN (SELECT cable FROM {table} WHERE value = ?)", [v]

    return build


def _addressee(kind: str) -> Callable[[str], Predicate]:
    def build(value: str) -> Predicate:
        # Substring: to:STATE finds "SECSTATE WASHDC", to:"NSC WASHDC" the NSC.
        pattern = "%" + value.upper().rstrip("*").replace("%", "").replace("_", "") + "%"
        sql = "c.rowid IN (SELECT cable FROM addressees WHERE kind = ? AND value LIKE ?)"
        return sql, [kind, pattern]

    return build


def _origin(value: str) -> Predicate:
    v = " ".join(value.upper().split())
    if v.endswith("*"):
        return "c.origin GLOB ?", [v[:-1] + "*"]
    return "c.origin = ?", [v]


_CLASS_OP = re.compile(r"^(>=|<=|>|<|=)?(.+)$")


def _class(value: str) -> Predicate:
    m = _CLASS_OP.match(value)
    assert m is not None
    op, word = m.group(1) or "=", m.group(2)
    return f"c.class_rank {op} ?", [classification_named(word).rank]


def _precedence(value: str) -> Predicate:
    token = origin_token(value)
    for word, prec in PRECEDENCE_WORDS.items():
        if origin_token(word) == token:
            return "c.precedence = ?", [prec.value]
    names = ", ".join(p.value.lower() for p in Precedence)
    raise ValueError(f"unknown precedence '{value}' (use one of: {names})")


_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def period(value: str) -> tuple[str, str]:
    """``[start, end)`` ISO bounds of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    m = _DATE.match(value.strip())
    if not m:
        raise ValueError(f"bad date '{value}' (use YYYY, YYYY-MM or YYYY-MM-DD)")
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    try:
        if d is not None:
            start = date(y, int(mo), int(d))
            return start.isoformat(), (start + timedelta(days=1)).isoformat()
        if mo is not None:
            month = int(mo)
            if not 1 <= month <= 12:
                raise ValueError
            nxt = (y + 1, 1) if month == 12 else (y, month + 1)
            return f"{y:04d}-{month:02d}", f"{nxt[0]:04d}-{nxt[1]:02d}"
    except ValueError:
        raise ValueError(f"bad date '{value}'") from None
    return f"{y:04d}", f"{y + 1:04d}"


def _date(value: str) -> Predicate:
    low, _, high = value.partition("..")
    if not _:
        start, end = period(value)
        return "(c.created >= ? AND c.created < ?)", [start, end]
    parts: list[str] = []
    params: list[object] = []
    if low:
        parts.append("c.created >= ?")
        params.append(period(low)[0])
    if high:
        parts.append("c.created < ?")
        params.append(period(high)[1])
    if not parts:
        raise ValueError("empty date range")
    return "(" + " AND ".join(parts) + ")", params


def _before(value: str) -> Predicate:
    return "c.created < ?", [period(value)[0]]


def _after(value: str) -> Predicate:
    return "c.created >= ?", [period(value)[1]]


def _refs(value: str) -> Predicate:
    return "c.rowid IN (SELECT cable FROM refs WHERE cited_key = ?)", [id_key(value)]


def _id(value: str) -> Predicate:
    return "c.rowid IN (SELECT cable FROM cable_keys WHERE key = ?)", [id_key(value)]


_HAS = {
    "summary": text_fact("c.has_summary = 1"),
    "sbu": "c.sbu = 1",
    "refs": "c.rowid IN (SELECT cable FROM refs)",
    "tags": "c.rowid IN (SELECT cable FROM tags)",
    "captions": "c.rowid IN (SELECT cable FROM captions)",
    "signer": "c.rowid IN (SELECT cable FROM signers)",
    "defects": text_fact("c.rowid IN (SELECT cable FROM defects)"),
    "copies": "c.rowid IN (SELECT cable FROM copies GROUP BY cable HAVING count(*) > 1)",
    "date": "c.created IS NOT NULL",
}


def _has(value: str) -> Predicate:
    v = value.lower()
    for what in (v, v + "s", v[:-1]):  # has:ref, has:refs, has:signers all read
        if what in _HAS:
            return _HAS[what], []
    raise ValueError(f"unknown has:{value} (use one of: {', '.join(sorted(_HAS))})")


def _subject(value: str) -> Predicate:  # reached only inside NOT/OR mixes; FTS handles it
    return "c.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)", [
        '{subject} : "'
        + value.rstrip("*").replace('"', '""')
        + '"'
        + ("*" if value.endswith("*") else "")
    ]


FIELDS: dict[str, Callable[[str], Predicate]] = {
    "tag": _side("tags"),
    "caption": _side("captions"),
    "signer": _side("signers"),
    "defect": lambda value: _text_fact_of(_side("defects")(value)),
    "to": _addressee("to"),
    "info": _addressee("info"),
    "origin": _origin,
    "class": _class,
    "prec": _precedence,
    "date": _date,
    "before": _before,
    "after": _after,
    "refs": _refs,
    "id": _id,
    "has": _has,
    "subject": _subject,
}


def field_sql(name: str, value: str) -> Predicate:
    """The predicate of ``name:value``; ``ValueError`` for a value the field cannot take."""
    return FIELDS[name](value)
