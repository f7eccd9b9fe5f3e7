"""Release rules: each rule rejects a cable that breaks it and accepts one that keeps it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cablegram.format.parse import parse
from cablegram.format.render import render
from cablegram.format.validate import Finding, validate
from cablegram.lexicon import data_path
from cablegram.model import (
    EO,
    Addressee,
    Cable,
    Classification,
    ClassifiedBy,
    Paragraph,
    Precedence,
    Reference,
    Relay,
    Section,
    from_dict,
)

SEEDS = Path(data_path("examples")) / "seeds"


def _seed_expectation(name: str) -> Cable:
    """The expected fields of a seed cable, with paragraph and reference text filled in."""
    d: dict[str, Any] = json.loads((SEEDS / f"{name}.expected.json").read_text())
    d["paragraphs"] = [dict(p, text="Poloff met officials.") for p in d["paragraphs"]]
    d["references"] = [dict(r, text=r["id"][2:]) for r in d["references"]]
    return from_dict(d)


@pytest.fixture
def secret() -> Cable:
    """06ALMATY2872 as the seed expectation states it: SECRET, PRIORITY, releasable."""
    return _seed_expectation("06ALMATY2872")


@pytest.fixture
def unclas() -> Cable:
    """06ALMATY1703: SENSITIVE UNCLAS, ROUTINE."""
    return _seed_expectation("06ALMATY1703")


def codes(cable: Cable) -> set[str]:
    return {f.code for f in validate(cable)}


def only(cable: Cable, code: str) -> list[Finding]:
    return [f for f in validate(cable) if f.code == code]


def test_seed_expectations_are_releasable(secret: Cable, unclas: Cable) -> None:
    assert validate(secret) == []
    assert validate(unclas) == []


def _header(c: Cable, **changes: Any) -> Cable:
    assert c.header is not None
    return replace(c, header=replace(c.header, **changes))


def test_r01_security_line_must_restate_classification(secret: Cable) -> None:
    bad = _header(secret, security="ZNY CCCCC ZZH")
    [f] = only(bad, "R01")
    assert f.severity == "error" and f.line == 4
    assert render(bad).splitlines()[f.line - 1] == "ZNY CCCCC ZZH"
    assert only(_header(secret, security="ZNR SSSSS"), "R01")  # ZNR is for unclassified only
    assert not only(secret, "R01")


def test_r02_relay_prosign_is_action_precedence_doubled(secret: Cable) -> None:
    assert secret.header is not None and secret.header.relay is not None
    bad = _header(secret, relay=Relay(Precedence.IMMEDIATE, secret.header.relay.routing_indicators))
    [f] = only(bad, "R02")
    assert f.line == 2 and render(bad).splitlines()[1].startswith("OO ")
    assert not only(secret, "R02")


def test_r03_filing_day_is_dtg_day(secret: Cable) -> None:
    [f] = only(_header(secret, filed="2230049"), "R03")
    assert f.severity == "error" and f.line == 3
    # A corrected copy (ZDS) may be filed later: warning only.
    [w] = only(_header(secret, filed="2250049", security="ZNY SSSSS ZZH ZDS"), "R03")
    assert w.severity == "warning"
    assert not only(secret, "R03")


def test_r03_new_year_rollover_is_not_a_finding() -> None:
    c = _seed_expectation("06ALMATY2872")
    c = replace(c, created="2006-12-31T23:58:00Z", id="06ALMATY2872")
    c = _header(c, dtg="312358Z DEC 06", filed="0010003")
    assert not only(c, "R03") and not only(c, "R04")


def test_r04_filing_time_within_six_hours(secret: Cable) -> None:
    [f] = only(_header(secret, filed="2220800"), "R04")
    assert f.severity == "warning"
    assert not only(_header(secret, filed="2220059"), "R04")


def test_r05_dtg_must_be_real_and_agree(secret: Cable) -> None:
    assert only(_header(secret, dtg="320049Z AUG 06"), "R05")
    assert only(_header(secret, dtg="110049Z AUG 06"), "R05")  # disagrees with created
    assert only(replace(secret, created=None), "R05")
    assert not only(secret, "R05")


def test_r06_station_serial_is_last_four_digits(secret: Cable) -> None:
    [f] = only(_header(secret, station_serial=2873), "R06")
    assert f.line == 3
    assert only(_header(secret, section=2), "R06")  # /02 on a one-section cable
    ok = replace(_header(secret, section=2), section=Section(2, 3))
    assert not only(ok, "R06")


def test_r07_addressee_precedence_not_above_message(secret: Cable) -> None:
    loud = Addressee("NSC WASHDC", "RHEHNSC", Precedence.IMMEDIATE, None)
    bad = replace(secret, info=(*secret.info, loud))
    [f] = only(bad, "R07")
    assert render(bad).splitlines()[f.line - 1] == "RHEHNSC/NSC WASHDC IMMEDIATE"
    assert not only(secret, "R07")


def test_r08_portion_above_classification(secret: Cable) -> None:
    bad = replace(secret, classification=Classification.CONFIDENTIAL)
    findings = only(bad, "R08")
    assert len(findings) == 5  # the five (S) paragraphs, not the (SBU) one
    assert render(bad).splitlines()[findings[0].line - 1].startswith("¶1. (S)")


def test_r09_unclas_expects_na(unclas: Cable) -> None:
    bad = replace(unclas, eo=EO("12958", "2016-01-01", "DECL: 01/01/2016"))
    [f] = only(bad, "R09")
    assert f.severity == "warning"
    assert not only(unclas, "R09")


def test_r10_classified_never_na(secret: Cable) -> None:
    [f] = only(replace(secret, eo=EO("12958", None, "N/A")), "R10")
    assert f.severity == "error"
    assert only(replace(secret, eo=None), "R10")
    assert not only(secret, "R10")


def test_r11_r12_declassification_date(secret: Cable) -> None:
    assert only(replace(secret, eo=EO("12958", "2006-08-01", "DECL: 08/01/2006")), "R11")
    [w] = only(replace(secret, eo=EO("12958", "2036-08-11", "DECL: 08/11/2036")), "R12")
    assert w.severity == "warning"
    assert not only(secret, "R11") and not only(secret, "R12")


def test_r13_classified_by_iff_classified(secret: Cable, unclas: Cable) -> None:
    assert only(replace(secret, classified_by=None), "R13")
    assert only(
        replace(unclas, classified_by=ClassifiedBy("A B", "Ambassador", ("1.4(d)",))), "R13"
    )
    bad_letter = ClassifiedBy("A B", "Ambassador", ("1.4(k)",))
    assert only(replace(secret, classified_by=bad_letter), "R13")
    h_in_15 = ClassifiedBy("A B", "Ambassador", ("1.5(h)",))  # (h) arrived with 1.4
    assert only(replace(secret, classified_by=h_in_15), "R13")
    assert not only(secret, "R13")


def test_r14_noforn_portion_needs_caption(secret: Cable) -> None:
    marked = replace(secret, paragraphs=(Paragraph("Text.", 1, "S/NF"), *secret.paragraphs[1:]))
    [f] = only(marked, "R14")
    assert f.severity == "warning"
    assert render(marked).splitlines()[f.line - 1].startswith("¶1. (S/NF)")
    assert not only(replace(marked, captions=("NOFORN", "SIPDIS")), "R14")


def test_r15_sbu_portion_needs_sensitive(unclas: Cable) -> None:
    assert only(replace(unclas, sbu=False), "R15")
    assert not only(unclas, "R15")


def test_r16_tags(secret: Cable) -> None:
    assert only(replace(secret, tags=()), "R16")
    [f] = only(replace(secret, tags=("KZ", "NATO")), "R16")  # no subject/program tag
    assert f.severity == "error"
    [w] = only(replace(secret, tags=("PREL", "QQ")), "R16")  # QQ is no country code
    assert w.severity == "warning"
    assert not only(secret, "R16")


def test_r17_origin_matches_fm(secret: Cable) -> None:
    assert only(replace(secret, origin="ASTANA", id="06ASTANA2872"), "R17")
    state = replace(secret, origin="STATE", id="06STATE2872")
    from_state = replace(state, from_=replace(secret.from_, name="SECSTATE WASHDC"))
    assert not only(from_state, "R17")


def test_r18_id_matches_text(secret: Cable) -> None:
    [f] = only(replace(secret, id="06ALMATY2873"), "R18")
    assert f.severity == "warning"
    assert not only(secret, "R18")


def test_r19_paragraph_numbering_and_marks(secret: Cable) -> None:
    gap = replace(secret, paragraphs=(secret.paragraphs[0], *secret.paragraphs[2:]))
    assert only(gap, "R19")
    unmarked = replace(secret, paragraphs=(replace(secret.paragraphs[0], marking=None),))
    assert only(unmarked, "R19")
    assert not only(secret, "R19")


def test_r20_section_in_range(secret: Cable) -> None:
    assert only(replace(secret, section=Section(3, 2)), "R20")
    assert not only(replace(secret, section=Section(2, 2)), "R20")


def test_r21_executive_order_by_date(secret: Cable) -> None:
    assert only(replace(secret, eo=EO("12356", "2016-08-08", "DECL: 08/08/2016")), "R21")
    assert not only(secret, "R21")


def test_r22_reason_section_by_date(secret: Cable) -> None:
    old = ClassifiedBy("A B", "Ambassador", ("1.5(b)", "1.5(d)"))
    [f] = only(replace(secret, classified_by=old), "R22")
    assert f.severity == "warning"
    assert not only(secret, "R22")


def test_r23_counters(secret: Cable) -> None:
    counted = replace(secret.info[0], serial=12)
    assert only(replace(secret, info=(counted, *secret.info[1:])), "R23")
    uncounted = replace(secret.to[0], serial=None)
    assert only(replace(secret, to=(uncounted,)), "R23")
    assert not only(secret, "R23")


def test_r24_downgrade_only_on_secret(secret: Cable) -> None:
    dng = EO("12958", None, "DNG: CO 08/08/2011")
    assert not only(replace(secret, eo=dng), "R24")
    assert only(replace(secret, eo=dng, classification=Classification.CONFIDENTIAL), "R24")


def test_r25_corrected_copy_markers_agree(secret: Cable) -> None:
    corrected = replace(secret, notices=("C O R R E C T E D  C O P Y (TEXT)",))
    assert only(corrected, "R25")
    assert not only(_header(corrected, security="ZNY SSSSS ZZH ZDS"), "R25")
    assert only(_header(secret, security="ZNY SSSSS ZZH ZDS"), "R25")
    # Signals written after the DTG (FL5) count as well.
    assert not only(_header(corrected, signals="ZDS"), "R25")


def test_r26_subject_required(secret: Cable) -> None:
    assert only(replace(secret, subject=None), "R26")
    assert not only(secret, "R26")


def test_r27_r28_reference_ids(secret: Cable) -> None:
    assert only(replace(secret, references=(Reference("X", "A", "6ALMATY2549"),)), "R27")
    [w] = only(replace(secret, references=(Reference("ZZTOP 12", None, "06ZZTOP12"),)), "R28")
    assert w.severity == "warning"
    # non-cable references carry no id and are fine
    assert not only(replace(secret, references=(Reference("EMAIL", None, None),)), "R27")


def test_r29_captions_most_restrictive_first(secret: Cable) -> None:
    assert only(replace(secret, captions=("SIPDIS", "NOFORN")), "R29")
    assert not only(replace(secret, captions=("NOFORN", "SIPDIS")), "R29")


def test_r30_identity_complete(secret: Cable) -> None:
    found = only(replace(secret, serial=None, precedence=None), "R30")
    assert sorted(f.message for f in found) == ["missing precedence", "missing serial"]
    assert not only(secret, "R30")


def test_findings_are_sorted_and_lines_point_into_render(secret: Cable) -> None:
    bad = _header(replace(secret, subject=None), security="ZNR UUUUU", station_serial=1)
    found = validate(bad)
    assert [f.code for f in found] == sorted(f.code for f in found)
    lines = render(bad).splitlines()
    for f in found:
        if f.line is not None:
            assert 1 <= f.line <= len(lines)


def test_header_less_draft_gets_no_header_findings(secret: Cable) -> None:
    draft = replace(secret, header=None)
    assert not codes(draft) & {"R01", "R02", "R03", "R04", "R06", "R25"}


def test_unknown_classification_is_reported_not_guessed(secret: Cable) -> None:
    found = codes(replace(secret, classification=None))
    assert "R30" in found
    assert not found & {"R01", "R08", "R10", "R13"}  # no comparison against a guessed level


def test_draft_mode_accepts_what_release_assigns(secret: Cable) -> None:
    draft = replace(secret, header=None, serial=None, id=None, created=None)
    assert {f.code for f in validate(draft) if f.severity == "error"} == {"R05", "R30"}
    assert [f for f in validate(draft, draft=True) if f.severity == "error"] == []
    # a draft still has to say what it is
    assert only(replace(draft, precedence=None), "R30")


@pytest.mark.parametrize("name", ["06ALMATY1703", "06ALMATY2872"])
def test_parsed_seeds_have_no_findings(name: str) -> None:
    assert validate(parse((SEEDS / f"{name}.txt").read_bytes())) == []


def test_drafts_place_elements_on_their_json_lines() -> None:
    """Each item of an array or of JSON lines is placed on its own lines."""
    import json

    from cablegram.format.drafts import read_drafts

    items = [
        {"id": "06ALMATY1", "subject": "A", "paragraphs": [{"text": "x"}, {"text": "y"}]},
        {"id": "06ALMATY2", "tags": ["PREL"], "eo": {"text": "N/A"}},
    ]
    pretty = json.dumps(items, indent=1).split("\n")
    first, second = read_drafts("\n".join(pretty), "a.json")
    assert pretty[first.source.lines["SUBJECT"] - 1].startswith('  "subject"')
    assert pretty[first.source.lines["PARA.1"] - 1].strip() == "{"
    assert first.source.lines["PARA.1"] > first.source.lines["PARA.0"]
    assert pretty[second.source.lines["TAGS"] - 1].startswith('  "tags"')
    lines = "\n".join(json.dumps(item) for item in items)
    first, second = read_drafts(lines, "a.jsonl")
    assert set(first.source.lines.values()) == {1} and set(second.source.lines.values()) == {2}
