"""Two replicas of one vault each share with the same partner (issue 18): the partner accepts
both bundles, refuses a true replay of either, and the bundles' numbers do not repeat once the
replicas have synced between the two shares."""

from __future__ import annotations

from pathlib import Path

from support.consent import give_consent
from support.replica_pcs import FAST_KDF, OWNER_PASSPHRASE, Pc, ReplicaTeam
from workbook.services.access.vault_setup import create_vault
from workbook.services.session import Session
from workbook.services.sharing.identity import Identity
from workbook.services.sharing.partners import Partners
from workbook.services.sharing.receiving import Preview, Receiving
from workbook.services.sharing.sending import Sharing


def pin(a: Pc, b: Pc, tmp: Path) -> None:
    """b pins a: a's owner exports the card and reads the fingerprint, b's owner adds it."""
    card = tmp / f"card-{a.name}.json".replace(" ", "")
    with a.session() as s:
        fingerprint = Identity(s).export(card).fingerprint
    with b.session() as s:
        Partners(s).add(card.read_bytes(), fingerprint)
    card.unlink()


def share(s: Session, partner: str, family_id: str, out: Path) -> int:
    give_consent(s, [family_id], "home visit")
    sharing = Sharing(s)
    decision = sharing.decide(partner=partner, families=[family_id],
                              sections=["household", "case-notes"], purpose="home visit",
                              lawful_basis="Children Act 1989 s47", consent="given")
    return sharing.share(decision, out).sequence


def receive(pc: Pc, path: Path) -> Preview:
    with pc.session() as s:
        return Receiving(s).receive(path)


def partner_hub(tmp_path: Path) -> tuple[Pc, str]:
    """A partner's vault on a PC of its own (no replica of the team's): the PC, the vault id."""
    hub = Pc("partner hub", tmp_path / "hub" / "vault", passphrases={"tm": OWNER_PASSPHRASE})
    with hub.on():
        return hub, create_vault(hub.vault, team="Partner Hub", owner_username="tm",
                                 owner_name="Hana Hub", passphrase=OWNER_PASSPHRASE,
                                 kdf=FAST_KDF).vault_id


def test_bundles_from_two_replicas_to_one_partner_are_both_accepted(tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    hub, hub_id = partner_hub(tmp_path)
    pin(team.first, hub, tmp_path)
    pin(hub, team.first, tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
        s.families.add_person(family_id, "Jo Smith", "2015-01-02", "child")
        s.families.add_entry(family_id, "case-notes", "seen at home", "2026-01-05")
    desk2 = team.join("desk 2")
    with team.first.session() as s:  # both PCs share before either has synced
        first = share(s, hub_id, family_id, tmp_path / "from-desk1.wbx")
    with desk2.session() as s:
        s.families.add_entry(family_id, "case-notes", "seen at school", "2026-01-06")
        second = share(s, hub_id, family_id, tmp_path / "from-desk2.wbx")
    a = receive(hub, tmp_path / "from-desk1.wbx")
    b = receive(hub, tmp_path / "from-desk2.wbx")
    assert not a.already_received and not b.already_received  # the second is no replay
    for path in ("from-desk1.wbx", "from-desk2.wbx"):  # a true replay changes nothing
        assert receive(hub, tmp_path / path).already_received
    with hub.session() as s:
        text = str(s.workbooks.open(family_id, audit=False).to_json())
        assert "seen at home" in text and "seen at school" in text
    # After a sync each PC numbers its next bundle after every number the team has used.
    team.sync_all(rounds=1)
    with desk2.session() as s:
        third = share(s, hub_id, family_id, tmp_path / "third.wbx")
        s.replicas.sync()
    with team.first.session() as s:
        s.replicas.sync()
        fourth = share(s, hub_id, family_id, tmp_path / "fourth.wbx")
    assert (first, second) == (1, 1)  # shared before any sync: numbered alike
    assert third == 2 and fourth == 3, (third, fourth)
    for path in ("third.wbx", "fourth.wbx"):
        got = receive(hub, tmp_path / path)
        assert not got.already_received and got.missing_sequences == []
