"""reader.read: iter_documents + parse, errors named by file and locator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cablegram.format import reader
from cablegram.model import Defect, NotACableError

DEV = Path("/work/shared/corpus/dev")
SEEDS = Path("/work/shared/corpus/seeds")

ROW = (DEV / "cables-csv-rows" / "00BEIRUT4016.csv").read_bytes() if DEV.is_dir() else b""


def fake_parse(
    text: str, *, source: Any = None, defects: Any = (), line_map: Any = None
) -> dict[str, Any]:
    if "NOT A CABLE" in text:
        raise NotACableError("no cable structure")
    return {"text": text, "source": source, "defects": tuple(defects), "line_map": line_map}


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "parse", fake_parse)


@pytest.mark.usefixtures("parsed")
def test_read_passes_source_and_source_defects_to_parse() -> None:
    (cable,) = list(reader.read(DEV / "cablegate-html" / "05ISTANBUL890.html"))
    source = cable["source"]  # type: ignore[index]
    assert source.format == "wikileaks-html"
    assert source.path.endswith("05ISTANBUL890.html")
    assert source.metadata["id"] == "05ISTANBUL890"
    assert [d.code for d in cable["defects"]] == ["PARTIAL_EXTRACT"]  # type: ignore[index]
    assert all(isinstance(d, Defect) for d in cable["defects"])  # type: ignore[index]


@pytest.mark.usefixtures("parsed")
def test_read_errors_name_file_and_row_and_continue_with_on_error() -> None:
    bad_row = b'"2","1/2/1988 12:58","x"\n'
    not_a_cable = ROW.replace(b"C O N F I D E N T I A L", b"NOT A CABLE", 1)
    data = ROW + b"\n" + bad_row + not_a_cable + b"\n" + ROW
    errors: list[NotACableError] = []
    cables = list(reader.read(data, path="dump.csv", on_error=errors.append))
    assert len(cables) == 2
    lines = data.split(b"\n")
    second_copy = next(i for i, line in enumerate(lines, 1) if line.startswith(b'"1321"') and i > 1)
    bad_line = ROW.count(b"\n") + 2
    assert [e.path for e in errors] == [
        f"dump.csv:line {bad_line}",
        f"dump.csv:line {second_copy}",
    ]
    assert errors[1].reason == "no cable structure"


@pytest.mark.usefixtures("parsed")
def test_read_raises_without_on_error() -> None:
    with pytest.raises(NotACableError) as raised:
        list(reader.read(b"", path="empty.txt"))
    assert raised.value.path == "empty.txt"


def test_read_real_seed_cables() -> None:
    errors: list[NotACableError] = []
    cables = list(reader.read(SEEDS, on_error=errors.append))
    assert sorted(Path(e.path or "").name for e in errors) == [
        "06ALMATY1703.expected.json",
        "06ALMATY2872.expected.json",
    ]
    assert [c.source.format for c in cables] == ["web-text", "web-text"]
    assert [c.id for c in cables] == ["06ALMATY1703", "06ALMATY2872"]
