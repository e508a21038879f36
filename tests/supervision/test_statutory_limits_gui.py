"""The statutory limits where people look: the board, the family's Time limits and Home's
deadlines, each with its state (on track, at risk, breached) - real widgets, offscreen."""

from __future__ import annotations

from typing import Any

from supervision_vault import BoardVault
from test_gui import runner

from workbook.services.home.overview import HomeFamily, deadlines
from workbook.ui.models.deadlines_model import TimeLimitsModel
from workbook.ui.supervision.board_page import SupervisionBoard
from workbook.ui.supervision.family_limits import TimeLimitsDialog


def _rows(tree: Any) -> list[tuple[str, ...]]:
    return [tuple(tree.topLevelItem(i).text(c) for c in range(tree.columnCount()))
            for i in range(tree.topLevelItemCount())]


def test_statutory_limits_on_the_board_in_the_family_and_on_home(qtbot: Any,
                                                                 bv: BoardVault) -> None:
    adams = bv.ids["Adams"]
    with bv.sign_in("tm") as tm:
        tm.families.add_entry(adams, "case-notes", "Strategy discussion", "2026-02-02",
                              entry_type="strategy-discussion")
        tm.families.add_entry(adams, "case-notes", "Conference", "2026-02-27",
                              entry_type="conference")
        board_page = SupervisionBoard(runner(tm))
        qtbot.addWidget(board_page)
        board_page.refresh()
        # Met on 27 February but 15 working days were up on 23 February: breached and met,
        # so not running. The core group (due 13 March) and the visits are on track.
        dialog = TimeLimitsDialog(runner(tm), adams)
        qtbot.addWidget(dialog)
        dialog.reload()
        rows = {r[0]: r for r in _rows(dialog.limits)}
        assert rows["Core group (10 working days)"][2:] == ("13/03/2026", "On track")
        assert rows["Child protection visit (every 10 working days)"][1:] == (
            "27/02/2026", "13/03/2026", "On track")
        assert "Initial child protection conference (15 working days)" not in rows
        tm.families.add_entry(bv.ids["Brown"], "case-notes", "Strategy discussion",
                              "2026-02-02", entry_type="strategy-discussion")
        board_page.refresh()
        shown = _rows(board_page.limits)
        assert ("Brown family", "Initial child protection conference (15 working days)",
                "23/02/2026", "Breached") in shown
        mine = [HomeFamily(bv.ids["Brown"], "Brown family", "REF-B", "open", "tm")]
        home = TimeLimitsModel()
        home.set_rows(deadlines(tm, mine).time_limits)
        texts = [(home.index(r, home.COL_LIMIT).data(), home.index(r, home.COL_STATE).data())
                 for r in range(home.rowCount())]
        assert ("Initial child protection conference", "Breached") in texts
