"""The version log, the removal count and the per-person board digests (migration 005).

The log gives each version a sequence number as it is inserted (a trigger on `versions`), so a
reader who has folded everything up to `seq` reads only the headers of what came after. The
digests are opaque blobs, encrypted by their owner (services/supervision/board_digest.py)."""

from __future__ import annotations

from workbook.vault import cells
from workbook.vault.database import Connection, OperationalError, VaultBusy
from workbook.vault.version_store import VersionHeader, read_header

_HEADER = ("v.family_id, v.version_id, v.record_id, v.kind, v.section_tag, v.parents, "
           "v.created_at, v.sealed")


def last_seq(conn: Connection) -> int:
    """The sequence number of the newest version logged (0 for none)."""
    row = conn.execute("SELECT max(seq) FROM version_log").fetchone()
    return cells.integer_or_none(row[0], "version_log", "seq") or 0


def removals(conn: Connection) -> int:
    """How many versions were ever deleted from this vault (disposals)."""
    row = conn.execute("SELECT count FROM version_removals WHERE id = 1").fetchone()
    return -1 if row is None else cells.integer(row[0], "version_removals", "count")


def headers_since(conn: Connection, seq: int) -> list[tuple[int, VersionHeader]]:
    """(seq, header) of every version logged after `seq`, oldest first. A log row whose
    version is gone is left out (its removal is counted, which makes a reader start again)."""
    return [(cells.integer(r[0], "version_log", "seq"), read_header(r[1:]))
            for r in conn.execute(
                f"SELECT l.seq, {_HEADER} FROM version_log AS l "
                "JOIN versions AS v ON v.family_id = l.family_id AND v.kind = l.kind "
                "AND v.version_id = l.version_id WHERE l.seq > ? ORDER BY l.seq", (seq,))]


def load(conn: Connection, user_id: str) -> bytes | None:
    """A person's digest's head (migration 011: its records are in pages)."""
    row = conn.execute("SELECT body FROM board_digests WHERE user_id = ?",
                       (user_id,)).fetchone()
    return None if row is None else cells.blob(row[0], "board_digests", "body")


def load_page(conn: Connection, user_id: str, page: int) -> bytes | None:
    row = conn.execute("SELECT body FROM board_digest_pages WHERE user_id = ? AND page = ?",
                       (user_id, page)).fetchone()
    return None if row is None else cells.blob(row[0], "board_digest_pages", "body")


def save(conn: Connection, user_id: str, head: bytes, pages: list[bytes] | None = None
         ) -> None:
    """Store (replace) a person's digest, its head and its pages, in the caller's
    transaction; VaultBusy if another writer holds the vault."""
    pages = pages or []
    try:
        conn.execute("INSERT OR REPLACE INTO board_digests (user_id, body) VALUES (?, ?)",
                     (user_id, head))
        conn.execute("DELETE FROM board_digest_pages WHERE user_id = ? AND page >= ?",
                     (user_id, len(pages)))
        conn.executemany(
            "INSERT OR REPLACE INTO board_digest_pages (user_id, page, body) VALUES (?, ?, ?)",
            [(user_id, n, body) for n, body in enumerate(pages)])
    except OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise VaultBusy("the vault is busy") from None
        raise


def discard(conn: Connection, user_id: str) -> None:
    conn.execute("DELETE FROM board_digests WHERE user_id = ?", (user_id,))
    conn.execute("DELETE FROM board_digest_pages WHERE user_id = ?", (user_id,))
