"""Where the parser places a cable's elements in the file it was read from
(``cable.source.lines``), for ``validate`` to report findings there."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

from cablegram.format.parse import parse
from cablegram.format.reader import read
from cablegram.format.sources.aad_pdf import is_pdf, pdf_document
from cablegram.format.sources.document import LineMap
from cablegram.format.validate import validate


def test_line_map_runs() -> None:
    m = LineMap.of([3, 4, 5, 9, 9, 9, 10])
    assert [m.line(i) for i in range(7)] == [3, 4, 5, 9, 9, 9, 10]
    assert LineMap().line(0) == 1 and LineMap.fixed(7).line(40) == 7


def test_telegram_elements_are_on_their_own_lines() -> None:
    text = (
        "\nVZCZCXYZ0000\nOO RUEHWEB\nDE RUEHKL #1376 2530936\nZNR UUUUU ZZH\nO 100936Z SEP 07\n"
        "FM AMEMBASSY KUALA LUMPUR\nTO RUEHC/SECSTATE WASHDC IMMEDIATE 9927\n"
        "UNCLAS KUALA LUMPUR 001376\n\nSIPDIS\n\nE.O. 12958: N/A\nTAGS: PREL\n"
        "SUBJECT: MALAYSIA: A TEST\n\nREF: A. STATE 126167\nB. STATE 1\n\n1. Text.\n\n2. More.\nSMITH\n"
    )
    lines = parse(text).source.lines
    expected = {"FL1": 2, "FL2": 3, "FL3": 4, "FL4": 5, "FL5": 6, "FM": 7, "TO.0": 8}
    expected |= {"CLASS": 9, "CAPTION.0": 11, "EO": 13, "TAGS": 14, "SUBJECT": 15}
    expected |= {"REF.0": 17, "REF.1": 18, "PARA.0": 20, "PARA.1": 22, "SIGN": 23}
    assert lines == expected


def test_markup_line_breaks_stay_on_their_file_line() -> None:
    # A scraped extract: <br> breaks are not line ends of the file.
    text = "<code><pre>S E C R E T ALMATY 002872<br>TAGS: PREL<br>\nSUBJECT: X\n\n1. (S) A.</pre>"
    (cable,) = read(text.encode())
    assert cable.tags == ("PREL",)
    assert [cable.source.lines[k] for k in ("CLASS", "TAGS", "SUBJECT", "PARA.0")] == [1, 1, 2, 4]


def _folded(line: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", line.upper())


def _holds(where: dict[str, int], file_lines: list[str], key: str, written: str) -> bool:
    line = where.get(key)
    return line is None or _folded(written) in _folded(file_lines[line - 1])


def test_dev_cables_place_their_fields_on_the_lines_that_hold_them(corpus: Path) -> None:
    """In every dev file, the located line holds what the field was read from."""
    checked = 0
    for cable in read(corpus / "dev", on_error=lambda error: None):
        assert cable.source.path is not None
        data = Path(cable.source.path).read_bytes()
        # A PDF has no lines of its own: lines count in its extracted text.
        text = pdf_document(data, None).text if is_pdf(data) else data.decode("utf-8", "replace")
        file_lines = text.split("\n")
        holds = partial(_holds, cable.source.lines, file_lines)
        assert cable.eo is None or holds("EO", cable.eo.order or ""), cable.source.path
        assert not cable.tags or holds("TAGS", cable.tags[0].split()[0]), cable.source.path
        assert cable.serial is None or holds("CLASS", str(cable.serial)), cable.source.path
        for k, p in enumerate(cable.paragraphs[:3]):
            assert holds(f"PARA.{k}", p.text.split()[0] if p.text.split() else ""), (
                cable.source.path,
                k,
            )
        for k, a in enumerate(cable.to):
            assert holds(f"TO.{k}", a.name.split()[-1]), cable.source.path
        checked += 1
    assert checked > 800


def test_findings_of_a_read_cable_point_into_its_file(corpus: Path) -> None:
    path = corpus / "dev" / "cables-csv-rows" / "04YEREVAN1107.csv"
    (cable,) = read(path)
    [finding] = [f for f in validate(cable) if f.code == "R21"]
    assert finding.line == 10
