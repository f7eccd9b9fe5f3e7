"""A real ``cablegram serve`` process on a free loopback port, for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cablegram_command(*args: str) -> list[str]:
    """``cablegram ARGS`` run by this interpreter on this checkout's sources."""
    return [sys.executable, "-c", "from cablegram.cli import main; main()", *args]


def checkout_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), env.get("PYTHONPATH", "")])
    env.pop("CABLEGRAM_WEB_SECRET", None)
    return env


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode}")
        try:
            if httpx.get(url + "api/me", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up in {seconds} s")


@contextmanager
def running(command: list[str], url: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        command, env=checkout_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        wait_until_up(url, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serving(archive_file: str, *extra: str) -> Iterator[str]:
    """The base URL of ``cablegram serve`` on ``archive_file`` while the block runs."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = cablegram_command("serve", "--archive", archive_file, "--port", str(port), *extra)
    with running(command, url):
        yield url


CHROMIUM = Path("/usr/bin/chromium")


def browser_tests() -> pytest.MarkDecorator:
    """The mark of a browser test module: without Chromium the module is
    skipped on a developer's machine, but under CI (``$CI`` set; .ci/run puts
    Chromium there with .ci/install-browser) it runs and fails, so a missing
    browser never passes CI as skips."""
    return pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason="Chromium not installed at /usr/bin/chromium (.ci/install-browser)",
    )
