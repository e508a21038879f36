"""The one way a document leaves Workbook: a preview of PDF bytes held in memory, then print or
save.

Every printed document (home-visit and case summaries, subject access, supervision minutes,
disposal certificates) comes here as bytes built in memory by reports/. QtPdf renders them from a
QBuffer and QPrinter prints page images, so no file is written unless the person chooses "Save as
PDF…" and a path (ARCHITECTURE.md, P8). The caller audits: `on_printed` runs after the print job
was handed to the printer, `on_saved(path)` after the file was written, both on the GUI thread;
an exception there is shown, never swallowed, because an unaudited print must not look done.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbook.services.files import save_private
from workbook.ui.widgets.fit import fit_to_screen

PRINT_DPI = 300


class PrintPreviewDialog(QDialog):
    """Shows the document; Print… and Save as PDF… hand it on, Close discards it."""

    def __init__(
        self,
        pdf: bytes,
        title: str,
        *,
        on_printed: Callable[[], None] | None = None,
        on_saved: Callable[[Path], None] | None = None,
        suggested_name: str = "document.pdf",
        allow_save: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Print preview - {title}")
        self.setModal(True)
        fit_to_screen(self, 900, 1000)
        self._on_printed = on_printed
        self._on_saved = on_saved
        self._suggested_name = suggested_name
        self._bytes = QByteArray(pdf)
        self._buffer = QBuffer(self)
        self._buffer.setData(self._bytes)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)

        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setAccessibleName(f"Preview of {title}")

        pages = self.document.pageCount()
        self.summary = QLabel(f"{title}: {pages} page{'s' if pages != 1 else ''}. Printed "
                              "pages carry their marking; destroy them securely after use.")
        self.summary.setWordWrap(True)
        self.print_button = QPushButton("Print…")
        self.print_button.setDefault(True)
        self.print_button.setAccessibleName("Print the document")
        self.save_button = QPushButton("Save as PDF…")
        self.save_button.setAccessibleName("Save the document as a PDF file")
        self.save_button.setVisible(allow_save)
        self.close_button = QPushButton("Close")
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_document)
        self.close_button.clicked.connect(self.reject)

        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        if self.document.status() != QPdfDocument.Status.Ready or pages == 0:
            self.print_button.setEnabled(False)
            self.save_button.setEnabled(False)
            self.summary.setText("The document could not be shown; nothing was printed.")

    # --- printing ----------------------------------------------------------------------------
    def print_document(self) -> bool:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.print_to(printer)

    def print_to(self, printer: QPrinter) -> bool:
        """Render each page as an image at print resolution onto `printer`; then audit."""
        painter = QPainter()
        if not painter.begin(printer):
            QMessageBox.warning(self, "Not printed", "The printer could not be started.")
            return False
        try:
            target = printer.pageLayout().paintRectPixels(printer.resolution())
            for index in range(self.document.pageCount()):
                if index:
                    printer.newPage()
                image = self.page_image(index, PRINT_DPI)
                scaled = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(target.topLeft().x(), target.topLeft().y(),
                                  image.scaled(scaled, Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))
        finally:
            painter.end()
        return self._after(self._on_printed)

    def page_image(self, index: int, dpi: int) -> QImage:
        points = self.document.pagePointSize(index)
        size = QSize(max(1, round(points.width() * dpi / 72)),
                     max(1, round(points.height() * dpi / 72)))
        return self.document.render(index, size)

    # --- saving ------------------------------------------------------------------------------
    def save_document(self) -> bool:
        path_text, _ = QFileDialog.getSaveFileName(
            self, "Save as PDF", self._suggested_name, "PDF documents (*.pdf)")
        if not path_text:
            return False
        return self.save_to(Path(path_text))

    def save_to(self, path: Path) -> bool:
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            save_private(path, bytes(self._bytes.data()))
        except OSError as exc:
            QMessageBox.warning(self, "Not saved",
                                f"The PDF could not be saved ({exc.strerror or 'error'}).")
            return False
        callback = self._on_saved
        return self._after(None if callback is None else (lambda: callback(path)))

    def _after(self, callback: Callable[[], None] | None) -> bool:
        if callback is None:
            return True
        try:
            callback()
        except Exception as exc:  # noqa: BLE001 - shown to the person, never silently lost
            QMessageBox.critical(self, "Not recorded",
                                 f"The audit record could not be written ({type(exc).__name__}: "
                                 f"{exc}). Tell your administrator.")
            return False
        return True

    def done(self, result: int) -> None:
        """Drop the bytes as soon as the preview closes."""
        self.document.close()
        self._buffer.close()
        self._bytes.clear()
        super().done(result)


def show_print_preview(
    parent: QWidget | None,
    pdf: bytes,
    title: str,
    *,
    on_printed: Callable[[], None] | None = None,
    on_saved: Callable[[Path], None] | None = None,
    suggested_name: str = "document.pdf",
) -> int:
    """Open the modal preview; returns the dialog's result code."""
    dialog = PrintPreviewDialog(pdf, title, on_printed=on_printed, on_saved=on_saved,
                                suggested_name=suggested_name, parent=parent)
    return dialog.exec()
