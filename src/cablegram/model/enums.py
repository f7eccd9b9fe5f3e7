"""Ordered enumerations of the format: classification levels and precedences.

Only the *ordering and identity* of these values lives here; the many ways they
are written in cables (spaced letters, prosigns, NIACT ...) belong to the
lexicon.
"""

from __future__ import annotations

from enum import StrEnum


class Classification(StrEnum):
    """Security classification of a whole cable, ordered by rank.

    SBU, LIMITED OFFICIAL USE and EFTO are controls on unclassified text, not
    levels: they rank as UNCLASSIFIED and are carried by ``Cable.sbu``.
    """

    UNCLASSIFIED = "UNCLASSIFIED"
    CONFIDENTIAL = "CONFIDENTIAL"
    SECRET = "SECRET"
    TOP_SECRET = "TOP SECRET"

    @property
    def rank(self) -> int:
        return _CLASS_RANK[self]

    @property
    def letter(self) -> str:
        """The letter repeated on the FL4 security line (UUUUU, CCCCC ...)."""
        return _CLASS_LETTER[self]

    @classmethod
    def from_rank(cls, rank: int) -> Classification:
        for c, r in _CLASS_RANK.items():
            if r == rank:
                return c
        raise ValueError(f"no classification of rank {rank}")

    def __lt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Classification):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Classification):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Classification):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Classification):
            return NotImplemented
        return self.rank >= other.rank


# Rank 1 is left free for the unclassified controls (SBU/LOU) when a caller
# wants them ordered; classification comparisons use these values (FORMAT §3.2).
_CLASS_RANK = {
    Classification.UNCLASSIFIED: 0,
    Classification.CONFIDENTIAL: 2,
    Classification.SECRET: 3,
    Classification.TOP_SECRET: 4,
}
_CLASS_LETTER = {
    Classification.UNCLASSIFIED: "U",
    Classification.CONFIDENTIAL: "C",
    Classification.SECRET: "S",
    Classification.TOP_SECRET: "T",
}


class Precedence(StrEnum):
    """Handling precedence, ordered ROUTINE < PRIORITY < IMMEDIATE < FLASH."""

    ROUTINE = "ROUTINE"
    PRIORITY = "PRIORITY"
    IMMEDIATE = "IMMEDIATE"
    FLASH = "FLASH"

    @property
    def prosign(self) -> str:
        return _PREC_PROSIGN[self]

    @property
    def rank(self) -> int:
        return _PREC_RANK[self]

    @classmethod
    def from_prosign(cls, letter: str) -> Precedence | None:
        for p, s in _PREC_PROSIGN.items():
            if s == letter:
                return p
        return None

    def __lt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Precedence):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Precedence):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Precedence):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Precedence):
            return NotImplemented
        return self.rank >= other.rank


_PREC_PROSIGN = {
    Precedence.ROUTINE: "R",
    Precedence.PRIORITY: "P",
    Precedence.IMMEDIATE: "O",
    Precedence.FLASH: "Z",
}
_PREC_RANK = {
    Precedence.ROUTINE: 0,
    Precedence.PRIORITY: 1,
    Precedence.IMMEDIATE: 2,
    Precedence.FLASH: 3,
}
