"""The board's evaluation: each due family's scaling trend as text (with its dates in the
tooltip), and the team's outcomes by month as a stacked-bar chart whose figures a screen
reader reads - for supervisors only; and the review form's New case owner, appointed at the
session's sign-off."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from supervision_vault import BoardVault
from test_gui import runner

from workbook.services.supervision import meetings as supervision
from workbook.services.supervision.meetings import ReviewForm
from workbook.ui.supervision.page import SupervisionPage


def _page(qtbot: Any, session: Any) -> SupervisionPage:
    page = SupervisionPage(runner(session))
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()
    page.refresh()
    return page


def test_board_shows_scaling_trends_and_outcomes_by_month(qtbot: Any, bv: BoardVault) -> None:
    adams = bv.ids["Adams"]
    with bv.sign_in("tm") as tm:
        held = supervision.start_session(tm, "2026-03-02", [], [adams])
        supervision.record_review(tm, held, adams, ReviewForm(
            "Better", scaling=5, next_review="2026-03-20"))
        supervision.finish(tm, held)
        tm.retention.close(bv.ids["Clark"], "early-help", outcome="stepped-down",
                           reason="universal services are enough")
        board = _page(qtbot, tm).board
        rows = {board.due.topLevelItem(i).text(0): board.due.topLevelItem(i)
                for i in range(board.due.topLevelItemCount())}
        assert rows["Adams family"].text(4) == "5"
        assert rows["Adams family"].toolTip(4) == "5 on 02/03/2026"
        chart = board.charts[-1]
        assert chart.accessibleName() == "Outcomes by month closed"
        assert chart.accessibleDescription() == "2026-03: 1 closed (stepped down 1)"
    with bv.sign_in("sw1") as sw:
        board = _page(qtbot, sw).board
        assert "Outcomes by month closed" not in [c.accessibleName() for c in board.charts]


def test_the_review_form_appoints_a_new_case_owner_at_sign_off(qtbot: Any,
                                                               bv: BoardVault) -> None:
    adams = bv.ids["Adams"]
    with bv.sign_in("tm") as tm:
        page = _page(qtbot, tm)
        page.ask_start = lambda _colleagues, today: (today, ["sw1"], [adams])
        page.start_session()
        view = page.session_view
        assert view is not None
        view.select_family(adams)
        form = view.form
        qtbot.keyClicks(form.summary, "Engaging with the school")
        form.scaling.selectAll()
        qtbot.keyClicks(form.scaling, "6")
        qtbot.keyClicks(form.next_review.line, "02/04/2026")
        assert form.new_owner.currentText() == "No change"
        offered = [form.new_owner.itemText(i) for i in range(form.new_owner.count())]
        assert offered == ["No change", "Mia Health", "Pat Constable", "Sam Worker",
                           "Tess Manager"]  # those who may be appointed, by name
        form.new_owner.setFocus()
        qtbot.keyClicks(form.new_owner, "Sam")
        assert form.new_owner.currentText() == "Sam Worker"
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
        assert tm.workbooks.open(adams).family.case_owner == "tm"  # a draft appoints nobody
        view.confirm = lambda _question: True
        qtbot.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
        assert tm.workbooks.open(adams).family.case_owner == "sw1"
        view.select_family(adams)
        assert view.form.new_owner.currentText() == "Sam Worker"
        assert not view.form.new_owner.isEnabled()
