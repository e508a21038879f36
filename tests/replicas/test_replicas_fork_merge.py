"""A membership fork made on two PCs, resolved on one with `workbook replica resolve-fork`,
converges: after the next syncs both replicas have the same verified membership (every
branch's change counts, in one order), report no fork, and sign people in without warnings;
a change made after the merge counts everywhere (issue 18, decision 0009, C32)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_replicas_forks import signed_in, sync

from support.replica_pcs import Pc, ReplicaTeam, run_cli
from workbook.domain.roles import Role
from workbook.services.access.sign_in import sign_in
from workbook.services.authority.membership import load_membership, verified_log
from workbook.services.errors import SignInFailed
from workbook.services.session import Session
from workbook.vault import accounts


def cli(pc: Pc, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        *argv: str) -> tuple[int, str, str]:
    """`workbook ARGV --vault PC` as the owner, on that PC: (exit code, stdout, stderr)."""
    return run_cli(pc, capsys, monkeypatch, *argv)


def membership_seen(s: Session) -> tuple[list[bytes], dict[str, str], list[str]]:
    """What a replica believes: the verified events in order, each person's role, disabled."""
    log = verified_log(s.conn, s.vault_id, s.trust)
    members = load_membership(s.conn, s.vault_id, s.trust, events=log.events)
    names = {u.user_id: u.username for u in accounts.all_users(s.conn)}
    return ([e.digest for e in log.events],
            {names.get(u, u): r.value for u, r in members.roles.items()},
            sorted(names.get(u, u) for u in members.disabled))


def stored_rows(pc: Pc) -> int:
    with signed_in(pc) as s:
        return int(s.conn.execute("SELECT count(*) FROM membership").fetchone()[0])


def test_a_fork_made_on_two_pcs_is_resolved_on_one_and_converges(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    sam = team.approved_worker()
    team.sync_all()
    with team.first.session() as s:  # desk 1 disables Sam ...
        s.accounts.disable("sw1")
    with desk2.session() as s:  # ... desk 2 promotes Sam and adds Hana, before either synced
        s.accounts.set_role("sw1", Role.SENIOR_SOCIAL_WORKER.value)
        s.accounts.add("hv1", "Hana Visitor", "health", "initial words for hana v")
    sync(team.first)
    for pc in (desk2, team.first):
        assert [f["log"] for f in sync(pc).forks] == ["membership"]

    rows = stored_rows(desk2)  # --show signs nothing
    code, out, _ = cli(desk2, capsys, monkeypatch, "replica", "resolve-fork", "--show", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["resolved"] is False and len(shown["branches"]) == 2
    assert stored_rows(desk2) == rows
    assert any("Sam Worker disabled" in p and "Sam Worker given the role Senior social worker"
               in p for p in shown["pairs"]), shown["pairs"]
    code, out, _ = cli(desk2, capsys, monkeypatch, "replica", "resolve-fork")
    assert code == 0 and "Signed one merge" in out and "Sam Worker disabled" in out

    assert desk2.sync().forks == []  # Pc.session: signed in with no warning at all
    assert sync(team.first).forks == []  # it warned of the fork as it signed in, not after
    for pc in (desk2, team.first):
        assert pc.sync().forks == []
    with team.first.session() as one, desk2.session() as two:
        seen = membership_seen(one)
        assert seen == membership_seen(two)
        assert seen[1]["sw1"] == Role.SENIOR_SOCIAL_WORKER.value and seen[2] == ["sw1"]
        assert seen[1]["hv1"] == Role.HEALTH.value
    for pc in (team.first, desk2):
        with pc.on(), pytest.raises(SignInFailed):
            sign_in(pc.vault, "sw1", sam).lock()

    with team.first.session() as s:  # a change after the merge counts everywhere
        s.accounts.set_role("hv1", Role.EDUCATION.value)
    team.first.sync()
    desk2.sync()
    with desk2.session() as s:
        assert membership_seen(s)[1]["hv1"] == Role.EDUCATION.value
        assert verified_log(s.conn, s.vault_id, s.trust).forks == []


def test_resolving_when_nothing_forks_is_one_clear_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    team = ReplicaTeam.start(tmp_path)
    rows = stored_rows(team.first)
    code, _, err = cli(team.first, capsys, monkeypatch, "replica", "resolve-fork")
    assert code != 0 and err.strip().splitlines() == [
        "workbook: error: the membership log does not fork: there is nothing to resolve"]
    assert stored_rows(team.first) == rows
    code, out, _ = cli(team.first, capsys, monkeypatch, "replica", "resolve-fork", "--show",
                       "--json")
    assert code == 0 and json.loads(out) == {"resolved": False, "event": None,
                                             "branches": [], "pairs": []}
