"""Streamed exports: the library's JSONL/CSV writers fed a batch at a time.

The stream holds its own archive lease for as long as the client reads, so
the connection is never shared with another request meanwhile.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from itertools import islice

from cablegram.access.principal import Principal
from cablegram.archive.export import write_csv, write_jsonl
from cablegram.web.deps import ArchivePool, Reader, shown_cable

EXPORT_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}
BATCH = 200  # cables per chunk written to the socket


def export_chunks(
    pool: ArchivePool, principal: Principal, query: str, fmt: str, sort: str
) -> Iterator[str]:
    """Text chunks of the export; the first is produced (and the query run) on the
    first ``next()``, so a malformed query raises before any byte is sent."""
    writer = write_jsonl if fmt == "jsonl" else write_csv
    with pool.lease(principal, "api") as archive:
        cables = archive.search(query, sort=sort, limit=0).dicts()
        first = True
        while True:
            batch = list(islice(cables, BATCH))
            if not principal.owner:  # source paths are the owner's (deps.shown_cable)
                batch = [shown_cable(data, Reader(principal)) for data in batch]
            if not batch and not first:
                return
            buf = io.StringIO()
            writer(batch, buf)
            text = buf.getvalue()
            if fmt == "csv" and not first:  # the header once, at the top
                text = text.split("\r\n", 1)[1]
            first = False
            yield text
            if len(batch) < BATCH:
                return
