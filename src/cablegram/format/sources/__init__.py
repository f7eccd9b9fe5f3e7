"""Detect and unwrap every serialization cables are found in.

:func:`iter_documents` turns a file, a directory, an archive or bytes into
:class:`Document` values: telegram text ready for ``parse()`` plus what the
source says about the cable outside its text (``metadata``, never
authoritative) and source-level ``defects``.  See docs/format-sources.md.

Source defect codes: ``PARTIAL_EXTRACT`` (publisher notice replaced the
header), ``INJECTED_DATE_LINE`` (publisher date line removed from the body),
``LINE_BREAKS_RESTORED`` (first-release JSON), ``MARKUP_RESIDUE`` (web
markup removed from a text extract).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from typing import BinaryIO

from cablegram.format.sources.containers import Item, iter_bytes, iter_path, iter_stream
from cablegram.format.sources.detection import CABLE_FORMATS, detect
from cablegram.format.sources.document import Document
from cablegram.format.sources.files import walk_files
from cablegram.format.sources.limits import LimitExceeded, SourceLimits
from cablegram.format.sources.share import Share
from cablegram.model import NotACableError

__all__ = [
    "CABLE_FORMATS",
    "Document",
    "LimitExceeded",
    "Share",
    "SourceLimits",
    "detect",
    "iter_documents",
    "iter_items",
    "walk_files",
]

Source = str | os.PathLike[str] | bytes | BinaryIO


def iter_items(
    src: Source,
    *,
    path: str | None = None,
    limits: SourceLimits | None = None,
    share: Share | None = None,
) -> Iterator[Item]:
    """Each document of ``src``, or the :class:`NotACableError` of a part that is none.

    Errors are yielded rather than raised so one bad row or file does not end
    the stream; :func:`iter_documents` and ``reader.read`` decide what to do.
    ``limits`` bound what one input may cost (default: ``SourceLimits.from_env()``).
    ``share``: only the items it keeps, the others skipped before they are built
    (``format.sources.share``).
    """
    limits = limits or SourceLimits.from_env()
    share = share or Share()
    if isinstance(src, bytes):
        yield from share.take(iter_bytes(src, path, limits, share))
    elif isinstance(src, (str, os.PathLike)):
        yield from share.take(iter_path(os.fspath(src), limits, share))
    elif isinstance(src, (io.IOBase, BinaryIO)) or hasattr(src, "read"):
        yield from share.take(iter_stream(src, path, limits, share=share))
    else:
        raise TypeError(f"cannot read documents from {type(src).__name__}")


def iter_documents(
    src: Source,
    *,
    path: str | None = None,
    on_error: Callable[[NotACableError], None] | None = None,
    limits: SourceLimits | None = None,
) -> Iterator[Document]:
    """Documents of a path (file or directory), bytes or a binary stream.

    ``path`` names bytes/stream input in documents and errors.  A part that is
    not a cable raises :class:`NotACableError` (``path`` = ``file[:locator]``),
    or, when ``on_error`` is given, is passed to it and reading continues.
    """
    for item in iter_items(src, path=path, limits=limits):
        if isinstance(item, Document):
            yield item
        elif on_error is None:
            raise item
        else:
            on_error(item)
