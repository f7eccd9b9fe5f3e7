"""Stored blobs: zstd + orjson now, zlib + json in archives written before."""

from __future__ import annotations

import json
import zlib

from archive_fixtures import cable, record

from backends import sql_execute
from cablegram.archive import Archive
from cablegram.archive.blobs import pack_json, pack_text, unpack_json, unpack_text


def test_round_trip_keeps_text_and_json_exactly() -> None:
    text = "UNCLAS ¶1. Ünïcode, CRLF\r\nand a lone \x00 byte " * 50
    assert unpack_text(pack_text(text)) == text
    value = {"subject": "É", "n": [1, 2.5, None, True], "nested": {"k": "v"}}
    assert unpack_json(pack_json(value)) == value
    assert len(pack_text(text)) < len(text.encode()) / 5  # it does compress


def test_archives_written_with_zlib_stay_readable(small: Archive) -> None:
    c = cable(id="09STATE90001", subject="OLD ARCHIVE", text="1. (U) OLD TEXT.")
    small.store.write([record(c, text="OLD RAW TEXT")])
    # Rewrite the blobs the way schema-3 archives before zstd stored them.
    data = json.dumps(small.get_dict("09STATE90001"), ensure_ascii=False).encode()
    sql_execute(small, "UPDATE cable_data SET data = ?", (zlib.compress(data, 1),))
    sql_execute(small, "UPDATE copies SET raw = ?", (zlib.compress(b"OLD RAW TEXT", 1),))
    assert small.get_dict("09STATE90001")["subject"] == "OLD ARCHIVE"
    assert small.raw("09STATE90001") == "OLD RAW TEXT"
