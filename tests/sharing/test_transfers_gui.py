"""The transfer panel with real widgets (offscreen), the real worker thread and real vaults:
the case owner starts, holders decline and add by typing and clicking, the case owner
finishes into a file, and someone who may not start is told so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QListWidget, QWidget
from sharing_support import World
from test_sharing_gui import signed_in
from test_transfers import _family

from workbook.domain.roles import Role
from workbook.ui.operations import Operations
from workbook.ui.sharing.transfer_dialog import TransferDialog

pytest.importorskip("pytestqt")
WAIT = 20000


@pytest.fixture
def ops(qtbot: object) -> Iterator[Operations]:
    operations = Operations()
    yield operations
    operations.shutdown()


def _open(qtbot: object, ops: Operations, fid: str) -> TransferDialog:
    dialog = TransferDialog(ops, fid, "Transfer")
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.show()
    qtbot.waitUntil(lambda: dialog.state is not None, timeout=WAIT)  # type: ignore
    return dialog


def _click(button: object) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def test_start_answer_and_finish_in_the_panel(qtbot: object, ops: Operations, world: World,
                                              tmp_path: Path) -> None:
    office = world.office
    fid = _family(office)
    signed_in(qtbot, ops, office, office.member(Role.POLICE))
    dialog = _open(qtbot, ops, fid)
    assert not dialog.start_box.isVisible()
    assert "case owner" in dialog.message.text()
    dialog.close()

    signed_in(qtbot, ops, office, office.member(Role.SOCIAL_WORKER))
    dialog = _open(qtbot, ops, fid)
    assert dialog.start_box.isVisible() and not dialog.panel.isVisible()
    dialog.partner.setFocus()
    QTest.keyClicks(dialog.partner, "Partner Hub")
    assert dialog.partner.currentText() == "Partner Hub"
    QTest.keyClicks(dialog.purpose, "the family moved to the hub's area")
    QTest.keyClicks(dialog.lawful_basis, "Children Act 1989 s47")
    _click(dialog.start_button)
    qtbot.waitUntil(dialog.panel.isVisible, timeout=WAIT)  # type: ignore[attr-defined]
    assert "Still to answer: Police information, Education, Channel liaison" in \
        dialog.summary.text()
    assert dialog.section.currentText() == "Education"  # the one the case owner holds
    assert not dialog.finish_button.isEnabled()
    QTest.keyClicks(dialog.reason,
                    "the school shares directly with the receiving team under its own agreement")
    _click(dialog.decline_button)
    qtbot.waitUntil(lambda: "declined" in dialog.message.text(), timeout=WAIT)  # type: ignore
    assert "Education: declined by Staff Social Worker" in dialog.answers.item(1).text()
    # The reason is read whole in a narrow panel: the line wraps, no sideways scroll.
    dialog.resize(dialog.minimumSizeHint().width(), dialog.height())
    QTest.qWait(50)
    text = dialog.answers.item(1).text()
    view_width = dialog.answers.viewport().width()
    assert dialog.answers.fontMetrics().horizontalAdvance(text) > view_width
    assert dialog.answers.horizontalScrollBar().maximum() == 0
    line = dialog.answers.visualItemRect(dialog.answers.item(1))
    assert line.right() <= dialog.answers.viewport().width()
    assert line.height() > 1.5 * dialog.answers.fontMetrics().height()
    dialog.close()

    signed_in(qtbot, ops, office, office.member(Role.POLICE))
    dialog = _open(qtbot, ops, fid)
    assert dialog.section.currentText() == "Police information"
    _click(dialog.add_button)
    qtbot.waitUntil(lambda: "added to the transfer" in dialog.message.text(),  # type: ignore
                    timeout=WAIT)
    dialog.section.setFocus()
    QTest.keyClicks(dialog.section, "Channel")
    QTest.keyClicks(dialog.reason, "nothing to pass on")
    _click(dialog.decline_button)
    qtbot.waitUntil(lambda: "Everyone has answered" in dialog.summary.text(),  # type: ignore
                    timeout=WAIT)
    dialog.close()

    signed_in(qtbot, ops, office, office.member(Role.SOCIAL_WORKER))
    dialog = _open(qtbot, ops, fid)
    assert dialog.finish_button.isEnabled()
    controls = [w for w in dialog.findChildren(QWidget) if w.isVisibleTo(dialog)
                and isinstance(w, (QAbstractButton, QComboBox, QLineEdit, QListWidget))]
    assert controls and all(w.accessibleName().strip() for w in controls), \
        [type(w).__name__ for w in controls if not w.accessibleName().strip()]
    out = tmp_path / "transfer.wbb"
    QTest.keyClicks(dialog.out, str(out))
    _click(dialog.finish_button)
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=WAIT)  # type: ignore
    assert out.exists()
    assert "closed here as transferred to Partner Hub on" in dialog.message.text()
    dialog.grab().save(str(tmp_path / "transfer.png"))
    ops.lock()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)  # type: ignore
    assert dialog.answers.count() == 0 and dialog.message.text() == ""
