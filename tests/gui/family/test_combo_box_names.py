"""Combo boxes keep their own names (issue 14, item 11): read through Qt's accessibility
interfaces, what AT-SPI and UI Automation are given, New entry's Section, the close dialog's
Outcome and the front door's Outcome say their names, with the current choice as the value,
still a combo box, still worked from the keyboard and by the Show Menu action."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QComboBox

from workbook.ui.family.case_tools import CloseFamilyDialog
from workbook.ui.front_door.dialogs import DecideDialog

NAME, VALUE = QAccessible.Text.Name, QAccessible.Text.Value


def read(combo: QComboBox) -> tuple[QAccessible.Role, str, str]:
    interface = QAccessible.queryAccessibleInterface(combo)
    assert interface is not None and interface.isValid()
    return interface.role(), interface.text(NAME), interface.text(VALUE)


def test_new_entrys_section_and_the_close_dialogs_outcome_say_their_names(driver,
                                                                         qtbot) -> None:
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    view.open_editor("case-notes")
    section = view.editor.section
    assert read(section) == (QAccessible.Role.ComboBox, "Section", section.currentText())
    assert section.currentText() and section.currentText() != "Section"
    entry_type = view.editor.type
    entry_type.setFocus()
    qtbot.keyClicks(entry_type, "Visit")
    assert entry_type.currentData() == "visit"
    assert read(entry_type) == (QAccessible.Role.ComboBox, "Entry type", "Visit")

    qtbot.mouseClick(view.case_tools.close_button, Qt.MouseButton.LeftButton)
    closing = view.findChildren(CloseFamilyDialog)[-1]
    assert read(closing.outcome) == (QAccessible.Role.ComboBox, "Outcome",
                                     "Choose the outcome…")
    closing.outcome.setFocus()
    qtbot.keyClick(closing.outcome, Qt.Key.Key_Down)   # the keyboard still chooses
    assert closing.outcome.currentData() == "improved"
    assert read(closing.outcome) == (QAccessible.Role.ComboBox, "Outcome",
                                     closing.outcome.currentText())
    qtbot.mouseClick(closing.cancel, Qt.MouseButton.LeftButton)


def test_the_front_doors_outcome_keeps_qts_list_and_actions(qtbot) -> None:  # noqa: ANN001
    dialog = DecideDialog([], [], "Quill")
    qtbot.addWidget(dialog)
    dialog.show()
    outcome = dialog.outcome
    role, name, value = read(outcome)
    assert (role, name, value) == (QAccessible.Role.ComboBox, "Outcome", outcome.currentText())
    interface = QAccessible.queryAccessibleInterface(outcome)
    # As Qt's own: the popup list is its child, whose parent is the combo box.
    assert interface.childCount() == 1
    popup = interface.child(0)
    assert popup.role() == QAccessible.Role.List and interface.indexOfChild(popup) == 0
    assert popup.parent().text(NAME) == "Outcome"
    actions = interface.actionInterface()
    assert actions is not None and "Show Menu" in actions.actionNames()
    assert not interface.state().expanded
    actions.doAction("Show Menu")
    qtbot.waitUntil(outcome.view().isVisible, timeout=5_000)
    assert interface.state().expanded
    qtbot.keyClick(outcome.view(), Qt.Key.Key_Down)
    qtbot.keyClick(outcome.view(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not outcome.view().isVisible(), timeout=5_000)
    assert outcome.currentIndex() == 1
    assert read(outcome)[1:] == ("Outcome", outcome.itemText(1))


def test_an_editable_combo_box_offers_its_editor_and_an_unnamed_one_its_value(
        qtbot) -> None:  # noqa: ANN001
    dialog = DecideDialog([], [], "Quill")
    qtbot.addWidget(dialog)
    picker = QComboBox(dialog)
    picker.setEditable(True)
    picker.addItems(["Sam Worker", "Tess Manager"])
    interface = QAccessible.queryAccessibleInterface(picker)
    # No name was given: read as Qt reads it, by its value.
    assert (interface.text(NAME), interface.text(VALUE)) == ("Sam Worker", "Sam Worker")
    assert interface.childCount() == 2
    assert interface.child(1).role() == QAccessible.Role.EditableText
    picker.setAccessibleName("Owner")
    picker.lineEdit().clear()
    qtbot.keyClicks(picker.lineEdit(), "Tess")
    assert (interface.text(NAME), interface.text(VALUE)) == ("Owner", "Tess")
    assert interface.state().editable
