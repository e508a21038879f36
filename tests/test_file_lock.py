"""The key-file lock serialises writers in separate processes (issue 17).

`vault.files.exclusive_lock` is filelock's (flock here, LockFileEx on Windows). Two processes
started with `spawn` (as on Windows, where there is no fork) update the counter of one sign-in
slot in a real vault's keys.json through `KeyFile.update`, each holding the lock for a while:
no update is lost, and the times each held the lock never overlap."""

from __future__ import annotations

import multiprocessing
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from filelock import FileLock, Timeout

from workbook.crypto.passphrase_kdf import KdfParams
from workbook.services.access.sign_in import load_device_secret
from workbook.services.access.vault_setup import create_vault
from workbook.vault.files import exclusive_lock
from workbook.vault.keyfile import LOCK_NAME, KeyFile, KeyFileBody

FAST_KDF = KdfParams(8 * 1024, 1, 1)
OWNER = "tm"
TIMES = 6
HOLD = 0.03  # seconds each writer keeps the lock, so an unserialised pair would overlap


def _bump_counter(vault: str, times: int, ready: object, go: object, out: object) -> None:
    """A writer: `times` read-modify-writes of the owner's failed-attempt counter."""
    vault_dir = Path(vault)
    secret = load_device_secret(KeyFile.load(vault_dir).vault_id)
    held: list[tuple[float, float]] = []

    def bump(_keyfile: KeyFile, body: KeyFileBody) -> None:
        started = time.monotonic()
        value = body.accounts[OWNER].failed
        time.sleep(HOLD)  # another writer would read the same value now
        body.accounts[OWNER].failed = value + 1
        held.append((started, time.monotonic()))

    ready.set()  # type: ignore[attr-defined]
    go.wait(60)  # type: ignore[attr-defined]
    for _ in range(times):
        KeyFile.update(vault_dir, secret, bump, durable=False)
    out.put((os.getpid(), held))  # type: ignore[attr-defined]


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real vault whose device secret is in the opt-in file keyring under tmp_path, which
    spawned children find through the environment they inherit."""
    monkeypatch.setenv("WORKBOOK_KEYRING", "file")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    previous = keyring.get_keyring()
    folder = tmp_path / "vault"
    create_vault(folder, team="North Unit", owner_username=OWNER, owner_name="Tess Manager",
                 passphrase="correct horse battery staple", kdf=FAST_KDF)
    yield folder
    keyring.set_keyring(previous)


def _failed_count(vault: Path) -> int:
    keyfile = KeyFile.load(vault)
    body = keyfile.open_body(load_device_secret(keyfile.vault_id))
    return body.accounts[OWNER].failed


def test_two_processes_updating_keys_json_are_serialised(vault: Path) -> None:
    context = multiprocessing.get_context("spawn")
    ready = [context.Event(), context.Event()]
    go, out = context.Event(), context.Queue()
    before = _failed_count(vault)
    writers = [context.Process(target=_bump_counter, args=(str(vault), TIMES, r, go, out))
               for r in ready]
    for writer in writers:
        writer.start()
    try:
        for r in ready:
            assert r.wait(120), "a writer did not start"
        go.set()
        results = [out.get(timeout=120) for _ in writers]
    finally:
        for writer in writers:
            writer.join(60)
    assert [w.exitcode for w in writers] == [0, 0]
    assert _failed_count(vault) == before + 2 * TIMES  # no update lost
    (pid_a, held_a), (pid_b, held_b) = results
    assert pid_a != pid_b and len(held_a) == len(held_b) == TIMES
    overlaps = [(a, b) for a in held_a for b in held_b if a[0] < b[1] and b[0] < a[1]]
    assert overlaps == []


def _try_lock(path: str, out: object) -> None:
    try:
        with FileLock(path, timeout=0):
            out.put("took it")  # type: ignore[attr-defined]
    except Timeout:
        out.put("refused")  # type: ignore[attr-defined]


def test_a_held_lock_refuses_another_process_and_is_private(vault: Path) -> None:
    context = multiprocessing.get_context("spawn")
    lock_path = vault / LOCK_NAME
    out = context.Queue()
    with exclusive_lock(lock_path):
        if os.name == "posix":
            assert stat.S_IMODE(lock_path.stat().st_mode) == 0o600
        child = context.Process(target=_try_lock, args=(str(lock_path), out))
        child.start()
        assert out.get(timeout=120) == "refused"
        child.join(60)
    child = context.Process(target=_try_lock, args=(str(lock_path), out))
    child.start()
    assert out.get(timeout=120) == "took it"
    child.join(60)
