"""The board kept as a per-person encrypted digest (services/supervision/board_digest.py): it must
always say what a board worked out from scratch says, keep nothing of a section its owner lost, open
for nobody else, and be thrown away (never an error) when it does not open."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import keyring
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from supervision_vault import BoardVault, stored_digest

from support import vaults
from support.budget import RANDOM, budget
from support.family_vault import MARKER_MH, copy_vault, install_keyring
from workbook.crypto.symmetric import wrap
from workbook.domain.roles import Role, Section
from workbook.services.errors import InvalidInput, NotFound, TamperingDetected
from workbook.services.family import milestones, plan_actions
from workbook.services.session import Session
from workbook.services.supervision import board_digest, digest_folder, digest_pages
from workbook.services.supervision.board import board
from workbook.vault import board_digest_store


def _same(session: Session) -> dict[str, Any]:
    """The kept digest's board, checked against one worked out from scratch."""
    kept = board(session).to_json()
    assert kept == board(session, fresh=True).to_json()
    return kept


def _stored(session: Session) -> board_digest.BoardDigest | None:
    return stored_digest(session)


def _change_a_lot(tm: Session, ids: dict[str, str]) -> None:
    """Actions, reviews-due changes, milestones, urgent concerns, edits and deletes."""
    late = tm.families.add_action(ids["Davis"], "Late already", "sw1", "2026-02-01")
    plan_actions.set_action_status(tm, late, "done")
    tm.families.add_action(ids["Clark"], "Visit again", "pc1", "2026-02-25")
    plan_actions.set_action_status(tm, ids["act_future"], "cancelled")
    note = tm.families.add_entry(ids["Davis"], "case-notes", "Worrying call")
    milestones.mark_urgent(tm, note)
    tm.families.edit_entry(note, "Worrying call from the school")
    tm.families.delete_entry(ids["note_brown"], "entered on the wrong family")
    milestones.record_assessment_completed(tm, ids["Davis"], "2026-02-26")
    milestones.record_referral(tm, ids["Clark"], "2026-03-01")


def test_the_digest_board_is_the_board_from_scratch_across_sign_ins(bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:
        before = _same(tm)
        assert _stored(tm) is not None  # the first read built and kept it
        _change_a_lot(tm, bv.ids)
        after = _same(tm)
        assert after != before
    with bv.sign_in("sw1") as sw:  # someone else adds while tm is away
        sw.families.add_action(bv.ids["Brown"], "Ring the GP", "sw1", "2026-02-10")
        _same(sw)
    with bv.sign_in("tm") as tm:
        seq = _stored(tm).seq  # type: ignore[union-attr]
        again = _same(tm)
        assert any(a.get("text") == "Ring the GP" for a in again["overdue_actions"])
        assert _stored(tm).seq == seq  # type: ignore[union-attr]  # a small fold waits ...
    with bv.sign_in("tm") as tm:
        assert _stored(tm).seq > seq  # type: ignore[union-attr]  # ... until sign-out
        assert board(tm).to_json() == again
    for who in ("pc1", "mh1"):
        with bv.sign_in(who) as other:
            _same(other)


def test_a_second_read_does_not_open_the_blob_again(bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:
        board(tm)
        kept = board_digest.holder(tm).digest
        tm.conn.execute("DELETE FROM board_digests")
        board(tm)
        assert board_digest.holder(tm).digest is kept


def test_the_familys_own_view_from_the_digest(bv: BoardVault) -> None:
    fid = bv.ids["Adams"]
    with bv.sign_in("tm") as tm:
        whole = board(tm)
        own = board(tm, family_id=fid)
        assert own.to_json() == board(tm, family_id=fid, fresh=True).to_json()
    assert {t.family_id for t in own.time_limits} == {fid}
    assert sorted(map(repr, own.time_limits)) == sorted(
        repr(t) for t in whole.time_limits if t.family_id == fid)


@pytest.mark.parametrize("damage", ["tampered", "truncated", "foreign", "garbage"])
def test_a_digest_that_does_not_open_is_rebuilt(bv: BoardVault, damage: str) -> None:
    with bv.sign_in("sw1") as sw:
        board(sw)
        theirs = board_digest_store.load(sw.conn, sw.user_id)
    with bv.sign_in("tm") as tm:
        expected = board(tm).to_json()
        blob = board_digest_store.load(tm.conn, tm.user_id)
        assert blob is not None and theirs is not None
        bad = {"tampered": blob[:40] + bytes([blob[40] ^ 1]) + blob[41:],
               "truncated": blob[:20], "foreign": theirs, "garbage": b""}[damage]
        tm.conn.execute("UPDATE board_digests SET body = ? WHERE user_id = ?",
                        (bad, tm.user_id))
    with bv.sign_in("tm") as tm:
        assert board(tm).to_json() == expected
        assert _stored(tm) is not None  # and a sound one replaced it


def test_a_digest_of_another_format_or_shape_is_rebuilt(bv: BoardVault) -> None:
    """Well encrypted but not what this program writes (a later format, a broken body)."""
    with bv.sign_in("tm") as tm:
        expected = board(tm).to_json()
        mine = board_digest.holder(tm)
        for raw in (b'{"format": 99}', b"[1, 2]", b'{"format": 1, "kinds": 3}', b"\xff",
                    b'{"format": 4, "pages": -1}'):
            sealed = wrap(mine.key, raw, mine.ad)
            tm.conn.execute("UPDATE board_digests SET body = ? WHERE user_id = ?",
                            (sealed, tm.user_id))
            assert _stored(tm) is None
            with bv.sign_in("tm") as again:
                assert board(again).to_json() == expected


def _pages(session: Session) -> list[tuple[int, bytes]]:
    return [(int(n), bytes(body)) for n, body in session.conn.execute(
        "SELECT page, body FROM board_digest_pages WHERE user_id = ? ORDER BY page",
        (session.user_id,))]


@pytest.mark.parametrize("damage", ["tampered", "swapped", "missing", "earlier", "foreign"])
def test_a_digest_page_that_does_not_open_means_a_rebuild(
        bv: BoardVault, damage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The signed-in attacker alters the stored pages: a page's bytes, two pages' places, a
    page left out, a page of an earlier store put back, another person's page. The read
    fails and the digest is built again: the board is still the board from scratch."""
    monkeypatch.setattr(digest_pages, "PAGE_RECORDS", 3)
    with bv.sign_in("sw1") as sw:
        board(sw)
        theirs = _pages(sw)
    with bv.sign_in("tm") as tm:
        expected = board(tm).to_json()
        earlier = _pages(tm)
        tm.families.add_action(bv.ids["Brown"], "Stored again", "sw1", "2026-02-10")
        board(tm)
        board_digest.store(tm, board_digest.holder(tm).digest)  # type: ignore[arg-type]
        expected = board(tm).to_json()
        pages = _pages(tm)
        assert len(pages) > 3 and _stored(tm) is not None
        put = "UPDATE board_digest_pages SET body = ? WHERE user_id = ? AND page = ?"
        if damage == "tampered":
            body = pages[1][1]
            tm.conn.execute(put, (body[:30] + bytes([body[30] ^ 1]) + body[31:], tm.user_id, 1))
        elif damage == "swapped":
            tm.conn.execute(put, (pages[2][1], tm.user_id, 1))
            tm.conn.execute(put, (pages[1][1], tm.user_id, 2))
        elif damage == "missing":
            tm.conn.execute("DELETE FROM board_digest_pages WHERE user_id = ? AND page = 2",
                            (tm.user_id,))
        elif damage == "earlier":
            tm.conn.execute(put, (earlier[0][1], tm.user_id, 0))
        else:
            tm.conn.execute(put, (theirs[0][1], tm.user_id, 0))
        assert _stored(tm) is None
    with bv.sign_in("tm") as tm:
        load = board_digest.work_needed(tm)
        assert isinstance(load, board_digest.Load)
        while not load.step(tm):
            pass
        assert isinstance(board_digest.work_needed(tm), board_digest.Rebuild)
        assert board(tm).to_json() == expected == board(tm, fresh=True).to_json()
        assert _stored(tm) is not None  # and a sound one replaced it


def test_home_reads_the_stored_digest_a_page_a_step(
        bv: BoardVault, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sign-in reads its stored digest back one page per worker job (issue 19), and what it
    read is the digest stored: the board from it is the board from scratch."""
    monkeypatch.setattr(digest_pages, "PAGE_RECORDS", 2)
    with bv.sign_in("tm") as tm:
        _change_a_lot(tm, bv.ids)
        expected = _same(tm)
        stored_pages = len(_pages(tm))
    with bv.sign_in("tm") as tm:
        load = board_digest.work_needed(tm)
        assert isinstance(load, board_digest.Load)
        steps = 1
        while not load.step(tm):
            steps += 1
            assert board_digest.holder(tm).digest is None  # never half a digest
        assert steps == stored_pages + 1  # the head, then a page a step
        assert board_digest.work_needed(tm) is None
        assert board(tm).to_json() == expected
        with pytest.raises(NotFound, match="another sign-in"):
            with bv.sign_in("sw1") as sw:
                board_digest.Load(tm).step(sw)


def test_the_stored_digest_holds_no_plaintext(bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:
        result = board(tm)
        assert result.due_families
        row = tm.conn.execute("SELECT user_id, body FROM board_digests").fetchall()
        pages = _pages(tm)
    assert len(row) == 1 and pages
    for raw in (bytes(row[0][1]), *(body for _n, body in pages)):
        for text in ("Adams family", "Arrange the home visit", "REF-A", "referral-assessment",
                     "2026-02-20", "sw1"):
            assert text.encode() not in raw
        assert result.due_families[0].name.encode() not in raw


def test_a_tampered_version_folded_in_is_still_refused(bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:
        board(tm)
        seq = _stored(tm).seq  # type: ignore[union-attr]
    with bv.sign_in("sw1") as sw:
        action = sw.families.add_action(bv.ids["Brown"], "Ring the GP", "sw1", "2026-02-10")
        row = sw.conn.execute("SELECT version_id, body FROM versions WHERE record_id = ?",
                              (action,)).fetchone()
        body = bytes(row[1])
        sw.conn.execute("UPDATE versions SET body = ? WHERE version_id = ?",
                        (body[:-1] + bytes([body[-1] ^ 1]), row[0]))
    with bv.sign_in("tm") as tm:
        with pytest.raises(TamperingDetected):
            board(tm)
        with pytest.raises(TamperingDetected):  # and again: nothing half-folded was kept
            board(tm)
        assert _stored(tm).seq == seq  # type: ignore[union-attr]


def test_a_lost_section_leaves_no_fact_behind(bv: BoardVault) -> None:
    """mh1's urgent mental-health concern is on mh1's board; once mh1's role no longer reads
    that section, neither the board nor the kept digest holds anything of it."""
    mh_entry = bv.base.ids["mh_entry"]
    with bv.sign_in("mh1") as mh:
        milestones.mark_urgent(mh, mh_entry)
        assert any(t.record_id == mh_entry for t in board(mh).time_limits)
        assert _sections_in(_stored(mh)) >= {Section.MENTAL_HEALTH.value}
    with bv.sign_in("tm") as tm:
        tm.accounts.set_role("mh1", Role.SOCIAL_WORKER.value)
    with bv.sign_in("mh1") as mh:
        result = _same(mh)
        assert not any(t["record_id"] == mh_entry for t in result["time_limits"])
        kept = _stored(mh)
        assert kept is not None and Section.MENTAL_HEALTH.value not in _sections_in(kept)
        assert MARKER_MH not in json.dumps(kept.kinds)


def test_new_keys_mean_a_new_digest(bv: BoardVault) -> None:
    """Disabling a colleague moves the sections they held to a new epoch: the keys held
    change, so the digest starts again (and still agrees with the vault)."""
    with bv.sign_in("tm") as tm:
        board(tm)
        held = _stored(tm).held  # type: ignore[union-attr]
        tm.accounts.disable("pc1")
        assert [list(h) for h in tm.keys.held()] != held
        _same(tm)
        assert _stored(tm).held == [list(h) for h in tm.keys.held()]  # type: ignore[union-attr]


def test_a_disposed_family_leaves_the_board(tmp_path_factory: pytest.TempPathFactory,
                                            tmp_path: Path) -> None:
    from datetime import timedelta

    from workbook.services.upkeep.retention import Retention

    team = vaults.session_template(tmp_path_factory, "operations",
                                   vaults.build_team_vault_with_admin)
    team = team.copy_to(tmp_path / "vault")
    fid = team.families["a"]
    with team.session(Role.TEAM_MANAGER) as s:
        assert fid in _families_in(board(s))
        removals = _stored(s).removals  # type: ignore[union-attr]
    with team.session("owner") as s:
        Retention(s).close(fid, "early-help")
    for role in (Role.TEAM_MANAGER, Role.ADMIN):
        with team.session(role) as s:
            real = s.clock
            s.clock = lambda real=real: real() + timedelta(days=366 * 7)  # type: ignore[misc]
            if role is Role.TEAM_MANAGER:
                Retention(s).propose(fid)
            else:
                Retention(s).confirm(fid)
    with team.session(Role.TEAM_MANAGER) as s:
        result = _same(s)
        assert fid not in _families_in_json(result)
        assert _stored(s).removals > removals  # type: ignore[union-attr]
        assert not s.conn.execute("SELECT 1 FROM version_log WHERE family_id = ?",
                                  (fid,)).fetchall()


def test_the_log_numbers_every_version(bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:
        versions = tm.conn.execute("SELECT count(*) FROM versions").fetchone()[0]
        logged = tm.conn.execute("SELECT count(*) FROM version_log").fetchone()[0]
        assert versions == logged
        top = board_digest_store.last_seq(tm.conn)
        tm.families.add_action(bv.ids["Adams"], "One more", "tm", "2026-04-01")
        new = board_digest_store.headers_since(tm.conn, top)
        assert [h.kind for _s, h in new] == ["action"]


# --- incremental folding equals building from scratch, whatever the order of changes ----------
_STEPS = st.lists(st.tuples(st.sampled_from(["action", "close", "entry", "urgent", "edit",
                                             "delete", "milestone", "read", "relock",
                                             "shut"]),
                            st.integers(0, 3), st.integers(-40, 40)), min_size=1, max_size=12)


# WORKBOOK_DIGEST_EXAMPLES (default 100, the same ones every run; `make test-deep` runs more,
# new ones each time: tests/support/budget.py).
@settings(max_examples=budget("WORKBOOK_DIGEST_EXAMPLES", 100), deadline=None, database=None,
          derandomize=not RANDOM, print_blob=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_STEPS)
def test_folding_changes_in_any_order_equals_the_board_from_scratch(
        board_template: BoardVault, steps: list[tuple[str, int, int]]) -> None:
    from datetime import date, timedelta

    from workbook.services.upkeep.retention import Retention

    previous = keyring.get_keyring()
    root = Path(tempfile.mkdtemp(prefix="board-digest-"))
    try:
        bv = BoardVault(copy_vault(board_template.base, root), dict(board_template.ids))
        install_keyring(bv.base.store)
        names = ["Adams", "Brown", "Clark", "Davis"]
        actions = [bv.ids["act_overdue"], bv.ids["act_future"]]
        entries = [bv.ids["note_adams"], bv.ids["note_clark"]]
        urgent = set(entries)  # both start urgent (supervision_vault); what steps made of each
        deleted: set[str] = set()
        closed: set[str] = set()
        tm = bv.sign_in("tm")
        try:
            board(tm)
            for step, which, days in steps:
                fid = bv.ids[names[which]]
                day = (date(2026, 3, 2) + timedelta(days=days)).isoformat()
                if step == "action":
                    actions.append(tm.families.add_action(fid, f"Do {day}", "sw1", day))
                elif step == "close":
                    plan_actions.set_action_status(tm, actions[which % len(actions)],
                                                   ["done", "cancelled", "open"][which % 3])
                elif step == "entry":
                    entries.append(tm.families.add_entry(fid, "case-notes", f"Note {day}"))
                elif step in ("urgent", "edit", "delete"):
                    entry = entries[which % len(entries)]
                    if step == "urgent" and entry in urgent:
                        with pytest.raises(InvalidInput, match="already an urgent concern"):
                            milestones.mark_urgent(tm, entry)
                    elif step == "urgent" and entry in deleted:
                        with pytest.raises(InvalidInput, match="deleted entry cannot be marked"):
                            milestones.mark_urgent(tm, entry)
                    elif step == "urgent":
                        milestones.mark_urgent(tm, entry)
                        urgent.add(entry)
                    elif step == "edit":
                        tm.families.edit_entry(entry, f"Edited {day}")
                    else:
                        tm.families.delete_entry(entry, "wrong family")
                        deleted.add(entry)
                elif step == "milestone":
                    milestones.record_assessment_completed(tm, fid, min(day, "2026-03-02"))
                elif step == "shut" and fid in closed:  # closed families: decision 0011
                    Retention(tm).reopen(fid)
                    closed.discard(fid)
                elif step == "shut":
                    Retention(tm).close(fid, tm.policy.family_types()[0])
                    closed.add(fid)
                elif step == "read":
                    assert board(tm).to_json() == board(tm, fresh=True).to_json()
                else:
                    tm.lock()
                    tm = bv.sign_in("tm")
            assert board(tm).to_json() == board(tm, fresh=True).to_json()
        finally:
            tm.lock()
    finally:
        keyring.set_keyring(previous)
        shutil.rmtree(root, ignore_errors=True)


# --- helpers ---------------------------------------------------------------------------------
def _sections_in(digest: board_digest.BoardDigest | None) -> set[str]:
    assert digest is not None
    return {rec[digest_folder.SECTION] for records in digest.kinds.values()
            for rec in records.values()}


def _families_in(result: Any) -> set[str]:
    return _families_in_json(result.to_json())


def _families_in_json(data: dict[str, Any]) -> set[str]:
    return {row["family_id"] for key in ("due_families", "overdue_actions", "time_limits")
            for row in data[key]}


def test_a_rebuild_in_small_steps_gives_the_same_board_and_is_kept(bv: BoardVault) -> None:
    """What the GUI does at sign-in when the digest must be built again: one step at a time
    on the worker, with writes by others in between, then the board."""
    with bv.sign_in("tm") as tm:
        _change_a_lot(tm, bv.ids)
    with bv.sign_in("sw1") as sw:
        rebuild = board_digest.rebuild_needed(sw)
        assert rebuild is not None  # never built for sw1 yet
        assert rebuild.step(sw, heads=3) is False  # the first step only finds the heads
        steps = 1
        while not rebuild.step(sw, heads=3):
            steps += 1
            if steps == 3:  # a write lands between steps: folded in by the next read
                sw.families.add_action(bv.ids["Brown"], "Between steps", "sw1", "2026-02-10")
        assert steps > 3 and rebuild.opened == rebuild.total
        assert board_digest.rebuild_needed(sw) is None  # now the session's
        result = _same(sw)
        assert any(a["text"] == "Between steps" for a in result["overdue_actions"])
        with pytest.raises(NotFound, match="another sign-in"):
            with bv.sign_in("tm") as tm:
                board_digest.Rebuild(sw).step(tm)


def test_the_next_sign_in_reads_its_board_from_the_kept_digest_not_a_rebuild(
        bv: BoardVault) -> None:
    """Home asks `rebuild_needed` and then reads the board (its deadlines): the digest the
    first call found stored is the one the board reads, folded forward, not one built again
    from every family record (issue 19: that rebuild at every desktop sign-in was most of
    the 20,000-family vault's peak memory)."""
    with bv.sign_in("sw1") as sw:
        before = _same(sw)  # built and stored
    with bv.sign_in("tm") as tm:
        tm.families.add_action(bv.ids["Brown"], "After the build", "sw1", "2026-02-10")
    with bv.sign_in("sw1") as sw:
        assert board_digest.rebuild_needed(sw) is None
        reads: list[str] = []
        sw.conn.set_trace_callback(reads.append)
        result = board(sw).to_json()
        sw.conn.set_trace_callback(None)
        assert not any("versions_headers WHERE kind = 'family'" in sql for sql in reads)
        assert result == board(sw, fresh=True).to_json() != before
        assert any(a["text"] == "After the build" for a in result["overdue_actions"])


def test_a_build_loads_the_receipts_of_the_families_it_opens_not_the_whole_kind(
        bv: BoardVault, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build opening many heads loads their families' verification receipts, not every
    receipt of the kind (issue 19: ten years of closed families' receipts were most of a
    first build's memory at 20,000 families); the board is the same as one from scratch."""
    monkeypatch.setattr(digest_folder, "OPEN_WITH_RECEIPTS", 0)
    with bv.sign_in("tm") as tm:
        _change_a_lot(tm, bv.ids)
    with bv.sign_in("sw1") as sw:
        sw.conn.execute("DELETE FROM board_digests")
        board(sw)  # built, opening every head with receipts
        whole_kinds = set(sw.trust.verified._loaded_kinds)  # noqa: SLF001 - what was loaded
        assert not whole_kinds & {"action", "entry", "review", "person"}
        assert sw.trust.verified.families_loaded()
        _same(sw)
