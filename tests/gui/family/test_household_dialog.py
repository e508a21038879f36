"""The household form (issue 14, item 9): sex is suggested from the relationship (never a
default of Female), the partner list offers adults only, and a parent younger than 12 is
refused by the service with the reason shown under the parents."""

from __future__ import annotations

from PySide6.QtCore import Qt

from support.qt_wait import linger
from workbook.ui.family.dialogs import PersonDialog
from workbook.ui.family.models.members_model import COL_NAME


def _dialog(driver, qtbot):  # noqa: ANN001, ANN202
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    view.show_page("household")
    panel = view.household
    qtbot.mouseClick(panel.add, Qt.MouseButton.LeftButton)
    return panel, view.findChildren(PersonDialog)[-1]


def test_sex_follows_the_relationship_until_chosen(driver, qtbot) -> None:  # noqa: ANN001
    _panel, dialog = _dialog(driver, qtbot)
    assert dialog.sex.currentText() == "Not known"
    qtbot.keyClicks(dialog.relationship.lineEdit(), "father")
    assert dialog.sex.currentText() == "Male"
    dialog.relationship.lineEdit().clear()
    qtbot.keyClicks(dialog.relationship.lineEdit(), "grandmother")
    assert dialog.sex.currentText() == "Female"
    dialog.relationship.lineEdit().clear()
    qtbot.keyClicks(dialog.relationship.lineEdit(), "carer")
    assert dialog.sex.currentText() == "Not known"


def test_partners_are_adults_and_a_child_parent_is_refused_at_the_field(
        driver, qtbot) -> None:  # noqa: ANN001
    panel, dialog = _dialog(driver, qtbot)
    partners = [dialog.partner.itemText(i) for i in range(dialog.partner.count())]
    assert "Anna Smith" in partners and "Zoë Smith" not in partners  # Zoë was born in 2015
    parents = [dialog.parent1.itemText(i) for i in range(dialog.parent1.count())]
    assert "Zoë Smith" in parents
    qtbot.keyClicks(dialog.name, "Lily Smith")
    dialog.parent1.setFocus()
    qtbot.keyClicks(dialog.parent1, "Zo")
    assert dialog.parent1.currentText() == "Zoë Smith"
    rows = panel.model.rowCount()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    driver.settle()
    assert dialog.parent_error.isVisible()
    assert "Zoë Smith is" in dialog.parent_error.text()
    assert "a parent must be at least 12 years old" in dialog.parent_error.text()
    assert not dialog.error.isVisible()
    assert panel.model.rowCount() == rows


def test_names_are_read_whole_beside_the_genogram_on_a_laptop(driver, qtbot) -> None:  # noqa: ANN001
    """At 1366x768 and 125% the family view is about 1060 logical px wide: the household's
    name column showed "Jan …" (docs/screenshots/family-household-genogram.png)."""
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    view.resize(1060, 700)
    qtbot.mouseClick(view.navigator.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.navigator.visualItemRect(view.navigator.item(1)).center())
    panel = view.household
    assert panel is not None and view.navigator.currentRow() == 1
    qtbot.waitUntil(panel.table.isVisible)
    linger(0.05)
    table = panel.table
    names = [panel.model.index(row, COL_NAME).data() for row in range(panel.model.rowCount())]
    widest = max(table.fontMetrics().horizontalAdvance(str(name)) for name in names)
    assert table.columnWidth(COL_NAME) >= widest + 8
    assert table.horizontalScrollBar().maximum() == 0
    assert view.minimumSizeHint().width() <= 1060
