"""An area attaches through MainWindow.add_area() alone: its button goes after Home, its page
into the stack, its notice on home; it hears who signed in (a person with the signed role,
never the Session) and is cleared on lock."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton
from shell_support import ROLES, lock_and_wait, sign_in_to_home

from workbook.domain.roles import Role
from workbook.ui.main_window import MainWindow
from workbook.ui.signed_in import SignedInPerson


class FakeArea:
    def __init__(self) -> None:
        self.button = QPushButton("Fake")
        self.page = QLabel("fake page")
        self.home_notice = QLabel("fake notice")
        self.people: list[SignedInPerson] = []
        self.cleared = 0

    def on_signed_in(self, person: SignedInPerson) -> None:
        self.people.append(person)

    def clear(self) -> None:
        self.cleared += 1


def test_an_area_attaches_through_add_area(qtbot: Any, window: MainWindow) -> None:
    area = FakeArea()
    window.add_area(area)
    bar = window.top_bar.layout()
    assert bar is not None
    assert bar.indexOf(area.button) > bar.indexOf(window.top_bar.home_button)
    assert window.stack.indexOf(area.page) >= 0
    assert area.home_notice.parent() is window.home_page
    people: list[object] = []
    window.ops.signed_in.connect(people.append)
    sign_in_to_home(qtbot, window, "sw1", wait_search=False)
    assert people == area.people
    person = area.people[0]
    assert isinstance(person, SignedInPerson)
    assert (person.username, person.full_name) == ("sw1", "Sam Worker")
    assert person.role is Role(ROLES["sw1"])
    lock_and_wait(qtbot, window)
    assert area.cleared >= 1
