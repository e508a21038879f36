"""A merge of a forked membership log (decision 0009, C32), attacked. The fork is made in one
vault by its owner signing two events after the same one (what two replicas make, or a
signer who wrote two); the merges are real signatures by real keys, or rows the signed-in
attacker plants with SQL. Only a merge the owner or a team manager signed, naming every tip
it joins, sorted and once, brings a branch in; whatever else is tried, the fork stays
reported and nothing of the branches counts."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from support import vaults
from support.attacker import attacker_db as raw_db
from workbook.domain.roles import Role
from workbook.services.access.sign_in import sign_in
from workbook.services.authority import signatures
from workbook.services.authority.membership import (
    MembershipEvent,
    MembershipLog,
    load_membership,
    verified_log,
)
from workbook.services.authority.membership_chain import follow
from workbook.services.errors import InvalidInput, NotPermitted
from workbook.services.session import Session
from workbook.vault import section_store

ROLES = (Role.POLICE, Role.EDUCATION, Role.HEALTH)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> vaults.TeamVault:
    vault = vaults.create_team_vault(tmp_path_factory.mktemp("merge") / "vault")
    vaults.onboard(vault, ROLES)
    return vault


@pytest.fixture
def team(template: vaults.TeamVault, tmp_path: Path) -> vaults.TeamVault:
    return template.copy_to(tmp_path / "vault")


def sign_row(s: Session, counter: int, event: str, user_id: str, prev: bytes = b"",
             prevs: tuple[bytes, ...] = ()) -> bytes:
    """One chained event signed by the signed-in person, stored as is; returns its digest."""
    at, keys = s.now(), s.require_keys()
    message = (signatures.membership_v3(s.vault_id, counter, prevs, at, s.user_id, event,
                                        user_id, None, None, b"") if prevs else
               signatures.membership_v2(s.vault_id, counter, prev, at, s.user_id, event,
                                        user_id, None, None, b""))
    signature = keys.sign(message)
    with s.write():
        section_store.append_membership(s.conn, at, s.user_id, event, user_id, None, None,
                                        signature, counter, prev, b"", prevs)
    return signatures.event_digest(message, signature)


def log_of(s: Session) -> MembershipLog:
    return verified_log(s.conn, s.vault_id, s.trust)


def fork(team: vaults.TeamVault, branches: int = 2) -> tuple[int, list[bytes]]:
    """The owner signs `branches` events after the chain's head: police made education,
    health disabled, education made health. Returns the fork's counter and the tips."""
    changes = [("role:education", Role.POLICE), ("disable", Role.HEALTH),
               ("role:health", Role.EDUCATION)][:branches]
    with team.session(team.owner) as s:
        counter, head = log_of(s).head
        tips = [sign_row(s, counter + 1, event, team.member(role).user_id, head)
                for event, role in changes]
        log = log_of(s)
        assert log.forks == [counter + 1]
    return counter + 1, tips


def unchanged(s: Session, team: vaults.TeamVault, at: int) -> None:
    """The fork still reported, and nothing of any branch counts."""
    log = log_of(s)
    assert log.forks == [at], log.forks
    members = load_membership(s.conn, s.vault_id, s.trust)
    assert members.role_of(team.member(Role.POLICE).user_id) is Role.POLICE
    assert team.member(Role.HEALTH).user_id not in members.disabled


def test_a_merge_joins_the_branches_and_what_follows_counts(team: vaults.TeamVault) -> None:
    at, tips = fork(team)
    police, education, health = (team.member(r).user_id for r in ROLES)
    with sign_in(team.path, team.owner.username, team.owner.passphrase) as s:
        shown = s.replicas.fork()
        assert shown is not None and shown.event == at and len(shown.branches) == 2
        assert s.replicas.resolve_fork().event == at
        log = log_of(s)
        assert (log.forks, log.problems) == ([], [])
        assert log.events[-1].prevs == tuple(sorted(tips))  # the merge, after both branches
        members = load_membership(s.conn, s.vault_id, s.trust)
        assert members.role_of(police) is Role.EDUCATION and health in members.disabled
        s.accounts.set_role(team.member(Role.EDUCATION).username, Role.HEALTH.value)
        assert load_membership(s.conn, s.vault_id, s.trust).role_of(education) is Role.HEALTH
        with pytest.raises(InvalidInput, match="does not fork"):
            s.replicas.resolve_fork()  # nothing to resolve: one clear line, nothing signed
        assert [e.event for e in log_of(s).events].count("merge") == 1
        # An event signed later after an old branch tip is a new fork, reported again.
        tip = next(e for e in log.events if e.digest == tips[0])
        sign_row(s, (tip.counter or 0) + 1, "role:police", police, tip.digest)
        assert log_of(s).forks == [(tip.counter or 0) + 1]
        assert load_membership(s.conn, s.vault_id, s.trust).role_of(police) is Role.EDUCATION


def test_a_merge_signed_without_authority_counts_for_nothing(team: vaults.TeamVault) -> None:
    at, tips = fork(team)
    with team.session(Role.POLICE) as s:  # certified, trusted, but no manager of replicas
        sign_row(s, at + 1, "merge", "", prevs=tuple(sorted(tips)))
        unchanged(s, team, at)
        with pytest.raises(NotPermitted):
            s.replicas.resolve_fork()
    with team.session(team.owner) as s:
        unchanged(s, team, at)


@pytest.mark.parametrize("shape", ["made-up tip", "unsorted", "repeated", "one tip",
                                   "wrong counter", "not a merge"])
def test_a_malformed_merge_by_the_owner_counts_for_nothing(team: vaults.TeamVault,
                                                           shape: str) -> None:
    at, tips = fork(team)
    ordered = sorted(tips)
    prevs, counter, event = {
        "made-up tip": (sorted([tips[0], secrets.token_bytes(32)]), at + 1, "merge"),
        "unsorted": (ordered[::-1], at + 1, "merge"),
        "repeated": ([ordered[0], ordered[0], ordered[1]], at + 1, "merge"),
        "one tip": ([tips[0]], at + 1, "merge"),
        "wrong counter": (ordered, at + 2, "merge"),
        "not a merge": (ordered, at + 1, "role:admin"),
    }[shape]
    with team.session(team.owner) as s:
        sign_row(s, counter, event, "", prevs=tuple(prevs))
        unchanged(s, team, at)


def test_a_merge_that_leaves_out_a_branch_leaves_it_outside(team: vaults.TeamVault) -> None:
    at, tips = fork(team, branches=3)
    with team.session(team.owner) as s:
        sign_row(s, at + 1, "merge", "", prevs=tuple(sorted(tips[:2])))
        log = log_of(s)
        assert log.forks == [at]  # the third branch: still reported
        assert [e.digest for e in log.outside] == [tips[2]]
        members = load_membership(s.conn, s.vault_id, s.trust)
        assert members.role_of(team.member(Role.POLICE).user_id) is Role.EDUCATION
        assert members.role_of(team.member(Role.EDUCATION).user_id) is Role.EDUCATION
        assert any("stand outside its chain" in p for p in log.problems)


def test_a_planted_or_altered_merge_row_counts_for_nothing(team: vaults.TeamVault) -> None:
    """The signed-in attacker writes v3 rows with SQL: a signature copied from a branch
    event, a garbled envelope, and the owner's real merge with a third tip slipped in."""
    at, tips = fork(team, branches=3)
    with team.session(team.owner) as s:
        sign_row(s, at + 1, "merge", "", prevs=tuple(sorted(tips[:2])))
        owner = s.user_id
    with raw_db(team) as conn:
        merge_seq, signature = conn.execute(
            "SELECT seq, signature FROM membership WHERE event = 'merge'").fetchone()
        branch_sig = conn.execute("SELECT signature FROM membership WHERE seq = ?",
                                  (merge_seq - 1,)).fetchone()[0]
        every = b"".join(bytes([32]) + t for t in sorted(tips))
        planted = b"WBM3" + (at + 1).to_bytes(8, "big") + bytes([3]) + every + b"\x00"
        rows = [planted + branch_sig[-64:], b"WBM3\x00\x01", signature.replace(
            b"WBM3" + (at + 1).to_bytes(8, "big") + bytes([2]),
            b"WBM3" + (at + 1).to_bytes(8, "big") + bytes([3]) + bytes([32]) + tips[2])]
        conn.execute("DELETE FROM membership WHERE seq >= ?", (merge_seq,))
        for blob in rows:
            conn.execute("INSERT INTO membership (at, actor, event, user_id, section, epoch, "
                         "signature) VALUES (?, ?, 'merge', '', NULL, NULL, ?)",
                         ("2026-12-06T10:00:00+00:00", owner, blob))
    sign_in(team.path, team.owner.username, team.owner.passphrase, accept_restore=True).lock()
    with team.session(team.owner) as s:
        unchanged(s, team, at)


def event(counter: int, at: str, name: str, prev: bytes = b"",
          prevs: tuple[bytes, ...] = ()) -> MembershipEvent:
    """A chained event as the reader sees it once verified (the digest stands for its name)."""
    return MembershipEvent(at, "owner", "merge" if prevs else f"role:{name}", name, None, None,
                           b"", counter, prev, name.encode().ljust(32, b"."), prevs)


def test_the_branches_count_in_signed_time_order_whatever_the_storage_order() -> None:
    """Branch B (two events) was signed before branch A (one): B counts first, wherever the
    rows are stored, and the merge after the longer branch's tip is at counter 4."""
    root = event(1, "2026-12-01", "root")
    a2 = event(2, "2026-12-03", "a2", root.digest)
    b2 = event(2, "2026-12-02", "b2", root.digest)
    b3 = event(3, "2026-12-04", "b3", b2.digest)
    merge = event(4, "2026-12-05", "merge", prevs=tuple(sorted((a2.digest, b3.digest))))
    after = event(5, "2026-12-06", "after", merge.digest)
    for stored in ([root, a2, b2, b3, merge, after], [after, merge, b3, a2, b2, root]):
        chain = follow(stored, lambda _before, _merge: True)
        assert [e.user_id for e in chain.events] == ["root", "b2", "b3", "a2", "merge", "after"]
        assert (chain.forks, chain.problems, chain.outside) == ([], [], [])
    short = event(3, "2026-12-05", "merge", prevs=tuple(sorted((a2.digest, b2.digest))))
    chain = follow([root, a2, b2, b3, short], lambda _before, _merge: True)
    assert [e.user_id for e in chain.events] == ["root", "b2", "a2", "merge"]
    assert chain.forks == [3] and chain.outside == [b3]  # not named: outside, reported
    wrong = event(4, "2026-12-05", "merge", prevs=short.prevs)  # not after the longest tip
    chain = follow([root, a2, b2, b3, wrong], lambda _before, _merge: True)
    assert [e.user_id for e in chain.events] == ["root"] and chain.forks == [2]
    refused = follow([root, a2, b2, b3, merge], lambda _before, _merge: False)
    assert [e.user_id for e in refused.events] == ["root"] and refused.forks == [2]
