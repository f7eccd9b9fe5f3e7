"""Test helpers that reach below the store protocol, for either backend.

Tests check some things only the database can show (a stored hash, a table
kept small, an append-only trigger): :func:`sql_rows` runs one statement on
the archive's own connection, written with ``?`` placeholders."""

from __future__ import annotations

from typing import Any

from cablegram.archive import Archive


def sql_rows(archive: Archive, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    store: Any = archive.store
    if archive.server:
        with store.pool.connection() as conn:
            return [tuple(r) for r in conn.execute(sql.replace("?", "%s"), params).fetchall()]
    return [tuple(r) for r in store.conn.execute(sql, params).fetchall()]


def sql_execute(archive: Archive, sql: str, params: tuple[Any, ...] = ()) -> None:
    store: Any = archive.store
    if archive.server:
        with store.pool.connection() as conn:
            conn.execute(sql.replace("?", "%s"), params)
        return
    store.conn.execute(sql, params)
