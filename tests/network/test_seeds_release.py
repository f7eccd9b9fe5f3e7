"""Done means: Almaty drafts both seed cables from structured input, POL and the DCM
clear them, the ambassador releases them; the telegrams parse back to the seeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import cablegram
from cablegram.network.drafts import ClearanceRequest, from_json

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = Path(cablegram.__file__).parent / "data" / "examples" / "seeds"
ALMATY = "AMEMBASSY ALMATY"


def _matches(actual, expected, path="") -> list[str]:
    """The seeds' comparison: only the keys the expected JSON gives; in a list,
    each object on the keys it gives."""
    if isinstance(expected, dict):
        return [m for k, v in expected.items() for m in _matches(actual.get(k), v, f"{path}.{k}")]
    if isinstance(expected, list) and expected and isinstance(expected[0], dict):
        if len(actual or []) != len(expected):
            return [f"{path}: {len(actual or [])} items, expected {len(expected)}"]
        return [
            m
            for i, (a, e) in enumerate(zip(actual, expected, strict=True))
            for m in _matches(a, e, f"{path}[{i}]")
        ]
    return [] if actual == expected else [f"{path}: {actual!r} != {expected!r}"]


# Fields of the released cable that must be the seed's; the transmission header
# differs on purpose: the seeds are relay copies (FL1 channel XRO, FL2 the
# collective's members), a release is the originating station's own transmission.
COMPARED = (
    "id", "origin", "serial", "created", "precedence", "classification", "sbu", "captions",
    "from", "to", "info", "distribution", "eo", "classified_by", "tags", "subject",
    "references", "paragraphs", "summary", "signers",
)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "serial_before", "number_before", "when"),
    [
        ("06ALMATY1703", 1702, 5288, datetime(2006, 5, 15, 2, 25, tzinfo=UTC)),
        ("06ALMATY2872", 2871, 6535, datetime(2006, 8, 10, 0, 49, tzinfo=UTC)),
    ],
)
def test_seed_drafted_cleared_released(net, store, clock, name, serial_before, number_before, when):
    clock.when = when
    store.set_serial("ALMATY", 2006, serial_before)
    store.set_number("ALMATY", "SECSTATE WASHDC", number_before)
    raw = (FIXTURES / f"{name}.draft.json").read_text()
    draft = net.create(
        "poloff",
        from_json(raw, f"{name}.draft.json"),
        requested=[ClearanceRequest(ALMATY, "POL"), ClearanceRequest(ALMATY, "DCM")],
    )
    assert [f for f in net.findings(draft) if f.severity == "error"] == []
    net.submit("poloff", draft.id)
    net.clear("polchief", draft.id, comment="POL clears")
    net.clear("dcm", draft.id, mode="draft")
    record = net.release("ambassador", draft.id)

    telegram = store.released_telegram(record.cable_id)
    released = cablegram.parse(telegram)
    expected = json.loads((SEEDS / f"{name}.expected.json").read_text())
    assert _matches(released.to_dict(), {k: expected[k] for k in COMPARED if k in expected}) == []
    serial = int(name[-4:])
    assert f"ALMATY {serial:06d}" in telegram
    assert f"DE RUEHTA #{serial} " in telegram
    assert released.header.security.startswith("ZNR UUUUU" if serial == 1703 else "ZNY SSSSS")
    assert released.header.originator == "RUEHTA"
    assert released.header.dtg == expected["header"]["dtg"]
    assert released.header.filed == expected["header"]["filed"]
    assert released.to[0].routing_indicator == "RUEHC"
    assert record.drafted_by == "poloff" and record.approved_by == "ambassador"
    assert record.cleared_by == ("POL:POLCHIEF", "DCM:DCM (DRAFT)")
    assert store.last_serial("ALMATY", 2006) == serial
    assert [e.action for e in net.show("ambassador", draft.id).events] == [
        "created", "submitted", "cleared", "cleared", "released",
    ]  # fmt: skip
    assert [f for f in cablegram.validate(released) if f.severity == "error"] == []
