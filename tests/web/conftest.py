"""Web fixtures: one archive built per session from the demo corpus (seeds plus
synthetic cables with references between them, and a second, edited copy of
a seed so the reader has copies to compare), with accounts, and test clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_fixtures import EDITED, PASSWORD, SYNTHETIC, USERS

from backends import BACKENDS, new_location
from cablegram.archive import Archive
from cablegram.archive.demo import demo_sources
from cablegram.web import create_app


@pytest.fixture(scope="session", params=BACKENDS)
def archive_file(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> str:
    """The demo archive on each backend (an SQLite file or a PostgreSQL URL)."""
    path = new_location(request.param, tmp_path_factory.mktemp("web"), "web", request)
    docs = demo_sources(SYNTHETIC)
    edited = next(d for d in docs if b"ALMATY 001703" in d).replace(*EDITED)
    with Archive(path) as archive:
        report = archive.ingest([*docs, edited], workers=1)
        for name, grants in USERS.items():
            archive.users.add(name, password=PASSWORD, **grants)
    assert report.counts.new == SYNTHETIC + 2 and report.counts.merged == 1
    return str(path)


@pytest.fixture(scope="session")
def client(archive_file: str) -> Iterator[TestClient]:
    """The local owner's view (``serve --anonymous owner``)."""
    with TestClient(create_app(archive_file, anonymous="owner")) as c:
        yield c


@pytest.fixture(scope="session")
def public_client(archive_file: str) -> Iterator[TestClient]:
    """The default server: anonymous readers are the public reader."""
    with TestClient(create_app(archive_file)) as c:
        yield c


@pytest.fixture
def scratch_client(tmp_path: Path) -> Iterator[TestClient]:
    """An owner's server on an archive of its own (for writes), with a small upload limit."""
    app = create_app(str(tmp_path / "scratch.sqlite"), anonymous="owner", max_upload=64 * 1024)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
