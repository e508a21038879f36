"""A receipt larger than one insert chunk (vault/database.insert_many: many rows per
statement, the tail row by row) stores every version, logs each once, indexes each against
the writer's signed event that wrote it, and keeps the writer's audit chain whole (issue 18's
speed item: receiving 10,000 versions within 3 s)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support.replica_pcs import ReplicaTeam, workbook_text
from workbook.crypto.secret import Secret
from workbook.vault import database


@pytest.mark.parametrize("count", [0, 1, 7, 10, 23])
def test_insert_many_stores_every_row_once_in_order_through_a_trigger(
        tmp_path: Path, count: int) -> None:
    conn = database.connect(tmp_path, Secret(os.urandom(32)), create=True, page_size=4096)
    try:
        conn.execute("CREATE TABLE t (a TEXT PRIMARY KEY, b BLOB, c INTEGER) WITHOUT ROWID")
        conn.execute("CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT)")
        conn.execute("CREATE TRIGGER logged AFTER INSERT ON t BEGIN "
                     "INSERT INTO log (a) VALUES (NEW.a); END")
        rows = [(f"row {n:03d}", bytes([n]) * 40, n) for n in range(count)]
        conn.execute("BEGIN IMMEDIATE")  # a bare table: no schema pin to re-check
        database.insert_many(conn, "INSERT OR IGNORE INTO t (a, b, c)", rows, chunk=5)
        conn.execute("COMMIT")
        assert conn.execute("SELECT a, b, c FROM t ORDER BY a").fetchall() == rows
        assert [a for (a,) in conn.execute("SELECT a FROM log ORDER BY seq")] == \
            [r[0] for r in rows]
    finally:
        conn.close()


def test_insert_many_refuses_rows_of_different_lengths(tmp_path: Path) -> None:
    conn = database.connect(tmp_path, Secret(os.urandom(32)), create=True, page_size=4096)
    try:
        conn.execute("CREATE TABLE t (a TEXT, b TEXT)")
        with pytest.raises(ValueError, match="different lengths"):
            database.insert_many(conn, "INSERT INTO t (a, b)", [("1", "2"), ("3",)], chunk=2)
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    finally:
        conn.close()


def test_a_receipt_of_several_chunks_keeps_every_version_and_audit_event(
        tmp_path: Path) -> None:
    team = ReplicaTeam.start(tmp_path)
    desk2 = team.join("desk 2")
    with team.first.session() as s, s.write():
        family_id = s.families.add("Bulk family", "REF-9")
        for n in range(2 * database.INSERT_CHUNK + 17):
            s.families.add_entry(family_id, "case-notes", f"bulk entry {n} b7c1", "2026-01-05")
    with team.first.session() as s:
        sent_versions = s.conn.execute("SELECT count(*) FROM versions").fetchone()[0]
        writer_events = s.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    sent = team.first.sync()
    assert sent.sent >= 2 * database.INSERT_CHUNK + 17
    with desk2.session() as s:
        got = s.replicas.sync()
        assert got.refused == [] and got.received == sent.sent
        # Each received version logged once and indexed at receipt against the writer's
        # event that wrote it (-seq on its chain), none left for an adoption (seq 0).
        assert s.conn.execute("SELECT count(*) FROM versions").fetchone()[0] == sent_versions
        assert s.conn.execute("SELECT count(*) FROM audit_versions WHERE seq < 0").fetchone()[
            0] == got.received
        assert s.conn.execute("SELECT count(*) FROM audit_versions WHERE seq = 0").fetchone()[
            0] == 0
        logged = s.conn.execute("SELECT count(*), count(DISTINCT version_id) FROM version_log"
                                ).fetchone()
        assert logged[0] == logged[1] == sent_versions
        # The writer's events since the checkpoint arrived, several chunks of them, and its
        # chain checks out here: none lost, none doubled, in order.
        received = s.conn.execute("SELECT count(*), min(seq), max(seq) FROM replica_audit"
                                  ).fetchone()
        assert received[0] > 2 * database.INSERT_CHUNK
        assert received[0] == received[2] - received[1] + 1 and received[2] >= writer_events
        (chain,) = [r for r in s.replicas.verify_audit() if r.events > 0]
        assert chain.events == received[0] and not chain.problem
    with desk2.session() as s:  # each has its writer's signed event
        verdict = s.audit_trail.verify()
        assert verdict.ok and not verdict.unaudited_versions, verdict
        text = workbook_text(s, family_id)
        last = 2 * database.INSERT_CHUNK + 16
        assert "bulk entry 0 b7c1" in text and f"bulk entry {last} b7c1" in text
