"""Attacks on two epochs of one number (issue 18, decision 0009, C34). The attacker is signed in
on one PC: they hold its database key and run any SQL, and their rows travel in that PC's
next file. A planted, altered or backdated epoch row or grant neither wins nor makes a section
unreadable unnoticed; an epoch signed by someone who does not hold the section counts for
nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_replicas_epoch_forks import SECTION, rotated_on_both, synced_and_merged, winner_of
from test_replicas_forks import signed_in, sync

from support.attacker import raw_connect
from support.replica_pcs import OWNER_PASSPHRASE, Pc, ReplicaTeam, workbook_text
from workbook.crypto.keypairs import KeyPair
from workbook.crypto.secret import Secret
from workbook.services.access.sign_in import sign_in
from workbook.services.authority import signatures
from workbook.services.authority.section_keys import section_keypair
from workbook.services.errors import TamperingDetected
from workbook.vault import section_store

BROKEN = "section key epoch(s) failed their signature check"
EARLY = "2001-01-01T00:00:00+00:00"  # before every genuine rotation
COLUMNS = ("section, epoch, public_keys, created_by, created_at, signature, prev_signature, "
           "prev_wrapped")


def converged(root: Path, forged: list[tuple[Any, ...]]) -> tuple[ReplicaTeam, Pc, str]:
    """The two rotations synced both ways and the membership fork merged, so each epoch 2
    is backed by its rotate event; `forged` gets Sam's backdated epoch 2, signed while he
    still held the section (his certified key, and epoch 1's key for the second signature)."""
    def forge(team: ReplicaTeam) -> None:
        with team.first.session("sw1") as s:
            secret = Secret.random()
            public = section_keypair(secret, s.vault_id, SECTION, 2).public.raw
            message = signatures.section_epoch(s.vault_id, SECTION, 2, public, s.user_id, EARLY)
            previous = section_keypair(s.keys.secret(SECTION, 1), s.vault_id, SECTION, 1)
            assert s.keypair is not None
            forged.append((SECTION, 2, public, s.user_id, EARLY, s.keypair.sign(message),
                           previous.sign(message), None))

    team, desk2, family_id = rotated_on_both(root, before=forge)
    synced_and_merged(team, desk2)
    return team, desk2, family_id


def database_key(pc: Pc) -> bytes:
    """The key everyone signed in on `pc` holds."""
    with signed_in(pc) as s:
        return bytes(s.vault_key.value)


def attack(pc: Pc, *statements: tuple[str, tuple[Any, ...]], key: bytes | None = None) -> None:
    """Run SQL on `pc`'s database with its key, as someone signed in there can."""
    conn = raw_connect(pc.vault, key if key is not None else database_key(pc))
    try:
        for sql, params in statements:
            conn.execute(sql, params)
    finally:
        conn.close()


def plant_epoch(row: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    return f"INSERT INTO section_epoch_rivals ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row


def still_right(pc: Pc, winner: bytes, family_id: str, warned: bool) -> None:
    with signed_in(pc) as s:
        assert winner_of_any(s) == winner
        assert (any(BROKEN in w for w in s.warnings)) is warned, s.warnings
        text = workbook_text(s, family_id)
        assert "c0ffee01" in text and "c0ffee02" in text


def winner_of_any(s: Any) -> bytes:
    public = s.trust.section_public(SECTION, 2)
    assert public is not None
    return bytes(public.raw)


def test_planted_and_backdated_epochs_do_not_win(tmp_path: Path) -> None:
    forged: list[tuple[Any, ...]] = []
    team, desk2, family_id = converged(tmp_path, forged)
    with team.first.session() as s:
        winner = winner_of(s)
        tm = s.user_id
    # Sam's backdated epoch verifies (he held epoch 1 and his key is certified) but no rotate
    # event in the verified chain backs it: kept as a rival, never the winner.
    attack(team.first, plant_epoch(forged[0]))
    # Made-up signatures, dated first: refused and named at every sign-in.
    fake = KeyPair.derive(Secret.random(), "anything").public.raw
    attack(team.first, plant_epoch((SECTION, 2, fake, tm, EARLY, bytes(64), bytes(64), None)))
    # Signed by someone who does not hold the section: a certified key (Sam's, whose slot is
    # gone but whose key still verifies his past), the second signature by a key that is not
    # epoch 1's. Refused.
    outsider = KeyPair.derive(Secret.random(), "not the section").public.raw
    stranger = (SECTION, 2, outsider, *forged[0][3:6], bytes(forged[0][6][:-1]) + b"\0", None)
    attack(team.first, plant_epoch(stranger))
    sync(team.first)  # the planted rows travel
    sync(desk2)
    for pc in (team.first, desk2):
        still_right(pc, winner, family_id, warned=True)
        with signed_in(pc) as s:
            assert forged[0][2] in [p.raw for p in s.trust.rival_publics(SECTION, 2)]
            assert (SECTION, 2) in s.trust.broken_epochs


@pytest.mark.parametrize("what", ["loser dated first", "loser deleted", "junk grant",
                                  "junk wrap"])
def test_an_altered_or_deleted_epoch_or_grant_refuses_sign_in(tmp_path: Path,
                                                               what: str) -> None:
    team, desk2, family_id = converged(tmp_path, [])
    with desk2.session() as s:
        winner = winner_of(s)
        tm = s.user_id
        (loser,) = [r for r in section_store.epochs_and_rivals(s.conn)
                    if (r.section, r.epoch) == (SECTION, 2) and r.public_keys != winner]
    key = database_key(desk2)
    where = "section = ? AND epoch = 2 AND public_keys = ?"
    undo: list[tuple[str, tuple[Any, ...]]] = []
    if what == "junk wrap":  # "this secret, wrapped under the winner's" that is not
        wrap = (SECTION, 2, b"\x02" * 32, winner, b"\x03" * 80)
        attack(desk2, ("INSERT INTO section_rival_wraps (section, epoch, public_keys, "
                       "under_keys, wrapped) VALUES (?, ?, ?, ?, ?)", wrap), key=key)
        undo.append(("DELETE FROM section_rival_wraps WHERE wrapped = ?", (wrap[4],)))
    elif what == "junk grant":
        grant = (SECTION, 2, tm, b"\x01" * 200, tm, EARLY)
        attack(desk2, ("INSERT INTO section_grants_kept (section, epoch, holder, sealed, "
                       "granted_by, granted_at) VALUES (?, ?, ?, ?, ?, ?)", grant), key=key)
        undo.append(("DELETE FROM section_grants_kept WHERE sealed = ?", (grant[3],)))
    else:
        for table in ("section_epochs", "section_epoch_rivals"):
            if what == "loser dated first":
                attack(desk2, (f"UPDATE {table} SET created_at = ? WHERE {where}",
                               (EARLY, SECTION, loser.public_keys)), key=key)
                undo.append((f"UPDATE {table} SET created_at = ? WHERE {where}",
                             (loser.created_at, SECTION, loser.public_keys)))
            else:
                attack(desk2, (f"DELETE FROM {table} WHERE {where}",
                               (SECTION, loser.public_keys)), key=key)
        if what == "loser deleted":
            undo.append(plant_epoch((loser.section, loser.epoch, loser.public_keys,
                                     loser.created_by, loser.created_at, loser.signature,
                                     loser.prev_signature, loser.prev_wrapped)))
    with desk2.on(), pytest.raises(TamperingDetected) as refused:
        sign_in(desk2.vault, "tm", OWNER_PASSPHRASE).lock()
    assert "section" in str(refused.value) and SECTION in str(refused.value)
    attack(desk2, *undo, key=key)  # undone, the PC opens again as before
    still_right(desk2, winner, family_id, warned=False)
