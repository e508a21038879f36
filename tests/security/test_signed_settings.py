"""Unsigned plain rows that used to decide (issue 12): disposals, KDF parameters, the idle
lock and the backup right. Each test is the attacker, signed in and holding the database key,
rewriting rows with raw SQL; each fails on the code before issue 12 and passes after.

The rule: a row nobody signed can at most make Workbook refuse, loudly, naming what is wrong;
it never grants, keeps, withdraws or hides anything."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from support import vaults
from workbook.crypto.passphrase_kdf import PRODUCTION_KDF, KdfParams
from workbook.domain.roles import Role
from workbook.services.access.policy_admin import current_policy_text, set_policy
from workbook.services.access.recovery import reset_account
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.services.errors import InvalidInput, NotPermitted, TamperingDetected
from workbook.services.home import overview as home
from workbook.services.session import Session
from workbook.services.upkeep import backup
from workbook.services.upkeep.retention import Retention, disposal_message, versions_digest
from workbook.vault import version_store
from workbook.vault.database import VaultAltered
from workbook.vault.retention_store import DisposalRow

LATER = timedelta(days=366 * 7)


@pytest.fixture(scope="session")
def team_template(tmp_path_factory: pytest.TempPathFactory) -> vaults.TeamVault:
    return vaults.session_template(tmp_path_factory, "signed-settings",
                                   vaults.build_team_vault_with_admin)


@pytest.fixture
def team(team_template: vaults.TeamVault, tmp_path: Path) -> vaults.TeamVault:
    return team_template.copy_to(tmp_path / "vault")


@contextmanager
def later(team: vaults.TeamVault, who: object) -> Iterator[Session]:
    with team.session(who) as s:  # type: ignore[arg-type]
        real = s.clock
        s.clock = lambda: real() + LATER
        yield s


def _plant_disposal(s: Session, family_id: str, row: DisposalRow) -> None:
    """The attacker's INSERT: a tombstone row, with whatever signatures they can make."""
    s.conn.execute(
        "INSERT INTO disposals (family_id, family_type, closed_at, dispose_after, proposed_by, "
        "proposed_at, proposal_signature, confirmed_by, disposed_at, version_count, "
        "versions_digest, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (family_id, row.family_type, row.closed_at, row.dispose_after, row.proposed_by,
         row.proposed_at, row.proposal_signature, row.confirmed_by, row.disposed_at,
         row.version_count, row.versions_digest, row.signature))


def _junk_tombstone(team: vaults.TeamVault, family_id: str) -> DisposalRow:
    return DisposalRow(
        family_id, "early-help", "2020-01-01T00:00:00+00:00", "2026-01-01",
        team.member(Role.TEAM_MANAGER).user_id, "2026-01-02T00:00:00+00:00",
        secrets.token_bytes(64), team.member(Role.ADMIN).user_id,
        "2026-01-03T00:00:00+00:00", 0, versions_digest([]), secrets.token_bytes(64))


def _write_and_read_back(team: vaults.TeamVault, family_id: str) -> None:
    """A social worker adds an entry: it must be stored, and readable to them."""
    text = vaults.marker("after-planted-disposal")
    with team.session(Role.SOCIAL_WORKER) as s:
        assert family_id in {f.family_id for f in s.families.all()}, "the family was hidden"
        entry_id = s.families.add_entry(family_id, "case-notes", text, "2026-03-01")
        stored = [v for v in s.records.of_family(family_id) if v.record_id == entry_id]
        assert stored, "the app reported the entry as added but did not store it"
        assert stored[0].payload["text"] == text


# --- disposals ------------------------------------------------------------------------------
def test_a_planted_disposals_row_neither_hides_a_family_nor_swallows_writes(
        team: vaults.TeamVault) -> None:
    fid = team.families["a"]
    with team.session(Role.SOCIAL_WORKER) as s:
        _plant_disposal(s, fid, _junk_tombstone(team, fid))
    _write_and_read_back(team, fid)
    # Closing (and so, later, disposing of it honestly) still works: the row hides nothing.
    with team.session("owner") as s:
        Retention(s).close(fid, "early-help")
        assert Retention(s).unsigned_disposals()[fid]  # shown as "not signed", not believed
    # A disposal of that family is refused loudly, naming the row it cannot write beside.
    with later(team, Role.TEAM_MANAGER) as s, pytest.raises(TamperingDetected,
                                                            match="not signed"):
        Retention(s).propose(fid)


def test_a_tombstone_forged_by_an_approved_administrator_is_not_believed(
        team: vaults.TeamVault) -> None:
    """The administrator signs the tombstone with their own certified key, but cannot make
    the team manager's proposal signature: one person cannot declare a disposal."""
    fid = team.families["b"]
    with team.session(Role.ADMIN) as s:
        unsigned = _junk_tombstone(team, fid)
        keypair = s.require_certified()
        forged = DisposalRow(**{**unsigned.__dict__, "proposal_signature": keypair.sign(
            b"whatever the team manager would have signed")})
        forged = DisposalRow(**{**forged.__dict__, "signature": keypair.sign(
            disposal_message(s.vault_id, forged))})
        _plant_disposal(s, fid, forged)
    _write_and_read_back(team, fid)


def test_a_write_the_vault_drops_silently_is_never_reported_as_done(
        team: vaults.TeamVault) -> None:
    fid = team.families["a"]
    with team.session(Role.SOCIAL_WORKER) as s:
        s.conn.execute(f"CREATE TRIGGER swallow BEFORE INSERT ON versions WHEN "
                       f"NEW.family_id = '{fid}' BEGIN SELECT RAISE(IGNORE); END")
        before = len(version_store.of_family(s.conn, fid))
        # The schema pin (vault/schema_pin.py) sees the planted trigger at the write's start;
        # Records.write's own "did not store" check stays behind it as a second line.
        with pytest.raises(VaultAltered, match="structure was altered.*swallow"):
            s.families.add_entry(fid, "case-notes", "a note", "2026-03-01")
        s.conn.execute("DROP TRIGGER swallow")
        assert len(version_store.of_family(s.conn, fid)) == before


def test_a_signed_disposal_refuses_writes_loudly(team: vaults.TeamVault) -> None:
    fid = team.families["a"]
    with team.session("owner") as s:
        Retention(s).close(fid, "early-help")
    with later(team, Role.TEAM_MANAGER) as s:
        Retention(s).propose(fid)
    with later(team, Role.ADMIN) as s:
        Retention(s).confirm(fid)
    with team.session("owner") as s, s.write(), \
            pytest.raises(InvalidInput, match="disposed of on .*nothing can be added"):
        s.records.write(family_id=fid, record_id=fid, kind="family", section="household",
                        payload={"name": "brought back"})


# --- KDF parameters -------------------------------------------------------------------------
CHEAPER = {"memory_kib": 8, "iterations": 1, "lanes": 1}


@pytest.fixture(scope="module")
def real_vault(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str, str]:
    """A vault made as the CLI makes it: production Argon2id parameters, no kdf= argument."""
    vaults.use_memory_keyring()
    path = tmp_path_factory.mktemp("kdf-floor") / "vault"
    passphrase = vaults.new_passphrase()
    created = create_vault(path, team="T", owner_username="tm", owner_name="Tess Manager",
                           passphrase=passphrase)
    return path, passphrase, created.recovery_key, created.vault_id


@pytest.mark.slow  # the production Argon2id (64 MiB) at each sign-in and new passphrase
def test_lowered_kdf_params_are_refused_for_every_new_passphrase(
        real_vault: tuple[Path, str, str, str], tmp_path: Path) -> None:
    import shutil

    source, passphrase, recovery, _vault_id = real_vault
    path = tmp_path / "vault"
    shutil.copytree(source, path)
    with sign_in(path, "tm", passphrase) as s:
        assert s.accounts.vault_kdf() == PRODUCTION_KDF
        initial = vaults.new_passphrase()
        s.accounts.add("sw1", "Sam Worker", "social-worker", initial)
        with s.write():
            s.conn.execute("UPDATE meta SET value = ? WHERE key = 'kdf_params'",
                           (json.dumps(CHEAPER).encode(),))
        with pytest.raises(TamperingDetected, match="below the minimum"):
            s.accounts.add("sw2", "Sid Worker", "social-worker", vaults.new_passphrase())
    with sign_in(path, "sw1", initial) as s, \
            pytest.raises(TamperingDetected, match="below the minimum"):
        s.accounts.change_passphrase(initial, vaults.new_passphrase())
    with pytest.raises(TamperingDetected, match="below the minimum"):
        reset_account(path, "sw1", recovery, vaults.new_passphrase())


def test_a_cheap_test_vault_keeps_only_the_parameters_it_was_created_with(
        team: vaults.TeamVault) -> None:
    """Tests make cheap vaults on purpose (the recovery key signed that choice at creation);
    an attacker cannot pick other cheap parameters, nor sign them with their own key."""
    with team.session("owner") as s:
        assert s.accounts.vault_kdf() == vaults.FAST_KDF
        s.accounts.add("newcomer1", "New Comer", "social-worker", vaults.new_passphrase())
        other = KdfParams(16, 1, 1)
        keypair = s.require_certified()
        with s.write():
            s.conn.execute("UPDATE meta SET value = ? WHERE key = 'kdf_params'",
                           (json.dumps(other.to_json()).encode(),))
            s.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES "
                           "('kdf_params_signature', ?)", (keypair.sign(b"anything"),))
        with pytest.raises(TamperingDetected, match="below the minimum"):
            s.accounts.add("newcomer2", "New Comer", "social-worker", vaults.new_passphrase())


# --- the backup right -----------------------------------------------------------------------
def test_users_is_owner_does_not_grant_the_backup_right(team: vaults.TeamVault,
                                                        tmp_path: Path) -> None:
    worker = team.member(Role.SOCIAL_WORKER)
    with team.session(worker) as s:
        s.conn.execute("UPDATE users SET is_owner = 1 WHERE user_id = ?", (worker.user_id,))
    with team.session(worker) as s:
        # The row says so; the session's person comes from the signed log (sign_in.signed_user)
        assert not s.user.is_owner
        with pytest.raises(NotPermitted, match="owner"):
            backup.make_backup(s, tmp_path / "stolen.wbk")
        assert backup.backup_overdue(s) == ""
    assert not (tmp_path / "stolen.wbk").exists()
    with team.session(Role.ADMIN) as s:  # the administrator the owner approved still may
        backup.make_backup(s, tmp_path / "ok.wbk")


# --- the idle lock --------------------------------------------------------------------------
def test_idle_lock_comes_from_the_signed_policy_within_bounds(team: vaults.TeamVault) -> None:
    with team.session(Role.SOCIAL_WORKER) as s:
        with s.write():
            s.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES "
                           "('idle_lock_minutes', '100000')")
        assert home.idle_lock_minutes(s) == 5
    with team.session(Role.ADMIN) as s:
        text = current_policy_text(s)
        with pytest.raises(InvalidInput, match="idle_lock_minutes"):
            set_policy(s, text + "\n[session]\nidle_lock_minutes = 100000\n")
        set_policy(s, text + "\n[session]\nidle_lock_minutes = 12\n")
    with team.session(Role.SOCIAL_WORKER) as s:
        assert home.idle_lock_minutes(s) == 12  # the signed value, not the meta row's
