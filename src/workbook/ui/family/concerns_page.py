"""Concerns, abstraction and consent in the family workbook (issue 15).

The "Concerns" page lists the concerns of the family that this person may read, each with its
six steps (who, when, what was found or decided, or why a step was skipped) and buttons to
raise one, record its next step, or close it. A restricted entry's reading pane gets "Abstract
into a core section…"; the household gets "Consent…" for the selected person, listing their
consent decisions newest first (the status in words, never colour alone). Each reads and
writes through the view's worker (`context.run`); the hooks at the end keep the view, the
chronology page and the household panel changing by a line or two each."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from workbook.domain.concerns import STEP_TITLES
from workbook.domain.roles import CORE_SECTIONS, Section
from workbook.services.family.chronology import ChronologyRow, section_title
from workbook.services.family.concerns import ConcernShown
from workbook.services.session import Session
from workbook.services.sharing.consents import ConsentShown
from workbook.ui.family.common import accessible, fmt_stamp
from workbook.ui.family.concern_dialogs import (
    AbstractDialog,
    CloseConcernDialog,
    RaiseConcernDialog,
    RecordConsentDialog,
    StepDialog,
)
from workbook.ui.family.context import FamilyContext
from workbook.ui.family.models.chronology_model import CHRONOLOGY_ROW_ROLE
from workbook.ui.widgets.flow import wrap_lines

if TYPE_CHECKING:
    from workbook.ui.family.chronology_page import ChronologyPage
    from workbook.ui.family.household_panel import HouseholdPanel
    from workbook.ui.family.view import FamilyWorkbookView

CONCERNS = "concerns"
STATE_WORDS = {"open": "Open", "shared": "Shared", "closed": "Closed"}
CONCERN_ROLE = 0x0100 + 7


def concern_html(c: ConcernShown) -> str:
    """A concern and its steps as the page shows them."""
    e = html.escape
    parts = [f"<p><b>{e(c.person_name or 'A person of the household')}</b> · "
             f"{e(STATE_WORDS[c.state])} · {e(section_title(c.section))}</p>",
             f"<p>{e(c.record.text)}</p>",
             f"<p><i>Raised by {e(c.raised_by_name)} on {fmt_stamp(c.raised_at)}</i></p><ol>"]
    for step in c.steps():
        what = e(step["note"]) if step["note"] else f"Skipped: {e(step['skipped'])}"
        parts.append(f"<li><b>{e(step['title'])}</b> - {e(step['by_name'])}, "
                     f"{fmt_stamp(str(step['at']))}<br>{what}</li>")
    parts.append("</ol>")
    if c.next_step is not None:
        parts.append(f"<p>Next: step {c.next_step}, {e(STEP_TITLES[c.next_step])}.</p>")
    if c.state == "closed":
        parts.append(f"<p>Closed: {e(c.record.closed_reason)}</p>")
    return "".join(parts)


class ConcernsPage(QWidget):
    """The family's concerns that this person may read."""

    def __init__(self, context: FamilyContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.concerns: list[ConcernShown] = []
        self._family: str | None = None
        layout = QVBoxLayout(self)
        title = QLabel("Concerns and the six steps of sharing information", self)
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        layout.addWidget(title)
        self.list = QListWidget(self)
        accessible(self.list, "Concerns")
        wrap_lines(self.list)
        layout.addWidget(self.list, 1)
        self.detail = QTextBrowser(self)
        accessible(self.detail, "The selected concern and its steps")
        layout.addWidget(self.detail, 2)
        row = QHBoxLayout()
        self.raise_button = QPushButton("Raise a concern…", self)
        self.step_button = QPushButton("Record step…", self)
        self.close_button = QPushButton("Close concern…", self)
        for button in (self.raise_button, self.step_button, self.close_button):
            accessible(button, button.text().rstrip("…"))
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.list.currentRowChanged.connect(lambda _: self._show())
        self.raise_button.clicked.connect(self._raise)
        self.step_button.clicked.connect(self._step)
        self.close_button.clicked.connect(self._close)
        self._show()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Concerns are read when the page is looked at, not with every opening."""
        super().showEvent(event)
        self.refresh()

    # --- data ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the family's concerns again; the reading is audited the first time only."""
        family_id = self.context.family_id
        if family_id is None:
            return
        audit = family_id != self._family
        self._family = family_id

        def read(s: Session) -> list[ConcernShown]:
            return s.concerns.of_family(family_id, audit=audit)

        self.context.run(read, lambda found: self.set_concerns(family_id, found))

    def set_concerns(self, family_id: str, concerns: list[ConcernShown]) -> None:
        if family_id != self.context.family_id:
            return
        chosen = self.selected()
        self.concerns = concerns
        self.list.blockSignals(True)
        self.list.clear()
        for c in concerns:
            item = QListWidgetItem(f"{c.person_name or 'A person'} - {STATE_WORDS[c.state]} - "
                                   f"{c.record.text.splitlines()[0][:80]}")
            item.setData(CONCERN_ROLE, c.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        ids = [c.id for c in concerns]
        self.list.setCurrentRow(ids.index(chosen.id) if chosen and chosen.id in ids else
                                (0 if ids else -1))
        self._show()

    def selected(self) -> ConcernShown | None:
        row = self.list.currentRow()
        return self.concerns[row] if 0 <= row < len(self.concerns) else None

    def _show(self) -> None:
        c = self.selected()
        self.detail.setHtml(concern_html(c) if c else
                            "<p>No concern chosen. A concern you raise is kept in the section "
                            "you choose: only its readers see it.</p>")
        can_step = c is not None and c.next_step is not None
        self.step_button.setEnabled(can_step)
        self.step_button.setText(f"Record step {c.next_step}…" if can_step and c else
                                 "Record step…")
        self.close_button.setEnabled(c is not None and c.state != "closed")

    def wipe(self) -> None:
        self.concerns = []
        self._family = None
        self.list.clear()
        self.detail.clear()
        self._show()

    # --- writing ---------------------------------------------------------------------------
    def _form(self, dialog: Any, work: Any) -> None:
        page_form(self.context, dialog, work)

    def _raise(self) -> None:
        snapshot = self.context.snapshot
        family_id = self.context.family_id
        if snapshot is None or family_id is None:
            return
        persons = [(str(p.id), str(p.payload.get("name", ""))) for p in snapshot.persons]
        restricted = [s for s in snapshot.readable if Section(s) not in CORE_SECTIONS]
        sections = restricted + [s for s in snapshot.readable if s not in restricted]
        self._form(RaiseConcernDialog(persons, sections, self),
                   lambda s, v: s.concerns.add(family_id, v["person"], v["section"],
                                               v["text"]))

    def _step(self) -> None:
        c = self.selected()
        if c is None or c.next_step is None:
            return
        self._form(StepDialog(c.next_step, self),
                   lambda s, v: s.concerns.step(c.id, v["step"], note=v["note"],
                                                skipped=v["skipped"]))

    def _close(self) -> None:
        c = self.selected()
        if c is not None:
            self._form(CloseConcernDialog(self),
                       lambda s, v: s.concerns.close(c.id, v["reason"]))


# --- abstraction, from a restricted entry's reading pane ------------------------------------
def add_abstract_button(page: ChronologyPage, row: QHBoxLayout) -> QPushButton:
    """"Abstract into a core section…" beside the page's buttons, enabled for an entry of a
    restricted section that this person reads (a sealed one is not theirs to summarise)."""
    button = QPushButton("Abstract into a core section…", page)
    accessible(button, "Abstract the selected entry into a core section",
               "Write a summary for the whole team; the entry itself stays sealed")
    row.insertWidget(0, button)

    def chosen() -> ChronologyRow | None:
        rows = page.table.selectionModel().selectedRows()
        found = rows[0].data(CHRONOLOGY_ROW_ROLE) if rows else None
        if isinstance(found, ChronologyRow) and not found.sealed and \
                Section(found.section) not in CORE_SECTIONS:
            return found
        return None

    def update(*_: object) -> None:
        button.setEnabled(chosen() is not None)

    def start() -> None:
        entry = chosen()
        snapshot = page.context.snapshot
        if entry is None or snapshot is None:
            return
        core: list[str] = [s.value for s in CORE_SECTIONS if s.value in snapshot.readable]
        family_id = page.context.family_id

        def ready(found: list[ConcernShown]) -> None:
            concerns = [(c.id, f"{c.person_name}: {c.record.text.splitlines()[0][:60]}")
                        for c in found if c.state == "open" and c.next_step == 6]
            dialog = AbstractDialog(section_title(entry.section), core, concerns, page)
            page_form(page.context, dialog, lambda s, v: s.abstractions.abstract(
                entry.entry_id, v["section"], v["text"], concern_id=v["concern"]),
                "The summary was written; the entry itself stays sealed.")

        if family_id is not None:
            page.context.run(lambda s: s.concerns.of_family(family_id, audit=False), ready)

    page.table.selectionModel().selectionChanged.connect(update)
    page.model.modelReset.connect(update)
    button.clicked.connect(start)
    update()
    return button


def page_form(context: FamilyContext, dialog: Any, work: Any, done_text: str = "",
              after: Callable[[], None] | None = None) -> None:
    """Open a form; on submit run `work(session, values)` on the worker, then close it (and
    tell `done_text`, and call `after`)."""
    context.track(dialog)

    def submit(values: dict[str, Any]) -> None:
        dialog.busy()

        def done(_: object) -> None:
            dialog.accept()
            if done_text:
                context.notify(done_text)
            if after is not None:
                after()

        context.run(lambda s: work(s, values), done, dialog.show_error)

    dialog.submitted.connect(submit)
    dialog.open()


# --- consent, from the household ------------------------------------------------------------
def consent_line(c: ConsentShown) -> str:
    """A consent decision in words: the status is spelled out, not shown by colour."""
    line = f"{fmt_stamp(c.at)} - {c.record.status.capitalize()} - for {c.record.purpose}"
    if c.record.scope:
        line += f" ({c.record.scope})"
    line += f" - recorded by {c.by_name}"
    return line + (f", {c.record.how}" if c.record.how else "")


class ConsentDialog(QDialog):
    """A person's consent decisions, newest first, and "Record consent…"."""

    def __init__(self, context: FamilyContext, person_id: str, name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.person_id = person_id
        self.setWindowTitle(f"Consent: {name}")
        layout = QVBoxLayout(self)
        self.list = QListWidget(self)
        accessible(self.list, f"Consent decisions of {name}, newest first")
        wrap_lines(self.list)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.record = QPushButton("Record consent…", self)
        accessible(self.record, "Record consent")
        done = QPushButton("Close", self)
        row.addWidget(self.record)
        row.addStretch(1)
        row.addWidget(done)
        layout.addLayout(row)
        self.record.clicked.connect(lambda: page_form(
            context, RecordConsentDialog(name, self),
            lambda s, v: s.consents.record(person_id, v["status"], v["purpose"], v["scope"],
                                           v["how"]), "", self.reload))
        done.clicked.connect(self.accept)
        self.finished.connect(lambda _: self.list.clear())  # no case text outlives it
        self.resize(620, 320)
        self.reload()

    def reload(self) -> None:
        self.context.run(lambda s: s.consents.of_person(self.person_id), self.show_consents)

    def show_consents(self, found: list[ConsentShown]) -> None:
        self.list.clear()
        for c in found:
            self.list.addItem(consent_line(c))
        if not found:
            self.list.addItem("No consent recorded yet.")


def add_consent_button(panel: HouseholdPanel, row: QHBoxLayout) -> QPushButton:
    """"Consent…" for the selected household member."""
    button = QPushButton("Consent…", panel)
    accessible(button, "Consent of the selected person")
    row.insertWidget(1, button)

    def start() -> None:
        person = panel._selected()
        if person is None:
            return
        dialog = ConsentDialog(panel.context, str(person["id"]), str(person.get("name", "")),
                               panel)
        panel.context.track(dialog)
        panel.consent_dialog = dialog
        dialog.open()

    def update(*_: object) -> None:
        button.setEnabled(panel._selected() is not None)

    panel.table.selectionModel().selectionChanged.connect(update)
    panel.model.modelReset.connect(update)
    button.clicked.connect(start)
    update()
    return button


def add_concerns_page(view: FamilyWorkbookView) -> ConcernsPage:
    """The "Concerns" page in the family view's stack (its navigator item is added with the
    sections')."""
    page = ConcernsPage(view, view.stack)
    view.pages[CONCERNS] = page
    view.stack.addWidget(page)
    return page
