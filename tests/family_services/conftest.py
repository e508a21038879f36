"""Fixtures for the plain (no Qt) tests of the family-workbook services: a keyed vault built
once per session with support.family_vault, copied for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from support.family_vault import FamilyVault, build_template, copy_vault


@pytest.fixture(scope="session")
def family_template(tmp_path_factory: pytest.TempPathFactory) -> FamilyVault:
    return build_template(tmp_path_factory.mktemp("family-template"))


@pytest.fixture
def fv(family_template: FamilyVault, tmp_path: Path) -> Iterator[FamilyVault]:
    """A private copy with its own in-memory keyring; the previous keyring comes back after."""
    previous = keyring.get_keyring()
    try:
        yield copy_vault(family_template, tmp_path)
    finally:
        keyring.set_keyring(previous)
