"""The new-entry form offers a visit's fields when the type is visit: a person types the time
(25:00 is refused with the reason), says the child was seen alone and the visit was joint, and
the chronology then reads the time and whether the child was seen."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_a_visit_is_typed_refused_at_25_00_then_saved(driver, qtbot) -> None:
    driver.sign_in("sw1")
    driver.open()
    view = driver.view
    view.open_editor("case-notes")
    editor = view.editor
    assert editor.visit.isHidden()
    editor.type.setFocus()
    qtbot.keyClicks(editor.type, "Visit")
    assert editor.type.currentData() == "visit" and not editor.visit.isHidden()
    editor.visit.time.setFocus()
    qtbot.keyClicks(editor.visit.time, "25:00")
    assert "hours run from 00 to 23" in editor.visit.time_problem.text()
    qtbot.keyClicks(editor.visit.child_seen, "Yes, seen")
    assert editor.visit.child_seen.currentData() == "alone"
    qtbot.keyClicks(editor.visit.joint_with, "police")
    qtbot.keyClicks(editor.visit.present, "Mother, Kai")
    qtbot.keyClicks(editor.text, "Kai spoken to alone in his room")
    qtbot.mouseClick(editor.finish, Qt.MouseButton.LeftButton)
    assert "hours run from 00 to 23" in editor.error.body.text()
    assert view.stack.currentWidget() is editor
    editor.visit.time.selectAll()
    qtbot.keyClicks(editor.visit.time, "14:30")
    assert editor.visit.time_problem.isHidden()
    with driver.reloaded():
        qtbot.mouseClick(editor.finish, Qt.MouseButton.LeftButton)
    driver.settle()
    (row,) = [r for r in view.snapshot.rows if r.type == "visit" and "Kai spoken" in r.preview]
    assert row.preview.startswith(
        "14:30, child seen alone, joint visit with police, present: Mother, Kai: Kai spoken")
    entry = view.snapshot.entries[row.entry_id].shown.record
    assert (entry.time, entry.child_seen, entry.joint_with) == ("14:30", "alone", "police")
