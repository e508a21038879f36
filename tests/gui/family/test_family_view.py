"""The family workbook view over a real vault, the real worker thread and the real policy."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from support.family_vault import MARKER_MH, MARKER_NOTE, MARKER_POLICE, SAFETY_FLAG
from workbook.domain.roles import SECTION_TITLES, Section
from workbook.services.family.drafts import drafts_for
from workbook.ui.family.dialogs import RestrictedEntryDialog
from workbook.ui.family.models.chronology_model import COL_TEXT


def _nav(view) -> list[str]:  # noqa: ANN001
    return [view.navigator.item(i).text() for i in range(view.navigator.count())]


def _chronology_texts(page) -> list[str]:  # noqa: ANN001
    model = page.model
    while model.canFetchMore():
        model.fetchMore()
    return [model.data(model.index(r, COL_TEXT)) for r in range(model.rowCount())]


def test_opening_shows_the_header_with_safety_flags_and_the_chronology(driver, qtbot) -> None:
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    assert view.header.name.text() == "Smith family"
    assert "Case owner: Tess Manager" in view.header.details.text()
    assert "Status: Open" in view.header.details.text()
    assert view.header.safety.isVisible()
    assert SAFETY_FLAG in view.header.safety.body.text()
    assert not view.header.conflict.isVisible()
    driver.settle()
    assert MARKER_NOTE in _chronology_texts(view.chronology)
    assert not view.busy.isVisible()


def test_police_user_never_sees_the_mental_health_section(driver, texts) -> None:
    driver.sign_in("pc1")
    driver.open()
    driver.settle()
    view = driver.view
    nav = _nav(view)
    assert SECTION_TITLES[Section.POLICE] in nav
    assert SECTION_TITLES[Section.MENTAL_HEALTH] not in nav
    rows = _chronology_texts(view.chronology)
    assert MARKER_POLICE in rows and MARKER_MH not in rows
    for i in range(view.navigator.count()):
        view.navigator.setCurrentRow(i)
    driver.settle()
    everything = texts(view)
    assert MARKER_MH not in everything
    assert "Mental health" not in [view.chronology.section.itemText(i)
                                   for i in range(view.chronology.section.count())]


def test_mental_health_user_sees_their_section_but_not_police(driver) -> None:
    driver.sign_in("mh1")
    driver.open()
    driver.settle()
    nav = _nav(driver.view)
    assert SECTION_TITLES[Section.MENTAL_HEALTH] in nav
    assert SECTION_TITLES[Section.POLICE] not in nav
    rows = _chronology_texts(driver.view.chronology)
    assert MARKER_MH in rows and MARKER_POLICE not in rows


def test_sealed_write_is_stored_and_cannot_be_read_back_by_its_writer(driver, qtbot,
                                                                      texts) -> None:
    secret = "Concern passed to mental health by police 4d2f"
    driver.sign_in("pc1")
    driver.open()
    view = driver.view
    qtbot.mouseClick(view.restricted, Qt.MouseButton.LeftButton)
    dialog = view.findChildren(RestrictedEntryDialog)[-1]
    offered = [dialog.section.itemData(i) for i in range(dialog.section.count())]
    assert "mental-health" in offered and "police" not in offered and "case-notes" not in offered
    assert "not be able to read" in texts(dialog)
    dialog.section.setCurrentIndex(offered.index("mental-health"))
    qtbot.keyClicks(dialog.text, secret)
    with driver.reloaded():
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    driver.settle()
    assert "cannot read it back" in view.notice.title.text()
    assert secret not in texts(view)
    opened = driver.call(lambda s: s.workbooks.open(driver.fv.family_id).to_json())
    assert "mental-health" not in opened["sections"]
    assert secret not in str(opened)
    driver.lock()
    driver.sign_in("mh1")
    opened = driver.call(lambda s: s.workbooks.open(driver.fv.family_id).to_json())
    (entry,) = [e for e in opened["sections"]["mental-health"]["entries"] if e["text"] == secret]
    assert entry["sealed"] is True and entry["author"] == "pc1"


def test_chronology_filters(driver, qtbot) -> None:
    driver.sign_in("tm")
    driver.open()
    driver.settle()
    page = driver.view.chronology
    total = page.model.rowCount()
    assert total == 3                        # tm reads case notes, safety; not police or MH
    page.significant.setChecked(True)
    driver.settle()
    assert _chronology_texts(page) == ["Core group meeting held"]
    page.clear_filters()
    driver.settle()
    page.type.setCurrentIndex(page.type.findData("visit"))
    driver.settle()
    assert _chronology_texts(page) == [MARKER_NOTE]
    page.clear_filters()
    page.section.setCurrentIndex(page.section.findData("home-visit-safety"))
    driver.settle()
    assert _chronology_texts(page) == [SAFETY_FLAG]
    page.clear_filters()
    page.set_date_range(date(2026, 1, 6), date(2026, 1, 31))
    driver.settle()
    assert _chronology_texts(page) == [MARKER_NOTE]
    assert "Showing 1 of 3" in page.count.text()
    page.clear_filters()
    page.author.setCurrentIndex(page.author.findData("tm"))
    page.newest_first.setChecked(True)
    driver.settle()
    assert _chronology_texts(page)[0] == "Core group meeting held"


def test_a_new_entry_is_finished_then_corrected_and_its_history_shows_a_diff(driver,
                                                                           qtbot) -> None:
    driver.sign_in("sw1")
    driver.open()
    view = driver.view
    view.open_editor("case-notes")
    editor = view.editor
    assert view.stack.currentWidget() is editor
    editor.type.setCurrentIndex(editor.type.findData("call"))
    editor.significant.setChecked(True)
    qtbot.keyClicks(editor.text, "Called the school about attendance")
    with driver.reloaded():
        qtbot.mouseClick(editor.finish, Qt.MouseButton.LeftButton)
    driver.settle()
    rows = [r for r in view.snapshot.rows if r.preview == "Called the school about attendance"]
    assert len(rows) == 1 and rows[0].type == "call" and rows[0].significant
    entry_id = rows[0].entry_id
    assert driver.call(drafts_for) == []
    view.open_editor(None, entry_id)
    assert not editor.section.isEnabled() and editor.text.toPlainText().startswith("Called")
    editor.text.selectAll()
    qtbot.keyClicks(editor.text, "Called the school about poor attendance")
    qtbot.keyClicks(editor.reason, "Left out a word")
    with driver.reloaded():
        qtbot.mouseClick(editor.finish, Qt.MouseButton.LeftButton)
    driver.settle()
    view.show_history(entry_id)
    driver.settle()
    from workbook.ui.family.history_dialog import HistoryDialog

    dialog = view.findChildren(HistoryDialog)[-1]
    assert dialog.list.count() == 2
    assert "Sam Worker" in dialog.list.item(0).text()
    html = dialog.text.toHtml()
    assert "poor" in html
    from workbook.ui.family.history_dialog import diff_html

    marked = diff_html("about attendance", "about poor attendance")
    assert "<ins" in marked and "poor" in marked and "<del" not in marked


def test_plan_marks_overdue_actions_and_adds_one(driver, qtbot) -> None:
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    view.show_page("plan")
    plan = view.plan
    assert plan is not None
    statuses = [plan.model.data(plan.model.index(r, 3)) for r in range(plan.model.rowCount())]
    assert "Overdue" in statuses and "Open" in statuses
    assert "1 overdue" in plan.summary.text()
    qtbot.mouseClick(plan.add, Qt.MouseButton.LeftButton)
    from workbook.ui.family.dialogs import ActionDialog

    dialog = view.findChildren(ActionDialog)[-1]
    qtbot.keyClicks(dialog.text, "Arrange a family group conference")
    dialog.owner.setCurrentText("sw1")
    dialog.due.line.clear()
    qtbot.keyClicks(dialog.due.line, "01/01/2199")
    with driver.reloaded():
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    driver.settle()
    texts = [plan.model.data(plan.model.index(r, 0)) for r in range(plan.model.rowCount())]
    assert "Arrange a family group conference" in texts


def test_risk_and_resilience_assessment_is_saved_and_versioned(driver, qtbot) -> None:
    driver.sign_in("sw1")
    driver.open()
    view = driver.view
    view.show_page("risk-assessment")
    panel = view.assessment
    assert panel is not None and panel.current is None
    panel.ratings["violence"].setCurrentIndex(panel.ratings["violence"].findData("low"))
    qtbot.keyClicks(panel.rationales["violence"], "No incidents this year")
    panel.ratings["family"].setCurrentIndex(panel.ratings["family"].findData("high"))
    qtbot.keyClicks(panel.formulation, "Protective factors outweigh the risks.")
    with driver.reloaded():
        qtbot.mouseClick(panel.save, Qt.MouseButton.LeftButton)
    driver.settle()
    first = panel.current
    assert first is not None and first.factors["violence"].rating == "low"
    panel.ratings["violence"].setCurrentIndex(panel.ratings["violence"].findData("medium"))
    with driver.reloaded():
        qtbot.mouseClick(panel.save, Qt.MouseButton.LeftButton)
    driver.settle()
    assert panel.current is not None and panel.current.entry_id == first.entry_id
    assert panel.current.factors["violence"].rating == "medium"
    history = driver.call(lambda s: s.families.entry_history(first.entry_id))
    assert [v.parents for v in history] == [(), (first.version_id,)]


def test_closing_clears_and_says_so(driver, qtbot, texts) -> None:
    driver.sign_in("tm")
    driver.open()
    with qtbot.waitSignal(driver.view.closed):
        qtbot.mouseClick(driver.view.close_button, Qt.MouseButton.LeftButton)
    assert "Smith" not in texts(driver.view)
    assert driver.view.family_id is None


def test_opening_is_audited_once_and_refreshes_after_a_change_are_not(driver, qtbot) -> None:
    fid = driver.fv.family_id

    def opened(s) -> int:  # noqa: ANN001
        return sum(1 for e in s.audit_trail.events()
                   if e["event"] == "family_opened" and e["ids"].get("family") == fid)

    driver.sign_in("tm")
    before = driver.call(opened)
    driver.open()
    with driver.reloaded():
        driver.call(lambda s: s.families.add_entry(fid, "case-notes", "A new note", "2026-03-01"))
    driver.settle()
    assert driver.call(opened) == before + 1


def test_header_lists_the_newest_safety_flags_and_counts_the_rest(qtbot) -> None:
    from workbook.domain.ids import FamilyId, RecordId, VersionId
    from workbook.domain.records import Entry, Family
    from workbook.domain.workbook import FamilyShown, Shown
    from workbook.ui.family.header import SAFETY_SHOWN, FamilyHeader

    header = FamilyHeader()
    qtbot.addWidget(header)
    flags = [Shown(Entry, {"text": f"Flag number {i}", "date": f"2026-01-{10 + i:02d}"},
                   RecordId(f"e{i}"), VersionId(f"v{i}"), "sw1", "", False)
             for i in range(SAFETY_SHOWN + 3)]
    family = FamilyShown(FamilyId("f"), Family.from_payload({"name": "A family"}))
    header.show_family(family, flags, 0)
    body = header.safety.body.text()
    assert "8 flags" in header.safety.title.text()
    assert all(f"Flag number {i}" in body for i in range(SAFETY_SHOWN))
    assert f"Flag number {SAFETY_SHOWN}" not in body
    assert "and 3 older: see Home-visit safety" in body
