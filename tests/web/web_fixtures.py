"""Facts about the web fixture archive, found through the library (not the web)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from cablegram.archive import Archive
from cablegram.lexicon import data_path

SYNTHETIC = 600  # synthetic cables in the fixture archive, besides the two seeds
EDITED = (b"Post requests Department guidance", b"Post urgently requests Department guidance")
SEED_ID = "06ALMATY1703"
SEED = Path(data_path("examples")) / "seeds" / f"{SEED_ID}.txt"


@cache
def citing_pair(archive_file: str) -> tuple[str, str]:
    """(citer, cited): the newest cable whose first REF resolves inside the archive."""
    with Archive(archive_file) as archive:
        for hit in archive.search("has:refs", sort="date", limit=200):
            for link in archive.refs(hit.id) or []:
                if link.status == "archive":
                    return hit.id, link.targets[0]
    raise AssertionError("the fixture archive has no resolved reference")
