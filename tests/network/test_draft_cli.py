"""The workflow on the command line: ``cablegram draft ...``, ``clear``,
``return``, ``release``, acting ``--as`` a user on an archive (each backend);
refusals print their message and exit 1 with nothing changed; ``--json``
prints what the library returns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cablegram
from cablegram.archive import Archive
from cablegram.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs" / "examples" / "network"
SEEDS = Path(cablegram.__file__).parent / "data" / "examples" / "seeds"


class Cli:
    def __init__(self, location: str) -> None:
        self.location = location

    def __call__(self, *args: str, code: int = 0, user: str | None = None) -> str:
        argv = [*args, "--archive", self.location, *(["--as", user] if user else [])]
        result = CliRunner().invoke(main, argv, catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result.output

    def json(self, *args: str, code: int = 0, user: str | None = None):  # type: ignore[no-untyped-def]
        return json.loads(self(*args, "--json", code=code, user=user))


@pytest.fixture
def cli(location: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.delenv("CABLEGRAM_NOW", raising=False)
    monkeypatch.delenv("CABLEGRAM_USER", raising=False)
    with Archive(location) as archive:
        for name in ("poloff", "polchief", "dcm"):
            archive.users.add(name, clearance="secret", sbu=True, stations=["RUEHTA"])
        archive.users.add("consular", clearance="unclassified", sbu=True)
    run = Cli(location)
    run("directory", "import", str(DOCS / "almaty.csv"))
    run("person", "add", "ambassador", "--station", "AMEMBASSY ALMATY", "--office", "EXEC",
        "--role", "approver", "--release-origin", "ALMATY", "--release-up-to", "secret",
        "--release-caption", "SIPDIS")  # fmt: skip
    with Archive(location) as archive:
        archive.users.add("ambassador", clearance="secret", sbu=True, stations=["RUEHTA"])
    run("clock", "2006-08-10T00:49Z")
    return run


def test_a_full_exchange(cli: Cli) -> None:
    assert cli("serial", "ALMATY", "--year", "2006", "--set", "2871").startswith(
        "ALMATY 2006: 0 -> 2871"
    )
    made = cli.json("draft", "new", str(DOCS / "06ALMATY2872.draft.json"),
                    "--clearance", "POL", "--clearance", "AMEMBASSY ALMATY:DCM", user="poloff")  # fmt: skip
    assert made["id"] == 1 and made["state"] == "draft" and made["findings"] == []
    assert {r["office"] for r in made["missing"]} == {"POL", "DCM"}
    assert "submitted" in cli("draft", "submit", "1", user="poloff")
    out = cli("release", "1", code=1, user="ambassador")
    assert "refused: draft 1 lacks required clearance(s): POL (asked by the drafter)" in out
    queue = cli.json("draft", "list", "--queue", user="polchief")
    assert [d["id"] for d in queue] == [1]
    assert cli("clear", "1", "--comment", "POL clears", user="polchief") == (
        "draft 1: cleared for POL by POL:POLCHIEF\n"
    )
    assert cli.json("clear", "1", "--draft", user="dcm")["mode"] == "draft"
    plan = cli.json("release", "1", "--plan", user="ambassador")
    assert (plan["mrn"], plan["de"], plan["refusals"]) == (
        "ALMATY 002872", "DE RUEHTA #2872 2220049", []
    )  # fmt: skip
    record = cli.json("release", "1", user="ambassador")
    assert record["cable_id"] == "06ALMATY2872" and record["dtg"] == "100049Z AUG 06"
    assert record["cleared_by"] == ["POL:POLCHIEF", "DCM:DCM (DRAFT)"]
    shown = cli("draft", "show", "1", user="poloff")
    assert "released as 06ALMATY2872" in shown and "cleared by polchief" in shown
    assert cli("show", "06ALMATY2872").startswith("S E C R E T ALMATY 002872")
    assert "06ALMATY2872" in cli("search", "detainees")
    # Released, it is delivered: the action addressee's inbox holds it.
    assert "06ALMATY2872" in cli("inbox", "SECSTATE WASHDC")
    # A released draft is final.
    out = cli("draft", "edit", "1", str(DOCS / "06ALMATY2872.draft.json"), "--version", "3",
              code=1, user="poloff")  # fmt: skip
    assert "draft 1 is released: it can no longer be edited" in out


def test_edit_show_return_withdraw_and_stale_versions(cli: Cli, tmp_path: Path) -> None:
    cli("draft", "new", str(DOCS / "06ALMATY1703.draft.json"), user="poloff")
    cable = json.loads(cli("draft", "show", "1", "--cable", user="poloff"))
    cable["subject"] = "KAZAKHSTAN: A NEW SUBJECT"
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(cable))
    edited = cli.json("draft", "edit", "1", str(path), "--version", "1", user="poloff")
    assert edited["version"] == 2 and edited["events"][-1]["action"] == "edited"
    assert cli.json("draft", "show", "1", user="poloff")["cable"]["subject"] == cable["subject"]
    stale = cli.json("draft", "edit", "1", str(path), "--version", "1", code=1, user="poloff")
    assert stale["refused"] == "stale" and "is at version 2, not 1" in stale["message"]
    cli("draft", "submit", "1", user="poloff")
    out = cli("return", "1", "--comment", "cite the MLA request", user="polchief")
    assert "returned" in out
    history = cli("draft", "show", "1", user="poloff")
    assert "returned  polchief (v4) — cite the MLA request" in history
    assert "withdrawn" in cli("draft", "withdraw", "1", user="poloff")
    assert cli("draft", "list", "--state", "withdrawn", user="poloff").endswith("1 draft\n")


def test_refusals_exit_1_with_their_message(cli: Cli) -> None:
    cli("draft", "new", str(DOCS / "06ALMATY2872.draft.json"), "--clearance", "POL",
        user="poloff")  # fmt: skip
    assert "Missing option '--as'" in cli("draft", "submit", "1", code=2)
    out = cli("draft", "new", str(DOCS / "06ALMATY2872.draft.json"), code=1, user="nobody")
    assert "nobody is not in the network directory" in out
    out = cli("clear", "1", code=1, user="polchief")
    assert "draft 1 is draft: only submitted drafts are cleared" in out
    cli("draft", "submit", "1", user="poloff")
    out = cli("clear", "1", code=1, user="poloff")
    assert "poloff is not a clearer" in out
    refusal = cli.json("release", "1", code=1, user="poloff")
    assert refusal == {"refused": "not-approver", "message": "poloff is not an approving officer"}
    # The consular officer cannot read a SECRET draft: for them it does not exist.
    assert "no draft 1" in cli("draft", "show", "1", code=1, user="consular")
    assert "ALMATY 2006: 0" in cli("serial", "ALMATY", "--year", "2006")
    cli("serial", "ALMATY", "--year", "2006", "--set", "10")
    out = cli("serial", "ALMATY", "--year", "2006", "--set", "9", code=1)
    assert "a serial is never reused, so the series cannot go back to 9" in out
    out = cli("directory", "import", str(DOCS / "almaty.csv"), code=1, user="poloff")
    assert "poloff may not change the directory" in out


def test_reply_repeat_correct_start_from_an_archive_cable(cli: Cli) -> None:
    with Archive(cli.location) as archive:
        archive.ingest([SEEDS / "06ALMATY1703.txt"])
    reply = cli.json("draft", "reply", "06ALMATY1703", user="poloff")
    assert reply["kind"] == "reply" and reply["cable"]["references"][0]["id"] == "06ALMATY1703"
    repeat = cli.json("draft", "repeat", "06ALMATY1703", "--to", "AMEMBASSY MOSCOW",
                      user="poloff")  # fmt: skip
    assert repeat["cable"]["paragraphs"][0]["text"].startswith("FOLLOWING ALMATY 001703 SENT")
    fix = cli("draft", "correct", "06ALMATY1703", "--reason", "para 3", user="poloff")
    assert "corrected copy of 06ALMATY1703" in fix


def test_directory_entries_on_the_command_line(cli: Cli) -> None:
    out = cli("station", "add", "AMEMBASSY ATLANTIS", "--origin", "ATLANTIS",
              "--ri", "RUEHAT@2006-01-01..", "--country", "AT", "--unnumbered")  # fmt: skip
    assert "RUEHAT@2006-01-01.." in out and "(unnumbered)" in out
    assert cli.json("station", "list", "--like", "atlantis")[0]["numbered"] == "no"
    cli("collective", "add", "ATLANTIC COLLECTIVE", "--ri", "RUCNATL", "--member", "RUEHAT")
    assert "RUEHAT" in cli("collective", "list", "--like", "atlantic")
    cli("office", "add", "AMEMBASSY ATLANTIS", "POL", "--name", "Political")
    assert cli.json("office", "list", "--like", "atlantis")[0]["office"] == "POL"
    assert "removed station AMEMBASSY ATLANTIS" in cli("station", "remove", "AMEMBASSY ATLANTIS")
    assert "no station AMEMBASSY ATLANTIS" in cli("station", "remove", "AMEMBASSY ATLANTIS", code=1)
    assert "removed person ambassador" in cli("person", "remove", "ambassador")
    assert "ambassador" not in cli("person", "list")
    out = cli("station", "add", "AMEMBASSY X", "--ri", "RUEHXX@2006", code=1)
    assert "a span is FROM..TO" in out
    out = cli("office", "add", "AMEMBASSY ALMATY", "ECON", code=1, user="poloff")
    assert "poloff may not change the directory" in out
