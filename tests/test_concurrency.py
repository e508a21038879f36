"""Two processes on one vault (issue 2): two people on one PC, or the GUI and the CLI.

Readers never block and are never blocked; a writer that finds another writer at work waits
briefly, then either succeeds or fails with the clear "the vault is busy" message - never a
half-written change, never corruption. The key file beside the database is read-modified-written
under a lock, so two processes updating it at once lose no update. Every process here is a real
Python process with its own SQLCipher connection; the device secret comes from the opt-in file
keyring under the test's temporary directory.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import keyring
import pytest

from workbook.crypto.passphrase_kdf import KdfParams
from workbook.services.access.sign_in import load_device_secret, sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.session import Session
from workbook.vault.database import BUSY_TIMEOUT_MS, VaultBusy, integrity_ok
from workbook.vault.keyfile import KeyFile

FAST_KDF = KdfParams(8 * 1024, 1, 1)
OWNER, OWNER_PASS = "tm", "correct horse battery staple"
WORKER, WORKER_INITIAL, WORKER_PASS = "sw1", "initial pass phrase one", "my own lovely passphrase"
BUSY_PREFIX = "the vault is busy"

# --- child processes ---------------------------------------------------------------------------
# Each child gets: argv[1] vault dir, argv[2] username, then its own arguments; the passphrase
# in WORKBOOK_PASSPHRASE; the keyring from WORKBOOK_KEYRING=file and XDG_CONFIG_HOME.

PREAMBLE = """
import os, sys, time
from pathlib import Path
from workbook.services.access.sign_in import sign_in
from workbook.vault.database import VaultBusy
vault, user = Path(sys.argv[1]), sys.argv[2]
def say(*words):
    print(*words, flush=True)
"""

# Holds one read transaction open (a snapshot) until told to go on.
READER = PREAMBLE + """
family = sys.argv[3]
s = sign_in(vault, user, os.environ["WORKBOOK_PASSPHRASE"])
def count():
    return s.conn.execute("SELECT count(*) FROM versions").fetchone()[0]
def entries():
    view = s.workbooks.open(family, audit=False).to_json()
    return len(view["sections"]["case-notes"]["entries"])
s.conn.execute("BEGIN")
say("reading", count(), entries())
sys.stdin.readline()
say("still", count(), entries())
s.conn.execute("COMMIT")
say("after", count(), entries())
s.lock()
"""

# Writes one entry inside the app's own transaction and keeps it open: until told to go on
# (argv[4] == "wait"), or for a number of seconds.
HOLDER = PREAMBLE + """
from workbook.domain.ids import new_id
family, hold = sys.argv[3], sys.argv[4]
s = sign_in(vault, user, os.environ["WORKBOOK_PASSPHRASE"])
entry = new_id()
with s.write():
    v = s.records.write(family_id=family, record_id=entry, kind="entry", section="case-notes",
                        payload={"text": "held note", "date": "2026-11-01", "type": "note",
                                 "significant": False})
    s.audit("entry_added", {"family": family, "entry": entry, "version": v.version_id})
    say("holding", entry)
    if hold == "wait":
        sys.stdin.readline()
    else:
        time.sleep(float(hold))
say("committed", entry)
s.lock()
"""

# Adds entries as fast as it can once told to go; reports each result.
WRITER = PREAMBLE + """
family, count = sys.argv[3], int(sys.argv[4])
s = sign_in(vault, user, os.environ["WORKBOOK_PASSPHRASE"])
say("ready")
sys.stdin.readline()
for i in range(count):
    try:
        say("added", s.families.add_entry(family, "case-notes", f"{user} note {i}"))
    except VaultBusy as exc:
        say("busy", exc)
s.lock()
say("done")
"""

# Increments one slot's counter in the key file, many times, through KeyFile.update.
COUNTER = PREAMBLE + """
from workbook.services.access.sign_in import load_device_secret
from workbook.vault.keyfile import KeyFile
target, times = sys.argv[3], int(sys.argv[4])
d = load_device_secret(KeyFile.load(vault).vault_id)
def bump(_kf, body):
    value = body.accounts[target].failed
    time.sleep(0.002)  # widen the read-modify-write window
    body.accounts[target].failed = value + 1
say("ready")
sys.stdin.readline()
for _ in range(times):
    KeyFile.update(vault, d, bump)
say("done")
"""

# The owner adds accounts, one after another.
ADD_USERS = PREAMBLE + """
names = sys.argv[3:]
s = sign_in(vault, user, os.environ["WORKBOOK_PASSPHRASE"])
say("ready")
sys.stdin.readline()
for name in names:
    s.accounts.add(name, f"New Starter {name}", "social-worker", "new starter pass phrase 3")
s.lock()
say("done")
"""

# A person changes their passphrase several times in a row.
CHANGE_PASSPHRASE = PREAMBLE + """
phrases = [os.environ["WORKBOOK_PASSPHRASE"], *sys.argv[3:]]
s = sign_in(vault, user, phrases[0])
say("ready")
sys.stdin.readline()
for old, new in zip(phrases, phrases[1:]):
    s.accounts.change_passphrase(old, new)
s.lock()
say("done")
"""


class Child:
    """A child process whose stdout lines arrive on a queue, so the test can wait with a
    timeout for the line it expects."""

    def __init__(self, script: str, args: list[str], env: dict[str, str], passphrase: str):
        child_env = dict(env, WORKBOOK_PASSPHRASE=passphrase)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", script, *args], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, word: str, timeout: float = 30) -> list[str]:
        """Wait for the next line starting with `word`; return its remaining words."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {word!r} from the child in {timeout}s") from None
            if line is None:
                raise AssertionError(f"the child ended before {word!r}: {self.stderr()}")
            self.seen.append(line)
            first, _, rest = line.partition(" ")
            if first == word:
                return rest.split(" ") if rest else []

    def send(self, line: str = "go") -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def finish(self, timeout: float = 30) -> list[str]:
        """Wait for the child to end successfully; return every line it printed."""
        self.proc.wait(timeout=timeout)
        while True:
            line = self.lines.get(timeout=timeout)
            if line is None:
                break
            self.seen.append(line)
        assert self.proc.returncode == 0, self.stderr()
        return self.seen

    def stderr(self) -> str:
        assert self.proc.stderr is not None
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read()[-3000:]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# --- fixtures ----------------------------------------------------------------------------------


@dataclass
class Team:
    """A vault with the owner and one onboarded practitioner, and one family."""

    vault: Path
    family_id: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def base_team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    root = tmp_path_factory.mktemp("concurrency")
    previous = keyring.get_keyring()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKBOOK_KEYRING", "file")
        mp.setenv("XDG_CONFIG_HOME", str(root / "config"))
        mp.setenv("HOME", str(root / "home"))
        (root / "home").mkdir()
        vault = root / "base"
        created = create_vault(vault, team="North Unit", owner_username=OWNER,
                               owner_name="Tess Manager", passphrase=OWNER_PASS, kdf=FAST_KDF)
        with sign_in(vault, OWNER, OWNER_PASS) as owner:
            owner.accounts.add(WORKER, "Sam Worker", "social-worker", WORKER_INITIAL)
            family_id = owner.families.add("Smith family", "REF-1")
            owner.families.add_entry(family_id, "case-notes", "First visit")
        with sign_in(vault, WORKER, WORKER_INITIAL) as worker:
            worker.accounts.change_passphrase(WORKER_INITIAL, WORKER_PASS)
            fingerprint = worker.grants.fingerprint()
        with sign_in(vault, OWNER, OWNER_PASS) as owner:
            owner.grants.approve(WORKER, fingerprint=fingerprint,
                                 recovery_text=created.recovery_key)
        yield Team(vault, family_id, dict(os.environ))
    keyring.set_keyring(previous)


@pytest.fixture
def team(base_team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Team]:
    """A fresh copy of the module's vault (same vault id, so the same device secret)."""
    for key in ("WORKBOOK_KEYRING", "XDG_CONFIG_HOME", "HOME"):
        monkeypatch.setenv(key, base_team.env[key])
    previous = keyring.get_keyring()
    vault = tmp_path / "vault"
    shutil.copytree(base_team.vault, vault)
    yield Team(vault, base_team.family_id, base_team.env)
    keyring.set_keyring(previous)


def case_note_ids(session: Session, family_id: str) -> set[str]:
    view = session.workbooks.open(family_id, audit=False).to_json()
    return {e["id"] for e in view["sections"]["case-notes"]["entries"]}


def assert_sound(vault: Path) -> None:
    """The vault opens, passes integrity_check and verifies its audit chain end to end."""
    with sign_in(vault, OWNER, OWNER_PASS) as session:
        assert integrity_ok(session.conn)
        report = session.audit_trail.verify()
        assert report.ok, report.problem


def database_state(session: Session) -> tuple[int, int]:
    versions = session.conn.execute("SELECT count(*) FROM versions").fetchone()[0]
    audit = session.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    return int(versions), int(audit)


# --- readers and writers -----------------------------------------------------------------------


def test_a_long_read_never_blocks_a_writer(team: Team) -> None:
    reader = Child(READER, [str(team.vault), OWNER, team.family_id], team.env, OWNER_PASS)
    try:
        versions_before, entries_before = map(int, reader.expect("reading"))
        with sign_in(team.vault, WORKER, WORKER_PASS) as writer:
            written = []
            for number in range(10):
                written.append(writer.families.add_entry(team.family_id, "case-notes",
                                                         f"note {number} while someone reads"))
            writer.families.edit_entry(written[0], "note 0, corrected while someone reads")
            writer.workbooks.open(team.family_id)  # audited: a write as well
            assert written[0] in case_note_ids(writer, team.family_id)
        # The reader holds its snapshot until told to go on (checked below), so a writer it
        # blocked could only have failed with VaultBusy: every write succeeding is the proof,
        # however slow the machine.

        reader.send()
        still_versions, still_entries = map(int, reader.expect("still"))
        assert (still_versions, still_entries) == (versions_before, entries_before), (
            "the reader's snapshot changed under it"
        )
        after_versions, after_entries = map(int, reader.expect("after"))
        assert after_versions == versions_before + 11
        assert after_entries == entries_before + 10
        reader.finish()
    finally:
        reader.kill()
    assert_sound(team.vault)


def test_a_writer_at_work_blocks_no_reader_and_a_second_writer_fails_clearly(
    team: Team,
) -> None:
    # Signing in is audited, so it is itself a write: the second person signs in first.
    with sign_in(team.vault, WORKER, WORKER_PASS) as other:
        holder = Child(HOLDER, [str(team.vault), OWNER, team.family_id, "wait"], team.env,
                       OWNER_PASS)
        try:
            (held_entry,) = holder.expect("holding")
            # Reading goes on, and does not see the uncommitted entry. The holder keeps its
            # transaction open until told to commit, so a blocked read could only have failed
            # (VaultBusy): succeeding is the proof, with no clock involved.
            seen = case_note_ids(other, team.family_id)
            other.families.all()
            assert held_entry not in seen

            # A second writer waits for the busy timeout, then fails clearly, changing nothing.
            before = database_state(other)
            started = time.monotonic()
            with pytest.raises(VaultBusy, match=f"^{BUSY_PREFIX}"):
                other.families.add_entry(team.family_id, "case-notes", "must not be half-saved")
            waited = time.monotonic() - started
            # It did wait (the timeout is a floor however busy the machine; the ceiling only
            # catches a hang).
            assert BUSY_TIMEOUT_MS / 1000 * 0.8 <= waited < BUSY_TIMEOUT_MS / 1000 + 60
            assert database_state(other) == before
            assert held_entry not in case_note_ids(other, team.family_id)

            holder.send()
            holder.expect("committed")
            holder.finish()

            # Once the first writer is done, the second one's next try succeeds.
            later = other.families.add_entry(team.family_id, "case-notes", "saved afterwards")
            present = case_note_ids(other, team.family_id)
            assert {held_entry, later} <= present
            assert "must not be half-saved" not in {
                e["text"] for e in other.workbooks.open(team.family_id, audit=False)
                .to_json()["sections"]["case-notes"]["entries"]
            }
        finally:
            holder.kill()
    assert_sound(team.vault)


def test_a_writer_waits_briefly_for_another_and_then_succeeds(team: Team) -> None:
    with sign_in(team.vault, WORKER, WORKER_PASS) as other:
        holder = Child(HOLDER, [str(team.vault), OWNER, team.family_id, "1.2"], team.env,
                       OWNER_PASS)
        try:
            (held_entry,) = holder.expect("holding")
            started = time.monotonic()
            mine = other.families.add_entry(team.family_id, "case-notes", "waited my turn")
            waited = time.monotonic() - started
            # It waited for the holder (who holds 1.2 s) rather than failing; the busy timeout
            # bounds the wait from above already (it would have raised VaultBusy).
            assert waited > 0.2, waited
            holder.expect("committed")
            holder.finish()
            assert {held_entry, mine} <= case_note_ids(other, team.family_id)
        finally:
            holder.kill()
    assert_sound(team.vault)


def test_two_writers_at_once_both_succeed_or_fail_clearly(team: Team) -> None:
    with sign_in(team.vault, OWNER, OWNER_PASS) as session:
        existing = case_note_ids(session, team.family_id)
    writers = [
        Child(WRITER, [str(team.vault), OWNER, team.family_id, "15"], team.env, OWNER_PASS),
        Child(WRITER, [str(team.vault), WORKER, team.family_id, "15"], team.env, WORKER_PASS),
    ]
    try:
        for writer in writers:
            writer.expect("ready")
        for writer in writers:
            writer.send()
        added: set[str] = set()
        refusals: list[str] = []
        for writer in writers:
            for line in writer.finish(timeout=60):
                word, _, rest = line.partition(" ")
                if word == "added":
                    added.add(rest)
                elif word == "busy":
                    refusals.append(rest)
    finally:
        for writer in writers:
            writer.kill()
    assert all(r.startswith(BUSY_PREFIX) for r in refusals), refusals
    assert len(added) + len(refusals) == 30
    assert len(added) >= 15, "nearly every write should get through after a brief wait"
    assert_sound(team.vault)
    with sign_in(team.vault, OWNER, OWNER_PASS) as session:
        # Every acknowledged write is there, and a refused one left nothing behind.
        assert case_note_ids(session, team.family_id) == existing | added


# --- the key file ------------------------------------------------------------------------------


def test_concurrent_key_file_updates_lose_nothing(team: Team) -> None:
    times = 30
    counters = [
        Child(COUNTER, [str(team.vault), OWNER, WORKER, str(times)], team.env, OWNER_PASS)
        for _ in range(2)
    ]
    try:
        for child in counters:
            child.expect("ready")
        for child in counters:
            child.send()
        for child in counters:
            child.finish(timeout=60)
    finally:
        for child in counters:
            child.kill()
    keyfile = KeyFile.load(team.vault)
    body = keyfile.open_body(load_device_secret(keyfile.vault_id))
    assert body.accounts[WORKER].failed == 2 * times, "a key file update was lost"
    assert not list(team.vault.glob(".keys.json.*.tmp")), "a temporary key file was left"
    with sign_in(team.vault, OWNER, OWNER_PASS) as owner:
        owner.accounts.unlock(WORKER)
    with sign_in(team.vault, WORKER, WORKER_PASS):
        pass


def test_adding_accounts_while_someone_changes_their_passphrase_loses_nothing(
    team: Team,
) -> None:
    newcomers = ["nu1", "nu2", "nu3", "nu4"]
    phrases = ["sam picks a quiet harbour 1", "sam picks a quiet harbour 2",
               "sam picks a quiet harbour 3"]
    children = [
        Child(ADD_USERS, [str(team.vault), OWNER, *newcomers], team.env, OWNER_PASS),
        Child(CHANGE_PASSPHRASE, [str(team.vault), WORKER, *phrases], team.env, WORKER_PASS),
    ]
    try:
        for child in children:
            child.expect("ready")
        for child in children:
            child.send()
        for child in children:
            child.finish(timeout=60)
    finally:
        for child in children:
            child.kill()

    keyfile = KeyFile.load(team.vault)
    body = keyfile.open_body(load_device_secret(keyfile.vault_id))
    assert set(body.accounts) == {OWNER, WORKER, *newcomers}
    with sign_in(team.vault, WORKER, phrases[-1]) as worker:
        assert not worker.must_replace_passphrase
        assert case_note_ids(worker, team.family_id)
    for name in newcomers:
        with sign_in(team.vault, name, "new starter pass phrase 3") as newcomer:
            assert newcomer.must_replace_passphrase
    assert_sound(team.vault)
