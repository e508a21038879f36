"""The SQLCipher connection: keyed with a raw 256-bit key, WAL, synchronous=FULL, a sized page
cache and secure_delete. Readers never block (WAL); writers wait briefly, then fail clearly."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlcipher3

from workbook.crypto.secret import Secret
from workbook.domain import folders
from workbook.domain.errors import WorkbookError
from workbook.vault.files import create_new

DATABASE_NAME = "vault.db"
BUSY_TIMEOUT_MS = 5000
# SQLCipher's page cache holds decrypted pages. 64 MiB keeps a large unit's family rows warm
# (listing 2,000 families reads about 40 MiB of pages: 68 ms warm against 142 ms with 16 MiB).
# The desktop lowers it to DESKTOP_CACHE_KIB after sign-in (`set_cache`): there home and
# search scan every family once, the pages they read are not read again soon, and the
# desktop's peak memory must stay under 300 MB (issue 3).
CACHE_KIB = 64 * 1024
DESKTOP_CACHE_KIB = 16 * 1024

Connection = Any  # sqlcipher3 ships no type stubs


class VaultConnection(sqlcipher3.Connection):
    """A vault connection that remembers the schema cookie (`PRAGMA schema_version`) and the
    migrations it was pinned against, so a write transaction re-checks the structure when
    another connection changed it since (vault/schema_pin.py)."""

    pinned_cookie: int | None = None
    pinned_steps: tuple[Any, ...] | None = None

DatabaseError = sqlcipher3.DatabaseError
IntegrityError = sqlcipher3.IntegrityError
OperationalError = sqlcipher3.OperationalError


class VaultBusy(WorkbookError):
    """Another person or process is writing to this vault; try again in a moment."""


class VaultDamaged(WorkbookError):
    """The database file cannot be opened with the key, or fails its integrity check."""


class VaultPathTooLong(WorkbookError):
    """The vault folder's path is longer than SQLite opens; the message says so in one line."""


def check_openable(vault_dir: Path) -> None:
    """VaultPathTooLong, before anything is written, when SQLite could not open the database
    of a vault in `vault_dir` (domain/folders.SQLITE_PATH_BYTES)."""
    why = folders.database_refusal(str(database_path(vault_dir)), windows=os.name == "nt")
    if why is not None:
        raise VaultPathTooLong(why)


class VaultAltered(VaultDamaged):
    """The vault's structure (tables, indexes, triggers, views) is not what its migration level
    makes: someone holding the key changed it. Refused like a damaged vault; the message
    starts "this vault's structure was altered" and names what differs."""


class RowMalformed(VaultDamaged):
    """A cell holds a value of another storage class than its column's (text in a BLOB column,
    a blob or NULL where text is due, text in an INTEGER column): SQLite does not enforce
    column types, so only a holder of the key writing SQL by hand puts it there. Refused like
    a damaged vault with one line naming the table and column, never the cell's content."""

    def __init__(self, table: str, column: str) -> None:
        super().__init__(f"a row of {table} holds a value of the wrong type in {column}: "
                         "the vault was altered outside Workbook")
        self.table = table
        self.column = column
        self.seq: int | None = None  # set for an audit row: the event `audit verify` names


def _page_size_from_key_file(vault_dir: Path) -> int:
    from workbook.vault.keyfile import KeyFile, KeyFileError

    try:
        return KeyFile.load(vault_dir).cipher_page_size
    except KeyFileError:
        return 4096


def database_path(vault_dir: Path) -> Path:
    return vault_dir / DATABASE_NAME


def connect(
    vault_dir: Path, key: Secret, *, create: bool = False, page_size: int | None = None
) -> Connection:
    """Open the vault's database. The page size is not secret and lives in the key file; it
    must be given before the first read, or SQLCipher cannot find its page boundaries."""
    if page_size is None:
        page_size = _page_size_from_key_file(vault_dir)
    path = database_path(vault_dir)
    check_openable(vault_dir)
    if not create and not path.exists():
        raise VaultDamaged(f"the vault database is missing from {vault_dir}")
    if create and not path.exists():
        # Private from the first byte; SQLite gives the -wal and -shm files the same mode.
        os.close(create_new(path))
    from workbook.vault import schema_pin

    # Built once per process, before the first keyed connection turns on SQLCipher's memory
    # security (which wipes every freed allocation and makes the build about 8 times slower).
    schema_pin.prepare()
    conn = sqlcipher3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                              factory=VaultConnection)
    try:
        # The raw key has to pass through a PRAGMA string; it lives only for this call.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{bytes(key.value).hex()}'\"")
        conn.execute(f"PRAGMA cipher_page_size = {int(page_size)}")
        conn.execute("PRAGMA cipher_memory_security = ON")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except DatabaseError:
            raise VaultDamaged(
                "the vault database does not open with this key: it is damaged, or not this "
                "vault's database"
            ) from None
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise VaultDamaged("the vault database could not switch to write-ahead logging")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        # Nothing of the file is trusted merely because it opened: its structure must be its
        # migration level's (a planted trigger could drop entries with their audit events).
        schema_pin.pin(conn)
    except BaseException:
        conn.close()
        raise
    return conn


@contextlib.contextmanager
def transaction(conn: Connection) -> Iterator[None]:
    """One use case, one transaction. BEGIN IMMEDIATE takes the write lock up front, so a busy
    vault fails before any work is done rather than half way through."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise VaultBusy(
                "the vault is busy: someone else is saving a change; try again in a moment"
            ) from None
        raise
    try:
        # A trigger planted by another connection while this one was open would act on the
        # writes below: with the write lock held, the structure cannot change under them.
        if getattr(conn, "pinned_steps", None) is not None:
            from workbook.vault import schema_pin

            schema_pin.repin_if_changed(conn)
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except OperationalError as exc:
        conn.execute("ROLLBACK")
        raise VaultBusy(f"the change could not be saved: {exc}") from None


INSERT_CHUNK = 100


def insert_many(conn: Connection, head: str, rows: Sequence[Sequence[Any]],
                chunk: int = INSERT_CHUNK) -> None:
    """`head` ("INSERT [OR ...] INTO t (a, b)") for every row, `chunk` rows per statement.

    Why not `executemany`: with `cipher_memory_security` on, every allocation SQLite makes
    is mlocked and every free is wiped and munlocked (two system calls), and a statement run
    once per row allocates its cursors, its record buffers and any trigger's frame again each
    time; on a long-lived connection whose lookaside slots are held by cached statements, even
    a bound text is an allocation. One statement of many rows opens its cursors once and
    reuses its buffers: receiving 10,000 versions made about 290,000 mlock calls in the
    versions insert as rows, about 135,000 in chunks of 100 (decision 0009, "Figures"). The
    tail of fewer than `chunk` rows goes row by row, so only one statement shape is cached."""
    if not rows:
        return
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        # Flattened into one parameter list, a short row would shift every cell after it.
        raise ValueError("rows of different lengths cannot be inserted together")
    one = "(" + ", ".join("?" * width) + ")"
    whole = len(rows) - len(rows) % chunk
    if whole:
        statement = f"{head} VALUES {', '.join([one] * chunk)}"
        for start in range(0, whole, chunk):
            conn.execute(statement, [cell for row in rows[start:start + chunk] for cell in row])
    if whole < len(rows):
        conn.executemany(f"{head} VALUES {one}", rows[whole:])


def cipher_pages_ok(conn: Connection) -> bool:
    """SQLCipher's own check of every page's HMAC: finds damage that no query has read yet."""
    return not conn.execute("PRAGMA cipher_integrity_check").fetchall()


def integrity_ok(conn: Connection) -> bool:
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    return rows == [("ok",)]


def set_cache(conn: Connection, kib: int) -> None:
    """Resize this connection's page cache (decrypted pages kept in memory)."""
    conn.execute(f"PRAGMA cache_size = -{max(1024, int(kib))}")


def rekey(conn: Connection, key: Secret) -> None:
    """Re-encrypt every page under a new raw key (SQLCipher's rekey); the key, as in `connect`,
    passes through a PRAGMA string only for this call."""
    conn.execute(f"PRAGMA rekey = \"x'{bytes(key.value).hex()}'\"")


def set_busy_timeout(conn: Connection, wait_ms: int) -> None:
    """How long this connection waits for another writer before giving up."""
    conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")


def relax_sync(conn: Connection) -> None:
    """synchronous=NORMAL on this connection only: commits stop waiting for the disk (WAL stays
    consistent; only the last commits are at risk if the machine loses power). For throwaway
    builds such as the demo, never for a working vault."""
    conn.execute("PRAGMA synchronous = NORMAL")


def create_keyed_copy(path: Path, key: Secret, page_size: int) -> Any:
    """A new, private database file keyed like the vault, for the online backup API to write
    into: only ciphertext reaches the disk. Fails if `path` exists."""
    why = folders.database_refusal(str(path), windows=os.name == "nt",
                                   what="the backup file's path")
    if why is not None:
        raise VaultPathTooLong(why)
    os.close(create_new(path))
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{bytes(key.value).hex()}'\"")
    conn.execute(f"PRAGMA cipher_page_size = {int(page_size)}")
    conn.execute("PRAGMA cipher_memory_security = ON")
    return conn
