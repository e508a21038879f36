"""Lays out the main screens in a real main window and prints, as JSON, every named action that
is not wholly inside the window (or is clipped by its parent, i.e. needs a horizontal scroll).

Run as a script so that QT_SCALE_FACTOR and the offscreen screen's size (QT_QPA_PLATFORM=
offscreen:configfile=...) are set before the QApplication exists:
    python tests/gui/fit_probe.py"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(_TESTS))

from PySide6.QtCore import QPoint, QRect  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QTableView,
    QTreeWidget,
    QWidget,
)

from support.family_vault import (  # noqa: E402
    PASSPHRASES,
    FamilyVault,
    build_template,
    copy_vault,
)
from support.qt_wait import linger, pump  # noqa: E402
from workbook.reports.recovery_sheet import render_recovery_sheet  # noqa: E402
from workbook.ui.family.models.chronology_model import COL_AUTHOR  # noqa: E402
from workbook.ui.main_window import MainWindow  # noqa: E402
from workbook.ui.models.families_model import FamiliesModel  # noqa: E402
from workbook.ui.print_preview import PrintPreviewDialog  # noqa: E402

TIMEOUT = 20000


def minimal_pdf() -> bytes:
    return render_recovery_sheet(team="North Unit", vault_id="0" * 32,
                                 recovery_key="ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567",
                                 owner_name="Zoë Owner", created_at=datetime.now(UTC))


def outside(window: QWidget, widget: QWidget, what: str) -> list[str]:
    """Why `widget` cannot be reached without scrolling, or nothing."""
    if not widget.isVisible():
        return [f"{what}: hidden"]
    top_left = widget.mapTo(window, QPoint(0, 0))
    placed = QRect(top_left, widget.size())
    if not window.rect().contains(placed):
        return [f"{what}: at {placed.getRect()} outside the window {window.size().toTuple()}"]
    shown = widget.visibleRegion().boundingRect()
    if shown.width() < widget.width():
        return [f"{what}: only {shown.width()} of {widget.width()} px wide shown"]
    return []


def buttons(window: QWidget, root: QWidget, where: str) -> list[str]:
    return [problem for button in root.findChildren(QAbstractButton) if button.isVisible()
            for problem in outside(window, button, f"{where} {button.accessibleName()!r}")]


def column_shown(tree: QTreeWidget, column: int, what: str) -> list[str]:
    header = tree.header()
    right = header.sectionViewportPosition(column) + header.sectionSize(column)
    if tree.horizontalScrollBar().maximum() > 0 or right > tree.viewport().width():
        return [f"{what}: column {column} ends at {right} in a {tree.viewport().width()} px view"]
    return []


def whole_cells(view: QAbstractItemView, column: int, what: str) -> list[str]:
    """The cells of `column` shown on screen that are cut short (elided), or nothing."""
    model = view.model()
    header = view.horizontalHeader() if isinstance(view, QTableView) else view.header()
    if header.isSectionHidden(column):
        return [f"{what}: hidden"]
    room = header.sectionSize(column) - 8
    return [f"{what}: {text!r} needs {need} px, has {room}"
            for row in range(min(model.rowCount(), 8))
            for text in [str(model.index(row, column).data() or "")]
            for need in [view.fontMetrics().horizontalAdvance(text)] if need > room]


def _long_names(fv: FamilyVault) -> None:
    """Families with names as long as real ones, owned by tm with an action each, so Home's
    My families shows "Case owner and plan action" beside them (the widest "My part")."""
    with fv.sign_in("tm") as tm:
        for name in ("The Fitzgerald-Montgomery family", "The Ahmed-Rose family"):
            fid = tm.families.add(name, "DEMO-0155")
            tm.families.add_action(fid, "Book the core group", "tm", "2026-01-02")


def probe() -> dict[str, object]:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as root:
        fv = copy_vault(build_template(Path(root) / "t"), Path(root))
        _long_names(fv)
        window = MainWindow(fv.path)
        window.show()
        screen = window.screen().availableGeometry()
        window._sign_in("tm", PASSPHRASES["tm"])          # as the sign-in page submits it
        pump(lambda: window.signed_in and window.stack.currentWidget() is window.home_page,
             TIMEOUT)
        home = window.home_page
        pump(lambda: home.my_families_model.rowCount() > 0, TIMEOUT)
        linger(0.2)
        assert home.families_panel.view is not None
        problems = [problem for column, what in ((FamiliesModel.COL_NAME, "name"),
                                                 (FamiliesModel.COL_REFERENCE, "reference"))
                    for problem in whole_cells(home.families_panel.view, column,
                                               f"Home: My families' {what}")]
        window.open_family(fv.family_id)
        view = window.family_view
        assert view is not None
        pump(lambda: view.snapshot is not None and view.snapshot.complete, TIMEOUT)
        linger(0.2)
        problems += buttons(window, view.header, "family header")
        view.show_page("chronology")
        linger(0.1)
        problems += whole_cells(view.chronology.table, COL_AUTHOR, "chronology's author")
        bar = view.chronology.filter_bar
        for control in bar.findChildren(QWidget):
            if control.isVisible() and control.accessibleName():
                problems += outside(window, control, f"chronology filter "
                                                     f"{control.accessibleName()!r}")
        preview = PrintPreviewDialog(minimal_pdf(), "Chronology", parent=window)
        preview.show()
        linger(0.1)
        problems += [f"print preview larger than the screen: {preview.frameGeometry().size()}"
                     for _ in [0] if preview.height() > screen.height()]
        problems += buttons(preview, preview, "print preview")
        preview.close()
        window.supervision.button.click()
        page = window.supervision.page
        assert page is not None
        pump(lambda: page.board.board is not None, TIMEOUT)
        linger(0.1)
        problems += column_shown(page.board.limits, 3, "board 'State'")
        problems += buttons(window, page.board, "board")
        result = {"screen": screen.size().toTuple(), "window": window.size().toTuple(),
                  "frame": window.frameGeometry().size().toTuple(), "problems": problems}
        window.lock("")
        pump(lambda: not window.signed_in, TIMEOUT)
        window.close()
        app.processEvents()
    return result


if __name__ == "__main__":
    print(json.dumps(probe()))
