"""Every consumer is typed against the Store protocol (archive/store.py), so both
backend stores must satisfy it - and its sub-store protocols - as mypy sees them,
not only at run time; so must the network's stores theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api")

SRC = Path(__file__).parents[2] / "src"

CHECK = """
from cablegram.archive.postgres.store import PostgresStore
from cablegram.archive.sqlite.store import SQLiteStore
from cablegram.archive.store import (
    AccountStore, AuditStore, DecisionStore, DeliveryRows, NetworkRows, SignInStore, Store,
)
from cablegram.network.archived import ArchiveNetworkStore
from cablegram.network.archived_deliveries import ArchivedDeliveries
from cablegram.network.delivery_store import DeliveryStore
from cablegram.network.memory_delivery import MemoryDeliveryStore
from cablegram.network.store import NetworkStore


def stores(pg: PostgresStore, lite: SQLiteStore) -> list[Store]:
    return [pg, lite, pg.fresh(), lite.for_reader(lite.principal)]


def parts(s: PostgresStore | SQLiteStore) -> tuple[
    AccountStore, SignInStore, AuditStore, DecisionStore, NetworkRows, DeliveryRows
]:
    return s.accounts, s.signins, s.audit, s.decisions, s.network, s.deliveries


def network(a: ArchiveNetworkStore, d: ArchivedDeliveries, m: MemoryDeliveryStore) -> tuple[
    NetworkStore, DeliveryStore, DeliveryStore
]:
    return a, d, m


def consumer(store: Store) -> None:
    fresh = store.fresh()
    store.replace_with(fresh)
    store.on_fields = None
"""


def test_both_backends_satisfy_the_store_protocols(tmp_path, monkeypatch):
    (tmp_path / "check_protocols.py").write_text(CHECK, encoding="utf-8")
    monkeypatch.setenv("MYPYPATH", str(SRC))
    out, err, status = api.run([
        "--follow-imports=silent", "--ignore-missing-imports", "--no-error-summary",
        "--cache-dir", str(tmp_path / "cache"), str(tmp_path / "check_protocols.py"),
    ])  # fmt: skip
    assert (status, out, err) == (0, "", "")


def test_the_check_sees_a_store_that_does_not_fit(tmp_path, monkeypatch):
    """(The check type-checks the backends: a wrong one is reported.)"""
    (tmp_path / "misfit.py").write_text(
        "from cablegram.archive.sqlite.store import SQLiteStore\n"
        "from cablegram.archive.store import AuditStore\n"
        "def f(s: SQLiteStore) -> AuditStore:\n"
        "    return s.accounts\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("MYPYPATH", str(SRC))
    out, _, status = api.run([
        "--follow-imports=silent", "--ignore-missing-imports", "--no-error-summary",
        "--cache-dir", str(tmp_path / "cache"), str(tmp_path / "misfit.py"),
    ])  # fmt: skip
    assert status == 1 and 'expected "AuditStore"' in out


def test_the_package_type_checks(tmp_path):
    # The whole of src/ under the project's mypy settings (pyproject.toml):
    # what the protocol test above proves of the stores holds of every
    # consumer only while nothing else is left untyped or mistyped.
    config = str(SRC.parent / "pyproject.toml")
    out, err, status = api.run(
        ["--config-file", config, "--cache-dir", str(tmp_path / "cache"), str(SRC)]
    )
    assert (status, err) == (0, ""), out
