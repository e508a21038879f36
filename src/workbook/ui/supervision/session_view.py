"""A group supervision session: the agenda (reorderable, any family can be added) and, for the
family chosen, the review form - summary, working well, worried about, decisions, scaling 0-10,
actions with owner and due date, next review date. Typing is kept in an encrypted draft as it
happens (review_drafts), so a crash or a lock loses nothing; "Save review" records the family's
draft version, "Finish and sign off" makes every review final. Minutes go only through the
print preview, and printing or saving them is audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbook.services.session import Session
from workbook.services.supervision import meetings as supervision
from workbook.services.supervision import review_drafts
from workbook.services.supervision.agenda import FamilyContext, family_context
from workbook.services.supervision.meetings import ActionForm, Meeting, ReviewForm
from workbook.ui import print_preview
from workbook.ui.models.base import format_date
from workbook.ui.supervision import name_controls
from workbook.ui.supervision.due_cells import due_iso, install_due_cells, refused_due
from workbook.ui.supervision.family_context import FamilyContextPane
from workbook.ui.widgets.date_field import DateField, refused_date

Runner = Callable[..., Any]
DRAFT_DELAY_MS = 800
NOT_SET = -1


OWNER_ROLE = Qt.ItemDataRole.UserRole + 1


class OwnerDelegate(QStyledItemDelegate):
    """The owner cell is picked by name: an editable list of colleagues' full names, narrowed
    by any part of a name typed."""

    def __init__(self, form: ReviewFormWidget) -> None:
        super().__init__(form)
        self.form = form

    def createEditor(self, parent: QWidget, option: Any, index: Any) -> QWidget:  # noqa: N802, ARG002
        box = QComboBox(parent)
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        box.addItems(sorted(set(self.form.people.values()), key=str.casefold))
        completer = box.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
        box.setAccessibleName("Owner")
        return box

    def setEditorData(self, editor: QWidget, index: Any) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            editor.setEditText(str(index.data() or ""))

    def setModelData(self, editor: QWidget, model: Any, index: Any) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText())


class ReviewFormWidget(QWidget):
    """The per-family form; `changed` fires on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.field_errors: dict[QWidget, QLabel] = {}  # a refusal shows under its field
        self.summary = QPlainTextEdit()
        self.working_well = QPlainTextEdit()
        self.worried = QPlainTextEdit()
        self.decisions = QPlainTextEdit()
        for edit, label in ((self.summary, "Summary"),
                            (self.working_well, "What is working well"),
                            (self.worried, "What we are worried about"),
                            (self.decisions, "What needs to happen (decisions)")):
            edit.setAccessibleName(label)
            edit.setTabChangesFocus(True)
            edit.setMaximumHeight(80)
            edit.textChanged.connect(self.changed)
            form.addRow(label, edit)
            self._error_row(form, edit, label)
        self.scaling = QSpinBox()
        self.scaling.setRange(NOT_SET, 10)
        self.scaling.setSpecialValueText("not set")
        self.scaling.setAccessibleName("Scaling judgement, 0 to 10")
        self.scaling.valueChanged.connect(self.changed)
        form.addRow("Scaling (0-10)", self.scaling)
        self._error_row(form, self.scaling, "Scaling")
        # Appointed when the session is signed off (issue 15); picked by name.
        self.new_owner = QComboBox()
        self.new_owner.setAccessibleName("New case owner")
        self.new_owner.currentIndexChanged.connect(lambda _i: self.changed.emit())
        form.addRow("New case owner", self.new_owner)
        self._error_row(form, self.new_owner, "New case owner")
        self.action_table = QTableWidget(0, 3)
        self.action_table.setHorizontalHeaderLabels(["Action", "Owner",
                                                "Due (dd/mm/yyyy)"])
        self.people: dict[str, str] = {}  # username -> full name, from the meeting
        self.owner_picker = OwnerDelegate(self)
        self.action_table.setItemDelegateForColumn(1, self.owner_picker)
        install_due_cells(self.action_table)
        self.action_table.verticalHeader().hide()
        self.action_table.setCornerButtonEnabled(False)
        header = self.action_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for index in (1, 2):
            header.setSectionResizeMode(index, QHeaderView.ResizeMode.ResizeToContents)
        self.action_table.setAccessibleName("Actions")
        self.action_table.setMinimumHeight(110)
        self.action_table.itemChanged.connect(lambda _item: self.changed.emit())
        buttons = QHBoxLayout()
        self.add_action_button = QPushButton("Add action")
        self.remove_action_button = QPushButton("Remove action")
        buttons.addWidget(self.add_action_button)
        buttons.addWidget(self.remove_action_button)
        buttons.addStretch(1)
        self.add_action_button.clicked.connect(self._add_blank_action)
        self.remove_action_button.clicked.connect(self._remove_action)
        column = QVBoxLayout()
        column.addWidget(self.action_table)
        column.addLayout(buttons)
        form.addRow("Actions", column)
        self._error_row(form, self.action_table, "Actions")
        self.next_review = DateField("Next review date", parent=self)
        self.next_review.edited.connect(self.changed)
        form.addRow("Next review date", self.next_review)
        self._error_row(form, self.next_review, "Next review date")
        name_controls(self)

    def _error_row(self, form: QFormLayout, field: QWidget, label: str) -> None:
        """A hidden line under `field` where a refusal about it is shown."""
        error = QLabel()
        error.setObjectName("error")
        error.setWordWrap(True)
        error.setAccessibleName(f"{label}: problem")
        error.hide()
        form.addRow("", error)
        self.field_errors[field] = error

    def show_field_error(self, message: str) -> bool:
        """Put a refusal under the field it names (and focus it); False when it names none."""
        self.clear_field_errors()
        lowered = message.lower()
        field = next((f for words, f in (
            (("summary",), self.summary), (("working well",), self.working_well),
            (("worried",), self.worried), (("what needs to happen", "decisions"),
                                           self.decisions),
            (("scaling",), self.scaling), (("next review",), self.next_review),
            (("case owner",), self.new_owner),
            (("action",), self.action_table)) if any(w in lowered for w in words)), None)
        if field is None:
            return False
        error = self.field_errors[field]
        error.setText(message)
        error.show()
        field.setFocus()
        return True

    def clear_field_errors(self) -> None:
        for error in self.field_errors.values():
            error.hide()

    def add_action(self, action: ActionForm | None = None) -> None:
        row = self.action_table.rowCount()
        self.action_table.blockSignals(True)
        self.action_table.insertRow(row)
        values = ((action.text, self.people.get(action.owner, action.owner),
                   format_date(action.due)) if action else ("", "", ""))
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            if column == 1 and action is not None:
                item.setData(OWNER_ROLE, action.owner)
            if action is not None and action.action_id:
                # Already in the family's plan: changed there, not here.
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setData(Qt.ItemDataRole.UserRole, action.action_id)
            self.action_table.setItem(row, column, item)
        self.action_table.blockSignals(False)
        self.changed.emit()

    def _add_blank_action(self) -> None:
        self.add_action()
        self.action_table.setCurrentCell(self.action_table.rowCount() - 1, 0)

    def _remove_action(self) -> None:
        row = self.action_table.currentRow()
        item = self.action_table.item(row, 0) if row >= 0 else None
        if item is None or item.data(Qt.ItemDataRole.UserRole):
            return
        self.action_table.removeRow(row)
        self.changed.emit()

    def set_form(self, form: ReviewForm | None) -> None:
        form = form or ReviewForm()
        self.blockSignals(True)
        self.summary.setPlainText(form.summary)
        self.working_well.setPlainText(form.working_well)
        self.worried.setPlainText(form.worried)
        self.decisions.setPlainText(form.decisions)
        self.scaling.setValue(NOT_SET if form.scaling is None else form.scaling)
        self.next_review.set_iso(form.next_review)
        self.new_owner.setCurrentIndex(max(0, self.new_owner.findData(form.new_case_owner)))
        self.action_table.setRowCount(0)
        for action in form.actions:
            self.add_action(action)
        self.blockSignals(False)

    def form(self) -> ReviewForm:
        actions = []
        for row in range(self.action_table.rowCount()):
            cells = [self.action_table.item(row, c) for c in range(3)]
            texts = [c.text() if c is not None else "" for c in cells]
            action_id = cells[0].data(Qt.ItemDataRole.UserRole) if cells[0] else ""
            if not any(t.strip() for t in texts):
                continue
            actions.append(ActionForm(texts[0], self._owner(cells[1]), due_iso(texts[2]),
                                      str(action_id or "")))
        scaling = self.scaling.value()
        return ReviewForm(self.summary.toPlainText(), self.working_well.toPlainText(),
                          self.worried.toPlainText(), self.decisions.toPlainText(),
                          None if scaling == NOT_SET else scaling,
                          # A refused date goes as typed, for the services to refuse too.
                          self.next_review.iso() or self.next_review.text().strip(),
                          tuple(actions), str(self.new_owner.currentData() or ""))

    def set_people(self, people: dict[str, str], owners: list[str]) -> None:
        """Colleagues (username -> full name) for the action owners, and those of them who
        may be appointed case owner."""
        self.people = dict(people)
        self.new_owner.blockSignals(True)
        self.new_owner.clear()
        self.new_owner.addItem("No change", "")
        for username in sorted(owners, key=lambda u: (people.get(u) or u).casefold()):
            self.new_owner.addItem(people.get(username, "a colleague"), username)
        self.new_owner.blockSignals(False)

    def _owner(self, cell: QTableWidgetItem | None) -> str:
        """The owner's username when the cell still shows the name it was given; what was
        typed otherwise (a full name the service resolves, or a username)."""
        if cell is None:
            return ""
        username = cell.data(OWNER_ROLE)
        if username and self.people.get(str(username), str(username)) == cell.text():
            return str(username)
        typed = cell.text().strip()
        found = [u for u, name in self.people.items() if name.casefold() == typed.casefold()]
        return found[0] if len(found) == 1 else typed

    def set_read_only(self, read_only: bool) -> None:
        for edit in (self.summary, self.working_well, self.worried, self.decisions):
            edit.setReadOnly(read_only)
        self.next_review.set_read_only(read_only)
        self.scaling.setReadOnly(read_only)
        self.new_owner.setEnabled(not read_only)
        self.add_action_button.setEnabled(not read_only)
        self.remove_action_button.setEnabled(not read_only)
        self.action_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if read_only
                                     else QAbstractItemView.EditTrigger.AllEditTriggers)
        # Looks read-only too: the fields take the window's colour, not the editable base.
        palette = self.palette()
        if read_only:
            palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
        for widget in (self.summary, self.working_well, self.worried, self.decisions,
                       self.next_review, self.scaling, self.action_table):
            widget.setPalette(palette)
        self.read_only = read_only


class SessionView(QWidget):
    """One session; `back_requested` returns to the board."""

    back_requested = Signal()
    loaded = Signal()
    saved = Signal(str)       # family id whose review was recorded
    finished = Signal()
    failed = Signal(str)

    def __init__(self, run: Runner, session_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._run = run
        self.session_id = session_id
        self.meeting: Meeting | None = None
        self.family_id = ""
        self.confirm: Callable[[str], bool] = self._ask
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.back_button = QPushButton("Back to the board")
        self.heading = QLabel()
        self.heading.setObjectName("pageTitle")
        self.heading.setWordWrap(True)
        head.addWidget(self.back_button)
        head.addWidget(self.heading, 1)
        layout.addLayout(head)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Message")
        layout.addWidget(self.message)
        body = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(QLabel("Agenda (drag to reorder)"))
        self.agenda = QListWidget()
        self.agenda.setAccessibleName("Agenda")
        self.agenda.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.agenda.model().rowsMoved.connect(lambda *_: self._save_order())
        self.agenda.currentItemChanged.connect(self._family_chosen)
        left.addWidget(self.agenda, 1)
        moves = QHBoxLayout()
        self.up_button = QPushButton("Move up")
        self.down_button = QPushButton("Move down")
        moves.addWidget(self.up_button)
        moves.addWidget(self.down_button)
        left.addLayout(moves)
        self.family_choice = QComboBox()
        self.family_choice.setAccessibleName("Family to add")
        self.add_button = QPushButton("Add to agenda")
        left.addWidget(self.family_choice)
        left.addWidget(self.add_button)
        body.addLayout(left, 1)
        right = QVBoxLayout()
        self.family_title = QLabel()
        self.family_title.setObjectName("sectionTitle")
        right.addWidget(self.family_title)
        self.signed_off = QLabel()
        self.signed_off.setWordWrap(True)
        self.signed_off.setAccessibleName("Signed off")
        self.signed_off.hide()
        right.addWidget(self.signed_off)
        self.form = ReviewFormWidget()
        # The form scrolls in its own box: laid out whole it was taller than a 1366x768 screen
        # at 125%, and the window grew past the bottom of the screen.
        self.form_box = QScrollArea()
        self.form_box.setWidgetResizable(True)
        self.form_box.setFrameShape(QFrame.Shape.NoFrame)
        self.form_box.setAccessibleName("Review form")
        self.form_box.setWidget(self.form)
        right.addWidget(self.form_box, 1)
        actions = QHBoxLayout()
        self.save_button = QPushButton("Save review")
        self.finish_button = QPushButton("Finish and sign off…")
        self.minutes_button = QPushButton("Minutes…")
        actions.addWidget(self.save_button)
        actions.addStretch(1)
        actions.addWidget(self.minutes_button)
        actions.addWidget(self.finish_button)
        right.addLayout(actions)
        body.addLayout(right, 3)
        self.context = FamilyContextPane()
        body.addWidget(self.context, 2)
        layout.addLayout(body, 1)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self._loading = False
        self.form.changed.connect(self._edited)
        self.back_button.clicked.connect(self._back)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.add_button.clicked.connect(self._add_family)
        self.save_button.clicked.connect(self.save_review)
        self.finish_button.clicked.connect(self.finish)
        self.minutes_button.clicked.connect(self.show_minutes)
        self.failed.connect(self._show_error)
        name_controls(self)

    # --- loading ---------------------------------------------------------------------------
    def reload(self) -> None:
        sid = self.session_id

        def load(s: Session) -> tuple[Meeting, list[tuple[str, str]], list[str]]:
            return (supervision.meeting(s, sid),
                    [(f.family_id, f.name) for f in s.families.all()],
                    [p.username for p in s.case_owners.candidates()])

        self._run(load, self._loaded, self.failed.emit)

    def _loaded(self, result: tuple[Meeting, list[tuple[str, str]], list[str]]) -> None:
        found, families, owners = result
        self.meeting = found
        self.heading.setText(
            f"Group supervision on {format_date(found.held_on)} · chaired by "
            f"{found.name(found.chair)} · attendees: "
            f"{', '.join(found.name(a) for a in found.attendees)}"
            + (" · finished and signed off" if found.finished else ""))
        self.form.set_people(found.people, owners)
        current = self.family_id
        self.agenda.blockSignals(True)
        self.agenda.clear()
        for item in found.agenda:
            review = found.reviews.get(item.family_id)
            mark = f" - reviewed ({review.status})" if review else ""
            row = QListWidgetItem(f"{item.name}{mark}")
            row.setData(Qt.ItemDataRole.UserRole, item.family_id)
            self.agenda.addItem(row)
        self.agenda.blockSignals(False)
        on_agenda = {i.family_id for i in found.agenda}
        self.family_choice.clear()
        for fid, name in families:
            if fid not in on_agenda:
                self.family_choice.addItem(name, fid)
        for control in (self.add_button, self.family_choice, self.up_button, self.down_button,
                        self.finish_button, self.save_button):
            control.setEnabled(not found.finished)
        self.agenda.setDragEnabled(not found.finished)
        self.form.set_read_only(found.finished)
        ids = [i.family_id for i in found.agenda]
        self.select_family(current if current in ids else (ids[0] if ids else ""))
        self.loaded.emit()

    def select_family(self, family_id: str) -> None:
        for row in range(self.agenda.count()):
            if self.agenda.item(row).data(Qt.ItemDataRole.UserRole) == family_id:
                self.agenda.setCurrentRow(row)
                self._show_family(family_id)
                return
        self._show_family("")

    def _family_chosen(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self._show_family(str(current.data(Qt.ItemDataRole.UserRole)))

    def _show_family(self, family_id: str) -> None:
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self.save_draft()
        self.family_id = family_id
        found = self.meeting
        item = next((i for i in found.agenda if i.family_id == family_id), None) \
            if found else None
        self.family_title.setText(f"{item.name} ({item.reference})" if item else
                                  "No family chosen")
        self.form.setEnabled(item is not None)
        self.form.clear_field_errors()
        self.context.show_context(None)
        if item is not None:
            self._run(lambda s: family_context(s, family_id),
                      lambda found: self._context(family_id, found), self.failed.emit)
        review = found.reviews.get(family_id) if found and item else None
        self._loading = True
        self.form.set_form(review.form if review else None)
        self._loading = False
        signed = review is not None and review.status == "final" and found is not None
        self.form.set_read_only(bool(found and found.finished) or signed)
        self.signed_off.setVisible(signed)
        if signed and review is not None and found is not None:
            at = review.signed_off_at
            self.signed_off.setText(f"Signed off by {found.name(review.signed_off_by)} on "
                                    f"{format_date(at)} at {at[11:16]} - this review can "
                                    "no longer be changed.")
        if item is None or (found is not None and found.finished):
            return
        sid = self.session_id
        self._run(lambda s: review_drafts.review_draft(s, sid, family_id),
                  lambda draft: self._restore(family_id, draft), self.failed.emit)

    def _context(self, family_id: str, found: FamilyContext) -> None:
        if family_id == self.family_id:
            self.context.show_context(found)

    def _restore(self, family_id: str, draft: ReviewForm | None) -> None:
        if draft is None or family_id != self.family_id:
            return
        self._loading = True
        self.form.set_form(draft)
        self._loading = False
        self.message.setText("Restored your unsaved changes to this review.")

    # --- editing ---------------------------------------------------------------------------
    def _edited(self) -> None:
        if not self._loading and self.family_id:
            self._draft_timer.start()

    def save_draft(self) -> None:
        if not self.family_id or (self.meeting and self.meeting.finished):
            return
        sid, fid, form = self.session_id, self.family_id, self.form.form()
        self._run(lambda s: review_drafts.save_review_draft(s, sid, fid, form),
                  lambda _draft_id: None, self.failed.emit)

    def save_review(self) -> None:
        if not self.family_id:
            return
        self._draft_timer.stop()
        refused = refused_date(self.form) or refused_due(self.form.action_table)
        if refused:   # said in the message line and under the field, as other refusals are
            self.message.setText(refused)
            self.form.show_field_error(refused)
            return
        sid, fid, form = self.session_id, self.family_id, self.form.form()

        def save(s: Session) -> str:
            review_id = supervision.record_review(s, sid, fid, form)
            review_drafts.discard_review_draft(s, sid, fid)
            return review_id

        def failed(message: str) -> None:
            self.form.show_field_error(message)
            self.failed.emit(message)

        def done(_review_id: str) -> None:
            self.form.clear_field_errors()
            self.message.setText("Review saved; its actions are in the family's plan.")
            self.saved.emit(fid)
            self.reload()

        self._run(save, done, failed)

    def finish(self) -> None:
        if not self.confirm("Finish the session? Every review becomes final, signed off by "
                            "you, and can no longer be changed here."):
            return
        sid = self.session_id

        def done(count: int) -> None:
            self.message.setText(f"Session finished: {count} review"
                                 f"{'s' if count != 1 else ''} signed off.")
            self.finished.emit()
            self.reload()

        self._run(lambda s: supervision.finish(s, sid), done, self.failed.emit)

    def _move(self, step: int) -> None:
        row = self.agenda.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.agenda.count():
            return
        item = self.agenda.takeItem(row)
        self.agenda.insertItem(target, item)
        self.agenda.setCurrentRow(target)
        self._save_order()

    def _save_order(self) -> None:
        order = [str(self.agenda.item(r).data(Qt.ItemDataRole.UserRole))
                 for r in range(self.agenda.count())]
        sid = self.session_id
        self._run(lambda s: supervision.reorder(s, sid, order), lambda _r: self.reload(),
                  self.failed.emit)

    def _add_family(self) -> None:
        fid = self.family_choice.currentData()
        if not fid:
            return
        sid = self.session_id
        self.family_id = str(fid)
        self._run(lambda s: supervision.add_family(s, sid, str(fid)), lambda _r: self.reload(),
                  self.failed.emit)

    # --- minutes ---------------------------------------------------------------------------
    def show_minutes(self) -> None:
        sid = self.session_id

        def build(s: Session) -> bytes:
            from workbook.reports.supervision_minutes import render_minutes

            return render_minutes(supervision.meeting(s, sid),
                                  printed_by=s.user.full_name or s.user.username,
                                  printed_at=s.clock().astimezone())

        self._run(build, self._preview, self.failed.emit)

    def _preview(self, pdf: bytes) -> None:
        sid = self.session_id

        def audit(event: str) -> None:
            self._run(lambda s: supervision.record_minutes_output(s, sid, event),
                      lambda _r: None, self.failed.emit)

        def saved(_path: Path) -> None:
            audit("save_pdf")

        print_preview.show_print_preview(
            self, pdf, "Group supervision minutes", on_printed=lambda: audit("print"),
            on_saved=saved, suggested_name="supervision-minutes.pdf")

    # --- helpers ---------------------------------------------------------------------------
    def _back(self) -> None:
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self.save_draft()
        self.back_requested.emit()

    def _show_error(self, message: str) -> None:
        self.message.setText(message)

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(self, "Finish the session", question)
        return answer == QMessageBox.StandardButton.Yes

    def clear(self) -> None:
        """On lock: keep what was typed since the last draft (the save is queued before the
        lock, on the same worker), then forget everything shown."""
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self.save_draft()
        self.meeting = None
        self.family_id = ""
        self.agenda.clear()
        self.family_choice.clear()
        self._loading = True
        self.form.set_form(None)
        self._loading = False
        self.heading.clear()
        self.message.clear()
