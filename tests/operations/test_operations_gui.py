"""The desktop side of operations: the backup reminder and the disposal review page, with
real widgets offscreen over a real vault."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from support import vaults
from workbook.domain.display import uk_date
from workbook.domain.roles import Role
from workbook.services import clock
from workbook.services.upkeep import backup
from workbook.services.upkeep.retention import Retention, is_disposed
from workbook.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot: Any, team: vaults.TeamVault) -> Iterator[MainWindow]:
    vaults.use_memory_keyring()
    made = MainWindow(team.path, "")
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    yield made
    made.close()


def _sign_in(qtbot: Any, window: MainWindow, member: vaults.Member) -> None:
    page = window.sign_in_page
    with qtbot.waitSignal(window.home_loaded, timeout=20_000):
        page.username.setText(member.username)
        page.passphrase.setText(member.passphrase)
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.ops.pending == 0, timeout=20_000)


def _cells(page: Any) -> list[list[str]]:
    return [[page.table.item(r, c).text() for c in range(page.table.columnCount())]
            for r in range(page.table.rowCount())]


def _lock(qtbot: Any, window: MainWindow) -> None:
    with qtbot.waitSignal(window.lock_finished, timeout=20_000):
        window.lock("")


def _later(monkeypatch: pytest.MonkeyPatch, years: int = 7) -> None:
    from workbook.services.access.sign_in import sign_in

    defaults = sign_in.__kwdefaults__
    assert defaults is not None
    shift = timedelta(days=366 * years)
    monkeypatch.setitem(defaults, "clock", lambda: clock.system_clock() + shift)


def test_backup_reminder_for_the_administrator_only(
        qtbot: Any, window: MainWindow, team: vaults.TeamVault, tmp_path: Path) -> None:
    area = window.retention
    _sign_in(qtbot, window, team.member(Role.ADMIN))
    qtbot.waitUntil(area.reminder.isVisible, timeout=10_000)
    assert "No backup" in area.reminder.text.text()
    assert area.button.isVisible()
    (tmp_path / "taken.wbk").write_bytes(b"keep")
    area.backup_to(tmp_path / "taken.wbk")
    qtbot.waitUntil(lambda: "not made" in area.reminder.text.text(), timeout=10_000)
    assert "already exists" in area.reminder.text.text()
    area.backup_to(tmp_path / "b.wbk")
    qtbot.waitUntil(lambda: "saved to" in area.reminder.text.text(), timeout=20_000)
    assert (tmp_path / "b.wbk").exists() and not area.reminder.backup_button.isVisible()
    _lock(qtbot, window)
    assert not area.reminder.isVisible() and not area.button.isVisible()
    with team.session(Role.ADMIN) as s:
        assert backup.last_backup_at(s) is not None
    _sign_in(qtbot, window, team.member(Role.ADMIN))
    assert not area.reminder.isVisible()
    _lock(qtbot, window)
    _sign_in(qtbot, window, team.member(Role.SOCIAL_WORKER))
    assert not area.reminder.isVisible() and not area.button.isVisible()


def test_disposal_review_page_propose_then_confirm(
        qtbot: Any, window: MainWindow, team: vaults.TeamVault, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    fid = team.families["a"]
    with team.session("owner") as s:
        Retention(s).close(fid, "early-help")
    _later(monkeypatch)
    area = window.retention
    page = area.page
    _sign_in(qtbot, window, team.member(Role.TEAM_MANAGER))
    assert area.button.isVisible()
    qtbot.mouseClick(area.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(page.items) == 1, timeout=10_000)
    assert window.stack.currentWidget() is page
    assert page.propose_button.isVisible() and not page.confirm_button.isVisible()
    # A team manager reads households: the family is shown by its reference, dates dd/mm/yyyy.
    assert _cells(page)[0][0] == "REF-A"
    assert all(fid not in cell for cell in _cells(page)[0])
    page.select_family(fid)
    assert page.propose_button.isEnabled()
    qtbot.mouseClick(page.propose_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "proposed" in page.message.text(), timeout=10_000)
    assert "REF-A" in page.message.text() and fid not in page.message.text()
    qtbot.waitUntil(lambda: bool(page.items) and bool(page.items[0].proposed_by),
                    timeout=10_000)
    page.grab().save(str(tmp_path / "review.png"))
    _lock(qtbot, window)
    assert page.items == [] and page.table.rowCount() == 0

    _sign_in(qtbot, window, team.member(Role.ADMIN))
    qtbot.mouseClick(area.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(page.items) == 1, timeout=10_000)
    # The administrator may not read households: no reference, never the id.
    closed = uk_date(page.items[0].closed_at[:10])
    assert _cells(page)[0][:3] == [f"closed {closed}, early-help", "early-help", closed]
    assert all(fid not in cell and "REF-A" not in cell for cell in _cells(page)[0])
    page.select_family(fid)
    assert page.confirm_button.isVisible() and page.confirm_button.isEnabled()
    existing = tmp_path / "exists.pdf"
    existing.write_bytes(b"keep")
    page.confirm(fid, existing)
    assert "new file" in page.message.text() and existing.read_bytes() == b"keep"
    certificate = tmp_path / "certificate.pdf"
    page.confirm(fid, certificate)
    qtbot.waitUntil(lambda: "disposed of" in page.message.text(), timeout=20_000)
    assert f"closed {closed}, early-help" in page.message.text()
    assert fid not in page.message.text()
    assert certificate.read_bytes().startswith(b"%PDF")
    qtbot.waitUntil(lambda: page.items == [], timeout=10_000)
    qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.home_page
    _lock(qtbot, window)
    with team.session("owner") as s:
        assert is_disposed(s, fid)
        assert s.audit_trail.verify().ok


def test_families_alike_to_the_administrator_are_numbered() -> None:
    from workbook.services.upkeep.retention import ReviewItem
    from workbook.ui.retention.disposal_page import family_labels

    def closed(family_id: str, day: str, kind: str) -> ReviewItem:
        return ReviewItem(family_id, kind, f"{day}T10:00:00+00:00", "2033-01-01", "tm", True,
                          "", "")

    items = [closed("f1", "2026-01-05", "early-help"), closed("f2", "2026-01-05", "early-help"),
             closed("f3", "2026-01-05", "child-protection")]
    assert family_labels(items, {}) == {
        "f1": "closed 05/01/2026, early-help (1 of 2)",
        "f2": "closed 05/01/2026, early-help (2 of 2)",
        "f3": "closed 05/01/2026, child-protection"}
    assert family_labels(items, {"f1": "REF-1"})["f1"] == "REF-1"
