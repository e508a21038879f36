"""Signing in (P8): success, the failure message, the growing delay counted down, lock-out,
no vault, no OS keyring, the busy indicator, and sign-in announcements shown prominently."""

from __future__ import annotations

from typing import Any

import keyring
import keyring.backends.fail
from PySide6.QtCore import Qt
from shell_support import PASSES, Team, submit_sign_in

from workbook.services.access.sign_in import FREE_ATTEMPTS
from workbook.ui.app import NO_VAULT, _KeyringCheck, resolve_vault
from workbook.ui.main_window import MainWindow
from workbook.vault import device_secret
from workbook.vault.database import CACHE_KIB, DESKTOP_CACHE_KIB
from workbook.vault.keyfile import KeyFile, KeyFileBody


def _fail_once(qtbot: Any, window: MainWindow, passphrase: str = "not the right one at all") -> str:
    page = window.sign_in_page
    qtbot.waitUntil(page.sign_in_button.isEnabled, timeout=10_000)
    submit_sign_in(qtbot, window, "sw1", passphrase)
    qtbot.waitUntil(lambda: page.message.isVisible() and not page.busy.isVisible(),
                    timeout=10_000)
    return page.message.text()


def test_sign_in_goes_home(qtbot: Any, window: MainWindow) -> None:
    assert window.windowTitle() == "Workbook"
    assert window.stack.currentWidget() is window.sign_in_page
    with qtbot.waitSignal(window.home_loaded, timeout=20_000):
        submit_sign_in(qtbot, window, "sw1", PASSES["sw1"])
        # The KDF and the vault open run on the worker: the page shows it is busy.
        assert window.sign_in_page.busy.isVisible()
        assert not window.sign_in_page.sign_in_button.isEnabled()
    assert window.stack.currentWidget() is window.home_page
    assert window.windowTitle() == "Sam Worker"
    assert window.top_bar.isVisible()
    assert window.sign_in_page.passphrase.text() == ""
    assert window.sign_in_page.username.text() == ""
    # The desktop keeps a smaller page cache than the services' default (its memory target).
    sizes: list[int] = []
    window.ops.run(lambda s: s.conn.execute("PRAGMA cache_size").fetchone()[0],
                   on_done=sizes.append)
    qtbot.waitUntil(lambda: bool(sizes), timeout=10_000)
    assert sizes == [-DESKTOP_CACHE_KIB] and DESKTOP_CACHE_KIB < CACHE_KIB


def test_wrong_passphrase_says_so_and_clears_the_field(qtbot: Any, window: MainWindow) -> None:
    message = _fail_once(qtbot, window)
    assert message == "Wrong username or passphrase."
    assert window.stack.currentWidget() is window.sign_in_page
    assert window.sign_in_page.passphrase.text() == ""
    assert window.windowTitle() == "Workbook"


def test_growing_delay_is_shown_and_counted_down(qtbot: Any, window: MainWindow) -> None:
    for _ in range(FREE_ATTEMPTS):
        assert _fail_once(qtbot, window) == "Wrong username or passphrase."
    # The next attempt comes too soon: the service refuses it and says how long to wait.
    message = _fail_once(qtbot, window, PASSES["sw1"])
    assert "wait" in message and "second" in message
    assert message.startswith("Too many failed sign-ins")
    page = window.sign_in_page
    assert not page.sign_in_button.isEnabled()
    qtbot.waitUntil(page.sign_in_button.isEnabled, timeout=5_000)
    assert page.message.text() == "You can try again now."
    with qtbot.waitSignal(window.home_loaded, timeout=20_000):
        submit_sign_in(qtbot, window, "sw1", PASSES["sw1"])


def test_lock_out_message(qtbot: Any, team: Team, make_window: Any) -> None:
    secret = device_secret.load_device_secret(KeyFile.load(team.vault).vault_id)
    assert secret is not None
    from workbook.crypto.secret import Secret

    def lock_out(_kf: KeyFile, body: KeyFileBody) -> None:
        body.accounts["sw1"].failed = 10
        body.accounts["sw1"].locked = True

    KeyFile.update(team.vault, Secret(secret), lock_out)
    window = make_window()
    message = _fail_once(qtbot, window, PASSES["sw1"])
    assert "locked after 10 failed sign-ins" in message
    assert "administrator can unlock it" in message


def test_no_vault_is_explained(qtbot: Any, make_window: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("WORKBOOK_VAULT", raising=False)
    vault, problem = resolve_vault("")
    assert vault is None and problem == NO_VAULT
    window = make_window(vault=None, problem=problem)
    page = window.sign_in_page
    assert page.message.isVisible()
    assert "No vault chosen" in page.message.text()
    assert not page.sign_in_button.isEnabled()


def test_vault_from_environment_and_not_a_vault(tmp_path: Any, monkeypatch: Any,
                                                team: Team) -> None:
    monkeypatch.setenv("WORKBOOK_VAULT", str(team.vault))
    assert resolve_vault("") == (team.vault, "")
    vault, problem = resolve_vault(str(tmp_path))
    assert vault == tmp_path and "is not a Workbook vault" in problem


def test_no_os_keyring_shows_the_keyring_message(qtbot: Any, window: MainWindow) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        check = _KeyringCheck(window)
        with qtbot.waitSignal(check.found_problem, timeout=5_000) as found:
            check.start()
        assert "No OS keyring was found" in found.args[0]
        assert "WORKBOOK_KEYRING=file" in found.args[0]
        message = _fail_once(qtbot, window, PASSES["sw1"])
        assert "No OS keyring was found" in message
    finally:
        keyring.set_keyring(previous)


def test_recovery_key_announcement_is_shown_after_sign_in(qtbot: Any,
                                                          window: MainWindow) -> None:
    # tm approved pc1 with the recovery key after pc1 last signed in (see conftest).
    with qtbot.waitSignal(window.home_loaded, timeout=20_000):
        submit_sign_in(qtbot, window, "pc1", PASSES["pc1"])
    banner = window.home_page.banner
    assert banner.isVisible()
    assert "recovery key was used" in banner.text.text()
    qtbot.mouseClick(banner.dismiss, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()
