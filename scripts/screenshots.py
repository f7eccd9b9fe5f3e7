"""Screenshots of the web interface for README.md and docs/web.md, in docs/img/.

    .venv/bin/python scripts/screenshots.py [--out docs/img] [--favicon]

Real cables first: the dev corpus (``$CABLEGRAM_CORPUS``, else
``../shared/corpus`` beside the checkout) is ingested into a temporary
archive and served; the search page, the cable reader and the corpus overview
are photographed on it.  The thread view needs a long conversation, which
the real sample does not hold: it is photographed on the demo archive
(``cablegram demo --no-serve``: the two seeds and 2,000 synthetic cables),
on its largest thread, and the README says so.  ``/docs`` is photographed
too.  ``--favicon`` also redraws ``static/favicon.png`` from ``favicon.svg``.

Playwright drives /usr/bin/chromium.  Each file is listed with what it shows.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
STATIC = REPO / "src" / "cablegram" / "web" / "static"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update"]  # fmt: skip
SEARCH = '"human rights"'
WIDTH = 1280


def cablegram(*args: str) -> list[str]:
    return [sys.executable, "-c", "from cablegram.cli import main; main()", *args]


def env() -> dict[str, str]:
    path = os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])
    return dict(os.environ, PYTHONPATH=path)


def corpus() -> Path:
    root = Path(os.environ.get("CABLEGRAM_CORPUS") or REPO.parent / "shared" / "corpus")
    if not (root / "dev").is_dir():
        raise SystemExit(f"no dev corpus at {root}/dev: the screenshots show real cables "
                         "(set CABLEGRAM_CORPUS)")  # fmt: skip
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(archive: str) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = cablegram("serve", "--archive", archive, "--port", str(port), "--anonymous", "owner")
    server = subprocess.Popen(command, env=env(), stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "api/me", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"no server at {url}")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def showcase_cable(url: str) -> str:
    """A real cable worth reading in the reader: the most links to other cables
    of the archive (REFs resolved, citers), then a heading in its text, then
    the highest classification."""
    hits = httpx.get(url + "api/search", params={"q": "has:refs", "sort": "date",
                                                 "limit": 500}).json()["hits"]  # fmt: skip
    rank = {"UNCLASSIFIED": 0, "CONFIDENTIAL": 1, "SECRET": 2, "TOP SECRET": 3}
    best: tuple[int, int, int, str] | None = None
    for hit in hits:
        cid = hit["id"]
        refs = httpx.get(url + f"api/cables/{cid}/refs").json()
        links = sum(r["status"] == "archive" for r in refs)
        links += len(httpx.get(url + f"api/cables/{cid}/cited-by").json())
        paragraphs = httpx.get(url + f"api/cables/{cid}").json()["paragraphs"]
        heading = any(p["number"] is None and p["marking"] is None for p in paragraphs)
        key = (links, int(heading), rank.get(hit["classification"] or "", 0), cid)
        best = max(best, key) if best else key
    if best is None:
        raise SystemExit("no cable with references in the archive")
    return best[3]


def largest_thread(url: str) -> str:
    hits = httpx.get(url + "api/search", params={"q": "date:2003", "sort": "date-asc",
                                                 "limit": 400}).json()["hits"]  # fmt: skip
    sizes = {h["id"]: len(httpx.get(url + f"api/cables/{h['id']}/thread").json()["nodes"])
             for h in hits}  # fmt: skip
    return max(sizes, key=lambda cid: (sizes[cid], cid))


def redraw_favicon(browser: object) -> None:
    svg = (STATIC / "favicon.svg").read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": 32, "height": 32})  # type: ignore[attr-defined]
    page.set_content(
        '<body style="margin:0">' + svg.replace("<svg ", '<svg width="32" height="32" ', 1)
    )
    page.screenshot(path=str(STATIC / "favicon.png"), omit_background=True)
    page.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", default=str(REPO / "docs" / "img"))
    ap.add_argument("--favicon", action="store_true", help="Also redraw static/favicon.png.")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    root = corpus()
    from playwright.sync_api import sync_playwright

    shown: list[tuple[Path, str]] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        if args.favicon:
            redraw_favicon(browser)
            shown.append((STATIC / "favicon.png", "favicon.svg at 32 px"))
        real = os.path.join(tmp, "real.sqlite")
        # Named from the checkout, as the README names them (../shared/corpus/dev/...).
        dirs = [os.path.relpath(d, REPO) for d in sorted((root / "dev").iterdir()) if d.is_dir()]
        subprocess.run(cablegram("ingest", *dirs, "--archive", real), cwd=REPO, env=env(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        demo = os.path.join(tmp, "demo.sqlite")
        subprocess.run(cablegram("demo", "--no-serve", "--archive", demo), env=env(),
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        with served(real) as url:
            page = browser.new_page(viewport={"width": WIDTH, "height": 860})
            page.goto(url + "search?" + str(httpx.QueryParams({"q": SEARCH})))
            page.wait_for_selector(".histogram .time-axis")
            page.screenshot(path=str(out / "search.png"))
            shown.append((out / "search.png", f"search for {SEARCH} in the dev corpus"))
            cable = showcase_cable(url)
            page.set_viewport_size({"width": WIDTH, "height": 1180})
            page.goto(url + f"cables/{cable}")
            page.screenshot(path=str(out / "cable.png"))
            shown.append((out / "cable.png", f"the reader on {cable}, as the source holds it"))
            page.set_viewport_size({"width": WIDTH, "height": 900})
            page.goto(url + "overview")
            page.wait_for_selector('[data-chart="months"] .time-axis')
            page.locator(".overview").screenshot(path=str(out / "overview.png"))
            shown.append((out / "overview.png", "the overview of the dev corpus"))
            page.goto(url + "docs")
            page.wait_for_selector(".opblock")
            page.screenshot(path=str(out / "docs.png"))
            shown.append((out / "docs.png", "/docs (Swagger UI) under the site's bar"))
        with served(demo) as url:
            root_id = largest_thread(url)
            page.goto(url + f"cables/{root_id}/thread")
            page.locator("figure.thread-graph").screenshot(path=str(out / "thread.png"))
            shown.append((out / "thread.png", f"the demo archive's largest thread ({root_id})"))
        browser.close()
    for path, what in shown:
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
