"""Sources: every serialization of the dev corpus detected and unwrapped cleanly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cablegram.format.sources import Document, detect, iter_documents

CORPUS = Path("/work/shared/corpus")
DEV = CORPUS / "dev"
pytestmark = pytest.mark.skipif(not DEV.is_dir(), reason="shared corpus not available")

# Paragraph numbers at line start, with or without a ¶ mark or anchor.
_PARA = re.compile(r"^[ \t]*(?:¶|<a id='par\d+'[^>]*>¶</a>|\[\d\]\(#\))?(\d{1,2})\.[ \t(]", re.M)


def one(path: Path) -> Document:
    docs = list(iter_documents(path))
    assert len(docs) == 1
    return docs[0]


def assert_clean(doc: Document) -> None:
    for residue in ("<a ", "<a>", "&#x", "](#", "<pre", "<code", "\r"):
        assert residue not in doc.text, (doc.path, residue)
    assert doc.text.strip()


@pytest.mark.parametrize(
    ("folder", "fmt"),
    [
        ("cablegate-html", "wikileaks-html"),
        ("cablegate-html-20101222-extra", "wikileaks-html"),
        ("cablegate-html-20101205-variants", "wikileaks-html"),
        ("cablegate-html-2011", "wikileaks-html"),
        ("cablegate-html-2011-cablemap-tests", "wikileaks-html"),
        ("plusd-html-1970s", "plusd-html"),
        ("cablegate-json-20101128", "cablegate-json"),
        ("text-acp127", "telegram"),
        ("text-acp127-crlf", "telegram"),
        ("text-body-html-residue", "text-extract"),
    ],
)
def test_every_file_of_a_folder_is_detected_and_clean(folder: str, fmt: str) -> None:
    files = sorted((DEV / folder).iterdir())
    for file in files:
        assert detect(file.read_bytes()) == fmt, file
        doc = one(file)
        assert doc.format == fmt
        assert doc.path == str(file)
        assert_clean(doc)


def test_csv_rows_are_detected_with_metadata() -> None:
    files = sorted((DEV / "cables-csv-rows").iterdir())[:80]
    for file in files:
        assert detect(file.read_bytes()) == "cablegate-csv"
        doc = one(file)
        assert doc.metadata["id"] == file.stem
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00Z", doc.metadata["created"])
        assert doc.locator == "line 1"
        assert "\\'" not in doc.text and '\\"' not in doc.text


def test_seeds_are_web_text_with_markdown_removed() -> None:
    for file in sorted((CORPUS / "seeds").glob("*.txt")):
        assert detect(file.read_bytes()) == "web-text"
        doc = one(file)
        assert_clean(doc)
        assert "TAGS: PTER KAWC" in doc.text or "TAGS:" in doc.text
        assert "¶1." in doc.text


def test_cablegate_page_metadata_uses_link_text_not_title() -> None:
    doc = one(DEV / "cablegate-html" / "05ISTANBUL890.html")
    assert doc.metadata["id"] == "05ISTANBUL890"
    assert doc.metadata["created"] == "2005-06-01T11:11:00Z"
    assert doc.metadata["released"] == "2010-12-08T17:05:00Z"
    assert doc.metadata["classification"] == "CONFIDENTIAL"
    assert doc.metadata["origin"] == "Consulate Istanbul"
    assert doc.metadata["title"] == "REFLEXIVE TURKISH NATIONALISM ENSNARES MASTERCARD"
    assert doc.text.startswith("C O N F I D E N T I A L ISTANBUL 000890\n")
    assert "TAGS: PGOV SOCI KISL ASEC TU\n" in doc.text
    assert "\n¶1. (SBU) Summary:" in doc.text


def test_partial_extract_notice_moves_to_metadata() -> None:
    doc = one(DEV / "cablegate-html" / "05ISTANBUL890.html")
    assert "partial extract" not in doc.text
    assert doc.metadata["partial_extract"] is True
    assert [d.code for d in doc.defects] == ["PARTIAL_EXTRACT"]


def test_injected_date_line_moves_to_metadata() -> None:
    doc = one(DEV / "cablegate-html-20101222-extra" / "04VATICAN3196.html")
    assert doc.text.startswith("C O N F I D E N T I A L  VATICAN 003196")
    assert "August 2004" not in doc.text
    assert doc.metadata["injected_date"] == "2004-08-18T16:27:00Z"
    assert {d.code for d in doc.defects} == {"PARTIAL_EXTRACT", "INJECTED_DATE_LINE"}


def test_cablegate_page_header_then_body() -> None:
    doc = one(DEV / "cablegate-html" / "09LAPAZ96.html")
    header, body = doc.text.split("\n\nSIPDIS", 1)
    assert header.startswith("VZCZCXYZ0000\nPP RUEHWEB\n")
    assert "FM AMEMBASSY LA PAZ\n" in header
    # <br>&#x000A; is one line end, not two.
    assert body.startswith(" \n\nE.O. 12958: DECL: 01/21/2019 \nTAGS: PGOV")


def test_2011_page_with_much_navigation() -> None:
    doc = one(DEV / "cablegate-html-2011" / "73TEHRAN8233.html")
    assert doc.text.startswith("R 211220Z NOV 73\nFM AMEMBASSY TEHRAN\nTO SECSTATE WASHDC 4574\n\n")
    assert doc.metadata["classification"] == "SECRET"
    assert doc.metadata["origin"] == "Embassy Tehran"
    assert "Cable Viewer" not in doc.text and "Browse" not in doc.text


def test_plusd_page_catalogue_and_received_text() -> None:
    doc = one(DEV / "plusd-html-1970s" / "1973STATE097844_b.html")
    meta = doc.metadata
    assert meta["id"] == "1973STATE097844_b"
    assert meta["created"] == "1973-05-22T18:28:00Z"
    assert meta["classification"] == "LIMITED OFFICIAL USE"
    assert meta["current_classification"] == "UNCLASSIFIED"
    assert meta["tags"] == ["IT", "SPOP"]
    assert meta["subject"] == "INFORMATION TO FORMER SENATOR TYDINGS"
    assert doc.text.startswith("LIMITED OFFICIAL USE\n\nPAGE 01   STATE  097844\n")
    assert "DRAFTED BY S/ PM: PPCLAXTON,  JR." in doc.text
    assert [m.group(1) for m in _PARA.finditer(doc.text)] == ["1", "2", "3"]
    assert "***" not in doc.text and "Capture Date" not in doc.text


def test_crlf_and_lf_copies_give_the_same_text() -> None:
    lf = one(DEV / "text-acp127" / "07KUALALUMPUR1376.txt")
    crlf = one(DEV / "text-acp127-crlf" / "07KUALALUMPUR1376.txt")
    assert crlf.text == lf.text
    assert crlf.metadata["line_ends"] == "crlf"
    assert lf.text.startswith("\nVZCZCXYZ0000\nOO RUEHWEB\n")


def test_latin1_pilcrow_byte_is_decoded(tmp_path: Path) -> None:
    raw = (DEV / "text-acp127" / "07KUALALUMPUR1376.txt").read_bytes()
    raw = raw.replace(b"\nEmbassy conveyed", b"\n\xb61. Embassy conveyed", 1)
    raw = raw.replace(b"\n", b"\r\n")
    file = tmp_path / "07KUALALUMPUR1376.txt"
    file.write_bytes(raw)
    doc = one(file)
    assert doc.format == "telegram"
    assert doc.metadata["encoding"] == "latin-1"
    assert "\n¶1. Embassy conveyed" in doc.text and "\r" not in doc.text


def test_body_extract_anchors_become_pilcrows() -> None:
    doc = one(DEV / "text-body-html-residue" / "02BRASILIA4227.txt")
    assert doc.text.startswith("C O N F I D E N T I A L SECTION 01 OF 04 BRASILIA 004227")
    assert "TAGS: PGOV PREL ECON BR\n" in doc.text
    assert doc.metadata["filename_id"] == "02BRASILIA4227"
    assert [d.code for d in doc.defects] == ["MARKUP_RESIDUE"]


def _numbers(text: str) -> list[str]:
    return [m.group(1) for m in _PARA.finditer(text)]


def test_no_paragraph_dropped_from_pages() -> None:
    for file in sorted((DEV / "cablegate-html").glob("*.html"))[:30]:
        raw = file.read_text(encoding="utf-8").replace("&#x000A;", "\n")
        expected = _numbers(raw.split("<table class='cable'>", 1)[1])
        assert _numbers(one(file).text) == expected, file


def test_no_paragraph_dropped_from_extracts() -> None:
    for file in sorted((DEV / "text-body-html-residue").glob("*.txt"))[:60]:
        raw = file.read_text(encoding="utf-8")
        assert _numbers(one(file).text) == _numbers(raw), file


def test_aad_pdfs_are_detected_from_content_and_give_the_message_text() -> None:
    """Each AAD printout PDF: its Message Text is exactly the published text
    extract of the same cable (stamps gone), its attributes become metadata."""
    for file in sorted((DEV / "aad-pdf-1970s").iterdir()):
        data = file.read_bytes()
        assert detect(data) == "pdf", file
        for doc in (one(file), next(iter(iter_documents(data, path="x")))):
            assert doc.format == "aad-pdf"
            extract = (DEV / "aad-text-1970s" / f"{file.stem}.txt").read_text()
            assert doc.text.strip("\n ") == extract.strip("\n "), file
            assert "Declassified/Released" not in doc.text
            assert "Message Attributes" not in doc.text
            assert doc.metadata["document_number"] == file.stem


def test_aad_attributes_into_metadata() -> None:
    meta = one(DEV / "aad-pdf-1970s" / "1979LAPAZ09050.pdf").metadata
    assert meta["id"] == "1979LAPAZ09050"
    assert meta["created"] == "1979-10-23" and meta["draft_date"] == "23 oct 1979"
    assert meta["classification"] == meta["original_classification"] == "LIMITED OFFICIAL USE"
    assert meta["tags"] == ["ASEC", "OVIP", "BL", "(VANCE, CYRUS R)"]
    assert meta["film_number"] == "D790486-0506"
    assert meta["from"] == "LA PAZ" and meta["to"] == "STATE LIMA"
    # A wrapped value continues on the next line; "n/a" values are left out.
    assert meta["subject"].endswith("LA PAZ, BOLIVIA AT 1740 HRS, OCTOBER 23 197 9, ENRO")
    assert "reference" not in meta and "handling_restrictions" not in meta
    assert meta["review_markings"].startswith("Sheryl P. Walter Declassified/Released")
    concepts = one(DEV / "aad-pdf-1970s" / "1974LAPAZ00430.pdf").metadata["concepts"]
    assert concepts.endswith("RETAIL PRICES, WAGE RATES, FOODS")


def test_a_damaged_pdf_is_refused_by_name() -> None:
    # A printout cut short (an interrupted download) or with an unknown filter:
    # no crash, a NotACableError naming the file.
    from cablegram.format.sources import iter_items
    from cablegram.model import NotACableError

    data = (DEV / "aad-pdf-1970s" / "1974LAPAZ00879.pdf").read_bytes()
    for damaged in (data[: len(data) // 2], data.replace(b"/FlateDecode", b"/FlateDecodX")):
        (item,) = list(iter_items(damaged, path="cut.pdf"))
        assert isinstance(item, NotACableError) and item.path == "cut.pdf", item
        assert "PDF" in item.reason


def test_a_pdf_that_is_not_a_cable_is_refused_by_name() -> None:
    from cablegram.format.sources import iter_items
    from cablegram.model import NotACableError

    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    (item,) = list(iter_items(pdf, path="blank.pdf"))
    assert isinstance(item, NotACableError)
    assert item.path == "blank.pdf" and "PDF" in item.reason


def test_pdf_text_is_pypdfium2s_and_pypdfium2_may_run_beside() -> None:
    # format.sources.pdfium declares its own few PDFium functions on the library
    # pypdfium2 ships: each page's text is the one pypdfium2 gives, and
    # pypdfium2 loaded beside (starting PDFium again) changes nothing.
    import ctypes

    from cablegram.format.sources import pdfium
    from cablegram.format.sources.aad_pdf import pdf_pages

    pypdfium2 = pytest.importorskip("pypdfium2")
    lib = pdfium.library()
    for file in sorted((DEV / "aad-pdf-1970s").iterdir())[:3]:
        data = file.read_bytes()
        before = pdf_pages(data, None)
        ours = lib.FPDF_LoadMemDocument64(data, ctypes.c_size_t(len(data)), None)
        theirs = pypdfium2.PdfDocument(data)
        try:
            assert lib.FPDF_GetPageCount(ours) == len(theirs) == len(before)
            for i in range(len(theirs)):
                page = lib.FPDF_LoadPage(ours, i)
                tp = lib.FPDFText_LoadPage(page)
                text = pdfium.text_range(tp, lib.FPDFText_CountChars(tp))
                lib.FPDFText_ClosePage(tp)
                lib.FPDF_ClosePage(page)
                assert text == theirs[i].get_textpage().get_text_range(), (file, i)
        finally:
            theirs.close()
            lib.FPDF_CloseDocument(ours)
        assert pdf_pages(data, None) == before
