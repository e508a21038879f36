"""Command areas beyond the trust core (supervision, printing, sharing, operations).

Each area is one module with `add_arguments(grammar)` and `COMMANDS`, so that an area's
commands live beside each other and the core grammar stays small. `AREAS` is the only list
to extend when an area is added."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

SubParsers = argparse._SubParsersAction


@dataclass(frozen=True)
class Grammar:
    """What an area needs to add commands: the top level, the core's groups, and the helpers
    that give every command the global options and the one-line usage errors."""

    top: SubParsers
    groups: dict[str, SubParsers]  # "family", "user", ... -> that group's subparsers
    sub: Callable[[SubParsers, str, str], argparse.ArgumentParser]
    group: Callable[[str, str], SubParsers]


def areas() -> list[ModuleType]:
    from workbook.cli.areas import operations, printing, sharing, supervision, vault_restore

    return [supervision, printing, sharing, operations, vault_restore]
