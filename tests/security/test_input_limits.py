"""Every parser of outside input is bounded (issue 12).

The side journal of failed sign-ins lies in the vault folder, writable by anyone who can write
the folder, and its lines are sealed to the audit *public* key, so anyone can craft a line that
opens. Passphrase, policy and card files are named on the command line. Each must end, whatever
it holds, in one clean refusal (or, for the journal, in `journal_damaged` at a sign-in that
still works): never a RecursionError, a read of /dev/zero until memory runs out, or a FIFO that
blocks forever. The command-line cases run in a subprocess with a timeout and a 2 GiB address
space, so old code that hangs or eats memory fails the test instead of the machine."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
import pytest

from support.memory_keyring import MemoryKeyring
from workbook.crypto.encoding import b64, fields
from workbook.crypto.passphrase_kdf import KdfParams
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.sync.card import parse_card, parse_card_file
from workbook.sync.errors import BundleRefused
from workbook.vault import journal
from workbook.vault.journal import JOURNAL_NAME

FAST_KDF = KdfParams(8 * 1024, 1, 1)
OWNER, OWNER_PASS = "tm", "correct horse battery staple"
GENERIC = "unexpected internal error"


class Hung(Exception):  # noqa: N818 - not an OSError, so no `except OSError` swallows it
    """The deadline passed."""


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging (old code blocks forever opening a FIFO)."""
    def expired(_signum: int, _frame: object) -> None:
        raise Hung(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def keyring_backend() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, keyring_backend: MemoryKeyring) -> Path:
    path = tmp_path_factory.mktemp("input-limits") / "vault"
    create_vault(path, team="North Unit", owner_username=OWNER, owner_name="Tess Manager",
                 passphrase=OWNER_PASS, kdf=FAST_KDF)
    return path


@pytest.fixture
def vault(template: Path, tmp_path: Path, keyring_backend: MemoryKeyring) -> Path:
    import shutil

    keyring.set_keyring(keyring_backend)
    copy = tmp_path / "vault"
    shutil.copytree(template, copy)
    return copy


def _seal_line(vault: Path, payload: bytes) -> bytes:
    """A journal line as anyone can write it: `payload` sealed to the audit public key."""
    with sign_in(vault, OWNER, OWNER_PASS) as s:
        public, vault_id = s.audit_key.public, s.vault_id
    return b64(public.seal(payload, fields("workbook side journal v1", vault_id))).encode() + b"\n"


def _honest_line(vault: Path) -> bytes:
    return _seal_line(vault, b'{"id": "j1", "at": "2026-01-01T00:00:00+00:00", '
                             b'"username": "honest-try", "reason": "wrong passphrase"}')


def _fold(vault: Path) -> tuple[list[str], list[int]]:
    """Sign in (bounded by a deadline); the usernames of folded failures and the unreadable
    counts of every journal_damaged event."""
    with deadline(30), sign_in(vault, OWNER, OWNER_PASS) as s:
        events = s.audit_trail.events()
        assert s.audit_trail.verify().ok
    failed = [e["ids"]["username"] for e in events if e["event"] == "sign_in_failed"]
    damaged = [int(e["ids"]["unreadable_lines"]) for e in events
               if e["event"] == "journal_damaged"]
    assert not (vault / JOURNAL_NAME).exists()
    return failed, damaged


# --- the side journal ---------------------------------------------------------------------------


def test_a_journal_line_of_nested_brackets_is_counted_as_damaged(vault: Path) -> None:
    (vault / JOURNAL_NAME).write_bytes(
        _honest_line(vault) + _seal_line(vault, b"[" * 100_000 + b"]" * 100_000))
    failed, damaged = _fold(vault)
    assert failed == ["honest-try"]
    assert damaged == [1]


def test_a_journal_line_of_ten_mebibytes_is_not_opened(vault: Path) -> None:
    huge = b'{"id": "j2", "at": "x", "username": "' + b"u" * (10 * 1024 * 1024) + b'"}'
    (vault / JOURNAL_NAME).write_bytes(_honest_line(vault) + _seal_line(vault, huge))
    failed, damaged = _fold(vault)
    assert failed == ["honest-try"], "an oversized line is not folded as an event"
    assert damaged == [1]


def test_invalid_utf8_in_the_journal_loses_only_its_own_line(vault: Path) -> None:
    (vault / JOURNAL_NAME).write_bytes(b"\xff\xfe\x80 not ascii\n" + _honest_line(vault))
    failed, damaged = _fold(vault)
    assert failed == ["honest-try"]
    assert damaged == [1]


def test_a_journal_of_a_million_lines_leaves_sign_in_working(vault: Path) -> None:
    (vault / JOURNAL_NAME).write_bytes(_honest_line(vault) + b"QUJDREVGR0g=\n" * 1_000_000)
    failed, damaged = _fold(vault)
    assert failed == ["honest-try"]
    assert damaged == [1_000_000]


def test_a_journal_of_blank_lines_is_counted_not_walked(vault: Path) -> None:
    (vault / JOURNAL_NAME).write_bytes(_honest_line(vault) + b"\n" * 20_000_000)
    failed, damaged = _fold(vault)
    assert failed == ["honest-try"]
    assert damaged and damaged[0] > 0


def test_a_fifo_planted_as_the_journal_never_blocks_sign_in(vault: Path) -> None:
    os.mkfifo(vault / JOURNAL_NAME)
    failed, damaged = _fold(vault)
    assert failed == [] and damaged == [1]


def test_a_folder_planted_as_the_journal_is_reported_not_a_crash(vault: Path) -> None:
    (vault / JOURNAL_NAME).mkdir()
    with deadline(30), sign_in(vault, OWNER, OWNER_PASS) as s:
        damaged = [e for e in s.audit_trail.events() if e["event"] == "journal_damaged"]
    assert len(damaged) == 1


# --- identity cards -----------------------------------------------------------------------------


def test_a_card_of_deeply_nested_json_is_refused() -> None:
    with pytest.raises(BundleRefused, match="not a Workbook identity card"):
        parse_card_file(b'{"card": ' + b"[" * 50_000 + b"]" * 50_000 + b"}")
    with pytest.raises(BundleRefused, match="malformed"):
        parse_card(b'{"sections": ' + b"{\"a\":" * 50_000 + b"1" + b"}" * 50_001, b"s" * 64)


# --- files named on the command line ------------------------------------------------------------


def _limit_memory() -> None:
    two_gib = 2 * 1024 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (two_gib, two_gib))


def workbook(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """The command line in a fresh process: 30 s and 2 GiB at most."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBOOK_")}
    env.update({"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config")})
    code = "import sys\nfrom workbook.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    try:
        return subprocess.run([sys.executable, "-c", code, *argv], env=env,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=30, check=False, preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`workbook {' '.join(argv)}` was still running after 30 s")


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result
    assert lines[0].startswith("workbook: error: "), result
    assert GENERIC not in lines[0] and "Traceback" not in result.stderr, result
    for word in words:
        assert word in lines[0], result


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    big = tmp_path / "big.txt"
    big.write_bytes(b"a passphrase " * 2_000_000)
    return {"zero": "/dev/zero", "fifo": str(fifo), "folder": str(folder), "big": str(big),
            "vault": str(tmp_path / "no-vault")}


@pytest.mark.parametrize(("source", "words"), [
    ("zero", ("not a regular file",)), ("fifo", ("not a regular file",)),
    ("folder", ("is a folder",)), ("big", ("too large",))])
def test_the_passphrase_file_is_bounded(tmp_path: Path, files: dict[str, str], source: str,
                                        words: tuple[str, ...]) -> None:
    result = workbook(tmp_path, "--vault", files["vault"], "--as", OWNER, "--passphrase-file",
                      files[source], "family", "list")
    assert_refused(result, "passphrase file", *words)


@pytest.mark.parametrize("source", ["zero", "fifo"])
def test_policy_set_reads_a_bounded_regular_file(tmp_path: Path, files: dict[str, str],
                                                 source: str) -> None:
    result = workbook(tmp_path, "--vault", files["vault"], "--as", OWNER, "policy", "set",
                      files[source])
    assert_refused(result, "policy file", "not a regular file")


@pytest.mark.parametrize("source", ["zero", "fifo"])
def test_partner_add_reads_a_bounded_regular_file(tmp_path: Path, files: dict[str, str],
                                                  source: str) -> None:
    result = workbook(tmp_path, "--vault", files["vault"], "--as", OWNER, "partner", "add",
                      files[source], "--fingerprint", "1234")
    assert_refused(result, "identity card file", "not a regular file")


def test_journal_constants_have_headroom_over_an_honest_line(vault: Path) -> None:
    assert len(_honest_line(vault)) * 4 < journal.MAX_LINE
