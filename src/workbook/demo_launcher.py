"""`make demo`: build a demo vault of synthetic families if there is none, then open it.

This is the one command a newcomer runs, often on a machine without an OS keyring (a container,
a fresh VM, a CI runner), so rather than stop with KeyringUnavailable it opts in to the file
keyring itself - acceptable only because the vault holds synthetic data - and says so plainly.
Real vaults never get that choice made for them.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from workbook.demo import DEMO_USERS, DemoResult, DemoUser, build_demo
from workbook.services.errors import WorkbookError
from workbook.vault import device_secret
from workbook.vault.file_keyring import default_path
from workbook.vault.keyfile import KEYFILE_NAME, KeyFile, KeyFileError

SYNTHETIC_NOTICE = (
    "This is a DEMO vault: every family, person and note in it is synthetic (invented by "
    "Faker). Never enter real case information into it - its passphrases are public."
)


def ensure_keyring() -> str:
    """Use the OS keyring if there is one; otherwise fall back to the 0600 file keyring and
    say so. Returns a description of the backend in use."""
    described = device_secret.select_backend()
    if device_secret.keyring_available():
        return described
    os.environ[device_secret.ENV_VAR] = "file"
    described = device_secret.select_backend()
    print(
        "No OS keyring was found, so this demo keeps its device secret in a file readable "
        f"only by you (mode 0600): {default_path()}\n"
        f"(This is the same as starting Workbook with {device_secret.ENV_VAR}=file. It is "
        "weaker than an OS keyring, which is acceptable here only because the demo vault "
        "holds synthetic data.)\n"
    )
    return described


def device_enrolled(vault: Path) -> bool:
    """Whether this OS account's keyring can open the existing demo vault."""
    try:
        vault_id = KeyFile.load(vault).vault_id
        return device_secret.load_device_secret(vault_id) is not None
    except (KeyFileError, ValueError, OSError, device_secret.KeyringUnavailable):
        return False


def users_table(users: Sequence[DemoUser]) -> str:
    lines = [f"{'username':<15} {'role':<22} passphrase", f"{'-' * 15} {'-' * 22} {'-' * 30}"]
    lines += [f"{u.username:<15} {u.role:<22} {u.passphrase}" for u in users]
    return "\n".join(lines)


def print_summary(result: DemoResult) -> None:
    print()
    print(f"Demo vault {result.vault_id}: {result.families} families, {result.persons} people, "
          f"{result.entries} entries, {result.actions} plan actions "
          f"({result.seconds:.0f} s).")
    print()
    print("Demo accounts (public, documented passphrases - for the demo only):")
    print(users_table(result.users))
    print()
    print(f"Recovery key (DEMO ONLY; a real one is printed once and locked away):\n"
          f"  {result.recovery_key}")
    print()


def cli_help(vault: Path) -> str:
    """How to use the vault without the GUI, with the real command names."""
    social = next(u for u in DEMO_USERS if u.username == "social")
    manager = next(u for u in DEMO_USERS if u.username == "manager")
    police = next(u for u in DEMO_USERS if u.username == "police")
    run = ".venv/bin/workbook"
    return "\n".join([
        "Use the demo vault from the command line, for example:",
        f"  WORKBOOK_PASSPHRASE='{social.passphrase}' {run} --vault {vault} --as social "
        "family list",
        f"  WORKBOOK_PASSPHRASE='{social.passphrase}' {run} --vault {vault} --as social "
        "show FAMILY --json",
        f"  WORKBOOK_PASSPHRASE='{police.passphrase}' {run} --vault {vault} --as police "
        "show FAMILY --json   # police see police entries, not mental health",
        f"  WORKBOOK_PASSPHRASE='{manager.passphrase}' {run} --vault {vault} --as manager "
        "audit verify",
        "(FAMILY is a family id from `family list`.)",
    ])


def has_display() -> bool:
    """On Linux and the BSDs a window needs an X or Wayland server (or an explicit Qt
    platform); Windows and macOS always have one."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd")):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def find_gui() -> Callable[[list[str]], object] | None:
    """The GUI's entry point if it is installed and importable; None sends people to the CLI.
    A GUI that exists but fails to import (no display libraries) is reported, not hidden."""
    try:
        # By name: the GUI package is optional here and may not exist yet.
        app = importlib.import_module("workbook.ui.app")
    except ModuleNotFoundError as exc:
        if exc.name not in ("workbook.ui.app", "workbook.ui"):
            print(f"The desktop app could not be loaded ({exc}); using the command line.")
        return None
    except ImportError as exc:
        print(f"The desktop app could not be loaded ({exc}); using the command line.")
        return None
    main = getattr(app, "main", None)
    return main if callable(main) else None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m workbook.demo_launcher",
        description="Build (if needed) and open a demo vault of synthetic families.",
    )
    parser.add_argument("--vault", default="demo-vault", help="the demo vault folder")
    parser.add_argument("--families", type=int, default=200,
                        help="how many families to invent when building (default 200)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    vault = Path(args.vault)

    print(SYNTHETIC_NOTICE)
    print()
    print(f"Keyring: {ensure_keyring()}")
    if (vault / KEYFILE_NAME).exists():
        print(f"Using the existing demo vault in {vault} (delete the folder to rebuild it).")
        print("Demo accounts:")
        print(users_table(DEMO_USERS))
        print("The recovery key was printed when this demo vault was built.")
        if not device_enrolled(vault):
            print(
                f"Warning: the keyring in use does not hold this vault's device secret, so "
                "nobody can sign in from this OS account. It was probably built with another "
                f"keyring ({device_secret.ENV_VAR}=file or not) or by another OS user; delete "
                f"{vault} and run this again to rebuild it.", file=sys.stderr)
    else:
        if vault.exists() and any(vault.iterdir()):
            print(f"{vault} exists and is not a Workbook vault; choose another --vault.",
                  file=sys.stderr)
            return 2
        print(f"Building a demo vault with {args.families} synthetic families in {vault} ...")
        try:
            result = build_demo(vault, families=args.families,
                                progress=lambda message: print(message, flush=True))
        except (WorkbookError, device_secret.KeyringUnavailable) as exc:
            print(f"The demo vault could not be built: {exc}", file=sys.stderr)
            return 1
        print_summary(result)

    gui = find_gui()
    if gui is not None and not has_display():
        print("No display was found (DISPLAY and WAYLAND_DISPLAY are unset), so the desktop "
              "app cannot open here; use the command line instead.")
        gui = None
    if gui is not None:
        outcome = gui(["--vault", str(vault)])
        return outcome if isinstance(outcome, int) else 0
    print(cli_help(vault))
    return 0


if __name__ == "__main__":
    sys.exit(main())
