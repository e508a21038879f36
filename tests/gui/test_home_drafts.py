"""Home lists my drafts (issue 14, item 9): an entry begun and not finished is listed with
its family and first line, and a double-click opens the family."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from shell_support import MARKER_FAMILY, Team, sign_in_to_home

from workbook.services.family.drafts import save_draft
from workbook.ui.main_window import MainWindow


def test_my_drafts_are_listed_and_open_their_family(qtbot: Any, window: MainWindow,
                                                    team: Team) -> None:
    sign_in_to_home(qtbot, window, "sw1")
    page = window.home_page
    assert page.drafts_model.rowCount() == 0
    assert page.drafts_panel.empty.text() == "No unfinished entries."
    window.ops.run(lambda s: save_draft(s, team.marker_family, text="Half-written visit note\n"
                                        "more", section="case-notes"))
    window.show_home()
    qtbot.waitUntil(lambda: page.drafts_model.rowCount() == 1, timeout=10_000)
    model = page.drafts_model
    assert model.index(0, model.COL_FAMILY).data() == MARKER_FAMILY
    assert model.index(0, model.COL_TEXT).data().startswith("Half-written visit note")
    view = page.drafts_panel.view
    assert view is not None
    rect = view.visualRect(model.index(0, model.COL_FAMILY))
    with qtbot.waitSignal(page.open_family_requested) as opened:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [team.marker_family]
