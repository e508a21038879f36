"""Operations figures on the 2,000-family fixture, each beside a floor measured in this run.

  1. backup of the whole vault (online backup API, header digests and tag, fsync) against
     the same backup API on a plain SQLite copy of the same schema and rows;
  2. restore of that backup (unpack, sign in, page and integrity checks, audit verify of the
     whole chain) against copying the plain database and its integrity check;
  3. disposal of one family (delete from every family table, signed tombstone, VACUUM) against
     the same DELETE and VACUUM on the plain copy;
  4. the disposal certificate against a minimal reportlab document (common.reportlab_floor).

The issues set no targets for these; the target column is empty. Run alone with
`.venv/bin/python bench/run_all.py bench_operations`.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import common
from common import Row, Timing, say
from workbook.domain.roles import Role
from workbook.reports.disposal_certificate import render_disposal_certificate
from workbook.services.access.sign_in import sign_in
from workbook.services.session import Session
from workbook.services.upkeep import backup
from workbook.services.upkeep.retention import Disposal, Retention

ADMIN = ("ops-admin", "Ops Admin", "an administrator keeps the backups safe")
INITIAL = "initial pass phrase for ops admin"
LATER = timedelta(days=366 * 7)
CERTIFICATES = 10


def _timed(fn: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000, result


def _plain_copy(session: Session, path: Path) -> Path:
    """Every table of the vault on plain SQLite (sqlcipher_export into an unkeyed file): the
    same schema and rows, bodies as the same opaque blobs, no encryption."""
    if path.exists():
        path.unlink()
    session.conn.execute(f"ATTACH DATABASE '{path}' AS plain KEY ''")
    try:
        session.conn.execute("SELECT sqlcipher_export('plain')")
    finally:
        session.conn.execute("DETACH DATABASE plain")
    return path


def _add_admin(vault: Path) -> None:
    with sign_in(vault, "tm", common.PASSPHRASES["tm"]) as owner:
        owner.accounts.add(ADMIN[0], ADMIN[1], Role.ADMIN.value, INITIAL)
    with sign_in(vault, ADMIN[0], INITIAL) as admin:
        admin.accounts.change_passphrase(INITIAL, ADMIN[2])
        fingerprint = admin.grants.fingerprint()
    with sign_in(vault, "tm", common.PASSPHRASES["tm"]) as owner:
        owner.grants.approve(ADMIN[0], fingerprint=fingerprint)


def _shifted(session: Session) -> Session:
    real = session.clock
    session.clock = lambda: real() + LATER
    return session


def run() -> list[Row]:
    _fx, work = common.prepare("operations")
    say("adding an administrator to the working copy ...")
    _add_admin(work)
    out = work.parent / "vault.wbk"
    plain = work.parent / "plain.db"
    with sign_in(work, ADMIN[0], ADMIN[2]) as admin:
        say("backup ...")
        backup_ms, _info = _timed(lambda: backup.make_backup(admin, out))
        _plain_copy(admin, plain)
    size_mb = out.stat().st_size / 1e6

    def plain_backup() -> None:
        target = work.parent / "plain-backup.db"
        if target.exists():
            target.unlink()
        source = sqlite3.connect(plain)
        dest = sqlite3.connect(target)
        source.backup(dest, pages=-1)
        dest.close()
        source.close()
        with target.open("rb+") as handle:
            os.fsync(handle.fileno())

    backup_floor = common.repeat(plain_backup, 3)

    say("restore ...")
    restored = work.parent / "restored"
    shutil.rmtree(restored, ignore_errors=True)
    restore_ms, _r = _timed(lambda: backup.restore_backup(out, restored, "tm",
                                                          common.PASSPHRASES["tm"]))

    def plain_restore() -> None:
        target = work.parent / "plain-restored.db"
        shutil.copyfile(plain, target)
        conn = sqlite3.connect(target)
        conn.execute("PRAGMA integrity_check").fetchall()
        conn.close()

    restore_floor = common.repeat(plain_restore, 3)

    say("disposal of one family ...")
    with sign_in(work, "tm", common.PASSPHRASES["tm"]) as tm:
        family = tm.conn.execute(
            "SELECT family_id FROM versions WHERE kind = 'family' LIMIT 1").fetchone()[0]
        Retention(tm).close(family, "early-help")
        Retention(_shifted(tm)).propose(family)
    with sign_in(work, ADMIN[0], ADMIN[2]) as admin:
        dispose_ms, disposal = _timed(lambda: Retention(_shifted(admin)).confirm(family))
        versions = disposal.versions_removed  # type: ignore[attr-defined]

    def plain_dispose() -> None:
        target = work.parent / "plain-dispose.db"
        shutil.copyfile(plain, target)
        conn = sqlite3.connect(target, isolation_level=None)
        start = time.perf_counter()
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("BEGIN")
        for table in ("versions", "verification_receipts", "drafts"):
            conn.execute(f"DELETE FROM {table} WHERE family_id = ?", (family,))
        conn.execute("COMMIT")
        conn.execute("VACUUM")
        conn.close()
        plain_times.append(time.perf_counter() - start)

    plain_times: list[float] = []
    for _ in range(3):
        plain_dispose()
    dispose_floor = Timing(plain_times)

    say("disposal certificate ...")
    certificate = common.repeat(lambda: render_disposal_certificate(
        _as_disposal(disposal), team="Bench Unit", printed_by="Ops Admin",
        printed_at=datetime.now(UTC)), CERTIFICATES, warmup=1)
    reportlab = common.reportlab_floor(CERTIFICATES)
    for leftover in (plain, out, restored):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        elif leftover.exists():
            leftover.unlink()
    return [
        Row(f"backup of the vault ({size_mb:.0f} MB, 2,000 families)", backup_ms,
            floor=backup_floor.median_ms,
            note="one run; floor = sqlite3 backup API on a plain SQLite copy of every table "
                 f"(same schema and rows) + fsync ({backup_floor.spread()})"),
        Row("restore of that backup (checks + audit verify)", restore_ms,
            floor=restore_floor.median_ms,
            note="one run: unpack, digests and tag, sign in, cipher and integrity checks, "
                 "audit verify of the whole chain; floor = copy of the plain database + "
                 f"integrity_check ({restore_floor.spread()})"),
        Row(f"dispose of one family ({versions} versions, incl. VACUUM)", dispose_ms,
            floor=dispose_floor.median_ms,
            note="one run; floor = the same DELETEs with secure_delete and VACUUM on the "
                 f"plain copy ({dispose_floor.spread()})"),
        Row("disposal certificate (PDF in memory)", certificate.median_ms,
            floor=reportlab.median_ms,
            note=f"{certificate.spread()}; floor = a minimal reportlab document "
                 f"(common.reportlab_floor: {reportlab.spread()})"),
    ]


def _as_disposal(value: object) -> Disposal:
    assert isinstance(value, Disposal)
    return value


if __name__ == "__main__":
    common.print_table(run(), "bench_operations")
