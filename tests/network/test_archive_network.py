"""The network kept in an archive (each backend): a released cable is an archive
cable at once, its REFs resolved both ways; every step is in the audit log;
the state survives reindex; a release hands the cable on, after commit or
inside the transaction."""

from __future__ import annotations

from dataclasses import replace

import pytest
from network_fixtures import Clock, archive_store, principals, setup_almaty
from test_workflow import POL_DCM, cleared

from cablegram.archive import Archive
from cablegram.model import Addressee
from cablegram.network.workflow import Network, Released


@pytest.fixture
def archive(location: str):  # type: ignore[no-untyped-def]
    with Archive(location) as a:
        yield a


def network(archive: Archive, clock: Clock) -> Network:
    net = Network(archive_store(archive), principal_of=principals().get, clock=clock)
    setup_almaty(net)
    return net


def test_a_released_cable_is_searchable_with_its_refs_resolved_both_ways(archive, clock):
    net = network(archive, clock)
    archive.store.network.set_serial("ALMATY", 2006, 1702)
    first = net.release("ambassador", cleared(net).id)
    assert first.cable_id == "06ALMATY1703"
    assert [h.id for h in archive.search("subject:kazakhstan")] == ["06ALMATY1703"]
    assert archive.get("06ALMATY1703").serial == 1703
    reply = net.reply("poloff", first.cable_id)
    text = replace(reply.cable.paragraphs[0], text="THE MINISTRY ANSWERED REF A TODAY.")
    draft = net.edit(
        "poloff", reply.id, version=reply.version, requested=POL_DCM,
        cable=replace(reply.cable, paragraphs=(text,), signers=("ORDWAY",),
                      to=(Addressee("SECSTATE WASHDC"),)),
    )  # fmt: skip
    net.submit("poloff", draft.id)
    net.clear("polchief", draft.id)
    net.clear("dcm", draft.id)
    second = net.release("ambassador", draft.id)
    assert second.cable_id == "06ALMATY1704"
    assert [(r.label, r.status, r.targets) for r in archive.refs("06ALMATY1704")] == [
        ("A", "archive", ("06ALMATY1703",))
    ]
    assert [n.id for n in archive.cited_by("06ALMATY1703")] == ["06ALMATY1704"]


def test_every_step_is_in_the_audit_log(archive, clock):
    net = network(archive, clock)
    d = cleared(net)
    net.release("ambassador", d.id)
    entries = archive.audit.query(target=f"draft:{d.id}", limit=50)
    assert [(e.action, e.who) for e in reversed(entries)] == [
        ("draft.created", "poloff"),
        ("draft.submitted", "poloff"),
        ("draft.cleared", "polchief"),
        ("draft.cleared", "dcm"),
        ("draft.released", "ambassador"),
    ]
    assert entries[0].detail["cable"] == "06ALMATY1"


def test_the_network_survives_reindex(archive, clock):
    net = network(archive, clock)
    archive.store.network.set_serial("ALMATY", 2006, 41)
    released = net.release("ambassador", cleared(net).id)
    waiting = cleared(net)
    archive.reindex(workers=1)
    again = network(archive, clock)
    assert again.release_record(released.cable_id) == released
    assert again.show("poloff", waiting.id).missing == []
    assert again.release("ambassador", waiting.id).serial == 43
    assert archive.get("06ALMATY42") is not None


def test_release_hands_the_cable_on_after_commit_or_inside_the_transaction(archive, clock):
    net = network(archive, clock)
    seen: list[Released] = []
    net.on_release(seen.append)
    record = net.release("ambassador", cleared(net).id)
    assert [r.record for r in seen] == [record]
    assert seen[0].telegram.startswith("VZCZC") and seen[0].cable.id == record.cable_id
    # A listener inside the transaction that fails undoes the release.

    def refuse(released: Released) -> None:
        raise RuntimeError("delivery queue unavailable")

    net.on_release(refuse, in_transaction=True)
    d = cleared(net)
    with pytest.raises(RuntimeError, match="delivery queue"):
        net.release("ambassador", d.id)
    assert archive.store.network.last_serial("ALMATY", 2006) == 1
    assert net.show("poloff", d.id).draft.state == "submitted"
    assert archive.get("06ALMATY2") is None and len(seen) == 1


def test_copy_carries_the_network(archive, clock, tmp_path):
    from cablegram.archive.copy import copy_archive

    net = network(archive, clock)
    archive.store.network.set_serial("ALMATY", 2006, 7)
    released = net.release("ambassador", cleared(net).id)
    target = str(tmp_path / "copy.sqlite")
    report = copy_archive(archive.location, target)
    assert report.differences == []
    with Archive(target) as copied:
        again = network(copied, clock)
        assert again.release_record(released.cable_id) == released
        assert copied.store.network.last_serial("ALMATY", 2006) == 8


def test_a_cable_sent_in_sections_is_kept_whole(archive, clock, tmp_path):
    from cablegram.archive.copy import copy_archive

    net = Network(archive_store(archive), principal_of=principals().get, clock=clock,
                  section_limit=2000)  # fmt: skip
    setup_almaty(net)
    seen: list[Released] = []
    net.on_release(seen.append)
    draft = cleared(net, name="06ALMATY2872")
    record = net.release("ambassador", draft.id)
    sections = seen[0].sections
    assert len(sections) == 2 and "#0001/02" in seen[0].telegram
    assert [s.section.number for s in sections] == [1, 2]
    kept = archive.get(record.cable_id)
    assert [p.text for p in kept.paragraphs] == [p.text for p in draft.cable.paragraphs]
    last_words = draft.cable.paragraphs[-1].text.split()[-6:]
    assert archive.search(" ".join(f'"{w.strip(".,")}"' for w in last_words)).total == 1
    assert copy_archive(archive.location, str(tmp_path / "copy.sqlite")).differences == []
