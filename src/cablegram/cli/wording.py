"""How the CLI counts things in prose: ``1 cable``, ``2 cables``, ``1,234 cables``.

One place for the plural rule so that no command prints "1 cables"."""

from __future__ import annotations

# Nouns whose plural is not the noun plus "s".
_IRREGULAR = {
    "copy": "copies",
    "delivery": "deliveries",
    "entry": "entries",
    "audit entry": "audit entries",
}


def counted(n: int, noun: str, *, grouped: bool = False) -> str:
    """``n`` and ``noun``, the noun in the plural unless ``n`` is one;
    ``grouped`` writes thousands separators (``1,234``)."""
    return (f"{n:,}" if grouped else str(n)) + " " + noun_for(n, noun)


def noun_for(n: int, noun: str) -> str:
    """``noun`` in the number that ``n`` asks for."""
    return noun if n == 1 else _IRREGULAR.get(noun, noun + "s")


def agrees(n: int, singular: str, plural: str) -> str:
    """The verb form that agrees with ``n``: ``agrees(1, "matches", "match")``."""
    return singular if n == 1 else plural
