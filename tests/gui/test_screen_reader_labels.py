"""Screen readers (issue 14, item 11, labels and names): read through Qt's accessibility
interfaces - what AT-SPI and UI Automation are given - a label that shows information exposes
its text (with what it is as its description), an error moves the focus to the field it is
about, which says what went wrong, and combo boxes keep their own names."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QComboBox, QLabel, QWidget
from shell_support import sign_in_to_home, submit_sign_in

from workbook.ui.main_window import MainWindow

NAME, DESCRIPTION = QAccessible.Text.Name, QAccessible.Text.Description


def spoken(widget: QWidget) -> tuple[str, str]:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None and interface.isValid()
    return interface.text(NAME), interface.text(DESCRIPTION)


def test_the_sign_in_error_and_the_lock_notice_can_be_read(qtbot: Any,
                                                           window: MainWindow) -> None:
    page = window.sign_in_page
    submit_sign_in(qtbot, window, "sw1", "not the passphrase at all")
    qtbot.waitUntil(page.message.isVisible, timeout=20_000)
    name, description = spoken(page.message)
    assert name == page.message.text() and "passphrase" in name.lower()
    assert QAccessible.queryAccessibleInterface(page.message).role() == QAccessible.Role.StaticText
    qtbot.waitUntil(page.passphrase.hasFocus, timeout=5_000)
    assert spoken(page.passphrase) == ("Passphrase", f"Not accepted: {page.message.text()}")
    page.reset("Workbook is locked. Sign in to continue.")
    assert spoken(page.notice)[0] == "Workbook is locked. Sign in to continue."
    assert spoken(page.notice)[1] == "Lock notice"
    assert spoken(page.passphrase)[1] == "Your passphrase"


def test_who_is_signed_in_and_the_search_count_can_be_read(qtbot: Any,
                                                          window: MainWindow) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    assert spoken(window.top_bar.person) == (window.top_bar.person.text(), "Signed in as")
    assert "Sam Worker" in spoken(window.top_bar.person)[0]
    home = window.home_page
    qtbot.keyClicks(home.search_box, "quill")
    qtbot.waitUntil(lambda: bool(home.results_count.text()), timeout=10_000)
    assert spoken(home.results_count) == (home.results_count.text(), "Search result count")


def test_the_fingerprint_digits_can_be_read(qtbot: Any, window: MainWindow) -> None:
    page = window.fingerprint_page
    page.set_fingerprint("12345 67890 12345 67890 12345")
    name, description = spoken(page.fingerprint)
    assert "12345" in name.replace(" ", "") or "12345" in name
    assert description.startswith("Your fingerprint")


def test_no_label_hides_its_text_and_combos_keep_their_names(qtbot: Any,
                                                            window: MainWindow,
                                                            team: Any) -> None:
    sign_in_to_home(qtbot, window, "tm")
    window.open_family(team.marker_family)
    qtbot.waitUntil(lambda: window.ops.pending == 0, timeout=20_000)
    view = window.family_view
    assert view is not None
    qtbot.waitUntil(lambda: bool(view.header.name.text()), timeout=20_000)
    assert spoken(view.header.name) == (view.header.name.text(), "Family name")
    hidden = []
    for root in (window, view):
        for label in root.findChildren(QLabel):
            if label.isVisible() and label.text().strip() and label.accessibleName():
                hidden.append(f"{label.accessibleName()!r} hides {label.text()[:30]!r}")
    assert hidden == []
    # Qt names a combo box by its value on Linux; a11y.ComboBoxName gives it its own name,
    # its value staying the current choice.
    unnamed = []
    for combo in window.findChildren(QComboBox):
        if not combo.isVisible() or not combo.accessibleName():
            continue
        interface = QAccessible.queryAccessibleInterface(combo)
        if interface.text(NAME) != combo.accessibleName():
            unnamed.append(f"{combo.accessibleName()!r} is read as {interface.text(NAME)!r}")
        elif interface.text(QAccessible.Text.Value) != combo.currentText():
            unnamed.append(f"{combo.accessibleName()!r} does not say its value")
    assert unnamed == []
