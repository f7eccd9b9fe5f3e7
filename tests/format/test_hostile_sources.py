"""Reading hostile files costs bounded memory and ends in clear errors (issue 15
§2 and §4): bombs, endless streams, huge sparse files, nested and corrupt
archives, link loops and dangling links, unreadable entries.

Memory is bounded by construction (nothing is read past a limit); these tests
check that each limit is met with a ``NotACableError`` naming the file or member
and the limit, and that everything else in the input is still read.  Bombs are
built in the test's temporary directory (nothing big is committed);
benchmarks/hostile.py prints the peak memory they cost.
"""

from __future__ import annotations

import errno
import gzip
import io
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from cablegram import parse, read
from cablegram.cli import main
from cablegram.format.sources import SourceLimits, walk_files
from cablegram.model import NotACableError

CABLE = b"UNCLAS ALMATY 001703\n\nTAGS: PREL\n\nSUBJECT: A TEST\n\n1. Text.\n"
MB = 1 << 20


def read_all(src, **kw) -> tuple[list, list[str]]:  # type: ignore[no-untyped-def]
    errors: list[NotACableError] = []
    cables = list(read(src, on_error=errors.append, **kw))
    return cables, [str(e) for e in errors]


def test_bad_zip_magic_is_not_a_cable() -> None:
    with pytest.raises(NotACableError, match="corrupt zip archive"):
        list(read(b"PK\x03\x04garbage"))


def test_gzip_nested_2000_deep_is_refused_without_recursion() -> None:
    data = CABLE
    for _ in range(2000):
        data = gzip.compress(data, 1)
    cables, errors = read_all(data, path="deep.gz")
    assert cables == [] and len(errors) == 1
    assert errors[0].startswith("deep.gz: archives nested more than 4 deep")


def test_newline_entities_without_semicolons_do_not_crash_parse() -> None:
    with pytest.raises(NotACableError):
        parse("\r&#xA;&#xA")
    assert parse("\rTAGS: X&#10&NewLine;\r1. Text").tags == ("X",)


def test_endless_zeros_are_rejected_from_a_sample() -> None:
    cables, errors = read_all("/dev/zero")
    assert cables == [] and errors == ["/dev/zero: binary data, not text"]


def test_a_huge_sparse_file_is_rejected_without_reading_it(tmp_path: Path) -> None:
    sparse = tmp_path / "sparse.txt"
    with open(sparse, "wb") as f:
        f.truncate(2 << 30)  # 2 GB of zeros, no disk used
    _cables, errors = read_all(str(sparse))
    assert errors == [f"{sparse}: binary data, not text"]


def test_an_endless_text_stream_stops_at_the_document_limit() -> None:
    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer):  # type: ignore[no-untyped-def]
            buffer[:] = b"A" * len(buffer)
            return len(buffer)

    limits = SourceLimits(document=2 * MB)
    _cables, errors = read_all(io.BufferedReader(Endless()), path="<stdin>", limits=limits)
    assert errors == ["<stdin>: document larger than 2 MB (the limit of one document; "
                      "CABLEGRAM_MAX_DOCUMENT changes it)"]  # fmt: skip


def _zip_bomb(path: Path, size: int) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("bomb.txt", "w") as member:
            for _ in range(size // MB):
                member.write(b" " * MB)
        zf.writestr("good.txt", CABLE)


def test_a_zip_bomb_member_is_refused_by_its_ratio_and_the_rest_read(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    _zip_bomb(bomb, 256 * MB)
    cables, errors = read_all(str(bomb))
    assert [c.subject for c in cables] == ["A TEST"]  # the other member
    assert len(errors) == 1 and errors[0].startswith(f"{bomb}!bomb.txt: ")
    assert "times its compressed size" in errors[0] or "larger than" in errors[0]
    # The same archive as bytes and as a stream (stdin): the same answer.
    for src in (bomb.read_bytes(), open(bomb, "rb")):  # noqa: SIM115
        again, errs = read_all(src, path="<stdin>")
        assert [c.subject for c in again] == ["A TEST"] and errs[0].startswith("<stdin>!bomb.txt")


def test_a_gzip_bomb_is_refused_by_its_ratio(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.txt.gz"
    with gzip.open(bomb, "wb") as f:
        f.write(CABLE)
        for _ in range(200):
            f.write(b" " * MB)
    cables, errors = read_all(str(bomb))
    assert cables == [] and len(errors) == 1
    assert errors[0].startswith(f"{bomb}: decompresses more than 100 times its compressed size")


def test_member_limits_are_configurable(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", CABLE + b"\n" + b"x " * (512 * 1024))
    cables, errors = read_all(str(archive), limits=SourceLimits(member=64 * 1024))
    assert cables == [] and "decompressed member larger than 64 KB" in errors[0]
    monkeypatch.setenv("CABLEGRAM_MAX_DOCUMENT", "16K")
    cables, errors = read_all(str(archive))
    assert "document larger than 16 KB" in errors[0]


def test_a_corrupt_member_does_not_end_the_archive(tmp_path: Path) -> None:
    archive = tmp_path / "crc.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.txt", CABLE)
        zf.writestr("b.txt", CABLE.replace(b"A TEST", b"B TEST"))
    data = bytearray(archive.read_bytes())
    data[data.index(b"A TEST")] ^= 1  # a CRC error in the first member
    archive.write_bytes(bytes(data))
    cables, errors = read_all(str(archive))
    assert [c.subject for c in cables] == ["B TEST"]
    assert errors[0].startswith(f"{archive}!a.txt: cannot read")


def test_a_truncated_gzip_is_a_clear_error(tmp_path: Path) -> None:
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(gzip.compress(CABLE * 50)[:-20])
    _cables, errors = read_all(str(cut))
    assert errors and errors[-1].startswith(f"{cut}: cannot read")


# -- directories --
def _tree(root: Path) -> None:
    (root / "a.txt").write_bytes(CABLE)
    (root / "sub").mkdir()
    (root / "sub" / "b.txt").write_bytes(CABLE)
    (root / "dangling.txt").symlink_to(root / "nowhere")
    (root / "self").symlink_to(root / "self")
    (root / "loop").symlink_to(root)
    (root / "bad.zip").write_bytes(b"PK\x03\x04garbage")


def test_links_loops_and_corrupt_files_in_a_directory_are_reported(tmp_path: Path) -> None:
    _tree(tmp_path)
    cables, errors = read_all(str(tmp_path))
    assert len(cables) == 2  # a.txt and sub/b.txt, each once
    assert sorted(errors) == sorted([
        f"{tmp_path}/bad.zip: corrupt zip archive: File is not a zip file",
        f"{tmp_path}/dangling.txt: dangling symbolic link (to {tmp_path}/nowhere)",
        f"{tmp_path}/loop: symbolic link loop (a directory already read)",
        f"{tmp_path}/self: symbolic link loop",
    ])  # fmt: skip


def test_an_unlistable_subdirectory_is_reported_not_skipped(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.txt").write_bytes(CABLE)
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "b.txt").write_bytes(CABLE)
    real_scandir = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        # The tests run as root, whom no mode bit stops: the refusal is simulated.
        if str(path).endswith("locked"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    entries = list(walk_files(str(tmp_path)))
    assert entries[0] == f"{tmp_path}/a.txt"
    assert [str(e) for e in entries[1:]] == [f"{tmp_path}/locked: cannot read: permission denied"]


def test_unreadable_file_is_reported_and_the_rest_read(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.txt").write_bytes(CABLE)
    (tmp_path / "b.txt").write_bytes(CABLE)
    real_open = open

    def guarded(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith("a.txt"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", guarded)
    cables, errors = read_all(str(tmp_path))
    assert len(cables) == 1 and errors == [f"{tmp_path}/a.txt: cannot read: permission denied"]


def test_cablegram_parse_reports_bad_parts_and_parses_the_rest(tmp_path: Path) -> None:
    _tree(tmp_path)
    result = CliRunner().invoke(main, ["parse", str(tmp_path)])
    assert result.exit_code == 1  # documented: 1 when any input was not a cable
    assert result.stdout.count("A TEST") == 2
    assert f"cablegram: {tmp_path}/bad.zip: corrupt zip archive" in result.stderr
    assert f"cablegram: {tmp_path}/loop: symbolic link loop" in result.stderr
    assert "Traceback" not in result.output


def test_cablegram_parse_streams_stdin(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["parse", "-"], input=b"\0" * (4 * MB))
    assert result.exit_code == 1 and "cablegram: <stdin>: binary data, not text" in result.stderr
    ok = CliRunner().invoke(main, ["parse", "-"], input=CABLE)
    assert ok.exit_code == 0 and "A TEST" in ok.stdout
