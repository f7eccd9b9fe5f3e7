"""The summary: its text without label and end marker, whatever heads it (§2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cablegram.format.reader import read


@pytest.mark.parametrize(
    ("file", "start", "end"),
    [
        # "-------\nSUMMARY\n-------" over paragraph 1
        (
            "cables-csv-rows/04YEREVAN2349.csv",
            "The GOAM hopes to announce",
            "international assistance.",
        ),
        (
            "cables-csv-rows/04CARACAS714.csv",
            "The rise in political tensions",
            "ground transportation.",
        ),
        # a rule heading, then "Begin summary: ... End summary." in the paragraph
        ("cables-csv-rows/03SANAA1454.csv", "On June 17, Under Secretary", "with a viable option."),
        # "1. Summary and Action Request:" / "SUMMARY AND INTRODUCTION."
        ("cables-csv-rows/03GUATEMALA307.csv", "Post requests circular 175", "2004 time frame."),
        ("cables-csv-rows/04BRASILIA2905.csv", "ON NOVEMBER 4, AMBASSADOR", "ON THESE MATTERS."),
        # "Summary/Comment: Almost Showtime" over a rule
        (
            "cables-csv-rows/04PANAMA995.csv",
            "Presidential candidates staged",
            "vice-presidential winners.",
        ),
        # "SUMMARY AND ACTION REQUEST" over a rule
        ("cablegate-html/10STATE4108.html", "The Department requests", "beginning in mid-2011."),
        # "Summary -------" run onto the Classified By line
        (
            "text-body-html-residue/08GUATEMALA867.txt",
            "During the Ambassador's July 8",
            "as a result.",
        ),
        # "SUMMARY /------" then paragraphs through END SUMMARY
        (
            "cables-csv-rows/91MOSCOW13989.csv",
            "DURING A MAY 13-16 TRIP",
            "FOREIGN POLICY (SEPTEL).",
        ),
    ],
)
def test_summary_of_real_cables(dev_corpus: Path, file: str, start: str, end: str) -> None:
    (cable,) = list(read(dev_corpus / file))
    assert cable.summary is not None
    assert cable.summary.startswith(start) and cable.summary.endswith(end), cable.summary[:80]
    assert "END SUMMARY" not in cable.summary.upper() and "---" not in cable.summary
