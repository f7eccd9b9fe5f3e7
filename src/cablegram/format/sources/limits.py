"""How much reading one input may cost: sizes, ratios and nesting (docs/limits.md).

A document read whole (a text, a page, a JSON file, a PDF, one JSON line) may
be at most ``document`` bytes; a zip or gzip member may expand to at most
``member`` bytes and, past its first ``ratio_after`` bytes, to at most
``ratio`` times its compressed size; containers may nest ``nesting`` deep.
Streamed dumps (cables.csv, JSON lines) are read in blocks and cost no more
memory for being large.  Each limit that is hit is a ``NotACableError`` naming
the file or member and the limit, never a ``MemoryError``.

The defaults can be changed per call (``read(src, limits=SourceLimits(...))``)
or for every call in a process by the environment: ``CABLEGRAM_MAX_DOCUMENT``,
``CABLEGRAM_MAX_MEMBER`` (bytes, with an optional K, M or G), ``CABLEGRAM_MAX_RATIO``.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import BinaryIO

from cablegram.model import NotACableError

MB = 1 << 20
MAX_DOCUMENT = 64 * MB  # the largest real cable text is well under 1 MB
# The whole Cablegate cables.csv is 1.7 GB; a PlusD-scale dump (2.5 million
# cables, `cablegram synth`) 17 GB, gzipped into one member.  Streamed, it
# costs no memory; the ratio below is what stops a bomb.
MAX_MEMBER = 64 << 30
MAX_RATIO = 100  # text deflates 3-10 times; a bomb of zeros about 1,000 times
RATIO_AFTER = 4 * MB  # small members may compress better than that (repeated headers)
MAX_NESTING = 4  # a zip in a gzip in a zip ... deeper is not an export, it is a bomb

_UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def _size(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip().upper()
    if not value:
        return default
    unit = _UNITS.get(value[-1], 1)
    number = value[:-1] if value[-1] in _UNITS else value
    try:
        return int(float(number) * unit)
    except ValueError:
        raise ValueError(f"{name}={value!r}: expected a size in bytes (e.g. 64M)") from None


@dataclass(frozen=True, slots=True)
class SourceLimits:
    """The limits of reading one input (see the module docstring)."""

    document: int = MAX_DOCUMENT
    member: int = MAX_MEMBER
    ratio: float = MAX_RATIO
    ratio_after: int = RATIO_AFTER
    nesting: int = MAX_NESTING

    @classmethod
    def from_env(cls) -> SourceLimits:
        """The defaults, as changed by ``CABLEGRAM_MAX_*`` in the environment."""
        ratio = os.environ.get("CABLEGRAM_MAX_RATIO", "").strip()
        try:
            max_ratio = float(ratio) if ratio else MAX_RATIO
        except ValueError:
            raise ValueError(f"CABLEGRAM_MAX_RATIO={ratio!r}: expected a number") from None
        return cls(
            document=_size("CABLEGRAM_MAX_DOCUMENT", MAX_DOCUMENT),
            member=_size("CABLEGRAM_MAX_MEMBER", MAX_MEMBER),
            ratio=max_ratio,
        )


class LimitExceeded(NotACableError):
    """A limit of :class:`SourceLimits` was reached reading ``path``."""


def size_text(n: float) -> str:
    """``n`` bytes in words: 64 MB, 4 GB, 512 bytes."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:g} {unit}" if n % size == 0 else f"{n / size:.1f} {unit}"
    return f"{int(n)} bytes"


def read_capped(
    stream: BinaryIO, limit: int, path: str | None, head: bytes = b"", what: str = "document"
) -> bytes:
    """``head`` and all the rest of ``stream``, or ``LimitExceeded`` once that passes
    ``limit`` bytes (read in blocks: a stream without end costs at most ``limit``)."""
    chunks: list[bytes] = [head]
    size = len(head)
    while True:
        chunk = stream.read(max(min(MB, limit + 1 - size), 1))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise LimitExceeded(
                f"{what} larger than {size_text(limit)} (the limit of one {what}; "
                "CABLEGRAM_MAX_DOCUMENT changes it)",
                path,
            )


class CountingReader(io.RawIOBase):
    """A stream that counts the bytes read through it (the compressed side of a member)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


class CappedMember(io.RawIOBase):
    """A decompressing stream held to the member limits: ``LimitExceeded`` naming
    ``path`` when it yields more than ``limits.member`` bytes, or more than
    ``limits.ratio`` times ``compressed()`` past ``limits.ratio_after`` bytes."""

    def __init__(
        self, inner: BinaryIO, path: str | None, limits: SourceLimits,
        compressed: int | CountingReader,
    ) -> None:  # fmt: skip
        self.inner = inner
        self.path = path
        self.limits = limits
        self.compressed = compressed
        self.count = 0

    def readable(self) -> bool:
        return True

    def _compressed(self) -> int:
        c = self.compressed
        return max(c.count if isinstance(c, CountingReader) else c, 1)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        limits = self.limits
        if self.count > limits.member:
            raise LimitExceeded(
                f"decompressed member larger than {size_text(limits.member)} "
                "(CABLEGRAM_MAX_MEMBER changes the limit)",
                self.path,
            )
        if self.count > limits.ratio_after and self.count > limits.ratio * self._compressed():
            raise LimitExceeded(
                f"decompresses more than {limits.ratio:g} times its compressed size "
                f"({size_text(self._compressed())} to over {size_text(self.count)}): "
                "a compression bomb? (CABLEGRAM_MAX_RATIO changes the limit)",
                self.path,
            )
        return n
