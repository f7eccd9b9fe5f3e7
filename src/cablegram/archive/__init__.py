"""The cable archive: ingest dumps, search, read, follow references.

    from cablegram.archive import Archive
    with Archive("cables.sqlite") as archive:
        archive.ingest(["cables.csv", "pages/"])
        result = archive.search('tag:PTER "guantanamo detainees" date:2006')
        for hit in result:
            print(hit.id, hit.subject, hit.snippet)
        result.facets()                  # counts by tag, origin, class, caption, year, month
        archive.refs("06ALMATY1703")     # what it cites, resolved against the archive

The archive is ``--archive`` / ``location``, else ``$CABLEGRAM_ARCHIVE``,
else ``./cablegram.sqlite``: a file path (SQLite, embedded, nothing to set
up) or a ``postgresql://user@host:port/dbname`` URL (a server shared by a
team, several web workers, ingest from many machines).  See docs/archive.md.

An archive is opened *for a reader*: ``Archive(location, principal=...)`` (a
:class:`~cablegram.access.principal.Principal`, e.g. ``archive.users.principal
("alice")`` or ``PUBLIC``); the default is the local owner, who reads
everything.  Every read answers as that reader sees the archive (docs/access.md).

The package's layout: ``archive.py`` (this front), ``store.py`` (the storage
protocol everything else is typed against), ``query.py`` + ``fields.py`` (the
query language) -> ``tree.py`` (what a query means), ``results.py``,
``broad.py``, ``facets.py``, ``graph.py``, ``review.py``, ``users.py``,
``audit.py``, ``ingest.py`` + ``records.py`` + ``blobs.py``, ``copy.py``,
``export.py``; and one package per database, holding all of its SQL:
``sqlite/`` and ``postgres/``.
"""

from cablegram.access.principal import OWNER, PUBLIC, PUBLISHED
from cablegram.archive.archive import DEFAULT_ARCHIVE, Archive, archive_path
from cablegram.archive.errors import (
    AccessDenied,
    ArchiveNotFound,
    ArchiveVersionError,
    ArchiveWriteError,
    NotAnArchive,
    ReadOnlyArchive,
)
from cablegram.archive.ingest import IngestError, IngestReport, Part
from cablegram.archive.query import QuerySyntaxError
from cablegram.archive.results import SearchResult
from cablegram.archive.review import ReviewError
from cablegram.archive.store import CopyInfo, Hit, Store
from cablegram.archive.users import UserError

__all__ = [
    "DEFAULT_ARCHIVE",
    "OWNER",
    "PUBLIC",
    "PUBLISHED",
    "AccessDenied",
    "Archive",
    "ArchiveNotFound",
    "ArchiveVersionError",
    "ArchiveWriteError",
    "CopyInfo",
    "Hit",
    "IngestError",
    "IngestReport",
    "NotAnArchive",
    "Part",
    "QuerySyntaxError",
    "ReadOnlyArchive",
    "ReviewError",
    "SearchResult",
    "Store",
    "UserError",
    "archive_path",
]
