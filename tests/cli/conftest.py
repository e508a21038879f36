"""Fixtures for the end-to-end tests of the `workbook` command line (see cli_harness.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from cli_harness import (
    ENV_VARS,
    PASSPHRASES,
    Cli,
    MemoryKeyring,
    Template,
    build_template,
    vault_state,
)
from keyring.backend import KeyringBackend


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        yield build_template(tmp_path_factory.mktemp("cli-template"))
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """A fresh, empty in-memory keyring for this test; the previous backend comes back after."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def cli(template: Template, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, clean_env: None) -> Iterator[Cli]:
    vault = tmp_path / "vault"
    shutil.copytree(template.path, vault)
    previous: KeyringBackend = keyring.get_keyring()
    backend = MemoryKeyring()
    backend.store.update(template.store)
    keyring.set_keyring(backend)
    work = tmp_path / "files"
    work.mkdir()
    try:
        yield Cli(capsys, monkeypatch, vault, work, template, backend)
    finally:
        keyring.set_keyring(previous)



@pytest.fixture(scope="session")
def baseline(template: Template, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`vault_state` of an untouched copy of the template: what every test's copy starts as."""
    vault = tmp_path_factory.mktemp("cli-baseline") / "vault"
    shutil.copytree(template.path, vault)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    backend.store.update(template.store)
    keyring.set_keyring(backend)
    try:
        return vault_state(vault, PASSPHRASES)
    finally:
        keyring.set_keyring(previous)
