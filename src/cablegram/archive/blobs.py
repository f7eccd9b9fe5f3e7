"""How an archive stores text and JSON: compressed blobs.

Copies keep their telegram text and ``cable_data``/``views`` the schema JSON,
each as one compressed blob.  Ingest is CPU-bound, so the codec is chosen for
speed first: zstandard level 1 compresses a 6 KB cable about 3x faster than
zlib level 1 and a little smaller, and orjson encodes the schema JSON about
5x faster than the standard library.  Archives written before this used zlib;
:func:`unpack` tells the two apart by the zstd frame's magic number, so they
stay readable (``cablegram reindex`` rewrites them).
"""

from __future__ import annotations

import threading
import zlib
from typing import Any

import orjson
import zstandard

ZSTD_LEVEL = 1
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

# zstandard (de)compressor objects are not thread-safe; web servers read from
# several threads, so each thread keeps its own.
_local = threading.local()


def _compressor() -> zstandard.ZstdCompressor:
    c = getattr(_local, "c", None)
    if c is None:
        c = _local.c = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
    return c


def _decompressor() -> zstandard.ZstdDecompressor:
    d = getattr(_local, "d", None)
    if d is None:
        d = _local.d = zstandard.ZstdDecompressor()
    return d


def pack(data: bytes) -> bytes:
    return _compressor().compress(data)


def unpack(blob: bytes) -> bytes:
    if blob[:4] == _ZSTD_MAGIC:
        return _decompressor().decompress(blob)
    return zlib.decompress(blob)  # archives written before zstd


def pack_text(text: str) -> bytes:
    return pack(text.encode("utf-8"))


def unpack_text(blob: bytes) -> str:
    return unpack(blob).decode("utf-8")


def dumps(value: Any) -> str:
    """Compact JSON text (UTF-8, not ASCII-escaped); unknown objects as str()."""
    return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


def pack_json(value: Any) -> bytes:
    return pack(orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS))


def unpack_json(blob: bytes) -> Any:
    return orjson.loads(unpack(blob))
