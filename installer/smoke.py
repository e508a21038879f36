"""`make installer-smoke`: build the one-folder app with PyInstaller and run it from the folder.

Checks, each must exit 0: `workbook --version`, `workbook-gui --self-test` (offscreen, with its
own temporary demo vault and file keyring), and a real vault created, backed up and restored by
the frozen `workbook` in a temporary folder (so SQLCipher, the crypto and the resources work
frozen). Prints how long the build and the checks took."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "installer"
DIST = BUILD / "dist"
APP = DIST / "Workbook"
EXE = ".exe" if os.name == "nt" else ""
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


def main() -> int:
    started = time.perf_counter()
    shutil.rmtree(BUILD, ignore_errors=True)
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(DIST), "--workpath", str(BUILD / "work"),
         str(ROOT / "installer" / "workbook.spec")], dict(os.environ), "PyInstaller build")
    built = time.perf_counter() - started
    size = sum(p.stat().st_size for p in APP.rglob("*")
               if p.is_file() and not p.is_symlink()) / 1e6
    print(f"installer-smoke: built {APP} ({size:.0f} MB) in {built:.0f} s")
    cli, gui = str(APP / f"workbook{EXE}"), str(APP / f"workbook-gui{EXE}")
    with tempfile.TemporaryDirectory(prefix="workbook-smoke-") as folder:
        home = Path(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBOOK_")}
        # A file keyring inside the temporary folder: the smoke test never touches the real one.
        env.update({"QT_QPA_PLATFORM": "offscreen", "WORKBOOK_KEYRING": "file",
                    "XDG_CONFIG_HOME": str(home / "config"), "HOME": str(home),
                    "APPDATA": str(home / "appdata")})
        version = run([cli, "--version"], env, "workbook --version").strip()
        print(f"installer-smoke: {version}")
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
    total = time.perf_counter() - started
    print(f"installer-smoke: passed in {total:.0f} s (build {built:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
