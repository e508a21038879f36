"""What every way of starting the GUI shares - the application itself and the self test: the
QApplication in the house style (the system's palette and font size; the system's own style
unchanged under a high-contrast preference) and the vault folder to open."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from workbook.services import validation
from workbook.services.errors import InvalidInput
from workbook.services.files import KEYFILE_NAME
from workbook.ui.widgets.a11y import combo_boxes_keep_their_names

NO_VAULT = ("No vault chosen. Start Workbook with --vault FOLDER, or set WORKBOOK_VAULT to the "
            "folder that holds your team's vault.")


def resolve_vault(given: str) -> tuple[Path | None, str]:
    """The vault folder and, if it cannot be used, why (shown on the sign-in page)."""
    text = given or os.environ.get("WORKBOOK_VAULT", "")
    if not text:
        return None, NO_VAULT
    try:
        vault = validation.folder_path(text, "vault folder")
    except InvalidInput as exc:
        why = str(exc)
        return None, f"{why[:1].upper()}{why[1:]}. Check the --vault path or WORKBOOK_VAULT."
    if not vault.is_dir():
        return vault, f"There is no folder {vault}. Check the --vault path or WORKBOOK_VAULT."
    if not (vault / KEYFILE_NAME).is_file():
        return vault, (f"{vault} is not a Workbook vault (it has no {KEYFILE_NAME}). Check the "
                       "--vault path or WORKBOOK_VAULT.")
    return vault, ""


def high_contrast() -> bool:
    hints = QGuiApplication.styleHints()
    try:
        return bool(hints.accessibility().contrastPreference()
                    == Qt.ContrastPreference.HighContrast)
    except AttributeError:  # Qt before 6.10
        return False


def _mix(a: QColor, b: QColor, amount: float) -> str:
    r = a.redF() * (1 - amount) + b.redF() * amount
    g = a.greenF() * (1 - amount) + b.greenF() * amount
    bl = a.blueF() * (1 - amount) + b.blueF() * amount
    return QColor.fromRgbF(r, g, bl).name()


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
            + 0.0722 * channel(colour.blueF()))


def contrast_ratio(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21 (text needs 4.5)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on(background: QColor, wanted: QColor) -> str:
    """`wanted` if it reads on `background` at the WCAG 4.5:1, else black or white, whichever
    reads better (a dark theme's light-blue highlight under white text does not)."""
    ratio = contrast_ratio
    if ratio(background, wanted) >= 4.5:
        return wanted.name()
    black, white = QColor("#000000"), QColor("#ffffff")
    return black.name() if ratio(background, black) >= ratio(background, white) else "#ffffff"


def style_sheet(palette: QPalette) -> str:
    """A calm look built from the system palette (so dark themes stay dark): cards and panels
    on a slightly tinted background, quiet secondary text, a clear error colour."""
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    window = palette.color(QPalette.ColorRole.Window)
    dark_theme = window.lightness() < 128
    backdrop = _mix(base, window, 0.55 if not dark_theme else 0.3)
    border = _mix(base, text, 0.16)
    soft_border = _mix(base, text, 0.10)
    subtle = _mix(base, text, 0.62)
    error = "#ff8a80" if dark_theme else "#a4262c"
    error_bg = _mix(base, QColor("#d13438"), 0.10)
    notice_bg = _mix(base, QColor("#0f6cbd"), 0.08)
    banner_bg = _mix(base, QColor("#f2c94c"), 0.30)
    banner_border = _mix(base, QColor("#c79a1e"), 0.65)
    highlight_colour = palette.color(QPalette.ColorRole.Highlight)
    highlight = highlight_colour.name()
    highlight_hover = highlight_colour.darker(112).name()
    highlighted_text = readable_on(highlight_colour,
                                   palette.color(QPalette.ColorRole.HighlightedText))
    return f"""
QMainWindow, QStackedWidget > QWidget, QScrollArea, QScrollArea > QWidget > QWidget {{
    background: {backdrop};
}}
QFrame#card {{
    background: {base.name()}; border: 1px solid {border}; border-radius: 10px;
}}
QFrame#panel {{
    background: {base.name()}; border: 1px solid {soft_border}; border-radius: 8px;
}}
QFrame#panel QTableView, QFrame#panel QLabel {{ background: {base.name()}; border: none; }}
QFrame#panel QStackedWidget > QWidget {{ background: {base.name()}; }}
QFrame#topbar {{ background: {base.name()}; border-bottom: 1px solid {soft_border}; }}
QFrame#topbar QLabel {{ background: transparent; }}
QFrame#banner {{
    background: {banner_bg}; border: 1px solid {banner_border}; border-radius: 8px;
}}
QFrame#banner QLabel {{ background: transparent; }}
QLabel#subtle {{ color: {subtle}; background: transparent; }}
QLabel#notice {{ background: {notice_bg}; border-radius: 6px; }}
QLabel#message[kind="error"] {{ color: {error}; background: {error_bg}; border-radius: 6px; }}
QLabel#message[kind="info"] {{ background: {notice_bg}; border-radius: 6px; }}
QLabel#count {{
    color: {subtle}; background: {backdrop}; border-radius: 8px; padding: 0px 7px;
}}
QPushButton {{ padding: 5px 14px; }}
QPushButton#primary {{
    background: {highlight}; color: {highlighted_text}; border: 1px solid {highlight};
    border-radius: 6px; padding: 6px 16px; font-weight: bold;
}}
QPushButton#primary:hover {{ background: {highlight_hover}; }}
QPushButton#primary:disabled {{
    background: {soft_border}; color: {subtle}; border: 1px solid {soft_border};
}}
QPushButton#primary:focus {{ border: 2px solid {text.name()}; }}
QLabel#placeholder {{ color: {subtle}; padding: 40px; }}
QLineEdit {{
    background: {base.name()}; border: 1px solid {border}; border-radius: 6px;
    padding: 4px 8px;
}}
QLineEdit:focus {{ border: 2px solid {highlight}; padding: 3px 7px; }}
QLineEdit#search {{ padding: 6px 12px; }}
QLineEdit#search:focus {{ padding: 5px 11px; }}
QListView {{
    background: {base.name()}; border: 1px solid {soft_border}; border-radius: 8px;
    padding: 6px;
}}
QListView::item {{ padding: 6px 8px; }}
QTableView {{ selection-background-color: {highlight}; }}
QHeaderView::section {{
    background: {base.name()}; border: none; border-bottom: 1px solid {soft_border};
    padding: 4px 6px; color: {subtle};
}}
QStatusBar {{ background: {backdrop}; }}
QStatusBar QLabel {{ background: transparent; padding-left: 20px; }}
"""


def apply_style(app: QApplication) -> None:
    if high_contrast():
        return
    app.setStyleSheet(style_sheet(app.palette()))


def make_app() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Workbook")
    app.setApplicationDisplayName("Workbook")
    app.setDesktopFileName("workbook")
    combo_boxes_keep_their_names()
    apply_style(app)
    return app
