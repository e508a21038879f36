"""A retirement rotates the team's sync key (issue 18, decision 0009): the retired laptop,
which keeps the key it had, cannot read what the team writes after it; the active replicas
and a PC that joins later read everything."""

from __future__ import annotations

from pathlib import Path

from support.replica_pcs import Pc, ReplicaTeam, workbook_text
from workbook.crypto import replica_file
from workbook.crypto.encoding import b64
from workbook.services.replicas import exchange, folder, replica_log, sync_keys
from workbook.vault import replica_store


def _id(pc: Pc) -> str:
    with pc.session() as s:
        own = replica_store.own(s.conn)
        assert own is not None
        return own.replica_id


def _files_of(pc: Pc, folder: Path) -> list[Path]:
    with pc.session() as s:
        own = replica_store.own(s.conn)
        assert own is not None
        tag = replica_file.replica_tag(own.sync_key, s.vault_id, own.replica_id)
    return list(folder.glob(f"*/{tag}/*.wbr"))


def test_a_retired_replica_cannot_read_files_written_after_its_retirement(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Smith family", "REF-1")
    desk2, laptop = team.join("desk 2"), team.join("laptop")
    team.sync_all()
    with team.first.session() as s:
        s.replicas.retire(_id(laptop), "laptop lost on a home visit")
    team.first.sync()  # the retirement and the new key's sealed copies travel
    desk2.sync()
    with desk2.session() as s:
        s.families.add_entry(family_id, "case-notes", "After the laptop was lost 4b1e",
                             "2026-02-01")
    desk2.sync()
    with team.first.session() as s:
        s.families.add_entry(family_id, "case-notes", "Also after it, at the hub 88d0",
                             "2026-02-02")
    team.first.sync()

    # As the retired laptop: it reads nothing written after its retirement (the retirement's
    # own file may already be compacted away: nobody waits for a retired replica); each such
    # file is reported, and nothing of it is stored.
    got = laptop.sync()
    assert got.received == 0
    no_key = [r for r in got.refused if r["reason"] == replica_file.NO_KEY]
    assert len(no_key) >= 2, got.refused
    with laptop.session() as s:
        text = workbook_text(s, family_id)
        assert "4b1e" not in text and "88d0" not in text
        own = replica_store.own(s.conn)
        assert own is not None and own.read_keys == (own.sync_key,)  # it never got the new key
        mine = s.conn.execute("SELECT count(*) FROM replica_sync_keys").fetchone()[0]
        assert mine == 0

    # The active replicas read everything, and a PC joining later too (the keys are in its
    # checkpoint).
    for pc in (team.first, desk2):
        pc.sync()
        with pc.session() as s:
            text = workbook_text(s, family_id)
            assert "4b1e" in text and "88d0" in text
            own = replica_store.own(s.conn)
            assert own is not None and own.sealing_key(set()) != own.sync_key
    desk4 = team.join("desk 4", approver=desk2)
    with desk4.session() as s:
        s.families.add_entry(family_id, "case-notes", "From the new desk 21aa", "2026-02-03")
    desk4.sync()
    desk2.sync()  # its approval of desk 4 travels
    got = team.first.sync()
    assert got.refused == [] and got.received == 1, got
    with team.first.session() as s:
        assert "21aa" in workbook_text(s, family_id)


def test_files_under_a_key_not_yet_received_are_read_once_it_arrives(tmp_path: Path) -> None:
    """The engine delivers the file sealed under the new key before the file carrying that
    key: the reader refuses it for now, and reads it at the sync after the key arrives."""
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Jones family", "REF-2")
    desk2, laptop = team.join("desk 2"), team.join("laptop")
    team.sync_all()
    with team.first.session() as s:
        s.replicas.retire(_id(laptop), "replaced")
    team.first.sync()
    held = sorted(_files_of(team.first, team.folder))[-1]  # the retirement's, held back
    data = held.read_bytes()
    held.unlink()
    with team.first.session() as s:
        s.families.add_entry(family_id, "case-notes", "Under the new key 6d3c", "2026-03-01")
    team.first.sync()
    early = desk2.sync()
    assert [r["reason"] for r in early.refused] == [replica_file.NO_KEY], early.refused
    held.write_bytes(data)
    late = desk2.sync()
    assert late.refused == [] and late.received >= 1, late
    with desk2.session() as s:
        assert "6d3c" in workbook_text(s, family_id)


def test_a_malformed_key_grant_refuses_its_whole_file(tmp_path: Path) -> None:
    """A file signed by an active replica (its key in an attacker's hands) whose grant for
    this replica is junk, or not the key it names: refused with the reason, nothing kept."""
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Brown family", "REF-3")
    desk2 = team.join("desk 2")
    first_id = _id(team.first)
    bad_grants: list[object] = [
        "not a list",
        [{"key_id": "k", "made_at": "t", "sealed": {first_id: "!!"}}],
        [{"key_id": "k", "made_at": "t", "sealed": {first_id: _sealed_to(team.first, b"\0" * 32,
                                                                      "k", _id(desk2))}}],
    ]
    reasons = []
    for n, grants in enumerate(bad_grants):
        with desk2.session() as s:
            s.families.add_entry(family_id, "case-notes", f"smuggled {n} e5e5", "2026-04-01")
            own = replica_store.own(s.conn)
            assert own is not None
            out = exchange.gather(s, own, own.next_seq)
            out.body["sync_keys"] = grants
            key = replica_file.replica_keypair(own.secret)
            data = replica_file.seal(exchange.encode(out.body), sync_key=own.sealing_key(set()),
                                     vault_id=s.vault_id, replica_id=own.replica_id,
                                     seq=own.next_seq, replica_key=key)
            folder.write_file(folder.file_path(
                team.folder, replica_file.vault_tag(own.sync_key, s.vault_id),
                replica_file.replica_tag(own.sync_key, s.vault_id, own.replica_id),
                own.next_seq), data)
            with s.write():
                replica_store.set_marks(s.conn, next_seq=own.next_seq + 1)
        got = team.first.sync()
        assert got.received == 0 and len(got.refused) == n + 1, got
        reasons.append(got.refused[-1]["reason"])
        with team.first.session() as s:
            assert "e5e5" not in workbook_text(s, family_id)
            assert s.conn.execute("SELECT count(*) FROM replica_sync_keys").fetchone()[0] == 0
    assert reasons == ["its sync key grants are malformed",
                       "its sync key for this replica does not open",
                       "its sync key for this replica is not the key it names"]


def _sealed_to(pc: Pc, raw: bytes, name: str, made_by: str) -> str:
    with pc.session() as s:
        own = replica_store.own(s.conn)
        assert own is not None
        public = replica_file.replica_keypair(own.secret).public
        return b64(public.seal(raw, replica_file.sync_key_info(s.vault_id, name,
                                                               own.replica_id, made_by)))


def test_a_key_the_laptop_made_before_its_retirement_is_never_sealed_with_after_it(
        tmp_path: Path) -> None:
    """A laptop about to be lost (its holder of V hostile) hands the team a key of its own,
    dated far in the future, while still active: after its retirement nobody seals with it,
    so it still cannot read what is written after."""
    team = ReplicaTeam.start(tmp_path)
    with team.first.session() as s:
        family_id = s.families.add("Green family", "REF-4")
    desk2, laptop = team.join("desk 2"), team.join("laptop")
    team.sync_all()
    with laptop.session() as s, s.write():
        own = replica_store.own(s.conn)
        assert own is not None
        sync_keys.rotate(s, own, replica_log.verified(s), retired="")
        s.conn.execute("UPDATE replica_sync_keys SET made_at = '9999-12-31T00:00:00+00:00'")
        s.families.add_entry(family_id, "case-notes", "so the file is sent", "2026-05-01")
    laptop.sync()
    team.sync_all(rounds=1)  # every PC now holds the laptop's key
    with team.first.session() as s:
        s.replicas.retire(_id(laptop), "lost")
    team.first.sync()
    desk2.sync()
    with desk2.session() as s:
        s.families.add_entry(family_id, "case-notes", "After the loss 0a0a", "2026-05-02")
    desk2.sync()
    got = laptop.sync()
    assert any(r["reason"] == replica_file.NO_KEY for r in got.refused), got.refused
    with laptop.session() as s:
        assert "0a0a" not in workbook_text(s, family_id)
    team.first.sync()
    with team.first.session() as s:
        assert "0a0a" in workbook_text(s, family_id)
