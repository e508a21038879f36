"""Sealed entries addressed to me show on my Home (issue 14, item 6): sw1, who cannot read
the police section, passes something on to it; the police officer sees it listed on Home,
with the family, the section and who wrote it by name, and the read is audited."""

from __future__ import annotations

from typing import Any

from shell_support import (
    MARKER_FAMILY,
    NAMES,
    PASSES,
    Team,
    lock_and_wait,
    sign_in_to_home,
)

from workbook.services.access.sign_in import sign_in
from workbook.ui.main_window import MainWindow


def test_a_sealed_entry_for_my_section_is_on_my_home(qtbot: Any, window: MainWindow,
                                                     team: Team) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    assert not window.home_page.sealed_panel.isVisible()  # sw1 holds no sealed entry
    done: list[str] = []
    window.ops.run(lambda s: s.families.add_entry(
        team.marker_family, "police", "Neighbour says the father is back", ""),
        on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    lock_and_wait(qtbot, window)
    sign_in_to_home(qtbot, window, "pc1")
    page = window.home_page
    qtbot.waitUntil(lambda: page.sealed_model.rowCount() == 1, timeout=10_000)
    assert page.sealed_panel.isVisible()
    model = page.sealed_model
    assert model.index(0, model.COL_FAMILY).data() == MARKER_FAMILY
    assert model.index(0, model.COL_SECTION).data() == "Police information"
    assert model.index(0, model.COL_FROM).data() == NAMES["sw1"]
    assert model.index(0, model.COL_TEXT).data() == "Neighbour says the father is back"
    lock_and_wait(qtbot, window)
    assert model.rowCount() == 0 and not page.sealed_panel.isVisible()
    with sign_in(team.vault, "tm", PASSES["tm"]) as tm:
        reads = [e for e in tm.audit_trail.events()
                 if e["event"] == "section_read" and e["user"] == "pc1"]
    assert reads, "listing a restricted section's entry is a read of it, audited"
