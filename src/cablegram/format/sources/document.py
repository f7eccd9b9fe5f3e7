"""The unit every serialization is unwrapped into: telegram text plus source facts."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cablegram.model import Defect


@dataclass(frozen=True, slots=True)
class LineMap:
    """Where the lines of a text are in the file it was taken from.

    ``runs`` are ``(first text line, file line, step)``, text lines 0-based and
    file lines 1-based: text line ``i`` of the last run starting at or before it
    is file line ``file_line + (i - first) * step``.  Step 1 follows the file
    line by line; step 0 keeps one file line (line breaks that were entities or
    escapes in the file, as in web pages and JSON).  The default is the file
    itself: text line ``i`` is file line ``i + 1``.
    """

    runs: tuple[tuple[int, int, int], ...] = ((0, 1, 1),)

    def line(self, i: int) -> int:
        """File line (1-based) of text line ``i`` (0-based)."""
        runs = self.runs
        k = 0 if len(runs) == 1 else max(bisect_right(runs, (i, 1 << 62, 1)) - 1, 0)
        first, line, step = runs[k]
        return line + max(i - first, 0) * step

    def lines(self, indices: Sequence[int]) -> list[int]:
        """``[self.line(i) for i in indices]``, for ascending ``indices``, in one walk."""
        runs = self.runs
        out: list[int] = []
        k = 0
        for i in indices:
            while k + 1 < len(runs) and runs[k + 1][0] <= i:
                k += 1
            first, line, step = runs[k]
            out.append(line + max(i - first, 0) * step)
        return out

    @classmethod
    def of(cls, lines: Sequence[int]) -> LineMap:
        """The map whose text line ``i`` is file line ``lines[i]``."""
        if lines and lines.count(lines[0]) == len(lines):
            return cls.fixed(lines[0])
        runs: list[tuple[int, int, int]] = []
        for i, line in enumerate(lines):
            if runs:
                first, start, step = runs[-1]
                if line == start + (i - first) * step:
                    continue
                if i == first + 1 and line == start:  # a run's second line on the same file line
                    runs[-1] = (first, start, 0)
                    continue
            runs.append((i, line, 1))
        return cls(tuple(runs) or ((0, 1, 1),))

    @classmethod
    def fixed(cls, line: int) -> LineMap:
        """Every text line on file line ``line`` (a text whose breaks were not line ends)."""
        return cls(((0, line, 0),))


@dataclass(frozen=True, slots=True)
class Document:
    """One cable as found in a source, before parsing.

    ``text`` is telegram text for :func:`cablegram.format.parse.parse`: header
    lines (if any), a blank line, the message text, ``\\n`` line ends.
    ``metadata`` holds what the source states *outside* the cable text (never
    authoritative over the text); ``defects`` are source-level irregularities;
    ``locator`` places the document inside its file for error messages;
    ``lines`` places the lines of ``text`` in the file.
    """

    text: str
    format: str
    path: str | None
    metadata: dict[str, Any] = field(default_factory=dict, hash=False)
    defects: tuple[Defect, ...] = ()
    locator: str | None = None
    lines: LineMap = field(default_factory=LineMap, compare=False)

    @property
    def where(self) -> str | None:
        """``path[:locator]`` as used in error messages."""
        return where(self.path, self.locator)


def where(path: str | None, locator: str | None) -> str | None:
    if path and locator:
        return f"{path}:{locator}"
    return path or locator
