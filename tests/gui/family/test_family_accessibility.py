"""Every control of every page of the family workbook (and of its dialogs) has an accessible
name and is reachable with the keyboard; `clear()` leaves no case text anywhere."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGraphicsView,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from support.family_vault import MARKER_NOTE, SAFETY_FLAG, FamilyVault
from workbook.ui.family.dialogs import ActionDialog, PersonDialog, RestrictedEntryDialog
from workbook.ui.family.history_dialog import HistoryDialog

CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QAbstractItemView,
            QPlainTextEdit, QTextEdit, QGraphicsView)


def _unnamed_or_unreachable(root: QWidget) -> list[str]:
    problems = []
    for w in root.findChildren(QWidget):
        if not w.isVisibleTo(root) or _in_combo(w):
            continue
        focusable = bool(w.focusPolicy() & Qt.FocusPolicy.TabFocus)
        if (isinstance(w, CONTROLS) and not isinstance(w, QHeaderView) and not focusable
                and w.focusProxy() is None):
            problems.append(f"not reachable by Tab: {type(w).__name__} {w.accessibleName()!r}")
        if focusable and not w.accessibleName().strip():
            text = w.text() if hasattr(w, "text") else ""
            problems.append(f"no accessible name: {type(w).__name__} {text!r} "
                            f"in {type(w.parent()).__name__}")
    return problems


def _in_combo(widget: QWidget) -> bool:
    """A combo box's own pop-up list (fixed choices such as entry types, not case content)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parentWidget()
    return False


def _make_conflict(driver, entry_id: str) -> None:  # noqa: ANN001
    def conflict(s) -> None:  # noqa: ANN001
        (head,) = s.records.of_record(entry_id)
        with s.write():
            for text in ("one version", "another version"):
                s.records.write(family_id=head.family_id, record_id=entry_id, kind="entry",
                                section=head.section, payload={**head.payload, "text": text},
                                parents=(head.version_id,))

    driver.call(conflict)


def test_every_focusable_widget_of_every_page_is_named_and_reachable(driver, qtbot,
                                                                      fv: FamilyVault) -> None:
    driver.sign_in("tm")
    _make_conflict(driver, fv.ids["note"])
    driver.open()
    view = driver.view
    problems: list[str] = []
    keys = [view.navigator.item(i).data(Qt.ItemDataRole.UserRole + 1)
            for i in range(view.navigator.count())]
    assert "conflicts" in keys and "household" in keys
    for key in [*keys, "editor"]:
        if key == "editor":
            view.open_editor("case-notes")
        else:
            view.show_page(key)
        driver.settle()
        problems += [f"[{key}] {p}" for p in _unnamed_or_unreachable(view)]
    # The dialogs, each opened as a person would.
    view.show_page("household")
    qtbot.mouseClick(view.household.add, Qt.MouseButton.LeftButton)
    view.show_page("plan")
    qtbot.mouseClick(view.plan.add, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.restricted, Qt.MouseButton.LeftButton)
    view.show_history(fv.ids["note"])
    driver.settle()
    for kind in (PersonDialog, ActionDialog, RestrictedEntryDialog, HistoryDialog):
        (dialog,) = view.findChildren(kind)
        problems += [f"[{kind.__name__}] {p}" for p in _unnamed_or_unreachable(dialog)]
    assert problems == []


def test_tab_walks_through_the_header_navigator_and_page(driver, qtbot) -> None:
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    view.activateWindow()
    view.new_entry.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.new_entry, timeout=3000)
    seen = []
    for _ in range(40):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    names = {w.accessibleName() for w in seen if w is not None}
    assert {"Add to a restricted section", "Back to Home", "Sections of the workbook",
            "Filter by section", "Chronology entries"} <= names


def test_clear_leaves_no_case_text_in_any_widget_model_or_undo_stack(driver, qtbot, texts,
                                                                     fv: FamilyVault) -> None:
    driver.sign_in("tm")
    _make_conflict(driver, fv.ids["note"])
    driver.open()
    view = driver.view
    for i in range(view.navigator.count()):
        view.navigator.setCurrentRow(i)
    view.show_page("risk-assessment")
    qtbot.keyClicks(view.assessment.formulation, "Formulation typed then abandoned")
    qtbot.keyClicks(view.assessment.rationales["family"], "Rationale typed")
    view.show_page("household")
    qtbot.mouseClick(view.household.add, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(view.findChildren(PersonDialog)[-1].name, "Unsaved Person Name")
    view.show_history(fv.ids["note"])
    view.open_editor("case-notes")
    qtbot.keyClicks(view.editor.text, "Unsaved editor text")
    driver.settle()
    before = texts(view)
    assert "Smith family" in before and SAFETY_FLAG in before

    view.clear()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qtbot.wait(20)

    after = texts(view)
    for secret in ("Smith", MARKER_NOTE, SAFETY_FLAG, "Anna", "Zoë", "Core group",
                   "Book the review", "Unsaved", "Formulation typed", "Rationale typed",
                   "one version", "another version"):
        assert secret not in after, secret
    for w in view.findChildren(QWidget):
        if isinstance(w, QLineEdit):
            assert not w.isUndoAvailable(), w.accessibleName()
        if isinstance(w, (QPlainTextEdit, QTextEdit)):
            assert not w.document().isUndoAvailable(), w.accessibleName()
        if isinstance(w, QAbstractItemView) and w.model() is not None and not _in_combo(w):
            assert w.model().rowCount() == 0, w.accessibleName()
        if isinstance(w, QGraphicsView):
            assert w.scene().items() == []
    assert view.snapshot is None and view.family_id is None
    assert view.findChildren(PersonDialog) == [] and view.findChildren(HistoryDialog) == []
    assert view.windowTitle() == ""
