"""The replicas' round trip through a real replication engine: two Syncthing instances on
loopback, each with its own folder (the same folder id), and two replicas, each on its own
PC (its own vault folder and keyring) and its own end of the folder. The join, a note each
way, and nothing else travels but what Syncthing carries (issue 18). Skipped, with the
reason, where `syncthing` is not installed (`.ci/run` installs it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.replica_pcs import FAST_KDF, OWNER_PASSPHRASE, Pc, now, workbook_text
from support.syncthing_pair import SyncthingPair, available
from workbook.services.access.vault_setup import create_vault
from workbook.services.replicas import joining

pytestmark = pytest.mark.skipif(
    not available(), reason="syncthing is not installed (apt-get install syncthing; .ci/run "
                            "installs it): the real Syncthing pair was not run")


def test_a_note_each_way_through_a_real_syncthing_pair(tmp_path: Path) -> None:
    with SyncthingPair.start(tmp_path) as pair:
        share1, share2 = pair.folders
        passphrases = {"tm": OWNER_PASSPHRASE}
        hub = Pc("hub desk", tmp_path / "pc1" / "vault", passphrases=passphrases)
        laptop = Pc("laptop", tmp_path / "pc2" / "vault", passphrases=passphrases)
        with hub.on():
            create_vault(hub.vault, team="North Unit", owner_username="tm",
                         owner_name="Tess Manager", passphrase=OWNER_PASSPHRASE, kdf=FAST_KDF)
        with hub.session() as s:
            s.replicas.setup(share1, "hub desk")
            family_id = s.families.add("Smith family", "REF-1")

        # The laptop reaches the same folder by another path: its request, the hub's
        # approval and everything after travel only through Syncthing.
        with laptop.on():
            asked = joining.request(share2, laptop.vault, now(), "laptop")
        pair.carry(1, 0)
        with hub.session() as s:
            assert [p.request_id for p in s.replicas.pending()] == [asked.request_id]
            s.replicas.approve(asked.request_id, asked.fingerprint)
        pair.carry(0, 1)
        with laptop.on():
            joining.complete(laptop.vault)

        with laptop.session() as s:
            s.families.add_entry(family_id, "case-notes", "Written on the laptop 51f0",
                                 "2026-01-05")
        sent = laptop.sync()
        assert sent.sent >= 1 and sent.refused == []
        pair.carry(1, 0)
        got = hub.sync()
        assert got.received >= 1 and got.refused == [] and got.gaps == [], got
        with hub.session() as s:
            assert "Written on the laptop 51f0" in workbook_text(s, family_id)

        with hub.session() as s:  # and back the other way
            s.families.add_entry(family_id, "case-notes", "Answered at the hub 7c2a",
                                 "2026-01-06")
        assert hub.sync().sent >= 1
        pair.carry(0, 1)
        back = laptop.sync()
        assert back.received >= 1 and back.refused == [] and back.gaps == [], back
        with laptop.session() as s:
            text = workbook_text(s, family_id)
            assert "Answered at the hub 7c2a" in text and "Written on the laptop 51f0" in text
        assert len({r["id"] for r in back.replicas} | {asked.request_id}) == 2
