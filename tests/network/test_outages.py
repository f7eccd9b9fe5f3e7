"""Relays and links marked down and up again (NETWORK.md §5): traffic waits, or
takes the directory's alternate relay, and nothing is lost — the mark is kept
in the archive, so every process over it (another CLI command, the web, a
``network serve``) honours it, and what waits is kept in the archive's queues,
not in a process's memory."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import pytest
import synthetic
from click.testing import CliRunner
from synthetic import BRAVO, CHARLIE

from backends import BACKENDS, new_location
from cablegram.access.principal import Principal
from cablegram.archive import Archive
from cablegram.archive.errors import AccessDenied
from cablegram.cli import main
from cablegram.network.delivery import STATION
from cablegram.network.directory_csv import write_directory_csv
from cablegram.network.node import NetworkError, Node

WHEN = datetime(2006, 5, 15, 10, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def location(request, tmp_path):
    return new_location(request.param, tmp_path, "outages", request)


def _node(location, principal=None):
    archive = Archive(location, principal=principal)
    return archive, Node(archive, synthetic.directory(), clock=lambda: WHEN)


def _stations(node, station):
    return [d.cable_id for d in node.store.inbox(STATION, station)]


def test_a_link_down_keeps_traffic_until_it_is_up_again_across_processes(location):
    archive, node = _node(location)
    with archive:
        node.mark("RUEK", down=True, link="RUEKCC")
        first = synthetic.cable(1, to=CHARLIE)
        node.dispatch(first.cable, first.telegram)
        assert _stations(node, CHARLIE) == []
        assert node.store.queues() == {"relay:RUEK": 1}  # kept in the archive
    # Another process (the last one has exited): the link is still down.
    archive, node = _node(location)
    with archive:
        assert node.status()["links_down"] == ["RUEK-RUEKCC"]
        other = synthetic.cable(2, to=BRAVO)
        node.dispatch(other.cable, other.telegram)  # another link: not held
        assert _stations(node, BRAVO) == ["06ALPHA2"] and _stations(node, CHARLIE) == []
        done = node.mark("RUEK", down=False, link="RUEKCC")
        assert done["moved"] == 1 and done["waiting"] == 0
        assert _stations(node, CHARLIE) == ["06ALPHA1"]
        assert node.store.queues() == {}
        # Up again, and up once more: nothing is delivered twice.
        node.mark("RUEK", down=False, link="RUEKCC")
        assert _stations(node, CHARLIE) == ["06ALPHA1"]


def test_a_relay_down_hands_its_traffic_to_the_alternate_or_it_waits(location):
    archive, node = _node(location)
    with archive:
        node.mark("RUEH", down=True)  # RUEH names RUEK as its alternate
        one = synthetic.cable(1, to=BRAVO)
        node.dispatch(one.cable, one.telegram)
        assert _stations(node, BRAVO) == ["06ALPHA1"]
        assert node.installation.forwarded == {"RUEK": 1}
        node.mark("RUEK", down=True)  # the alternate too: it waits
        two = synthetic.cable(2, to=BRAVO)
        node.dispatch(two.cable, two.telegram)
        assert _stations(node, BRAVO) == ["06ALPHA1"]
        assert node.waiting() == 1
    archive, node = _node(location)
    with archive:
        done = node.mark("RUEK", down=False)  # the alternate is back: it takes RUEH's traffic
        assert done["moved"] == 1 and done["relays_down"] == ["RUEH"]
        assert _stations(node, BRAVO) == ["06ALPHA1", "06ALPHA2"]
        assert node.installation.forwarded == {"RUEK": 1}
        node.mark("RUEH", down=False)
        three = synthetic.cable(3, to=BRAVO)
        node.dispatch(three.cable, three.telegram)
        assert node.installation.forwarded == {"RUEK": 1, "RUEH": 1}
        assert node.status()["relays_down"] == [] and node.waiting() == 0
        log = [e.action for e in archive.audit.query(action="network.relay.down")]
        assert log == ["network.relay.down", "network.relay.down"]


def test_only_an_owner_marks_and_only_what_the_directory_knows(location):
    with Archive(location) as archive:
        archive.users.add("clerk")
    archive, node = _node(location, Principal("clerk"))
    with archive, pytest.raises(AccessDenied):
        node.mark("RUEH", down=True)
    archive, node = _node(location)
    with archive:
        with pytest.raises(NetworkError, match="no relay RUZZ"):
            node.mark("RUZZ", down=True)
        assert node.status()["relays_down"] == []


def test_cli_marks_down_and_up(tmp_path, monkeypatch):
    directory = tmp_path / "directory.csv"
    directory.write_text(write_directory_csv(synthetic.directory()))
    monkeypatch.setenv("CABLEGRAM_DIRECTORY", str(directory))
    monkeypatch.setenv("CABLEGRAM_NOW", "2006-05-15T10:00Z")
    archive = str(tmp_path / "cli.sqlite")
    cable = tmp_path / "c.txt"
    cable.write_text(synthetic.cable(1, to=CHARLIE).telegram)
    run = CliRunner().invoke
    down = run(main, ["network", "down", "RUEK", "--link", "RUEKCC", "--archive", archive])
    assert down.exit_code == 0, down.output
    assert down.output.splitlines() == [
        "RUEK to RUEKCC: down", "relays down: none; links down: RUEK-RUEKCC",
    ]  # fmt: skip
    sent = run(main, ["network", "send", "--archive", archive, str(cable)])
    assert sent.exit_code == 0, sent.output
    status = run(main, ["network", "status", "--archive", archive])
    assert "down: RUEK-RUEKCC" in status.output and "relay:RUEK 1" in status.output
    up = run(main, ["network", "up", "RUEK", "--link", "RUEKCC", "--archive", archive, "--json"])
    assert up.exit_code == 0, up.output
    assert json.loads(up.output)["moved"] == 1
    inbox = run(main, ["inbox", CHARLIE, "--archive", archive, "--json"])
    assert [d["cable_id"] for d in json.loads(inbox.output)["deliveries"]] == ["06ALPHA1"]
    bad = run(main, ["network", "down", "RUZZ", "--archive", archive])
    assert bad.exit_code == 1 and "no relay RUZZ" in bad.output


# -- a federation: network serve processes honour marks made by any process --
URL = "nats://127.0.0.1:4222"


def federated(tmp_path, name, hosts, relays):
    archive = Archive(str(tmp_path / f"{name}.sqlite"))
    return archive, Node(archive, synthetic.directory(), hosts=hosts, relays=relays,
                         clock=lambda: WHEN)  # fmt: skip


async def rounds(bridges, until=None, seconds=60.0):
    """Step every bridge until ``until()`` holds (or, without it, for ``seconds``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while until is None or not until():
        if loop.time() > deadline:
            assert until is None, [b.status() for b in bridges]
            return
        for b in bridges:
            await b.step()
        await asyncio.sleep(0.02)


def test_a_serving_installation_honours_a_link_marked_down_elsewhere(tmp_path):
    prefix = "cgout" + uuid.uuid4().hex[:8]
    a_archive, a = federated(tmp_path, "a", ["RUEHAA"], [])
    b_archive, b = federated(tmp_path, "b", ["RUEHBB"], [])
    c_archive, c = federated(tmp_path, "c", [], ["RUEH", "RUEK"])
    bridges = [n.bridge(name=f"{prefix}-{i}", url=URL, prefix=prefix, ack_wait=2)
               for i, n in enumerate((a, b, c))]  # fmt: skip

    async def scenario():
        for x in bridges:
            await x.connect()
        try:
            # An operator marks the relay's link to BRAVO down in the relay's archive,
            # from another process, while the relay serves.
            with Archive(str(tmp_path / "c.sqlite")) as operator:
                Node(operator, synthetic.directory()).mark("RUEH", down=True, link="RUEHBB")
            one = synthetic.cable(1, to=BRAVO)
            a.dispatch(one.cable, one.telegram)
            await rounds(bridges, lambda: c.store.queues().get("relay:RUEH") == 1)
            await rounds(bridges, seconds=2.0)  # it waits at the relay
            assert b.store.inbox(STATION, BRAVO) == []
            assert c.status()["links_down"] == ["RUEH-RUEHBB"]
            with Archive(str(tmp_path / "c.sqlite")) as operator:
                Node(operator, synthetic.directory()).mark("RUEH", down=False, link="RUEHBB")
            await rounds(bridges, lambda: len(b.store.inbox(STATION, BRAVO)) == 1)
            await rounds(bridges, seconds=1.0)
            assert [d.cable_id for d in b.store.inbox(STATION, BRAVO)] == ["06ALPHA1"]
            assert c.store.queues() == {} and a.store.queues() == {}
        finally:
            await bridges[0].delete_stream()
            for x in bridges:
                await x.close()

    try:
        asyncio.run(scenario())
    finally:
        for arch in (a_archive, b_archive, c_archive):
            arch.close()


def test_a_stopped_relay_marked_down_hands_its_traffic_to_the_alternate_over_nats(tmp_path):
    """RUEH's installation stops with traffic for it waiting in the broker; an
    operator at another installation marks RUEH down; the installation running
    RUEH's alternate (RUEK) takes that traffic from the broker and forwards it,
    new traffic goes to RUEK at once; RUEH marked up and back, it relays again.
    Every cable is delivered exactly once."""
    prefix = "cgalt" + uuid.uuid4().hex[:8]
    made = {name: federated(tmp_path, name, hosts, relays) for name, hosts, relays in (
        ("a", ["RUEHAA"], []), ("b", ["RUEHBB"], []), ("c", [], ["RUEH"]),
        ("d", ["RUEKCC"], ["RUEK"]),
    )}  # fmt: skip
    nodes = {name: node for name, (_archive, node) in made.items()}
    a, b, c, d = (nodes[n] for n in "abcd")

    def bridge(name):
        return nodes[name].bridge(name=f"{prefix}-{name}", url=URL, prefix=prefix, ack_wait=2)

    def delivered():
        return [x.cable_id for x in b.store.inbox(STATION, BRAVO)]

    def send(*serials):
        for n in serials:
            x = synthetic.cable(n, to=BRAVO)
            a.dispatch(x.cable, x.telegram)

    def mark(name, down):
        with Archive(str(tmp_path / f"{name}.sqlite")) as operator:
            Node(operator, synthetic.directory(), hosts=[]).mark("RUEH", down=down)

    async def scenario():
        bridges = {n: bridge(n) for n in "abcd"}
        for x in bridges.values():
            await x.connect()
        running = list(bridges.values())
        try:
            send(1)
            await rounds(running, lambda: len(delivered()) == 1)
            assert c.installation.forwarded == {"RUEH": 1}
            await bridges["c"].close()  # RUEH's installation stops
            running.remove(bridges["c"])
            send(2, 3, 4)
            await rounds(running, seconds=1.5)
            assert len(delivered()) == 1  # waiting for RUEH in the broker
            mark("b", down=True)  # marked at another installation than RUEH's or RUEK's
            await rounds(running, lambda: a.status()["relays_down"] == ["RUEH"])
            send(5)  # new traffic goes to the alternate at once
            await rounds(running, lambda: len(delivered()) == 5)
            assert d.installation.forwarded["RUEK"] == 4
            assert d.status()["relays_down"] == ["RUEH"]  # shared through the broker
            mark("a", down=False)
            bridges["c"] = bridge("c")  # RUEH's installation comes back
            await bridges["c"].connect()
            running.append(bridges["c"])
            await rounds(running, lambda: c.status()["relays_down"] == [])
            await rounds(running, lambda: b.status()["relays_down"] == [])
            send(6)
            await rounds(running, lambda: len(delivered()) == 6)
            await rounds(running, seconds=2.5)  # anything sent twice would arrive by now
            assert c.installation.forwarded == {"RUEH": 2}
            assert sorted(delivered()) == sorted(f"06ALPHA{n}" for n in range(1, 7))
            assert all(not n.store.queues() for n in nodes.values())
        finally:
            await bridges["a"].delete_stream()
            for x in running:
                await x.close()

    try:
        asyncio.run(scenario())
    finally:
        for archive, _node in made.values():
            archive.close()


def test_a_serving_node_follows_the_archives_directory(tmp_path):
    """`network serve` delivers with the archive's own directory, and takes its
    changes (made by `cablegram directory ...` in another process) as it reads
    the marks again."""
    from cablegram.network.archived import open_network
    from cablegram.network.directory import Office
    from cablegram.network.node import directory_of

    path = str(tmp_path / "follow.sqlite")
    with Archive(path) as archive:
        open_network(archive).put("owner", *synthetic.directory().relays.values())
        node = Node(archive, directory_of(archive), hosts=["RUEHBB"], follow_directory=True)
        assert node.directory.office(BRAVO, "ECON") is None
        with Archive(path) as operator:
            open_network(operator).put("owner", Office(BRAVO, "ECON", "Economic Section"))
        node.refresh_outages()
        assert node.directory.office(BRAVO, "ECON") is not None
        assert node.installation.directory is node.directory is node.inboxes.directory


def test_a_directory_without_relays_delivers_direct_and_says_so(tmp_path, monkeypatch):
    """The relays are the directory's: none (a directory kept before relays were
    part of it), and each transmission goes straight to its addressee."""
    from dataclasses import replace

    directory = tmp_path / "norelays.csv"
    directory.write_text(write_directory_csv(replace(synthetic.directory(), relays={})))
    monkeypatch.setenv("CABLEGRAM_DIRECTORY", str(directory))
    monkeypatch.setenv("CABLEGRAM_NOW", "2006-05-15T10:00Z")
    archive = str(tmp_path / "direct.sqlite")
    cable = tmp_path / "c.txt"
    cable.write_text(synthetic.cable(1, to=CHARLIE).telegram)
    run = CliRunner().invoke
    assert run(main, ["network", "send", "--archive", archive, str(cable)]).exit_code == 0
    status = run(main, ["network", "status", "--archive", archive, "--json"])
    assert json.loads(status.output)["relays_known"] == 0
    text = run(main, ["network", "status", "--archive", archive]).output
    assert "relays: none in the directory" in text and "queues: empty" in text
    inbox = run(main, ["inbox", CHARLIE, "--archive", archive, "--json"])
    assert [d["cable_id"] for d in json.loads(inbox.output)["deliveries"]] == ["06ALPHA1"]
