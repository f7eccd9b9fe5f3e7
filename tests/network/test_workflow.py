"""The workflow enforced: every refusal with its message, nothing consumed by a
refused release, versions, clearances cleared by edits, reply/repeat/correct."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from network_fixtures import stored_cables

import cablegram
from cablegram.model import Addressee, Classification, Precedence
from cablegram.network.directory import ALL_POSTS, Collective
from cablegram.network.drafts import CORRECT, ClearanceRequest, from_json
from cablegram.network.store import StaleVersion
from cablegram.network.workflow import Refused

FIXTURES = Path(__file__).parent / "fixtures"
ALMATY = "AMEMBASSY ALMATY"
POL_DCM = [ClearanceRequest(ALMATY, "POL"), ClearanceRequest(ALMATY, "DCM")]


def seed_draft(net, name="06ALMATY1703", user="poloff", **changes):
    cable = from_json((FIXTURES / f"{name}.draft.json").read_text())
    if changes:
        cable = replace(cable, **changes)
    return net.create(user, cable, requested=POL_DCM)


def cleared(net, name="06ALMATY1703", **changes):
    d = seed_draft(net, name, **changes)
    net.submit("poloff", d.id)
    net.clear("polchief", d.id)
    net.clear("dcm", d.id)
    return d


def refused(reason, fn, *args, **kw) -> Refused:
    with pytest.raises(Refused) as info:
        fn(*args, **kw)
    assert info.value.reason == reason, info.value.message
    return info.value


def nothing_consumed(store, net, draft_id):
    assert store.last_serial("ALMATY", 2006) == 0
    assert stored_cables(store) == 0 and store.release_of("06ALMATY1") is None
    assert net.show("poloff", draft_id).draft.state == "submitted"
    assert "released" not in [e.action for e in net.show("poloff", draft_id).events]


def test_refused_when_a_required_clearance_is_missing(net, store):
    d = seed_draft(net)
    net.submit("poloff", d.id)
    net.clear("polchief", d.id)
    err = refused("missing-clearance", net.release, "ambassador", d.id)
    assert "lacks required clearance(s): DCM (asked by the drafter)" in err.message
    nothing_consumed(store, net, d.id)


def test_refused_when_the_approver_is_the_drafter(net, store):
    d = seed_draft(net, user="ambassador")
    net.submit("ambassador", d.id)
    net.clear("polchief", d.id)
    net.clear("dcm", d.id)
    err = refused("self-approval", net.release, "ambassador", d.id)
    assert err.message == f"ambassador drafted draft {d.id}: the approver may not be the drafter"
    assert store.last_serial("ALMATY", 2006) == 0


def test_refused_without_release_authority_for_origin_classification_or_captions(net, store):
    d = cleared(net)
    authority = net.directory.person("dcm").authority
    for changed, words in (
        (replace(authority, origins=frozenset({"ASTANA"})), "may not release ALMATY cables"),
        (replace(authority, captions=frozenset()), "may not release cables captioned SIPDIS"),
    ):
        net.put("owner", replace(net.directory.person("ambassador"), authority=changed))
        err = refused("no-authority", net.release, "ambassador", d.id)
        assert words in err.message
    # SBU (unclassified) is within an UNCLASSIFIED authority; a SECRET cable is not.
    s = cleared(net, name="06ALMATY2872")
    net.put(
        "owner",
        replace(
            net.directory.person("ambassador"),
            authority=replace(authority, classification=Classification.CONFIDENTIAL),
        ),
    )
    err = refused("no-authority", net.release, "ambassador", s.id)
    assert err.message == "ambassador may release up to CONFIDENTIAL, not SECRET"
    nothing_consumed(store, net, d.id)


def test_refused_when_validation_finds_an_error(net, store):
    d = seed_draft(net)
    net.submit("poloff", d.id)
    # The draft is fine when submitted; the directory then loses an addressee.
    net.remove("owner", "station", "NSC WASHDC")
    net.clear("polchief", d.id)
    net.clear("dcm", d.id)
    err = refused("invalid", net.release, "ambassador", d.id)
    assert "N04 NSC WASHDC is not in the directory on 2006-05-15 (info[2])" in err.message
    nothing_consumed(store, net, d.id)


def test_refused_when_the_approver_cannot_read_the_draft(net, store):
    d = cleared(net, name="06ALMATY2872")
    from network_fixtures import principals

    weak = principals()
    weak["ambassador"] = replace(weak["ambassador"], clearance=Classification.CONFIDENTIAL)
    net.principal_of = weak.get
    err = refused("cannot-read", net.release, "ambassador", d.id)
    assert err.message == f"ambassador may not read draft {d.id}"
    nothing_consumed(store, net, d.id)


def test_refused_for_non_approver_and_unsubmitted(net, store):
    d = seed_draft(net)
    err = refused("not-approver", net.release, "polchief", d.id)
    assert err.message == "polchief is not an approving officer"
    err = refused("state", net.release, "ambassador", d.id)
    assert err.message == f"draft {d.id} is draft, not submitted"


def test_a_release_failing_half_way_consumes_nothing(net, store, monkeypatch):
    d = cleared(net)

    def broken(cable, telegram):
        raise OSError("disk full")

    monkeypatch.setattr(store, "store_cable", broken)
    with pytest.raises(OSError):
        net.release("ambassador", d.id)
    assert store.last_serial("ALMATY", 2006) == 0
    assert store.last_number("ALMATY", "SECSTATE WASHDC") == 0
    monkeypatch.undo()
    record = net.release("ambassador", d.id)
    assert record.serial == 1 and record.numbers == {"SECSTATE WASHDC": 1}


def test_serials_follow_on_and_numbers_count_per_addressee(net, store):
    store.set_serial("ALMATY", 2006, 41)
    ids = []
    for _ in range(3):
        ids.append(net.release("ambassador", cleared(net).id).cable_id)
    assert ids == ["06ALMATY42", "06ALMATY43", "06ALMATY44"]
    assert store.last_number("ALMATY", "SECSTATE WASHDC") == 3
    # Collectives and unnumbered stations get no number.
    assert store.last_number("ALMATY", "CIS COLLECTIVE") == 0
    assert store.last_number("ALMATY", "USOFFICE ASTANA") == 0


def test_edit_on_an_old_version_is_refused_and_edits_clear_clearances(net):
    d = seed_draft(net)
    net.submit("poloff", d.id)
    v = net.show("poloff", d.id).draft.version
    net.clear("polchief", d.id)
    assert len(net.show("poloff", d.id).clearances) == 1
    edited = net.edit(
        "poloff", d.id, version=v, cable=replace(d.cable, subject="KAZAKHSTAN: NEW SUBJECT")
    )
    assert edited.version == v + 1
    view = net.show("poloff", d.id)
    assert view.clearances == [] and {r.office for r in view.missing} == {"POL", "DCM"}
    assert view.events[-1].detail == {"clearances_cleared": 1}
    with pytest.raises(StaleVersion, match=f"is at version {v + 1}, not {v}"):
        net.edit("poloff", d.id, version=v, cable=d.cable)
    assert net.show("poloff", d.id).draft.cable.subject == "KAZAKHSTAN: NEW SUBJECT"


def test_clearance_rules(net):
    # NODIS needs the Executive Secretariat; SIPDIS may not be combined with it.
    d = seed_draft(net, captions=("NODIS",))
    view = net.show("poloff", d.id)
    assert ("SECSTATE WASHDC", "S/S") in {r.key for r in view.required}
    bad = seed_draft(net, captions=("NODIS", "SIPDIS"))
    assert "N01" in {f.code for f in net.show("poloff", bad.id).findings}
    # An all-posts collective needs the watch office; a collective for action, each bureau.
    net.put(
        "owner", Collective("RUEHXX", "ALL DIPLOMATIC AND CONSULAR POSTS COLLECTIVE", (), ALL_POSTS)
    )
    net.put("owner", replace(net.directory.station("AMEMBASSY DUSHANBE"), bureau="SCA"))
    c = seed_draft(
        net,
        to=(Addressee("CIS COLLECTIVE"),),
        info=(Addressee("ALL DIPLOMATIC AND CONSULAR POSTS COLLECTIVE"),),
    )
    keys = {r.key for r in net.show("poloff", c.id).required}
    assert ("SECSTATE WASHDC", "S/ES-O") in keys and ("SECSTATE WASHDC", "SCA") in keys
    # State drafting to Almaty for action: the Kazakhstan desk clears.
    s = net.create(
        "deskofficer",
        replace(
            d.cable,
            captions=("SIPDIS",),
            from_=cablegram.model.Station("SECSTATE WASHDC"),
            to=(Addressee(ALMATY),),
            info=(),
        ),
    )
    assert ("SECSTATE WASHDC", "SCA/CEN") in {r.key for r in net.show("deskofficer", s.id).required}


def test_clearer_refusals(net):
    d = seed_draft(net, name="06ALMATY2872")
    refused("state", net.clear, "polchief", d.id)
    net.submit("poloff", d.id)
    refused("role", net.clear, "poloff", d.id)
    err = refused("cannot-read", net.clear, "consular", d.id)
    assert err.message == f"consular may not read draft {d.id} and cannot clear it"
    refused("comment", net.return_, "polchief", d.id, "")
    back = net.return_("polchief", d.id, "tighten para 4")
    assert back.state == "draft"


def test_network_findings(net):
    niact = seed_draft(
        net,
        to=(Addressee("SECSTATE WASHDC", precedence=Precedence.IMMEDIATE, niact=True),),
        precedence=Precedence.IMMEDIATE,
    )
    codes = {(f.code, f.field) for f in net.show("poloff", niact.id).findings}
    assert ("N02", "paragraphs[0]") in codes
    ok = replace(
        niact.cable,
        paragraphs=(
            replace(
                niact.cable.paragraphs[0],
                text="NIACT because the MFA meets at 0800. " + niact.cable.paragraphs[0].text,
            ),
            *niact.cable.paragraphs[1:],
        ),
    )
    assert "N02" not in {f.code for f in net.check("poloff", ok)}
    no_subject_tag = net.check("poloff", replace(niact.cable, tags=("KAWC", "KZ")))
    assert "N03" in {f.code for f in no_subject_tag}
    unknown = net.check("poloff", replace(niact.cable, info=(Addressee("AMEMBASSY ATLANTIS"),)))
    assert [f.message for f in unknown if f.code == "N04"] == [
        "AMEMBASSY ATLANTIS is not in the directory on 2006-05-15"
    ]
    secret = net.check("consular", replace(niact.cable, classification=Classification.SECRET))
    assert "consular holds UNCLASSIFIED, not SECRET" in [
        f.message for f in secret if f.code == "N05"
    ]


def test_json_draft_findings_point_at_their_line(net):
    raw = (FIXTURES / "06ALMATY1703.draft.json").read_text()
    data = json.loads(raw)
    data["tags"] = ["KAWC", "KZ"]
    text = json.dumps(data, indent=2)
    f = next(f for f in net.check("poloff", from_json(text)) if f.code == "N03")
    assert text.splitlines()[f.line - 1].strip().startswith('"tags"') and f.field == "tags"


def test_reply_repeat_correct(net, store):
    store.set_serial("ALMATY", 2006, 1702)
    first = net.release("ambassador", cleared(net).id)
    reply = net.reply("poloff", first.cable_id)
    assert [(r.label, r.text, r.id) for r in reply.cable.references] == [
        ("A", "ALMATY 1703", "06ALMATY1703")
    ]
    rep = net.repeat("poloff", first.cable_id, ["AMEMBASSY MOSCOW"])
    intro = rep.cable.paragraphs[0].text
    assert intro.startswith(
        "FOLLOWING ALMATY 001703 SENT ACTION SECSTATE WASHDC INFO CIS COLLECTIVE"
    )
    assert "REPEATED YOU: QUOTE" in intro and rep.cable.paragraphs[-1].text.endswith("UNQUOTE")
    fix = net.correct("poloff", first.cable_id, "text (para 3)")
    assert fix.kind == CORRECT and fix.cable.notices == (
        "C O R R E C T E D  C O P Y - TEXT (PARA 3)",
    )
    net.submit("poloff", fix.id)
    net.clear("polchief", fix.id)
    net.clear("dcm", fix.id)
    again = net.release("ambassador", fix.id)
    # Same MRN, DTG and numbers; no serial consumed; ZDS on FL4.
    assert again.cable_id == first.cable_id and again.numbers == first.numbers
    assert store.last_serial("ALMATY", 2006) == 1703
    assert "ZNR UUUUU ZZH ZDS" in store.released_telegram(first.cable_id)
