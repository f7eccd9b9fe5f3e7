"""Query fields: ``name:value`` -> a node of the query tree (tree.py).

Values are matched case-insensitively; a trailing ``*`` makes a prefix match
for the string fields.  A value a field cannot take raises ``ValueError``
with a message for the user (the query parser adds the position).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date, timedelta

from cablegram.archive import tree as t
from cablegram.archive.ids import id_key
from cablegram.lexicon import (
    PRECEDENCE_WORDS,
    canonical_origin,
    classification_named,
    origin_spellings,
    origin_token,
)
from cablegram.model import Precedence


def _values(kind: str) -> Callable[[str], t.Node]:
    def build(value: str) -> t.Node:
        v = value.upper()
        if v.endswith("*"):
            return t.HasValue(kind, v[:-1], prefix=True)
        return t.HasValue(kind, v)

    return build


def _defect(value: str) -> t.Node:
    return t.TextFact(_values("defect")(value))


def _addressee(kind: str) -> Callable[[str], t.Node]:
    def build(value: str) -> t.Node:
        # Substring: to:STATE finds "SECSTATE WASHDC", to:"NSC WASHDC" the NSC.
        return t.AddresseeHas(kind, value.upper().rstrip("*"))

    return build


def _origin(value: str) -> t.Node:
    """Any spelling of an origin: ``THE HAGUE``, ``THEHAGUE``, ``AMEMBASSY THE
    HAGUE`` all find the cables of The Hague (stored by their id's token)."""
    v = " ".join(value.upper().split())
    if v.endswith("*"):
        return t.OriginIs(tuple(sorted({v[:-1], origin_token(v[:-1])})), prefix=True)
    return t.OriginIs(tuple(sorted({v, origin_token(v), canonical_origin(v)})))


def notices(node: t.Node) -> list[str]:
    """Why parts of a query may match nothing (shown beside an empty result):
    an origin no known spelling matches, with the nearest known ones."""
    out: list[str] = []
    if isinstance(node, t.OriginIs) and not node.prefix:
        spellings = origin_spellings()
        if not any(v in spellings for v in node.values):
            written = max(node.values, key=len)
            near = difflib.get_close_matches(written, sorted(set(spellings.values())), n=2)
            hint = f"; did you mean {' or '.join(near)}?" if near else ""
            out.append(f'unknown origin "{written}"{hint}')
    elif isinstance(node, (t.Not, t.TextFact)):
        out += notices(node.item)
    elif isinstance(node, (t.And, t.Or)):
        for item in node.items:
            out += notices(item)
    return out


_CLASS_OP = re.compile(r"^(>=|<=|>|<|=)?(.+)$")


def _class(value: str) -> t.Node:
    m = _CLASS_OP.match(value)
    assert m is not None
    op, word = m.group(1) or "=", m.group(2)
    return t.ClassRank(op, classification_named(word).rank)


def _precedence(value: str) -> t.Node:
    token = origin_token(value)
    for word, prec in PRECEDENCE_WORDS.items():
        if origin_token(word) == token:
            return t.PrecedenceIs(prec.value)
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


def _first_day(bound: str) -> str:
    """A bound of :func:`period` (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) as its first day."""
    return bound + "-01-01"[len(bound) - 4 :]


def _date(value: str) -> t.Node:
    low, dots, high = value.partition("..")
    if not dots:
        return t.Created(*period(value))
    if not low and not high:
        raise ValueError("empty date range")
    start, end = period(low)[0] if low else None, period(high)[1] if high else None
    if start is not None and end is not None and _first_day(start) >= _first_day(end):
        # Said as a mistake rather than answered with nothing: 2009..2006.
        raise ValueError(f"date range '{value}' ends before it starts")
    return t.Created(start, end)


def _before(value: str) -> t.Node:
    return t.Created(None, period(value)[0])


def _after(value: str) -> t.Node:
    return t.Created(period(value)[1], None)


def _refs(value: str) -> t.Node:
    return t.Cites(id_key(value))


def _id(value: str) -> t.Node:
    return t.IdKey(id_key(value))


def _has(value: str) -> t.Node:
    v = value.lower()
    for what in (v, v + "s", v[:-1]):  # has:ref, has:refs, has:signers all read
        if what in t.HAS:
            node: t.Node = t.Has(what)
            # A summary or defects are read from the whole text (tree.TextFact).
            return t.TextFact(node) if what in ("summary", "defects") else node
    raise ValueError(f"unknown has:{value} (use one of: {', '.join(t.HAS)})")


def subject_terms(value: str, *, quoted: bool) -> t.Node:
    """``subject:word``, ``subject:prefix*``, ``subject:"a phrase"`` as full text
    (a value that reads as several tokens, ``U.S.``, is a phrase of them)."""
    prefix = not quoted and value.endswith("*") and len(value) > 1
    words = t.tokens(value.rstrip("*") if prefix else value)
    if not words:
        raise ValueError(f"'{value}' has nothing to search for")
    return t.Terms(words, prefix, subject=True)


FIELDS: dict[str, Callable[[str], t.Node]] = {
    "tag": _values("tag"),
    "caption": _values("caption"),
    "signer": _values("signer"),
    "defect": _defect,
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
    "subject": lambda value: subject_terms(value, quoted=False),
}


def field_node(name: str, value: str, *, quoted: bool = False) -> t.Node:
    """The tree node of ``name:value``; ``ValueError`` for a value the field cannot take."""
    if name == "subject":
        return subject_terms(value, quoted=quoted)
    return FIELDS[name](value)
