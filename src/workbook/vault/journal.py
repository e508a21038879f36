"""The side journal: events that happen before anyone unlocks (failed sign-ins).

Each line is one event sealed to the vault's audit public key, so the file reveals nothing
(not even which username was tried). The next person to unlock folds it into the audit chain."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from workbook.crypto import bounded_json
from workbook.crypto.encoding import b64, fields, unb64
from workbook.crypto.errors import AuthenticationFailed
from workbook.crypto.keypairs import KeyPair, PublicKeys
from workbook.vault.files import BINARY, append_private

JOURNAL_NAME = "journal"
# An honest line is one event of about 150 bytes sealed with ML-KEM-768 + X25519: about 1.6 KB
# of base64. 8 KiB is five times that; a longer line is not opened, it is counted as damaged.
MAX_LINE = 8 * 1024
# Lines looked at in one sign-in: an honest journal holds the failures since the last sign-in,
# a few dozen. Each line costs one KEM decapsulation (~0.1 ms), so 10,000 bounds the fold to
# about a second; lines beyond are counted as damaged (blank ones too), not opened.
MAX_LINES = 10_000
# Bytes read at all: MAX_LINES honest lines with headroom. The rest of a bigger file is never
# read; it counts as one more damaged line.
MAX_FILE = 32 * 1024 * 1024
# An event is a flat object; nothing honest nests.
MAX_DEPTH = 4


def _info(vault_id: str) -> bytes:
    return fields("workbook side journal v1", vault_id)


def append(vault_dir: Path, vault_id: str, audit_public: PublicKeys, event: dict[str, Any]) -> None:
    line = b64(audit_public.seal(json.dumps(event).encode(), _info(vault_id))) + "\n"
    # False for a folder or a reader-less FIFO planted under the journal's name: the event
    # cannot be kept, and the next sign-in reports the journal as damaged (read() counts it).
    append_private(vault_dir / JOURNAL_NAME, line.encode("ascii"))


def read(vault_dir: Path, vault_id: str, audit_key: KeyPair) -> tuple[list[dict[str, Any]], int]:
    """Every event that opens, and the count of lines that did not (reported as tampering).

    Bounded throughout, since anyone who can write the folder can write this file: only a
    regular file is read (a FIFO or device planted here counts as one damaged line and never
    blocks), at most MAX_FILE bytes, at most MAX_LINES lines opened, each at most MAX_LINE
    bytes and MAX_DEPTH deep. Whatever is beyond a limit is counted, not parsed."""
    data, truncated = _read_capped(vault_dir / JOURNAL_NAME)
    if data is None:
        return [], truncated
    events: list[dict[str, Any]] = []
    bad = truncated
    seen = 0  # every line looked at, blank or long ones too, so the loop runs MAX_LINES at most
    start = 0
    while start < len(data):
        if seen >= MAX_LINES:
            # Counted, never split into a list: a file of short lines stays cheap.
            rest = data[start:]
            bad += rest.count(b"\n") + (0 if rest.endswith(b"\n") else 1)
            break
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        line = data[start:end].strip()
        start = end + 1
        seen += 1
        if not line:
            continue
        if len(line) > MAX_LINE:
            bad += 1
            continue
        try:
            plain = audit_key.open(unb64(line.decode("ascii")), _info(vault_id))
            event = bounded_json.loads(plain, max_bytes=MAX_LINE, max_depth=MAX_DEPTH)
            if isinstance(event, dict):
                events.append(event)
            else:
                bad += 1
        except (AuthenticationFailed, ValueError):  # JsonRefused and UnicodeDecodeError too
            bad += 1
    return events, bad


def _read_capped(path: Path) -> tuple[bytes | None, int]:
    """(content, 0), or (first MAX_FILE bytes, 1) for a bigger file, or (None, 0) if there is
    no journal, or (None, 1) for anything that is not a readable regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | BINARY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None, 0
    except OSError:
        return None, 1
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, 1
        parts: list[bytes] = []
        size = 0
        while size <= MAX_FILE:
            block = os.read(fd, min(1 << 20, MAX_FILE + 1 - size))
            if not block:
                break
            parts.append(block)
            size += len(block)
    except OSError:
        return None, 1
    finally:
        os.close(fd)
    data = b"".join(parts)
    if size > MAX_FILE:
        return data[:MAX_FILE], 1
    return data, 0


def clear(vault_dir: Path) -> None:
    try:
        (vault_dir / JOURNAL_NAME).unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass  # a folder planted under the name: read() reports it at every sign-in
