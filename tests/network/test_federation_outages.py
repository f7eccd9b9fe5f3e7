"""Relays down in a federation of ``cablegram network serve`` processes over the
real NATS server at 127.0.0.1:4222 (a subject prefix of its own): the relay's
installation is killed with traffic for it in the broker; an operator marks
the relay down with ``cablegram network down`` at another installation; the
installation running the directory's alternate takes the waiting traffic and
forwards it, and new traffic goes there at once; marked up and restarted,
the relay relays again.  Every cable is delivered exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time
import uuid
from pathlib import Path

import synthetic
from synthetic import BRAVO
from test_federation import CLI, stop_servers

from cablegram.access.principal import Principal
from cablegram.archive.sqlite import SQLiteStore
from cablegram.network.archived_deliveries import ArchivedDeliveries
from cablegram.network.delivery import STATION
from cablegram.network.directory_csv import write_directory_csv
from cablegram.network.outages import OUTAGES_SETTING

URL = "nats://127.0.0.1:4222"
INSTALLATIONS = {  # name -> (hosts, relays)
    "a": ("RUEHAA", ""),
    "b": ("RUEHBB", ""),
    "c": ("", "RUEH"),  # RUEH names RUEK as its alternate
    "d": ("RUEKCC", "RUEK"),
}


def _store(path: Path) -> SQLiteStore:
    return SQLiteStore(str(path), Principal("t", owner=True))


def _delivered(path: Path) -> list[str]:
    if not path.exists():
        return []
    store = _store(path)
    try:
        return sorted(d.cable_id for d in ArchivedDeliveries(store).inbox(STATION, BRAVO))
    finally:
        store.close()


def _down(path: Path) -> list[str]:
    store = _store(path)
    try:
        marks = store.setting(OUTAGES_SETTING) or {}
        return sorted(k for k, m in marks.items() if m["down"])
    finally:
        store.close()


def _wait(what, seconds: float = 90.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not what():
        assert time.monotonic() < deadline, f"gave up waiting ({what.__doc__ or what})"
        time.sleep(0.3)


async def _remove(prefix: str) -> None:
    import nats

    nc = await nats.connect(URL)
    js = nc.jetstream()
    for remove in (
        js.delete_stream(prefix.upper()),
        js.delete_key_value(f"{prefix.upper()}_OUTAGES"),
    ):
        with contextlib.suppress(Exception):  # never made
            await remove
    await nc.close()


def test_serving_installations_hand_a_killed_relays_traffic_to_its_alternate(tmp_path):
    prefix = "cgfedout" + uuid.uuid4().hex[:8]
    directory_csv = tmp_path / "directory.csv"
    directory_csv.write_text(write_directory_csv(synthetic.directory()))
    env = {**os.environ, "CABLEGRAM_DIRECTORY": str(directory_csv),
           "CABLEGRAM_NATS_PREFIX": prefix}  # fmt: skip
    env.pop("CABLEGRAM_NOW", None)
    b_path = tmp_path / "b.sqlite"

    def args(name: str) -> list[str]:
        hosts, relays = INSTALLATIONS[name]
        return ["--archive", str(tmp_path / f"{name}.sqlite"), "--hosts", hosts,
                "--relays", relays]  # fmt: skip

    def cli(*argv: str) -> str:
        done = subprocess.run([CLI, *argv], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    servers: dict[str, subprocess.Popen[bytes]] = {}

    def serve(name: str) -> None:
        servers[name] = subprocess.Popen(
            [CLI, "network", "serve", *args(name), "--nats", URL, "--ack-wait", "2",
             "--name", f"{prefix}-{name}"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def send(*serials: int) -> None:
        files = []
        for n in serials:
            path = tmp_path / f"{n}.txt"
            path.write_text(synthetic.cable(n, to=BRAVO).telegram)
            files.append(str(path))
        cli("network", "send", *args("a"), *files)

    def delivered(n: int):  # type: ignore[no-untyped-def]
        return lambda: len(_delivered(b_path)) >= n

    try:
        for name in INSTALLATIONS:
            serve(name)
        send(1)
        _wait(delivered(1))
        servers["c"].kill()  # RUEH's installation dies (SIGKILL)
        servers["c"].wait()
        send(2, 3, 4)
        time.sleep(2)
        assert _delivered(b_path) == ["06ALPHA1"]  # waiting for RUEH in the broker
        # At another installation (its archive, while it serves).
        out = cli("network", "down", "RUEH", "--archive", str(b_path))
        assert out.startswith("RUEH: down")
        _wait(delivered(4))  # RUEK's installation took them
        send(5)  # straight to the alternate
        _wait(delivered(5))
        _wait(lambda: _down(tmp_path / "a.sqlite") == ["relay:RUEH"])  # shared
        cli("network", "up", "RUEH", "--archive", str(tmp_path / "a.sqlite"))
        serve("c")
        _wait(lambda: _down(tmp_path / "c.sqlite") == [] and _down(b_path) == [])
        send(6)
        _wait(delivered(6))
        time.sleep(3)  # anything sent twice would arrive by now
        assert _delivered(b_path) == [f"06ALPHA{n}" for n in range(1, 7)]
    finally:
        stop_servers(servers)
        asyncio.run(_remove(prefix))
    for name in INSTALLATIONS:
        assert '"queues": {}' in cli("network", "status", *args(name)[:2], "--json"), name
