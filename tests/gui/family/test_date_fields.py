"""Every date field of the family workbook takes a date typed as the user guide says
(dd/mm/yyyy), as d/m/yy, as 2026-12-03 and pasted; says in words what will be saved; refuses an
impossible date at the field with its reason; and the services store exactly the date shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableView

from support.family_vault import FamilyVault
from workbook.ui.family.dialogs import ActionDialog, PersonDialog, RestrictedEntryDialog
from workbook.ui.widgets.date_field import DateField

# (what the person types or pastes, what is saved, what the field says)
FORMATS = (
    ("03/12/2026", "2026-12-03", "Thursday 3 December 2026"),
    ("4/12/26", "2026-12-04", "Friday 4 December 2026"),
    ("2026-12-07", "2026-12-07", "Monday 7 December 2026"),
    ("paste: 8 December 2026 ", "2026-12-08", "Tuesday 8 December 2026"),
)
REFUSED = (("31/02/2026", "February 2026 has only 28 days"),
           ("00/01/2026", "there is no day 0"))


def enter(field: DateField, typed: str) -> None:
    """Empty the field and type (or paste) into it as a person does."""
    field.line.selectAll()
    QTest.keyClick(field.line, Qt.Key.Key_Delete)
    if typed.startswith("paste: "):
        QGuiApplication.clipboard().setText(typed.removeprefix("paste: "))
        QTest.keyClick(field.line, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    else:
        QTest.keyClicks(field.line, typed)
        assert field.line.text() == typed          # "/" never moved the focus on


def _payloads(driver: Any, kind: str, family_id: str = "") -> list[dict[str, Any]]:
    fid = family_id or driver.fv.family_id

    def read(s: Any) -> list[dict[str, Any]]:
        workbook = s.workbooks.open(fid, audit=False)
        out = []
        for content in workbook.sections.values():
            for shown in getattr(content, kind):
                out.append(shown.record.to_payload())
        return out

    return driver.call(read)


def test_new_entry_date_saves_what_was_typed_and_shown(driver, qtbot) -> None:
    driver.sign_in("sw1")
    driver.open()
    view = driver.view
    for number, (typed, saved, words) in enumerate(FORMATS):
        view.open_editor("case-notes")
        editor = view.editor
        assert editor.date.iso() == driver.view.snapshot.today.isoformat()  # starts at today
        enter(editor.date, typed)
        assert editor.date.reading.text() == words
        text = f"Visit note typed date {number}"
        qtbot.keyClicks(editor.text, text)
        with driver.reloaded():
            qtbot.mouseClick(editor.finish, Qt.MouseButton.LeftButton)
        driver.settle()
        (entry,) = [p for p in _payloads(driver, "entries") if p.get("text") == text]
        assert entry["date"] == saved
    view.open_editor("case-notes")
    for typed, reason in REFUSED:
        enter(view.editor.date, typed)
        assert reason in view.editor.date.reading.text()
        qtbot.keyClicks(view.editor.text, "Should not be saved")
        qtbot.mouseClick(view.editor.finish, Qt.MouseButton.LeftButton)
        driver.settle()
        assert reason in view.editor.error.body.text()
        assert view.editor.finish.isEnabled()
    assert not [p for p in _payloads(driver, "entries") if "Should not" in p.get("text", "")]


def test_action_due_date_saves_what_was_typed(driver, qtbot) -> None:
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    view.show_page("plan")
    for number, (typed, saved, words) in enumerate(FORMATS):
        qtbot.mouseClick(view.plan.add, Qt.MouseButton.LeftButton)
        dialog = view.findChildren(ActionDialog)[-1]
        qtbot.keyClicks(dialog.text, f"Action number {number}")
        enter(dialog.due, typed)
        assert dialog.due.reading.text() == words
        with driver.reloaded():
            qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        driver.settle()
        (action,) = [p for p in _payloads(driver, "actions")
                     if p.get("text") == f"Action number {number}"]
        assert action["due"] == saved
    qtbot.mouseClick(view.plan.add, Qt.MouseButton.LeftButton)
    dialog = view.findChildren(ActionDialog)[-1]
    qtbot.keyClicks(dialog.text, "Never saved")
    for typed, reason in REFUSED:
        enter(dialog.due, typed)
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert reason in dialog.error.body.text()
        assert dialog.isVisible()
    driver.settle()
    assert not [p for p in _payloads(driver, "actions") if p.get("text") == "Never saved"]


def test_date_of_birth_is_saved_or_left_not_known(driver, qtbot) -> None:
    driver.sign_in("tm")
    driver.open(driver.fv.other_family_id)
    view = driver.view
    view.show_page("household")
    formats = (*FORMATS[:1], ("4/12/85", "1985-12-04", "Wednesday 4 December 1985"),
               *FORMATS[2:], ("", "", "Not known"))
    for number, (typed, saved, words) in enumerate(formats):
        qtbot.mouseClick(view.household.add, Qt.MouseButton.LeftButton)
        dialog = view.findChildren(PersonDialog)[-1]
        assert dialog.dob.iso() == "" and dialog.dob.reading.text() == "Not known"
        qtbot.keyClicks(dialog.name, f"Person Number{number}")
        if typed:
            enter(dialog.dob, typed)
        assert dialog.dob.reading.text() == words
        with driver.reloaded():
            qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        driver.settle()
        (person,) = [p for p in _payloads(driver, "persons", driver.fv.other_family_id)
                     if p.get("name") == f"Person Number{number}"]
        assert person["dob"] == saved
    qtbot.mouseClick(view.household.add, Qt.MouseButton.LeftButton)
    dialog = view.findChildren(PersonDialog)[-1]
    qtbot.keyClicks(dialog.name, "Nobody Saved")
    enter(dialog.dob, "31/02/2026")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "Date of birth: 31/02/2026: February 2026 has only 28 days." in dialog.error.body.text()
    persons = _payloads(driver, "persons", driver.fv.other_family_id)
    assert not [p for p in persons if p.get("name") == "Nobody Saved"]


def test_assessment_and_sealed_entry_dates_read_the_typed_date(driver, qtbot) -> None:
    driver.sign_in("sw1")
    driver.open()
    view = driver.view
    view.show_page("risk-assessment")
    panel = view.assessment
    assert panel is not None
    enter(panel.date, "2/1/26")
    assert panel.date.reading.text() == "Friday 2 January 2026"
    qtbot.keyClicks(panel.formulation, "Typed-date formulation")
    with driver.reloaded():
        qtbot.mouseClick(panel.save, Qt.MouseButton.LeftButton)
    driver.settle()
    (saved,) = [p for p in _payloads(driver, "entries")
                if "Typed-date formulation" in str(p.get("assessment", ""))]
    assert saved["date"] == "2026-01-02"
    qtbot.mouseClick(view.restricted, Qt.MouseButton.LeftButton)
    dialog = view.findChildren(RestrictedEntryDialog)[-1]
    for typed, saved_date, _words in FORMATS:
        enter(dialog.date, typed)
        assert dialog.values()["date"] == saved_date


def test_chronology_filters_take_typed_dates(driver, qtbot) -> None:
    driver.sign_in("tm")
    driver.open()
    page = driver.view.chronology
    total = page.model.rowCount()
    enter(page.date_from, "6/1/26")
    enter(page.date_to, "31/01/2026")
    driver.settle()
    assert page.date_from.reading.text() == "Tue 6 Jan 2026"
    assert "Showing 1 of" in page.count.text()
    enter(page.date_to, "31/02/2026")            # refused: the filter ignores it, says why
    driver.settle()
    assert "February 2026 has only 28 days" in page.date_to.reading.text()
    assert page.date_to.iso() == ""
    qtbot.mouseClick(page.reset, Qt.MouseButton.LeftButton)
    driver.settle()
    assert page.model.rowCount() == total
    assert page.date_from.reading.text() == "Any date"


def test_the_calendar_opens_at_the_session_month_and_fills_the_field(driver, qtbot) -> None:
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    view.show_page("plan")
    qtbot.mouseClick(view.plan.add, Qt.MouseButton.LeftButton)
    dialog = view.findChildren(ActionDialog)[-1]
    dialog.due.clear()
    qtbot.mouseClick(dialog.due.calendar_button, Qt.MouseButton.LeftButton)
    calendar = dialog.due.calendar
    today = view.snapshot.today
    assert calendar is not None and calendar.isVisible()
    assert (calendar.yearShown(), calendar.monthShown()) == (today.year, today.month)
    QTest.keyClick(calendar.findChild(QTableView), Qt.Key.Key_Return)
    assert not calendar.isVisible()
    assert dialog.due.iso() == today.isoformat()


def test_correcting_an_entry_changes_its_date_and_type_with_a_reason(driver, qtbot,
                                                                    fv: FamilyVault) -> None:
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    entry_id = fv.ids["note"]
    view.open_editor(None, entry_id)
    editor = view.editor
    assert editor.reason.isVisible() and editor.date.isEnabled() and editor.type.isEnabled()
    assert editor.date.iso() == "2026-01-10"
    enter(editor.date, "11/01/2026")
    editor.type.setCurrentIndex(editor.type.findData("visit"))
    qtbot.mouseClick(editor.finish, Qt.MouseButton.LeftButton)
    driver.settle()
    assert "Say why you correct this entry" in editor.error.title.text()
    assert len(driver.call(lambda s: s.families.entry_history(entry_id))) == 1
    qtbot.keyClicks(editor.reason, "The visit was on the Sunday")
    with driver.reloaded():
        qtbot.mouseClick(editor.finish, Qt.MouseButton.LeftButton)
    driver.settle()
    history = driver.call(lambda s: s.families.entry_history(entry_id))
    assert [v.payload["date"] for v in history] == ["2026-01-10", "2026-01-11"]
    assert history[-1].payload["type"] == "visit"
    assert history[-1].payload["correction_reason"] == "The visit was on the Sunday"
    view.open_editor("case-notes")
    assert not editor.reason.isVisible() and editor.reason.text() == ""
