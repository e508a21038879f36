"""The command areas registry (cli/areas): the grammar and the handlers come from the same
modules, so every command that parses has exactly one handler and no handler is unreachable."""

from __future__ import annotations

import argparse

from workbook.cli.areas import areas
from workbook.cli.main import all_commands, build_grammar


def _grammar_commands() -> set[str]:
    def leaves(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> set[str]:
        found: set[str] = set()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found |= leaves(sub, (*path, name))
                if path and not action.required:  # `workbook sync` alone, and `sync setup`
                    found.add(" ".join(path))
                return found
        return {" ".join(path)}

    return leaves(build_grammar(), ())


def test_every_command_in_the_grammar_has_one_handler() -> None:
    assert _grammar_commands() == set(all_commands())


def test_no_two_areas_claim_the_same_command() -> None:
    claimed = [key for area in areas() for key in area.COMMANDS]
    assert len(claimed) == len(set(claimed))
