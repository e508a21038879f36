"""The online controls against guessing at a shared PC (P8, P7; issue 2).

Failed sign-ins slow down - three are free, then each next attempt must wait a growing delay,
and no attempt is even tried before it has passed, not even with the right passphrase - and the
tenth locks the account until the owner or the administrator unlocks it. Every failure, also
for a username that does not exist, goes to the side journal, sealed, and is folded into the
audit chain as `sign_in_failed` at the next successful sign-in; the journal is then removed. An
unknown username gets the same message as a wrong passphrase.

Time is a parameter: sign_in takes `clock=`, and these tests pass a clock they move by hand.
Nothing sleeps.
"""

from __future__ import annotations

import base64
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest

from support.memory_keyring import MemoryKeyring
from workbook.crypto.passphrase_kdf import KdfParams
from workbook.services.access.sign_in import GENERIC_FAILURE, delay_after, sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.errors import SignInFailed
from workbook.vault.journal import JOURNAL_NAME

FAST_KDF = KdfParams(8 * 1024, 1, 1)
OWNER, OWNER_PASS = "tm", "correct horse battery staple"
OFFICER, OFFICER_INITIAL, OFFICER_PASS = (
    "pc1", "initial pass phrase one", "my own lovely passphrase")
WRONG = "this is not the passphrase"
WAIT = re.compile(r"wait (\d+) seconds")


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Team:
    path: Path
    backend: MemoryKeyring


@pytest.fixture(scope="module")
def base_team() -> Iterator[Team]:
    """The owner and one onboarded police officer; made once, copied per test."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    root = Path(tempfile.mkdtemp(prefix="wb-signin-"))
    try:
        path = root / "vault"
        created = create_vault(path, team="North Unit", owner_username=OWNER,
                               owner_name="Tess Manager", passphrase=OWNER_PASS, kdf=FAST_KDF)
        with sign_in(path, OWNER, OWNER_PASS) as owner:
            owner.accounts.add(OFFICER, "Pat Constable", "police", OFFICER_INITIAL)
        with sign_in(path, OFFICER, OFFICER_INITIAL) as officer:
            officer.accounts.change_passphrase(OFFICER_INITIAL, OFFICER_PASS)
            fingerprint = officer.grants.fingerprint()
        with sign_in(path, OWNER, OWNER_PASS) as owner:
            owner.grants.approve(OFFICER, fingerprint=fingerprint,
                                 recovery_text=created.recovery_key)
        yield Team(path, backend)
    finally:
        keyring.set_keyring(previous)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def vault(base_team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("WORKBOOK_KEYRING", raising=False)
    keyring.set_keyring(base_team.backend)
    copy = tmp_path / "vault"
    shutil.copytree(base_team.path, copy)
    return copy


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1))


def fail(vault: Path, clock: FakeClock, username: str = OFFICER) -> str:
    """One wrong attempt that the delay lets through; returns the refusal."""
    with pytest.raises(SignInFailed) as refused:
        sign_in(vault, username, WRONG, clock=clock)
    assert not WAIT.search(str(refused.value)), "this attempt should have been allowed"
    return str(refused.value)


def refused_wait(vault: Path, clock: FakeClock, passphrase: str = OFFICER_PASS) -> int:
    """An attempt refused because the delay is still running; returns the seconds asked for."""
    with pytest.raises(SignInFailed) as refused:
        sign_in(vault, OFFICER, passphrase, clock=clock)
    match = WAIT.search(str(refused.value))
    assert match, f"expected a 'wait N seconds' refusal, got: {refused.value}"
    return int(match.group(1))


def journal_lines(vault: Path) -> list[str]:
    path = vault / JOURNAL_NAME
    return path.read_text().splitlines() if path.exists() else []


# --- growing delay ---------------------------------------------------------------------------


def test_three_free_failures_then_a_delay_even_for_the_right_passphrase(
    vault: Path, clock: FakeClock
) -> None:
    for _ in range(3):
        assert fail(vault, clock) == GENERIC_FAILURE  # no waiting between the first three
    delay = delay_after(3)
    assert delay >= 1

    seconds = refused_wait(vault, clock)  # the right passphrase, too early
    assert delay <= seconds <= delay + 1
    clock.advance(delay - 0.001)
    refused_wait(vault, clock)
    clock.advance(0.001)
    with sign_in(vault, OFFICER, OFFICER_PASS, clock=clock) as officer:
        assert officer.user.username == OFFICER

    # Success clears the count: three free failures again.
    for _ in range(3):
        fail(vault, clock)
    refused_wait(vault, clock)


def test_the_delay_grows_with_each_failure(vault: Path, clock: FakeClock) -> None:
    asked: list[int] = []
    for failures in range(1, 10):
        fail(vault, clock)
        delay = delay_after(failures)
        if failures < 3:
            assert delay == 0
            continue
        seconds = refused_wait(vault, clock)
        assert delay <= seconds <= delay + 1
        asked.append(seconds)
        # A wrong passphrase during the delay is not even tried: it does not count.
        refused_wait(vault, clock, WRONG)
        clock.advance(delay)
    assert asked == sorted(asked) and len(set(asked)) == len(asked), asked
    # Nine failures so far, none of them locking; the right passphrase now works.
    with sign_in(vault, OFFICER, OFFICER_PASS, clock=clock):
        pass


def test_the_delay_is_per_account(vault: Path, clock: FakeClock) -> None:
    for failures in range(1, 6):
        fail(vault, clock)
        if failures < 5:
            clock.advance(delay_after(failures))
    refused_wait(vault, clock)
    with sign_in(vault, OWNER, OWNER_PASS, clock=clock) as owner:
        assert owner.user.username == OWNER


# --- lock-out ----------------------------------------------------------------------------------


def lock_out(vault: Path, clock: FakeClock) -> None:
    for failures in range(1, 11):
        fail(vault, clock)
        clock.advance(delay_after(failures))


def test_ten_failures_lock_the_account_until_unlocked(vault: Path, clock: FakeClock) -> None:
    lock_out(vault, clock)
    clock.advance(7 * 24 * 3600)  # a lock does not wear off
    for passphrase in (OFFICER_PASS, WRONG):
        with pytest.raises(SignInFailed, match="locked") as refused:
            sign_in(vault, OFFICER, passphrase, clock=clock)
        assert "unlock" in str(refused.value)

    with sign_in(vault, OWNER, OWNER_PASS, clock=clock) as owner:
        status = {u.username: u for u in owner.accounts.all()}
        assert status[OFFICER].locked
        owner.accounts.unlock(OFFICER)
        assert not {u.username: u for u in owner.accounts.all()}[OFFICER].locked
        assert any(e["event"] == "user_unlocked" for e in owner.audit_trail.events())

    with sign_in(vault, OFFICER, OFFICER_PASS, clock=clock) as officer:
        assert officer.user.username == OFFICER
    # Unlocking also cleared the count: three free failures again, not an instant lock.
    for _ in range(3):
        fail(vault, clock)


# --- the side journal and the audit chain ----------------------------------------------------


def test_failures_are_journalled_sealed_and_folded_into_the_audit_chain(
    vault: Path, clock: FakeClock
) -> None:
    wrong_passphrase = fail(vault, clock)
    fail(vault, clock)
    unknown = fail(vault, clock, username="nobody")
    assert unknown == wrong_passphrase == GENERIC_FAILURE, (
        "an unknown username must not be told apart from a wrong passphrase")

    lines = journal_lines(vault)
    assert len(lines) == 3
    # Each line is a sealed blob in base64; decoded, it shows none of the event in clear.
    for line in lines:
        blob = base64.urlsafe_b64decode(line + "=" * (-len(line) % 4))
        for clear in (b'"pc1"', b"nobody", b'"username"', b"wrong passphrase", b"unknown user"):
            assert clear not in blob, "the journal is sealed: nothing in it is readable"

    clock.advance(60)
    with sign_in(vault, OWNER, OWNER_PASS, clock=clock) as owner:
        assert not (vault / JOURNAL_NAME).exists(), "the journal is removed once folded"
        events = owner.audit_trail.events()
        failed = [e for e in events if e["event"] == "sign_in_failed"]
        assert sorted(e["ids"]["username"] for e in failed) == ["nobody", "pc1", "pc1"]
        assert all(e["ids"].get("attempted_at") for e in failed)
        # Folded before this sign-in's own event, inside the signed chain.
        assert events[-1]["event"] == "sign_in" and events[-1]["user"] == OWNER
        assert [e["event"] for e in events[-4:-1]] == ["sign_in_failed"] * 3
        report = owner.audit_trail.verify()
        assert report.ok, report.problem

    with sign_in(vault, OWNER, OWNER_PASS, clock=clock) as owner:
        again = [e for e in owner.audit_trail.events() if e["event"] == "sign_in_failed"]
        assert len(again) == 3, "folding happens once"


def test_an_unknown_username_gets_a_journal_entry(vault: Path, clock: FakeClock) -> None:
    assert fail(vault, clock, username="no.such.user") == GENERIC_FAILURE
    assert len(journal_lines(vault)) == 1
    with sign_in(vault, OFFICER, OFFICER_PASS, clock=clock):
        assert not (vault / JOURNAL_NAME).exists()
    with sign_in(vault, OWNER, OWNER_PASS, clock=clock) as owner:
        failed = [e for e in owner.audit_trail.events() if e["event"] == "sign_in_failed"]
        assert [e["ids"]["username"] for e in failed] == ["no.such.user"]


def test_a_padded_username_is_counted_like_the_plain_one(vault: Path, clock: FakeClock) -> None:
    for _ in range(3):
        with pytest.raises(SignInFailed):
            sign_in(vault, f"{OFFICER} ", WRONG, clock=clock)
    refused_wait(vault, clock)
    assert len(journal_lines(vault)) == 3
