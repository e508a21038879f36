"""Home: my families, overdue actions, recently changed; the search box finds families and
persons as you type, tolerant of accents and hyphens, and opens a family with Enter or a
double-click; home follows changes; the administrator sees no family names and finds nothing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from shell_support import (
    MARKER,
    MARKER_FAMILY,
    PASSES,
    Team,
    all_texts,
    assert_nothing_of,
    sign_in_to_home,
)

from workbook.services.home.overview import ADMIN_NOTE
from workbook.ui.main_window import MainWindow
from workbook.ui.models import FAMILY_ID_ROLE


def _results(window: MainWindow) -> list[str]:
    model = window.home_page.search_model
    return [str(model.index(r, 0).data()) for r in range(model.rowCount())]


def _type(qtbot: Any, window: MainWindow, text: str) -> list[str]:
    box = window.home_page.search_box
    box.clear()
    qtbot.keyClicks(box, text)
    return _results(window)


def test_home_panels(qtbot: Any, window: MainWindow, team: Team) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    qtbot.waitUntil(lambda: window.home_page.recent_model.rowCount() > 0, timeout=10_000)
    page = window.home_page
    mine = page.my_families_model
    assert [mine.index(r, mine.COL_NAME).data() for r in range(mine.rowCount())] == [
        MARKER_FAMILY]
    assert mine.index(0, mine.COL_MINE).data() == "Case owner and plan action"
    actions = page.actions_model
    assert actions.rowCount() == 1
    assert actions.index(0, actions.COL_ACTION).data() == f"Chase {MARKER} school report"
    assert actions.index(0, actions.COL_DUE).data() == "10/01/2026"
    recent = page.recent_model
    assert {recent.index(r, 0).data() for r in range(recent.rowCount())} == {
        MARKER_FAMILY, "The Smith-Jones family"}
    assert page.conflicts_model.rowCount() == 0
    assert page.conflicts_panel.empty.text() == "No conflicting versions to merge."
    qtbot.waitUntil(lambda: page.due_reviews_model.rowCount() > 0, timeout=10_000)
    due = page.due_reviews_model
    assert [due.index(r, due.COL_NAME).data() for r in range(due.rowCount())] == [MARKER_FAMILY]
    assert due.index(0, due.COL_NEXT).data() == "Never reviewed"
    assert page.time_limits_model.rowCount() == 0
    assert page.time_limits_panel.empty.text() == "No time limit is at risk or breached."
    assert page.families_panel.count.text() == "1"


def test_home_shows_a_breached_referral_time_limit(qtbot: Any, window: MainWindow,
                                                   team: Team) -> None:
    """An assessment completed a month ago and never followed by a referral: the 10
    working-day limit is breached, and home says so for the case owner."""
    from datetime import timedelta

    from workbook.services.access.sign_in import sign_in
    from workbook.services.clock import civil_date, system_clock
    from workbook.services.family.milestones import record_assessment_completed

    with sign_in(team.vault, "sw1", PASSES["sw1"]) as session:
        record_assessment_completed(session, team.marker_family,
                                    (civil_date(system_clock()) - timedelta(days=30)).isoformat())
    sign_in_to_home(qtbot, window, "sw1")
    page = window.home_page
    qtbot.waitUntil(lambda: page.time_limits_model.rowCount() > 0, timeout=10_000)
    limits = page.time_limits_model
    assert limits.index(0, limits.COL_FAMILY).data() == MARKER_FAMILY
    assert limits.index(0, limits.COL_LIMIT).data() == "Referral after assessment"
    assert limits.index(0, limits.COL_STATE).data() == "Breached"
    assert limits.index(0, 0).data(FAMILY_ID_ROLE) == team.marker_family


def test_the_next_sign_in_reads_its_stored_digest_in_steps_and_shows_what_changed(
        qtbot: Any, window: MainWindow, team: Team) -> None:
    """The second sign-in's home reads the board digest the first one stored, a page per
    worker job (issue 19), folds in what a colleague did meanwhile, and shows it."""
    from datetime import timedelta

    from shell_support import lock_and_wait

    from workbook.services.access.sign_in import sign_in
    from workbook.services.clock import civil_date, system_clock
    from workbook.services.family.milestones import record_assessment_completed
    from workbook.services.supervision import board_digest

    sign_in_to_home(qtbot, window, "sw1")
    page = window.home_page
    qtbot.waitUntil(lambda: page.due_reviews_model.rowCount() > 0, timeout=10_000)
    assert page.time_limits_model.rowCount() == 0
    lock_and_wait(qtbot, window)
    with sign_in(team.vault, "sw1", PASSES["sw1"]) as session:
        assert isinstance(board_digest.work_needed(session), board_digest.Load)
        record_assessment_completed(session, team.marker_family,
                                    (civil_date(system_clock()) - timedelta(days=30)).isoformat())
    sign_in_to_home(qtbot, window, "sw1")
    qtbot.waitUntil(lambda: page.time_limits_model.rowCount() > 0, timeout=10_000)
    limits = page.time_limits_model
    assert limits.index(0, limits.COL_STATE).data() == "Breached"
    assert page.due_reviews_model.rowCount() == 1


def test_search_is_tolerant_of_accents_and_hyphens(qtbot: Any, window: MainWindow) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    assert window.home_page.body.currentWidget() is window.home_page.dashboard
    found = _type(qtbot, window, "zoe")
    assert len(found) == 1 and found[0].startswith(f"Zoë {MARKER}")
    assert window.home_page.body.currentWidget() is window.home_page.results
    found = _type(qtbot, window, "smith")
    assert found[0].startswith("The Smith-Jones family")
    assert any(r.startswith("Ann Smith-Jones") for r in found)
    assert _type(qtbot, window, "02/03/2015")[0].startswith(f"Zoë {MARKER}")
    # By address: Ann Smith-Jones lives at 4 Mill Lane; her family is found through her.
    assert _type(qtbot, window, "mill lane") == [
        "The Smith-Jones family  ·  family  ·  NU-0002",
        "Ann Smith-Jones  ·  in The Smith-Jones family (NU-0002)  ·  born 11/04/1985, mother"]
    assert _type(qtbot, window, "xyzzy") == []
    assert window.home_page.results_count.text() == "Nothing found."
    qtbot.keyClick(window.home_page.search_box, Qt.Key.Key_Escape)
    assert window.home_page.search_box.text() == ""
    assert window.home_page.body.currentWidget() is window.home_page.dashboard


def test_a_first_sign_in_adds_closed_families_to_search_once_a_person_searches(
        qtbot: Any, window: MainWindow, team: Team) -> None:
    """A first sign-in leaves the closed families unread (issue 19): search covers the open
    ones, says how many closed ones it is adding once a person searches, then finds them,
    flagged closed."""
    from workbook.services.access.sign_in import sign_in

    with sign_in(team.vault, "tm", PASSES["tm"]) as s:
        s.retention.close(team.other_family, "early-help")
        s.conn.execute("DELETE FROM meta WHERE key LIKE 'family\\_list.%' ESCAPE '\\'")
    sign_in_to_home(qtbot, window, "sw1")
    page = window.home_page
    assert _type(qtbot, window, "smith") == []
    assert page.results_count.text() == (
        "Nothing found. 1 closed family is being added to the search…")
    qtbot.waitUntil(lambda: _results(window) == [
        "The Smith-Jones family  ·  family  ·  NU-0002  ·  closed"], timeout=10_000)
    assert page.results_count.text().startswith("1 found. Enter opens the first")
    assert _type(qtbot, window, "zoe")[0].startswith(f"Zoë {MARKER}")
    assert "closed" not in page.results_count.text()


def test_enter_in_the_search_box_opens_the_family(qtbot: Any, window: MainWindow,
                                                  team: Team) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    _type(qtbot, window, "zoe quill")
    with qtbot.waitSignal(window.family_opened, timeout=5_000) as opened:
        qtbot.keyClick(window.home_page.search_box, Qt.Key.Key_Return)
    assert opened.args == [team.marker_family]
    assert window.showing_family
    qtbot.waitUntil(lambda: window.ops.pending == 0, timeout=20_000)
    # Alt+Home goes back; the search is still there.
    qtbot.keyClick(window, Qt.Key.Key_Home, Qt.KeyboardModifier.AltModifier)
    assert window.stack.currentWidget() is window.home_page


def test_arrow_down_then_enter_opens_another_result(qtbot: Any, window: MainWindow,
                                                    team: Team) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    _type(qtbot, window, "smith")
    qtbot.keyClick(window.home_page.search_box, Qt.Key.Key_Down)
    view = window.home_page.results_view
    assert view.hasFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    with qtbot.waitSignal(window.family_opened, timeout=5_000) as opened:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert opened.args == [team.other_family]


def test_double_click_in_my_families_opens_it(qtbot: Any, window: MainWindow,
                                              team: Team) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    view = window.home_page.families_panel.view
    assert view is not None
    index = window.home_page.my_families_model.index(0, 0)
    assert index.data(FAMILY_ID_ROLE) == team.marker_family
    rect = view.visualRect(index)
    with qtbot.waitSignal(window.family_opened, timeout=5_000) as opened:
        # QTest's double click needs the press of a first click before it, as a hand makes.
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [team.marker_family]


def test_home_follows_changes(qtbot: Any, window: MainWindow) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    window.ops.run(lambda s: s.families.add("The Larkspur family", "NU-0009"))
    qtbot.waitUntil(lambda: window.home_page.my_families_model.rowCount() == 2,
                    timeout=10_000)
    qtbot.waitUntil(lambda: window.home_page.search_ready and bool(
        window.home_page._index and window.home_page._index.query("larkspur").hits),  # noqa: SLF001
        timeout=10_000)
    assert _type(qtbot, window, "larks")[0].startswith("The Larkspur family")


def test_the_administrator_sees_no_family_and_finds_nothing(qtbot: Any,
                                                            window: MainWindow) -> None:
    sign_in_to_home(qtbot, window, "admin")
    page = window.home_page
    assert page.note.isVisible() and page.note.text() == ADMIN_NOTE
    for text in ("smith", "zoe", "quill", "the", "NU-0001"):
        assert _type(qtbot, window, text) == []
    page.search_box.clear()  # what was typed is not case content; take it away to look
    assert_nothing_of(window, MARKER, "Smith-Jones", "NU-0001")
    assert all(model.rowCount() == 0 for model in (
        page.my_families_model, page.actions_model, page.recent_model, page.conflicts_model))
    # Opening a family by id is refused for the administrator: nothing changes.
    window.open_family("0" * 32)
    assert window.stack.currentWidget() is page
    assert not any("family" in t.casefold() and "Smith" in t for t in all_texts(window))


def test_copy_from_a_list_is_concealed(qtbot: Any, window: MainWindow) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    view = window.home_page.families_panel.view
    assert view is not None
    view.setFocus()
    view.setCurrentIndex(window.home_page.my_families_model.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert window.clipboard.holds_ours()
    from PySide6.QtGui import QGuiApplication

    mime = QGuiApplication.clipboard().mimeData()
    assert MARKER_FAMILY in mime.text()
    assert bytes(mime.data("x-kde-passwordManagerHint").data()) == b"secret"
