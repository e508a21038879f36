"""The operations commands."""

from __future__ import annotations

from workbook.cli.areas import Grammar
from workbook.cli.commands import Handler


def add_arguments(grammar: Grammar) -> None:
    """Nothing yet."""


COMMANDS: dict[str, Handler] = {}
