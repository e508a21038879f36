"""Home's plan actions from the board digest (services/home/my_actions.py, issue 19): the same
answer as opening the action versions, whatever changed since the digest was kept, taken only
from a digest that holds, and the versions' way - which refuses a tampered action as before -
whenever the digest cannot be used."""

from __future__ import annotations

import pytest
from supervision_vault import BoardVault

from workbook.services.clock import civil_date
from workbook.services.errors import TamperingDetected
from workbook.services.home import my_actions
from workbook.services.home import overview as home
from workbook.services.home.steps import ActionSteps
from workbook.services.session import Session
from workbook.services.supervision import board_digest
from workbook.services.supervision.board import board
from workbook.vault import board_digest_store

USERS = ("tm", "sw1", "pc1", "mh1")


def _by_versions(s: Session, first: home.HomeOverview) -> home.HomeOverview:
    heads = home.record_heads(s, "action", "plan", my_actions.my_open_action(s))
    return home.with_my_actions(first, heads, civil_date(s.clock()))


def _from_digest(s: Session) -> home.HomeOverview:
    """Home's actions step, checked to have taken the digest's way and to say what the
    versions say."""
    first = home.family_overview(s)
    assert my_actions.from_digest(s, civil_date(s.clock())) is not None
    got = home.action_overview(s, first)
    assert got == _by_versions(s, first)
    return got


def _flip(body: bytes) -> bytes:
    return body[:-1] + bytes([body[-1] ^ 1])


def _conflict(s: Session, action_id: str, *texts: str) -> None:
    """Two edits of the same version, made apart: a record with two heads."""
    base = s.records.of_record(action_id)[0]
    with s.write():
        for text in texts:
            s.records.write(family_id=base.family_id, record_id=action_id, kind="action",
                            section="plan", payload={**base.payload, "text": text},
                            parents=(base.version_id,))


def test_the_digest_says_what_the_versions_say_across_changes(bv: BoardVault) -> None:
    ids = bv.ids
    with bv.sign_in("sw1") as sw:
        first = home.family_overview(sw)
        assert my_actions.from_digest(sw, civil_date(sw.clock())) is None  # none kept yet
        before = home.action_overview(sw, first)
        assert before == _by_versions(sw, first)
        assert [a.text for a in before.overdue_actions] == ["Arrange the home visit"]
    for user in USERS:
        with bv.sign_in(user) as s:
            board(s)  # the deadlines build and keep the digest
        with bv.sign_in(user) as s:
            _from_digest(s)
    with bv.sign_in("tm") as tm:
        late = tm.families.add_action(ids["Davis"], "Late already", "sw1", "2026-02-01")
        tm.families.add_action(ids["Clark"], "Visit again", "sw1", "2026-02-25")
        tm.families.add_action(ids["Brown"], "Not yet due", "sw1", "2026-09-01")
        gone = tm.families.add_action(ids["Brown"], "Wrong family", "sw1", "2026-02-02")
        from workbook.services.family import plan_actions

        plan_actions.set_action_status(tm, late, "done")
        plan_actions.cancel(tm, gone, "entered on the wrong family")
        plan_actions.reassign(tm, ids["act_future"], "sw1")
        plan_actions.redate(tm, ids["act_overdue"], "2026-01-20")
        _conflict(tm, ids["act_future"], "Book the GP (a)", "Book the GP (b)")
    for user in USERS:
        with bv.sign_in(user) as s:
            after = _from_digest(s)
            if user == "sw1":
                assert {a.text for a in after.overdue_actions} == {
                    "Arrange the home visit", "Visit again"}
                assert {ids["Adams"], ids["Brown"], ids["Clark"]} <= {
                    f.family_id for f in after.my_families}
                assert after != before


def test_in_steps_the_digest_is_read_a_page_a_step(bv: BoardVault) -> None:
    with bv.sign_in("sw1") as sw:
        board(sw)
    with bv.sign_in("sw1") as sw:
        first = home.family_overview(sw)
        steps = ActionSteps(sw, first)
        count = 1
        while not steps.step(sw):
            count += 1
        assert steps.result == _by_versions(sw, first)
        assert count >= 2  # the head, a page or more, then the actions: never all in one job
        assert board_digest.load_needed(sw) is None  # the deadlines will not read it again


@pytest.mark.parametrize("damage", ["page", "head"])
def test_a_digest_that_does_not_open_leaves_the_versions_way(bv: BoardVault, damage: str
                                                             ) -> None:
    """As the attacker (the database key, any SQL): an altered digest is not read."""
    with bv.sign_in("sw1") as sw:
        board(sw)
        expected = home.action_overview(sw, home.family_overview(sw))
        if damage == "page":
            page, body = sw.conn.execute(
                "SELECT page, body FROM board_digest_pages WHERE user_id = ?",
                (sw.user_id,)).fetchone()
            sw.conn.execute("UPDATE board_digest_pages SET body = ? WHERE user_id = ? AND "
                            "page = ?", (_flip(bytes(body)), sw.user_id, page))
        else:
            body = board_digest_store.load(sw.conn, sw.user_id)
            assert body is not None
            sw.conn.execute("UPDATE board_digests SET body = ? WHERE user_id = ?",
                            (_flip(body), sw.user_id))
    with bv.sign_in("sw1") as sw:
        first = home.family_overview(sw)
        assert my_actions.from_digest(sw, civil_date(sw.clock())) is None
        assert home.action_overview(sw, first) == expected


def test_a_planted_action_is_refused_either_way(bv: BoardVault) -> None:
    """As the attacker: an action version altered after the digest was kept is refused, as
    it is when the versions are read; an altered version of something home does not show
    (a case note) leaves home's actions to the versions' way, not an error."""
    with bv.sign_in("sw1") as sw:
        board(sw)
    with bv.sign_in("tm") as tm:
        note = tm.families.add_entry(bv.ids["Adams"], "case-notes", "Another visit")
        tm.families.edit_entry(note, "Another visit, the children were well")
        for version_id, body in tm.conn.execute(
                "SELECT version_id, body FROM versions WHERE record_id = ?", (note,)).fetchall():
            tm.conn.execute("UPDATE versions SET body = ? WHERE version_id = ?",
                            (_flip(bytes(body)), version_id))
    with bv.sign_in("sw1") as sw:
        first = home.family_overview(sw)
        with pytest.raises(TamperingDetected):
            board(sw)
        assert my_actions.from_digest(sw, civil_date(sw.clock())) is None
        assert home.action_overview(sw, first) == _by_versions(sw, first)
    with bv.sign_in("tm") as tm:
        action = tm.families.add_action(bv.ids["Adams"], "Planted", "sw1", "2026-01-01")
        version_id, body = tm.conn.execute(
            "SELECT version_id, body FROM versions WHERE record_id = ?", (action,)).fetchone()
        tm.conn.execute("UPDATE versions SET body = ? WHERE version_id = ?",
                        (_flip(bytes(body)), version_id))
    with bv.sign_in("sw1") as sw:
        first = home.family_overview(sw)
        with pytest.raises(TamperingDetected):
            home.action_overview(sw, first)
