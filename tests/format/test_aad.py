"""NARA AAD printouts of 1970s telegrams (FORMAT §7.2), as PDF and as text:
the received-copy layout read into the cable's fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from cablegram.format.reader import read
from cablegram.model import Cable, Classification, to_dict


def _one(path: Path) -> Cable:
    (cable,) = list(read(path))
    return cable


@pytest.fixture(scope="module")
def pairs(dev_corpus: Path) -> list[tuple[Cable, Cable]]:
    out = []
    for pdf in sorted((dev_corpus / "aad-pdf-1970s").glob("*.pdf")):
        out.append((_one(pdf), _one(dev_corpus / "aad-text-1970s" / f"{pdf.stem}.txt")))
    assert len(out) == 12
    return out


def _fields(cable: Cable) -> dict[str, object]:
    d = to_dict(cable)
    for key in ("source", "text", "defects"):
        d.pop(key)
    return d


def test_pdf_and_text_of_a_printout_give_the_same_cable(pairs: list[tuple[Cable, Cable]]) -> None:
    for pdf, text in pairs:
        assert pdf.source.format == "aad-pdf"
        assert _fields(pdf) == _fields(text), pdf.source.path
        # The PDF's attributes may contradict the text (a defect); nothing else differs.
        codes = [d.code for d in pdf.defects if d.code != "SOURCE_ATTRIBUTE_DIFFERS"]
        assert codes == [d.code for d in text.defects]


def test_printouts_give_id_date_classification_and_signer(
    pairs: list[tuple[Cable, Cable]],
) -> None:
    for pdf, _ in pairs:
        number = pdf.source.metadata["document_number"]  # 1974LAPAZ00430
        assert pdf.id == f"{number[2:4]}LAPAZ{int(number[9:])}"
        assert pdf.created is not None and pdf.created[:4] == number[:4]
        assert pdf.classification is Classification.UNCLASSIFIED
        lou = pdf.source.metadata["original_classification"] == "LIMITED OFFICIAL USE"
        assert pdf.sbu is lou, pdf.id
        assert pdf.signers and pdf.signers[0] in {"STEDMAN", "BOEKER", "PARKER"}, pdf.id
        assert pdf.distribution[0].startswith("ACTION ") and "/" in pdf.distribution[1]
        assert pdf.eo is None or pdf.eo.order in ("11652", "12065")  # 05828 has none
        assert pdf.subject and pdf.paragraphs
        assert not [d for d in pdf.defects if d.code.startswith(("UNRECOGNIZED", "EMPTY"))]


def test_the_fields_of_printouts(dev_corpus: Path) -> None:
    """Per printout, the fields a historian reads first (FORMAT §7.2)."""
    expected = {
        "1974LAPAZ00430": ("74LAPAZ430", "GOB INCREASES WAGES AND SELECTED FOOD PRICES.", ("ECON", "BL"), ()),
        "1974LAPAZ00879": ("74LAPAZ879", "BOLIVIAN POSTAL DEBT", ("ETEL", "EFIN", "BL"),
                           (None, "73LAPAZ4350")),
        "1974LAPAZ05618": ("74LAPAZ5618",
                           "FRENCH BUREAU OF GEOLOGIC AND MINING RESEARCH SIGNS AGREEMENT WITH MINISTRY OF MINING",
                           ("EMIN", "BL"), ("74LAPAZ4139",)),
        "1979LAPAZ06554": ("79LAPAZ6554", "W/W FRANK ALBERT LEAVENS",
                           ("CASC", "BL", "(LEAVENS, FRANK ALBERT)"), ("79STATE194486",)),
    }  # fmt: skip
    for number, (cid, subject, tags, refs) in expected.items():
        cable = _one(dev_corpus / "aad-pdf-1970s" / f"{number}.pdf")
        assert (cable.id, cable.subject, cable.tags) == (cid, subject, tags)
        assert tuple(r.id for r in cable.references) == refs
    cable = _one(dev_corpus / "aad-pdf-1970s" / "1979LAPAZ09050.pdf")
    assert cable.precedence is not None and cable.precedence.value == "IMMEDIATE"
    assert [a.name for a in cable.to] == ["SECSTATE WASHDC", "AMEMBASSY LIMA"]
    assert cable.distribution[2:] == (
        "STATE FOR SY/PRS ASST DIRECTOR RICHARDSON SY/PRS/CC/TAG SY/PRS/SD, ELDERBAUM",
        "LIMA FOR PSO PASS SA STEVE BAKER AT AIRPORT",
    )


def test_attributes_that_contradict_the_text_are_defects(dev_corpus: Path) -> None:
    # Message Attributes TAGS: ASEC, OVIP, BL, (VANCE, CYRUS R); the text: ASEC, OVIP.
    cable = _one(dev_corpus / "aad-pdf-1970s" / "1979LAPAZ09050.pdf")
    assert cable.tags == ("ASEC", "OVIP", "(VANCE, CYRUS)")
    [defect] = [d for d in cable.defects if d.code == "SOURCE_ATTRIBUTE_DIFFERS"]
    assert defect.message.startswith("TAGS: source states ASEC, BL, OVIP")


def test_office_lines_continue_over_the_blank_lines_of_the_printout(dev_corpus: Path) -> None:
    cable = _one(dev_corpus / "aad-text-1970s" / "1974LAPAZ05618.txt")
    action, info = cable.distribution[:2]
    assert action == "ACTION ARA-20"
    assert info.startswith("INFO OCT-01 ISO-00 EUR-25") and info.endswith("DRC-01 /130 W")
    assert not [d for d in cable.defects if d.code == "UNRECOGNIZED_HEADER_LINE"]


def test_a_misspelt_classification_line_is_found_by_its_origin_and_serial(
    dev_corpus: Path,
) -> None:
    # "LIMITED OFFFICIAL USE LA PAZ 1325": the page header gives LA PAZ 01325,
    # the banner above it LIMITED OFFICIAL USE.
    cable = _one(dev_corpus / "aad-pdf-1970s" / "1974LAPAZ01325.pdf")
    assert (cable.id, cable.classification, cable.sbu) == (
        "74LAPAZ1325",
        Classification.UNCLASSIFIED,
        True,
    )
    assert cable.defects[0].code == "CLASSIFICATION_LINE_MISSPELT"
    assert cable.text.startswith("LIMITED OFFFICIAL USE LA PAZ 1325")
    assert cable.distribution[0] == "ACTION ARA-20" and cable.to[0].serial == 2423


def test_a_classification_line_without_origin_takes_it_from_the_page_header() -> None:
    from cablegram.format.parse import parse

    text = (
        "LIMITED OFFICIAL USE\n\nPAGE 01  BUENOS 00526  031405Z\nACTION ARA-20\n"
        "--------------------- 039761\nR 021515Z JAN 74\nFM AMEMBASSY BUENOS AIRES\n"
        "TO SECSTATE WASHDC 2005\n\nLIMITED OFFICIAL USE 0526\n\nE.O. 11652: N/A\n"
        "TAGS: ECON AR\nSUBJ: A TEST\n\n1. TEXT.\nHILL\n"
    )
    cable = parse(text)
    assert (cable.id, cable.origin, cable.serial, cable.sbu) == (
        "74BUENOSAIRES526",
        "BUENOSAIRES",
        526,
        True,
    )
    assert "CLASSIFICATION_LINE_WITHOUT_ORIGIN" in {d.code for d in cable.defects}


def test_a_document_number_gives_a_four_digit_year_never_two_of_its_digits() -> None:
    from cablegram.format.parse import parse
    from cablegram.model import Source

    text = "LIMITED OFFICIAL USE LA PAZ 0430\n\nTAGS: ECON BL\nSUBJ: NO DTG\n\n1. TEXT.\n"
    cable = parse(text, source=Source("aad-pdf", None, {"id": "1974LAPAZ00430"}))
    assert cable.id == "74LAPAZ430" and cable.year == 1974
    assert "ID_DIFFERS_FROM_SOURCE" not in {d.code for d in cable.defects}


def test_an_address_block_printed_twice_gives_each_addressee_once() -> None:
    from cablegram.format.parse import parse

    text = (
        "R 011200Z JAN 74\nFM AMEMBASSY LA PAZ\nTO SECSTATE WASHDC 1\nINFO AMEMBASSY LIMA\n"
        "AMEMBASSY LIMA\nAMEMBASSY QUITO\n\nUNCLAS LA PAZ 0001\n\nTAGS: PREL\nSUBJ: X\n\n1. TEXT.\n"
    )
    cable = parse(text)
    assert [a.name for a in cable.info] == ["AMEMBASSY LIMA", "AMEMBASSY QUITO"]
    assert [d.code for d in cable.defects] == ["DUPLICATE_ADDRESSEE"]


def test_without_a_classification_line_the_page_header_gives_the_id(dev_corpus: Path) -> None:
    from cablegram.format.parse import parse

    text = (dev_corpus / "aad-text-1970s" / "1974LAPAZ00430.txt").read_text()
    cable = parse(text.replace("LIMITED OFFICIAL USE LA PAZ 0430\n", ""))
    assert (cable.id, cable.classification, cable.sbu) == (
        "74LAPAZ430",
        Classification.UNCLASSIFIED,
        True,
    )
    assert [d.code for d in cable.defects] == ["MISSING_CLASSIFICATION_LINE", "ID_FROM_PAGE_HEADER"]
    assert cable.subject == "GOB INCREASES WAGES AND SELECTED FOOD PRICES."
