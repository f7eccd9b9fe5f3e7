"""Screenshots of the web interface for the README: docs/img/search.png, docs/img/cable.png.

    .venv/bin/python scripts/screenshots.py [--out docs/img]

Builds the demo archive in a temporary folder (``cablegram demo --no-serve``),
serves it (``cablegram serve --anonymous owner``) and photographs the search
page and the cable reader with Playwright driving /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SEARCH = '"request for guidance"'
VIEWPORT = {"width": 1280, "height": 860}


def cablegram(*args: str) -> list[str]:
    return [sys.executable, "-c", "from cablegram.cli import main; main()", *args]


def env() -> dict[str, str]:
    path = os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])
    return dict(os.environ, PYTHONPATH=path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "api/me", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit(f"no server at {url}")


def showcase_cable(url: str) -> str:
    """A SECRET//NOFORN cable whose REFs all resolve and that others cite."""
    hits = httpx.get(url + "api/search", params={"q": "class:secret caption:NOFORN has:refs",
                                                 "sort": "date", "limit": 200}).json()["hits"]  # fmt: skip
    for hit in hits:
        refs = httpx.get(url + f"api/cables/{hit['id']}/refs").json()
        citers = httpx.get(url + f"api/cables/{hit['id']}/cited-by").json()
        if len(refs) >= 2 and all(r["status"] == "archive" for r in refs) and len(citers) >= 2:
            return str(hit["id"])
    return "06ALMATY2872"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(REPO / "docs" / "img"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        archive = os.path.join(tmp, "demo.sqlite")
        subprocess.run(cablegram("demo", "--no-serve", "--archive", archive), env=env(),
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        server = subprocess.Popen(
            cablegram("serve", "--archive", archive, "--port", str(port), "--anonymous", "owner"),
            env=env(),
        )
        try:
            wait_up(url)
            cable = showcase_cable(url)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM)
                page = browser.new_page(viewport=VIEWPORT)
                page.goto(url + "search?" + str(httpx.QueryParams({"q": SEARCH})))
                page.wait_for_selector(".histogram svg")
                page.screenshot(path=str(out / "search.png"))
                page.set_viewport_size({"width": VIEWPORT["width"], "height": 1180})
                page.goto(url + f"cables/{cable}")
                page.screenshot(path=str(out / "cable.png"))
                browser.close()
            print(f"{out / 'search.png'}: search for {SEARCH}")
            print(f"{out / 'cable.png'}: the reader on {cable}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
