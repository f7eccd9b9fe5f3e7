"""Normalised cable ids, so a reference finds a cable under any spelling of its origin.

A REF is read into a canonical id (``06STATE32380``) with the FORMAT §3.9 alias
map, while a cable's own id keeps its origin as its classification line wrote
it (``09AITTAIPEI975``).  Both sides are reduced here to one *key*:
``YY`` + ``lexicon.canonical_origin(origin)`` + serial.  The archive stores the
keys of every cable and the key of every reference, and resolves references
by joining on the key, so the two spellings meet whichever arrives first.
"""

from __future__ import annotations

import re

from cablegram.lexicon import canonical_origin

_ID = re.compile(r"^(\d{2}|\d{4})([A-Z][A-Z.'\- ]*?)0*(\d{1,7})(?:_[A-Z])?$")


def split_id(cable_id: str) -> tuple[str, str, int] | None:
    """``(YY, ORIGIN, serial)`` of an id such as ``06STATE32380``, else None."""
    m = _ID.match(cable_id.strip().upper())
    if not m:
        return None
    year, origin, serial = m.groups()
    return year[-2:], origin, int(serial)


def id_key(cable_id: str, origin: str | None = None) -> str:
    """The resolution key of an id; ``origin`` (as written) helps when the id packs
    a multi-word origin (``AITTAIPEI`` is ``AIT TAIPEI``)."""
    parts = split_id(cable_id)
    if parts is None:
        return cable_id.strip().upper()
    year, packed, serial = parts
    return f"{year}{canonical_origin(origin or packed)}{serial}"


def cable_keys(cable_id: str, origin: str | None) -> tuple[str, ...]:
    """Every key a cable answers to: its own id and the alias-normalised forms."""
    keys = {cable_id.strip().upper(), id_key(cable_id)}
    if origin:
        keys.add(id_key(cable_id, origin))
    return tuple(sorted(keys))
