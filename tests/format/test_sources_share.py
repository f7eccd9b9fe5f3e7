"""Sources: a share of a big input (``ingest --part``) is taken before its items are built.

An item's index is its position among everything the source yields, errors
included; a share keeps the items whose index it accepts, and the readers
skip the others before unwrapping them (format/sources/share.py)."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from cablegram.format.sources import (
    Share,
    aad_pdf,
    cablegate_html,
    cables_csv,
    containers,
    iter_items,
    release_json,
)
from cablegram.model import NotACableError

DEV = Path("/work/shared/corpus/dev")


def _row(rownum: int, content: str) -> str:
    return f'"{rownum}","1/2/1988 12:58","88PARIS{rownum}","Embassy Paris","SECRET","","","{content}"\n'


def _csv() -> bytes:
    """A heading row (not an item), good rows, a row of 5 fields, one with no content."""
    rows = ['"rownum","date","refid","origin","classification","references","header","content"\n']
    rows += [_row(n, f"S E C R E T PARIS {n:06d}\n\nSUBJECT: ROW {n}\n\n1. TEXT.\n")
             for n in range(1, 8)]  # fmt: skip
    rows.insert(4, '"90","1/2/1988 12:58","88PARIS90","Embassy Paris","SECRET"\n')
    rows.append(_row(91, "  "))
    return "".join(rows).encode("utf-8")


def _mixed_zip() -> bytes:
    """Members of every kind: many items each (csv, JSON array, JSON lines) or one."""
    objects = [json.loads((DEV / "cablegate-json-20101128" / n).read_text(encoding="utf-8"))
               for n in ("07STATE152317.json", "09BERLIN1197.json")]  # fmt: skip
    lines = [json.dumps(objects[0]), "", "{not json", json.dumps({"no": "body"}),
             json.dumps(objects[1])]  # fmt: skip
    members = {
        "a.csv": _csv(),
        "b.html": (DEV / "cablegate-html" / "02BRASILIA4227.html").read_bytes(),
        "c.pdf": (DEV / "aad-pdf-1970s" / "1974LAPAZ00430.pdf").read_bytes(),
        "d.json": json.dumps([objects[0], {"body": ""}, objects[1]]).encode(),
        "e.jsonl": "\n".join(lines).encode(),
        "f.txt": b"a shopping list, no cable here\n",
        "g.bin": b"\x00\x01\x02" * 50,
        "h.txt": (DEV / "text-acp127" / "07KUALALUMPUR1376.txt").read_bytes(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _key(item: object) -> tuple[str, ...]:
    if isinstance(item, NotACableError):
        return ("error", item.path or "", item.reason)
    return ("document", item.path or "", item.locator or "", item.text)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["mixed.zip", "rows.csv"])
def test_shares_number_items_as_the_whole_does_and_cover_it_once(name: str) -> None:
    data = _mixed_zip() if name.endswith(".zip") else _csv()
    whole = [_key(item) for item in iter_items(data, path=name)]
    assert any(k[0] == "error" for k in whole) and any(k[0] == "document" for k in whole)
    for n in (2, 3, 4):
        shares = []
        for k in range(n):
            share = Share(lambda i, k=k, n=n: i % n == k)
            shares.append([_key(item) for item in iter_items(data, path=name, share=share)])
            # The items of share k are those at the positions k, k + n, ... of the whole.
            assert shares[-1] == whole[k::n], (n, k)
        assert Counter(key for share in shares for key in share) == Counter(whole)


def test_items_outside_the_share_are_never_built(monkeypatch: pytest.MonkeyPatch) -> None:
    built: Counter[str] = Counter()

    def counting(module: object, name: str) -> None:
        real = getattr(module, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            built[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    counting(cables_csv, "split_fields")
    counting(cables_csv, "row_document")
    counting(release_json, "object_document")
    counting(cablegate_html, "page_document")
    counting(aad_pdf, "pdf_document")
    counting(containers, "text_document")
    data = _mixed_zip()
    whole = list(iter_items(data, path="mixed.zip"))
    assert set(built) == {"split_fields", "row_document", "object_document", "page_document",
                          "pdf_document", "text_document"}  # fmt: skip
    built.clear()
    assert list(iter_items(data, path="mixed.zip", share=Share(lambda i: False))) == []
    assert built == Counter()
    # One row of the dump in four: a quarter of the rows split and built.
    rows = b"".join(_row(n, f"S E C R E T PARIS {n:06d}\n\n1. TEXT.\n").encode()
                    for n in range(40))  # fmt: skip
    kept = list(iter_items(rows, path="rows.csv", share=Share(lambda i: i % 4 == 1)))
    assert [d.metadata["rownum"] for d in kept] == list(range(1, 40, 4))  # type: ignore[union-attr]
    assert built == Counter(split_fields=10, row_document=10)
    assert len(whole) > 20
