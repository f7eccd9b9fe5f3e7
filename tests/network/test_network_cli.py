"""``cablegram draft validate`` and ``cablegram directory export``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cablegram.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


def test_draft_validate_points_at_the_json_line(tmp_path):
    data = json.loads((FIXTURES / "06ALMATY2872.draft.json").read_text())
    data["tags"] = ["KAWC", "KZ"]
    data["info"].append({"name": "AMEMBASSY ATLANTIS"})
    path = tmp_path / "draft.json"
    path.write_text(json.dumps(data, indent=2))
    lines = path.read_text().splitlines()
    result = CliRunner().invoke(main, ["draft", "validate", str(path), "--on", "2006-08-10"])
    assert result.exit_code == 1
    out = result.output.splitlines()
    n03 = next(line for line in out if " N03 " in line)
    line = int(n03.split(":")[1])
    assert lines[line - 1].strip().startswith('"tags"')
    assert any(
        "N04 error: AMEMBASSY ATLANTIS is not in the directory on 2006-08-10 (info[3])" in x
        for x in out
    )
    ok = CliRunner().invoke(
        main,
        [
            "draft",
            "validate",
            str(FIXTURES / "06ALMATY2872.draft.json"),
            "--on",
            "2006-08-10",
            "--json",
        ],
    )
    assert ok.exit_code == 0 and ok.output == ""


def test_directory_export_round_trips(tmp_path):
    first = CliRunner().invoke(main, ["directory", "export"])
    assert first.exit_code == 0 and first.output.startswith("entry,address,origin,routing")
    assert "station,AMEMBASSY ALMATY,ALMATY,RUEHTA@..2007-12-31,embassy,Asia/Almaty" in first.output
    path = tmp_path / "dir.csv"
    path.write_text(first.output)
    again = CliRunner().invoke(main, ["directory", "export", "--directory", str(path)])
    assert again.output == first.output
