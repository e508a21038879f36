"""Backups and restores with real vaults, real SQLCipher and real crypto."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from support import vaults
from support.memory_keyring import MemoryKeyring
from workbook.domain.roles import Role
from workbook.services.errors import InvalidInput, NotPermitted, TamperingDetected
from workbook.services.upkeep import backup


def _readable_markers(vault: vaults.TeamVault) -> set[str]:
    found: set[str] = set()
    with vault.session(Role.SOCIAL_WORKER) as s:
        for fid in vault.families.values():
            view = s.workbooks.open(fid).to_json()
            found.update(_texts(view))
    return found


def _texts(node: object) -> set[str]:
    if isinstance(node, str):
        return {node}
    if isinstance(node, dict):
        return set().union(*(_texts(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(_texts(v) for v in node)) if node else set()
    return set()


def _make(team: vaults.TeamVault, out: Path, who: object = "owner") -> backup.BackupInfo:
    with team.session(who) as s:  # type: ignore[arg-type]
        return backup.make_backup(s, out)


def test_backup_holds_only_ciphertext_and_restores_on_the_same_device(
        team: vaults.TeamVault, tmp_path: Path) -> None:
    out = tmp_path / "team.wbk"
    info = _make(team, out)
    raw = out.read_bytes()
    assert os.stat(out).st_mode & 0o077 == 0
    for word in team.all_markers() + team.staff_words() + team.passphrases():
        assert word.encode() not in raw
    assert not list(tmp_path.glob(".*part*"))
    restored = backup.restore_backup(out, tmp_path / "restored", team.owner.username,
                                     team.owner.passphrase)
    assert restored.info.backup_id == info.backup_id
    assert not restored.enrolled_with_recovery_key
    copy = _moved(team, tmp_path / "restored")
    for member in copy.everyone():
        with copy.session(member) as s:
            assert s.audit_trail.verify().ok
    expected = {w.text for w in team.written if w.current and w.section in {
        "household", "case-notes", "plan", "referral-assessment", "risk-assessment",
        "home-visit-safety", "sharing-log", "supervision", "education"}}
    assert expected <= _readable_markers(copy)
    assert not list(tmp_path.glob(".restored.restoring-*"))


def _moved(team: vaults.TeamVault, path: Path) -> vaults.TeamVault:
    from dataclasses import replace

    return replace(team, path=path)


def test_restore_on_a_new_device_needs_the_recovery_key(
        team: vaults.TeamVault, tmp_path: Path) -> None:
    import keyring

    out = tmp_path / "team.wbk"
    _make(team, out, Role.ADMIN)
    previous = keyring.get_keyring()
    fresh = MemoryKeyring()
    keyring.set_keyring(fresh)
    try:
        with pytest.raises(InvalidInput, match="recovery key"):
            backup.restore_backup(out, tmp_path / "new", team.owner.username,
                                  team.owner.passphrase)
        assert not (tmp_path / "new").exists()
        with pytest.raises(InvalidInput, match="recovery key"):
            backup.restore_backup(out, tmp_path / "new", team.owner.username,
                                  team.owner.passphrase, "not a recovery key")
        restored = backup.restore_backup(out, tmp_path / "new", team.owner.username,
                                         team.owner.passphrase, team.recovery_key)
        assert restored.enrolled_with_recovery_key
        moved = _moved(team, tmp_path / "new")
        from workbook.services.access.sign_in import sign_in

        s = sign_in(moved.path, team.owner.username, team.owner.passphrase)
        try:
            assert s.audit_trail.verify().ok
            events = [e["event"] for e in s.audit_trail.events(None)]
            assert "vault_restored" in events and "recovery_key_used" in events
        finally:
            s.lock()
    finally:
        keyring.set_keyring(previous)


def test_only_owner_or_administrator_backs_up(team: vaults.TeamVault, tmp_path: Path) -> None:
    with team.session(Role.SOCIAL_WORKER) as s, pytest.raises(NotPermitted):
        backup.make_backup(s, tmp_path / "x.wbk")
    assert not (tmp_path / "x.wbk").exists()


def test_bad_output_and_targets_are_refused(team: vaults.TeamVault, tmp_path: Path) -> None:
    (tmp_path / "exists.wbk").write_bytes(b"keep me")
    with team.session("owner") as s:
        for bad, message in [(tmp_path / "exists.wbk", "already exists"),
                             (tmp_path, "is a folder"),
                             (tmp_path / "nope" / "x.wbk", "is not a folder"),
                             (team.path / "x.wbk", "inside the vault")]:
            with pytest.raises(InvalidInput, match=message):
                backup.make_backup(s, bad)
    assert (tmp_path / "exists.wbk").read_bytes() == b"keep me"
    out = tmp_path / "ok.wbk"
    _make(team, out)
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "file").write_text("mine")
    with pytest.raises(InvalidInput, match="not an empty folder"):
        backup.restore_backup(out, occupied, team.owner.username, team.owner.passphrase)
    assert (occupied / "file").read_text() == "mine"
    not_backup = tmp_path / "plain.txt"
    not_backup.write_text("hello")
    with pytest.raises(InvalidInput, match="not a Workbook backup"):
        backup.restore_backup(not_backup, tmp_path / "r", team.owner.username,
                              team.owner.passphrase)
    with pytest.raises(InvalidInput, match="does not exist"):
        backup.restore_backup(tmp_path / "missing.wbk", tmp_path / "r", team.owner.username,
                              team.owner.passphrase)


def _tampered(original: Path, target: Path, change: object) -> Path:
    data = bytearray(original.read_bytes())
    change(data)  # type: ignore[operator]
    target.write_bytes(bytes(data))
    return target


def test_a_tampered_backup_is_refused_and_nothing_is_installed(
        team: vaults.TeamVault, tmp_path: Path) -> None:
    import hashlib
    import json
    import struct

    out = tmp_path / "team.wbk"
    _make(team, out)
    data = out.read_bytes()
    (hlen,) = struct.unpack(">I", data[16:20])
    header = json.loads(data[20:20 + hlen])
    body_start = 20 + hlen + backup.TAG_BYTES

    def flip_last(d: bytearray) -> None:
        d[-100] ^= 1

    def truncate(d: bytearray) -> None:
        del d[-4096:]

    def extra(d: bytearray) -> None:
        d.extend(b"x")

    def flip_tag(d: bytearray) -> None:
        d[20 + hlen + 3] ^= 1

    def rewrite_header(d: bytearray) -> None:
        # Alter the database and recompute its digest in the header: the tag catches it.
        d[-100] ^= 1
        db = bytes(d[body_start + header["parts"][0]["length"]:])
        header["parts"][1]["sha256"] = hashlib.sha256(db).hexdigest()
        new = json.dumps(header, sort_keys=True).encode()
        assert len(new) == hlen
        d[20:20 + hlen] = new

    for name, change in [("flip", flip_last), ("truncate", truncate), ("extra", extra),
                         ("tag", flip_tag), ("header", rewrite_header)]:
        bad = _tampered(out, tmp_path / f"{name}.wbk", change)
        with pytest.raises(TamperingDetected):
            backup.restore_backup(bad, tmp_path / f"r-{name}", team.owner.username,
                                  team.owner.passphrase)
        assert not (tmp_path / f"r-{name}").exists()
        assert not list(tmp_path.glob(f".r-{name}.restoring-*"))


def test_backup_taken_during_writes_is_consistent(team: vaults.TeamVault, tmp_path: Path) -> None:
    worker = team.member(Role.SOCIAL_WORKER)
    stop = threading.Event()
    written: list[str] = []
    errors: list[BaseException] = []

    def write_loop() -> None:
        try:
            s = team.sign_in(worker)
            try:
                while not stop.is_set():
                    text = vaults.marker("during")
                    s.families.add_entry(team.families["b"], "case-notes", text, "2026-02-01")
                    written.append(text)
                    # A breath between saves, as any real writer has: SQLite's lock is not a fair
                    # queue, and a loop that re-takes it at once can starve the backup's own
                    # audit write for the whole busy timeout on a loaded machine (a CI run did).
                    stop.wait(0.005)
            finally:
                s.lock()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=write_loop)
    thread.start()
    try:
        while len(written) < 3:
            stop.wait(0.01)
        outs = []
        counts = [len(written)]
        for n in range(3):
            out = tmp_path / f"during-{n}.wbk"
            _make(team, out)
            outs.append(out)
            counts.append(len(written))
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert counts[-1] > counts[0], "the writer wrote nothing while the backups were taken"
    for n, out in enumerate(outs):
        restored = backup.restore_backup(out, tmp_path / f"r{n}", team.owner.username,
                                         team.owner.passphrase)
        assert restored.families == 2
        moved = _moved(team, tmp_path / f"r{n}")
        with moved.session(worker) as s:
            assert s.audit_trail.verify().ok
            texts = _texts(s.workbooks.open(team.families["b"]).to_json())
        present = [t for t in written if t in texts]
        # A prefix of what was written: one moment of the vault, nothing half-saved.
        assert present == written[:len(present)]


def test_reminder_when_no_backup_for_the_configured_days(
        team: vaults.TeamVault, tmp_path: Path) -> None:
    with team.session(Role.ADMIN) as s:
        assert "No backup" in backup.backup_overdue(s)
        with pytest.raises(InvalidInput):
            backup.set_reminder_days(s, 0)
        backup.set_reminder_days(s, 3)
        assert backup.reminder_days(s) == 3
        backup.make_backup(s, tmp_path / "b.wbk")
        assert backup.backup_overdue(s) == ""
        from datetime import timedelta

        real = s.clock
        s.clock = lambda: real() + timedelta(days=4)
        assert "more than 3 days" in backup.backup_overdue(s)
    with team.session(Role.SOCIAL_WORKER) as s:
        assert backup.backup_overdue(s) == ""
        with pytest.raises(NotPermitted):
            backup.set_reminder_days(s, 5)
