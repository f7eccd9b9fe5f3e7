"""Read cables from any source: ``iter_documents`` + ``parse``.

``read("cables.csv")``, ``read("dir/")``, ``read(b"...")`` yield one
:class:`~cablegram.model.Cable` per document, streamed.  A document that is
not a cable raises :class:`~cablegram.model.NotACableError` naming
``file[:locator]``; with ``on_error`` the error is handed over and reading
continues with the next document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from cablegram.format.parse import parse
from cablegram.format.sources import Document, Source, SourceLimits, iter_items
from cablegram.model import Cable, NotACableError
from cablegram.model import Source as CableSource

if TYPE_CHECKING:  # the guard's module starts processes: loaded by those who use it
    from cablegram.format.bounded import ParseGuard

ErrorHandler = Callable[[NotACableError], None]


def parse_document(doc: Document, *, guard: ParseGuard | None = None) -> Cable:
    """The cable of one document; errors name the document's place.

    With a ``guard`` the parse runs under its time limit (``format.bounded``):
    past it, the cable holds the text with a ``PARSE_TIME_LIMIT`` defect."""
    source = CableSource(doc.format, doc.path, dict(doc.metadata))
    try:
        if guard is not None:
            return guard.parse(doc.text, source=source, defects=doc.defects, line_map=doc.lines)
        return parse(doc.text, source=source, defects=doc.defects, line_map=doc.lines)
    except NotACableError as error:
        raise NotACableError(error.reason, doc.where) from error


def read(
    src: Source, *, path: str | None = None, on_error: ErrorHandler | None = None,
    limits: SourceLimits | None = None,
) -> Iterator[Cable]:  # fmt: skip
    """Cables of a path (file or directory), bytes or a binary stream, in order.

    ``limits`` bound the size of a document and what an archive member may
    expand to (docs/limits.md); past them the part is a ``NotACableError``."""
    for item in iter_items(src, path=path, limits=limits):
        try:
            if isinstance(item, NotACableError):
                raise item
            yield parse_document(item)
        except NotACableError as error:
            if on_error is None:
                raise
            on_error(error)
