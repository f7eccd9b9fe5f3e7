"""Exceptions shared by every layer."""

from __future__ import annotations


class CablegramError(Exception):
    """Base class of the project's own errors."""


class NotACableError(CablegramError, ValueError):
    """The input has no cable structure at all (empty, binary, unrelated text).

    ``reason`` says why; ``path`` names the file when one is known.
    Cable-like input never raises this: its irregularities become defects.
    """

    def __init__(self, reason: str, path: str | None = None) -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path else reason)
