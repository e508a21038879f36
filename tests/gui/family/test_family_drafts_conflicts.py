"""Drafts survive a lock and belong to their author; conflicts are merged side by side; the
genogram follows the household; possible duplicates are flagged before anything is written."""

from __future__ import annotations

from PySide6.QtCore import Qt

from support.family_vault import FamilyVault
from workbook.services.family.drafts import drafts_for
from workbook.ui.family.dialogs import PersonDialog
from workbook.ui.family.models.members_model import COL_DOB, COL_NAME

DRAFT = "Half-written note about the home visit 7c1e"


def _type_draft(driver, qtbot) -> None:  # noqa: ANN001
    view = driver.view
    view.open_editor("case-notes")
    view.editor.type.setCurrentIndex(view.editor.type.findData("visit"))
    qtbot.keyClicks(view.editor.text, DRAFT)
    qtbot.waitUntil(lambda: view.editor.status.text() == "Draft saved (encrypted)",
                    timeout=5000)


def test_a_draft_survives_lock_and_is_restored_for_its_author_only(driver, qtbot,
                                                                   texts) -> None:
    driver.sign_in("sw1")
    driver.open()
    _type_draft(driver, qtbot)
    driver.lock()
    qtbot.waitUntil(lambda: driver.view.family_id is None, timeout=5000)
    assert DRAFT not in texts(driver.view)
    assert not driver.view.editor.text.document().isUndoAvailable()

    driver.sign_in("tm")                          # another user: nothing of sw1's draft
    driver.open()
    assert driver.view.stack.currentWidget() is not driver.view.editor
    assert DRAFT not in texts(driver.view)
    assert driver.call(drafts_for) == []
    driver.lock()

    driver.sign_in("sw1")                         # the author: restored where they left it
    driver.open()
    view = driver.view
    assert view.stack.currentWidget() is view.editor
    assert view.editor.text.toPlainText() == DRAFT
    assert view.editor.type.currentData() == "visit"
    assert "restored" in view.editor.notice.title.text()
    with driver.reloaded():
        qtbot.mouseClick(view.editor.finish, Qt.MouseButton.LeftButton)
    driver.settle()
    assert driver.call(drafts_for) == []
    assert any(r.preview == DRAFT for r in view.snapshot.rows)


def test_words_typed_just_before_a_lock_are_in_the_draft(driver, qtbot) -> None:
    """The draft timer waits a second after typing stops; locking inside that second still
    saves what was typed (the save is queued ahead of the lock)."""
    driver.sign_in("sw1")
    driver.open()
    _type_draft(driver, qtbot)
    view = driver.view
    qtbot.keyClicks(view.editor.text, " and the last words")
    assert view.editor.pending
    driver.lock()
    driver.sign_in("sw1")
    driver.open()
    assert view.editor.text.toPlainText() == DRAFT + " and the last words"


def test_a_draft_is_stored_encrypted(driver, qtbot, fv: FamilyVault) -> None:
    driver.sign_in("sw1")
    driver.open()
    _type_draft(driver, qtbot)
    bodies = driver.call(lambda s: [bytes(r[0]) for r in s.conn.execute(
        "SELECT body FROM drafts").fetchall()])
    assert bodies and all(DRAFT.encode() not in b for b in bodies)


def _make_conflict(driver, entry_id: str) -> None:  # noqa: ANN001
    def conflict(s) -> None:  # noqa: ANN001
        (head,) = s.records.of_record(entry_id)
        with s.write():
            for text in ("Left: the children were well and fed",
                         "Right: the children were well; the fridge was empty"):
                s.records.write(family_id=head.family_id, record_id=entry_id, kind="entry",
                                section=head.section, payload={**head.payload, "text": text},
                                parents=(head.version_id,))

    driver.call(conflict)


def test_a_conflict_shows_a_banner_and_is_resolved_side_by_side(driver, qtbot,
                                                                fv: FamilyVault) -> None:
    driver.sign_in("tm")
    _make_conflict(driver, fv.ids["note"])
    driver.open()
    view = driver.view
    assert view.header.conflict.isVisible()
    assert "1 record has conflicting versions" in view.header.conflict.title.text()
    nav = [view.navigator.item(i).text() for i in range(view.navigator.count())]
    assert "Conflicts to resolve" in nav
    qtbot.mouseClick(view.header.resolve, Qt.MouseButton.LeftButton)
    page = view.conflicts
    assert view.stack.currentWidget() is page
    assert "Left:" in page.left_text.toPlainText()
    assert "Right:" in page.right_text.toPlainText()
    with driver.reloaded():
        qtbot.mouseClick(page.keep_left, Qt.MouseButton.LeftButton)
    driver.settle()
    assert not view.header.conflict.isVisible()
    nav = [view.navigator.item(i).text() for i in range(view.navigator.count())]
    assert "Conflicts to resolve" not in nav
    history = driver.call(lambda s: s.families.entry_history(fv.ids["note"]))
    assert len(history[-1].parents) == 2
    assert history[-1].payload["text"].startswith("Left:")


def test_merged_text_resolves_a_conflict(driver, qtbot, fv: FamilyVault) -> None:
    driver.sign_in("tm")
    _make_conflict(driver, fv.ids["note"])
    driver.open()
    page = driver.view.conflicts
    driver.view.show_page("conflicts")
    page.merged.setPlainText("Merged: the children were well; the fridge was empty")
    with driver.reloaded():
        qtbot.mouseClick(page.save_merged, Qt.MouseButton.LeftButton)
    driver.settle()
    (entry,) = [e.shown.to_json() for e in driver.view.snapshot.entries.values()
                if e.shown.id == fv.ids["note"]]
    assert entry["text"].startswith("Merged:") and not entry["conflict"]


def test_the_genogram_updates_when_a_person_is_added(driver, qtbot, fv: FamilyVault) -> None:
    driver.sign_in("tm")
    driver.open()
    view = driver.view
    view.show_page("household")
    panel = view.household
    assert panel is not None
    result = panel.genogram.layout_result
    assert result is not None and len(result.nodes) == 3
    assert panel.model.rowCount() == 3
    qtbot.mouseClick(panel.add, Qt.MouseButton.LeftButton)
    dialog = view.findChildren(PersonDialog)[-1]
    qtbot.keyClicks(dialog.name, "Jan Smith")
    qtbot.keyClicks(dialog.dob.line, "01/07/2019")
    dialog.relationship.setCurrentText("son")
    dialog.sex.setCurrentIndex(dialog.sex.findData("male"))
    dialog.parent1.setCurrentIndex(dialog.parent1.findData(fv.ids["mother"]))
    dialog.parent2.setCurrentIndex(dialog.parent2.findData(fv.ids["father"]))
    with driver.reloaded():
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    driver.settle()
    assert panel.model.rowCount() == 4
    result = panel.genogram.layout_result
    assert result is not None and len(result.nodes) == 4
    jan = next(n for n in result.nodes.values() if n.person.name == "Jan Smith")
    assert jan.generation == 1 and jan.person.sex == "male"
    assert "Jan Smith is a child of" in panel.genogram.accessibleDescription()
    shown = {panel.model.data(panel.model.index(r, COL_NAME)):
             panel.model.data(panel.model.index(r, COL_DOB)) for r in range(4)}
    assert shown["Jan Smith"] == "01/07/2019"


def test_adding_a_possible_duplicate_warns_first(driver, qtbot, fv: FamilyVault) -> None:
    driver.sign_in("tm")
    driver.open(fv.other_family_id)
    view = driver.view
    view.show_page("household")
    panel = view.household
    assert panel is not None
    qtbot.mouseClick(panel.add, Qt.MouseButton.LeftButton)
    dialog = view.findChildren(PersonDialog)[-1]
    qtbot.keyClicks(dialog.name, "Zoe SMITH")
    qtbot.keyClicks(dialog.dob.line, "02/03/2015")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.duplicates.isVisible, timeout=5000)
    assert "Zoë Smith" in dialog.duplicates.body.text()
    assert "Smith family" in dialog.duplicates.body.text()
    assert dialog.ok.text() == "Add anyway"
    assert panel.model.rowCount() == 1                     # nothing written yet
    with driver.reloaded():
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    driver.settle()
    assert panel.model.rowCount() == 2
