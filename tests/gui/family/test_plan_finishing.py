"""Finishing plan actions from the family's Plan (issue 14, item 3): a person selects an
action with the mouse, clicks Mark done, Cancel action…, Reassign… or Change due date…, and
types as they would; refusals sit at the field and change nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from workbook.ui.family.action_finishing import CancelActionDialog, ReassignDialog, RedateDialog
from workbook.ui.family.models.actions_model import COL_DUE, COL_OWNER, COL_STATUS, COL_TEXT


def _plan(driver):  # noqa: ANN001, ANN202
    driver.open()
    driver.view.show_page("plan")
    return driver.view.plan


def _row(plan, text: str) -> int:  # noqa: ANN001
    model = plan.model
    return next(r for r in range(model.rowCount())
                if model.data(model.index(r, COL_TEXT)) == text)


def _select(qtbot, plan, text: str) -> int:  # noqa: ANN001
    row = _row(plan, text)
    index = plan.model.index(row, COL_TEXT)
    qtbot.mouseClick(plan.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=plan.table.visualRect(index).center())
    assert plan.finisher.done.isEnabled()
    return row


def _reassign(driver, qtbot, plan):  # noqa: ANN001, ANN202
    """Select sw1's "Visit the school" and click Reassign…: the dialog that opens."""
    _select(qtbot, plan, "Visit the school")
    qtbot.mouseClick(plan.finisher.reassign, Qt.MouseButton.LeftButton)
    driver.settle()
    return driver.view.findChildren(ReassignDialog)[-1]


def _cell(plan, text: str, column: int) -> str:  # noqa: ANN001
    return str(plan.model.data(plan.model.index(_row(plan, text), column)))


def test_owner_names_show_and_reassign_by_typing_a_name(driver, qtbot) -> None:  # noqa: ANN001
    driver.sign_in("tm")
    plan = _plan(driver)
    assert _cell(plan, "Visit the school", COL_OWNER) == "Sam Worker"
    assert not plan.finisher.done.isEnabled()  # nothing selected yet
    dialog = _reassign(driver, qtbot, plan)
    qtbot.keyClicks(dialog.owner.lineEdit(), "Mia Health (Mental health)")
    with driver.reloaded():
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    driver.settle()
    assert _cell(plan, "Visit the school", COL_OWNER) == "Mia Health"


def test_reassign_to_no_one_is_refused_at_the_field(driver, qtbot) -> None:  # noqa: ANN001
    driver.sign_in("tm")
    plan = _plan(driver)
    dialog = _reassign(driver, qtbot, plan)
    qtbot.keyClicks(dialog.owner.lineEdit(), "Nobody Known")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    driver.settle()
    assert dialog.isVisible() and dialog.error.isVisible()
    assert "no active colleague 'Nobody Known'" in dialog.error.text()
    assert _cell(plan, "Visit the school", COL_OWNER) == "Sam Worker"


def test_cancel_asks_why_then_cancels(driver, qtbot) -> None:  # noqa: ANN001
    driver.sign_in("tm")
    plan = _plan(driver)
    _select(qtbot, plan, "Book the review conference")
    qtbot.mouseClick(plan.finisher.cancel, Qt.MouseButton.LeftButton)
    dialog = driver.view.findChildren(CancelActionDialog)[-1]
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    driver.settle()
    assert "reason for cancelling must not be empty" in dialog.error.text()
    assert _cell(plan, "Book the review conference", COL_STATUS) == "Overdue"
    qtbot.keyClicks(dialog.reason, "The conference was held early")
    with driver.reloaded():
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    driver.settle()
    assert _cell(plan, "Book the review conference", COL_STATUS) == "Cancelled"
    assert not dialog.isVisible()


def test_mark_done_and_change_the_due_date(driver, qtbot) -> None:  # noqa: ANN001
    driver.sign_in("sw1")  # owns "Visit the school"
    plan = _plan(driver)
    _select(qtbot, plan, "Visit the school")
    due_before = _cell(plan, "Visit the school", COL_DUE)
    qtbot.mouseClick(plan.finisher.redate, Qt.MouseButton.LeftButton)
    dialog = driver.view.findChildren(RedateDialog)[-1]
    # A new date typed over the current one in the date field (item 1's DateField).
    qtbot.waitExposed(dialog)
    line = dialog.due.line
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton)
    qtbot.keyClick(line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(line, "31/02/2199")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    # Not a date: refused under the field, with the field's own reason, and nothing changes.
    assert dialog.error.isVisible() and "February 2199 has only 28 days" in dialog.error.text()
    assert _cell(plan, "Visit the school", COL_DUE) == due_before
    qtbot.keyClick(line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(line, "15/12/2199")
    QApplication.processEvents()
    with driver.reloaded():
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    driver.settle()
    assert _cell(plan, "Visit the school", COL_DUE) == "15/12/2199"
    _select(qtbot, plan, "Visit the school")
    with driver.reloaded():
        qtbot.mouseClick(plan.finisher.done, Qt.MouseButton.LeftButton)
    driver.settle()
    assert _cell(plan, "Visit the school", COL_STATUS) == "Done"


def test_someone_else_is_told_why_not_and_nothing_changes(driver, qtbot) -> None:  # noqa: ANN001
    driver.sign_in("pc1")  # neither the owner, the case owner nor a supervisor
    plan = _plan(driver)
    _select(qtbot, plan, "Visit the school")
    qtbot.mouseClick(plan.finisher.done, Qt.MouseButton.LeftButton)
    driver.settle()
    assert "action's owner, the family's case owner" in plan.finisher.message.text()
    assert _cell(plan, "Visit the school", COL_STATUS) == "Open"
