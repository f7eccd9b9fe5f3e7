"""Facts about the web fixture archive, found through the library (not the web)."""

from __future__ import annotations

import uuid
from functools import cache
from pathlib import Path

from fastapi.testclient import TestClient

from cablegram.archive import Archive
from cablegram.archive.store import is_server_url
from cablegram.lexicon import data_path

SYNTHETIC = 600  # synthetic cables in the fixture archive, besides the two seeds
EDITED = (b"Post requests Department guidance", b"Post urgently requests Department guidance")
SEED_ID = "06ALMATY1703"
PASSWORD = "correct horse battery"
USERS = {  # accounts in the fixture archive
    "analyst": {"clearance": "confidential", "captions": ["NOFORN"]},
    "chief": {"clearance": "top secret", "owner": True},
}
SEED = Path(data_path("examples")) / "seeds" / f"{SEED_ID}.txt"

# A body-only extract as Cablegate's text files hold them (constructed, in the
# layout of corpus/dev/text-body-html-residue): no header, no BT, no NNNN;
# headings between the paragraphs, an unmarked paragraph.
EXTRACT = """C O N F I D E N T I A L SECTION 01 OF 02 RIGA 000461

SIPDIS

E.O. 12958: DECL: 05/14/2018
TAGS: PGOV PREL LG
SUBJECT: LATVIA: COALITION TALKS STALL OVER BUDGET

REF: A. RIGA 402 B. STATE 51234

Classified By: Ambassador Charles Larson, reasons 1.4 (b) and (d).

------- SUMMARY -------

1. (C) Coalition talks stalled on May 12 over the 2009 budget.
End summary.

------- THE BUDGET -------

2. The finance ministry proposed cuts of ten percent
in every ministry.

3. (C) Comment: the talks will resume after the holiday. End comment.
LARSON
"""


@cache
def citing_pair(archive_file: str) -> tuple[str, str]:
    """(citer, cited): the newest cable whose first REF resolves inside the archive."""
    with Archive(archive_file) as archive:
        for hit in archive.search("has:refs", sort="date", limit=200):
            for link in archive.refs(hit.id) or []:
                if link.status == "archive":
                    return hit.id, link.targets[0]
    raise AssertionError("the fixture archive has no resolved reference")


def bearer(client: TestClient, name: str) -> dict[str, str]:
    """Authorization header of user ``name`` (signed in through the API)."""
    r = client.post("/api/login", json={"name": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.cookies.clear()  # programs use the token; keep the client itself anonymous
    return {"Authorization": f"Bearer {r.json()['token']}"}


def copy_archive(source: str, target: Path) -> str:
    """A consistent copy of an archive in use (SQLite's backup, WAL included;
    on PostgreSQL ``cablegram copy`` into a schema beside the source's,
    dropped with it)."""
    if is_server_url(source):
        from cablegram.archive.copy import copy_archive as copy_whole

        url, schema = source.split("?schema=")
        location = f"{url}?schema={schema}_{target.stem}_{uuid.uuid4().hex[:8]}"
        assert copy_whole(source, location, workers=1).identical
        return location
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return str(target)
