"""Reading the record (issue 14, item 6): the reading pane under the chronology shows the whole
selected entry; Enter and a double-click open its history, for every kind of row (a
supervision review too); an urgent concern is marked in the chronology and its pane."""

from __future__ import annotations

from PySide6.QtCore import Qt

from support.family_vault import MARKER_NOTE
from workbook.domain.supervision import ReviewForm
from workbook.services.clock import civil_date
from workbook.services.family import milestones
from workbook.services.supervision import meetings
from workbook.ui.family.history_dialog import HistoryDialog
from workbook.ui.family.models.chronology_model import COL_TEXT, ENTRY_ID_ROLE
from workbook.ui.family.reading_pane import EMPTY


def _click(qtbot, page, entry_id: str) -> None:  # noqa: ANN001
    model = page.model
    row = next(r for r in range(model.rowCount())
               if model.index(r, COL_TEXT).data(ENTRY_ID_ROLE) == entry_id)
    rect = page.table.visualRect(model.index(row, COL_TEXT))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _row_text(page, entry_id: str) -> str:  # noqa: ANN001
    model = page.model
    return next(str(model.index(r, COL_TEXT).data()) for r in range(model.rowCount())
                if model.index(r, COL_TEXT).data(ENTRY_ID_ROLE) == entry_id)


def test_the_pane_shows_the_whole_entry_and_enter_opens_history(driver, qtbot) -> None:  # noqa: ANN001
    driver.sign_in("sw1")
    driver.open()
    page = driver.view.chronology
    assert page.reading.toPlainText() == EMPTY
    _click(qtbot, page, driver.fv.ids["note"])
    shown = page.reading.toPlainText()
    assert MARKER_NOTE in shown and "Tess Manager" in shown and "10/01/2026" in shown
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    driver.settle()
    dialogs = driver.view.findChildren(HistoryDialog)
    assert dialogs and dialogs[-1].isVisible()
    assert "Tess Manager" in dialogs[-1].list.item(0).text()


def test_history_of_a_supervision_review_and_an_urgent_mark(driver, qtbot) -> None:  # noqa: ANN001
    driver.sign_in("tm")
    fid = driver.fv.family_id

    def review(s):  # noqa: ANN001, ANN202
        today = civil_date(s.clock()).isoformat()
        sid = meetings.start_session(s, today, [], [fid])
        return meetings.record_review(s, sid, fid, ReviewForm(
            "Engaging well", "", "", "Carry on", 7, "2199-01-01"))

    review_id = driver.call(review)
    driver.call(lambda s: milestones.mark_urgent(s, driver.fv.ids["note"]))
    driver.open()
    page = driver.view.chronology
    assert _row_text(page, driver.fv.ids["note"]).startswith("[Urgent] ")
    _click(qtbot, page, driver.fv.ids["note"])
    assert "No response is recorded yet." in page.reading.toPlainText()
    _click(qtbot, page, review_id)
    rect = page.table.visualRect(page.table.currentIndex())
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    driver.settle()
    dialogs = driver.view.findChildren(HistoryDialog)
    assert dialogs and dialogs[-1].isVisible()  # not "no entry <id>"
    assert "Engaging well" in dialogs[-1].text.toPlainText()


def test_history_says_why_an_entry_was_corrected(driver, qtbot) -> None:  # noqa: ANN001
    driver.sign_in("tm")
    note = driver.fv.ids["note"]
    driver.call(lambda s: s.families.edit_entry(
        note, MARKER_NOTE + " (seen in the garden)", date="2026-01-11",
        reason="The visit was on the Sunday"))
    driver.open()
    page = driver.view.chronology
    _click(qtbot, page, note)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    driver.settle()
    dialog = driver.view.findChildren(HistoryDialog)[-1]
    shown = dialog.text.toPlainText()  # the newest version, chosen when it opens
    assert "Reason for the correction: The visit was on the Sunday" in shown
    assert "Date changed from 10/01/2026 to 11/01/2026." in shown
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Up)
    assert "Reason for the correction" not in dialog.text.toPlainText()  # the first version
