"""Fixtures for the family workbook view: a real vault (support.family_vault) copied per test,
the real worker-thread Operations and EventBridge, and helpers to sign in and open a family."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from support.family_vault import (
    PASSPHRASES,
    FamilyVault,
    build_template,
    copy_vault,
)
from support.qt_wait import linger, pump
from workbook.ui.event_bridge import EventBridge
from workbook.ui.family import FamilyWorkbookView
from workbook.ui.operations import Operations

TIMEOUT = 15000


@pytest.fixture(scope="session")
def family_template(tmp_path_factory: pytest.TempPathFactory) -> FamilyVault:
    return build_template(tmp_path_factory.mktemp("gui-family-template"))


@pytest.fixture
def fv(family_template: FamilyVault, tmp_path: Path) -> Iterator[FamilyVault]:
    """A private copy with its own in-memory keyring; the previous keyring comes back after."""
    previous = keyring.get_keyring()
    try:
        yield copy_vault(family_template, tmp_path)
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def ops(qtbot) -> Iterator[Operations]:  # noqa: ANN001
    operations = Operations()
    yield operations
    operations.shutdown()


@pytest.fixture
def bridge(ops: Operations) -> EventBridge:
    adapter = EventBridge()
    adapter.follow(ops)
    return adapter


class Driver:
    """Signs in, opens families and waits for the worker, as the main window would."""

    def __init__(self, qtbot, ops: Operations, bridge: EventBridge, fv: FamilyVault) -> None:  # noqa: ANN001
        self.qtbot = qtbot
        self.ops = ops
        self.bridge = bridge
        self.fv = fv
        self.view = FamilyWorkbookView(ops, bridge)
        qtbot.addWidget(self.view)
        self.view.resize(1300, 860)
        self.view.show()

    def sign_in(self, username: str) -> None:
        with self.qtbot.waitSignal(self.ops.signed_in, timeout=TIMEOUT):
            self.ops.sign_in(self.fv.path, username, PASSPHRASES[username])

    def lock(self) -> None:
        with self.qtbot.waitSignal(self.ops.locked, timeout=TIMEOUT):
            self.ops.lock()

    def open(self, family_id: str | None = None) -> None:
        with self.qtbot.waitSignal(self.view.loaded, timeout=TIMEOUT):
            self.view.open_family(family_id or self.fv.family_id)

    def settle(self) -> None:
        """Wait until the worker has answered everything asked of it."""
        pump(lambda: self.ops.pending == 0)
        linger(0.01)

    def reloaded(self):  # noqa: ANN201 - a context manager waiting for the next load
        return self.qtbot.waitSignal(self.view.loaded, timeout=TIMEOUT)

    def call(self, fn):  # noqa: ANN001, ANN201 - run a service call on the worker, return result
        box: dict[str, object] = {}
        self.ops.run(fn, lambda r: box.setdefault("r", r),
                     lambda m: box.setdefault("e", m))
        pump(lambda: bool(box))
        if "e" in box:
            raise AssertionError(box["e"])
        return box["r"]


@pytest.fixture
def driver(qtbot, ops: Operations, bridge: EventBridge, fv: FamilyVault) -> Driver:  # noqa: ANN001
    return Driver(qtbot, ops, bridge, fv)


def texts_in(root) -> str:  # noqa: ANN001 - any QWidget
    """Every piece of text a widget tree shows or holds: labels, editors, combo items, every
    cell (and tooltip) of every item view's model, genogram items, descriptions and titles."""
    from PySide6.QtCore import QModelIndex, Qt
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
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

    out: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        out += [w.accessibleDescription(), w.toolTip(), w.windowTitle()]
        if isinstance(w, (QLabel, QLineEdit, QAbstractButton)):
            out.append(w.text())
        if isinstance(w, (QPlainTextEdit, QTextEdit)):
            out.append(w.toPlainText())
        if isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            for r in range(model.rowCount()):
                try:
                    columns = model.columnCount(QModelIndex())
                except TypeError:      # a list model hides columnCount in PySide
                    columns = 1
                for c in range(max(columns, 1)):
                    index = model.index(r, c)
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        value = model.data(index, role)
                        if value is not None:
                            out.append(str(value))
        if isinstance(w, QGraphicsView) and w.scene() is not None:
            for item in w.scene().items():
                out.append(item.toolTip())
                if isinstance(item, QGraphicsTextItem):
                    out.append(item.toPlainText())
                if isinstance(item, QGraphicsSimpleTextItem):
                    out.append(item.text())
    return "\n".join(t for t in out if t)


@pytest.fixture
def texts():  # noqa: ANN201
    return texts_in
