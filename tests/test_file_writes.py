"""Every file Workbook writes is written in binary mode, through the one helper in
`workbook.vault.files` (issue 17).

On Windows a descriptor opened without O_BINARY is in text mode: each LF written becomes CRLF,
and a read turns CRLF into LF and stops at a Ctrl-Z byte. Nothing here can run on Windows, so
the rule is read from the source: every `os.open` in src/ names O_BINARY (as
`getattr(os, "O_BINARY", 0)` or a constant of the helper built from it), no text-mode `open`
writes anything, and writing happens only in the helper module."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path

import pytest

from workbook.vault import files
from workbook.vault.files import (
    FileRefused,
    append_private,
    create_new,
    open_new,
    read_bounded,
    write_private,
)

SRC = Path(__file__).resolve().parents[1] / "src" / "workbook"
HELPER = SRC / "vault" / "files.py"
# The helper's constants that carry O_BINARY (checked below to really carry it).
HELPER_CONSTANTS = {"BINARY", "NEW_FILE"}
WRITE_MODE = set("wax+")
FILE_MODE_CHARS = set("rwxabt+")
WRITING_FLAGS = {"O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND", "O_TRUNC"}
# Bytes text mode would change: LF, CRLF, a lone CR, NUL and Ctrl-Z (text-mode end of file).
AWKWARD = b"line\nwindows\r\nold mac\rnul\x00ctrl-z\x1aafter" + bytes(range(256))


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"), str(p)))
            for p in sorted(SRC.rglob("*.py"))]


def _is_getattr_binary(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "getattr" and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant) and node.args[1].value == "O_BINARY")


def _assignments(tree: ast.Module) -> dict[str, list[ast.expr]]:
    found: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
    return found


def _carries_binary(expr: ast.AST, names: dict[str, list[ast.expr]], depth: int = 0) -> bool:
    """True when `expr` contains O_BINARY: directly, through a helper constant, or through a
    local name every assignment of which carries it."""
    for node in ast.walk(expr):
        if _is_getattr_binary(node):
            return True
        name = node.id if isinstance(node, ast.Name) else (
            node.attr if isinstance(node, ast.Attribute) else None)
        if name in HELPER_CONSTANTS:
            return True
        if isinstance(node, ast.Name) and depth < 3 and names.get(node.id) and all(
                _carries_binary(value, names, depth + 1) for value in names[node.id]):
            return True
    return False


def _calls(tree: ast.Module) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _is_attr_call(call: ast.Call, owner: str, attr: str) -> bool:
    return (isinstance(call.func, ast.Attribute) and call.func.attr == attr
            and isinstance(call.func.value, ast.Name) and call.func.value.id == owner)


def _mode_argument(call: ast.Call) -> ast.expr | None:
    """The `mode` of open(path, mode), os.fdopen(fd, mode) or path.open(mode)."""
    for keyword in call.keywords:
        if keyword.arg == "mode":
            return keyword.value
    index = 0 if isinstance(call.func, ast.Attribute) and call.func.attr == "open" else 1
    return call.args[index] if len(call.args) > index else None


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(SRC.parent)}:{getattr(node, 'lineno', '?')}"


def test_the_helper_constants_carry_o_binary() -> None:
    tree = ast.parse(HELPER.read_text(encoding="utf-8"))
    names = _assignments(tree)
    assert set(names) >= HELPER_CONSTANTS
    for constant in HELPER_CONSTANTS:
        assert all(_carries_binary(value, {}) for value in names[constant]), constant
    assert files.BINARY == getattr(os, "O_BINARY", 0)
    assert files.NEW_FILE & files.BINARY == files.BINARY


def test_every_os_open_names_o_binary() -> None:
    """Reads too: a text-mode read of a bundle or a key file stops at its first Ctrl-Z byte."""
    missing = []
    for path, tree in _modules():
        names = _assignments(tree)
        for call in _calls(tree):
            if _is_attr_call(call, "os", "open"):
                flags = call.args[1] if len(call.args) > 1 else None
                if flags is None or not _carries_binary(flags, names):
                    missing.append(_where(path, call))
    assert missing == [], f"os.open without O_BINARY at {missing}"


def _writes_with_os_open(call: ast.Call, names: dict[str, list[ast.expr]]) -> bool:
    """True when the flags (or a local name they use) ask to write or create."""
    flags = call.args[1] if len(call.args) > 1 else None
    pending, seen = [flags] if flags is not None else [], set()
    while pending:
        for node in ast.walk(pending.pop()):
            if isinstance(node, ast.Attribute) and node.attr in WRITING_FLAGS:
                return True
            if isinstance(node, ast.Name):
                if node.id == "NEW_FILE":
                    return True
                if node.id not in seen:
                    seen.add(node.id)
                    pending.extend(names.get(node.id, []))
    return False


def test_files_are_written_only_through_the_helper() -> None:
    """No text-mode write anywhere; outside the helper no write at all by open, fdopen,
    write_text, write_bytes or a writing os.open (the helper sets the permissions)."""
    problems = []
    for path, tree in _modules():
        in_helper = path == HELPER
        names = _assignments(tree)
        for call in _calls(tree):
            func = call.func
            attr = func.attr if isinstance(func, ast.Attribute) else None
            if attr in {"write_text", "write_bytes"}:
                problems.append(f"{_where(path, call)} {attr}")
                continue
            writes = _is_attr_call(call, "os", "open") and _writes_with_os_open(call, names)
            if writes and not in_helper:
                problems.append(f"{_where(path, call)} os.open for writing outside the helper")
                continue
            is_open = (isinstance(func, ast.Name) and func.id == "open") or attr == "open" or (
                _is_attr_call(call, "os", "fdopen"))
            if not is_open or _is_attr_call(call, "os", "open"):
                continue
            mode = _mode_argument(call)
            if not (isinstance(mode, ast.Constant) and isinstance(mode.value, str)
                    and set(mode.value) <= FILE_MODE_CHARS):
                continue  # not a file mode: read mode by default, or another object's open()
            if set(mode.value) & WRITE_MODE:
                if "b" not in mode.value:
                    problems.append(f"{_where(path, call)} text-mode write {mode.value!r}")
                elif not in_helper:
                    problems.append(f"{_where(path, call)} write {mode.value!r} outside the helper")
    assert problems == [], problems


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    """The rules above fail on the forms they forbid (so they can fail at all)."""
    bad = ast.parse("import os\n"
                    "fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)\n"
                    "open(p, 'w').write(text)\n")
    names = _assignments(bad)
    opens = [c for c in _calls(bad) if _is_attr_call(c, "os", "open")]
    assert opens and not _carries_binary(opens[0].args[1], names)
    good = ast.parse("flags = os.O_RDONLY | getattr(os, 'O_BINARY', 0)\nos.open(p, flags)\n")
    call = next(c for c in _calls(good) if _is_attr_call(c, "os", "open"))
    assert _carries_binary(call.args[1], _assignments(good))
    assert _writes_with_os_open(opens[0], names)
    assert not _writes_with_os_open(call, _assignments(good))
    text_open = next(c for c in _calls(bad) if isinstance(c.func, ast.Name) and c.func.id == "open")
    mode = _mode_argument(text_open)
    assert isinstance(mode, ast.Constant) and mode.value == "w"
    method = next(c for c in _calls(ast.parse("path.open('wt')")))
    mode = _mode_argument(method)
    assert isinstance(mode, ast.Constant) and mode.value == "wt"


@pytest.mark.parametrize("durable", [True, False])
def test_write_private_round_trips_every_byte(tmp_path: Path, durable: bool) -> None:
    target = tmp_path / "keys.json"
    target.write_bytes(b"old")  # replaced atomically, not appended to
    write_private(target, AWKWARD, durable=durable)
    assert target.read_bytes() == AWKWARD
    assert read_bounded(target, len(AWKWARD), "test") == AWKWARD
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]  # no temp file left
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_open_new_round_trips_and_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "vault.wbk"
    with open_new(target) as handle:
        handle.write(AWKWARD)
        handle.write(AWKWARD)
    assert target.read_bytes() == AWKWARD * 2
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(FileExistsError), open_new(target):
        pass
    assert target.read_bytes() == AWKWARD * 2
    os.close(create_new(tmp_path / "empty.db"))
    assert (tmp_path / "empty.db").read_bytes() == b""


def test_open_new_never_follows_a_planted_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    (tmp_path / "out.pdf").symlink_to(victim)
    with pytest.raises(FileExistsError):
        write_private_via_open_new(tmp_path / "out.pdf")
    assert victim.read_bytes() == b"precious"


def write_private_via_open_new(path: Path) -> None:
    with open_new(path) as handle:
        handle.write(b"overwritten")


def test_append_private_appends_bytes_exactly_and_refuses_a_folder(tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    assert append_private(journal, b"one\n")
    assert append_private(journal, AWKWARD)
    assert journal.read_bytes() == b"one\n" + AWKWARD
    (tmp_path / "folder").mkdir()
    assert append_private(tmp_path / "folder", b"x") is False


def test_read_bounded_keeps_ctrl_z_and_crlf(tmp_path: Path) -> None:
    target = tmp_path / "card"
    write_private(target, b"\x1a\r\n" * 10)
    assert read_bounded(target, 30, "identity card") == b"\x1a\r\n" * 10
    with pytest.raises(FileRefused, match="too large"):
        read_bounded(target, 29, "identity card")
