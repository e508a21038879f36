"""Who may administer, and what a person's standing was when they signed.

Roles come from the signed membership log, never the users table; an administrator manages
accounts and the policy only once the owner (or the recovery key) has approved their key; a
policy stays valid after its author's role changes; a reset withdraws every key the person had,
certified ones included, and the audit trail still verifies across the reset."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import vaults
from workbook.crypto.keypairs import PublicKeys
from workbook.crypto.secret import Secret
from workbook.domain.policy import Policy, default_policy
from workbook.domain.roles import Role, Section
from workbook.services.access.policy_admin import current_policy_text, set_policy
from workbook.services.access.recovery import reset_account
from workbook.services.access.sign_in import sign_in
from workbook.services.errors import NotPermitted
from workbook.vault.database import connect


@pytest.fixture
def team(tmp_path: Path) -> vaults.TeamVault:
    vault = vaults.create_team_vault(tmp_path / "vault")
    vaults.onboard(vault, [Role.ADMIN, Role.POLICE, Role.SOCIAL_WORKER])
    return vault


def approve_admin(team: vaults.TeamVault, approver: vaults.Member) -> None:
    admin = team.member(Role.ADMIN)
    with team.session(admin) as s:
        fingerprint = s.grants.fingerprint()
    with team.session(approver) as s:
        s.grants.approve(admin.username, fingerprint=fingerprint)


def policy_with_police_for_education() -> str:
    base = default_policy()
    readers = dict(base.readers)
    readers[Section.POLICE] = readers[Section.POLICE] | {Role.EDUCATION}
    return Policy(readers).to_toml()


def test_admin_approved_by_a_colleague_manages_nothing(team: vaults.TeamVault) -> None:
    approve_admin(team, team.member(Role.SOCIAL_WORKER))
    with team.session(team.owner) as s:
        before = current_policy_text(s)
    with team.session(Role.ADMIN) as s:
        with pytest.raises(NotPermitted, match="manages accounts"):
            s.accounts.add("zed-zee", "Zed Zee", Role.HEALTH.value, vaults.new_passphrase())
        with pytest.raises(NotPermitted, match="approved by the vault owner"):
            set_policy(s, policy_with_police_for_education())
    for who in (team.owner, team.member(Role.POLICE), team.member(Role.SOCIAL_WORKER)):
        with team.session(who) as s:  # nobody is locked out, and the policy is unchanged
            assert current_policy_text(s) == before


def test_admin_approved_by_the_owner_manages_accounts_and_policy(team: vaults.TeamVault) -> None:
    approve_admin(team, team.owner)
    text = policy_with_police_for_education()
    with team.session(Role.ADMIN) as s:
        s.accounts.add("zed-zee", "Zed Zee", Role.HEALTH.value, vaults.new_passphrase())
        set_policy(s, text)
    with team.session(Role.POLICE) as s:
        assert current_policy_text(s) == text


def test_policy_stays_valid_after_its_author_changes_role(team: vaults.TeamVault) -> None:
    approve_admin(team, team.owner)
    text = policy_with_police_for_education()
    admin = team.member(Role.ADMIN)
    with team.session(admin) as s:
        set_policy(s, text)
    with team.session(team.owner) as s:
        s.accounts.set_role(admin.username, Role.TEAM_MANAGER.value)
    for who in (team.owner, team.member(Role.POLICE), admin):
        with team.session(who) as s:
            assert current_policy_text(s) == text
    with team.session(admin) as s:  # no longer an administrator: cannot sign a new one
        assert s.role is Role.TEAM_MANAGER
        with pytest.raises(NotPermitted):
            set_policy(s, default_policy().to_toml())


def test_role_comes_from_the_signed_log_not_the_users_table(team: vaults.TeamVault) -> None:
    police = team.member(Role.POLICE)
    with team.session(team.owner) as owner:  # anyone signed in holds the database key
        key = Secret(bytes(owner.vault_key.value))
    conn = connect(team.path, key)
    try:
        conn.execute("UPDATE users SET role = 'admin' WHERE user_id = ?", (police.user_id,))
    finally:
        conn.close()
        key.wipe()
    with team.session(police) as s:
        assert s.role is Role.POLICE
        with pytest.raises(NotPermitted):
            s.accounts.add("zed-zee", "Zed Zee", Role.HEALTH.value, vaults.new_passphrase())


def test_reset_withdraws_certified_keys_and_the_audit_still_verifies(
    team: vaults.TeamVault,
) -> None:
    police = team.member(Role.POLICE)
    with team.session(team.owner) as s:
        old = s.trust.current_key(police.user_id)
        assert old is not None
    initial = vaults.new_passphrase()
    reset_account(team.path, police.username, team.recovery_key, initial)
    with team.session(team.owner) as s:
        assert s.trust.current_key(police.user_id) is None
        assert old.raw in s.trust.withdrawn.get(police.user_id, set())  # past signatures only
    chosen = vaults.new_passphrase()
    s = sign_in(team.path, police.username, initial)
    try:
        s.accounts.change_passphrase(initial, chosen)
        fingerprint = s.grants.fingerprint()
    finally:
        s.lock()
    with team.session(team.owner) as s:
        report = s.audit_trail.verify()
        assert report.ok, report.problem
        assert report.unapproved_signers >= 1  # the police user's own events, until approved
        s.grants.approve(police.username, fingerprint=fingerprint,
                         recovery_text=team.recovery_key)
        current = s.trust.current_key(police.user_id)
        assert isinstance(current, PublicKeys) and current.raw != old.raw
        report = s.audit_trail.verify()
        assert report.ok, report.problem
    s = sign_in(team.path, police.username, chosen)
    try:
        assert s.role is Role.POLICE
    finally:
        s.lock()
