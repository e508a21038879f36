"""A disable made on one replica rekeys every replica (issue 18, decision 0009): the disabled
person, on a second PC, neither signs in nor opens that PC's database with the vault key they
held there; everyone else goes on signing in and syncing, and a passphrase changed after the
disable on one PC still opens the other (each PC's database key is its own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.replica_pcs import ReplicaTeam, workbook_text
from workbook.crypto.secret import Secret
from workbook.services.access.sign_in import SignInFailed, sign_in
from workbook.vault.database import DatabaseError, VaultDamaged, connect
from workbook.vault.keyfile import KeyFile


def opens(vault: Path, key: bytes) -> bool:
    """Whether `key` opens the database file (what a person holding an old V would try)."""
    try:
        conn = connect(vault, Secret(key))
    except (DatabaseError, VaultDamaged):
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except DatabaseError:
        return False
    finally:
        conn.close()


def test_a_disable_on_one_replica_rekeys_the_other_and_shuts_the_person_out(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    passphrase = team.approved_worker()
    pat = team.approved("pw2", "Pat Worker", "social-worker",
                        ("initial words given by the owner", "a colleague chooses long words 5"))
    desk2 = team.join("desk 2")
    with desk2.on():  # Sam signs in on desk 2 and keeps the database key it gives him
        s = sign_in(desk2.vault, "sw1", passphrase)
        held = bytes(s.vault_key.value)
        s.lock()
    assert opens(desk2.vault, held)
    with team.first.session() as s:
        s.accounts.disable("sw1")
    team.first.sync()
    desk2.sync()

    assert not opens(desk2.vault, held)
    with desk2.on(), pytest.raises(SignInFailed):
        sign_in(desk2.vault, "sw1", passphrase)
    with desk2.session() as s:
        assert "sw1" not in KeyFile.load(s.vault_dir).open_body(s.device_secret).accounts
        events = [e for e in s.audit_trail.events(None)
                  if e["event"] in {"replica_disable_followed", "vault_rekeyed"}]
        assert [e["event"] for e in events] == ["vault_rekeyed", "replica_disable_followed"]
        assert s.audit_trail.verify().ok
        family_id = s.families.add("Smith family", "REF-1")
    assert desk2.sync().files_sent == 1
    assert team.first.sync().refused == []
    assert desk2.sync().refused == []  # nothing to follow a second time
    with desk2.session() as s:
        assert len([e for e in s.audit_trail.events(None)
                    if e["event"] == "replica_disable_followed"]) == 1

    # Both PCs rekeyed once (the same generation number, different keys): a passphrase
    # changed on desk 1 reaches desk 2 sealed with desk 2's own key.
    with team.first.session("pw2", pat) as s:
        s.accounts.change_passphrase(pat, "pat picks another long passphrase 4")
    team.first.sync()
    assert desk2.sync().refused == []
    with desk2.session("pw2", "pat picks another long passphrase 4") as s:
        assert "Smith family" in workbook_text(s, family_id)
