"""Device secret storage: the encoding, the refusal of unusable keyrings, and the opt-in file store.

Every test installs its own backend; the developer's real OS keyring is never touched.
"""

from __future__ import annotations

import base64
import json
import multiprocessing
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

from support.memory_keyring import MemoryKeyring
from workbook.vault import device_secret as ds
from workbook.vault.file_keyring import FileKeyring

VAULT = "vault-0123abcd"
SECRET = bytes(range(1, 33))

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def _restore_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no WORKBOOK_KEYRING and leaves the process keyring as it found it."""
    monkeypatch.delenv("WORKBOOK_KEYRING", raising=False)
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory() -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def file_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Opt in to the file keyring with the config directory inside tmp_path."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WORKBOOK_KEYRING", "file")
    return tmp_path


# -- with an in-memory keyring -------------------------------------------------------------------


def test_round_trip(memory: MemoryKeyring) -> None:
    assert ds.keyring_available()
    assert ds.load_device_secret(VAULT) is None
    ds.store_device_secret(VAULT, SECRET)
    assert ds.load_device_secret(VAULT) == SECRET
    stored = memory.store[(ds.SERVICE, VAULT)]
    assert stored == base64.urlsafe_b64encode(SECRET).decode("ascii")
    assert "\n" not in stored
    assert ds.load_device_secret("another-vault") is None


def test_store_replaces(memory: MemoryKeyring) -> None:
    ds.store_device_secret(VAULT, SECRET)
    ds.store_device_secret(VAULT, b"\xff" * 32)
    assert ds.load_device_secret(VAULT) == b"\xff" * 32


def test_delete(memory: MemoryKeyring) -> None:
    ds.store_device_secret(VAULT, SECRET)
    ds.delete_device_secret(VAULT)
    assert ds.load_device_secret(VAULT) is None
    ds.delete_device_secret(VAULT)  # already absent: no error


@pytest.mark.parametrize(
    "stored",
    [
        "not base64 at all!",
        base64.urlsafe_b64encode(SECRET[:16]).decode(),  # too short
        base64.urlsafe_b64encode(SECRET + b"x").decode(),  # too long
        base64.urlsafe_b64encode(SECRET).decode()[:-2],  # truncated
        "é" * 44,
    ],
)
def test_damaged_value(memory: MemoryKeyring, stored: str) -> None:
    memory.set_password(ds.SERVICE, VAULT, stored)
    with pytest.raises(ValueError, match="the device secret stored for this vault is damaged") as e:
        ds.load_device_secret(VAULT)
    assert stored not in str(e.value)
    assert e.value.__cause__ is None


@pytest.mark.parametrize("bad", [b"", SECRET[:31], SECRET + b"\0"])
def test_store_rejects_wrong_length(memory: MemoryKeyring, bad: bytes) -> None:
    with pytest.raises(ValueError, match="32 bytes") as e:
        ds.store_device_secret(VAULT, bad)
    assert bad.hex() not in str(e.value) or not bad
    assert memory.store == {}


def test_empty_vault_id_refused(memory: MemoryKeyring) -> None:
    with pytest.raises(ValueError, match="vault id"):
        ds.store_device_secret("", SECRET)


def test_select_backend_keeps_installed_backend(memory: MemoryKeyring) -> None:
    name = ds.select_backend()
    assert keyring.get_keyring() is memory
    assert name == MemoryKeyring.name


def test_test_backends_are_not_auto_detected() -> None:
    """Both extra backends are registered with keyring on import; neither may be auto-chosen."""
    viable = set(KeyringBackend.get_viable_backends())
    assert FileKeyring not in viable
    assert MemoryKeyring not in viable


# -- unusable keyrings ---------------------------------------------------------------------------


@pytest.mark.parametrize("backend", [keyring.backends.fail.Keyring, keyring.backends.null.Keyring])
def test_unusable_backend(backend: type[KeyringBackend]) -> None:
    keyring.set_keyring(backend())
    assert not ds.keyring_available()
    with pytest.raises(ds.KeyringUnavailable, match="WORKBOOK_KEYRING=file"):
        ds.store_device_secret(VAULT, SECRET)
    with pytest.raises(ds.KeyringUnavailable):
        ds.load_device_secret(VAULT)
    with pytest.raises(ds.KeyringUnavailable):
        ds.delete_device_secret(VAULT)


def test_empty_chainer_is_unusable(monkeypatch: pytest.MonkeyPatch) -> None:
    chainer = keyring.backends.chainer.ChainerBackend
    monkeypatch.setattr(chainer, "backends", [])
    keyring.set_keyring(chainer())
    assert not ds.keyring_available()
    with pytest.raises(ds.KeyringUnavailable):
        ds.load_device_secret(VAULT)


def test_unavailable_message_explains_the_opt_in() -> None:
    message = str(ds.KeyringUnavailable())
    assert "No OS keyring" in message
    assert "WORKBOOK_KEYRING=file" in message
    assert "0600" in message
    assert "weaker" in message


# -- the opt-in file keyring ---------------------------------------------------------------------


def test_file_round_trip_through_select_backend(file_env: Path) -> None:
    description = ds.select_backend()
    backend = keyring.get_keyring()
    assert isinstance(backend, FileKeyring)
    assert backend.path.is_relative_to(file_env)
    assert backend.path.name == "keyring.json"
    assert description == f"file keyring at {backend.path} (WORKBOOK_KEYRING=file)"
    assert ds.keyring_available()

    ds.store_device_secret(VAULT, SECRET)
    assert ds.load_device_secret(VAULT) == SECRET
    # A fresh instance (a new process) reads the same file.
    assert FileKeyring(backend.path).get_password(ds.SERVICE, VAULT) is not None
    assert json.loads(backend.path.read_text()) == {
        ds.SERVICE: {VAULT: base64.urlsafe_b64encode(SECRET).decode()}
    }

    content = backend.path.read_bytes()
    assert SECRET not in content
    assert SECRET.hex().encode() not in content
    assert SECRET.hex().upper().encode() not in content
    # No temp files left behind.
    assert sorted(p.name for p in backend.path.parent.iterdir()) == [
        "keyring.json",
        "keyring.json.lock",
    ]


def test_env_opt_in_applies_without_select_backend(file_env: Path) -> None:
    """If startup forgot select_backend, the user who set WORKBOOK_KEYRING still gets the file."""
    keyring.set_keyring(keyring.backends.fail.Keyring())
    ds.store_device_secret(VAULT, SECRET)
    assert isinstance(keyring.get_keyring(), FileKeyring)
    assert ds.load_device_secret(VAULT) == SECRET


@posix_only
def test_file_permissions(file_env: Path) -> None:
    ds.select_backend()
    backend = keyring.get_keyring()
    assert isinstance(backend, FileKeyring)
    old_umask = os.umask(0)  # even with a permissive umask the modes must be private
    try:
        ds.store_device_secret(VAULT, SECRET)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(backend.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(backend.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(backend.lock_path.stat().st_mode) == 0o600


@posix_only
def test_file_tightens_existing_directory(tmp_path: Path) -> None:
    directory = tmp_path / "cfg"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    backend = FileKeyring(directory / "keyring.json")
    backend.set_password("svc", "acct", "pw")
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_file_delete(file_env: Path) -> None:
    ds.select_backend()
    ds.store_device_secret(VAULT, SECRET)
    ds.store_device_secret("other", b"\x01" * 32)
    ds.delete_device_secret(VAULT)
    assert ds.load_device_secret(VAULT) is None
    assert ds.load_device_secret("other") == b"\x01" * 32
    ds.delete_device_secret(VAULT)  # absent: no error
    backend = keyring.get_keyring()
    with pytest.raises(PasswordDeleteError):
        backend.delete_password(ds.SERVICE, VAULT)


def test_file_get_does_not_create_anything(tmp_path: Path) -> None:
    backend = FileKeyring(tmp_path / "absent" / "keyring.json")
    assert backend.get_password("svc", "acct") is None
    assert not (tmp_path / "absent").exists()


@pytest.mark.parametrize(
    "corrupt",
    [b"{not json", b"\xff\xfe garbage", b"[1, 2]", b'{"workbook": "x"}', b'{"s": {"a": 1}}'],
)
def test_file_corrupted_gives_clear_error_and_is_left_unchanged(
    file_env: Path, corrupt: bytes
) -> None:
    ds.select_backend()
    backend = keyring.get_keyring()
    assert isinstance(backend, FileKeyring)
    backend.path.parent.mkdir(parents=True)
    backend.path.write_bytes(corrupt)

    with pytest.raises(KeyringError, match="damaged") as e:
        ds.load_device_secret(VAULT)
    assert str(backend.path) in str(e.value)
    # The JSON parser's exception holds the whole document; it must not ride along.
    assert e.value.__cause__ is None
    assert e.value.__context__ is None or e.value.__suppress_context__

    with pytest.raises(KeyringError, match="damaged"):
        ds.store_device_secret(VAULT, SECRET)
    with pytest.raises(KeyringError, match="damaged"):
        ds.delete_device_secret(VAULT)
    assert backend.path.read_bytes() == corrupt


def test_bad_env_value(monkeypatch: pytest.MonkeyPatch, memory: MemoryKeyring) -> None:
    monkeypatch.setenv("WORKBOOK_KEYRING", "plaintext")
    with pytest.raises(ValueError, match="'file'") as e:
        ds.select_backend()
    assert "WORKBOOK_KEYRING" in str(e.value)
    with pytest.raises(ValueError, match="WORKBOOK_KEYRING"):
        ds.store_device_secret(VAULT, SECRET)
    assert keyring.get_keyring() is memory
    assert memory.store == {}


def _write_accounts(path: Path, n: int) -> None:
    backend = FileKeyring(path)  # a separate instance, as a separate process would have
    for i in range(5):
        backend.set_password("svc", f"acct-{n}-{i}", "pw")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork for cheap child processes")
def test_file_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    """Processes (not threads) so that the flock, not the in-process lock, is what is tested."""
    path = tmp_path / "cfg" / "keyring.json"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_write_accounts, args=(path, n)) for n in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert len(json.loads(path.read_text())["svc"]) == 20
