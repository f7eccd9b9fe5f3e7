"""The unit every serialization is unwrapped into: telegram text plus source facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cablegram.model import Defect


@dataclass(frozen=True, slots=True)
class Document:
    """One cable as found in a source, before parsing.

    ``text`` is telegram text for :func:`cablegram.format.parse.parse`: header
    lines (if any), a blank line, the message text, ``\\n`` line ends.
    ``metadata`` holds what the source states *outside* the cable text (never
    authoritative over the text); ``defects`` are source-level irregularities;
    ``locator`` places the document inside its file for error messages.
    """

    text: str
    format: str
    path: str | None
    metadata: dict[str, Any] = field(default_factory=dict, hash=False)
    defects: tuple[Defect, ...] = ()
    locator: str | None = None

    @property
    def where(self) -> str | None:
        """``path[:locator]`` as used in error messages."""
        return where(self.path, self.locator)


def where(path: str | None, locator: str | None) -> str | None:
    if path and locator:
        return f"{path}:{locator}"
    return path or locator
