"""The two seed cables released by Embassy Almaty (as in test_seeds_release.py),
for the tests of routing and delivery."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cablegram.model import Cable
from cablegram.network.drafts import ClearanceRequest, from_json

FIXTURES = Path(__file__).parent / "fixtures"
ALMATY = "AMEMBASSY ALMATY"
WHEN = {
    "06ALMATY1703": (1702, 5288, datetime(2006, 5, 15, 2, 25, tzinfo=UTC)),
    "06ALMATY2872": (2871, 6535, datetime(2006, 8, 10, 0, 49, tzinfo=UTC)),
}


def release_seed(net, store, clock, name: str) -> tuple[Cable, str]:
    """Draft, clear and release seed ``name``: (the released cable, its telegram)."""
    serial_before, number_before, when = WHEN[name]
    clock.when = when
    store.set_serial("ALMATY", 2006, serial_before)
    store.set_number("ALMATY", "SECSTATE WASHDC", number_before)
    raw = (FIXTURES / f"{name}.draft.json").read_text()
    draft = net.create(
        "poloff",
        from_json(raw, f"{name}.draft.json"),
        requested=[ClearanceRequest(ALMATY, "POL"), ClearanceRequest(ALMATY, "DCM")],
    )
    net.submit("poloff", draft.id)
    net.clear("polchief", draft.id, comment="POL clears")
    net.clear("dcm", draft.id, mode="draft")
    released = []  # what the release hook hands on (part 1's Network.on_release)
    net.on_release(released.append)
    net.release("ambassador", draft.id)
    return released[-1].cable, released[-1].telegram
