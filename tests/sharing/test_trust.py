"""How imported versions are believed: a vouch from the pinned partner for authors of the other
vault; never for a version claiming a local author, which must verify against that author's
certified key. The audit chain and the tamper checks still hold after imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from sharing_support import CORE, World, make_family, receive, share, snapshot

from workbook.crypto.encoding import b64
from workbook.crypto.keypairs import KeyPair
from workbook.domain.ids import new_id
from workbook.services.authority.record_codec import row_ad, sign_version
from workbook.services.authority.sealed_groups import encrypt, group_info, make_token
from workbook.services.errors import TamperingDetected
from workbook.services.sharing.identity import Identity
from workbook.services.sharing.partners import Partners
from workbook.services.sharing.receiving import Receiving, RefusedBundle
from workbook.services.sharing.vouches import vouch_message
from workbook.sync.bundle import write_bundle


def test_imports_keep_the_audit_chain_and_show_their_origin(world: World, tmp_path: Path
                                                            ) -> None:
    office, hub = world.office, world.hub
    fid, eid = make_family(office, office.owner)
    receive(hub, hub.owner, share(office, office.owner, hub, [fid], CORE, tmp_path / "a.wbb"))
    with hub.session(hub.owner) as s:
        assert s.audit_trail.verify().ok
        versions = s.records.of_family(fid)
        assert versions and all(v.origin == office.vault_id for v in versions)
        entry = next(e for e in s.workbooks.open(fid).to_json()["sections"]
                     ["home-visit-safety"]["entries"] if e["id"] == eid)
        assert entry["from"] == "Office North"
    with office.session(office.owner) as s:
        assert s.audit_trail.verify().ok
        assert all(v.origin == "" for v in s.records.of_family(fid))


def test_a_forged_vouch_is_not_believed(world: World, tmp_path: Path) -> None:
    office, hub = world.office, world.hub
    fid, _ = make_family(office, office.owner)
    receive(hub, hub.owner, share(office, office.owner, hub, [fid], CORE, tmp_path / "a.wbb"))
    with hub.session(hub.owner) as s:  # a holder of the database key alone
        with s.write():
            s.conn.execute("UPDATE partner_vouches SET signature = ?", (b"\0" * 64,))
    with hub.session(hub.member("social-worker")) as s, pytest.raises(TamperingDetected):
        s.workbooks.open(fid)


def _rogue_bundle(world: World, out: Path, author: str, signer: KeyPair, fid: str) -> Path:
    """The office, a pinned partner, sends a household entry claiming `author`."""
    office, hub = world.office, world.hub
    with office.session(office.owner) as s:
        identity = Identity(s)
        pair, card = identity.keypair(), identity.card()
        hub_card = Partners(s).card_of(Partners(s).resolve(hub.vault_id))
    bundle_id = new_id()
    target = hub_card.sections["household"]
    version = sign_version(signer, family_id=fid, record_id=new_id(), kind="entry",
                           section="household", parents=(), author=author, device="d",
                           created_at="2026-11-23T10:00:00.000000+00:00",
                           payload={"text": "forged", "date": "2026-11-23", "type": "note",
                                    "significant": False})
    key, token = make_token(target.public, "household", fid,
                            group_info(hub.vault_id, bundle_id, 0, target.epoch))
    ad = row_ad(version.version_id, fid, version.record_id, "entry", None, target.epoch, "[]",
                author, "d", version.created_at, True)
    frames = [
        {"t": "card", "card": b64(card.raw), "signature": b64(card.signature)},
        {"t": "decision", "decision_id": bundle_id, "families": [fid],
         "sections": ["household"], "restricted": 0, "purpose": "p", "lawful_basis": "b",
         "consent": "given", "reason": "", "notes": "", "decided_by": "x", "decided_at": "t"},
        {"t": "group", "index": 0, "family": fid, "epoch": target.epoch, "token": b64(token)},
        {"t": "version", "id": version.version_id, "family": fid,
         "record": version.record_id, "kind": "entry", "parents": [], "author": author,
         "device": "d", "at": version.created_at, "epoch": target.epoch, "group": 0,
         "body": b64(encrypt(key, version.plaintext(), ad))},
        {"t": "vouch", "family": fid, "ids": [version.version_id],
         "signature": b64(pair.sign(vouch_message(office.vault_id, hub.vault_id, bundle_id,
                                                  fid, [version.version_id])))},
        {"t": "end", "versions": 1},
    ]
    with out.open("wb") as f:
        write_bundle(f, identity=pair, sender=office.vault_id, recipient=hub.vault_id,
                     recipient_identity=hub_card.identity, sequence=99, created_at="t",
                     bundle_id=bundle_id, payload=iter(frames))
    return out


def test_a_partner_cannot_write_in_a_local_colleagues_name(world: World, tmp_path: Path
                                                           ) -> None:
    office, hub = world.office, world.hub
    fid, _ = make_family(office, office.owner)
    victim = hub.member("social-worker").user_id
    rogue = _rogue_bundle(world, tmp_path / "rogue.wbb", victim, KeyPair.generate(), fid)
    with hub.session(hub.owner) as s:
        before = snapshot(s)
        with pytest.raises(RefusedBundle, match="signature does not verify"):
            Receiving(s).receive(rogue)
        assert snapshot(s) == before


def test_a_partner_may_vouch_for_its_own_people(world: World, tmp_path: Path) -> None:
    office, hub = world.office, world.hub
    fid, _ = make_family(office, office.owner)
    receive(hub, hub.owner, share(office, office.owner, hub, [fid], CORE, tmp_path / "a.wbb"))
    stranger = new_id()  # an author of the office's the hub never certified
    rogue = _rogue_bundle(world, tmp_path / "ok.wbb", stranger, KeyPair.generate(), fid)
    assert receive(hub, hub.owner, rogue).applied
    with hub.session(hub.member("social-worker")) as s:
        texts = [e["text"] for e in s.workbooks.open(fid).to_json()["sections"]["household"]
                 .get("entries", [])]
    assert "forged" in texts  # believed on the office's word, and shown as from the office
