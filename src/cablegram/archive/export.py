"""Export matches as JSON lines (schema objects), CSV or Parquet (flat columns), streamed.

JSON lines and CSV are text: ``created`` stays the schema's ISO 8601 string.
Parquet (and ``SearchResult.to_pandas``) are typed: ``created`` is a UTC
timestamp there, so dates sort, filter and group as dates.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

FLAT_COLUMNS = (
    "id", "created", "origin", "serial", "classification", "precedence", "sbu", "captions",
    "tags", "subject", "signers", "references", "summary", "text",
)  # fmt: skip


def flat_row(cable: dict[str, Any]) -> dict[str, Any]:
    """A cable's schema JSON as one flat row (lists joined by spaces)."""
    row = {k: cable.get(k) for k in FLAT_COLUMNS}
    for key in ("captions", "tags", "signers"):
        row[key] = " ".join(cable.get(key) or ())
    row["references"] = " ".join(r["id"] for r in cable.get("references") or () if r.get("id"))
    return row


def write_jsonl(cables: Iterable[dict[str, Any]], out: IO[str]) -> int:
    n = 0
    for cable in cables:
        out.write(json.dumps(cable, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(cables: Iterable[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=FLAT_COLUMNS)
    writer.writeheader()
    n = 0
    for cable in cables:
        writer.writerow(flat_row(cable))
        n += 1
    return n


def created_timestamp(created: str | None) -> datetime | None:
    """``created`` (ISO 8601 UTC, ``...Z``) as an aware datetime."""
    return datetime.fromisoformat(created) if created else None


def write_parquet(cables: Iterable[dict[str, Any]], path: str, *, chunk: int = 5000) -> int:
    """Parquet in row groups of ``chunk`` cables (memory stays flat)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"serial": pa.int64(), "sbu": pa.bool_(), "created": pa.timestamp("ms", tz="UTC")}
    schema = pa.schema([(c, types.get(c, pa.string())) for c in FLAT_COLUMNS])
    n = 0
    rows: list[dict[str, Any]] = []
    with pq.ParquetWriter(path, schema) as writer:
        for cable in cables:
            row = flat_row(cable)
            row["created"] = created_timestamp(row["created"])
            rows.append(row)
            n += 1
            if len(rows) >= chunk:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        if rows or n == 0:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    return n
