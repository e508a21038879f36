"""Closed families on the board (docs/decisions/0011-the-board-without-closed-families.md): the
digest keeps no record of a closed family, only its part of the overdue-actions chart for the
months it was open; a reopened family comes back whole; and what the board shows still comes
only from verified versions, whatever the signed-in attacker does to the rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from supervision_vault import NOW, BoardVault, stored_digest

from workbook.services.errors import TamperingDetected
from workbook.services.family import plan_actions
from workbook.services.session import Session
from workbook.services.supervision import board_digest, digest_folder
from workbook.services.supervision.board import board
from workbook.services.upkeep.retention import Retention


def _same(session: Session, now: datetime | None = None) -> dict[str, object]:
    kept = board(session, now).to_json()
    assert kept == board(session, now, fresh=True).to_json()
    return kept


def _stored(session: Session) -> board_digest.BoardDigest:
    found = stored_digest(session)
    assert found is not None
    return found


def _of_family(digest: board_digest.BoardDigest, family_id: str) -> list[str]:
    return [kind for kind, records in digest.kinds.items()
            for rec in records.values() if rec[digest_folder.FAMILY] == family_id]


def _close(session: Session, family_id: str) -> None:
    Retention(session).close(family_id, session.policy.family_types()[0])


def _chart(result: dict[str, object]) -> dict[str, int]:
    rows = result["overdue_by_month"]
    assert isinstance(rows, list)
    return {row["month"]: row["count"] for row in rows}


def test_a_closed_family_leaves_only_its_history(bv: BoardVault) -> None:
    adams = bv.ids["Adams"]
    with bv.sign_in("tm") as tm:
        before = _same(tm)
        assert any(a["family_id"] == adams for a in before["overdue_actions"])  # type: ignore
        _close(tm, adams)
        after = _same(tm)
        # Nobody's work now: no overdue action, review or time limit of Adams...
        for key in ("due_families", "overdue_actions", "time_limits"):
            assert all(row["family_id"] != adams for row in after[key])  # type: ignore
        # ...but February's end (Adams still open) still counts its overdue action; this
        # month's point is today, after the closing.
        was, now = _chart(before), _chart(after)
        assert now["2026-02"] == was["2026-02"] >= 1
        assert now["2026-03"] == was["2026-03"] - 1
    with bv.sign_in("tm") as tm:  # folded in at sign-out, read back from the stored blob
        assert _same(tm) == after
        stored = _stored(tm)
        assert _of_family(stored, adams) == []
        assert stored.closed.families[adams][1] == {"2026-02": 1}
    # A year on, February 2026 has left the chart and nothing of Adams is read at a rebuild.
    later = NOW + timedelta(days=400)
    with bv.sign_in("tm", later) as tm:
        result = _same(tm, later)
        assert "2026-02" not in _chart(result)
        kept = board_digest.holder(tm).digest
        assert kept is not None and adams not in kept.closed.families  # the chart moved on
        rebuilt = board_digest.Rebuild(tm, keep=False).run()
        assert adams not in rebuilt.closed.families and not _of_family(rebuilt, adams)


def test_a_reopened_family_comes_back_whole(bv: BoardVault) -> None:
    adams = bv.ids["Adams"]
    with bv.sign_in("tm") as tm:
        before = _same(tm)
        _close(tm, adams)
        _same(tm)
    with bv.sign_in("tm") as tm:
        _same(tm)
        Retention(tm).reopen(adams)
        assert _same(tm) == before
        assert adams not in board_digest.holder(tm).digest.closed.families  # type: ignore
    with bv.sign_in("tm") as tm:
        assert _same(tm) == before
        assert set(_of_family(_stored(tm), adams)) >= {"family", "action", "entry"}


def test_an_action_changed_after_the_closing_changes_the_history(bv: BoardVault) -> None:
    """A closed family's history is worked out again from its verified actions when one of
    them changes, exactly as a build from scratch would."""
    adams = bv.ids["Adams"]
    with bv.sign_in("tm") as tm:
        _same(tm)
        _close(tm, adams)
        _same(tm)
        plan_actions.redate(tm, bv.ids["act_future"], "2026-02-01")  # was due 10 March
        assert _chart(_same(tm))["2026-02"] == 2


def test_a_forged_closing_or_reopening_is_refused(bv: BoardVault) -> None:
    """The attacker holds the database key: a closing version whose body or clear header
    was changed in SQL is refused, by the fold and by a build alike; the stored digest keeps
    its older position, so the next read refuses it again."""
    adams = bv.ids["Adams"]
    with bv.sign_in("tm") as tm:
        board(tm)
        seq = _stored(tm).seq
        _close(tm, adams)
        closing = tm.conn.execute(
            "SELECT v.version_id, v.body, v.created_at FROM versions AS v JOIN version_log "
            "AS l ON l.version_id = v.version_id WHERE v.family_id = ? AND v.kind = 'family' "
            "ORDER BY l.seq DESC LIMIT 1", (adams,)).fetchone()
        body = bytes(closing[1])
        tm.conn.execute("UPDATE versions SET body = ? WHERE version_id = ?",
                        (body[:-1] + bytes([body[-1] ^ 1]), closing[0]))
    with bv.sign_in("tm") as tm:
        for _ in range(2):
            with pytest.raises(TamperingDetected):
                board(tm)
        assert _stored(tm).seq == seq
        tm.conn.execute("UPDATE versions SET body = ?, created_at = ? WHERE version_id = ?",
                        (body, "2016-01-01T00:00:00+00:00", closing[0]))
        with pytest.raises(TamperingDetected):  # closed long ago, says the clear header
            board(tm, fresh=True)
