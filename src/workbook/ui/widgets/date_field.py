"""The one date field of the desktop: a line to type or paste a date into, a calendar, and the
date that will be saved said in words beside it.

Qt's date edit turned typed dates into other dates ("/" moved the focus on, 03/12/2026 became
01/01/2000) and opened its calendar at December 1899. Here the text is read by
domain/typed_dates (dd/mm/yyyy, d/m/yy, 2026-12-03, 3 December 2026), what will be saved is
shown in words as the person types, and an impossible date is refused at the field with its
reason: the field then has no value, and `refused_date` stops the form that holds it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.display import uk_date
from workbook.domain.typed_dates import (
    DateNotUnderstood,
    date_in_words,
    read_date,
    short_date_in_words,
)
from workbook.services.clock import civil_date
from workbook.ui.widgets.a11y import announce

_session_today: date | None = None


def set_today(day: date) -> None:
    """The session clock's UK date, told by the view that learnt it from the services; every
    date field starts from it and opens its calendar at its month."""
    global _session_today  # noqa: PLW0603 - one clock for every field of the window
    _session_today = day


def today() -> date:
    return _session_today or civil_date(datetime.now(UTC))


class _Line(QLineEdit):
    """Alt+Down or F4 opens the calendar, as on Qt's own date edit."""

    open_calendar = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        alt_down = (event.key() == Qt.Key.Key_Down
                    and event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if alt_down or event.key() == Qt.Key.Key_F4:
            self.open_calendar.emit()
            return
        super().keyPressEvent(event)


class DateField(QWidget):
    """A date typed as dd/mm/yyyy (or any shape domain/typed_dates reads). `iso()` is the
    date that will be saved ("" when empty or refused); `problem()` says why it cannot be
    saved. An optional field left empty is "Not known" (or the `unknown` text given)."""

    dateChanged = Signal()   # noqa: N815 - Qt's spelling: the value to save changed
    edited = Signal()        # the text changed at all (drafts are saved on this)

    def __init__(self, name: str, *, optional: bool = False, unknown: str = "Not known",
                 past: bool = False, compact: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name, self.optional, self.unknown, self.past = name, optional, unknown, past
        self.compact = compact
        self._value = ""
        self._problem = ""
        self.line = _Line(self)
        self.line.setPlaceholderText(f"{unknown} (dd/mm/yyyy)" if optional and not compact
                                     else "dd/mm/yyyy")
        self.line.setAccessibleName(name)
        metrics = self.line.fontMetrics()
        self.line.setMinimumWidth(metrics.horizontalAdvance("00/00/00000") + 24)
        self.line.setMaximumWidth(metrics.horizontalAdvance(self.line.placeholderText()) + 24)
        self.setFocusProxy(self.line)
        self.calendar_button = QToolButton(self)
        self.calendar_button.setText("▾")
        self.calendar_button.setToolTip("Choose from a calendar (Alt+Down)")
        self.calendar_button.setAccessibleName(f"{name}: choose from a calendar")
        # One Tab stop per date: the keyboard reaches the calendar from the line (Alt+Down).
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.calendar_button.setFocusProxy(self.line)
        self.reading = QLabel(self)
        self.reading.setTextFormat(Qt.TextFormat.PlainText)
        self.reading.setWordWrap(True)
        # Room kept from the start: a refusal's reason never pushes the form down, and under a
        # compact field (the chronology's filters) it never widens its column either.
        self.reading.setMinimumHeight(2 * self.reading.fontMetrics().lineSpacing())
        if compact:
            self.reading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.reading.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.calendar: QCalendarWidget | None = None
        line_row = QHBoxLayout()
        line_row.setContentsMargins(0, 0, 0, 0)
        line_row.setSpacing(2)
        line_row.addWidget(self.line)
        line_row.addWidget(self.calendar_button)
        line_row.addStretch(1)
        layout: QBoxLayout = QVBoxLayout(self) if compact else QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2 if compact else 8)
        layout.addLayout(line_row)
        layout.addWidget(self.reading, 1)
        self.line.textChanged.connect(self._read)
        self.line.open_calendar.connect(self.open_calendar)
        self.calendar_button.clicked.connect(self.open_calendar)
        self._read()

    # --- the value -------------------------------------------------------------------------
    def iso(self) -> str:
        """The date that will be saved, YYYY-MM-DD; "" when empty or refused."""
        return self._value

    def problem(self) -> str:
        """Why this field cannot be saved as it is, or ""."""
        return self._problem

    def set_iso(self, iso: str) -> None:
        """Show a stored date (YYYY-MM-DD); anything else empties the field."""
        shown = uk_date(iso[:10]) if iso else ""
        self.line.setText(shown if shown != iso[:10] else "")

    def set_date(self, day: date | None) -> None:
        self.line.setText(uk_date(day) if day else "")

    def clear(self) -> None:
        self.line.setText("")

    def text(self) -> str:
        return self.line.text()

    def set_read_only(self, read_only: bool) -> None:
        self.line.setReadOnly(read_only)
        self.calendar_button.setEnabled(not read_only)

    def _read(self) -> None:
        before = self._value
        try:
            day = read_date(self.line.text(), today(), past=self.past)
        except DateNotUnderstood as refused:
            self._show("", f"⚠ {self._short(str(refused))}", f"{self.name}: {refused}")
        else:
            if day is not None:
                words = short_date_in_words(day) if self.compact else date_in_words(day)
                self._show(day.isoformat(), words, "")
            elif self.optional:
                self._show("", self.unknown, "")
            else:
                self._show("", "⚠ No date yet: type one as dd/mm/yyyy",
                           f"{self.name}: type a date as dd/mm/yyyy.")
        self.edited.emit()
        if self._value != before:
            self.dateChanged.emit()

    def _short(self, reason: str) -> str:
        """Under a compact field, the reason without the typed text it repeats."""
        if not self.compact:
            return reason
        if "is not a date" in reason:
            return "Not a date: type dd/mm/yyyy"
        return reason.split(": ", 1)[-1]

    def _show(self, value: str, reading: str, problem: str) -> None:
        self._value, self._problem = value, problem
        self.reading.setText(reading)
        self.reading.setToolTip(problem)
        invalid = bool(problem) and bool(self.line.text().strip())
        self.line.setProperty("invalid", invalid)
        self.line.setAccessibleDescription(f"Not saved: {problem}" if invalid else reading)
        font = self.reading.font()
        font.setBold(invalid)
        self.reading.setFont(font)

    # --- the calendar ----------------------------------------------------------------------
    def open_calendar(self) -> None:
        """A calendar at the shown date, or at today's month when the field is empty."""
        if self.calendar is None:
            self.calendar = QCalendarWidget(self)
            self.calendar.setWindowFlags(Qt.WindowType.Popup)
            self.calendar.setGridVisible(True)
            self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
            self.calendar.setAccessibleName(f"{self.name}: calendar")
            self.calendar.activated.connect(self._chosen)
            self.calendar.clicked.connect(self._chosen)
        shown = date.fromisoformat(self._value) if self._value else today()
        chosen = QDate(shown.year, shown.month, shown.day)
        self.calendar.setSelectedDate(chosen)
        self.calendar.setCurrentPage(shown.year, shown.month)
        self.calendar.move(self.mapToGlobal(QPoint(0, self.height())))
        self.calendar.show()
        self.calendar.setFocus()

    def _chosen(self, chosen: QDate) -> None:
        self.set_date(date(chosen.year(), chosen.month(), chosen.day()))
        if self.calendar is not None:
            self.calendar.hide()
        self.line.setFocus()


def refused_date(form: QWidget) -> str:
    """The reason the first date field of `form` that cannot be saved gives, with the focus
    moved to it; "" when every shown date field can be saved."""
    for field in form.findChildren(DateField):
        if field.isEnabled() and field.problem() and not field.isHidden():
            field.line.setFocus()
            field.line.selectAll()
            announce(field.line, field.problem())
            return field.problem()
    return ""
