"""Each database is spoken in one package: ``sqlite3`` is imported only in
archive/sqlite/, ``psycopg`` only in archive/postgres/ (everything else is
typed against the Store protocol)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).parents[2] / "src" / "cablegram"
HOMES = {"sqlite3": SRC / "archive" / "sqlite", "psycopg": SRC / "archive" / "postgres"}


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_each_database_module_is_imported_only_in_its_backend() -> None:
    misplaced = sorted(
        f"{path.relative_to(SRC)} imports {module}"
        for path in SRC.rglob("*.py")
        for module in _imported(path) & HOMES.keys()
        if HOMES[module] not in path.parents
    )
    assert misplaced == []


def test_the_check_sees_the_backends() -> None:
    """(The walk finds the imports it is there to confine.)"""
    for module, home in HOMES.items():
        assert any(module in _imported(p) for p in home.rglob("*.py"))
