"""Helpers and constants shared by the GUI shell tests (imported by conftest.py and the tests):
the team's names and passphrases, signing in through the window, locking, and a walk over every
widget that collects all the text it holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from workbook.crypto.passphrase_kdf import KdfParams
from workbook.ui.main_window import MainWindow

FAST_KDF = KdfParams(8 * 1024, 1, 1)
MARKER = "Quillfeather"
MARKER_FAMILY = f"The {MARKER} family"
PASSES = {
    "tm": "correct horse battery staple",
    "sw1": "social worker visits on tuesday mornings",
    "pc1": "police constable reads the sealed notes",
    "admin": "keeper of accounts walks the quiet corridor",
}
INITIAL = "initial pass phrase for everyone"
NAMES = {"tm": "Tess Manager", "sw1": "Sam Worker", "pc1": "Pat Constable",
         "admin": "Avery Hall", "new1": "Nia Newcomer"}
ROLES = {"sw1": "social-worker", "pc1": "police", "admin": "admin", "new1": "social-worker"}


@dataclass(frozen=True)
class Team:
    vault: Path
    marker_family: str
    other_family: str
    recovery_key: str


# --- helpers used by the tests ------------------------------------------------------------
def submit_sign_in(qtbot: Any, window: MainWindow, username: str, passphrase: str) -> None:
    page = window.sign_in_page
    page.username.clear()
    qtbot.keyClicks(page.username, username)
    qtbot.keyClicks(page.passphrase, passphrase)
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)


def sign_in_to_home(qtbot: Any, window: MainWindow, username: str,
                    passphrase: str | None = None, wait_search: bool = True) -> None:
    with qtbot.waitSignal(window.home_loaded, timeout=20_000):
        submit_sign_in(qtbot, window, username, passphrase or PASSES[username])
    if wait_search:
        qtbot.waitUntil(lambda: window.home_page.search_ready, timeout=20_000)
    qtbot.waitUntil(lambda: window.ops.pending == 0, timeout=20_000)


def lock_and_wait(qtbot: Any, window: MainWindow, how: str = "shortcut") -> None:
    with qtbot.waitSignal(window.lock_finished, timeout=20_000):
        if how == "shortcut":
            qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        else:
            qtbot.mouseClick(window.top_bar.lock_button, Qt.MouseButton.LeftButton)


def _model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent or QModelIndex()
    out = []
    try:
        columns = model.columnCount(parent)
    except TypeError:  # a list model (a completer's) hides columnCount in PySide
        columns = 1
    for row in range(model.rowCount(parent)):
        for column in range(max(1, columns)):
            index = model.index(row, column, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                         Qt.ItemDataRole.AccessibleTextRole):
                value = index.data(role)
                if value is not None:
                    out.append(str(value))
            if column == 0 and model.rowCount(index) > 0:
                out.extend(_model_texts(model, index))
    return out


def all_texts(root: QWidget) -> list[str]:
    """Every piece of text a widget tree holds: titles, labels, fields, buttons, tool tips,
    accessible names, every cell of every item model, every text in a graphics scene."""
    widgets: list[QObject] = [root, *root.findChildren(QWidget)]
    widgets += [w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not root]
    out: list[str] = []
    seen_models: set[int] = set()
    for widget in widgets:
        if not isinstance(widget, QWidget):
            continue
        out += [widget.windowTitle(), widget.toolTip(), widget.accessibleName(),
                widget.accessibleDescription()]
        if isinstance(widget, QLabel):
            out.append(widget.text())
        elif isinstance(widget, QLineEdit):
            out += [widget.text(), widget.placeholderText()]
        elif isinstance(widget, QTextEdit | QPlainTextEdit):
            out.append(widget.toPlainText())
        elif isinstance(widget, QAbstractButton):
            out.append(widget.text())
        elif isinstance(widget, QComboBox):
            out += [widget.itemText(i) for i in range(widget.count())]
            out.append(widget.currentText())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            if id(model) not in seen_models:
                seen_models.add(id(model))
                out += _model_texts(model)
        if isinstance(widget, QGraphicsView) and widget.scene() is not None:
            for item in widget.scene().items():
                if isinstance(item, QGraphicsTextItem):
                    out.append(item.toPlainText())
                elif isinstance(item, QGraphicsSimpleTextItem):
                    out.append(item.text())
                out.append(item.toolTip())
    for model in root.findChildren(QAbstractItemModel):
        if id(model) not in seen_models:
            seen_models.add(id(model))
            out += _model_texts(model)
    return out


def assert_nothing_of(root: QWidget, *needles: str) -> None:
    texts = all_texts(root)
    for needle in needles:
        found = [t for t in texts if needle.casefold() in t.casefold()]
        assert not found, f"{needle!r} is still shown: {found[:3]}"
