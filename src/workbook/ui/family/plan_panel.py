"""The plan: actions with owner, due date and status; overdue ones stand out in words and
colour, and supervisors see at a glance how many there are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.records import Action
from workbook.domain.workbook import Shown
from workbook.services.session import Session
from workbook.ui.family.action_finishing import ActionFinisher
from workbook.ui.family.common import accessible
from workbook.ui.family.context import FamilyContext
from workbook.ui.family.dialogs import ActionDialog
from workbook.ui.family.models.actions_model import (
    ACTION_ROLE,
    COL_DUE,
    COL_OWNER,
    COL_STATUS,
    COL_TEXT,
    PlanActionsModel,
)
from workbook.ui.widgets.a11y import describe


class PlanPanel(QWidget):
    def __init__(self, context: FamilyContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        title = QLabel("Plan actions", self)
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        self.summary = QLabel(self)
        describe(self.summary, "Plan summary")
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.summary, 1)
        self.add = QPushButton("Add action…", self)
        accessible(self.add, "Add action")
        top.addWidget(self.add)
        layout.addLayout(top)
        self.model = PlanActionsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        accessible(self.table, "Plan actions")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(COL_OWNER, 110)
        self.table.setColumnWidth(COL_DUE, 100)
        self.table.setColumnWidth(COL_STATUS, 100)
        layout.addWidget(self.table, 1)
        self.finisher = ActionFinisher(self._selected, context.run, self)
        self.finisher.changed.connect(self.context.notify)
        layout.addWidget(self.finisher)
        self.add.clicked.connect(self._open)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection())

    def _selected(self) -> tuple[str, str, str] | None:
        """The selected action as (id, text, due), None when there is none."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        action = rows[0].data(ACTION_ROLE)
        return (str(action.get("id", "")), str(action.get("text", "")),
                str(action.get("due", "")))

    def _selection(self) -> None:
        self.finisher.set_enabled(self._selected() is not None)

    def set_actions(self, actions: Sequence[Shown[Action]], today: date | None = None,
                    names: dict[str, str] | None = None) -> None:
        self.model.set_rows([a.to_json() for a in actions], today, names)
        self._selection()
        overdue = self.model.overdue_count
        total = self.model.rowCount()
        text = f"{total} action{'s' if total != 1 else ''}"
        if overdue:
            text = f"⚠ {text} - {overdue} overdue"
            # Dark red on its own pale fill, so it reads under any palette.
            self.summary.setStyleSheet("color:#8A0F1C; background:#FDE7E9; font-weight:bold;"
                                       "padding:1px 6px; border-radius:4px;")
        else:
            self.summary.setStyleSheet("")
        self.summary.setText(text)

    def _open(self) -> None:
        snapshot = self.context.snapshot
        if snapshot is None:
            return
        dialog = ActionDialog(snapshot.users, snapshot.me, self)
        dialog.submitted.connect(lambda values: self._submit(dialog, values))
        self.context.track(dialog)
        dialog.open()

    def _submit(self, dialog: ActionDialog, values: dict[str, Any]) -> None:
        family_id = self.context.family_id
        if not family_id:
            return
        dialog.busy()

        def add(s: Session) -> str:
            return s.families.add_action(family_id, values["text"], values["owner"],
                                         values["due"])

        self.context.run(add, lambda _: dialog.accept(), dialog.show_error)

    def wipe(self) -> None:
        self.model.clear()
        self.summary.setText("")
