"""Replay on the simulated clock: delivery times by precedence, objectives,
relay load, queue depths, and the injects (relay down, MINIMIZE, FLASH flood)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import synthetic
from synthetic import ALPHA, BRAVO, CHARLIE

from cablegram.model import Addressee, Cable, Precedence
from cablegram.model import Station as From
from cablegram.network.replay import parse_inject, percentile, plot, replay

T0 = datetime(2006, 5, 15, 10, 0, tzinfo=UTC)  # Monday


def _cable(n, to, prec, at):
    return Cable(
        id=f"C{n}", created=at.strftime("%Y-%m-%dT%H:%M:00Z"), precedence=prec,
        from_=From(ALPHA), to=(Addressee(to, precedence=prec),),
    )  # fmt: skip


def test_flash_overtakes_a_routine_backlog_at_the_relay():
    cables = [_cable(n, BRAVO, Precedence.ROUTINE, T0) for n in range(100)]
    cables.append(_cable(100, BRAVO, Precedence.FLASH, T0 + timedelta(minutes=1)))
    report = replay(
        cables, synthetic.directory(), service=timedelta(seconds=10), sample=timedelta(minutes=1)
    ).to_dict()
    flash, routine = report["precedence"]["FLASH"], report["precedence"]["ROUTINE"]
    # The FLASH waits only for the transmission in progress, not for the backlog.
    assert flash["deliveries"] == 1 and flash["max_seconds"] <= 20
    assert routine["max_seconds"] == pytest.approx(101 * 10, abs=10)
    assert report["relay_load"] == {"RUEH": 101}
    assert max(d.get("RUEH", 0) for d in report["queue_depths"]) > 50


def test_relay_down_takes_the_alternate_or_waits():
    d = synthetic.directory()
    down = parse_inject("relay-down:RUEH@2006-05-15T09:00..2006-05-15T12:00")
    report = replay([_cable(1, BRAVO, Precedence.ROUTINE, T0)], d, injects=[down]).to_dict()
    assert report["relay_load"] == {"RUEK": 1}  # RUEH names RUEK as its alternate
    down = parse_inject("relay-down:RUEK@2006-05-15T09:00..2006-05-15T12:00")
    report = replay([_cable(1, CHARLIE, Precedence.FLASH, T0)], d, injects=[down]).to_dict()
    flash = report["precedence"]["FLASH"]
    assert flash["deliveries"] == 1 and flash["max_seconds"] >= 2 * 3600  # waited until noon
    assert flash["objectives_missed"] == 1


def test_minimize_refuses_below_immediate_and_flood_adds_flash():
    cables = [_cable(n, BRAVO, p, T0) for n, p in enumerate(Precedence)]
    injects = [
        parse_inject("minimize@2006-05-15T09:00..2006-05-15T11:00"),
        parse_inject("flash-flood:50@2006-05-15T10:30"),
    ]
    report = replay(cables, synthetic.directory(), injects=injects).to_dict()
    assert report["refused_by_minimize"] == 2  # ROUTINE, PRIORITY
    assert report["precedence"]["FLASH"]["deliveries"] == 51
    assert report["precedence"]["ROUTINE"]["deliveries"] == 0


def test_routine_after_hours_objective_counts_from_the_next_business_day():
    friday_night = datetime(2006, 5, 19, 22, 0, tzinfo=UTC)
    report = replay(
        [_cable(1, BRAVO, Precedence.ROUTINE, friday_night)], synthetic.directory()
    ).to_dict()
    assert report["precedence"]["ROUTINE"]["objectives_missed"] == 0


def test_bad_inject_is_refused_with_the_forms():
    with pytest.raises(ValueError, match=r"relay-down:RI@FROM\.\.TO"):
        parse_inject("relay-down@2006-05-15T09:00")


def test_percentile_nearest_rank():
    values = sorted(float(v) for v in range(1, 101))
    assert percentile(values, 50) == 50 and percentile(values, 95) == 95
    assert percentile([], 50) == 0


def test_plot_writes_a_png(tmp_path):
    cables = [_cable(n, BRAVO, Precedence.ROUTINE, T0) for n in range(20)]
    report = replay(cables, synthetic.directory(), service=timedelta(minutes=5))
    plot(report, str(tmp_path / "q.png"))
    assert (tmp_path / "q.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_replays_an_archives_real_cables(tmp_path):
    """The seeds ingested, replayed: their addressees are reached through the relays."""
    from pathlib import Path

    from click.testing import CliRunner

    import cablegram
    from cablegram.cli import main

    seeds = Path(cablegram.__file__).parent / "data" / "examples" / "seeds"
    archive = str(tmp_path / "a.sqlite")
    runner = CliRunner()
    texts = [str(p) for p in sorted(seeds.glob("*.txt"))]
    assert runner.invoke(main, ["ingest", *texts, "--archive", archive]).exit_code == 0
    plot_file = tmp_path / "q.png"
    done = runner.invoke(
        main, ["network", "replay", "", "--archive", archive, "--json", "--plot", str(plot_file)]
    )
    assert done.exit_code == 0, done.output
    import json

    report = json.loads(done.output)
    assert report["cables"] == 2
    # 1703: SECSTATE, the CIS members, SECDEF, NSC, ASTANA (not in the shipped
    # directory); 2872: the same without ASTANA.
    assert report["precedence"]["ROUTINE"]["deliveries"] >= 8
    assert report["precedence"]["PRIORITY"]["deliveries"] >= 8
    assert report["relay_load"]["RUEH"] >= 10
    assert plot_file.read_bytes()[:4] == b"\x89PNG"
