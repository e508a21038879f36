"""`python installer/sync_resources.py [--check]`: copy the resources' sources (resources/)
into the package (src/workbook/resources/), byte for byte.

`installer/build.py` runs it before every build; `tests/test_resources.py` fails while the two
differ. `--check` changes nothing and exits 1 listing the differences. A file in the package
with no source is reported, never deleted (it may be someone's new resource without its
source yet)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "resources"
PACKAGE = ROOT / "src" / "workbook" / "resources"
NOT_COPIED = {"README.md"}  # resources/README.md describes the folder
PACKAGE_ONLY = {"__init__.py"}  # makes the folder a package for importlib.resources


def _files(folder: Path, skipped: set[str]) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts
            and p.relative_to(folder).as_posix() not in skipped}


def differences() -> list[str]:
    """One line per file that is missing, different or without a source."""
    sources, copies = _files(SOURCES, NOT_COPIED), _files(PACKAGE, PACKAGE_ONLY)
    found = []
    for name, source in sources.items():
        copy = copies.get(name)
        if copy is None:
            found.append(f"{name}: not in the package")
        elif copy.read_bytes() != source.read_bytes():
            found.append(f"{name}: differs from its source")
    found += [f"{name}: in the package with no source in resources/"
              for name in copies if name not in sources]
    return found


def sync() -> list[str]:
    """Copy every source that is missing or different into the package; the names copied."""
    copies = _files(PACKAGE, PACKAGE_ONLY)
    copied = []
    for name, source in _files(SOURCES, NOT_COPIED).items():
        copy = copies.get(name)
        if copy is None or copy.read_bytes() != source.read_bytes():
            target = PACKAGE / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            copied.append(name)
    return copied


def main(argv: list[str]) -> int:
    if "--check" not in argv:
        for name in sync():
            print(f"sync_resources: copied {name}")
    problems = differences()
    for line in problems:
        print(f"sync_resources: {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
