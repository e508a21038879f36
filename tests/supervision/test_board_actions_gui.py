"""Finishing an overdue action from the supervision board (issue 14, item 3): the supervisor
clicks the action under its owner, then Cancel action…, types why, and the board refreshes
without it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from supervision_vault import BoardVault
from test_gui import runner

from workbook.ui.family.action_finishing import CancelActionDialog
from workbook.ui.supervision.page import SupervisionPage


def _overdue_texts(page: SupervisionPage) -> list[str]:
    tree = page.board.overdue
    return [tree.topLevelItem(i).child(j).text(0) for i in range(tree.topLevelItemCount())
            for j in range(tree.topLevelItem(i).childCount())]


def test_cancel_an_overdue_action_from_the_board(qtbot: Any, bv: BoardVault) -> None:
    with bv.sign_in("tm") as tm:
        page = SupervisionPage(runner(tm))
        qtbot.addWidget(page)
        page.resize(1400, 900)
        page.show()
        page.refresh()
        board = page.board
        assert "Arrange the home visit" in _overdue_texts(page)
        assert not board.action_finisher.cancel.isEnabled()
        tree = board.overdue
        owner = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                     if tree.topLevelItem(i).child(0).text(0) == "Arrange the home visit")
        item = owner.child(0)
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton,
                         pos=tree.visualItemRect(item).center())
        assert board.action_finisher.cancel.isEnabled()
        qtbot.mouseClick(board.action_finisher.cancel, Qt.MouseButton.LeftButton)
        dialog = board.findChildren(CancelActionDialog)[-1]
        qtbot.keyClicks(dialog.reason, "Visit no longer needed: the family moved")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert not dialog.isVisible()
        assert "Arrange the home visit" not in _overdue_texts(page)
