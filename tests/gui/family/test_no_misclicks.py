"""No mis-clicks (issue 14): a message never moves what is under the pointer, forms open with
the focus in their first field, and discarding a draft asks first."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from workbook.services.family.drafts import drafts_for
from workbook.ui.family.dialogs import ActionDialog


def test_a_message_is_laid_over_the_view_not_into_it(driver, qtbot) -> None:
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    table = view.chronology.table
    qtbot.wait(20)
    before = table.mapTo(view, QPoint(0, 0))
    view.notify("Entry added.")
    qtbot.wait(10)
    assert view.notice.isVisible()
    assert table.mapTo(view, QPoint(0, 0)) == before
    assert view.notice.geometry().bottom() < view.height()


def test_a_form_opens_in_its_first_field_and_its_error_moves_no_button(driver, qtbot) -> None:
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    view.show_page("plan")
    qtbot.mouseClick(view.plan.add, Qt.MouseButton.LeftButton)
    dialog = view.findChildren(ActionDialog)[-1]
    qtbot.waitExposed(dialog)
    assert dialog.focusWidget() is dialog.text
    ok = dialog.ok.mapTo(dialog, QPoint(0, 0))
    dialog.due.clear()
    qtbot.keyClicks(dialog.due.line, "31/02/2026")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.wait(10)
    assert dialog.error.isVisible()
    assert dialog.ok.mapTo(dialog, QPoint(0, 0)) == ok


def test_discarding_a_draft_asks_first(driver, qtbot) -> None:
    driver.sign_in("sw1")
    driver.open()
    view = driver.view
    view.open_editor("case-notes")
    editor = view.editor
    qtbot.keyClicks(editor.text, "Half a note that must not be lost")
    editor.save_draft_now()
    driver.settle()
    asked: list[str] = []
    editor.confirm = lambda question: asked.append(question) or False
    qtbot.mouseClick(editor.discard, Qt.MouseButton.LeftButton)
    driver.settle()
    assert asked and "cannot be brought back" in asked[0]
    assert editor.text.toPlainText() == "Half a note that must not be lost"
    assert len(driver.call(drafts_for)) == 1
    editor.confirm = lambda _question: True
    qtbot.mouseClick(editor.discard, Qt.MouseButton.LeftButton)
    driver.settle()
    assert driver.call(drafts_for) == []
