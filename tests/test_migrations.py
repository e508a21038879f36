"""Versioned schema migrations (issue 2; STYLE.md item 8).

- A vault written by a newer Workbook is refused with a clear message and left untouched.
- An older vault upgrades in place: a migration this vault lacks is applied once, in one
  transaction with the row that records it, and never again; a migration that fails leaves no
  trace; the data is intact afterwards.
- A sample vault of every released schema is kept under tests/data and must open, upgraded, with
  today's program: every account signs in, every record reads back, the audit chain verifies.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

import keyring
import pytest

from support.memory_keyring import MemoryKeyring
from workbook.cli import main as cli_main
from workbook.crypto.passphrase_kdf import KdfParams
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.errors import NotPermitted
from workbook.services.session import Session
from workbook.vault import device_secret
from workbook.vault import migrations as migrations_module
from workbook.vault.database import Connection, integrity_ok
from workbook.vault.keyfile import KeyFile
from workbook.vault.migrations import (
    MIGRATIONS,
    SCHEMA_VERSION,
    SchemaTooNew,
    current_version,
    migrate,
)

FAST_KDF = KdfParams(8 * 1024, 1, 1)
OWNER, PASSPHRASE = "tm", "correct horse battery staple"
DATA = Path(__file__).parent / "data"
SAMPLES = sorted(DATA.glob("vault-schema-*"))

Step = Callable[[Connection], None]


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv("WORKBOOK_KEYRING", raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def vault(tmp_path: Path) -> tuple[Path, str]:
    """A vault made by today's program, with one family and one entry."""
    path = tmp_path / "vault"
    create_vault(path, team="North Unit", owner_username=OWNER, owner_name="Tess Manager",
                 passphrase=PASSPHRASE, kdf=FAST_KDF)
    with sign_in(path, OWNER, PASSPHRASE) as session:
        family_id = session.families.add("Smith family", "REF-1")
        session.families.add_entry(family_id, "case-notes", "Visited the family", "2026-11-01")
    return path, family_id


def applied_migrations(conn: Connection) -> list[tuple[int, str]]:
    return [(int(r[0]), str(r[1]))
            for r in conn.execute("SELECT id, name FROM migrations ORDER BY id")]


def table_exists(conn: Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (name,)).fetchone() is not None


def case_notes(session: Session, family_id: str) -> list[str]:
    view = session.workbooks.open(family_id, audit=False).to_json()
    return [e["text"] for e in view["sections"]["case-notes"]["entries"]]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- a newer vault is refused --------------------------------------------------------------------


def test_a_vault_from_a_newer_workbook_is_refused_and_left_alone(
    vault: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = vault
    with sign_in(path, OWNER, PASSPHRASE) as session:
        with session.write():
            session.conn.execute(
                "INSERT INTO migrations (id, name, applied_at) VALUES (?, ?, ?)",
                (SCHEMA_VERSION + 1, "999_from_the_future", "2030-01-01T00:00:00+00:00"),
            )
    before = {name: digest(path / name) for name in ("vault.db", "keys.json")}

    with pytest.raises(SchemaTooNew, match="newer Workbook") as refused:
        sign_in(path, OWNER, PASSPHRASE)
    assert str(SCHEMA_VERSION + 1) in str(refused.value)

    # The command line says the same on one line, with no traceback.
    monkeypatch.setenv("WORKBOOK_PASSPHRASE", PASSPHRASE)
    err = io.StringIO()
    with redirect_stderr(err):
        code = cli_main(["family", "list", "--vault", str(path), "--as", OWNER])
    assert code != 0
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and "newer Workbook" in lines[0], err.getvalue()
    assert "Traceback" not in err.getvalue()

    after = {name: digest(path / name) for name in ("vault.db", "keys.json")}
    assert after == before, "a refused vault must not be changed"


# --- an older vault upgrades in place -----------------------------------------------------------


def _m_test_notes(conn: Connection) -> None:
    conn.executescript(
        """
        -- a table that a later Workbook might add
        CREATE TABLE test_notes (
            id    INTEGER PRIMARY KEY,
            note  TEXT NOT NULL           -- free text
        );
        INSERT INTO test_notes (note) VALUES ('made by the migration');
        """
    )


def test_an_older_vault_upgrades_in_place_once(vault: tuple[Path, str]) -> None:
    path, family_id = vault
    steps: list[tuple[str, Step]] = [*MIGRATIONS, ("900_test_notes", _m_test_notes)]
    with sign_in(path, OWNER, PASSPHRASE) as session:
        conn = session.conn
        assert current_version(conn) == SCHEMA_VERSION
        notes_before = case_notes(session, family_id)
        families_before = session.families.all()

        assert migrate(conn, migrations=steps) == ["900_test_notes"]
        assert current_version(conn) == SCHEMA_VERSION + 1
        assert applied_migrations(conn) == [
            *[(n, name) for n, (name, _) in enumerate(MIGRATIONS, start=1)],
            (SCHEMA_VERSION + 1, "900_test_notes"),
        ]
        assert conn.execute("SELECT note FROM test_notes").fetchall() == [
            ("made by the migration",)]

        # Idempotent: a second run applies nothing and runs no step twice.
        assert migrate(conn, migrations=steps) == []
        assert conn.execute("SELECT count(*) FROM test_notes").fetchone()[0] == 1
        assert len(applied_migrations(conn)) == SCHEMA_VERSION + 1

        # The data is intact and the vault still works.
        assert case_notes(session, family_id) == notes_before
        assert session.families.all() == families_before
        session.families.add_entry(family_id, "case-notes", "Written after the upgrade")
        assert integrity_ok(conn)
        assert session.audit_trail.verify().ok


def test_signing_in_upgrades_an_older_vault(
    vault: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, through sign-in: a program whose registry has one more migration than the
    vault applies it when someone signs in, and only the first time."""
    path, family_id = vault
    monkeypatch.setattr(migrations_module, "MIGRATIONS",
                        [*MIGRATIONS, ("900_test_notes", _m_test_notes)])
    for _ in range(2):
        with sign_in(path, OWNER, PASSPHRASE) as session:
            assert current_version(session.conn) == SCHEMA_VERSION + 1
            assert session.conn.execute("SELECT count(*) FROM test_notes").fetchone()[0] == 1
            assert case_notes(session, family_id) == ["Visited the family"]
            assert session.audit_trail.verify().ok


def test_a_failing_migration_leaves_no_trace(vault: tuple[Path, str]) -> None:
    path, family_id = vault

    def broken(conn: Connection) -> None:
        conn.execute("CREATE TABLE half_done (id INTEGER PRIMARY KEY)")
        conn.execute("INSERT INTO half_done (id) VALUES (1)")
        raise RuntimeError("migration step failed")

    with sign_in(path, OWNER, PASSPHRASE) as session:
        conn = session.conn
        with pytest.raises(RuntimeError, match="migration step failed"):
            migrate(conn, migrations=[*MIGRATIONS, ("900_broken", broken)])
        assert not table_exists(conn, "half_done")
        assert current_version(conn) == SCHEMA_VERSION
        assert "900_broken" not in {name for _, name in applied_migrations(conn)}
        # The fixed migration is then applied normally.
        assert migrate(conn, migrations=[*MIGRATIONS, ("900_test_notes", _m_test_notes)]) == [
            "900_test_notes"]
        assert case_notes(session, family_id) == ["Visited the family"]
        assert integrity_ok(conn)


def test_a_migration_may_hold_double_dashes_in_its_values(vault: tuple[Path, str]) -> None:
    path, _ = vault

    def with_dashes(conn: Connection) -> None:
        conn.executescript(
            """
            CREATE TABLE test_notes (id INTEGER PRIMARY KEY, note TEXT NOT NULL);
            INSERT INTO test_notes (note) VALUES ('before -- after');
            INSERT INTO test_notes (note) VALUES ('second');
            """
        )

    with sign_in(path, OWNER, PASSPHRASE) as session:
        migrate(session.conn, migrations=[*MIGRATIONS, ("900_dashes", with_dashes)])
        rows = session.conn.execute("SELECT note FROM test_notes ORDER BY id").fetchall()
        assert rows == [("before -- after",), ("second",)]


# --- the sample vault of every released schema ----------------------------------------------


def test_a_sample_of_the_first_released_schema_is_kept() -> None:
    assert DATA / "vault-schema-001" in SAMPLES
    for sample in SAMPLES:
        schema = int(sample.name.rsplit("-", 1)[1])
        assert 1 <= schema <= SCHEMA_VERSION, f"{sample.name} is newer than this program"
        for name in ("README.md", "device-secret.txt", "expected.json", "vault/vault.db",
                     "vault/keys.json"):
            assert (sample / name).is_file(), f"{sample.name} lacks {name}"


def _open_sample(sample: Path, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """Copy a sample to tmp and enrol this (test) OS account with its device secret."""
    copy = tmp_path / sample.name
    shutil.copytree(sample, copy)
    vault = copy / "vault"
    expected = json.loads((copy / "expected.json").read_text())
    vault_id = KeyFile.load(vault).vault_id
    assert vault_id == expected["vault_id"]
    secret = base64.urlsafe_b64decode((copy / "device-secret.txt").read_text().strip())
    device_secret.store_device_secret(vault_id, secret)
    return vault, expected


def _entry(view: dict[str, Any], section: str, entry_id: str) -> dict[str, Any]:
    for entry in view["sections"].get(section, {}).get("entries", []):
        if entry["id"] == entry_id:
            return dict(entry)
    raise AssertionError(f"entry {entry_id} not shown in {section}")


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_a_sample_vault_of_a_released_schema_opens_upgraded(
    sample: Path, tmp_path: Path
) -> None:
    vault, expected = _open_sample(sample, tmp_path)
    users = expected["users"]
    smith, jones = expected["families"]["smith"], expected["families"]["jones"]
    entries = expected["entries"]

    with sign_in(vault, "tm", users["tm"]["passphrase"]) as owner:
        conn = owner.conn
        # Upgraded in place to today's schema, the old migrations kept as they were recorded.
        assert current_version(conn) == SCHEMA_VERSION
        names = [name for _, name in applied_migrations(conn)]
        assert names[: len(expected["migrations"])] == expected["migrations"]
        assert names == [name for name, _ in MIGRATIONS]
        assert integrity_ok(conn)
        report = owner.audit_trail.verify()
        assert report.ok, report.problem
        assert report.events >= expected["audit_events_at_least"]
        events = owner.audit_trail.events()
        assert any(e["event"] == "sign_in_failed" and e["ids"].get("username") == "pc1"
                   for e in events)

        summaries = {f.family_id: f for f in owner.families.all()}
        assert {f.name for f in summaries.values()} == {smith["name"], jones["name"]}
        assert summaries[smith["id"]].reference == smith["reference"]

        view = owner.workbooks.open(smith["id"]).to_json()
        assert view["family"]["name"] == smith["name"]
        persons = sorted(p["name"] for p in view["sections"]["household"]["persons"])
        assert persons == smith["persons"]
        history = owner.families.entry_history(entries["edited"]["id"])
        assert [v.payload["text"] for v in history] == entries["edited"]["history"]
        assert _entry(view, "case-notes", entries["edited"]["id"])["text"] == (
            entries["edited"]["history"][-1])
        for key in ("safety", "channel"):
            assert _entry(view, entries[key]["section"], entries[key]["id"])["text"] == (
                entries[key]["text"])
        conflict = _entry(view, "case-notes", entries["conflict"]["id"])
        assert conflict["conflict"] is True
        assert sorted(h["text"] for h in conflict["heads"]) == entries["conflict"]["heads"]
        (action,) = view["sections"]["plan"]["actions"]
        assert (action["text"], action["owner"], action["due"]) == (
            expected["action"]["text"], expected["action"]["owner"], expected["action"]["due"])
        # Sections the team manager may not read are absent, not empty placeholders.
        assert "police" not in view["sections"]
        assert "mental-health" not in view["sections"]
        jones_view = owner.workbooks.open(jones["id"]).to_json()
        assert _entry(jones_view, "case-notes", entries["jones"]["id"])["text"] == (
            entries["jones"]["text"])

        # The upgraded vault takes new writes.
        owner.families.add_entry(smith["id"], "case-notes", "Written after the upgrade")

    with sign_in(vault, "pc1", users["pc1"]["passphrase"]) as police:
        view = police.workbooks.open(smith["id"]).to_json()
        assert _entry(view, "police", entries["police"]["id"])["text"] == entries["police"]["text"]
        assert _entry(view, "channel", entries["channel"]["id"])["text"] == (
            entries["channel"]["text"])
        assert "mental-health" not in view["sections"]
        assert police.audit_trail.verify().ok

    with sign_in(vault, "it1", users["it1"]["passphrase"]) as admin:
        assert admin.audit_trail.verify().ok
        with pytest.raises(NotPermitted):
            admin.families.all()

    with sign_in(vault, "sw1", users["sw1"]["passphrase"]) as newcomer:
        assert newcomer.must_replace_passphrase

    # And it opens again, with nothing left to apply.
    with sign_in(vault, "tm", users["tm"]["passphrase"]) as owner:
        assert migrate(owner.conn) == []
        assert owner.audit_trail.verify().ok
