"""Atomic, private file writes and the lock that serialises key-file updates.

As Electrum does: permissions are set before the first byte is written, the data is fsynced,
then renamed over the old file, so a crash leaves either the old file or the new one."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from workbook.domain.errors import WorkbookError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def write_private(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write `data` to `path` atomically with mode 0600 from the first byte. `durable=False`
    skips the fsyncs: still atomic for every other process, but a power cut may lose it."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
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


class FileRefused(WorkbookError):
    """A file given from outside is missing, not a regular file or too large; the message is
    one line naming the file and why, safe to show."""


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """At most `limit` bytes of a regular file, or FileRefused.

    Opened with O_NONBLOCK so a FIFO cannot block the open, then checked with fstat (the file
    that was opened, not a name that may since point elsewhere): pipes, devices, sockets and
    folders are refused before a byte is read, and at most `limit` + 1 bytes are ever read, so
    /dev/zero or a file growing under us cannot exhaust memory."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
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
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def exclusive_lock(lock_path: Path) -> Iterator[None]:
    """Serialise read-modify-write of a small file between processes on this machine."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
