"""Fixtures for sharing: three independent vaults (an office, a laptop, a partner agency's hub),
each built once per test session and copied per test, already pinned to each other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sharing_support import World

from support import vaults
from support.vaults import TeamVault
from workbook.domain.roles import Role
from workbook.services.sharing.identity import Identity
from workbook.services.sharing.partners import Partners


def _build(team: str, roles: tuple[Role, ...]) -> Any:
    def build(path: Path) -> TeamVault:
        vault = vaults.create_team_vault(path, team=team)
        vaults.onboard(vault, roles)
        return vault
    return build


def pin(a: TeamVault, b: TeamVault, tmp: Path) -> None:
    """b pins a: a's owner exports the card and reads the fingerprint, b's owner adds it."""
    card = tmp / f"card-{a.vault_id[:8]}-{b.vault_id[:8]}.json"
    with a.session(a.owner) as s:
        fingerprint = Identity(s).export(card).fingerprint
    with b.session(b.owner) as s:
        Partners(s).add(card.read_bytes(), fingerprint)
    card.unlink()


def _pinned_world(tmp_path_factory: Any) -> World:
    base = tmp_path_factory.mktemp("sharing-world")
    world = World(
        vaults.session_template(tmp_path_factory, "sharing-office",
                                _build("Office North", (Role.SOCIAL_WORKER, Role.POLICE,
                                                        Role.ADMIN))),
        vaults.session_template(tmp_path_factory, "sharing-laptop",
                                _build("Laptop One", (Role.SOCIAL_WORKER,))),
        vaults.session_template(tmp_path_factory, "sharing-hub",
                                _build("Partner Hub", (Role.POLICE, Role.SOCIAL_WORKER))),
    )
    for a in world.all():
        for b in world.all():
            if a is not b:
                pin(a, b, base)
    return world


_WORLD: dict[str, World] = {}


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> World:
    if "w" not in _WORLD:
        _WORLD["w"] = _pinned_world(tmp_path_factory)
    return _WORLD["w"]


@pytest.fixture
def world(world_template: World, tmp_path: Path) -> World:
    return World(world_template.office.copy_to(tmp_path / "office"),
                 world_template.laptop.copy_to(tmp_path / "laptop"),
                 world_template.hub.copy_to(tmp_path / "hub"))
