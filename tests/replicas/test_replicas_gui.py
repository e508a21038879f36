"""The desktop on a replica: the status bar syncs on its own after sign-in and with Sync now,
says "Synced ..." or "Working offline: ...", and the Replicas page approves a join after the
fingerprint is typed and retires a PC with a reason (issue 18). Typed and clicked as a person
does, on a real replica of a real vault."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from PySide6.QtCore import Qt
from shell_support import sign_in_to_home

from support.replica_pcs import OWNER_PASSPHRASE, Pc, ReplicaTeam, now
from workbook.services.replicas import joining, vault_statement
from workbook.ui.main_window import MainWindow


@pytest.fixture
def desk(qtbot: Any, tmp_path: Path) -> Iterator[tuple[ReplicaTeam, Pc, MainWindow]]:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        s.families.add("Smith family", "REF-1")
    team.first.sync()
    desk2 = team.join("desk 2")
    previous = keyring.get_keyring()
    keyring.set_keyring(desk2.keyring)  # this window runs on desk 2's OS account
    window = MainWindow(desk2.vault, "")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        yield team, desk2, window
    finally:
        window.close()
        keyring.set_keyring(previous)


def click(qtbot: Any, widget: Any) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_the_status_bar_syncs_and_says_when_it_is_offline(
        qtbot: Any, desk: tuple[ReplicaTeam, Pc, MainWindow]) -> None:
    team, desk2, window = desk
    status = window.replicas.status
    sign_in_to_home(qtbot, window, "tm", OWNER_PASSPHRASE)
    qtbot.waitUntil(lambda: status.text.text().startswith("Synced"), timeout=20_000)
    assert status.isVisible() and status.sync_now.isVisible()
    with team.first.session() as s:
        family_id = s.families.all()[0].family_id
        s.families.add_entry(family_id, "case-notes", "from desk 1", "2026-01-05")
    team.first.sync()
    with qtbot.waitSignal(status.synced, timeout=20_000) as got:
        click(qtbot, status.sync_now)
    assert got.args[0].received == 1
    assert status.text.text() == "Synced just now"
    # A save on this desk is sent by itself a moment later.
    with qtbot.waitSignal(status.synced, timeout=20_000) as sent:
        window.ops.run(lambda s: s.families.add_entry(family_id, "case-notes", "from desk 2",
                                                      "2026-01-06"))
    assert sent.args[0].sent == 1
    # The age counts on by itself between syncs: the line's clock moves 2 minutes on and the
    # minute ticker (shortened here) says so without a sync.
    status.timer.stop()
    status.soon.stop()
    started = status.now()
    status.now = lambda: started + 125
    status.ticker.setInterval(50)
    qtbot.waitUntil(lambda: status.text.text() == "Synced 2 min ago", timeout=5_000)
    team.folder.rename(team.root / "share-unplugged")
    qtbot.waitUntil(status.sync_now.isEnabled, timeout=20_000)
    click(qtbot, status.sync_now)
    qtbot.waitUntil(lambda: status.text.text().startswith("Working offline"), timeout=20_000)
    assert status.text.text() == ("Working offline: the sync folder cannot be reached; your "
                                  "changes are kept on this PC")


def test_the_replicas_page_approves_a_join_and_retires_a_pc(
        qtbot: Any, desk: tuple[ReplicaTeam, Pc, MainWindow]) -> None:
    team, desk2, window = desk
    laptop = Pc("laptop", team.root / "pc3" / "vault")
    with laptop.on():
        request = joining.request(team.folder, laptop.vault, now(), "laptop")
    sign_in_to_home(qtbot, window, "tm", OWNER_PASSPHRASE)
    area = window.replicas
    assert area.button.isVisible()
    click(qtbot, area.button)
    page = area.page
    qtbot.waitUntil(lambda: page.pending_table.rowCount() == 1, timeout=20_000)
    assert page.pending_table.item(0, 1).text() == request.fingerprint
    assert page.replica_table.rowCount() == 2
    page.pending_table.selectRow(0)
    qtbot.keyClicks(page.fingerprint, "9999 9999 9999 9999 9999")
    click(qtbot, page.approve_button)
    qtbot.waitUntil(lambda: "does not match" in page.message.text(), timeout=20_000)
    page.fingerprint.clear()
    qtbot.keyClicks(page.fingerprint, request.fingerprint)
    click(qtbot, page.approve_button)
    qtbot.waitUntil(lambda: page.replica_table.rowCount() == 3, timeout=20_000)
    assert page.message.text().startswith("Approved laptop")
    # The joiner's check: the digits the new PC shows once it has joined.
    assert vault_statement.vault_fingerprint(team.first.vault) in page.message.text()
    row = next(r for r in range(3) if page.replica_table.item(r, 0).text() == "laptop")
    page.replica_table.selectRow(row)
    click(qtbot, page.retire_button)
    qtbot.waitUntil(lambda: "reason" in page.message.text(), timeout=20_000)
    page.replica_table.selectRow(row)
    qtbot.keyClicks(page.reason, "replaced by a new laptop")
    click(qtbot, page.retire_button)
    qtbot.waitUntil(lambda: page.message.text().startswith("Retired laptop"), timeout=20_000)
    qtbot.waitUntil(lambda: any(
        page.replica_table.item(r, 1) is not None
        and page.replica_table.item(r, 1).text() == "retired" for r in range(3)),
        timeout=20_000)



def test_a_person_disabled_on_another_pc_is_signed_out_at_the_next_sync(
        qtbot: Any, desk: tuple[ReplicaTeam, Pc, MainWindow]) -> None:
    from workbook.services.replicas.open_session import DISABLED_ELSEWHERE

    team, desk2, window = desk
    sam = team.approved_worker()
    team.first.sync()
    desk2.sync()
    status = window.replicas.status
    sign_in_to_home(qtbot, window, "sw1", sam)
    qtbot.waitUntil(lambda: status.text.text().startswith("Synced"), timeout=20_000)
    with team.first.session() as s:
        s.accounts.disable("sw1")
        s.replicas.sync()
    with qtbot.waitSignal(window.lock_finished, timeout=20_000):
        click(qtbot, status.sync_now)
    assert window.stack.currentWidget() is window.sign_in_page
    assert window.sign_in_page.notice.text() == DISABLED_ELSEWHERE
    assert window.sign_in_page.username.text() == ""
