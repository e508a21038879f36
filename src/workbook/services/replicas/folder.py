"""The team's sync folder as Workbook sees it: where each replica's files go, which names are
files at all, and the atomic writes (decision 0009, docs/replicas-format.md).

Layout: `<folder>/<vault tag>/<replica tag>/<seq>.wbr`, and `<folder>/joins/` for join
requests and approvals. Each replica writes only under its own tag, each file once, through
`vault/files.write_private` (a temp name starting with "." in the same folder, fsync,
`os.replace`), so no replication engine ever sees two writers of one file. A reader skips
what engines and editors leave (`.syncthing.*.tmp`, `*.sync-conflict-*`, `~$*`, `.~lock*`,
any dot file) without a word."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from workbook.domain.errors import WorkbookError
from workbook.vault.files import read_bounded, write_private

SUFFIX = ".wbr"
FILE_NAME = re.compile(r"^(\d{10})\.wbr$")
JOINS = "joins"
REQUEST_SUFFIX = ".request"
APPROVAL_SUFFIX = ".approval"
# A file larger than this is refused unread: one file carries one sync's rows.
LARGEST_FILE = 512 * 1024 * 1024
OFFLINE = ("Working offline: the sync folder cannot be reached; your changes are kept on "
           "this PC")


class SyncFolderUnreachable(WorkbookError):
    """The folder is not there (share offline, USB stick out): nothing was changed."""

    def __init__(self) -> None:
        super().__init__(OFFLINE)


def engine_file(name: str) -> bool:
    """A partial or side file of a replication engine or an editor: never ours to read."""
    return (name.startswith((".", "~$")) or ".sync-conflict-" in name
            or name.endswith((".tmp", ".part")) or name.lower() in {"desktop.ini", "thumbs.db"})


def require_reachable(folder: Path) -> None:
    if not folder.is_dir():
        raise SyncFolderUnreachable()


def file_path(folder: Path, vault_tag: str, replica_tag: str, seq: int) -> Path:
    return folder / vault_tag / replica_tag / f"{seq:010d}{SUFFIX}"


def write_file(path: Path, data: bytes) -> None:
    """Atomically, once: a name already taken is never overwritten (the caller moves on to
    the next number)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise FileExistsError(path)
    write_private(path, data)


@dataclass
class Listing:
    """What one look at the vault's folder found."""

    files: dict[str, dict[int, Path]] = field(default_factory=dict)  # replica tag -> seq -> path
    odd: list[Path] = field(default_factory=list)  # named like ours, but not a replica file name


def list_vault(folder: Path, vault_tag: str) -> Listing:
    listing = Listing()
    root = folder / vault_tag
    if not root.is_dir():
        return listing
    for replica_dir in sorted(root.iterdir()):
        if engine_file(replica_dir.name) or not replica_dir.is_dir():
            continue
        for path in sorted(replica_dir.iterdir()):
            if engine_file(path.name):
                continue
            match = FILE_NAME.match(path.name)
            if match and path.is_file():
                listing.files.setdefault(replica_dir.name, {})[int(match.group(1))] = path
            elif path.name.endswith(SUFFIX):
                listing.odd.append(path)
    return listing


def read_file(path: Path) -> bytes:
    return read_bounded(path, LARGEST_FILE, "replica")


def shown(folder: Path, path: Path) -> str:
    """A file as reported in `refused`: its path inside the sync folder."""
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)


def joins_dir(folder: Path) -> Path:
    return folder / JOINS
