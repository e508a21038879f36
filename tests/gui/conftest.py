"""Fixtures for the GUI shell tests (sign-in, home, search, lock, approvals).

A small team vault is built once per session with the real services (cheap Argon2id, an
in-memory keyring) and copied per test, since failed sign-ins and approvals change it. A copy
keeps the vault id, so the same device secret in the same keyring opens it.

The team: tm (team manager, owner), sw1 (social worker), pc1 (police), admin (administrator,
who holds no section key), new1 (a social worker who has not yet replaced the initial
passphrase). sw1 is case owner of the marker family, whose name appears nowhere else, and owns
an overdue action in it; persons "Zoë Quillfeather" and "Ann Smith-Jones" test the search."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from shell_support import (
    FAST_KDF,
    INITIAL,
    MARKER,
    MARKER_FAMILY,
    NAMES,
    PASSES,
    ROLES,
    Team,
)

from support.memory_keyring import MemoryKeyring
from workbook.services.access.sign_in import sign_in
from workbook.services.access.vault_setup import create_vault
from workbook.ui.main_window import MainWindow


@pytest.fixture(scope="session")
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("WORKBOOK_KEYRING", raising=False)
        backend = MemoryKeyring()
        keyring.set_keyring(backend)
        try:
            yield backend
        finally:
            keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def team_template(memory_keyring: MemoryKeyring,
                  tmp_path_factory: pytest.TempPathFactory) -> Team:
    vault = tmp_path_factory.mktemp("gui-team") / "vault"
    created = create_vault(vault, team="North Unit", owner_username="tm",
                           owner_name=NAMES["tm"], passphrase=PASSES["tm"], kdf=FAST_KDF)
    with sign_in(vault, "tm", PASSES["tm"]) as s:
        for user, role in ROLES.items():
            s.accounts.add(user, NAMES[user], role, INITIAL)
    fingerprints = {}
    for user in ("sw1", "pc1", "admin"):
        with sign_in(vault, user, INITIAL) as s:
            s.accounts.change_passphrase(INITIAL, PASSES[user])
            fingerprints[user] = s.grants.fingerprint()
    with sign_in(vault, "tm", PASSES["tm"]) as s:
        for user in ("sw1", "pc1"):
            s.grants.approve(user, fingerprint=fingerprints[user],
                             recovery_text=created.recovery_key)
        other = s.families.add("The Smith-Jones family", "NU-0002")
        s.families.add_person(other, "Ann Smith-Jones", "1985-04-11", "mother",
                              {"address": "4 Mill Lane, Leeds LS1 2AB"})
    with sign_in(vault, "sw1", PASSES["sw1"]) as s:
        marker = s.families.add(MARKER_FAMILY, "NU-0001")
        s.families.add_person(marker, f"Zoë {MARKER}", "2015-03-02", "daughter")
        s.families.add_person(marker, f"Rowan {MARKER}", "1984-07-30", "father")
        s.families.add_entry(marker, "case-notes", f"Home visit to the {MARKER} household",
                             "2026-01-05", "visit")
        s.families.add_action(marker, f"Chase {MARKER} school report", "sw1", "2026-01-10")
    return Team(vault, marker, other, created.recovery_key)


@pytest.fixture
def team(team_template: Team, memory_keyring: MemoryKeyring, tmp_path: Path) -> Iterator[Team]:
    """A private copy; the session's keyring (which holds its device secret) is put back in
    place for the test, whatever other test modules installed meanwhile."""
    copy = tmp_path / "vault"
    shutil.copytree(team_template.vault, copy)
    previous = keyring.get_keyring()
    keyring.set_keyring(memory_keyring)
    try:
        yield Team(copy, team_template.marker_family, team_template.other_family,
                   team_template.recovery_key)
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def make_window(qtbot: Any, team: Team) -> Iterator[Any]:
    made: list[MainWindow] = []

    def make(**kwargs: Any) -> MainWindow:
        window = MainWindow(kwargs.pop("vault", team.vault), kwargs.pop("problem", ""),
                            **kwargs)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()


@pytest.fixture
def window(make_window: Any) -> MainWindow:
    made: MainWindow = make_window()
    return made


