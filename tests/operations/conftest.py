"""tests/ is not a package: make tests/support importable from this sub-folder too."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

import pytest  # noqa: E402

from support import vaults  # noqa: E402


@pytest.fixture(scope="session")
def team_template(tmp_path_factory: pytest.TempPathFactory) -> vaults.TeamVault:
    return vaults.session_template(tmp_path_factory, "operations",
                                   vaults.build_team_vault_with_admin)


@pytest.fixture
def team(team_template: vaults.TeamVault, tmp_path: Path) -> vaults.TeamVault:
    return team_template.copy_to(tmp_path / "vault")
