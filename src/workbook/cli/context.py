"""What every command gets: its parsed arguments, the vault and user it acts on, the clock, and
one way to print (human text, or JSON with --json). It signs in once, lazily, and locks the
session when the command ends."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook.cli import secrets_input
from workbook.services import validation
from workbook.services.access.sign_in import sign_in
from workbook.services.clock import Clock, system_clock
from workbook.services.errors import InvalidInput
from workbook.services.session import Session


@dataclass
class CliContext:
    args: Any
    vault: str
    username: str
    json: bool
    clock: Clock = system_clock
    _session: Session | None = field(default=None, repr=False)

    def vault_dir(self) -> Path:
        if not self.vault:
            raise InvalidInput("no vault given: use --vault PATH or set WORKBOOK_VAULT")
        return validation.folder_path(self.vault, "vault folder")

    def session(self) -> Session:
        if self._session is None:
            if not self.username:
                raise InvalidInput("no user given: use --as USERNAME or set WORKBOOK_USER")
            passphrase = secrets_input.acting_passphrase(
                getattr(self.args, "passphrase_file", None))
            self._session = sign_in(self.vault_dir(), self.username, passphrase,
                                    clock=self.clock)
            for warning in self._session.warnings:
                print(f"workbook: warning: {warning}", file=sys.stderr)
            for note in self._session.announcements:
                print(f"workbook: notice: {note}", file=sys.stderr)
        return self._session

    def ready_session(self) -> Session:
        session = self.session()
        session.require_ready()
        return session

    def close(self) -> None:
        if self._session is not None:
            self._session.lock()
            self._session = None

    def out(self, human: str, data: Any) -> None:
        if self.json:
            print(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
        elif human:
            print(human)


Handler = Callable[[CliContext], None]
