"""The arrows of ARCHITECTURE.md, checked in fresh interpreters (STYLE.md, "What we take" 1).

Every module of the core packages (domain, crypto, vault, services, sync, reports) and of the
command line is imported alone in a new Python process, and that process's `sys.modules` is
inspected: no PySide6 (nor its shiboken6 runtime) may be loaded, so the CLI never pays for Qt and
the core runs without it. Modules of `workbook.domain` must, in addition, import nothing of ours
outside `workbook.domain`: the domain is plain rules in the domain's words, with no I/O.

Every other layer rule is checked statically, by walking each source file's syntax tree (an
import inside a function, which the fresh interpreter would never run, counts just the same):
Qt only in workbook/ui/; the `cryptography` package only in workbook/crypto/; SQL only in
workbook/vault/ (no call of a method named execute, executemany or executescript elsewhere);
reports never import services, the CLI or the GUI; the GUI and the CLI never import the vault
or crypto (services/files.py is their door); the GUI never imports the CLI; the core never
imports the GUI or the CLI; the domain imports nothing of ours outside the domain. And there
are no import cycles among our modules, counting imports inside functions (an import under
`if TYPE_CHECKING:` never runs, so it cannot close a cycle, and is left out of that check).
Each rule is shown to be live by a planted violation in a tiny synthetic tree.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import pkgutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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
        "workbook.services.access.sign_in",
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
    for expected in ("crypto/symmetric.py", "vault/database.py", "services/access/sign_in.py",
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


# --- the layer rules, one table --------------------------------------------------------------
CORE_DIRS = ("domain/", "crypto/", "vault/", "services/", "sync/", "reports/")


def _under(*roots: str) -> Callable[[str], bool]:
    """Any of the named modules or a module beneath one of them."""
    return lambda name: any(name == root or name.startswith(f"{root}.") for root in roots)


@dataclass(frozen=True)
class LayerRule:
    """Files whose path (under workbook/) satisfies `applies` import no module `forbids` names."""

    name: str
    applies: Callable[[str], bool]
    forbids: Callable[[str], bool]


def _ours_outside_domain(name: str) -> bool:
    return name.startswith("workbook.") \
        and not _under("workbook.domain")(name)


LAYER_RULES = (
    LayerRule("Qt only in workbook/ui/", lambda path: not path.startswith("ui/"),
              _under(*QT_ROOTS)),
    LayerRule("cryptography only in workbook/crypto/", lambda path: not path.startswith("crypto/"),
              _under("cryptography")),
    LayerRule("reports never import services, the CLI or the GUI",
              lambda path: path.startswith("reports/"),
              _under("workbook.services", "workbook.cli", "workbook.ui")),
    LayerRule("the GUI and the CLI never import the vault or crypto (use services/files.py)",
              lambda path: path.startswith(("ui/", "cli/")),
              _under("workbook.vault", "workbook.crypto")),
    LayerRule("the GUI never imports the CLI", lambda path: path.startswith("ui/"),
              _under("workbook.cli")),
    LayerRule("the core never imports the GUI or the CLI", lambda path: path.startswith(CORE_DIRS),
              _under("workbook.ui", "workbook.cli")),
    LayerRule("the domain imports nothing of ours outside the domain",
              lambda path: path.startswith("domain/"), _ours_outside_domain),
)


def rule_offenders(trees: Mapping[str, ast.Module], rule: LayerRule) -> list[str]:
    return [
        f"{path}:{line} imports {name}"
        for path, tree in trees.items() if rule.applies(path)
        for line, name in imported_modules(tree) if rule.forbids(name)
    ]


@pytest.mark.parametrize("rule", LAYER_RULES, ids=lambda rule: rule.name)
def test_layer_rule_holds(rule: LayerRule) -> None:
    offenders = rule_offenders(source_trees(), rule)
    assert offenders == [], f"{rule.name}: " + "; ".join(offenders)


# One planted violation per rule (same order as LAYER_RULES): a path and one line of source.
PLANTED = (
    ("services/x.py", "def f():\n    from PySide6.QtCore import QObject\n"),
    ("sync/x.py", "import cryptography.hazmat\n"),
    ("reports/x.py", "from workbook.services import retention\n"),
    ("cli/areas/x.py", "def f():\n    from workbook.vault.files import write_private\n"),
    ("ui/x.py", "from workbook.cli.main import EXPECTED\n"),
    ("vault/x.py", "import workbook.ui.app\n"),
    ("domain/x.py", "from workbook.services.errors import WorkbookError\n"),
)


@pytest.mark.parametrize(("rule", "planted"), list(zip(LAYER_RULES, PLANTED, strict=True)),
                         ids=[rule.name for rule in LAYER_RULES])
def test_layer_rule_is_live(rule: LayerRule, planted: tuple[str, str]) -> None:
    """The checker finds a planted violation, and passes the same import where it is allowed."""
    path, source = planted
    assert rule_offenders({path: ast.parse(source)}, rule), rule.name
    allowed = {
        "Qt only in workbook/ui/": "ui/x.py",
        "cryptography only in workbook/crypto/": "crypto/x.py",
    }.get(rule.name, "demo.py")
    assert rule_offenders({allowed: ast.parse(source)}, rule) == []


# --- no import cycles -------------------------------------------------------------------------
def module_of(path: str) -> str:
    """workbook/services/files.py -> workbook.services.files; a package is its __init__."""
    parts = ["workbook", *path.removesuffix(".py").split("/")]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the nodes under `if TYPE_CHECKING:` - imports that never run."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            skipped.update(id(inner) for child in node.body for inner in ast.walk(child))
    return skipped


def module_graph(trees: Mapping[str, ast.Module]) -> dict[str, set[str]]:
    """Our modules and, for each, the modules of ours it imports anywhere in the file (top level
    or in a function). `from a import b` is the module a.b when that is a module, else a."""
    modules = {module_of(path): tree for path, tree in trees.items()}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, tree in modules.items():
        skipped = _type_checking_only(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [f"{node.module}.{alias.name}"
                           if f"{node.module}.{alias.name}" in modules else node.module
                           for alias in node.names]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def import_cycles(graph: Mapping[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _cycle(*names: str) -> frozenset[str]:
    return frozenset(f"workbook.{name}" for name in names)


# The cycles still standing, each with why it is here. This list only shrinks: a new cycle, or
# a module joining one of these, fails; a cycle broken (or made smaller) fails until its entry
# here is removed or narrowed to match.
ALLOWED_CYCLES: dict[frozenset[str], str] = {
    _cycle("vault.database", "vault.schema_pin", "vault.migrations", "vault.cells"):
        "connect() and transaction() pin the schema through schema_pin, imported inside the "
        "functions; schema_pin builds each level's schema from the migrations, and migrations "
        "and cells import database's Connection, transaction and errors. Ends when the "
        "connection, its errors and the pinning are layered one way",
}


def unexplained_cycles(found: list[frozenset[str]]) -> tuple[list[list[str]], list[str]]:
    """(cycles no entry allows, entries that no longer match a cycle)."""
    new = [sorted(cycle) for cycle in found if cycle not in ALLOWED_CYCLES]
    gone = [str(sorted(cycle)) for cycle in ALLOWED_CYCLES if cycle not in found]
    return new, gone


def test_no_import_cycles_beyond_the_shrinking_list() -> None:
    new, gone = unexplained_cycles(import_cycles(module_graph(source_trees())))
    assert new == [], f"import cycles (move code to where it belongs): {new}"
    assert gone == [], f"these allowed cycles are broken or smaller: update the lists {gone}"


def test_the_cycle_check_is_live() -> None:
    """A planted cycle through an import inside a function is found; a type-only import and a
    one-way import are not cycles; `from a import b` names the module a.b when there is one."""
    trees = {
        "a.py": ast.parse("from workbook import b\n"),
        "b.py": ast.parse("def f():\n    from workbook.c import thing\n"),
        "c.py": ast.parse("import workbook.a\n"),
        "d.py": ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                          "    import workbook.e\n"),
        "e.py": ast.parse("from workbook.d import name\n"),
        "f.py": ast.parse("from workbook.a import name\n"),
    }
    assert import_cycles(module_graph(trees)) == [_cycle("a", "b", "c")]


def test_the_allowed_cycles_only_shrink() -> None:
    """A new cycle, or a listed cycle that gains a module, is reported; an entry matching
    nothing is stale."""
    vault = next(iter(ALLOWED_CYCLES))
    crossing = frozenset({"workbook.cli.areas", "workbook.cli.main"})
    grown_vault = vault | {"workbook.vault.files"}
    new, gone = unexplained_cycles([crossing, grown_vault])
    assert new == [sorted(crossing), sorted(grown_vault)]
    assert gone == [str(sorted(vault))]
