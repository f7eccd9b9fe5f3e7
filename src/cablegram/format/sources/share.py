"""A share of a source's items, taken before they are built.

Several ingest processes split a big input (a ``cables.csv`` dump, a zip, a
JSON array) by the position of each item in it: its index among every item
the source yields, errors included (``Share.keep``).  A reader about to
yield exactly one item asks :meth:`Share.wants_next` first and, when that
item is not in the share, yields ``SKIPPED`` in its place instead of
building it: a ``cables.csv`` row outside the share costs finding where it
ends, not decoding it, splitting its fields and building its Document.
:meth:`Share.take` counts what the readers yield, skipped or not, so the
numbering is the same whether a reader skips or builds (one that does not
ask builds, and the item is dropped there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from cablegram.format.sources.document import Document
from cablegram.model import NotACableError


class Skipped:
    """The place of an item outside the share, which was not built."""

    __slots__ = ()


SKIPPED = Skipped()


class Share:
    """The items whose index ``keep`` accepts (all of them without ``keep``).

    One Share numbers the items of every source it is given, one after the
    other (several streams read as one input keep one numbering)."""

    def __init__(self, keep: Callable[[int], bool] | None = None) -> None:
        self.keep = keep
        self.index = 0  # the index of the next item yielded

    def wants_next(self) -> bool:
        """Whether the next item yielded is in the share (and worth building)."""
        return self.keep is None or self.keep(self.index)

    def take(
        self, items: Iterable[Document | NotACableError | Skipped]
    ) -> Iterator[Document | NotACableError]:
        """The items in the share, each counted as it comes."""
        for item in items:
            index = self.index
            self.index += 1
            if not isinstance(item, Skipped) and (self.keep is None or self.keep(index)):
                yield item
