"""The primary copy of a cable held in several copies (issue 13 §3): a damaged
copy whose text goes on with another cable is kept, flagged, never primary."""

from __future__ import annotations

import shutil
from pathlib import Path

from cablegram.archive import Archive


def test_a_copy_that_goes_on_with_another_cable_is_never_primary(
    dev_corpus: Path, tmp_path: Path
) -> None:
    # The 2011 WikiLeaks page of 73TEHRAN8233 breaks off after paragraph 1 and
    # continues with a 2008 cable from The Hague; cables.csv holds it whole.
    # The damaged copy is read first (sorted folder names), as in a real ingest.
    src = tmp_path / "in"
    (src / "a-damaged").mkdir(parents=True)
    (src / "b-whole").mkdir()
    shutil.copy(dev_corpus / "cablegate-html-2011" / "73TEHRAN8233.html", src / "a-damaged")
    shutil.copy(dev_corpus / "cables-csv-rows" / "73TEHRAN8233.csv", src / "b-whole")
    with Archive(tmp_path / "a.sqlite") as archive:
        report = archive.ingest([src], workers=1)
        assert (report.counts.new, report.counts.merged) == (1, 1)
        copies = archive.copies("73TEHRAN8233")
        assert [(Path(c.path or "").parent.name, c.primary) for c in copies] == [
            ("a-damaged", False),
            ("b-whole", True),
        ]
        cable = archive.get("73TEHRAN8233")
        assert cable is not None
        assert cable.signers != ("Schofer",) and "Noland" not in cable.text
        assert "SHAH REPLIED" in cable.text
        # Search finds the cable by its own words, not by the foreign text's.
        assert [h.id for h in archive.search("Noland").hits] == []
        assert [h.id for h in archive.search("corruption").hits] == ["73TEHRAN8233"]
        assert archive.search("defect:FOREIGN_TEXT").total == 0  # the primary is sound


def test_the_damaged_copy_alone_is_primary_and_flagged(dev_corpus: Path, tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite") as archive:
        archive.ingest([dev_corpus / "cablegate-html-2011" / "73TEHRAN8233.html"], workers=1)
        cable = archive.get("73TEHRAN8233")
        assert cable is not None
        [defect] = [d for d in cable.defects if d.code == "FOREIGN_TEXT"]
        assert "THE HAGUE 000174" in defect.message and defect.line == 15
        assert cable.text.split("\n")[defect.line - 1].startswith("S E C R E T THE HAGUE")
        assert archive.search("defect:FOREIGN_TEXT").total == 1


def test_aad_printouts_ingest_beside_their_text_extracts(dev_corpus: Path, tmp_path: Path) -> None:
    """A PDF is ingested like any other file: each printout and its text extract
    are two copies of one cable."""
    with Archive(tmp_path / "a.sqlite") as archive:
        report = archive.ingest(
            [dev_corpus / "aad-pdf-1970s", dev_corpus / "aad-text-1970s"], workers=1
        )
        assert (report.counts.new, report.counts.merged, report.failures) == (12, 12, [])
        copies = archive.copies("74LAPAZ430")
        assert sorted(c.format for c in copies) == ["aad-pdf", "telegram"]
        cable = archive.get("74LAPAZ430")
        assert cable is not None and cable.signers == ("STEDMAN",)
        assert [h.id for h in archive.search("PAN DE BATALLA").hits] == ["74LAPAZ430"]
