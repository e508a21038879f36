"""The GUI print path: Print… in the family view, the options dialog, the document built on the
worker, shown only through the print preview, and the audit written before the print or the
save counts. The preview is modal, so it is replaced by one that drives the real dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from pdf_text import whole
from PySide6.QtWidgets import QDialog

from support.family_vault import (
    MARKER_MH,
    MARKER_POLICE,
    PASSPHRASES,
    SAFETY_FLAG,
    FamilyVault,
    build_template,
    copy_vault,
)
from workbook.services.access.sign_in import sign_in
from workbook.ui.event_bridge import EventBridge
from workbook.ui.family import FamilyWorkbookView
from workbook.ui.operations import Operations
from workbook.ui.print_preview import PrintPreviewDialog
from workbook.ui.printing import flow
from workbook.ui.printing.dialog import PrintOptionsDialog
from workbook.vault import audit_log

TIMEOUT = 15000


@pytest.fixture(scope="session")
def family_template(tmp_path_factory: pytest.TempPathFactory) -> FamilyVault:
    return build_template(tmp_path_factory.mktemp("print-family-template"))


@pytest.fixture
def fv(family_template: FamilyVault, tmp_path: Path) -> Iterator[FamilyVault]:
    previous = keyring.get_keyring()
    try:
        yield copy_vault(family_template, tmp_path)
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def view(qtbot: Any, fv: FamilyVault) -> Iterator[FamilyWorkbookView]:
    ops = Operations()
    bridge = EventBridge()
    bridge.follow(ops)
    widget = FamilyWorkbookView(ops, bridge)
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitSignal(ops.signed_in, timeout=TIMEOUT):
        ops.sign_in(fv.path, "sw1", PASSPHRASES["sw1"])
    with qtbot.waitSignal(widget.loaded, timeout=TIMEOUT):
        widget.open_family(fv.family_id)
    yield widget
    ops.shutdown()


class FakePreview:
    """Stands in for the modal exec: builds the real preview and prints or saves with it."""

    def __init__(self, action: str, target: Path) -> None:
        self.action, self.target = action, target
        self.shown: list[tuple[bytes, str, str]] = []
        self.result: bool | None = None

    def __call__(self, parent: Any, pdf: bytes, title: str, **hooks: Any) -> int:
        self.shown.append((pdf, title, hooks.get("suggested_name", "")))
        dialog = PrintPreviewDialog(pdf, title, on_printed=hooks.get("on_printed"),
                                    on_saved=hooks.get("on_saved"), parent=parent)
        if self.action == "save":
            self.result = dialog.save_to(self.target)
        elif self.action == "print":
            from PySide6.QtPrintSupport import QPrinter

            printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(self.target))
            self.result = dialog.print_to(printer)
        dialog.done(QDialog.DialogCode.Rejected.value)
        return 0


def _options(qtbot: Any, view: FamilyWorkbookView) -> PrintOptionsDialog:
    qtbot.mouseClick(view.print_button, __import__("PySide6.QtCore", fromlist=["Qt"]).Qt
                     .MouseButton.LeftButton)
    dialogs = [d for d in view.findChildren(PrintOptionsDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def _audit(fv: FamilyVault, event: str) -> list[audit_log.AuditRow]:
    s = sign_in(fv.path, "tm", PASSPHRASES["tm"])
    try:
        return [r for r in audit_log.rows(s.conn) if r.event == event]
    finally:
        s.lock()


def test_save_from_the_preview_is_audited(qtbot: Any, view: FamilyWorkbookView,
                                          fv: FamilyVault, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakePreview("save", tmp_path / "chosen.pdf")
    monkeypatch.setattr(flow, "show_print_preview", fake)
    dialog = _options(qtbot, view)
    dialog.kind.setCurrentIndex(dialog.kind.findData("home-visit"))
    dialog.part_boxes["chronology"].setChecked(False)
    dialog.accept()
    qtbot.waitUntil(lambda: fake.result is not None, timeout=TIMEOUT)
    assert fake.result is True
    pdf, title, suggested = fake.shown[0]
    assert title == "Home-visit summary" and suggested.startswith("home-visit-")
    text = whole(pdf)
    assert SAFETY_FLAG in text and "Destroy securely after use" in text
    assert "Latest chronology entries" not in text
    assert MARKER_POLICE not in text and MARKER_MH not in text
    assert (tmp_path / "chosen.pdf").read_bytes() == pdf
    rows = _audit(fv, "save_pdf")
    assert len(rows) == 1 and rows[0].ids["left_out"] == "chronology"
    assert _audit(fv, "print") == []
    assert not view.findChildren(PrintPreviewDialog)


def test_print_from_the_preview_is_audited(qtbot: Any, view: FamilyWorkbookView,
                                           fv: FamilyVault, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakePreview("print", tmp_path / "printer.pdf")
    monkeypatch.setattr(flow, "show_print_preview", fake)
    dialog = _options(qtbot, view)
    dialog.kind.setCurrentIndex(dialog.kind.findData("case-summary"))
    dialog.accept()
    qtbot.waitUntil(lambda: fake.result is not None, timeout=TIMEOUT)
    assert fake.result is True
    rows = _audit(fv, "print")
    assert len(rows) == 1 and rows[0].ids["document"] == "case-summary"


def test_subject_access_from_the_dialog(qtbot: Any, view: FamilyWorkbookView,
                                        fv: FamilyVault, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakePreview("save", tmp_path / "sar.pdf")
    monkeypatch.setattr(flow, "show_print_preview", fake)
    dialog = _options(qtbot, view)
    dialog.kind.setCurrentIndex(dialog.kind.findData("subject-access"))
    assert dialog.sar_box.isVisibleTo(dialog) and not dialog.parts_box.isVisibleTo(dialog)
    assert dialog.person.count() >= 1
    assert "redacted" in dialog.redaction.text()
    person = str(dialog.person.currentData())
    dialog.accept()
    qtbot.waitUntil(lambda: fake.result is not None, timeout=TIMEOUT)
    rows = _audit(fv, "subject_access")
    assert len(rows) == 1 and rows[0].ids["person"] == person and rows[0].ids["redacted"]


def test_all_parts_unticked_cannot_be_previewed(qtbot: Any, view: FamilyWorkbookView) -> None:
    dialog = _options(qtbot, view)
    for box in dialog.part_boxes.values():
        box.setChecked(False)
    assert not dialog.preview_button.isEnabled()
    assert "at least one part" in dialog.hint.text()
    dialog.reject()


def test_clearing_the_view_closes_the_options(qtbot: Any, view: FamilyWorkbookView) -> None:
    dialog = _options(qtbot, view)
    view.clear()
    assert not dialog.isVisible()
    assert dialog.person.count() == 0
    assert not view.print_button.isEnabled()


def test_a_lock_while_the_preview_is_open_closes_it_unaudited(
        qtbot: Any, view: FamilyWorkbookView, fv: FamilyVault,
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[PrintPreviewDialog] = []

    def preview_then_lock(parent: Any, pdf: bytes, title: str, **hooks: Any) -> int:
        dialog = PrintPreviewDialog(pdf, title, on_printed=hooks.get("on_printed"),
                                    on_saved=hooks.get("on_saved"), parent=parent)
        dialog.show()
        seen.append(dialog)
        qtbot.wait(20)            # the flow hands the preview to the view to track
        view.clear()              # what locking or switching user does
        assert not dialog.isVisible()
        return 0

    monkeypatch.setattr(flow, "show_print_preview", preview_then_lock)
    dialog = _options(qtbot, view)
    dialog.accept()
    qtbot.waitUntil(lambda: bool(seen), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not view.findChildren(PrintPreviewDialog), timeout=TIMEOUT)
    assert _audit(fv, "print") == [] and _audit(fv, "save_pdf") == []
