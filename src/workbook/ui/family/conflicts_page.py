"""Conflicts: two people changed the same entry separately, so it has several heads. The page
shows two of them side by side; the person keeps the left, keeps the right, or writes a merged
text. Resolving is a correction whose parents are every head, so nothing is lost."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbook.services.family.household import update_person
from workbook.services.session import Session
from workbook.ui.family.common import Band, accessible, fmt_stamp, wipe_text
from workbook.ui.family.context import FamilyContext
from workbook.ui.family.loading import Conflict
from workbook.ui.family.models.conflicts_model import ConflictsModel


class ConflictsPage(QWidget):
    def __init__(self, context: FamilyContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = QLabel("These records were changed in two places at once. Compare the versions "
                       "and choose what the record should say; both versions stay in its "
                       "history.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.model = ConflictsModel(self)
        self.list = QListView(splitter)
        self.list.setModel(self.model)
        accessible(self.list, "Records in conflict")
        right = QWidget(splitter)
        grid = QGridLayout(right)
        grid.setContentsMargins(0, 0, 0, 0)
        self.left_choice = QComboBox(right)
        accessible(self.left_choice, "Left version")
        self.right_choice = QComboBox(right)
        accessible(self.right_choice, "Right version")
        self.left_text = QTextBrowser(right)
        accessible(self.left_text, "Left version text")
        self.right_text = QTextBrowser(right)
        accessible(self.right_text, "Right version text")
        grid.addWidget(self.left_choice, 0, 0)
        grid.addWidget(self.right_choice, 0, 1)
        grid.addWidget(self.left_text, 1, 0)
        grid.addWidget(self.right_text, 1, 1)
        self.keep_left = QPushButton("Keep left", right)
        accessible(self.keep_left, "Keep the left version")
        self.keep_right = QPushButton("Keep right", right)
        accessible(self.keep_right, "Keep the right version")
        grid.addWidget(self.keep_left, 2, 0)
        grid.addWidget(self.keep_right, 2, 1)
        merged_label = QLabel("&Merged text (edit, then save)", right)
        self.merged = QPlainTextEdit(right)
        self.merged.setTabChangesFocus(True)
        accessible(self.merged, "Merged text")
        merged_label.setBuddy(self.merged)
        grid.addWidget(merged_label, 3, 0, 1, 2)
        grid.addWidget(self.merged, 4, 0, 1, 2)
        row = QHBoxLayout()
        row.addStretch(1)
        self.save_merged = QPushButton("Save merged text", right)
        accessible(self.save_merged, "Save merged text")
        row.addWidget(self.save_merged)
        grid.addLayout(row, 5, 0, 1, 2)
        self.error = Band("danger", "Problem", right)
        self.error.setVisible(False)
        grid.addWidget(self.error, 6, 0, 1, 2)
        grid.setRowStretch(1, 3)
        grid.setRowStretch(4, 2)
        splitter.addWidget(self.list)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([260, 900])
        self.list.setStyleSheet("QListView::item { padding: 6px 4px; }")
        layout.addWidget(splitter, 1)
        self.list.selectionModel().currentChanged.connect(lambda *_: self._show())
        self.left_choice.currentIndexChanged.connect(lambda _: self._compare())
        self.right_choice.currentIndexChanged.connect(lambda _: self._compare())
        self.keep_left.clicked.connect(lambda: self._resolve(self._head(self.left_choice)))
        self.keep_right.clicked.connect(lambda: self._resolve(self._head(self.right_choice)))
        self.save_merged.clicked.connect(lambda: self._resolve(None))
        self._enable(False)

    def set_conflicts(self, conflicts: Sequence[Conflict]) -> None:
        items = [{**c.shown.to_json(), "section": c.section, "kind": c.kind.value}
                 for c in conflicts]
        self.model.set_rows(items)
        if items:
            self.list.setCurrentIndex(self.model.index(0, 0))
        self._show()

    def _item(self) -> dict[str, Any] | None:
        return self.model.item(self.list.currentIndex().row())

    def _show(self) -> None:
        item = self._item()
        for combo in (self.left_choice, self.right_choice):
            combo.blockSignals(True)
            combo.clear()
        if item is None:
            for widget in (self.left_text, self.right_text):
                widget.clear()
            wipe_text(self.merged)
            self._enable(False)
            for combo in (self.left_choice, self.right_choice):
                combo.blockSignals(False)
            return
        heads = item.get("heads", [])
        for i, head in enumerate(heads):
            label = f"Version {i + 1}: {self._name(str(head.get('author', '')))}, " \
                    f"{fmt_stamp(str(head.get('created_at', '')))}"
            self.left_choice.addItem(label, i)
            self.right_choice.addItem(label, i)
        self.left_choice.setCurrentIndex(0)
        self.right_choice.setCurrentIndex(len(heads) - 1)
        for combo in (self.left_choice, self.right_choice):
            combo.blockSignals(False)
        self._enable(True)
        self._compare()
        self.merged.setPlainText(str(self._head(self.right_choice).get(self._field(), "")))
        self.merged.document().clearUndoRedoStacks()

    def _name(self, username: str) -> str:
        snapshot = self.context.snapshot
        names = snapshot.names if snapshot is not None else {}
        return names.get(username, "a former colleague" if username else "")

    def _field(self) -> str:
        item = self._item()
        return "name" if item and item.get("kind") == "person" else "text"

    def _head(self, combo: QComboBox) -> dict[str, Any]:
        item = self._item() or {}
        heads = item.get("heads", [])
        index = combo.currentData()
        return heads[index] if isinstance(index, int) and 0 <= index < len(heads) else {}

    def _compare(self) -> None:
        field = self._field()
        for combo, view in ((self.left_choice, self.left_text),
                            (self.right_choice, self.right_text)):
            head = self._head(combo)
            author = self._name(str(head.get("author", "")))
            view.setHtml(f"<p>{html.escape(author)}"
                         f", {html.escape(fmt_stamp(str(head.get('created_at', ''))))}</p><p>"
                         + html.escape(str(head.get(field, ""))).replace("\n", "<br>") + "</p>")

    def _enable(self, on: bool) -> None:
        for widget in (self.keep_left, self.keep_right, self.save_merged, self.merged,
                       self.left_choice, self.right_choice):
            widget.setEnabled(on)

    def _resolve(self, head: dict[str, Any] | None) -> None:
        item = self._item()
        if item is None:
            return
        field = self._field()
        text = self.merged.toPlainText() if head is None else str(head.get(field, ""))
        record_id = str(item["id"])
        kind = item.get("kind")

        def resolve(s: Session) -> str:
            if kind == "person":
                return update_person(s, record_id, name=text)
            return s.families.edit_entry(record_id, text)

        self.error.wipe()
        self._enable(False)
        self.context.run(resolve, lambda _: self.context.notify("Conflict resolved."),
                         self._failed)

    def _failed(self, message: str) -> None:
        self._enable(True)
        self.error.show_text("The conflict could not be resolved", message)

    def wipe(self) -> None:
        self.model.clear()
        for combo in (self.left_choice, self.right_choice):
            combo.clear()
        self.left_text.clear()
        self.right_text.clear()
        wipe_text(self.merged)
        self.error.wipe()
