"""A crash at any instant leaves a vault that opens, passes integrity_check, verifies its audit
chain and holds every acknowledged write (ARCHITECTURE.md, "Reliability"; issue 2).

A real writer process (tests/support/crash_writer.py) signs in with the file keyring and adds
and edits entries in a loop, announcing each write on stdout only after the service call has
returned. It is killed with SIGKILL at random moments, ROUNDS times: in three rounds while it
signs in, in the others a random delay after its first one to three acknowledged writes (so
every such kill lands among writes however slow the machine); after each kill the vault is
opened again and checked. Nothing is mocked: real SQLCipher in WAL mode with synchronous=FULL,
real signatures, the real key file.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import pytest

from workbook.crypto.passphrase_kdf import KdfParams
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.vault.database import integrity_ok

pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
              pytest.mark.slow]

FAST_KDF = KdfParams(8 * 1024, 1, 1)
OWNER = "tm"
PASSPHRASE = "correct horse battery staple"
WRITER = Path(__file__).parent / "support" / "crash_writer.py"
ROUNDS = 12
HANG_SECONDS = 60.0  # only a writer that hangs (or never writes) takes this long


@pytest.fixture
def file_keyring_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The opt-in file keyring, under tmp_path, for this process and the writer alike."""
    previous = keyring.get_keyring()
    monkeypatch.setenv("WORKBOOK_KEYRING", "file")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    env = dict(os.environ)
    env["WORKBOOK_PASSPHRASE"] = PASSPHRASE
    yield env
    keyring.set_keyring(previous)


@dataclass
class Round:
    """What one writer process acknowledged before it died."""

    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)

    def read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not line.endswith("\n"):
                break  # a line cut short by the kill was never acknowledged
            self.lines.append(line.strip())
            if line.strip() == "ready":
                self.ready.set()

    def writes(self) -> int:
        return sum(1 for line in self.lines if line.split()[0] in ("added", "edited"))

    def wait_for_writes(self, count: int) -> None:
        """Until the writer has acknowledged `count` writes (a hang fails the test)."""
        assert self.ready.wait(timeout=HANG_SECONDS), "the writer never signed in"
        until = time.monotonic() + HANG_SECONDS
        while self.writes() < count:
            assert time.monotonic() < until, f"the writer acknowledged {self.writes()} writes"
            time.sleep(0.005)


def run_and_kill(vault: Path, family_id: str, env: dict[str, str], delay: float,
                 after_writes: int) -> tuple[Round, str]:
    """Start the writer, kill it `delay` seconds after it acknowledged `after_writes` writes
    (0: after it was started, so while it signs in), and return what it acknowledged and its
    stderr."""
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(vault), OWNER, family_id],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    seen = Round()
    reader = threading.Thread(target=seen.read, args=(proc,), daemon=True)
    reader.start()
    if after_writes:
        seen.wait_for_writes(after_writes)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=15)
    reader.join(timeout=15)
    assert proc.stderr is not None
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, f"the writer ended by itself: {err[-2000:]}"
    return seen, err


def test_sigkill_at_random_moments_loses_no_acknowledged_write(
    tmp_path: Path, file_keyring_env: dict[str, str]
) -> None:
    vault = tmp_path / "vault"
    create_vault(vault, team="North Unit", owner_username=OWNER, owner_name="Tess Manager",
                 passphrase=PASSPHRASE, kdf=FAST_KDF)
    with sign_in(vault, OWNER, PASSPHRASE) as session:
        family_id = session.families.add("Smith family", "REF-1")

    seed = random.randrange(2**32)
    rnd = random.Random(seed)
    acknowledged_adds: set[str] = set()
    acknowledged_edits: dict[str, set[str]] = {}
    writing_rounds = 0
    for rounds in range(1, ROUNDS + 1):
        delay = rnd.uniform(0.05, 0.6)
        # Most kills land while writing; every fourth from the start, so while signing in.
        from_start = rounds % 4 == 0
        after_writes = 0 if from_start else rnd.randint(1, 3)
        writing_rounds += not from_start
        seen, _ = run_and_kill(vault, family_id, file_keyring_env, delay, after_writes)
        for line in seen.lines:
            word, *rest = line.split()
            if word == "added":
                acknowledged_adds.add(rest[0])
            elif word == "edited":
                acknowledged_edits.setdefault(rest[0], set()).add(rest[1])

        where = f"(seed {seed}, round {rounds}, delay {delay:.3f}s, from start {from_start})"
        with sign_in(vault, OWNER, PASSPHRASE) as session:
            assert integrity_ok(session.conn), f"integrity_check failed {where}"
            report = session.audit_trail.verify()
            assert report.ok, f"audit chain broken {where}: {report.problem}"
            view = session.workbooks.open(family_id, audit=False).to_json()
            present = {e["id"] for e in view["sections"]["case-notes"]["entries"]}
            missing = acknowledged_adds - present
            assert not missing, f"acknowledged entries lost {where}: {sorted(missing)}"
            for entry_id, versions in acknowledged_edits.items():
                kept = {v.version_id for v in session.families.entry_history(entry_id)}
                assert versions <= kept, f"acknowledged edits of {entry_id} lost {where}"

    # The kills landed among writes (each writing round's first write is an add), or the test
    # would prove nothing.
    assert len(acknowledged_adds) >= writing_rounds == 9
    assert acknowledged_edits, "no edit was acknowledged before a kill"
