"""Fixtures of the supervision tests: the known vault of supervision_vault.py, built once
per session and copied per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from supervision_vault import BoardVault, _build

from support.family_vault import build_template, copy_vault, install_keyring


@pytest.fixture(scope="session")
def board_template(tmp_path_factory: pytest.TempPathFactory) -> BoardVault:
    previous = keyring.get_keyring()
    try:
        base = build_template(tmp_path_factory.mktemp("supervision-template"))
        install_keyring(base.store)
        return _build(base)
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def bv(board_template: BoardVault, tmp_path: Path) -> Iterator[BoardVault]:
    previous = keyring.get_keyring()
    try:
        yield BoardVault(copy_vault(board_template.base, tmp_path), dict(board_template.ids))
    finally:
        keyring.set_keyring(previous)
