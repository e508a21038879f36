"""Fixtures for the printing tests: the marker vault of tests/support (a unique marker text in
every section), built once per session and copied per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from support import vaults


@pytest.fixture(scope="session")
def team_template(tmp_path_factory: pytest.TempPathFactory) -> vaults.TeamVault:
    return vaults.team_vault_template(tmp_path_factory)


@pytest.fixture
def team(team_template: vaults.TeamVault, tmp_path: Path) -> Iterator[vaults.TeamVault]:
    previous = keyring.get_keyring()
    try:
        yield team_template.copy_to(tmp_path / "vault")
    finally:
        keyring.set_keyring(previous)
