"""People, not usernames or ids (issue 14, item 5): walking Home, a family's pages and the
supervision board as the team manager, no text on screen (labels, fields, buttons, every cell
of every model, tool tips, accessible names) holds a username or a 32-hex id; the case owner
and the action's owner show by full name."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt
from shell_support import NAMES, Team, all_texts, sign_in_to_home

from workbook.ui.main_window import MainWindow

USERNAME = re.compile(r"\b(tm|sw1|pc1|new1)\b")
RAW_ID = re.compile(r"\b[0-9a-f]{32}\b")


def _offending(window: MainWindow, texts: list[str]) -> list[str]:
    """Texts naming a username or an id, but for the sign-in form's own field, which holds
    what the person typed to sign in."""
    typed = {window.sign_in_page.username.text()}
    return sorted({t for t in texts
                   if t not in typed and (USERNAME.search(t) or RAW_ID.search(t))})


def test_main_screens_show_people_by_name(qtbot: Any, window: MainWindow, team: Team) -> None:
    sign_in_to_home(qtbot, window, "tm")
    qtbot.waitUntil(lambda: window.ops.pending == 0, timeout=20_000)
    seen = all_texts(window)
    window.open_family(team.marker_family)
    qtbot.waitUntil(lambda: window.family_view is not None
                    and window.family_view.snapshot is not None, timeout=20_000)
    qtbot.waitUntil(lambda: window.ops.pending == 0, timeout=20_000)
    view = window.family_view
    assert view is not None
    for page in ("chronology", "plan", "household"):
        view.show_page(page)
        qtbot.waitUntil(lambda: window.ops.pending == 0, timeout=20_000)
        seen += all_texts(window)
    joined = "\n".join(seen)
    assert f"Case owner: {NAMES['sw1']}" in joined  # sw1 added the family
    assert NAMES["sw1"] in joined  # the action's owner
    window.show_home()
    qtbot.mouseClick(window.supervision.button, Qt.MouseButton.LeftButton)
    page = window.supervision.page
    assert page is not None
    qtbot.waitUntil(lambda: page.board.board is not None, timeout=20_000)
    seen += all_texts(window)
    assert _offending(window, seen) == []

