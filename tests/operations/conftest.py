"""Fixtures for the operations tests: a team vault with an administrator, built once per
session and copied per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import vaults


@pytest.fixture(scope="session")
def team_template(tmp_path_factory: pytest.TempPathFactory) -> vaults.TeamVault:
    return vaults.session_template(tmp_path_factory, "operations",
                                   vaults.build_team_vault_with_admin)


@pytest.fixture
def team(team_template: vaults.TeamVault, tmp_path: Path) -> vaults.TeamVault:
    return team_template.copy_to(tmp_path / "vault")
