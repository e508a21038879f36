"""The front door in the desktop app (issue 15): Home lists the referrals waiting with the time
left in words (red as well when breached); the front door page records a new referral typed
into its form and the triage decision, which links to a family the duplicate search proposes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from shell_support import MARKER, MARKER_FAMILY, PASSES, Team, lock_and_wait, sign_in_to_home

from workbook.services.access.sign_in import sign_in
from workbook.services.clock import civil_zone
from workbook.ui.front_door.dialogs import DecideDialog, NewReferralDialog
from workbook.ui.main_window import MainWindow
from workbook.ui.models.referrals_model import ReferralsModel

LEFT = Qt.MouseButton.LeftButton


def _receive(team: Team) -> None:
    """One referral long overdue, one due within hours, naming the marker family's child."""
    recent = (datetime.now(civil_zone()) - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    with sign_in(team.vault, "sw1", PASSES["sw1"]) as s:
        s.referrals.add(received="2026-11-20 09:30", source="police", concern="Found alone",
                        people=["Leo Park|2019-04-05"])
        s.referrals.add(received=recent, source="school", concern="Bruising seen",
                        people=[f"Zoë {MARKER}|2015-03-02"])


def _cells(model: ReferralsModel, column: int) -> list[str]:
    return [str(model.index(r, column).data()) for r in range(model.rowCount())]


def _stored(team: Team) -> int:
    with sign_in(team.vault, "tm", PASSES["tm"]) as s:
        return len(s.referrals.all())


def test_home_shows_the_referrals_waiting_with_the_time_left_in_words(
        qtbot: Any, window: MainWindow, team: Team) -> None:
    _receive(team)
    sign_in_to_home(qtbot, window, "sw1", wait_search=False)
    area = window.front_door
    model = area.waiting_model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=20_000)
    assert area.home_notice.isVisible() and area.button.isVisible()
    overdue, soon = _cells(model, ReferralsModel.COL_STATE)
    assert overdue.startswith("Overdue by") and soon.endswith("left")
    red = model.index(0, ReferralsModel.COL_STATE).data(Qt.ItemDataRole.ForegroundRole)
    assert isinstance(red, QBrush)
    assert model.index(1, ReferralsModel.COL_STATE).data(Qt.ItemDataRole.ForegroundRole) is None
    lock_and_wait(qtbot, window)
    assert model.rowCount() == 0 and not area.home_notice.isVisible()


def test_a_referral_typed_into_the_form_is_recorded(
        qtbot: Any, window: MainWindow, team: Team) -> None:
    sign_in_to_home(qtbot, window, "sw1", wait_search=False)
    area = window.front_door
    qtbot.mouseClick(area.open_button, LEFT)
    page = area.page
    qtbot.waitUntil(lambda: window.ops.pending == 0, timeout=20_000)
    assert not area.home_notice.isVisible()  # nothing waits: no panel
    qtbot.mouseClick(page.new_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, NewReferralDialog)
    qtbot.keyClicks(dialog.received_date.line, "01/12/2026")
    qtbot.keyClicks(dialog.received_time, "9.30")
    qtbot.keyClicks(dialog.source, "school")
    qtbot.keyClicks(dialog.referrer, "Head teacher")
    qtbot.keyClicks(dialog.concern, "Child arrived hungry")
    qtbot.keyClicks(dialog.people[0].name, "Leo Park")
    qtbot.keyClicks(dialog.people[0].dob.line, "05/04/2019")
    qtbot.mouseClick(dialog.ok, LEFT)
    assert dialog.error.isVisible() and "HH:MM" in dialog.error.body.text()
    assert _stored(team) == 0
    dialog.received_time.clear()
    qtbot.keyClicks(dialog.received_time, "09:30")
    qtbot.mouseClick(dialog.ok, LEFT)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=20_000)
    assert page.dialog is None and "decide by 02/12/2026 09:30" in page.message.text()
    assert _cells(page.model, ReferralsModel.COL_PEOPLE) == ["Leo Park (born 05/04/2019)"]
    # Where it came from is read whole, not cut to "school (Head …" (front-door.png).
    source = _cells(page.model, ReferralsModel.COL_SOURCE)[0]
    assert "Head teacher" in source
    width = page.table.fontMetrics().horizontalAdvance(source)
    assert page.table.columnWidth(ReferralsModel.COL_SOURCE) >= width
    qtbot.waitUntil(lambda: area.waiting_model.rowCount() == 1, timeout=20_000)
    assert area.home_notice.isVisibleTo(window.home_page)


def test_the_decision_links_to_the_family_the_search_proposes(
        qtbot: Any, window: MainWindow, team: Team) -> None:
    _receive(team)
    sign_in_to_home(qtbot, window, "sw1", wait_search=False)
    area = window.front_door
    qtbot.mouseClick(area.button, LEFT)
    page = area.page
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=20_000)
    cell = page.table.visualRect(page.model.index(1, ReferralsModel.COL_PEOPLE)).center()
    qtbot.mouseClick(page.table.viewport(), LEFT, pos=cell)
    assert page.selected() is not None and page.selected().record.source == "school"
    assert page.decide_button.isEnabled()
    qtbot.mouseClick(page.decide_button, LEFT)
    qtbot.waitUntil(lambda: isinstance(page.dialog, DecideDialog), timeout=20_000)
    dialog = page.dialog
    assert isinstance(dialog, DecideDialog)
    assert dialog.link.isChecked()
    assert dialog.family.currentText().startswith(f"{MARKER_FAMILY}: Zoë {MARKER}")
    assert dialog.family.currentData() == team.marker_family
    qtbot.mouseClick(dialog.ok, LEFT)  # no reason yet: refused inside the form
    qtbot.waitUntil(dialog.error.isVisible, timeout=20_000)
    assert "reason" in dialog.error.body.text()
    qtbot.keyClicks(dialog.reason, "Bruising explained by the school nurse")
    qtbot.mouseClick(dialog.ok, LEFT)
    qtbot.waitUntil(lambda: page.dialog is None, timeout=20_000)
    qtbot.waitUntil(lambda: "Decided: No further action" in _cells(
        page.model, ReferralsModel.COL_STATE), timeout=20_000)
    qtbot.waitUntil(lambda: area.waiting_model.rowCount() == 1, timeout=20_000)
