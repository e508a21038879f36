"""The schema is pinned (issue 12): the attacker is signed in, so holds the database key, and
changes the vault's structure rather than its rows - a trigger that silently drops every sealed
concern about a family with its `entry_added` event, a trigger that hushes audit events, a view,
an extra table or index, one of the vault's own triggers dropped or rewritten, the recorded
migration level edited. Each must make Workbook refuse the vault at the next connect, with
"this vault's structure was altered" naming the object; once the planted object is gone the
vault opens again with nothing stored changed.

On the old code the planted trigger is obeyed: the police officer is told the concern was added
as a sealed entry, and it is not there (the honest-write check below names that)."""

from __future__ import annotations

import base64
import io
import json
import shutil
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from support import vaults
from support.attacker import attacker_db as raw_db
from support.attacker import database_key
from workbook.cli import main as cli_main
from workbook.domain.roles import Role
from workbook.services.access.recovery import reset_account
from workbook.services.access.sign_in import sign_in
from workbook.vault import device_secret
from workbook.vault.database import Connection, VaultDamaged
from workbook.vault.keyfile import KeyFile
from workbook.vault.migrations import MIGRATIONS

ALTERED = "this vault's structure was altered"
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def team_template(tmp_path_factory: pytest.TempPathFactory) -> vaults.TeamVault:
    return vaults.team_vault_template(tmp_path_factory)


@pytest.fixture
def team(team_template: vaults.TeamVault, tmp_path: Path) -> vaults.TeamVault:
    return team_template.copy_to(tmp_path / "vault")


# --- the attacker ----------------------------------------------------------------------------
def snapshot(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to show that refusing and undoing changed nothing stored."""
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
            for t in tables}


def write_sealed_concern(team: vaults.TeamVault) -> str:
    """The honest act: the police officer adds a mental-health concern about family "a" (a
    sealed entry: they cannot read it back). It either raises, or it is stored with its
    `entry_added` event."""
    family = team.families["a"]
    with team.session(Role.POLICE) as s:
        entry = s.families.add_entry(family, "mental-health", vaults.marker("concern"),
                                     "2026-02-01")
        stored = s.conn.execute("SELECT count(*) FROM versions WHERE record_id = ?",
                                (entry,)).fetchone()[0]
        audited = s.conn.execute("SELECT count(*) FROM audit WHERE event = 'entry_added' "
                                 "AND ids LIKE ?", (f"%{entry}%",)).fetchone()[0]
    assert stored == 1, "the sealed concern was reported as added but silently vanished"
    assert audited == 1, "the sealed concern's entry_added event silently vanished"
    return entry


# --- what the attacker plants, what the refusal must name, and how to take it out again ----------
@dataclass(frozen=True)
class Plant:
    label: str
    plant: Callable[[Connection, vaults.TeamVault], None]
    named: tuple[str, ...]
    undo: Callable[[Connection, vaults.TeamVault], None]

    def __repr__(self) -> str:
        return self.label


def _sql(statement: str) -> Callable[[Connection, vaults.TeamVault], None]:
    def run(conn: Connection, team: vaults.TeamVault) -> None:
        conn.execute(statement.replace("{family}", team.families["a"]))
    return run


VERSION_LOGGED = ("CREATE TRIGGER version_logged AFTER INSERT ON versions\n        BEGIN\n"
                  "            INSERT INTO version_log (family_id, kind, version_id)\n"
                  "                VALUES (NEW.family_id, NEW.kind, NEW.version_id);\n"
                  "        END")


def _rewrite_version_logged(conn: Connection, team: vaults.TeamVault) -> None:
    conn.execute("DROP TRIGGER version_logged")
    conn.execute("CREATE TRIGGER version_logged AFTER INSERT ON versions WHEN NEW.sealed = 0 "
                 "BEGIN INSERT INTO version_log (family_id, kind, version_id) "
                 "VALUES (NEW.family_id, NEW.kind, NEW.version_id); END")


def _restore_version_logged(conn: Connection, team: vaults.TeamVault) -> None:
    conn.execute("DROP TRIGGER IF EXISTS version_logged")
    conn.execute(VERSION_LOGGED)


_KEPT: list[tuple[Any, ...]] = []


def _forget_newest_level(conn: Connection, team: vaults.TeamVault) -> None:
    _KEPT[:] = conn.execute("SELECT * FROM migrations WHERE id = ?",
                            (len(MIGRATIONS),)).fetchall()
    conn.execute("DELETE FROM migrations WHERE id = ?", (len(MIGRATIONS),))


def _remember_newest_level(conn: Connection, team: vaults.TeamVault) -> None:
    conn.executemany("INSERT INTO migrations VALUES (?, ?, ?)", _KEPT)


PLANTS = [
    Plant("trigger dropping sealed concerns",
          _sql("CREATE TRIGGER drop_concerns BEFORE INSERT ON versions "
               "WHEN NEW.family_id = '{family}' AND NEW.sealed = 1 "
               "BEGIN SELECT RAISE(IGNORE); END"),
          ("unexpected trigger 'drop_concerns' on 'versions'",),
          _sql("DROP TRIGGER drop_concerns")),
    Plant("trigger hushing audit events",
          _sql("CREATE TRIGGER hush BEFORE INSERT ON audit WHEN NEW.event IN "
               "('entry_added', 'recovery_key_used', 'section_read', 'print') "
               "BEGIN SELECT RAISE(IGNORE); END"),
          ("unexpected trigger 'hush' on 'audit'",),
          _sql("DROP TRIGGER hush")),
    Plant("view", _sql("CREATE VIEW shadow_versions AS SELECT * FROM versions WHERE sealed = 0"),
          ("unexpected view 'shadow_versions'",), _sql("DROP VIEW shadow_versions")),
    Plant("table", _sql("CREATE TABLE stash (note TEXT)"),
          ("unexpected table 'stash'",), _sql("DROP TABLE stash")),
    Plant("index", _sql("CREATE INDEX audit_by_event ON audit (event)"),
          ("unexpected index 'audit_by_event' on 'audit'",), _sql("DROP INDEX audit_by_event")),
    Plant("dropped version_logged", _sql("DROP TRIGGER version_logged"),
          ("missing trigger 'version_logged' on 'versions'",), _restore_version_logged),
    Plant("rewritten version_logged", _rewrite_version_logged,
          ("trigger 'version_logged' on 'versions' was changed",), _restore_version_logged),
    Plant("level lowered", _sql("UPDATE migrations SET id = 50 WHERE id = 5"),
          ("level 5",), _sql("UPDATE migrations SET id = 5 WHERE id = 50")),
    Plant("level record renamed",
          _sql("UPDATE migrations SET name = '005_something_else' WHERE id = 5"),
          ("'005_something_else' at level 5",),
          _sql("UPDATE migrations SET name = '005_board_digest' WHERE id = 5")),
    # The newest migration (011_board_digest_pages) made the table that a lower level lacks.
    Plant("level claims fewer migrations", _forget_newest_level,
          ("unexpected table 'board_digest_pages'",), _remember_newest_level),
]


@pytest.mark.parametrize("plant", PLANTS, ids=[p.label for p in PLANTS])
def test_a_changed_structure_is_refused_at_sign_in_and_opens_again_once_undone(
    team: vaults.TeamVault, plant: Plant
) -> None:
    key = database_key(team)
    with raw_db(team, key) as conn:
        before = snapshot(conn)
        plant.plant(conn, team)

    with pytest.raises(VaultDamaged) as refused:
        write_sealed_concern(team)
    message = str(refused.value)
    assert message.startswith(ALTERED), message
    for phrase in plant.named:
        assert phrase in message, f"{phrase!r} not in {message!r}"
    assert "\n" not in message

    # The attacker takes the object out again: the vault opens, nothing stored was changed.
    with raw_db(team, key) as conn:
        plant.undo(conn, team)
        assert snapshot(conn) == before
    entry = write_sealed_concern(team)
    with team.session(team.owner) as owner:
        assert owner.audit_trail.verify().ok
        assert entry


def test_the_recovery_key_refuses_an_altered_vault_too(team: vaults.TeamVault) -> None:
    with raw_db(team, database_key(team)) as conn:
        conn.execute("CREATE TRIGGER hush_recovery BEFORE INSERT ON audit "
                     "WHEN NEW.event = 'recovery_key_used' BEGIN SELECT RAISE(IGNORE); END")
    police = team.member(Role.POLICE)
    with pytest.raises(VaultDamaged, match="unexpected trigger 'hush_recovery' on 'audit'") as e:
        reset_account(team.path, police.username, team.recovery_key, vaults.new_passphrase())
    assert str(e.value).startswith(ALTERED)


def _cli(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli_main(args)
    return code, out.getvalue(), err.getvalue()


def test_the_command_line_refuses_on_one_line(
    team: vaults.TeamVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    with raw_db(team, database_key(team)) as conn:
        # A name chosen to break the message over two lines.
        conn.execute('CREATE TRIGGER "quiet\nsecond line" BEFORE INSERT ON versions '
                     "BEGIN SELECT RAISE(IGNORE); END")
    monkeypatch.setenv("WORKBOOK_PASSPHRASE", team.owner.passphrase)
    code, _, err = _cli(["family", "list", "--vault", str(team.path),
                         "--as", team.owner.username])
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"workbook: error: {ALTERED}"), err
    assert "unexpected trigger 'quiet?second line' on 'versions'" in lines[0]
    assert "Traceback" not in err


# --- honest vaults pass ---------------------------------------------------------------------------
def test_a_fresh_vault_passes_and_audit_verify_reports_the_schema(
    team: vaults.TeamVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbook.vault.migrations import SCHEMA_VERSION
    from workbook.vault.schema_pin import schema_differences

    with team.session(team.owner) as owner:
        assert schema_differences(owner.conn) == []
    monkeypatch.setenv("WORKBOOK_PASSPHRASE", team.owner.passphrase)
    code, out, err = _cli(["audit", "verify", "--json", "--vault", str(team.path),
                           "--as", team.owner.username])
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] is True
    assert report["schema"] == {"pinned": True, "level": SCHEMA_VERSION, "differences": []}
    for field in ("events", "first_broken", "problem", "unapproved_signers"):
        assert field in report


@pytest.mark.parametrize("sample", ["vault-schema-001", "vault-schema-003"])
def test_sample_vaults_of_older_schemas_pass_and_upgrade(sample: str, tmp_path: Path) -> None:
    from workbook.vault.migrations import SCHEMA_VERSION, current_version
    from workbook.vault.schema_pin import schema_differences

    copy = tmp_path / sample
    shutil.copytree(DATA / sample, copy)
    expected = json.loads((copy / "expected.json").read_text())
    vaults.use_memory_keyring()
    secret = base64.urlsafe_b64decode((copy / "device-secret.txt").read_text().strip())
    device_secret.store_device_secret(KeyFile.load(copy / "vault").vault_id, secret)
    with sign_in(copy / "vault", "tm", expected["users"]["tm"]["passphrase"]) as owner:
        assert current_version(owner.conn) == SCHEMA_VERSION
        assert schema_differences(owner.conn) == []


def test_a_trigger_planted_while_someone_is_signed_in_stops_their_next_write(
    team: vaults.TeamVault,
) -> None:
    """The desktop stays signed in for hours: a trigger added meanwhile through another
    connection must not act on that session's writes either."""
    key = database_key(team)
    family = team.families["a"]
    with team.session(Role.POLICE) as s:
        with raw_db(team, key) as conn:
            conn.execute("CREATE TRIGGER drop_concerns BEFORE INSERT ON versions "
                         "WHEN NEW.sealed = 1 BEGIN SELECT RAISE(IGNORE); END")
        try:
            entry = s.families.add_entry(family, "mental-health", vaults.marker("concern"),
                                         "2026-02-01")
        except VaultDamaged as refused:
            assert str(refused).startswith(ALTERED)
            assert "unexpected trigger 'drop_concerns' on 'versions'" in str(refused)
        else:
            stored = s.conn.execute("SELECT count(*) FROM versions WHERE record_id = ?",
                                    (entry,)).fetchone()[0]
            assert stored == 1, "the sealed concern was reported as added but silently vanished"
            pytest.fail("the write went ahead under a planted trigger")
