"""How a folder typed by a person (a vault, a backup's folder, a restore's target) is read, on
Windows as well as here: drive letters (`Z:\\Teams\\Vault`), UNC shares
(`\\\\server\\share\\team`), long paths and names in any script are accepted; text that cannot
name a folder is refused with one line saying why.

Plain rules over text and `PurePath`s (no I/O), so the Windows forms are tested on any machine
with `PureWindowsPath`. The services apply them for the running system (`windows=os.name ==
"nt"`)."""

from __future__ import annotations

from pathlib import PurePath, PureWindowsPath

# Win32 calls without the long-path prefix fail past 260 characters (MAX_PATH) unless the PC
# enables long paths by policy; a folder also leaves room for the 12-character "8.3" name
# CreateDirectory requires and for the names of the vault's files inside it.
WINDOWS_SHORT_ENOUGH = 200
LONG_PREFIX = "\\\\?\\"
_RESERVED = set('<>"|?*')
# The longest file name SQLite's own file layer opens, in UTF-8 bytes: 512 on Linux and macOS
# (the unix VFS's MAX_PATHNAME), 1040 on Windows (its win32 VFS; long paths reach it with the
# prefix above). The vault's "-journal" suffix must fit too.
SQLITE_PATH_BYTES = {False: 512, True: 1040}
SQLITE_SUFFIX = "-journal"


def refusal(text: str, *, windows: bool) -> str | None:
    """Why `text` cannot name a folder (a sentence to show), or None when it can."""
    if not text.strip():
        return "no folder was given"
    if "\0" in text:
        return "a folder name cannot contain a NUL character"
    return _windows_refusal(text) if windows else None


def _windows_refusal(text: str) -> str | None:
    if text.startswith(LONG_PREFIX):
        return None  # already in the long form; Windows itself judges the rest
    path = PureWindowsPath(text)
    if text.startswith(("\\\\", "//")) and not path.drive:
        return (f"{text} names a computer, not a shared folder: write it as "
                "\\\\server\\share\\folder")
    if path.drive and not path.drive.startswith("\\\\") and not path.root:
        return (f"{text} is relative to the current folder of drive {path.drive}; write "
                f"{path.drive}\\{text[len(path.drive):]} for a folder at the top of the drive")
    rest = text[len(path.drive):]
    bad = sorted(_RESERVED.intersection(rest) | ({":"} if ":" in rest else set()))
    if bad:
        return f"{text} contains {' '.join(bad)}, which Windows does not allow in a name"
    return None


def for_windows_api(path: PureWindowsPath) -> PureWindowsPath:
    """`path` (absolute) in the form every Win32 call accepts: past WINDOWS_SHORT_ENOUGH
    characters, with the long-path prefix (`\\\\?\\C:\\...`, or `\\\\?\\UNC\\server\\share\\...`
    for a share); shorter paths, relative ones and those already prefixed are left as they are."""
    text = str(path)
    if len(text) <= WINDOWS_SHORT_ENOUGH or text.startswith(LONG_PREFIX) or not path.is_absolute():
        return path
    if text.startswith("\\\\"):
        return PureWindowsPath(LONG_PREFIX + "UNC\\" + text[2:])
    return PureWindowsPath(LONG_PREFIX + text)


def shown(path: PurePath) -> str:
    """`path` as a person wrote it: without the long-path prefix Workbook may have added."""
    text = str(path)
    if text.startswith(LONG_PREFIX + "UNC\\"):
        return "\\\\" + text[len(LONG_PREFIX) + 4:]
    if text.startswith(LONG_PREFIX):
        return text[len(LONG_PREFIX):]
    return text


def database_refusal(database: str, *, windows: bool, what: str = "the vault folder's path"
                     ) -> str | None:
    """Why SQLite could not open a database file at `database` (a sentence about `what`), or
    None."""
    length = len((database + SQLITE_SUFFIX).encode("utf-8"))
    limit = SQLITE_PATH_BYTES[windows]
    if length < limit:
        return None
    return (f"{what} is too long for the database file SQLite writes there ({length} bytes in "
            f"UTF-8 with the file's name; the most is {limit - 1}): choose a folder nearer the "
            "top of the drive")
