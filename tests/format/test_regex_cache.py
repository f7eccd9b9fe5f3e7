"""The saved regular expressions (cablegram._regex): a pattern built from the
saved code is the pattern re.compile builds; a stale, damaged or unwritable
file only means compiling as usual."""

from __future__ import annotations

import marshal
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cablegram import _regex

PATTERNS = [
    (r"^\s*(?P<cls>SECRET|CONFIDENTIAL)\s+(?P<origin>[A-Z ]+?)\s+0*(?P<serial>\d+)\s*$", 0),
    (r"END\s+(?:OF\s+)?SUMMARY\b", re.I),
    (r"(?:(?<![ \t])[ \t]+)?(DE R[A-Z]{3,5} #)", 0),
    (r"""\( ?(?P<mark>[A-Z/]{1,8}) ?\)  # a portion mark""", re.X | re.M),
    (rb"\r\n?", 0),
]


@pytest.fixture
def cache_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "regex.marshal"
    monkeypatch.setattr(_regex, "_path", lambda: str(path))
    monkeypatch.setattr(_regex, "_entries", None)
    monkeypatch.setattr(_regex, "_missed", [])
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr("atexit.register", lambda f: None)  # saved by the test
    return path


def test_a_saved_pattern_is_the_pattern_re_compiles(cache_file: Path) -> None:
    for pattern, flags in PATTERNS:
        assert _regex.compile(pattern, flags) == re.compile(pattern, flags)
    _regex._save()
    mark, entries = marshal.loads(cache_file.read_bytes())
    assert mark == _regex._MARK and len(entries) == len(PATTERNS)
    _regex._entries = None  # a new process: built from the file
    for pattern, flags in PATTERNS:
        built = _regex.compile(pattern, flags)
        assert built == re.compile(pattern, flags)
        assert built.groupindex == re.compile(pattern, flags).groupindex
    assert not _regex._missed  # nothing compiled: nothing to save
    m = _regex.compile(*PATTERNS[0]).match("CONFIDENTIAL LA PAZ 0430")
    assert m is not None and (m["origin"], m["serial"]) == ("LA PAZ", "430")


def test_stale_or_damaged_files_are_ignored(cache_file: Path) -> None:
    pattern, flags = PATTERNS[1]
    for content in (
        b"not marshal",
        marshal.dumps((("cablegram-regex", 0), {(pattern, int(flags)): (0, [1, 2], 0, {}, ())})),
        marshal.dumps((_regex._MARK, {(pattern, int(flags)): (int(flags), [99999], 0, {}, ())})),
    ):
        cache_file.write_bytes(content)
        _regex._entries = None
        assert _regex.compile(pattern, flags) == re.compile(pattern, flags)


def test_nothing_is_written_without_bytecode(
    cache_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    _regex.compile(r"NOT SAVED \d+", 0)
    assert not _regex._missed
    _regex._save()
    assert not cache_file.exists()


def test_the_reader_loads_from_the_saved_file(tmp_path: Path, dev_corpus: Path) -> None:
    # Two processes with a cache directory of their own: the second one
    # compiles nothing and reads the same cable.
    cable = dev_corpus / "text-acp127"
    script = (
        "import sys\n"
        "from cablegram import _regex\n"
        "from cablegram.format.reader import read\n"
        f"cables = list(read({str(cable)!r}))\n"
        "print(len(_regex._missed), cables[0].id)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPYCACHEPREFIX": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    second = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    missed_first, id_first = first.stdout.split()
    missed_second, id_second = second.stdout.split()
    assert int(missed_first) > 50 and int(missed_second) == 0
    assert id_first == id_second
