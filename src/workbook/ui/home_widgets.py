"""The pieces home is built of: a titled panel holding one list, the two-line search result,
and the banner for sign-in warnings and announcements."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbook.ui.models.search_results_model import SUBTITLE_ROLE, TITLE_ROLE
from workbook.ui.sign_in_page import scaled_label, sentence
from workbook.ui.widgets.a11y import describe
from workbook.ui.widgets.columns import ColumnFitter, fit_columns
from workbook.ui.widgets.text_table import TextTable

LOADING = "Loading…"


class Panel(QFrame):
    """A titled box holding one list, with a sentence instead of an empty table."""

    def __init__(self, title: str, model: QAbstractItemModel | None, empty_text: str,
                 parent: QWidget | None = None, stretch_column: int = 0,
                 max_rows: int = 0) -> None:
        super().__init__(parent)
        self.setObjectName("panel")
        self.model = model
        self.empty_text = empty_text
        self.stretch_column = stretch_column
        self.max_rows = max_rows  # >0: the table is only as tall as its rows (up to this many)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        self.header = QHBoxLayout()
        self.header.setSpacing(8)
        self.title = scaled_label(title, 1.08, True, "panelTitle")
        self.title.setWordWrap(False)
        self.count = scaled_label("", 0.95, object_name="count")
        self.count.setWordWrap(False)
        self.header.addWidget(self.title)
        self.header.addWidget(self.count)
        self.header.addStretch(1)
        layout.addLayout(self.header)
        self.empty = scaled_label(LOADING if model is not None else empty_text, 1.0,
                                  object_name="subtle")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        describe(self.empty, f"{title}: status")
        layout.addWidget(self.empty)
        self.view: QTableView | None = None
        if model is not None:
            self.view = _table_view(model, title)
            self.view.viewport().installEventFilter(self)
            ColumnFitter(self.view, stretch_column)
            layout.addWidget(self.view, 1)
            model.modelReset.connect(self.refresh)
        # Takes the spare height only while there is no table (stretch 0 against its 1).
        layout.addStretch(0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """The wheel scrolls Home, not the list under the pointer, until the list is clicked:
        a person scrolling the page never finds it stuck on a panel."""
        view = self.view
        if (event.type() == QEvent.Type.Wheel and view is not None
                and watched is view.viewport() and not view.hasFocus()):
            page = self.parentWidget()
            while page is not None and not isinstance(page, QScrollArea):
                page = page.parentWidget()
            if page is not None:
                QApplication.sendEvent(page.verticalScrollBar(), event)
                return True
        return super().eventFilter(watched, event)

    def add_action(self, button: QPushButton) -> None:
        self.header.addWidget(button)

    def set_loading(self) -> None:
        self.empty.setText(LOADING)
        self.count.clear()
        self._show_table(False)

    def _show_table(self, shown: bool) -> None:
        if self.view is not None:
            self.view.setVisible(shown)
        self.empty.setVisible(not shown)

    def refresh(self) -> None:
        rows = self.model.rowCount() if self.model is not None else 0
        self.count.setText(str(rows) if rows else "")
        view = self.view
        if not rows or view is None:
            self.empty.setText(self.empty_text)
            self._show_table(False)
            return
        self._show_table(True)
        header = view.horizontalHeader()
        fit_columns(view, self.stretch_column)
        if self.max_rows:
            shown = min(rows, self.max_rows)
            height = header.sizeHint().height() + sum(view.rowHeight(r) for r in range(shown))
            view.setFixedHeight(height + 2 * view.frameWidth() + 2)


class ResultDelegate(QStyledItemDelegate):
    """A search result on two lines: the name, then what it is and where, in quieter text."""

    def sizeHint(self, option: QStyleOptionViewItem,  # noqa: N802
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        del index
        metrics = QFontMetrics(option.font)
        return QSize(option.rect.width(), metrics.height() * 2 + 18)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.text = ""
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        palette = item.palette
        text = palette.color(QPalette.ColorRole.HighlightedText if selected
                             else QPalette.ColorRole.Text)
        quiet = QColor(text)
        if not selected:
            base = palette.color(QPalette.ColorRole.Base)
            quiet = QColor((text.red() * 6 + base.red() * 4) // 10,
                           (text.green() * 6 + base.green() * 4) // 10,
                           (text.blue() * 6 + base.blue() * 4) // 10)
        area = item.rect.adjusted(12, 8, -12, -8)
        metrics = QFontMetrics(item.font)
        bold = QFont(item.font)
        bold.setBold(True)
        painter.save()
        painter.setFont(bold)
        painter.setPen(text)
        title = str(index.data(TITLE_ROLE) or "")
        painter.drawText(area.x(), area.y() + metrics.ascent(),
                         QFontMetrics(bold).elidedText(title, Qt.TextElideMode.ElideRight,
                                                       area.width()))
        painter.setFont(item.font)
        painter.setPen(quiet)
        subtitle = str(index.data(SUBTITLE_ROLE) or "")
        painter.drawText(area.x(), area.y() + metrics.height() + metrics.ascent() + 2,
                         metrics.elidedText(subtitle, Qt.TextElideMode.ElideRight,
                                            area.width()))
        painter.restore()


class Banner(QFrame):
    """Sign-in warnings and announcements (for example: the recovery key was used)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 10, 12, 10)
        self.text = scaled_label("", 1.0)
        describe(self.text, "Important notice")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setAccessibleName("Dismiss the notice")
        layout.addWidget(self.text, 1)
        layout.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.dismiss.clicked.connect(self.clear)
        self.hide()

    def set_messages(self, messages: Sequence[str]) -> None:
        items = [sentence(m) for m in messages if m.strip()]
        if not items:
            self.clear()
            return
        self.text.setText("\n".join(f"• {m}" if len(items) > 1 else m for m in items))
        self.show()

    def clear(self) -> None:
        self.text.clear()
        self.hide()


def _table_view(model: QAbstractItemModel, title: str) -> QTableView:
    """A panel's table: whole rows, one at a time, read-only, hidden until it has rows."""
    view = TextTable()
    view.setModel(model)
    view.setAccessibleName(title)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft
                               | Qt.AlignmentFlag.AlignVCenter)
    header.setResizeContentsPrecision(200)
    header.setMinimumSectionSize(60)
    view.setTabKeyNavigation(False)
    view.setMinimumHeight(84)
    view.hide()
    return view
