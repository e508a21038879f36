"""The print flow of the family view: options, then the document built on the worker thread,
then shown only through the print preview (ui/print_preview.py), whose hooks audit the print or
the save before the preview reports it done.

The audit must run on the worker (it owns the session), but the preview's hooks are synchronous
so that an unaudited print never looks done: the hook waits for the worker in a local event
loop and raises if the audit failed, which the preview shows."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QTimer

from workbook.domain.roles import CORE_SECTIONS, Section
from workbook.services.errors import WorkbookError
from workbook.services.family.chronology import section_title
from workbook.services.printing import SUBJECT_ACCESS, PrintedDocument
from workbook.services.session import Session
from workbook.ui.print_preview import PrintPreviewDialog, show_print_preview
from workbook.ui.printing.dialog import PrintChoice, PrintOptionsDialog

if TYPE_CHECKING:
    from workbook.ui.family.view import FamilyWorkbookView
    from workbook.ui.operations import Operations

AUDIT_TIMEOUT_MS = 30000


class AuditNotRecorded(WorkbookError, RuntimeError):
    """The worker refused or did not answer; the preview shows this and reports no success."""


def start_printing(view: FamilyWorkbookView) -> PrintOptionsDialog | None:
    """Open the options dialog for the family on screen; the rest follows from its answer."""
    snapshot = view.snapshot
    if snapshot is None:
        return None
    persons = [(str(p.id), p.record.name) for p in snapshot.persons]
    restricted = [(s, section_title(s)) for s in snapshot.readable
                  if Section(s) not in CORE_SECTIONS]
    dialog = PrintOptionsDialog(persons, view, restricted)
    view.track(dialog)
    family_id = snapshot.family_id

    def chosen() -> None:
        choice = dialog.choice()

        def build(s: Session) -> PrintedDocument:
            return build_document(s, family_id, choice)

        view.run(build, lambda document: preview(view, document))

    dialog.accepted.connect(chosen)
    dialog.open()
    return dialog


def build_document(session: Session, family_id: str, choice: PrintChoice) -> PrintedDocument:
    printing = session.printing
    if choice.kind == SUBJECT_ACCESS:
        return printing.subject_access(choice.person_id, redact_third_parties=choice.redact)
    return printing.document(choice.kind, family_id, choice.leave_out, choice.include)


def preview(view: FamilyWorkbookView, document: PrintedDocument) -> None:
    """Show the bytes; print and save are audited through the worker before they count."""

    def record(action: str) -> None:
        run_and_wait(view.ops, lambda s: s.printing.record(document, action))

    def printed() -> None:
        record("print")

    def saved(_path: Path) -> None:
        record("save_pdf")

    # A lock while the preview is open clears the view, which closes what it tracks.
    QTimer.singleShot(0, lambda: _track_previews(view))
    try:
        show_print_preview(view, document.pdf, document.title, on_printed=printed,
                           on_saved=saved, suggested_name=document.suggested_name)
    finally:
        for dialog in view.findChildren(PrintPreviewDialog):
            dialog.done(0)  # drops the bytes even when a lock only hid it
            dialog.setParent(None)
            dialog.deleteLater()


def _track_previews(view: FamilyWorkbookView) -> None:
    for dialog in view.findChildren(PrintPreviewDialog):
        view.track(dialog)


def run_and_wait(ops: Operations, fn: Any, timeout_ms: int = AUDIT_TIMEOUT_MS) -> None:
    box: dict[str, object] = {}
    loop = QEventLoop()

    def done(_result: object) -> None:
        box["done"] = True
        loop.quit()

    def failed(message: str) -> None:
        box["error"] = message
        loop.quit()

    ops.run(fn, done, failed)
    if not box:
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
    if "error" in box:
        raise AuditNotRecorded(str(box["error"]))
    if "done" not in box:
        raise AuditNotRecorded("the audit record was not confirmed in time")
