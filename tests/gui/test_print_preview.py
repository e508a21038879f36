"""The print path: PDF bytes previewed from memory, printed or saved only when asked, and the
caller's audit hook runs after each."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from workbook.reports.recovery_sheet import render_recovery_sheet
from workbook.ui.print_preview import PrintPreviewDialog


def sample_pdf() -> bytes:
    return render_recovery_sheet(team="North Unit", vault_id="0" * 32,
                                 recovery_key="ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567",
                                 owner_name="Zoë Owner", created_at=datetime.now(UTC))


def test_preview_renders_from_memory_and_writes_nothing(qtbot, private_temp: Path) -> None:
    dialog = PrintPreviewDialog(sample_pdf(), "Recovery sheet")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.document.status() == QPdfDocument.Status.Ready
    assert dialog.document.pageCount() >= 1
    image = dialog.page_image(0, 50)
    assert not image.isNull() and image.width() > 100
    assert dialog.print_button.isEnabled()
    assert list(private_temp.rglob("*")) == []


def test_save_writes_only_the_chosen_file_and_calls_the_audit_hook(qtbot, tmp_path: Path
                                                                   ) -> None:
    saved: list[Path] = []
    dialog = PrintPreviewDialog(sample_pdf(), "Recovery sheet", on_saved=saved.append)
    qtbot.addWidget(dialog)
    target = tmp_path / "chosen"
    assert dialog.save_to(target)
    assert saved == [tmp_path / "chosen.pdf"]
    assert os.stat(saved[0]).st_mode & 0o077 == 0
    assert "RECOVERY" in PdfReader(saved[0]).pages[0].extract_text().upper()


def test_print_hands_every_page_to_the_printer_then_audits(qtbot, tmp_path: Path) -> None:
    printed: list[bool] = []
    dialog = PrintPreviewDialog(sample_pdf(), "Recovery sheet",
                                on_printed=lambda: printed.append(True))
    qtbot.addWidget(dialog)
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # stands in for a real printer
    printer.setOutputFileName(str(tmp_path / "printer-out.pdf"))
    assert dialog.print_to(printer)
    assert printed == [True]
    assert len(PdfReader(tmp_path / "printer-out.pdf").pages) == dialog.document.pageCount()


def test_a_failing_audit_hook_is_reported_not_swallowed(qtbot, tmp_path: Path, monkeypatch
                                                        ) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda _parent, _title, text: shown.append(text))

    def refuse(_path: Path) -> None:
        raise RuntimeError("vault locked")

    dialog = PrintPreviewDialog(sample_pdf(), "Recovery sheet", on_saved=refuse)
    qtbot.addWidget(dialog)
    assert not dialog.save_to(tmp_path / "x.pdf")
    assert shown and "could not be written" in shown[0]


def test_damaged_bytes_disable_printing(qtbot) -> None:
    dialog = PrintPreviewDialog(b"%PDF-1.4 not really", "Broken")
    qtbot.addWidget(dialog)
    assert not dialog.print_button.isEnabled()
    assert not dialog.save_button.isEnabled()
