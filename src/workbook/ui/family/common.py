"""Small pieces every page of the family workbook uses: dates shown as dd/mm/yyyy, accessible
names set once for a control and its inner editor, and the coloured bands of the header."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.display import uk_date, uk_date_time
from workbook.ui.widgets.a11y import announce, combo_boxes_keep_their_names
from workbook.ui.widgets.date_field import DateField, today

BAND_TEXT = {
    # Each pale fill with its own dark text, set on the labels too (a frame's colour does not
    # reach its children): readable under a dark or high-contrast palette as under a light one.
    "warning": "#3D2E00", "danger": "#5C0A12", "info": "#0B2A4A", "calm": "palette(text)",
}
BAND_STYLES = {
    # Dark text on pale fills; a bold border and the title's words carry the meaning too.
    "warning": "background:#FFF4CE; color:#3D2E00; border:1px solid #C98A00;"
               "border-left:6px solid #C98A00; border-radius:4px;",
    "danger": "background:#FDE7E9; color:#5C0A12; border:1px solid #C50F1F;"
              "border-left:6px solid #C50F1F; border-radius:4px;",
    "info": "background:#E8F1FB; color:#0B2A4A; border:1px solid #2F6DB5;"
            "border-left:6px solid #2F6DB5; border-radius:4px;",
    "calm": "background:palette(alternate-base); border:1px solid palette(mid);"
            "border-radius:4px;",
}


fmt_date = uk_date  # YYYY-MM-DD (or an ISO timestamp) as dd/mm/yyyy; anything else unchanged


def fmt_stamp(stamp: str) -> str:
    """An ISO timestamp as local dd/mm/yyyy HH:MM."""
    try:
        return uk_date_time(datetime.fromisoformat(stamp).astimezone())
    except (ValueError, TypeError):
        return stamp


def age_on(dob: str, today: date) -> str:
    try:
        born = date.fromisoformat(dob)
    except (ValueError, TypeError):
        return ""
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return str(max(years, 0))


def iso_of(edit: DateField) -> str:
    """The date a field will save, YYYY-MM-DD, or "" (empty, or refused at the field)."""
    return edit.iso()


def set_iso(edit: DateField, iso: str) -> None:
    edit.set_iso(iso)


def date_edit(name: str, *, optional: bool = False, parent: QWidget | None = None,
              unknown: str = "Not known", past: bool = False,
              compact: bool = False) -> DateField:
    """A date field taking typed dd/mm/yyyy and saying the date in words beside it. A
    required one starts at today (the session clock's UK date); an optional one empty."""
    edit = DateField(name, optional=optional, unknown=unknown, past=past, compact=compact,
                     parent=parent)
    if not optional:
        edit.set_date(today())
    return edit


def accessible(widget: QWidget, name: str, description: str = "") -> QWidget:
    """Name a control for screen readers, and the editor inside it (combo and date boxes have
    one) so that every widget that can take focus has a name. A combo box is read by this
    name, its choice as its value (a11y.ComboBoxName)."""
    combo_boxes_keep_their_names()
    widget.setAccessibleName(name)
    if description:
        widget.setAccessibleDescription(description)
    if isinstance(widget, (QComboBox, QAbstractSpinBox)):
        for inner in widget.findChildren(QLineEdit):
            inner.setAccessibleName(name)
    return widget


def wipe_text(widget: QWidget) -> None:
    """Empty an editor and its undo history, so no case text can be brought back by Ctrl+Z."""
    if isinstance(widget, QLineEdit):
        widget.setText("")          # setText (unlike clear) also empties the undo history
    elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
        widget.setPlainText("")
        widget.document().clearUndoRedoStacks()
        widget.document().setModified(False)


class Band(QFrame):
    """A coloured band with a title and a body: safety flags, conflicts, messages."""

    def __init__(self, kind: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.setObjectName(f"band-{kind}")
        self.setStyleSheet(f"QFrame#band-{kind} {{{BAND_STYLES[kind]}}} QLabel {{border:none;"
                           f"background:transparent; color:{BAND_TEXT[kind]};}}")
        self.setAccessibleName(name)
        self._spoken = ""
        outer = QHBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        layout = QVBoxLayout()
        layout.setSpacing(2)
        outer.addLayout(layout, 1)
        self.action_row = QHBoxLayout()
        outer.addLayout(self.action_row)
        self.title = QLabel(self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.body = QLabel(self)
        self.body.setWordWrap(True)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.title)
        layout.addWidget(self.body)

    def show_text(self, title: str, body: str) -> None:
        self.title.setText(title)
        self.body.setText(body)
        self.body.setVisible(bool(body))
        self.setAccessibleDescription(f"{title} {body}".strip())
        self.setVisible(True)
        spoken = f"{title}. {body}".strip()
        # Said when it appears or changes, not again at each refresh of the same family.
        if self.kind in ("warning", "danger") and spoken != self._spoken:
            announce(self, spoken)
        self._spoken = spoken

    def wipe(self) -> None:
        self._spoken = ""
        self.title.setText("")
        self.body.setText("")
        self.setAccessibleDescription("")
        self.setVisible(False)
