"""Sources: cables.csv streaming, first-release JSON, containers, not-a-cable input."""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablegram.format.sources import cablegate_html, cables_csv, detect, iter_documents
from cablegram.format.sources.cables_csv import iter_records
from cablegram.format.sources.release_json import restore_body, restore_header
from cablegram.model import NotACableError

DEV = Path("/work/shared/corpus/dev")


def csv_row(rownum: int, refid: str, content: str, header: str = "", refs: str = "") -> bytes:
    def q(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("'", "\\'") + '"'

    fields = [q(str(rownum)), q("1/2/1988 12:58"), q(refid), q("Embassy Paris"), q("SECRET")]
    fields += [q(refs), q(header), q(content)]
    return (",".join(fields) + "\n").encode("utf-8")


CONTENT = 'S E C R E T PARIS 000123\n\nSUBJECT: "QUOTED" AND IT\'S ESCAPED\n\n1. TEXT C:\\DIR.\n'


def test_csv_stream_of_many_rows_with_escapes_and_a_malformed_row() -> None:
    data = (
        csv_row(1, "88PARIS1", CONTENT, header="R 021258Z JAN 88\nFM AMEMBASSY PARIS\n")
        + b'"2","1/2/1988 12:58","88PARIS2","Embassy Paris","SECRET"\n'  # 5 fields
        + csv_row(3, "88PARIS3", CONTENT, refs="88PARIS1|88STATE9")
    )
    errors: list[NotACableError] = []
    docs = list(iter_documents(data, path="cables.csv", on_error=errors.append))
    assert [d.metadata["id"] for d in docs] == ["88PARIS1", "88PARIS3"]
    assert docs[0].text == "R 021258Z JAN 88\nFM AMEMBASSY PARIS\n\n" + CONTENT
    assert docs[1].text == CONTENT
    assert docs[1].metadata["references"] == ["88PARIS1", "88STATE9"]
    assert docs[1].metadata["created"] == "1988-01-02T12:58:00Z"
    assert docs[1].metadata["rownum"] == 3
    assert docs[1].locator == "line 10"
    assert all(d.format == "cablegate-csv" for d in docs)
    assert len(errors) == 1 and errors[0].path == "cables.csv:line 9"
    assert "5 fields" in errors[0].reason


def test_csv_malformed_row_raises_without_on_error() -> None:
    data = csv_row(1, "88PARIS1", CONTENT) + b'"2","1/2/1988 12:58","x"\n'
    docs = iter_documents(data, path="c.csv")
    assert next(docs).metadata["id"] == "88PARIS1"
    with pytest.raises(NotACableError, match="line 7"):
        next(docs)


def test_csv_unterminated_quote_costs_one_row() -> None:
    broken = b'"2","1/2/1988 12:58","88PARIS2","Embassy Paris","SECRET","","","UNCLOSED\n'
    data = csv_row(1, "88PARIS1", CONTENT) + broken + csv_row(3, "88PARIS3", CONTENT)
    errors: list[NotACableError] = []
    docs = list(iter_documents(data, on_error=errors.append))
    assert [d.metadata["id"] for d in docs] == ["88PARIS1", "88PARIS3"]
    assert "unterminated" in errors[0].reason


def test_csv_heading_row_is_tolerated() -> None:
    heading = b"rownum,date,refid,origin,classification,references,header,content\n"
    docs = list(iter_documents(heading + csv_row(7, "88PARIS7", CONTENT)))
    assert [d.metadata["rownum"] for d in docs] == [7]


def test_csv_records_are_assembled_lazily() -> None:
    consumed: list[int] = []

    def lines():
        for number in range(1, 100_000):
            consumed.append(number)
            yield csv_row(number, f"88PARIS{number}", CONTENT)

    records = iter_records(line for chunk in lines() for line in io.BytesIO(chunk))
    for _ in range(3):
        next(records)
    assert len(consumed) <= 4


def test_real_csv_row_unescapes_quotes() -> None:
    doc = next(iter_documents(DEV / "cables-csv-rows" / "00BEIRUT4016.csv"))
    assert "PARIS FOR WIENER/O'FRIEL" in doc.text
    assert doc.text.startswith("O 231346Z OCT 00\nFM AMEMBASSY BEIRUT\n")
    assert doc.metadata["references"] == ["00BEIRUT3914", "00BEIRUT3962"]


def test_real_csv_partial_extract_time() -> None:
    doc = next(iter_documents(DEV / "cables-csv-rows" / "04PARIS8159.csv"))
    assert doc.metadata["partial_extract"] is True
    time = doc.metadata["extract_time"]
    assert time.endswith(" 04") and time not in doc.text
    assert "partial extract" not in doc.text
    assert [d.code for d in doc.defects] == ["PARTIAL_EXTRACT"]


BODY = (
    "C O N F I D E N T I A L BERLIN 001271  NOFORN  SIPDIS  E.O. 12958: DECL: 10/09/2019 "
    "TAGS: PREL PGOV GMSUBJECT: WESTERWELLE FIRM  REF: A. BERLIN 1162      ¶B. BERLIN 1241  "
    "Classified By: Glass for reasons 1. 4 (b,d).  ¶1.  (C//NF) Summary: A source said.  "
    "Other issues.  ¶2.  (C) More.  OVERALL TREND  -------  ¶3. End."
)


def test_release_body_line_structure_restored() -> None:
    text = restore_body(BODY)
    lines = text.split("\n")
    assert lines[:5] == [
        "C O N F I D E N T I A L BERLIN 001271",
        "NOFORN",
        "SIPDIS",
        "E.O. 12958: DECL: 10/09/2019",
        "TAGS: PREL PGOV GM",
    ]
    assert "SUBJECT: WESTERWELLE FIRM" in lines
    assert "¶B. BERLIN 1241" in lines
    assert "\n\n¶1.  (C//NF) Summary: A source said.  Other issues.\n\n¶2." in text
    assert "\nOVERALL TREND\n-------\n\n¶3. End.\n" in text


def test_release_header_line_structure_restored() -> None:
    glued = (
        "VZCZCXRO5783PP RUEHAG RUEHSRDE RUEHRL #1197/01 2711128ZNY CCCCC ZZHP 281128Z SEP 09"
        "FM AMEMBASSY BERLINTO RUEHC/SECSTATE WASHDC PRIORITY 5317INFO RUCNMEM/EU MEMBER "
        "STATES COLLECTIVE PRIORITYRUCNFRG/FRG COLLECTIVE PRIORITY"
    )
    assert restore_header(glued).split("\n") == [
        "VZCZCXRO5783",
        "PP RUEHAG RUEHSR",
        "DE RUEHRL #1197/01 2711128",
        "ZNY CCCCC ZZH",
        "P 281128Z SEP 09",
        "FM AMEMBASSY BERLIN",
        "TO RUEHC/SECSTATE WASHDC PRIORITY 5317",
        "INFO RUCNMEM/EU MEMBER STATES COLLECTIVE PRIORITY",
        "RUCNFRG/FRG COLLECTIVE PRIORITY",
    ]


def test_release_json_single_array_and_lines() -> None:
    obj = json.loads((DEV / "cablegate-json-20101128" / "09BERLIN1197.json").read_text())
    other = dict(obj, _id="09BERLIN9999")
    single = list(iter_documents(json.dumps(obj).encode()))
    array = list(iter_documents(json.dumps([obj, other]).encode()))
    lines = list(iter_documents((json.dumps(obj) + "\n" + json.dumps(other) + "\n").encode()))
    assert [d.metadata["id"] for d in single] == ["09BERLIN1197"]
    assert [d.metadata["id"] for d in array] == ["09BERLIN1197", "09BERLIN9999"]
    assert [d.locator for d in lines] == ["line 1", "line 2"]
    doc = single[0]
    assert doc.format == "cablegate-json"
    assert doc.metadata["created"] == "2009-09-28T11:11:00Z"
    assert doc.metadata["classification"] == "CONFIDENTIAL"
    assert [d.code for d in doc.defects] == ["LINE_BREAKS_RESTORED"]
    for number in range(1, 8):
        assert f"\n\n¶{number}. " in doc.text


def test_gzip_and_zip_containers(tmp_path: Path) -> None:
    page = (DEV / "cablegate-html" / "05ISTANBUL890.html").read_bytes()
    row = (DEV / "cables-csv-rows" / "00BEIRUT4016.csv").read_bytes()
    gz = tmp_path / "page.html.gz"
    gz.write_bytes(gzip.compress(page))
    assert detect(gz.read_bytes()) == "gzip"
    assert next(iter_documents(gz)).metadata["id"] == "05ISTANBUL890"
    archive = tmp_path / "cables.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("b/00BEIRUT4016.csv", row)
        zf.writestr("a/05ISTANBUL890.html", page)
        zf.writestr("c/rows.csv.gz", gzip.compress(row + b"\n" + row))
    docs = list(iter_documents(archive))
    assert [d.path for d in docs] == [
        f"{archive}!a/05ISTANBUL890.html",
        f"{archive}!b/00BEIRUT4016.csv",
        f"{archive}!c/rows.csv.gz",
        f"{archive}!c/rows.csv.gz",
    ]
    assert [d.format for d in docs][:2] == ["wikileaks-html", "cablegate-csv"]


def test_directory_is_walked_sorted(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_bytes(
        (DEV / "text-acp127" / "07KUALALUMPUR1376.txt").read_bytes()
    )
    (tmp_path / "a.csv").write_bytes((DEV / "cables-csv-rows" / "00BEIRUT4016.csv").read_bytes())
    (tmp_path / ".hidden").write_bytes(b"\x00\x01")
    docs = list(iter_documents(tmp_path))
    assert [Path(d.path).name for d in docs] == ["a.csv", "b.txt"]


@pytest.mark.parametrize(
    ("data", "kind", "reason"),
    [
        (b"", "empty", "empty"),
        (b"\x00\x01\x02\x03binary\xff\xfe", "binary", "binary"),
        (b"<!DOCTYPE html><html><body><p>Hello</p></body></html>", "html", "HTML page"),
        (b'{"name": "not a cable", "items": [1, 2]}', "json", "JSON"),
        (b"Dear diary, nothing happened today.\nThe end.\n", "text", "without cable structure"),
    ],
)
def test_not_a_cable(data: bytes, kind: str, reason: str) -> None:
    assert detect(data) == kind
    with pytest.raises(NotACableError, match=reason) as raised:
        list(iter_documents(data, path="input.bin"))
    assert raised.value.path == "input.bin"


# Pieces that exercise every branch of the record rule: quotes, escapes (of a
# quote, a backslash, a line end), blank lines, record-like lines inside quotes.
_CSV_PIECES = [
    b'"',
    b"\\",
    b"\n",
    b"a",
    b",",
    b" ",
    b"\r",
    b'"1","1/2/1988 12:58",',
    b'\n"2","1/2/1988 12:58",',
    b'\\"',
    b"\\\n",
]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_CSV_PIECES), max_size=40),
    st.sampled_from([1, 5, 1 << 20]),
    st.sampled_from([40, 64 * 1024 * 1024]),
)
def test_block_reader_finds_the_records_of_the_line_rule(
    pieces: list[bytes], block: int, limit: int
) -> None:
    data = b"".join(pieces)
    with (
        patch.object(cables_csv, "BLOCK_BYTES", block),
        patch.object(cables_csv, "MAX_RECORD_BYTES", limit),
    ):
        by_lines = list(cables_csv.iter_records(io.BytesIO(data)))
        by_blocks = list(cables_csv.iter_stream_records(io.BytesIO(data)))
    assert by_blocks == by_lines


def test_block_reader_on_the_dev_rows() -> None:
    rows = [p.read_bytes() for p in sorted((DEV / "cables-csv-rows").glob("*.csv"))]
    data = b"\n".join(rows)  # the last row without a line end, as in the files
    by_lines = list(cables_csv.iter_records(io.BytesIO(data)))
    assert list(cables_csv.iter_stream_records(io.BytesIO(data))) == by_lines
    assert len(by_lines) == len(rows)


def _restore_body_by_patterns(body: str) -> str:
    """restore_body as plain substitutions: the specification its faster passes keep."""
    text = body.replace("\r\n", "\n")
    text = re.sub(r"[ \t]*¶(?=\d)", "\n\n¶", text)
    text = re.sub(r"[ \t]*¶(?=[A-Za-z(])", "\n¶", text)
    if "¶" not in text:
        text = re.sub(r"[ \t]{2,}(?=\d{1,2}\.\s+(?:\(|[A-Z]))", "\n\n", text)
    first = re.search(r"(?:^|\n)¶?\d{1,2}\.\s", text)
    cut = first.start() if first else min(len(text), 2000)
    zone = re.sub(r"(?<=[A-Za-z0-9,.)])[ \t]*(?=(?:SUBJECT|Subject|SUBJ):)", "\n", text[:cut])
    zone = re.sub(r"[ \t]{2,}", "\n", zone)
    if re.search(r"E\.\s?O\.", zone, re.I):
        zone = re.sub(r"(?<=\S)[ \t]+(?=TAGS\b|Tags:)", "\n", zone)
    text = zone + text[cut:]
    if "---" in text:
        text = re.sub(r"[ \t]+(-{3,})(?:[ \t]+|$)", r"\n\1\n", text, flags=re.M)
        out, pos = [], 0
        for rule in re.finditer(r"^-{3,}\n", text, re.M):
            start = text.rfind("\n", 0, rule.start() - 1) + 1
            out.append(text[pos:start])
            out.append(
                re.sub(
                    r"[ \t]{2,}([^a-z\n]{1,80}?)[ \t]*\n(-{3,})\n$",
                    r"\n\n\1\n\2\n",
                    text[start : rule.end()],
                )
            )
            pos = rule.end()
        text = "".join(out) + text[pos:]
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"


_BODY_PIECES = [" ", "  ", "\t", "¶", "¶1", "¶B.", "1. (C)", "SUBJECT:", "Subject:", "SUBJ:"]
_BODY_PIECES += ["a", ".", ")", "---", "\n", "TAGS", "Tags:", "E.O. 12958", "X", "  2. A"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_BODY_PIECES), max_size=30))
def test_restore_body_keeps_its_patterns(pieces: list[str]) -> None:
    body = "".join(pieces)
    assert restore_body(body) == _restore_body_by_patterns(body)


def test_restore_body_keeps_its_patterns_on_real_bodies() -> None:
    for path in sorted((DEV / "cablegate-json-20101128").glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))["body"]
        assert restore_body(body) == _restore_body_by_patterns(body), path.name


_FIELD_SPEC = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"|([^,"\n]*)', re.S)


def _split_fields_by_pattern(record: str) -> list[str] | None:
    """split_fields as one pattern per field: the specification it keeps."""
    fields, pos, end = [], 0, len(record.rstrip("\r\n"))
    while True:
        m = _FIELD_SPEC.match(record, pos)
        assert m is not None
        quoted = m.group(1)
        fields.append(re.sub(r"\\(.)", r"\1", quoted, flags=re.S) if quoted is not None else m[2])
        pos = m.end()
        if pos >= end:
            return fields
        if record[pos] != ",":
            return None
        pos += 1


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(['"', "\\", "\n", "a", ",", " ", '\\"', "\\\\", "é"]), max_size=25))
def test_split_fields_keeps_its_pattern(pieces: list[str]) -> None:
    record = "".join(pieces)
    assert cables_csv.split_fields(record) == _split_fields_by_pattern(record)


_PAGE_PIECES = ["<pre>", "<PRE class='x'>", "<preview>", "</pre>", "</PRE>", "x", "\n", ">"]
_PAGE_PIECES += ["<table class='cable'>", '<TABLE CLASS="CABLE">', "</table>", "<th>", "</TH>"]
_PAGE_PIECES += ["<td x>", "</td>", "<h3>Viewing cable 06X1, SUBJ</h3>", "<H3>", "\u0130"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PAGE_PIECES), max_size=20))
def test_page_blocks_are_what_the_patterns_find(pieces: list[str]) -> None:
    page = "".join(pieces)
    h = cablegate_html
    assert [t for _, t in h._blocks(page, h._PRE_OPEN, h._PRE_CLOSE)] == h._PRE.findall(page)
    assert [t for _, t in h._blocks(page, h._TD_OPEN, h._TD_CLOSE)] == h._TD.findall(page)
    table = h._TABLE.search(page)
    first = h._blocks(page, h._TABLE_OPEN, h._TABLE_CLOSE, first=True)
    assert (first[0][1] if first else None) == (table[1] if table else None)
    viewing = h._search(h._VIEWING, page, h._H3_OPEN)
    assert (viewing and viewing.span()) == ((m := h._VIEWING.search(page)) and m.span())
