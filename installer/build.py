"""`python installer/build.py`: build the one-folder app, build/installer/dist/Workbook/.

The same on Windows and Linux: run it with the Python that has Workbook installed (the
project's venv, or the build machine's). It installs PyInstaller through pip if it is missing,
copies resources/ into the package (installer/sync_resources.py), runs PyInstaller on
installer/workbook.spec and prints the folder's size. On Windows, Inno
Setup then makes the setup program from that folder (installer/workbook.iss;
docs/deployment.md)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "installer"
DIST = BUILD / "dist"
APP = DIST / "Workbook"
PYINSTALLER = "pyinstaller>=6.10"


def ensure_pyinstaller() -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", PYINSTALLER],
                       check=True)


def folder_bytes(folder: Path) -> int:
    """What the folder takes: every regular file once (links are not counted twice)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def sync_resources() -> None:
    """resources/ into the package first, so the build ships what the sources say."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from sync_resources import differences, sync

    for name in sync():
        print(f"build: copied resources/{name} into the package")
    for line in differences():
        print(f"build: warning: {line}")


def build() -> float:
    """Build from scratch; return the seconds it took."""
    started = time.perf_counter()
    ensure_pyinstaller()
    sync_resources()
    shutil.rmtree(BUILD, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(DIST), "--workpath", str(BUILD / "work"),
         str(ROOT / "installer" / "workbook.spec")], check=False)
    if result.returncode != 0:
        raise SystemExit(f"build: PyInstaller failed (exit {result.returncode})")
    return time.perf_counter() - started


def main() -> int:
    seconds = build()
    print(f"build: {APP} is {folder_bytes(APP) / 1e6:.0f} MB, built in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
