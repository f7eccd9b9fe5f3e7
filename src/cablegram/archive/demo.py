"""Demo archive and synthetic corpora (``cablegram demo`` / ``cablegram synth``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from importlib import resources
from typing import IO

from cablegram.model import Cable

DEMO_COUNT = 2000
DEMO_SEED = 1
DEMO_QUERIES = (
    "detainees",
    '"request for guidance"',
    "tag:PTER class:>=confidential",
    "origin:ALMATY",
    "date:2006-05..2006-08 -tag:PREL",
    "refs:06STATE32380",
)


def seed_texts() -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of the real cables shipped in ``cablegram/data/examples/seeds``."""
    folder = resources.files("cablegram") / "data" / "examples" / "seeds"
    if not folder.is_dir():
        return
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".txt"):
            yield entry.name, entry.read_bytes()


def _escape(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'") + '"'


def csv_record(rownum: int, cable: Cable, text: str) -> str:
    """One ``cables.csv`` record of a rendered cable (envelope in ``header``)."""
    header, _, content = text.partition("\n\n")
    created = cable.created or ""
    date = ""
    if created:
        y, m, d = created[:4], int(created[5:7]), int(created[8:10])
        date = f"{m}/{d}/{y} {int(created[11:13])}:{created[14:16]}"
    refs = "|".join(r.id for r in cable.references if r.id)
    fields = [str(rownum), date, cable.id or "", cable.origin or "",
              cable.classification.value if cable.classification else "", refs, header + "\n", content]  # fmt: skip
    return ",".join(_escape(f) for f in fields) + "\n"


def _text_file(path: str) -> IO[str]:
    """``path`` opened for writing text (gzip-compressed, quickly, for ``.gz``)."""
    if path.endswith(".gz"):
        import gzip

        return gzip.open(path, "wt", encoding="utf-8", newline="\n", compresslevel=1)
    return open(path, "w", encoding="utf-8", newline="\n")


def write_synth(count: int, out: str, *, seed: int = 0) -> int:
    """Write ``count`` synthetic cables: one ``ID.txt`` each into a directory, or
    one ``cables.csv``-format file when ``out`` ends in ``.csv`` (gzip-compressed
    when it ends in ``.csv.gz``: ingest reads it streamed)."""
    from cablegram.format.render import render
    from cablegram.format.synth import synth_cables

    n = 0
    if out.endswith((".csv", ".csv.gz")):
        with _text_file(out) as f:
            for n, cable in enumerate(synth_cables(count, seed=seed), 1):
                f.write(csv_record(n, cable, render(cable)))
        return n
    os.makedirs(out, exist_ok=True)
    for n, cable in enumerate(synth_cables(count, seed=seed), 1):
        name = f"{cable.id or f'cable{n}'}.txt"
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write(render(cable))
    return n


def demo_sources(count: int = DEMO_COUNT, seed: int = DEMO_SEED) -> list[bytes]:
    """The demo corpus as byte documents: shipped seeds plus synthetic cables."""
    from cablegram.format.render import render
    from cablegram.format.synth import synth_cables

    docs = [data for _, data in seed_texts()]
    docs += [render(c).encode("utf-8") for c in synth_cables(count, seed=seed)]
    return docs
