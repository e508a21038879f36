"""Two replicas change membership before either syncs: the signed membership chain forks
(decision 0006 ends it there). Not resolved by guessing an order; reported plainly, in
`sync --json`'s `forks` and in the status bar, on every replica, while it lasts (issue 18,
decision 0009)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import keyring
from PySide6.QtCore import Qt
from shell_support import sign_in_to_home

from support.replica_pcs import OWNER_PASSPHRASE, Pc, ReplicaTeam
from workbook.services.access.sign_in import sign_in
from workbook.services.replicas import describe
from workbook.services.replicas.syncing import SyncReport
from workbook.services.session import Session
from workbook.ui.main_window import MainWindow


@contextmanager
def signed_in(pc: Pc) -> Iterator[Session]:
    """As `Pc.session`, but a fork's warning at sign-in is expected here."""
    with pc.on():
        session = sign_in(pc.vault, "tm", OWNER_PASSPHRASE)
        try:
            yield session
        finally:
            session.lock()


def forked_team(root: Path) -> tuple[ReplicaTeam, Pc]:
    team = ReplicaTeam.start(root)
    desk2 = team.join("desk 2")
    team.sync_all()
    with team.first.session() as s:  # made on desk 1 ...
        s.accounts.add("sw1", "Sam Worker", "social-worker", "initial words for sam worker")
    with desk2.session() as s:  # ... and on desk 2, before either synced
        s.accounts.add("hv1", "Hana Visitor", "health", "initial words for hana v")
    return team, desk2


def sync(pc: Pc) -> SyncReport:
    with signed_in(pc) as s:
        return s.replicas.sync()


def test_a_membership_fork_is_reported_by_every_replica(tmp_path: Path) -> None:
    team, desk2 = forked_team(tmp_path)
    first = sync(team.first)
    assert first.forks == []  # nothing received yet: no fork here
    second, third = sync(desk2), sync(team.first)
    event = second.forks[0]["event"] if second.forks else None  # the first chained event
    for report in (second, third):
        assert report.refused == []
        assert [(f["log"], f["event"]) for f in report.forks] == [("membership", event)], report
        assert f"forked at event {event}" in report.forks[0]["reason"]
        assert report.to_json()["forks"] == report.forks
        assert "two PCs changed accounts or roles" in describe(report)
    with signed_in(desk2) as s:  # said at sign-in too, and nothing else was lost
        assert any(f"chain breaks at event {event}" in w for w in s.warnings), s.warnings
        names = {u.username for u in s.accounts.all()}
        assert {"sw1", "hv1"} <= names
    again = sync(desk2)  # said on every sync while it lasts
    assert [f["event"] for f in again.forks] == [event]


def test_the_status_bar_says_when_accounts_were_changed_on_two_pcs_at_once(
        qtbot: Any, tmp_path: Path) -> None:
    team, desk2 = forked_team(tmp_path)
    sync(team.first)
    previous = keyring.get_keyring()
    keyring.set_keyring(desk2.keyring)
    window = MainWindow(desk2.vault, "")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        sign_in_to_home(qtbot, window, "tm", OWNER_PASSPHRASE)
        status = window.replicas.status
        qtbot.waitUntil(lambda: status.text.text().startswith("Synced"), timeout=20_000)
        with qtbot.waitSignal(status.synced, timeout=20_000):
            qtbot.mouseClick(status.sync_now, Qt.MouseButton.LeftButton)
        # The owner is told where to resolve it (a colleague: "tell your team manager").
        assert status.text.text() == ("Synced just now; accounts were changed on two PCs at "
                                      "once: resolve it on the Replicas page")
        area = window.replicas
        qtbot.mouseClick(area.button, Qt.MouseButton.LeftButton)
        fork = area.page.fork
        qtbot.waitUntil(fork.isVisible, timeout=20_000)
        assert "forked at event" in fork.summary.text()
        qtbot.mouseClick(fork.resolve_button, Qt.MouseButton.LeftButton)
        assert fork.confirm_button.isVisible() and fork.details.isVisible()
        assert "Hana Visitor given the role Health" in fork.details.text()
        assert "Sam Worker given the role Social worker" in fork.details.text()
        qtbot.mouseClick(fork.cancel_button, Qt.MouseButton.LeftButton)  # nothing signed
        assert not fork.confirm_button.isVisible()
        qtbot.mouseClick(fork.resolve_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(fork.confirm_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: area.page.message.text().startswith("Merge signed"),
                        timeout=20_000)
        qtbot.waitUntil(lambda: not fork.isVisible(), timeout=20_000)
        with qtbot.waitSignal(status.synced, timeout=20_000):
            qtbot.mouseClick(status.sync_now, Qt.MouseButton.LeftButton)
        assert status.text.text() == "Synced just now"
    finally:
        window.close()
        keyring.set_keyring(previous)


def test_a_section_rotated_on_two_replicas_at_once_is_kept_not_reported(
        tmp_path: Path) -> None:
    """The same person disabled on two PCs before either synced: each PC rotates the sections
    they held to its own epoch 2. The receiver keeps both epochs (C34: the first by signed
    time and signature counts, the other stays readable), so only the membership fork is
    reported."""
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    team.approved_worker()
    team.sync_all()
    for pc in (team.first, desk2):
        with pc.session() as s:
            s.accounts.disable("sw1")  # each rotates to an epoch 2 of its own
    sync(team.first)
    got = sync(desk2)
    assert [f["log"] for f in got.forks] == ["membership"], got.forks
    assert got.refused == []
    with signed_in(desk2) as s:
        kept = s.conn.execute("SELECT section, epoch FROM section_epoch_rivals").fetchall()
        assert ("case-notes", 2) in kept  # and every other section sam held
        assert s.trust.rival_publics("case-notes", 2) and not s.trust.broken_epochs
