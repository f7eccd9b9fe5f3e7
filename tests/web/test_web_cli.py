"""``cablegram serve`` and ``cablegram demo`` as a user runs them: real processes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from click.testing import CliRunner
from web_fixtures import PASSWORD, SEED, SEED_ID, copy_archive
from web_server import cablegram_command, free_port, running, serving

from cablegram.cli import main


def test_serve_needs_an_existing_archive(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--archive", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 1
    assert "no such archive" in result.output and not (tmp_path / "none.sqlite").exists()


def test_serve_refuses_a_file_that_is_not_an_archive(tmp_path: Path) -> None:
    notes = tmp_path / "notes.sqlite"
    notes.write_text("not a database\n" * 200)
    result = CliRunner().invoke(main, ["serve", "--archive", str(notes)])
    assert result.exit_code == 1 and "cablegram: " in result.output
    assert "Traceback" not in result.output


def test_demo_no_serve_builds_and_returns(tmp_path: Path) -> None:
    archive = tmp_path / "demo.sqlite"
    result = CliRunner().invoke(
        main, ["demo", "--count", "30", "--no-serve", "--archive", str(archive)]
    )
    assert result.exit_code == 0, result.output
    assert "32 new" in result.output and "serving" not in result.output
    assert archive.is_file()


def test_demo_serves_the_demo_archive_as_its_owner(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    archive = tmp_path / "demo.sqlite"
    command = cablegram_command(
        "demo", "--count", "30", "--archive", str(archive), "--port", str(port)
    )
    with running(command, url):
        assert httpx.get(url + "api/me").json()["owner"] is True
        assert httpx.get(url + f"api/cables/{SEED_ID}").status_code == 200
        assert httpx.get(url).status_code == 200


def test_workers_share_one_archive(archive_file: str, tmp_path: Path) -> None:
    """Two worker processes serve one archive: reads agree, and a cable
    ingested through one is at once visible through every worker."""
    copy = copy_archive(archive_file, tmp_path / "shared.sqlite")
    with serving(copy, "--workers", "2", "--anonymous", "owner") as url:

        def total(_: int) -> int:
            r = httpx.get(url + "api/search", params={"q": "has:refs", "limit": 1})
            return int(r.json()["total"])

        with ThreadPoolExecutor(8) as pool:
            assert len(set(pool.map(total, range(40)))) == 1
        new_file = SEED.with_name("06ALMATY2872.txt").read_bytes().replace(b"2872", b"2873")
        r = httpx.post(url + "api/ingest", files={"files": ("new.txt", new_file)})
        assert r.json()["new"] == 1

        def status(_: int) -> int:
            return httpx.get(url + "api/cables/06ALMATY2873").status_code

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(status, range(40))) == {200}


def test_two_workers_sign_in_search_and_share_the_sign_in_limit(
    archive_file: str, tmp_path: Path
) -> None:
    """End to end with ``--workers 2``: a token from one worker is honoured by
    both, a password change ends it in both, failed sign-ins count across them."""
    copy = copy_archive(archive_file, tmp_path / "workers.sqlite")
    with serving(copy, "--workers", "2") as url:
        login = httpx.post(url + "api/login", json={"name": "analyst", "password": PASSWORD})
        assert login.status_code == 200
        analyst = {"Authorization": f"Bearer {login.json()['token']}"}

        def levels(_: int) -> tuple[int, tuple[str, ...]]:
            params = {"q": "has:refs", "limit": 1, "facets": True}
            r = httpx.get(url + "api/search", params=params, headers=analyst)
            return r.status_code, tuple(sorted(v for v, _ in r.json()["facets"]["classification"]))

        with ThreadPoolExecutor(4) as pool:
            assert set(pool.map(levels, range(24))) == {(200, ("CONFIDENTIAL", "UNCLASSIFIED"))}
        changed = CliRunner().invoke(
            main, ["user", "set", "analyst", "--password", "--archive", copy],
            input="another password\n",
        )  # fmt: skip
        assert changed.exit_code == 0, changed.output

        def me(_: int) -> int:
            return httpx.get(url + "api/me", headers=analyst).status_code

        with ThreadPoolExecutor(4) as pool:
            assert set(pool.map(me, range(24))) == {401}
        wrong = {"name": "chief", "password": "wrong"}
        answers = [httpx.post(url + "api/login", json=wrong).status_code for _ in range(8)]
        assert answers == [401] * 5 + [429] * 3
