"""Ingest lists directories as ``read(dir)`` does (format.sources.walk_files): a
link loop, a dangling link or a corrupt zip is a failure of its own and the
rest is ingested (issue 15 §4; it used to abort the whole ingest)."""

from __future__ import annotations

from pathlib import Path

from cablegram.archive import Archive

CABLE = b"UNCLAS ALMATY 001703\n\nTAGS: PREL\n\nSUBJECT: A TEST\n\n1. Text.\n"


def test_ingest_of_a_directory_with_loops_and_dangling_links(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(CABLE)
    (src / "dangling.txt").symlink_to(src / "nowhere")
    (src / "loop").symlink_to(src)
    (src / "self").symlink_to(src / "self")
    (src / "bad.zip").write_bytes(b"PK\x03\x04garbage")
    with Archive(str(tmp_path / "a.sqlite")) as archive:
        report = archive.ingest([str(src)], workers=1)
        assert report.counts.new == 1
        assert sorted(report.failures) == sorted([
            (f"{src}/bad.zip", "corrupt zip archive: File is not a zip file"),
            (f"{src}/dangling.txt", f"dangling symbolic link (to {src}/nowhere)"),
            (f"{src}/loop", "symbolic link loop (a directory already read)"),
            (f"{src}/self", "symbolic link loop"),
        ])  # fmt: skip


def test_ingest_keeps_a_document_over_the_time_limit_as_text(tmp_path: Path) -> None:
    """A document that takes longer than the limit (here: a limit nothing
    meets) is stored as its text with a defect, and the ingest goes on."""
    slow = ("UNCLASSIFIED\nSUBJECT: A LONG ONE\n\n1. " + "the quick brown fox. " * 50_000).encode()
    with Archive(tmp_path / "t.sqlite") as archive:
        report = archive.ingest([slow], workers=1, parse_seconds=0.0001)
        assert report.counts.new == 1 and report.counts.defects == {"PARSE_TIME_LIMIT": 1}
        (hit,) = archive.search("defect:PARSE_TIME_LIMIT").hits
        assert "quick brown fox" in (archive.get_dict(hit.id) or {})["text"]
        again = archive.ingest([b"UNCLASSIFIED\nSUBJECT: A SHORT ONE\n\n1. TEXT.\n"], workers=1)
        assert again.counts.new == 1 and "PARSE_TIME_LIMIT" not in again.counts.defects
