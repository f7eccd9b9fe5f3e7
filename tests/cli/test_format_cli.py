"""The format commands, driven as a user would: files in, lines out, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from cablegram.cli import main
from cablegram.lexicon import data_path

SEEDS = Path(data_path("examples")) / "seeds"
SCHEMA = json.loads(Path(data_path("cable.schema.json")).read_text())


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_parse_json_emits_one_schema_object_per_cable(runner: CliRunner) -> None:
    result = runner.invoke(main, ["parse", "--json", *map(str, sorted(SEEDS.glob("*.txt")))])
    assert result.exit_code == 0, result.output
    objs = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(o["id"] for o in objs) == ["06ALMATY1703", "06ALMATY2872"]
    for o in objs:
        jsonschema.validate(o, SCHEMA)
        assert o["source"]["path"].endswith(o["id"] + ".txt")


def test_parse_reports_non_cable_and_keeps_going(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("Shopping list: eggs, milk, bread.\n")
    good = tmp_path / "cable.txt"
    good.write_bytes((SEEDS / "06ALMATY1703.txt").read_bytes())
    result = runner.invoke(main, ["parse", str(bad), str(good)])
    assert result.exit_code == 1
    assert "notes.txt" in result.stderr
    assert "06ALMATY1703" in result.stdout


def test_parse_missing_file_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["parse", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "nope.txt" in result.stderr and "no such file" in result.stderr


def test_parse_reads_stdin(runner: CliRunner) -> None:
    data = (SEEDS / "06ALMATY2872.txt").read_bytes()
    result = runner.invoke(main, ["parse", "--json", "-"], input=data)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "06ALMATY2872"


def test_render_writes_telegram_text_that_parses_back(runner: CliRunner, tmp_path: Path) -> None:
    parsed = runner.invoke(main, ["parse", "--json", str(SEEDS / "06ALMATY2872.txt")])
    draft = tmp_path / "c.json"
    draft.write_text(parsed.stdout)
    rendered = runner.invoke(main, ["render", str(draft)])
    assert rendered.exit_code == 0, rendered.output
    text = rendered.stdout
    assert text.lstrip().startswith("VZCZC")
    assert "S E C R E T" in text and "ALMATY 002872" in text
    again = runner.invoke(main, ["parse", "--json", "-"], input=text.encode())
    obj = json.loads(again.stdout)
    assert obj["id"] == "06ALMATY2872"
    assert obj["subject"] == json.loads(parsed.stdout)["subject"]


def test_render_rejects_bad_json_with_file_and_line(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "06ALMATY1"}\n{oops\n')
    result = runner.invoke(main, ["render", str(bad)])
    assert result.exit_code != 0
    assert "bad.json:2" in result.output


def test_validate_prints_findings_and_fails_on_errors(runner: CliRunner, tmp_path: Path) -> None:
    parsed = json.loads(
        runner.invoke(main, ["parse", "--json", str(SEEDS / "06ALMATY2872.txt")]).stdout
    )
    # A SECRET cable whose E.O. line says N/A breaks a release rule (FORMAT.md R10).
    parsed["eo"] = {"order": "12958", "declassify_on": None, "text": "N/A"}
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(parsed))
    result = runner.invoke(main, ["validate", str(draft)])
    assert result.exit_code == 1
    lines = [ln for ln in result.stdout.splitlines() if " error: " in ln]
    assert lines, result.stdout
    assert all(ln.startswith(str(draft) + ":") for ln in lines)
    assert any(" R10 " in ln or "E.O." in ln for ln in lines), lines


def test_validate_clean_seed_passes(runner: CliRunner) -> None:
    result = runner.invoke(main, ["validate", "--no-warnings", str(SEEDS / "06ALMATY1703.txt")])
    assert result.exit_code == 0, result.stdout


def test_parse_directory_reports_the_files_that_are_not_cables(runner: CliRunner) -> None:
    # The seeds folder also holds the expected-field JSON files: not cables.
    result = runner.invoke(main, ["parse", str(SEEDS)])
    assert result.exit_code == 1
    assert "06ALMATY1703.expected.json" in result.stderr
    assert {line.split("\t")[0] for line in result.stdout.splitlines()} == {
        "06ALMATY1703",
        "06ALMATY2872",
    }


@pytest.mark.parametrize(
    ("name", "code", "line", "written"),
    [
        # E.O. 12598 is a typo for 12958 (R21), on line 10 of the csv row.
        ("cables-csv-rows/04YEREVAN1107.csv", "R21", 10, "E.O. 12598: N/A"),
        # A (S) paragraph in a CONFIDENTIAL cable (R08), on line 32.
        ("cables-csv-rows/04MANAMA430.csv", "R08", 32, "3.  (S) Bahrain"),
        # Declassified the day before it was sent (R11), on line 7.
        ("cables-csv-rows/99PRETORIA12830.csv", "R11", 7, "E.O. 12958: DECL:  10/21/99"),
    ],
)
def test_validate_points_at_the_line_of_the_input_file(
    runner: CliRunner, corpus: Path, name: str, code: str, line: int, written: str
) -> None:
    path = corpus / "dev" / name
    result = runner.invoke(main, ["validate", str(path)])
    found = [ln for ln in result.stdout.splitlines() if f": {code} " in ln]
    assert found == [f"{path}:{line}: {code} " + found[0].split(f": {code} ", 1)[1]], result.stdout
    file_line = path.read_text(encoding="utf-8").split("\n")[line - 1]
    assert written in file_line


def test_validate_cites_the_lines_of_a_json_draft(runner: CliRunner, tmp_path: Path) -> None:
    """A finding on a draft points at the line of the JSON file that holds the field."""
    parsed = json.loads(
        runner.invoke(main, ["parse", "--json", str(SEEDS / "06ALMATY2872.txt")]).stdout
    )
    parsed["eo"] = {"order": "12958", "declassify_on": None, "text": "N/A"}  # R10
    parsed["tags"] = ["KZ"]  # R16: no subject or program tag
    draft = tmp_path / "draft.json"
    text = json.dumps(parsed, indent=2)
    draft.write_text(text)
    lines = text.split("\n")
    eo_line = next(i for i, ln in enumerate(lines, 1) if ln.startswith('  "eo"'))
    tags_line = next(i for i, ln in enumerate(lines, 1) if ln.startswith('  "tags"'))
    result = runner.invoke(main, ["validate", "--json", str(draft)])
    findings = [json.loads(ln) for ln in result.stdout.splitlines()]
    by_code = {f["code"]: f for f in findings}
    assert by_code["R10"]["line"] == eo_line
    assert by_code["R16"]["line"] == tags_line


def test_validate_names_the_field_a_draft_does_not_hold(runner: CliRunner) -> None:
    from dataclasses import replace

    from cablegram.format.drafts import read_drafts
    from cablegram.format.validate import validate

    out = runner.invoke(main, ["parse", "--json", str(SEEDS / "06ALMATY2872.txt")]).stdout
    parsed = json.loads(out)
    parsed["eo"] = {"order": "12958", "declassify_on": None, "text": "N/A"}  # R10
    (cable,) = read_drafts(json.dumps(parsed), "d.json")
    assert cable.source.format == "cable-json"
    assert cable.source.lines["EO"] == 1  # one line of JSON: every field on line 1
    (r10,) = [f for f in validate(cable) if f.code == "R10"]
    assert r10.line == 1 and "(field" not in r10.message
    # Without a place for the E.O. line the finding names the field, not a rendered line.
    lines = {k: v for k, v in cable.source.lines.items() if k != "EO"}
    unplaced = replace(cable, source=replace(cable.source, lines=lines))
    (r10,) = [f for f in validate(unplaced) if f.code == "R10"]
    assert r10.line is None and r10.message.endswith("(field eo)")


def test_parse_json_writes_values_orjson_refuses(runner: CliRunner, tmp_path: Path) -> None:
    # A hostile cables.csv row number past 64 bits and a lone surrogate from a
    # "\ud800" escape in a first-release JSON body: each cable is still one
    # valid UTF-8 JSON line holding the value (orjson refuses both; json writes them).
    seed = (SEEDS / "06ALMATY1703.txt").read_text()
    body = json.dumps(seed.replace("SUBJECT:", "SUBJECT: \ud800", 1))  # the escape, ASCII
    (tmp_path / "release.json").write_text(
        '{"_id": "06ALMATY1703", "date_time": "2006-06-01 10:00", "body": ' + body + "}"
    )
    row = b'"123456789012345678901234567890","6/1/2006 10:00","06ALMATY1703","Embassy Almaty",'
    row += b'"CONFIDENTIAL","","","' + seed.replace('"', '\\"').encode() + b'"\n'
    (tmp_path / "row.csv").write_bytes(row)
    result = runner.invoke(main, ["parse", "--json", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout_bytes.splitlines()
    assert len(lines) == 2
    objs = [json.loads(line.decode("utf-8")) for line in lines]  # strict UTF-8
    by_format = {o["source"]["format"]: o for o in objs}
    metadata = by_format["cablegate-csv"]["source"]["metadata"]
    assert metadata["rownum"] == 123456789012345678901234567890
    assert "\ud800" in by_format["cablegate-json"]["text"]
    for o in objs:
        assert o["id"] == "06ALMATY1703"
        jsonschema.validate(o, SCHEMA)


def test_json_lines_are_the_bytes_json_writes(dev_corpus: Path) -> None:
    # parse --json writes with orjson for speed; the bytes must be json's own
    # (compact separators, characters unescaped), so that either writer gives the same output.
    from cablegram.format.reader import read
    from cablegram.model import to_dict, to_json_line

    count = 0
    for cable in read(str(dev_corpus), on_error=lambda error: None):
        expected = json.dumps(to_dict(cable), ensure_ascii=False, separators=(",", ":")) + "\n"
        assert to_json_line(cable) == expected.encode("utf-8"), cable.source.path
        count += 1
    assert count >= 800


def test_parse_starts_without_the_libraries_it_does_not_use(tmp_path: Path) -> None:
    # `cablegram parse` over plain files loads neither the archive, the web
    # layer, the parse guard's process machinery, archive readers nor the
    # optional libraries (PDFium and ctypes load only for a PDF): start-up is most
    # of the cost of parsing a few files.
    import subprocess
    import sys

    cable = tmp_path / "cable.txt"
    cable.write_bytes((SEEDS / "06ALMATY1703.txt").read_bytes())
    script = (
        "import sys\n"
        "from cablegram.cli import main\n"
        f"sys.argv = ['cablegram', 'parse', '--json', {str(cable)!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout)["id"] == "06ALMATY1703"
    loaded = set(done.stderr.split())
    unwanted = {
        "cablegram.archive", "cablegram.web", "cablegram.network", "cablegram.format.bounded",
        "multiprocessing", "zipfile", "gzip", "sqlite3", "pypdfium2", "asyncio", "ctypes",
        "cablegram.format.sources.pdfium",
        "jsonschema", "pandas", "fastapi", "jinja2",
    }  # fmt: skip
    assert sorted(loaded & unwanted) == []
