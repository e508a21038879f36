"""The supervisor's board lists the referrals waiting at the front door with their 24-hour
limit, the time left in words, and red as well once breached (issue 15); a decided referral
leaves it, and nothing of it stays after the board is cleared."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QBrush
from supervision_vault import BoardVault
from test_gui import runner

from workbook.ui.supervision.board_page import SupervisionBoard

LIMIT = "Referral: triage decision (24 hours)"


def _rows(tree: Any) -> list[tuple[str, ...]]:
    return [tuple(tree.topLevelItem(i).text(c) for c in range(tree.columnCount()))
            for i in range(tree.topLevelItemCount())]


def test_the_board_shows_the_referrals_waiting(qtbot: Any, bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:  # the board's clock: 02/03/2026 10:00
        late = tm.referrals.add(received="2026-02-28 09:00", source="police",
                                concern="Found alone", people=["Leo Park|2019-04-05"])
        tm.referrals.add(received="2026-03-02 08:00", source="school", concern="Hungry",
                         people=["Maya Park"])
        board_page = SupervisionBoard(runner(tm))
        qtbot.addWidget(board_page)
        board_page.refresh()
        referrals = [r for r in _rows(board_page.limits) if r[1] == LIMIT]
        assert referrals == [
            ("Leo Park (born 05/04/2019)", LIMIT, "01/03/2026 09:00", "Overdue by 25 h"),
            ("Maya Park", LIMIT, "03/03/2026 08:00", "22 h left")]
        first = board_page.limits.topLevelItem(0)
        assert isinstance(first.foreground(3), QBrush)
        assert first.foreground(3).color().red() > 100
        tm.referrals.decide(late.referral_id, outcome="nfa", reason="Advice given",
                            family_id=bv.ids["Adams"])
        board_page.refresh()
        assert [r[0] for r in _rows(board_page.limits) if r[1] == LIMIT] == ["Maya Park"]
        assert len([r for r in _rows(board_page.limits) if r[1] != LIMIT]) >= 1
        board_page.clear()
        assert _rows(board_page.limits) == [] and board_page.referrals == []
