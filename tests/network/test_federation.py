"""Done means: three installations on loopback, each hosting some stations, with
the relays at one of them; 1,000 cables released across them while one
installation and then the broker are killed and restarted; every addressee
receives every cable exactly once, and every queue is in precedence order.

Each installation is a ``cablegram network serve`` process over its own
archive; cables are released into an installation with ``cablegram network
send`` (its outbox).  The broker is a private nats-server this test starts on
a free port (the shared one at 4222 is never stopped)."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import synthetic
from synthetic import ALPHA, BRAVO, CHARLIE, DELTA, ECHO

from cablegram.access.principal import Principal
from cablegram.archive.sqlite import SQLiteStore
from cablegram.model import Precedence
from cablegram.network.archived_deliveries import ArchivedDeliveries
from cablegram.network.delivery import STATION, inbox_order
from cablegram.network.directory_csv import write_directory_csv

NATS_SERVER = "/usr/sbin/nats-server"
CLI = str(Path(sys.executable).parent / "cablegram")
# installation -> (stations hosted, relays run)
INSTALLATIONS = {
    "one": ((ALPHA, DELTA), ()),
    "two": ((BRAVO, ECHO), ()),
    "three": ((CHARLIE,), ("RUEH", "RUEK")),
}
RIS = {ALPHA: "RUEHAA", BRAVO: "RUEHBB", CHARLIE: "RUEKCC", DELTA: "RUEHDD", ECHO: "RUEKEE"}
PRECEDENCES = [Precedence.ROUTINE] * 6 + [Precedence.PRIORITY] * 2 + [
    Precedence.IMMEDIATE, Precedence.FLASH,
]  # fmt: skip
CABLES = 1000
BATCHES = 4


def stop_servers(servers: dict[str, subprocess.Popen[Any]]) -> None:
    """Stop ``network serve`` processes as Ctrl-C does, killing any that
    does not end within 20 s."""
    for p in servers.values():
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in servers.values():
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class Broker:
    """A private nats-server with JetStream, its state in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port), "-js",
             "-sd", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not _port_open(self.port):
            assert time.monotonic() < deadline, "the private nats-server did not start"
            time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()


def _released(n: int, rng: random.Random) -> tuple[str, object]:
    """Cable ``n``: from a station of one installation to one or two elsewhere."""
    origin = rng.choice(list(RIS))
    others = [s for s in RIS if s != origin]
    to = rng.choice(others)
    info = tuple(s for s in rng.sample(others, 2) if s != to)[:1]
    precedence = rng.choice(PRECEDENCES)
    serial = n
    return origin, synthetic.cable(
        serial, to=to, origin=origin, precedence=precedence, info=info,
        distribution=(), numbers={},
    )  # fmt: skip


def _home(station: str) -> str:
    return next(name for name, (hosted, _) in INSTALLATIONS.items() if station in hosted)


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path / "jetstream")
    b.start()
    yield b
    if b.process is not None and b.process.poll() is None:
        b.kill()


def test_federation_exactly_once_through_kills(tmp_path, broker):
    directory_csv = tmp_path / "directory.csv"
    directory_csv.write_text(write_directory_csv(synthetic.directory()))
    env = {**os.environ, "CABLEGRAM_DIRECTORY": str(directory_csv),
           "CABLEGRAM_NATS_PREFIX": "fedtest"}  # fmt: skip
    rng = random.Random(12)
    batches: dict[str, list[list[str]]] = {n: [[] for _ in range(BATCHES)] for n in INSTALLATIONS}
    expected: Counter[tuple[str, str]] = Counter()
    for n in range(1, CABLES + 1):
        origin, assembled = _released(n, rng)
        path = tmp_path / "out" / f"{assembled.id}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(assembled.telegram)
        batches[_home(origin)][n % BATCHES].append(str(path))
        for a in (*assembled.cable.to, *assembled.cable.info):
            expected[(assembled.id, a.name)] += 1

    def args(name: str) -> list[str]:
        hosted, relays = INSTALLATIONS[name]
        return ["--archive", str(tmp_path / f"{name}.sqlite"),
                "--hosts", ",".join(RIS[s] for s in hosted), "--relays", ",".join(relays)]  # fmt: skip

    servers: dict[str, subprocess.Popen[bytes]] = {}

    def serve(name: str) -> None:
        servers[name] = subprocess.Popen(
            [CLI, "network", "serve", *args(name), "--nats", broker.url, "--ack-wait", "2",
             "--name", name],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def send(batch: int) -> None:
        for name in INSTALLATIONS:
            files = batches[name][batch]
            if files:
                done = subprocess.run(
                    [CLI, "network", "send", *args(name), *files],
                    env=env, capture_output=True, text=True,
                )  # fmt: skip
                assert done.returncode == 0, done.stderr

    def delivered() -> Counter[tuple[str, str]]:
        got: Counter[tuple[str, str]] = Counter()
        for name, (hosted, _) in INSTALLATIONS.items():
            path = tmp_path / f"{name}.sqlite"
            if not path.exists():
                continue
            store = ArchivedDeliveries(SQLiteStore(str(path), Principal("t", owner=True)))
            try:
                for station in hosted:
                    for d in store.inbox(STATION, station):
                        got[(d.cable_id, station)] += 1
            finally:
                store.archive.close()
        return got

    try:
        for name in INSTALLATIONS:
            serve(name)
        send(0)
        servers["two"].kill()  # an installation dies (SIGKILL: no goodbye)
        servers["two"].wait()
        send(1)
        time.sleep(1)
        serve("two")
        send(2)
        time.sleep(1)
        broker.kill()  # then the broker
        send(3)
        time.sleep(2)
        broker.start()
        deadline = time.monotonic() + 240
        while (got := delivered()) != expected:
            assert time.monotonic() < deadline, (
                f"{sum(got.values())} of {sum(expected.values())} delivered; "
                f"twice: {[k for k, v in got.items() if v > 1][:5]}"
            )
            time.sleep(1)
    finally:
        stop_servers(servers)
    assert all(v == 1 for v in delivered().values())
    # Every queue is in precedence order (FLASH, IMMEDIATE, PRIORITY, ROUTINE; then time).
    for name, (hosted, _) in INSTALLATIONS.items():
        store = ArchivedDeliveries(SQLiteStore(str(tmp_path / f"{name}.sqlite")))
        for station in hosted:
            inbox = store.inbox(STATION, station)
            assert inbox == sorted(inbox, key=inbox_order)
            assert {d.precedence for d in inbox} == set(PRECEDENCES)
        store.archive.close()
