"""Archive fixtures: the dev corpus ingested once per session, and small
archives built from schema JSON (``from_dict``) for precise cases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cablegram.archive import Archive


@pytest.fixture(scope="session")
def dev_archive(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    path = tmp_path_factory.mktemp("dev") / "dev.sqlite"
    archive = Archive(path)
    report = archive.ingest([corpus / "dev"], workers=2)
    assert report.counts.new > 700
    archive.first_report = report  # type: ignore[attr-defined]
    yield archive
    archive.close()


@pytest.fixture
def small(location: str) -> Iterator[Archive]:
    """An empty archive on each backend."""
    archive = Archive(location)
    yield archive
    archive.close()
