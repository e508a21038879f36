"""`python installer/smoke.py` (`make installer-smoke`): build the one-folder app with
installer/build.py and run it from the folder, the same on Windows and Linux.

Checks, each must exit 0: the folder is at most MAX_MB; `workbook --version`;
`workbook-gui --installer-check` (print preview through QtPdf, printing through
QtPrintSupport, the caseload chart through QtCharts; installer/frozen_check.py);
`workbook-gui --self-test` (offscreen, with its own temporary demo vault and file keyring);
and a real vault created, backed up and restored by the frozen `workbook` in a temporary
folder (so SQLCipher, the crypto and the resources work frozen). Prints the folder's size and
how long the build and the checks took. `--no-build` checks the folder already built."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build import APP, build, folder_bytes  # noqa: E402

EXE = ".exe" if os.name == "nt" else ""
MAX_MB = 150
PASSPHRASE = "smoke test owner walks the long corridor"


def run(argv: list[str], env: dict[str, str], what: str) -> str:
    started = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600,
                            check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"installer-smoke: {what} failed (exit {result.returncode})")
    print(f"installer-smoke: {what}: ok ({seconds:.1f} s)")
    return result.stdout


def private_environment(home: Path) -> dict[str, str]:
    """The frozen programs' environment: offscreen, and every per-user folder (HOME, XDG on
    Linux; APPDATA, LOCALAPPDATA and platformdirs' overrides on Windows) inside `home`, with
    the opt-in file keyring there, so the smoke test never touches the real ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBOOK_")}
    roaming, local = str(home / "appdata" / "Roaming"), str(home / "appdata" / "Local")
    env.update({"QT_QPA_PLATFORM": "offscreen", "WORKBOOK_KEYRING": "file",
                "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
                "HOME": str(home), "USERPROFILE": str(home), "APPDATA": roaming,
                "LOCALAPPDATA": local, "WIN_PD_OVERRIDE_APPDATA": roaming,
                "WIN_PD_OVERRIDE_LOCAL_APPDATA": local})
    return env


def check(home: Path) -> None:
    cli, gui = str(APP / f"workbook{EXE}"), str(APP / f"workbook-gui{EXE}")
    env = private_environment(home)
    version = run([cli, "--version"], env, "workbook --version").strip()
    print(f"installer-smoke: {version}")
    found = run([gui, "--installer-check", str(home)], env,
                "print preview, printing and charts (workbook-gui --installer-check)").strip()
    print(f"installer-smoke: installer check {found}")
    figures = run([gui, "--self-test"], env, "workbook-gui --self-test").strip()
    print(f"installer-smoke: self-test figures {figures}")
    vault = home / "vault"
    env_owner = dict(env, WORKBOOK_VAULT=str(vault), WORKBOOK_USER="keeper",
                     WORKBOOK_PASSPHRASE=PASSPHRASE)
    run([cli, "init", "--team", "Smoke Unit", "--owner", "keeper", "--owner-name",
         "Smoke Owner"], env_owner, "workbook init")
    run([cli, "backup", "--out", str(home / "vault.wbk")], env_owner, "workbook backup")
    run([cli, "restore", str(home / "vault.wbk"), "--to", str(home / "restored")],
        env_owner, "workbook restore")
    run([cli, "audit", "verify", "--vault", str(home / "restored")], env_owner,
        "workbook audit verify (restored)")


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    built = 0.0 if "--no-build" in argv else build()
    size_mb = folder_bytes(APP) / 1e6
    print(f"installer-smoke: built {APP}: {size_mb:.1f} MB (at most {MAX_MB} MB)"
          + (f" in {built:.0f} s" if built else ""))
    if size_mb > MAX_MB:
        raise SystemExit(f"installer-smoke: the folder is {size_mb:.1f} MB, over {MAX_MB} MB")
    with tempfile.TemporaryDirectory(prefix="workbook-smoke-") as folder:
        check(Path(folder))
    total = time.perf_counter() - started
    print(f"installer-smoke: passed in {total:.0f} s (build {built:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
