"""The archive applies exactly the rule ``may_read`` states: for generated
cables, release decisions and principals, a cable exists for a reader of an
archive (get, search, counts) iff ``may_read`` says so — with the caption bit
mask and without it."""

from __future__ import annotations

import dataclasses
import tempfile

import pytest
from access_strategies import cables, principals
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backends import BACKENDS, scratch_location
from cablegram.access import PUBLIC, Principal, may_read
from cablegram.archive import Archive
from cablegram.archive.records import CopyRecord, make_record
from cablegram.model import Cable


def record(c: Cable) -> CopyRecord:
    return make_record(c, str(c.text), fmt="telegram", path=None, locator=None, metadata={},
                       source_defects=())  # fmt: skip


def _numbered(cable_list: list[Cable]) -> list[Cable]:
    return [
        dataclasses.replace(c, id=f"09STATE{i + 1}", origin="STATE", serial=i + 1, created="2009-05-01T00:00:00Z",
                            text=f"zzcommon zzcable{i + 1}")
        for i, c in enumerate(cable_list)
    ]  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("mask", [True, False], ids=["caption-mask", "exists-form"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cable_list=st.lists(cables(), min_size=1, max_size=12),
    principal_list=st.lists(principals(), min_size=1, max_size=4),
    released=st.sets(st.integers(min_value=0, max_value=11), max_size=3),
)
def test_archive_agrees_with_may_read(
    backend: str,
    mask: bool,
    cable_list: list[Cable],
    principal_list: list[Principal],
    released: set[int],
) -> None:
    numbered = _numbered(cable_list)
    released_ids = {numbered[i].id for i in released if i < len(numbered)}
    with tempfile.TemporaryDirectory() as tmp, scratch_location(backend, tmp, "agree") as path:
        with Archive(path) as owner:
            owner.store.write([record(c) for c in numbered])
            if not mask:  # an archive built under another caption vocabulary
                owner.store.set_setting("caption_bits", {"OTHER": 0})
            for cable_id in sorted(released_ids):  # type: ignore[type-var]
                owner.review.decide(str(cable_id), "release", "1.4(d)")
        for principal in [*principal_list, PUBLIC]:
            expected = {c.id for c in numbered
                        if may_read(principal, c, released=c.id in released_ids)}  # fmt: skip
            with Archive(path, principal=principal) as reader:
                assert {c.id for c in numbered if reader.get_dict(str(c.id))} == expected
                result = reader.search("zzcommon", limit=50)
                assert result.total == len(expected)
                assert {h.id for h in result.hits} == expected
