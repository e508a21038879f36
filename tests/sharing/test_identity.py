"""The sharing identity: sealed to practitioners and the recovery key only, passed on to
certified colleagues by a holder, never to the administrator; created only by the owner or a
team manager; partners' cards follow them in every bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
from sharing_support import CORE, World, make_family, receive, share

from support import vaults
from workbook.domain.roles import Role
from workbook.services.authority.trust import RECOVERY
from workbook.services.errors import NotPermitted
from workbook.services.sharing.identity import Identity
from workbook.vault import sharing_store


def test_identity_is_sealed_to_practitioners_and_recovery_only(world: World) -> None:
    office = world.office
    with office.session(office.owner) as s:
        holders = sharing_store.identity_holders(s.conn)
    expected = {office.owner.user_id, office.member("social-worker").user_id,
                office.member("police").user_id, RECOVERY}
    assert holders == expected  # never the administrator
    with office.session(office.member("admin")) as s, pytest.raises(NotPermitted):
        Identity(s).keypair()


def test_a_new_colleague_receives_the_identity_from_a_holder(tmp_path: Path) -> None:
    vault = vaults.create_team_vault(tmp_path / "v", team="Solo Team")
    with vault.session(vault.owner) as s:
        Identity(s).show()  # the owner creates it
    (newcomer,) = vaults.onboard(vault, (Role.SOCIAL_WORKER,))
    with vault.session(newcomer) as s, pytest.raises(NotPermitted, match="passed to you"):
        Identity(s).keypair()
    with vault.session(vault.owner) as s:
        Identity(s).show()  # a holder passes it on
    with vault.session(newcomer) as s:
        assert Identity(s).keypair().public.raw == Identity(s).require().raw


def test_only_the_owner_or_a_team_manager_creates_it(tmp_path: Path) -> None:
    vault = vaults.create_team_vault(tmp_path / "v", team="Solo Team")
    (worker,) = vaults.onboard(vault, (Role.SOCIAL_WORKER,))
    with vault.session(worker) as s, pytest.raises(NotPermitted, match="owner or a team"):
        Identity(s).show()


def test_a_bundle_brings_the_partners_current_card(world: World, tmp_path: Path) -> None:
    office, hub = world.office, world.hub
    with hub.session(hub.owner) as s:
        before = sharing_store.partner_card(s.conn, office.vault_id)
    assert before is not None
    fid, _ = make_family(office, office.owner)
    receive(hub, hub.owner, share(office, office.owner, hub, [fid], CORE, tmp_path / "a.wbb"))
    with hub.session(hub.owner) as s:
        after = sharing_store.partner_card(s.conn, office.vault_id)
    assert after is not None and after[2] > before[2]
