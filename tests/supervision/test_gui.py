"""pytest-qt: the supervisor's board and the whole session flow on real widgets, real services
and a real vault (offscreen). Work runs synchronously on the test's own session; the main
window test uses the real worker thread."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from supervision_vault import BoardVault

from support.family_vault import PASSPHRASES
from workbook.services.errors import WorkbookError
from workbook.services.family import milestones
from workbook.services.session import Session
from workbook.services.supervision import meetings as supervision
from workbook.services.supervision import review_drafts
from workbook.ui import print_preview
from workbook.ui.supervision.page import SupervisionPage


def runner(session: Session) -> Callable[..., None]:
    def run(fn: Callable[[Session], Any], on_done: Callable[[Any], None],
            on_error: Callable[[str], None] | None = None) -> None:
        try:
            result = fn(session)
        except WorkbookError as exc:
            if on_error is not None:
                on_error(str(exc))
            return
        on_done(result)

    return run


@pytest.fixture
def tm(bv: BoardVault) -> Iterator[Session]:
    with bv.sign_in("tm") as session:
        yield session


@pytest.fixture
def page(qtbot: Any, tm: Session) -> SupervisionPage:
    made = SupervisionPage(runner(tm))
    qtbot.addWidget(made)
    made.resize(1400, 900)
    made.show()
    made.refresh()
    return made


def _agenda(page: SupervisionPage) -> list[str]:
    view = page.session_view
    assert view is not None
    return [str(view.agenda.item(r).data(Qt.ItemDataRole.UserRole))
            for r in range(view.agenda.count())]


def test_board_shows_due_overdue_limits_and_charts(page: SupervisionPage,
                                                   bv: BoardVault) -> None:
    board = page.board
    due = [board.due.topLevelItem(i).text(0) for i in range(board.due.topLevelItemCount())]
    assert "Adams family" in due and "Brown family" not in due
    owners = {board.overdue.topLevelItem(i).text(0): board.overdue.topLevelItem(i)
              for i in range(board.overdue.topLevelItemCount())}
    assert owners["Sam Worker (1)"].child(0).text(0) == "Arrange the home visit"
    assert owners["Sam Worker (1)"].child(0).text(3) == "10"
    assert owners["Sam Worker (1)"].child(0).text(2) == "20/02/2026"  # dates as dd/mm/yyyy
    assert board.summary.text().startswith("02/03/2026 · ")
    limits = [(board.limits.topLevelItem(i).text(0), board.limits.topLevelItem(i).text(1),
               board.limits.topLevelItem(i).text(3))
              for i in range(board.limits.topLevelItemCount())]
    assert ("Brown family", "Referral (10 working days)", "Breached") in limits
    assert ("Clark family", "Referral (10 working days)", "At risk") in limits
    assert all(state != "On track" for *_, state in limits)
    assert [c.accessibleName() for c in board.charts] == [
        "Caseload by worker", "Overdue actions over the last 12 months",
        "Time-limit compliance by month", "Outcomes by month closed"]
    assert page.sessions.count() == 1  # the February session of the fixture


def test_whole_session_flow(qtbot: Any, page: SupervisionPage, tm: Session, bv: BoardVault,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    ids = bv.ids
    page.ask_start = lambda _colleagues, today: (today, ["sw1"])
    qtbot.mouseClick(page.board.start_button, Qt.MouseButton.LeftButton)
    view = page.session_view
    assert view is not None and view.meeting is not None
    sid = view.session_id
    assert view.meeting.attendees == ["tm", "sw1"]
    agenda = _agenda(page)
    assert ids["Adams"] in agenda and ids["Brown"] not in agenda

    # Reorder with the buttons (the keyboard way), then add any family.
    view.agenda.setCurrentRow(1)
    qtbot.mouseClick(view.up_button, Qt.MouseButton.LeftButton)
    assert _agenda(page) == [agenda[1], agenda[0], *agenda[2:]]
    assert [i.family_id for i in supervision.meeting(tm, sid).agenda] == _agenda(page)
    view.family_choice.setCurrentIndex(view.family_choice.findData(ids["Brown"]))
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert _agenda(page)[-1] == ids["Brown"]

    # Type into Adams's form: the draft is kept encrypted as it is typed.
    view.select_family(ids["Adams"])
    form = view.form
    qtbot.keyClicks(form.summary, "Mum engaging well")
    qtbot.keyClicks(form.worried, "Rent arrears")
    form.scaling.setValue(6)
    qtbot.keyClicks(form.next_review.line, "02/04/2026")  # typed as the screens show dates
    qtbot.mouseClick(form.add_action_button, Qt.MouseButton.LeftButton)
    form.action_table.item(0, 0).setText("Apply for the hardship fund")
    form.action_table.item(0, 1).setText("sw1")
    form.action_table.item(0, 2).setText("9/3/2026")
    qtbot.waitUntil(lambda: review_drafts.review_draft(tm, sid, ids["Adams"]) is not None
                    and review_drafts.review_draft(tm, sid, ids["Adams"]).next_review
                    == "2026-04-02", timeout=5000)

    # Typing just before a lock is kept too: the pending draft is saved as the page clears.
    qtbot.keyClicks(form.decisions, "Refer to the hardship fund")
    assert view._draft_timer.isActive()
    # A lock clears everything; reopening the session restores the unsaved typing.
    page.clear()
    assert page.session_view is None and page.board.board is None
    page.open_session(sid)
    view = page.session_view
    assert view is not None
    view.select_family(ids["Adams"])
    qtbot.waitUntil(lambda: view.form.summary.toPlainText() == "Mum engaging well",
                    timeout=5000)
    assert "Restored your unsaved changes" in view.message.text()
    assert view.form.decisions.toPlainText() == "Refer to the hardship fund"
    assert view.form.form().actions[0].text == "Apply for the hardship fund"
    assert view.form.form().actions[0].due == "2026-03-09"
    assert view.form.next_review.text() == "02/04/2026"

    # Bad input in a field is named, and nothing is recorded.
    view.form.scaling.setValue(-1)
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert "scaling judgement" in view.message.text()
    # ... and under the field it is about (issue 14).
    assert view.form.field_errors[view.form.scaling].isVisible()
    assert "scaling judgement" in view.form.field_errors[view.form.scaling].text()
    view.form.scaling.setValue(6)
    view.form.next_review.clear()
    qtbot.keyClicks(view.form.next_review.line, "next week")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert view.message.text().startswith('Next review date: "next week" is not a date')
    assert view.form.next_review.line.hasFocus() or not view.isActiveWindow()
    view.form.next_review.clear()
    qtbot.keyClicks(view.form.next_review.line, "31/04/2026")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert "April 2026 has only 30 days" in view.message.text()
    view.form.next_review.clear()
    qtbot.keyClicks(view.form.next_review.line, "2026-04-02")
    view.form.action_table.item(0, 1).setText("ghost")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert "no active user 'ghost'" in view.message.text()
    assert "ghost" in view.form.field_errors[view.form.action_table].text()
    assert not view.form.field_errors[view.form.scaling].isVisible()
    assert not supervision.meeting(tm, sid).reviews
    view.form.action_table.item(0, 1).setText("sw1")

    # Save: a draft version in the supervision section, the action in the plan.
    with qtbot.waitSignal(view.saved):
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    review = supervision.meeting(tm, sid).reviews[ids["Adams"]]
    assert review.status == "draft" and review.form.scaling == 6
    assert review_drafts.review_draft(tm, sid, ids["Adams"]) is None
    plan = tm.workbooks.open(ids["Adams"]).to_json()["sections"]["plan"]["actions"]
    assert any(a["text"] == "Apply for the hardship fund" and a["review"] == review.review_id
               and a["owner"] == "sw1" for a in plan)
    view.select_family(ids["Adams"])
    assert not (view.form.action_table.item(0, 0).flags() & Qt.ItemFlag.ItemIsEditable)

    # Finish: the review becomes final, signed off; the form is read-only.
    view.confirm = lambda _question: True
    with qtbot.waitSignal(view.finished):
        qtbot.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
    final = supervision.meeting(tm, sid).reviews[ids["Adams"]]
    assert final.status == "final" and final.signed_off_by == "tm"
    assert view.form.summary.isReadOnly() and not view.save_button.isEnabled()

    # Minutes only through the print preview; printing and saving are audited.
    shown: dict[str, Any] = {}

    def preview(parent: Any, pdf: bytes, title: str, *, on_printed: Any, on_saved: Any,
                suggested_name: str) -> int:
        shown.update(pdf=pdf, title=title, name=suggested_name)
        on_printed()
        on_saved(Path("/chosen/by/the/person.pdf"))
        return 0

    monkeypatch.setattr(print_preview, "show_print_preview", preview)
    qtbot.mouseClick(view.minutes_button, Qt.MouseButton.LeftButton)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(shown["pdf"])).pages)
    assert "Mum engaging well" in text and "Apply for the hardship fund" in text
    assert shown["title"] == "Group supervision minutes"
    events = [e["event"] for e in tm.audit_trail.events()]
    assert "print" in events and "save_pdf" in events


def test_main_window_button_for_supervisors_only(qtbot: Any, bv: BoardVault) -> None:
    from shell_support import lock_and_wait, sign_in_to_home

    from workbook.ui.main_window import MainWindow

    window = MainWindow(bv.path, idle_timeout_ms=10 * 60_000)
    qtbot.addWidget(window)
    window.show()
    try:
        sign_in_to_home(qtbot, window, "sw1", PASSPHRASES["sw1"], wait_search=False)
        assert not window.supervision.button.isVisible()
        lock_and_wait(qtbot, window)
        sign_in_to_home(qtbot, window, "tm", PASSPHRASES["tm"], wait_search=False)
        assert window.supervision.button.isVisible()
        qtbot.mouseClick(window.supervision.button, Qt.MouseButton.LeftButton)
        page = window.supervision.page
        assert page is not None and window.stack.currentWidget() is page
        qtbot.waitUntil(lambda: page.board.board is not None, timeout=20_000)
        assert page.board.due.topLevelItemCount() > 0
        lock_and_wait(qtbot, window)
        assert page.board.board is None and page.board.due.topLevelItemCount() == 0
        assert not window.supervision.button.isVisible()
    finally:
        window.close()


def test_family_time_limits_dialog(qtbot: Any, tm: Session, bv: BoardVault) -> None:
    from workbook.ui.supervision.family_limits import TimeLimitsDialog

    ids = bv.ids
    dialog = TimeLimitsDialog(runner(tm), ids["Davis"])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reload()
    limits = [dialog.limits.topLevelItem(i).text(0)
              for i in range(dialog.limits.topLevelItemCount())]
    # Davis was referred in time; the referral starts the child and family assessment.
    assert limits == ["Monthly review", "Child and family assessment (45 working days)"]
    def standing() -> list[tuple[str, ...]]:
        return [tuple(dialog.limits.topLevelItem(i).text(c) for c in range(4))
                for i in range(dialog.limits.topLevelItemCount())]

    before = standing()
    # Bad input is named and records nothing.
    # The two dates are typed as the screens show dates; one that is not a date is refused
    # at the field, with its reason, and nothing is recorded.
    qtbot.keyClicks(dialog.completed.line, "last Tuesday")
    qtbot.mouseClick(dialog.record_completed, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == dialog.completed.problem()
    assert '"last Tuesday" is not a date' in dialog.message.text()
    assert dialog.completed.line.placeholderText() == "dd/mm/yyyy"
    dialog.completed.clear()
    qtbot.mouseClick(dialog.record_completed, Qt.MouseButton.LeftButton)
    assert "type a date as dd/mm/yyyy" in dialog.message.text()
    dialog.reload()
    assert standing() == before
    qtbot.keyClicks(dialog.referred.line, "5/3/26")
    assert dialog.referred.iso() == "2026-03-05"
    qtbot.mouseClick(dialog.record_referred, Qt.MouseButton.LeftButton)
    assert "in the future" in dialog.message.text()
    qtbot.mouseClick(dialog.mark_urgent, Qt.MouseButton.LeftButton)
    assert "Choose an entry first" in dialog.message.text()
    qtbot.keyClicks(dialog.completed.line, "2026-02-27")
    qtbot.mouseClick(dialog.record_completed, Qt.MouseButton.LeftButton)
    states = {dialog.limits.topLevelItem(i).text(0): dialog.limits.topLevelItem(i).text(3)
              for i in range(dialog.limits.topLevelItemCount())}
    assert states["Referral (10 working days)"] == "On track"
    # Mark a concern urgent, then answer it.
    entry = tm.families.add_entry(ids["Davis"], "case-notes", "Child disclosed a bruise")
    dialog.reload()
    row = next(i for i in range(dialog.entries.topLevelItemCount())
               if dialog.entries.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) == entry)
    dialog.entries.setCurrentItem(dialog.entries.topLevelItem(row))
    asked: list[str] = []
    dialog.confirm = lambda question: asked.append(question) or False   # asks first: "no"
    qtbot.mouseClick(dialog.mark_urgent, Qt.MouseButton.LeftButton)
    assert asked and "24 hours" in asked[0]
    assert not any(c.urgent for c in milestones.concerns(tm, ids["Davis"])
                   if c.entry_id == entry)
    dialog.confirm = lambda _question: True
    qtbot.mouseClick(dialog.mark_urgent, Qt.MouseButton.LeftButton)
    assert "24 hours" in dialog.message.text()
    states = {dialog.limits.topLevelItem(i).text(0): dialog.limits.topLevelItem(i).text(3)
              for i in range(dialog.limits.topLevelItemCount())}
    assert states["Urgent concern (24 hours)"] == "On track"
    qtbot.mouseClick(dialog.record_response, Qt.MouseButton.LeftButton)
    assert "response must not be empty" in dialog.message.text()
    dialog.response.setText("Strategy discussion held with police")
    qtbot.mouseClick(dialog.record_response, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Response recorded."
    labels = [dialog.limits.topLevelItem(i).text(0)
              for i in range(dialog.limits.topLevelItemCount())]
    assert "Urgent concern (24 hours)" not in labels


def _unnamed_or_unreachable(root: Any) -> list[str]:
    """As tests/gui/family/test_family_accessibility.py checks the family workbook."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QGraphicsView,
        QHeaderView,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
        QWidget,
    )

    controls = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QAbstractItemView,
                QPlainTextEdit, QTextEdit, QGraphicsView)
    problems = []
    for w in root.findChildren(QWidget):
        parent = w.parentWidget()
        in_combo = False
        while parent is not None:
            in_combo = in_combo or isinstance(parent, QComboBox)
            parent = parent.parentWidget()
        if not w.isVisibleTo(root) or in_combo:
            continue
        focusable = bool(w.focusPolicy() & Qt.FocusPolicy.TabFocus)
        if (isinstance(w, controls) and not isinstance(w, QHeaderView) and not focusable
                and w.focusProxy() is None):
            problems.append(f"not reachable by Tab: {type(w).__name__} {w.accessibleName()!r}")
        if focusable and not w.accessibleName().strip():
            problems.append(f"no accessible name: {type(w).__name__} in "
                            f"{type(w.parentWidget()).__name__}")
    return problems


def test_every_control_is_named_and_reachable(qtbot: Any, page: SupervisionPage,
                                              tm: Session, bv: BoardVault) -> None:
    from workbook.ui.supervision.family_limits import TimeLimitsDialog
    from workbook.ui.supervision.page import StartSessionDialog

    assert _unnamed_or_unreachable(page) == []
    page.ask_start = lambda _colleagues, today: (today, ["sw1"])
    page.start_session()
    assert page.session_view is not None
    assert _unnamed_or_unreachable(page.session_view) == []
    start = StartSessionDialog(supervision.colleagues(tm), "2026-03-02")
    qtbot.addWidget(start)
    assert _unnamed_or_unreachable(start) == []
    limits = TimeLimitsDialog(runner(tm), bv.ids["Adams"])
    qtbot.addWidget(limits)
    limits.reload()
    assert _unnamed_or_unreachable(limits) == []
    charts = page.board.charts
    assert "Tess Manager: 6" in charts[0].accessibleDescription()


def _edit_due(qtbot: Any, table: Any, row: int) -> Any:
    """Double-click a due cell, as a person does, and return the date field that opens."""
    from workbook.ui.widgets.date_field import DateField

    rect = table.visualItemRect(table.item(row, 2))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: any(f.isVisible() for f in table.findChildren(DateField)),
                    timeout=3000)
    return next(f for f in table.findChildren(DateField) if f.isVisible())


def test_due_dates_of_review_actions_are_typed_as_dates(qtbot: Any, page: SupervisionPage,
                                                        tm: Session, bv: BoardVault) -> None:
    from workbook.ui.supervision.due_cells import refused_due

    page.ask_start = lambda _colleagues, today: (today, ["sw1"])
    qtbot.mouseClick(page.board.start_button, Qt.MouseButton.LeftButton)
    view = page.session_view
    assert view is not None
    sid = view.session_id
    view.select_family(bv.ids["Adams"])
    form = view.form
    table = form.action_table
    qtbot.keyClicks(form.summary, "Reviewed")
    form.scaling.setValue(6)
    qtbot.keyClicks(form.next_review.line, "02/04/2026")
    qtbot.mouseClick(form.add_action_button, Qt.MouseButton.LeftButton)
    table.item(0, 0).setText("Apply for the hardship fund")
    table.item(0, 1).setText("sw1")
    # d/m/yy, said in words while typed; the cell then shows what will be saved.
    field = _edit_due(qtbot, table, 0)
    qtbot.keyClicks(field.line, "9/3/26")
    assert "9 March 2026" in field.reading.text()
    qtbot.keyClick(field.line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not field.isVisible(), timeout=3000)
    assert table.item(0, 2).text() == "09/03/2026"
    assert form.form().actions[0].due == "2026-03-09"
    # An impossible date stays open at the cell with its reason on Enter ...
    field = _edit_due(qtbot, table, 0)
    field.line.selectAll()
    qtbot.keyClicks(field.line, "31/02/2026")
    qtbot.keyClick(field.line, Qt.Key.Key_Return)
    assert field.isVisible() and "February 2026 has only 28 days" in field.reading.toolTip()
    assert table.item(0, 2).text() == "09/03/2026"
    # ... is kept as typed when the cell is left, and Save names it and records nothing.
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=3000)
    qtbot.mouseClick(form.summary.viewport(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: table.item(0, 2).text() == "31/02/2026", timeout=3000)
    assert refused_due(table).startswith("Action 1, due date:")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    assert view.message.text().startswith("Action 1, due date:")
    assert "31/02/2026" in form.field_errors[table].text()
    assert bv.ids["Adams"] not in supervision.meeting(tm, sid).reviews
    # 2026-03-20 typed the ISO way is accepted and saved.
    field = _edit_due(qtbot, table, 0)
    field.line.selectAll()
    qtbot.keyClicks(field.line, "2026-03-20")
    qtbot.keyClick(field.line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.item(0, 2).text() == "20/03/2026", timeout=3000)
    with qtbot.waitSignal(view.saved):
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    plan = tm.workbooks.open(bv.ids["Adams"]).to_json()["sections"]["plan"]["actions"]
    assert any(a["text"] == "Apply for the hardship fund" and a["due"] == "2026-03-20"
               for a in plan)


def test_a_session_starts_on_the_session_clocks_uk_date(qtbot: Any, bv: BoardVault) -> None:
    """At 23:30 UTC on 30 June it is already 1 July in the UK: the session is dated 1 July,
    from the session's clock, whatever this computer's calendar says."""
    from datetime import UTC, datetime

    asked: list[str] = []
    with bv.sign_in("tm", datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) as late:
        made = SupervisionPage(runner(late))
        qtbot.addWidget(made)
        made.ask_start = lambda _colleagues, today: asked.append(today)
        made.refresh()
        qtbot.mouseClick(made.board.start_button, Qt.MouseButton.LeftButton)
    assert asked == ["2026-07-01"]
