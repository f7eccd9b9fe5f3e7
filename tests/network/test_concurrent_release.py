"""Serials under concurrent releases (NETWORK.md §3, cablegram: gapless, never
reused): four processes release 100 cables each from one origin at once, on
each archive backend; some releases fail half-way (after their cable and
record are written, inside the transaction) and are retried.  The serials are
400 consecutive numbers, none twice, none skipped; the failed attempts
consumed nothing."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime

from network_fixtures import Clock, archive_store, principals, setup_almaty
from test_workflow import cleared

from cablegram.archive import Archive
from cablegram.network.workflow import Network, Released

PROCESSES, EACH = 4, 100
WHEN = datetime(2006, 5, 15, 2, 25, tzinfo=UTC)


class HalfWay(RuntimeError):
    """A release that breaks after writing its cable and its record."""


def _network(location: str) -> tuple[Archive, Network]:
    archive = Archive(location)
    return archive, Network(
        archive_store(archive), principal_of=principals().get, clock=Clock(WHEN)
    )


def _release_share(location: str, drafts: list[int], start, results) -> None:  # type: ignore[no-untyped-def]
    archive, net = _network(location)
    broken: set[int] = set()

    def break_every_seventh_once(released: Released) -> None:
        draft = released.record.draft
        if draft % 7 == 0 and draft not in broken:
            broken.add(draft)
            raise HalfWay(f"draft {draft}")

    net.on_release(break_every_seventh_once, in_transaction=True)
    start.wait()
    serials, failures = [], 0
    for draft in drafts:
        try:
            record = net.release("ambassador", draft)
        except HalfWay:
            failures += 1
            record = net.release("ambassador", draft)
        serials.append(record.serial)
    archive.close()
    results.put((serials, failures))


def test_four_processes_release_400_gapless_serials(location: str) -> None:
    archive, net = _network(location)
    setup_almaty(net)
    archive.store.network.set_serial("ALMATY", 2006, 1702)
    drafts = [cleared(net).id for _ in range(PROCESSES * EACH)]
    archive.close()

    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(PROCESSES), ctx.Queue()
    shares = [drafts[i::PROCESSES] for i in range(PROCESSES)]
    workers = [
        ctx.Process(target=_release_share, args=(location, share, start, results))
        for share in shares
    ]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=300) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0

    serials = sorted(s for got, _ in outcomes for s in got)
    assert serials == list(range(1703, 1703 + PROCESSES * EACH))
    failures = sum(n for _, n in outcomes)
    assert failures == sum(1 for d in drafts if d % 7 == 0) > 0
    # Each process got numbers interleaved with the others' (they ran at once).
    assert any(got[-1] - got[0] >= EACH for got, _ in outcomes)
    with Archive(location) as after:
        assert after.store.network.last_serial("ALMATY", 2006) == 1702 + PROCESSES * EACH
        assert after.stats()["cables"] == PROCESSES * EACH
        ids = {h.id for h in after.search("", limit=1000)}
        assert ids == {f"06ALMATY{s}" for s in serials}
        # Per-addressee numbers are as gapless as the serials.
        assert after.store.network.last_number("ALMATY", "SECSTATE WASHDC") == PROCESSES * EACH
