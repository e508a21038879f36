"""The arrows of ARCHITECTURE.md, checked in fresh interpreters (STYLE.md, "What we take" 1).

Every module of the core packages (domain, crypto, vault, services, sync, reports) and of the
command line is imported alone in a new Python process, and that process's `sys.modules` is
inspected: no PySide6 (nor its shiboken6 runtime) may be loaded, so the CLI never pays for Qt and
the core runs without it. Modules of `workbook.domain` must, in addition, import nothing of ours
outside `workbook.domain`: the domain is plain rules in the domain's words, with no I/O.

Two layer rules are checked statically, by walking each source file's syntax tree (an import
inside a function, which the fresh interpreter would never run, counts just the same): the
`cryptography` package is imported only in workbook/crypto/, and SQL runs only in
workbook/vault/ (no call of a method named execute, executemany or executescript elsewhere).
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import pkgutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest

CORE_PACKAGES = (
    "workbook.domain",
    "workbook.crypto",
    "workbook.vault",
    "workbook.services",
    "workbook.sync",
    "workbook.reports",
    "workbook.cli",
)
QT_ROOTS = ("PySide6", "shiboken6")

# Printed by the child: every loaded module that is ours or Qt's, as JSON on one line.
PROBE = (
    "import importlib, json, sys\n"
    "importlib.import_module(sys.argv[1])\n"
    "print(json.dumps(sorted(m for m in sys.modules\n"
    "    if m.split('.')[0] in ('workbook', 'PySide6', 'shiboken6'))))\n"
)


def core_modules() -> list[str]:
    """Each core package and every module under it, found by walking the installed package, so a
    module added later is covered without editing this test."""
    names: list[str] = []
    for package_name in CORE_PACKAGES:
        package = importlib.import_module(package_name)
        names.append(package_name)
        names.extend(
            info.name
            for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}.")
        )
    return names


MODULES = core_modules()


@cache
def loaded_after_import() -> dict[str, list[str] | str]:
    """Import every module in its own fresh interpreter, a few at a time in parallel (the suite
    stays fast, memory stays bounded), and collect what each one loaded - or the error text if
    the import failed."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}

    def probe(name: str) -> list[str] | str:
        proc = subprocess.run(
            [sys.executable, "-c", PROBE, name],
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )
        if proc.returncode != 0:
            return f"import failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}"
        loaded: list[str] = json.loads(proc.stdout.strip().splitlines()[-1])
        return loaded

    workers = max(2, 2 * (os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(MODULES, pool.map(probe, MODULES), strict=True))


def test_the_walk_finds_the_core() -> None:
    """Guard against a walk that silently finds nothing (then every other test would pass)."""
    for expected in (
        "workbook.domain.history",
        "workbook.crypto.symmetric",
        "workbook.vault.database",
        "workbook.services.sign_in",
        "workbook.reports.recovery_sheet",
        "workbook.cli.main",
    ):
        assert expected in MODULES
    assert not any(name.startswith("workbook.ui") for name in MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_core_module_does_not_import_qt(module: str) -> None:
    loaded = loaded_after_import()[module]
    assert isinstance(loaded, list), loaded
    assert module in loaded
    qt = [m for m in loaded if m.split(".")[0] in QT_ROOTS]
    assert qt == [], f"{module} pulls in Qt: {qt}"


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith("workbook.domain")])
def test_domain_imports_nothing_else_of_ours(module: str) -> None:
    loaded = loaded_after_import()[module]
    assert isinstance(loaded, list), loaded
    foreign = [
        m for m in loaded
        if m.split(".")[0] == "workbook"
        and m not in {"workbook", "workbook.domain"}
        and not m.startswith("workbook.domain.")
    ]
    assert foreign == [], f"{module} imports outside the domain: {foreign}"


def test_the_probe_would_see_qt() -> None:
    """The check is live: the same probe, run on the GUI package's Qt dependency, reports it."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, "PySide6.QtCore"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    if proc.returncode != 0:
        pytest.skip(f"PySide6 is not importable here: {proc.stderr.strip()[-200:]}")
    assert "PySide6" in json.loads(proc.stdout.strip().splitlines()[-1])


# --- static layer rules ------------------------------------------------------------------------
SOURCE_ROOT = Path(importlib.import_module("workbook").__file__ or "").parent
SQL_METHODS = frozenset({"execute", "executemany", "executescript"})


@cache
def source_trees() -> dict[str, ast.Module]:
    """Every module of the application (core, CLI, GUI, demo) by its path under workbook/, as
    parsed source."""
    return {
        path.relative_to(SOURCE_ROOT).as_posix(): ast.parse(path.read_text("utf-8"), str(path))
        for path in sorted(SOURCE_ROOT.rglob("*.py"))
    }


def imported_modules(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import anywhere in the file, top level or nested;
    `from a import b` yields both "a" and "a.b", since b may be a module."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # Relative imports would name our own package; the rules below concern absolute ones.
            if node.level == 0 and node.module:
                found.append((node.lineno, node.module))
                found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def sql_calls(tree: ast.Module) -> list[tuple[int, str]]:
    return [
        (node.lineno, node.func.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr in SQL_METHODS
    ]


def test_the_source_walk_finds_the_layers() -> None:
    files = source_trees()
    for expected in ("crypto/symmetric.py", "vault/database.py", "services/sign_in.py",
                     "sync/stream.py", "cli/main.py", "demo.py"):
        assert expected in files
    # The checks are live: each finds what it looks for where it is allowed.
    assert any(name.split(".")[0] == "cryptography"
               for _, name in imported_modules(files["crypto/symmetric.py"]))
    assert sql_calls(files["vault/database.py"])
    assert "services/authority/__init__.py" in files


def test_cryptography_is_imported_only_in_crypto() -> None:
    offenders = [
        f"{path}:{line} imports {name}"
        for path, tree in source_trees().items() if not path.startswith("crypto/")
        for line, name in imported_modules(tree) if name.split(".")[0] == "cryptography"
    ]
    assert offenders == [], "cryptography outside workbook/crypto/: " + "; ".join(offenders)


def test_sql_runs_only_in_vault() -> None:
    offenders = [
        f"{path}:{line} calls .{method}()"
        for path, tree in source_trees().items() if not path.startswith("vault/")
        for line, method in sql_calls(tree)
    ]
    assert offenders == [], "SQL outside workbook/vault/ (add a repository function there): " \
        + "; ".join(offenders)


def test_authority_is_entered_only_through_its_package() -> None:
    """The key machinery has one entry point: code outside services/authority/ imports
    `workbook.services.authority` (names, or a module as a namespace), never a module path
    under it. Tests may reach inside; the application may not."""
    package = "workbook.services.authority"
    offenders = [
        f"{path}:{line} imports {name}"
        for path, tree in source_trees().items() if not path.startswith("services/authority/")
        for line, name in imported_modules_by_statement(tree)
        if name.startswith(f"{package}.")
    ]
    assert offenders == [], "import the authority package, not its modules: " \
        + "; ".join(offenders)


def imported_modules_by_statement(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, module named by the statement itself): `from a import b` yields "a" only."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found
