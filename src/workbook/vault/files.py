"""Atomic, private file writes and the lock that serialises key-file updates.

As Electrum does: permissions are set before the first byte is written, the data is fsynced,
then renamed over the old file, so a crash leaves either the old file or the new one.

Every file Workbook writes is created by `create_new` / `open_new` here, in binary mode: on
Windows a descriptor opened without O_BINARY is in text mode, which turns every LF byte into
CRLF on write (and CRLF back, stopping at a Ctrl-Z byte, on read), corrupting backups, PDFs,
key files and bundles. `tests/test_file_writes.py` fails on any other way of writing."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from filelock import FileLock

from workbook.domain.errors import WorkbookError

# 0 on POSIX, where every descriptor is binary already.
BINARY = getattr(os, "O_BINARY", 0)
# A new file, never an existing one or a symlink planted under its name, opened for writing.
NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | BINARY
PRIVATE = 0o600


def create_new(path: Path, mode: int = PRIVATE) -> int:
    """A descriptor of a new file at `path`, binary, with `mode` from its creation (the umask
    may only narrow it); FileExistsError if anything is already there."""
    return os.open(path, NEW_FILE, mode)


@contextlib.contextmanager
def open_new(path: Path, mode: int = PRIVATE) -> Iterator[BinaryIO]:
    """A binary file object over `create_new(path, mode)`, closed on leaving."""
    with os.fdopen(create_new(path, mode), "wb") as handle:
        yield handle


def write_private(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write `data` to `path` atomically with mode 0600 from the first byte. `durable=False`
    skips the fsyncs: still atomic for every other process, but a power cut may lose it."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = create_new(tmp)  # outside the try: a name we did not create is never unlinked
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    if durable:
        sync_directory(path.parent)


def append_private(path: Path, data: bytes) -> bool:
    """Append `data` to the regular file at `path` (created 0600, binary) and fsync it; False,
    writing nothing, when the open fails or something other than a regular file is there.
    O_NONBLOCK so a FIFO planted under the name cannot block the open."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | BINARY | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags, PRIVATE)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        os.write(fd, data)
        os.fsync(fd)
        return True
    finally:
        os.close(fd)


class FileRefused(WorkbookError):
    """A file given from outside is missing, not a regular file or too large; the message is
    one line naming the file and why, safe to show."""


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """At most `limit` bytes of a regular file, or FileRefused.

    Opened with O_NONBLOCK so a FIFO cannot block the open, then checked with fstat (the file
    that was opened, not a name that may since point elsewhere): pipes, devices, sockets and
    folders are refused before a byte is read, and at most `limit` + 1 bytes are ever read, so
    /dev/zero or a file growing under us cannot exhaust memory."""
    flags = os.O_RDONLY | BINARY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise FileRefused(f"the {what} file {path} does not exist") from None
    except IsADirectoryError:
        raise FileRefused(f"the {what} file {path} is a folder") from None
    except OSError as exc:
        raise FileRefused(f"cannot read the {what} file {path}: {exc.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise FileRefused(f"the {what} file {path} is a folder")
        if not stat.S_ISREG(mode):
            raise FileRefused(f"the {what} file {path} is not a regular file (a device, pipe "
                              "or socket is never read)")
        if os.fstat(fd).st_size > limit:
            raise FileRefused(f"the {what} file {path} is too large (at most {limit} bytes)")
        parts: list[bytes] = []
        size = 0
        while size <= limit:
            block = os.read(fd, min(1 << 20, limit + 1 - size))
            if not block:
                break
            parts.append(block)
            size += len(block)
        if size > limit:
            raise FileRefused(f"the {what} file {path} is too large (at most {limit} bytes)")
        return b"".join(parts)
    except FileRefused:
        raise
    except OSError as exc:
        raise FileRefused(f"cannot read the {what} file {path}: {exc.strerror}") from None
    finally:
        os.close(fd)


def sync_directory(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY | BINARY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def exclusive_lock(lock_path: Path) -> Iterator[None]:
    """Serialise read-modify-write of a small file between processes on this machine, on
    every platform: filelock takes flock on Linux and macOS and LockFileEx on Windows (also
    between the OS accounts of one shared PC, and on an SMB share); see decision 0008.
    Blocks until the lock is free. The lock file is created 0600 and holds no data."""
    with FileLock(lock_path, mode=PRIVATE):
        yield
