"""Group supervision as the meeting runs (issue 14, item 7): the board opens a family on
double-click or Enter; the chair picks the agenda (the families due are ticked, not all); each
family's context shows beside its form; a signed-off review says so and reads as read-only."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from supervision_vault import BoardVault
from test_gui import _agenda, runner

from workbook.services.supervision import meetings as supervision
from workbook.services.supervision.agenda import agenda_choices
from workbook.ui.family.action_finishing import CancelActionDialog
from workbook.ui.supervision.page import StartSessionDialog, SupervisionPage


@pytest.fixture
def page(qtbot: Any, bv: BoardVault) -> Any:
    with bv.sign_in("tm") as tm:
        made = SupervisionPage(runner(tm))
        qtbot.addWidget(made)
        made.resize(1500, 900)
        made.show()
        made.refresh()
        yield made, tm


def test_the_board_opens_a_family_on_double_click_and_enter(qtbot: Any, page: Any,
                                                             bv: BoardVault) -> None:
    view, _tm = page
    tree = view.board.due
    adams = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                 if tree.topLevelItem(i).text(0) == "Adams family")
    assert adams.text(1) == "Tess Manager"
    where = tree.visualItemRect(adams).center()
    with qtbot.waitSignal(view.board.open_family_requested) as opened:
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert opened.args == [bv.ids["Adams"]]
    tree.setFocus()
    tree.setCurrentItem(adams)
    with qtbot.waitSignal(view.board.open_family_requested) as opened:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert opened.args == [bv.ids["Adams"]]


def test_the_chair_picks_the_agenda_due_families_ticked(qtbot: Any, page: Any,
                                                        bv: BoardVault) -> None:
    view, tm = page
    choices = agenda_choices(tm)
    dialog = StartSessionDialog(supervision.colleagues(tm), "2026-03-02", None, choices)
    qtbot.addWidget(dialog)
    ticked = {dialog.agenda.item(r).text(): dialog.agenda.item(r).checkState()
              for r in range(dialog.agenda.count())}
    assert ticked["Brown family (REF-B)"] == Qt.CheckState.Unchecked   # not due in March
    assert ticked["Adams family (REF-A) - due"] == Qt.CheckState.Checked
    # Untick everything: refused at the agenda, with the reason.
    for r in range(dialog.agenda.count()):
        item = dialog.agenda.item(r)
        rect = dialog.agenda.visualItemRect(item)
        if item.checkState() == Qt.CheckState.Checked:
            dialog.agenda.setCurrentItem(item)
            qtbot.keyClick(dialog.agenda, Qt.Key.Key_Space)
        assert rect.isValid()
    assert dialog.picked() == []
    dialog._check()  # noqa: SLF001 - what the Start button runs
    assert dialog.agenda_error.text() == "tick at least one family to review"
    assert dialog.result() == 0
    qtbot.keyClicks(dialog.family_filter, "brown")
    visible = [dialog.agenda.item(r) for r in range(dialog.agenda.count())
               if not dialog.agenda.item(r).isHidden()]
    assert [i.text() for i in visible] == ["Brown family (REF-B)"]
    dialog.agenda.setCurrentItem(visible[0])
    qtbot.keyClick(dialog.agenda, Qt.Key.Key_Space)
    assert dialog.chosen() == ("2026-03-02", [], [bv.ids["Brown"]])
    # The page starts the session with the agenda picked.
    view.ask_start = lambda _colleagues, today: (today, ["sw1"], [bv.ids["Brown"]])
    view.start_session()
    assert _agenda(view) == [bv.ids["Brown"]]


def test_context_beside_the_form_and_a_signed_off_review_reads_as_such(
        qtbot: Any, page: Any, bv: BoardVault) -> None:
    view, tm = page
    view.ask_start = lambda _colleagues, today: (today, ["sw1"], [bv.ids["Adams"]])
    view.start_session()
    session = view.session_view
    assert session is not None
    session.select_family(bv.ids["Adams"])
    context = session.context.toPlainText()
    assert "Arrange the home visit (Sam Worker, due 20/02/2026 - OVERDUE)" in context
    assert "Never reviewed" in context
    assert "Urgent concern (24 hours)" in context
    sid = session.session_id
    supervision.record_review(tm, sid, bv.ids["Adams"], supervision.ReviewForm(
        "Engaging", "", "", "Carry on", 6, "2026-04-02"))
    session.confirm = lambda _question: True
    qtbot.mouseClick(session.finish_button, Qt.MouseButton.LeftButton)
    session.select_family(bv.ids["Adams"])
    assert session.signed_off.isVisible()
    assert session.signed_off.text().startswith("Signed off by Tess Manager on 02/03/2026")
    assert session.form.summary.isReadOnly() and session.form.read_only


def _overdue_texts(page: SupervisionPage) -> list[str]:
    tree = page.board.overdue
    return [tree.topLevelItem(i).child(j).text(0) for i in range(tree.topLevelItemCount())
            for j in range(tree.topLevelItem(i).childCount())]


def test_cancel_an_overdue_action_from_the_board(qtbot: Any, page: Any) -> None:
    """Issue 14, item 3: the supervisor clicks the action under its owner, then Cancel
    action…, types why, and the board refreshes without it."""
    page, _tm = page
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
