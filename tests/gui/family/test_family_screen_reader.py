"""Screen readers in the family workbook (issue 14, item 11): opening a family lands the focus
on something named; Tab follows the screen through the header's actions and the New entry
form; the genogram's text alternative says each person's sex, age and relationship."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from reading_order import focus_chain, names, out_of_reading_order

from support.family_vault import FamilyVault
from workbook.ui.family.common import age_on

# The header's tools, then the case's own line under them (the team manager may do all).
HEADER_ACTIONS = ["New entry", "Add to a restricted section", "Time limits", "Print",
                  "Share this family", "Back to Home", "Change case owner",
                  "Transfer to another organisation", "Close the case"]


def test_opening_a_family_lands_on_its_named_entries(driver, qtbot) -> None:  # noqa: ANN001
    driver.sign_in("tm")
    driver.view.activateWindow()
    driver.open()
    view = driver.view
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.chronology.table, timeout=5000)
    assert QApplication.focusWidget().accessibleName() == "Chronology entries"


def test_tab_follows_the_header_and_the_new_entry_form(driver, qtbot) -> None:  # noqa: ANN001
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    chain = focus_chain(view.header, view.new_entry)
    assert names(chain)[:len(HEADER_ACTIONS)] == HEADER_ACTIONS
    assert out_of_reading_order(view.header, chain) == []
    qtbot.mouseClick(view.new_entry, Qt.MouseButton.LeftButton)
    editor = view.editor
    qtbot.waitUntil(editor.isVisible, timeout=5000)
    chain = focus_chain(editor, editor.section)
    assert names(chain)[0] == "Section" and "Entry text" in names(chain)
    assert names(chain)[-1] == "Finish entry"
    assert out_of_reading_order(editor, chain) == []


def test_the_genogram_says_sex_age_and_relationship(driver, fv: FamilyVault) -> None:  # noqa: ANN001
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    view.show_page("household")
    today = view.snapshot.today
    said = view.household.genogram.accessibleDescription()
    assert f"Anna Smith (female, aged {age_on('1985-06-01', today)}, mother)" in said
    assert f"Mark Smith (male, aged {age_on('1983-01-20', today)}, father)" in said
    assert (f"Zoë Smith (female, aged {age_on('2015-03-02', today)}, daughter, index child)"
            in said)
    assert "Mark Smith and Anna Smith are partners." in said
