"""What sessions rely on in the accounts: a credential stamp that changes with the
password, and sign-in attempts counted in the archive file for every process."""

from __future__ import annotations

from pathlib import Path

import pytest

from backends import sql_rows
from cablegram.archive import Archive

PASSWORD = "correct horse"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.sqlite"
    with Archive(path) as owner:
        owner.users.add("alice", clearance="secret", password=PASSWORD)
        owner.users.add("bob")  # no password: no sign-in
    return path


def test_sign_in_gives_the_account_with_its_credential_stamp(path: Path) -> None:
    with Archive(path) as owner:
        account = owner.users.sign_in("alice", PASSWORD)
        assert account == owner.users.account("alice")
        assert account is not None and account.principal == owner.users.principal("alice")
        stored = sql_rows(owner, "SELECT password_hash FROM users WHERE name = 'alice'")[0][0]
        assert account.credentials and stored not in account.credentials
        assert owner.users.sign_in("alice", "wrong") is None
        assert owner.users.sign_in("bob", "") is None
        assert owner.users.account("bob").credentials is None  # type: ignore[union-attr]
        assert owner.users.account("nobody") is None


def test_the_stamp_changes_with_the_password_only(path: Path) -> None:
    with Archive(path) as owner:
        before = owner.users.account("alice").credentials  # type: ignore[union-attr]
        owner.users.set("alice", clearance="confidential")
        assert owner.users.account("alice").credentials == before  # type: ignore[union-attr]
        owner.users.set("alice", password=PASSWORD)  # the same password, a new salt
        after = owner.users.account("alice").credentials  # type: ignore[union-attr]
        assert after != before
        owner.users.remove("alice")
        owner.users.add("alice", password=PASSWORD)  # made again under the same name
        assert owner.users.account("alice").credentials not in (before, after)  # type: ignore[union-attr]


def test_attempts_are_limited_per_client_in_a_sliding_window(path: Path) -> None:
    with Archive(path) as owner:
        attempts = owner.users.sign_in_attempts
        ids = []
        for t in (0.0, 1.0, 2.0):
            attempt, wait = attempts.begin("1.2.3.4", limit=3, window=60, now=t)
            assert attempt is not None and wait == 0
            ids.append(attempt)
        assert attempts.begin("1.2.3.4", limit=3, window=60, now=3.0) == (None, 57)
        assert attempts.begin("5.6.7.8", limit=3, window=60, now=3.0)[0] is not None  # per client
        assert attempts.begin("1.2.3.4", limit=3, window=60, now=59.5) == (None, 1)
        attempts.forget(ids[1])  # that one succeeded: it no longer counts
        assert attempts.begin("1.2.3.4", limit=3, window=60, now=59.6)[0] is not None
        assert attempts.begin("1.2.3.4", limit=3, window=60, now=59.7) == (None, 1)
        assert attempts.begin("1.2.3.4", limit=3, window=60, now=60.5)[0] is not None  # aged out


def test_attempts_are_shared_by_every_connection_to_the_archive(path: Path) -> None:
    with Archive(path) as one, Archive(path) as other:
        for t in (0.0, 1.0):
            assert one.users.sign_in_attempts.begin("c", limit=3, window=60, now=t)[0]
        assert other.users.sign_in_attempts.begin("c", limit=3, window=60, now=2.0)[0]
        assert one.users.sign_in_attempts.begin("c", limit=3, window=60, now=3.0)[0] is None
        # Old attempts are deleted as new ones come, so the table stays small.
        other.users.sign_in_attempts.begin("d", limit=3, window=60, now=100.0)
        assert sql_rows(other, "SELECT client FROM signin_attempts", side=True) == [("d",)]
