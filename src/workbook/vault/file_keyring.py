"""A keyring backend that keeps passwords in a private JSON file, for machines with no OS keyring.

It exists only so that Workbook can run on a locked-down or headless machine where no Secret
Service, Keychain or Credential Manager is reachable. It is weaker than an OS keyring: anything
running as this OS account can read the file. It is therefore never chosen by keyring's automatic
detection (it declares itself not viable for that); Workbook installs it only when the user opts in
with `WORKBOOK_KEYRING=file` (see `workbook.vault.device_secret.select_backend`).

The file holds a JSON object `{service: {account: password}}`. Every write replaces the whole file
atomically with a new file that was created 0600 before its first byte, so a crash leaves either
the old or the new content and the secret is never, even briefly, in a file others could read.
A damaged file is reported and left alone: overwriting it would destroy the other secrets it holds.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

import platformdirs
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError
from platformdirs.api import PlatformDirsABC

from workbook.vault.files import create_new, exclusive_lock, sync_directory

FILE_NAME = "keyring.json"
LOCK_SUFFIX = ".lock"

_Store = dict[str, dict[str, str]]

# exclusive_lock serialises processes; this serialises threads of this process.
_THREAD_LOCK = threading.RLock()


def default_path(dirs: type[PlatformDirsABC] = platformdirs.PlatformDirs) -> Path:
    """Where the file lives when no path is given: the per-user config directory, resolved now so
    that XDG_CONFIG_HOME / HOME set by the caller (or a test) are honoured. On Windows that is
    the *local* AppData (`%LOCALAPPDATA%\\workbook\\workbook`), never the roaming one: a
    roaming profile would carry the device secret to every PC the person signs in to. `dirs`
    lets the tests ask for another platform's rules."""
    return Path(dirs(appname="workbook", roaming=False).user_config_dir) / FILE_NAME


class FileKeyring(KeyringBackend):
    """Passwords in a 0600 JSON file under a 0700 directory. Opt-in only; see the module text."""

    # keyring's contract asks for a priority; 0.5 marks it "usable but not recommended". Automatic
    # detection never sees it because `viable` below is False.
    priority = 0.5

    # keyring registers every subclass and would offer this one to its automatic detection (and to
    # ChainerBackend) as soon as this module is imported. A weaker store must never be picked
    # silently, so it declares itself not viable; `keyring.set_keyring` does not consult this.
    viable = False

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        super().__init__()
        self.path = Path(path) if path is not None else default_path()

    @property
    def lock_path(self) -> Path:
        """The sibling file we lock; the data file itself is replaced, so it cannot be locked."""
        return self.path.with_name(self.path.name + LOCK_SUFFIX)

    def __repr__(self) -> str:
        return f"FileKeyring(path={str(self.path)!r})"

    # -- keyring API ---------------------------------------------------------------------------

    def get_password(self, service: str, username: str) -> str | None:
        """Read without the lock: writers replace the file atomically, so a reader always sees a
        whole file, and reading must not create the directory or lock file as a side effect."""
        return self._read().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        with self._locked():
            data = self._read()
            data.setdefault(service, {})[username] = password
            self._write(data)

    def delete_password(self, service: str, username: str) -> None:
        with self._locked():
            data = self._read()
            accounts = data.get(service, {})
            if username not in accounts:
                raise PasswordDeleteError("password not found")
            del accounts[username]
            if not accounts:
                del data[service]
            self._write(data)

    # -- file handling -------------------------------------------------------------------------

    def _read(self) -> _Store:
        """Load and validate the file; a missing file is an empty store, a damaged one an error.

        Errors are raised `from None`: a JSONDecodeError carries the whole document, secrets
        included, and must not travel up in a traceback or a crash report.
        """
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise KeyringError(
                f"cannot read the keyring file {self.path}: {exc.strerror or type(exc).__name__}"
            ) from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise self._damaged("it is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise self._damaged(f"invalid JSON at line {exc.lineno} column {exc.colno}") from None
        if not isinstance(data, dict):
            raise self._damaged("the top level is not a JSON object")
        for service, accounts in data.items():
            if not isinstance(accounts, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in accounts.items()
            ):
                # The service name is ours (not secret); account values are never echoed.
                raise self._damaged(
                    f"the entry for service {service!r} is not an object of strings"
                )
        return data

    def _damaged(self, why: str) -> KeyringError:
        return KeyringError(
            f"the keyring file {self.path} is damaged ({why}); it has been left unchanged. "
            "Restore it from a backup or move it aside, then enrol this device again."
        )

    def _ensure_dir(self) -> None:
        """Create the directory 0700, and tighten it if it already exists wider: the directory
        listing and the lock file are ours alone."""
        directory = self.path.parent
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name == "posix":
            mode = directory.stat().st_mode & 0o777
            if mode & 0o077:
                os.chmod(directory, mode & 0o700)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold an exclusive lock for a read-modify-write, so two processes setting different
        accounts cannot lose one another's update."""
        with _THREAD_LOCK:
            self._ensure_dir()
            with exclusive_lock(self.lock_path):
                yield

    def _write(self, data: _Store) -> None:
        """Atomically replace the file: new 0600 temp file (O_EXCL, so never someone else's file
        or symlink), fsync, rename over, fsync the directory so the rename itself is durable."""
        payload = json.dumps(data, sort_keys=True, indent=1).encode("utf-8")
        directory = self.path.parent
        tmp = directory / f".{self.path.name}.{secrets.token_hex(8)}.tmp"
        fd = create_new(tmp)
        try:
            try:
                view = memoryview(payload)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        sync_directory(directory)
