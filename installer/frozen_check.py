"""`workbook-gui --installer-check FOLDER`, run by installer/smoke.py inside the built app:
proves that the Qt modules the installer keeps are enough for what people print and see.

- print preview: a two-page PDF made by reportlab with Workbook's bundled fonts is shown by
  Workbook's own PrintPreviewDialog (QtPdf, QtPdfWidgets), and a page renders with ink on it;
- printing: the dialog prints it through QPrinter (QtPrintSupport) to a PDF file in FOLDER,
  and the print plugins are asked for the printers they know;
- charts: the supervisor's caseload chart (QtCharts) is drawn and has its bars.

Prints one JSON object of what it found on standard output; exit 1 with one line on failure.
Nothing here is case content: the text is fixed and the folder is the smoke test's own."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from typing import Any


class CheckFailed(Exception):
    """One line saying which check failed."""


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    from workbook.reports.fonts import FONT_SANS, register_fonts

    register_fonts()
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    for number in (1, 2):
        page.setFont(FONT_SANS, 28)
        page.drawString(72, 720, f"Installer check, page {number}")
        page.rect(72, 500, 300, 150, fill=1)
        page.showPage()
    page.save()
    return buffer.getvalue()


def _ink(image: Any) -> int:
    """Pixels that are not white along the image's middle row and column."""
    from PySide6.QtGui import QColor

    white = QColor("white").rgb()
    row = [image.pixel(x, image.height() // 2) for x in range(image.width())]
    column = [image.pixel(image.width() // 2, y) for y in range(image.height())]
    return sum(1 for pixel in row + column if pixel != white)


def _preview_and_print(folder: Path) -> dict[str, Any]:
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    from workbook.ui.print_preview import PrintPreviewDialog

    dialog = PrintPreviewDialog(_pdf(), "Installer check", allow_save=False)
    pages = dialog.document.pageCount()
    if pages != 2:
        raise CheckFailed(f"print preview: QtPdf read {pages} pages of a two-page PDF")
    image = dialog.page_image(0, 72)
    if image.isNull() or _ink(image) == 0:
        raise CheckFailed("print preview: the first page rendered blank")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = folder / "printed.pdf"
    printer.setOutputFileName(str(printed))
    if not dialog.print_to(printer):
        raise CheckFailed("printing: QPrinter refused the document")
    head = printed.read_bytes()[:5] if printed.exists() else b""
    if head != b"%PDF-":
        raise CheckFailed("printing: the printed file is not a PDF")
    printers = len(QPrinterInfo.availablePrinterNames())
    dialog.done(0)
    return {"preview_pages": pages, "printed_bytes": printed.stat().st_size,
            "printers_known": printers}


def _chart() -> dict[str, Any]:
    from workbook.services.supervision.board import Caseload
    from workbook.ui.supervision.charts import caseload_chart

    view = caseload_chart([Caseload("Sam Worker", 4), Caseload("Ali Khan", 2)])
    view.resize(480, 320)
    image = view.grab().toImage()
    sets = view.chart().series()[0].barSets()
    values = [sets[0].at(i) for i in range(sets[0].count())]
    if values != [4, 2] or image.isNull() or _ink(image) == 0:
        raise CheckFailed(f"charts: the caseload chart drew {values} (expected [4, 2])")
    return {"chart_bars": values, "chart_size": [image.width(), image.height()]}


def run(folder: Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["workbook-gui"])
    try:
        found = {**_preview_and_print(folder), **_chart()}
    except CheckFailed as exc:
        print(f"workbook-gui --installer-check failed: {exc}", file=sys.stderr)
        return 1
    finally:
        app.processEvents()
    print(json.dumps(found))
    return 0
