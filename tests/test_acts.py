"""The one table of who may act (domain/acts.py), and that the services enforce it from the
signed membership log: a role written into the users table (which anyone holding the database
key can rewrite) gains no act."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from support import vaults
from workbook.crypto.secret import Secret
from workbook.domain.acts import ACTS, REFUSALS, Act, may
from workbook.domain.policy import default_policy
from workbook.domain.roles import OWNER_ROLES, PRACTITIONER_ROLES, Role
from workbook.services.access.policy_admin import set_policy
from workbook.services.errors import NotPermitted
from workbook.services.family import time_limits
from workbook.services.session import Session
from workbook.services.sharing import identity
from workbook.services.supervision import meetings as supervision
from workbook.services.upkeep.retention import Retention
from workbook.vault.database import connect


# --- the table -----------------------------------------------------------------------------
def test_the_table_and_its_refusals_are_total_over_acts() -> None:
    assert set(ACTS) == set(Act)
    assert set(REFUSALS) == set(Act)
    for act in Act:
        assert ACTS[act] and all(isinstance(r, Role) for r in ACTS[act])
        assert REFUSALS[act].strip() == REFUSALS[act] and "\n" not in REFUSALS[act]


@pytest.mark.parametrize("act", list(Act))
def test_may_reads_the_table_for_roles_and_their_text(act: Act) -> None:
    for role in Role:
        assert may(role, act) is (role in ACTS[act])
        assert may(role.value, act) is may(role, act)
    assert may(None, act) is False
    assert may("", act) is False
    assert may("admin ", act) is False


def test_the_administrator_does_no_casework_and_owns_no_vault() -> None:
    assert not may(Role.ADMIN, Act.CASEWORK)
    assert ACTS[Act.CASEWORK] == frozenset(PRACTITIONER_ROLES)
    assert ACTS[Act.OWN_VAULT] == frozenset(OWNER_ROLES)


# --- the services, against a users table rewritten in raw SQL -------------------------------
@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> vaults.TeamVault:
    return vaults.team_vault_template(tmp_path_factory)


@pytest.fixture
def team(template: vaults.TeamVault, tmp_path) -> vaults.TeamVault:  # type: ignore[no-untyped-def]
    return template.copy_to(tmp_path / "vault")


def rewrite_role(team: vaults.TeamVault, member: vaults.Member, role: Role) -> None:
    """What an attacker with the database key does: the users row says `role`."""
    with team.session(team.owner) as owner:
        key = Secret(bytes(owner.vault_key.value))
    conn = connect(team.path, key)
    try:
        conn.execute("UPDATE users SET role = ? WHERE user_id = ?", (role.value, member.user_id))
        conn.commit()
    finally:
        conn.close()
        key.wipe()


@contextmanager
def posing(team: vaults.TeamVault, real: Role, claimed: Role) -> Iterator[Session]:
    member = team.member(real)
    rewrite_role(team, member, claimed)
    with team.session(member) as s:
        assert s.role is real
        yield s


Attempt = Callable[[Session, str], Any]

# Each act a team manager may do and an education worker may not, and a way to try it.
AS_MANAGER: list[tuple[Act, Attempt]] = [
    (Act.SUPERVISE, lambda s, _f: supervision.require_supervisor(s)),
    (Act.CLOSE_FAMILY, lambda s, f: Retention(s).close(f, "early-help")),
    (Act.REOPEN_FAMILY, lambda s, f: Retention(s).reopen(f)),
    (Act.REVIEW_DISPOSALS, lambda s, _f: Retention(s).review()),
    (Act.PROPOSE_DISPOSAL, lambda s, f: Retention(s).propose(f)),
    (Act.READ_AUDIT_LOG, lambda s, _f: s.audit_trail.events()),
    (Act.SET_WORKING_DAYS_REGION, lambda s, _f: time_limits.set_region(s, "scotland")),
    (Act.MANAGE_SHARING, lambda s, _f: identity.require_sharing_manager(s)),
]

AS_ADMIN: list[tuple[Act, Attempt]] = [
    (Act.CONFIRM_DISPOSAL, lambda s, f: Retention(s).confirm(f)),
    (Act.CHANGE_POLICY, lambda s, _f: set_policy(s, default_policy().to_toml())),
]


def test_acts_refused_to_a_practitioner_who_rewrote_their_role(
    team: vaults.TeamVault,
) -> None:
    family = next(iter(team.families.values()))
    for claimed, attempts in ((Role.TEAM_MANAGER, AS_MANAGER), (Role.ADMIN, AS_ADMIN)):
        with posing(team, Role.EDUCATION, claimed) as s:
            for act, attempt in attempts:
                assert may(claimed, act) and not may(Role.EDUCATION, act)
                with pytest.raises(NotPermitted) as refused:
                    attempt(s, family)
                assert str(refused.value) == REFUSALS[act], act


def test_the_administrator_who_rewrote_their_role_still_does_no_casework(
    team: vaults.TeamVault,
) -> None:
    family = next(iter(team.families.values()))
    with posing(team, Role.ADMIN, Role.SOCIAL_WORKER) as s:
        assert not s.may(Act.CASEWORK)
        with pytest.raises(NotPermitted, match=REFUSALS[Act.CASEWORK]):
            s.require_practitioner()
        with pytest.raises(NotPermitted, match=REFUSALS[Act.CASEWORK]):
            s.workbooks.open(family)


def test_session_require_names_the_act_or_the_call_sites_sentence(
    team: vaults.TeamVault,
) -> None:
    with team.session(Role.EDUCATION) as s:
        s.require(Act.CASEWORK)
        assert s.may(Act.CASEWORK) and not s.may(Act.SUPERVISE)
        with pytest.raises(NotPermitted) as refused:
            s.require(Act.SUPERVISE)
        assert str(refused.value) == REFUSALS[Act.SUPERVISE]
        with pytest.raises(NotPermitted) as refused:
            s.require(Act.SIGN_OFF_FOR_CHAIR, refusal="only the chair")
        assert str(refused.value) == "only the chair"


def test_no_signed_role_grants_no_act_not_even_the_administrators(
    team: vaults.TeamVault,
) -> None:
    """A session whose person the signed log gives no role reads as the administrator for
    display, but may do nothing: not the administrator's acts (the audit log, confirming a
    disposal), not casework. Sign-in refuses such accounts before a session exists, so the
    state is made here by hand, the one way to reach the rule."""
    with team.session(team.owner) as s:
        s._role, s._role_read = None, True
        assert s.role is Role.ADMIN and s.signed_role is None
        for act in Act:
            assert not s.may(act)
            with pytest.raises(NotPermitted) as refused:
                s.require(act)
            assert str(refused.value) == REFUSALS[act]
