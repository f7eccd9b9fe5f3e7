"""Archive statistics: counts by year, month, origin, classification, tag; defects;
copies and unresolved references (all under the store's visibility)."""

from __future__ import annotations

from typing import Any

from cablegram.archive.store import SQLiteStore


def stats(store: SQLiteStore, *, size: int = 20) -> dict[str, Any]:
    conn = store.conn
    vis, vp = store.scope()
    visible = f"SELECT c.rowid FROM cables c WHERE 1{vis}"

    def pairs(sql: str, *params: object) -> list[tuple[Any, int]]:
        return [(v, n) for v, n in conn.execute(sql, (*vp, *params))]

    cables = conn.execute(f"SELECT count(*) FROM ({visible})", vp).fetchone()[0]
    copies = conn.execute(f"SELECT count(*) FROM copies WHERE cable IN ({visible})", vp).fetchone()[
        0
    ]
    refs_total, unresolved, not_cables = conn.execute(
        "SELECT count(*), sum(r.cited_key IS NOT NULL AND NOT EXISTS"
        " (SELECT 1 FROM cable_keys k JOIN cables c ON c.rowid = k.cable"
        f"  WHERE k.key = r.cited_key{vis})), sum(r.cited_key IS NULL)"
        f" FROM refs r WHERE r.cable IN ({visible})",
        (*vp, *vp),
    ).fetchone()
    return {
        "cables": cables,
        "copies": copies,
        "references": refs_total,
        "unresolved_references": unresolved or 0,
        "non_cable_references": not_cables or 0,
        "by_year": pairs(
            f"SELECT c.year, count(*) FROM cables c WHERE 1{vis} GROUP BY 1 ORDER BY 1"
        ),
        "by_month": pairs(
            f"SELECT c.month, count(*) FROM cables c WHERE 1{vis} GROUP BY 1 ORDER BY 1"
        ),
        "by_classification": pairs(
            f"SELECT c.classification, count(*) FROM cables c WHERE 1{vis} GROUP BY 1 ORDER BY 2 DESC"
        ),
        "by_origin": pairs(
            f"SELECT c.origin, count(*) FROM cables c WHERE 1{vis}"
            " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?",
            size,
        ),
        "by_tag": pairs(
            f"SELECT t.value, count(*) FROM tags t WHERE t.cable IN ({visible})"
            " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?",
            size,
        ),
        "defects": pairs(
            f"SELECT d.value, sum(d.n) FROM defects d WHERE d.cable IN ({visible})"
            " GROUP BY 1 ORDER BY 2 DESC, 1"
        ),
    }
