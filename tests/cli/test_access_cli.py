"""``cablegram user | declass | audit | policy`` and ``--as`` / ``--release-to``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cablegram.archive import Archive
from cablegram.cli import main
from cablegram.format.render import render
from cablegram.model import from_dict

SECRET = from_dict({
    "id": "09STATE2001", "origin": "STATE", "serial": 2001, "created": "2009-03-01T10:00:00Z",
    "classification": "SECRET", "tags": ["PREL"], "subject": "(S) QQSUBJECT OF THE SECRET",
    "eo": {"order": "12958", "text": "DECL: 03/01/2019", "declassify_on": "2019-03-01"},
    "paragraphs": [
        {"number": 1, "marking": "S", "text": "Qqwithheld text of the first paragraph."},
        {"number": 2, "marking": "U", "text": "Qqreleased text of the second paragraph."},
    ],
})  # fmt: skip


@pytest.fixture
def archive_file(tmp_path: Path) -> str:
    path = str(tmp_path / "a.sqlite")
    with Archive(path) as archive:
        archive.ingest([render(SECRET).encode()], workers=1)
    return path


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def test_user_commands_and_reading_as_a_user(archive_file: str) -> None:
    a = ["--archive", archive_file]
    code, out, _ = run("user", "add", "alice", "--clearance", "confidential", *a)
    assert code == 0 and "alice" in out and "CONFIDENTIAL" in out
    assert run("user", "add", "alice", *a)[0] == 1  # taken
    code, out, _ = run("search", "qqreleased", "--as", "alice", *a)
    assert code == 0 and "0 cables match" in out  # a SECRET cable: alice is CONFIDENTIAL
    assert run("show", "09STATE2001", "--as", "alice", *a)[0] == 1
    run("user", "set", "alice", "--clearance", "secret", *a)
    code, out, _ = run("show", "09STATE2001", "--as", "alice", *a)
    assert code == 0 and "Qqwithheld" in out
    code, out, _ = run("user", "list", "--json", *a)
    users = json.loads(out)
    assert users[0]["name"] == "alice" and users[0]["clearance"] == "SECRET"
    assert "password_hash" not in out
    assert run("search", "x", "--as", "nobody", *a)[0] == 2  # unknown user: clear error
    run("user", "remove", "alice", *a)
    assert json.loads(run("user", "list", "--json", *a)[1]) == []


def test_password_is_read_from_stdin_never_argv(archive_file: str) -> None:
    code, out, _ = run("user", "add", "bob", "--password", "--archive", archive_file,
                       input="hunter22\n")  # fmt: skip
    assert code == 0 and "password set" in out
    with Archive(archive_file) as archive:
        assert archive.users.authenticate("bob", "hunter22") is not None


def test_release_to_withholds_portions_above_the_level(archive_file: str) -> None:
    code, out, _ = run("show", "09STATE2001", "--release-to", "unclassified",
                       "--archive", archive_file)  # fmt: skip
    assert code == 0
    assert "(S) withheld under" in out
    assert "Qqwithheld" not in out and "Qqreleased" in out
    code, out, _ = run("show", "09STATE2001", "--release-to", "unclassified", "--json",
                       "--archive", archive_file)  # fmt: skip
    assert "Qqwithheld" not in out and "QQSUBJECT" not in out


def test_declass_queue_decision_report_and_audit(archive_file: str) -> None:
    a = ["--archive", archive_file]
    code, out, _ = run("declass", "due", "--on", "2026-01-01", "--json", *a)
    assert [i["id"] for i in json.loads(out)] == ["09STATE2001"]
    assert run("show", "09STATE2001", "--as", "public", *a)[0] == 1
    code, out, _ = run("declass", "decide", "09STATE2001", "release-in-part",
                       "--reason", "1.4(d)", *a)  # fmt: skip
    assert code == 0 and "release-in-part" in out
    code, out, _ = run("show", "09STATE2001", "--as", "public", *a)
    assert code == 0 and "Qqreleased" in out and "Qqwithheld" not in out
    code, out, _ = run("search", "qqwithheld", "--as", "public", *a)
    assert "0 cables match" in out
    code, out, _ = run("declass", "report", "--json", *a)
    assert json.loads(out)["total"]["released_in_part"] == 1
    code, out, _ = run("declass", "status", "09STATE2001", "--on", "2026-01-01", *a)
    assert "declassified" in out and "release-in-part" in out
    code, out, _ = run("audit", "--json", *a)
    actions = [e["action"] for e in json.loads(out)]
    assert "declass-decide" in actions
    assert run("declass", "decide", "09STATE2001", "release", "--reason", "x", "--as", "public",
               *a)[0] == 1  # fmt: skip


def test_policy_command(archive_file: str) -> None:
    a = ["--archive", archive_file]
    assert "off" in run("policy", *a)[1]
    code, out, _ = run("policy", "--partial-release-search", *a)
    assert code == 0 and "on" in out
    run("user", "add", "carl", "--clearance", "unclassified", "--sbu", *a)
    code, out, _ = run("search", "qqreleased", "--as", "carl", *a)
    assert "1 cable matches" in out
    code, out, _ = run("search", "qqwithheld", "--as", "carl", *a)
    assert "0 cables match" in out
