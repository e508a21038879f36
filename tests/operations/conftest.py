"""tests/ is not a package: make tests/support importable from this sub-folder too."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

import pytest  # noqa: E402

from support import vaults  # noqa: E402
from workbook.domain.roles import Role  # noqa: E402


def _build(path: Path) -> vaults.TeamVault:
    """The shared team vault, with the administrator approved by the owner (who may then
    confirm disposals and manage accounts)."""
    vault = vaults.build_team_vault(path)
    admin = vault.member(Role.ADMIN)
    with vault.session(admin) as s:
        fingerprint = s.grants.fingerprint()
    with vault.session(vault.owner) as s:
        s.grants.approve(admin.username, fingerprint=fingerprint)
    return vault


@pytest.fixture(scope="session")
def team_template(tmp_path_factory: pytest.TempPathFactory) -> vaults.TeamVault:
    return vaults.session_template(tmp_path_factory, "operations", _build)


@pytest.fixture
def team(team_template: vaults.TeamVault, tmp_path: Path) -> vaults.TeamVault:
    return team_template.copy_to(tmp_path / "vault")
