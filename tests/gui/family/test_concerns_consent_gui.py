"""Concerns, abstraction and consent on the family page (issue 15), typed and clicked as a
person does: a concern raised and taken through its steps (one skipped, with the reason), a
form refused with the reason shown and nothing recorded, a restricted entry abstracted into
the case notes and read there without its source, consent recorded and listed in words."""

from __future__ import annotations

from PySide6.QtCore import Qt

from support.family_vault import MARKER_MH
from support.qt_wait import linger
from workbook.ui.family.concern_dialogs import (
    AbstractDialog,
    RaiseConcernDialog,
    RecordConsentDialog,
    StepDialog,
)
from workbook.ui.family.concerns_page import CONCERNS, ConsentDialog
from workbook.ui.family.models.chronology_model import COL_TEXT, ENTRY_ID_ROLE
from workbook.ui.family.models.members_model import COL_NAME


def _click(qtbot, button) -> None:  # noqa: ANN001
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _last(view, kind):  # noqa: ANN001, ANN202
    return view.findChildren(kind)[-1]


def _submit(driver, qtbot, dialog) -> None:  # noqa: ANN001
    with driver.reloaded():
        _click(qtbot, dialog.ok)
    driver.settle()


def test_a_concern_is_raised_and_taken_through_its_steps(driver, qtbot) -> None:  # noqa: ANN001
    driver.sign_in("mh1")
    driver.open()
    view = driver.view
    view.show_page(CONCERNS)
    page = view.concerns_page
    driver.settle()
    assert page.list.count() == 0 and not page.step_button.isEnabled()
    _click(qtbot, page.raise_button)
    dialog = _last(view, RaiseConcernDialog)
    assert dialog.section.currentData() == "mental-health"
    qtbot.keyClicks(dialog.text, "Talks of hurting himself")
    _submit(driver, qtbot, dialog)
    assert page.list.count() == 1 and "Open" in page.list.item(0).text()
    assert page.step_button.text() == "Record step 1…"
    _click(qtbot, page.step_button)
    step = _last(view, StepDialog)
    qtbot.keyClicks(step.note, "Confirmed with his GP")
    _submit(driver, qtbot, step)
    _click(qtbot, page.step_button)
    step = _last(view, StepDialog)
    qtbot.keyClicks(step.skipped, "Speaking with him would raise the risk")
    _submit(driver, qtbot, step)
    shown = page.detail.toPlainText()
    assert "Confirmed with his GP" in shown and "Mia Health" in shown
    assert "Skipped: Speaking with him would raise the risk" in shown
    assert "Next: step 3, Consulting colleagues or experts" in shown
    # A form with neither a note nor a reason is refused inside the form; nothing recorded.
    _click(qtbot, page.step_button)
    step = _last(view, StepDialog)
    _click(qtbot, step.ok)
    driver.settle()
    assert step.error.isVisible() and step.isVisible()
    assert "not both and not neither" in step.error.body.text()
    concern = driver.call(lambda s: s.concerns.of_family(driver.fv.family_id, audit=False))[0]
    assert len(concern.record.steps) == 2
    driver.lock()   # nothing of the concern stays on screen
    assert page.list.count() == 0 and "Talks of hurting" not in page.detail.toPlainText()


def test_a_restricted_entry_is_abstracted_and_read_without_its_source(
        driver, qtbot) -> None:  # noqa: ANN001
    driver.sign_in("mh1")
    driver.open()
    page = driver.view.chronology
    model = page.model
    row = next(r for r in range(model.rowCount())
               if model.index(r, COL_TEXT).data(ENTRY_ID_ROLE) == driver.fv.ids["mh_entry"])
    rect = page.table.visualRect(model.index(row, COL_TEXT))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.abstract.isEnabled()
    _click(qtbot, page.abstract)
    driver.settle()
    dialog = _last(driver.view, AbstractDialog)
    qtbot.keyClicks(dialog.text, "Known to mental health services; engaging")
    _submit(driver, qtbot, dialog)
    driver.lock()
    driver.sign_in("sw1")
    driver.open()
    page = driver.view.chronology
    model = page.model
    found = [r for r in range(model.rowCount())
             if "Known to mental health services" in str(model.index(r, COL_TEXT).data())]
    assert found
    rect = page.table.visualRect(model.index(found[0], COL_TEXT))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    shown = page.reading.toPlainText()
    assert "Abstracted from a restricted section (Mental health) by Mia Health on " in shown
    assert MARKER_MH not in shown and not page.abstract.isEnabled()


def test_consent_is_recorded_and_listed_in_words(driver, qtbot) -> None:  # noqa: ANN001
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    view.show_page("household")
    panel = view.household
    assert not panel.consent.isEnabled()
    rect = panel.table.visualRect(panel.model.index(0, COL_NAME))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    _click(qtbot, panel.consent)
    driver.settle()
    dialog = _last(view, ConsentDialog)
    assert dialog.list.item(0).text() == "No consent recorded yet."
    _click(qtbot, dialog.record)
    form = _last(view, RecordConsentDialog)
    qtbot.keyClicks(form.purpose, "Early help")
    qtbot.keyClicks(form.how, "in person, written")
    _submit(driver, qtbot, form)
    _click(qtbot, dialog.record)
    form = _last(view, RecordConsentDialog)
    form.status.setFocus()
    qtbot.keyClicks(form.status, "W")   # typed as a person picks from the list
    assert form.status.currentData() == "withdrawn"
    qtbot.keyClicks(form.purpose, "Early help")
    _submit(driver, qtbot, form)
    lines = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert lines[0].split(" - ", 1)[1].startswith("Withdrawn - for Early help")
    assert "Given - for Early help - recorded by Tess Manager, in person, written" in lines[1]
    # Read whole in a narrow dialog: the line wraps, nothing hides behind a sideways scroll.
    dialog.resize(320, dialog.height())
    qtbot.waitUntil(lambda: dialog.list.viewport().width() < 320)
    linger(0.05)
    assert dialog.list.horizontalScrollBar().maximum() == 0
    line = dialog.list.visualItemRect(dialog.list.item(1))
    assert line.height() > 1.5 * dialog.list.fontMetrics().height()
    assert line.right() <= dialog.list.viewport().width()
    # An empty purpose is refused in the form, and nothing is recorded.
    _click(qtbot, dialog.record)
    form = _last(view, RecordConsentDialog)
    _click(qtbot, form.ok)
    driver.settle()
    assert form.isVisible() and form.error.isVisible()
    assert "purpose" in form.error.body.text()
    assert dialog.list.count() == 2
    driver.lock()   # the dialog goes, with what it listed
    assert not view.findChildren(ConsentDialog)
