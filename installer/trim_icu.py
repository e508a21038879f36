"""A smaller ICU data library for the Linux build: 32 MB of PySide6's libicudata, 5 MB kept.

PySide6's Linux wheels link Qt against their own ICU, whose data library holds every locale,
converter, break dictionary and transliterator ICU has. Qt asks ICU only for locale data
(collation, case mapping, names), and Workbook speaks English: the items Workbook cannot reach
are left out and the library is rebuilt with the system C compiler (`cc`), same soname, same
one symbol. Windows and macOS wheels have no such library, so nothing is done there; without a
compiler the full library is kept and the build says so.

The data is ICU's "common data" package: a header, then a table of contents (an entry count,
then per item the offsets of its name and of its bytes, relative to the table), the names, then
the items, each 16-byte aligned, sorted by name (ICU searches it by bisection)."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

LOCALE = re.compile(r"[a-z]{2,3}(_[A-Za-z0-9]+)*")
KEPT_LOCALE = re.compile(r"root|en(_[A-Za-z0-9]+)*")
DROPPED_TREES = {"translit", "rbnf"}  # transliteration and spelled-out numbers: Qt asks neither
DROPPED_EXTENSIONS = {".cnv", ".dict"}  # codepage converters (Qt has UTF-8/16/32, Latin-1), CJK/SE
DROPPED_FILES = {"unames.icu"}  # Asian word dictionaries, Unicode character names


def keep(name: str) -> bool:
    """Whether an item ("icudt73l/coll/zh.res") is kept: everything structural, the root and
    English locales, and nothing else of the per-locale trees."""
    path = name.split("/", 1)[1] if "/" in name else name
    parts = path.split("/")
    file = parts[-1]
    stem, _, extension = file.rpartition(".")
    if parts[0] in DROPPED_TREES or f".{extension}" in DROPPED_EXTENSIONS or file in DROPPED_FILES:
        return False
    if extension == "res" and LOCALE.fullmatch(stem):
        return KEPT_LOCALE.fullmatch(stem) is not None
    return True


def read_items(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The header and the (name, bytes) items of a common data package."""
    header_size = struct.unpack_from("<H", blob, 0)[0]
    if blob[2:4] != b"\xda\x27":
        raise ValueError("not ICU common data")
    toc = blob[header_size:]
    count = struct.unpack_from("<I", toc, 0)[0]
    offsets = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    ends = [data for _, data in offsets[1:]] + [len(toc)]
    items = []
    for (name_at, data_at), end in zip(offsets, ends, strict=True):
        name = toc[name_at:toc.index(b"\0", name_at)].decode("ascii")
        items.append((name, toc[data_at:end]))
    return blob[:header_size], items


def write_items(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """A common data package of `items` (kept in their sorted order) under `header`."""
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    table = 4 + 8 * len(items)
    data_at = _aligned(table + len(names))
    entries, body, name_at = [], bytearray(), table
    for name, data in items:
        entries.append(struct.pack("<II", name_at, data_at + len(body)))
        name_at += len(name) + 1
        body += data + b"\0" * (_aligned(len(data)) - len(data))
    toc = struct.pack("<I", len(items)) + b"".join(entries) + names
    return header + toc + b"\0" * (data_at - len(toc)) + bytes(body)


def _aligned(n: int) -> int:
    return -(-n // 16) * 16


def _symbol(library: Path) -> tuple[str, int, int] | None:
    """(name, file offset, size) of the data symbol, from `nm` and `readelf`."""
    try:
        nm = subprocess.run(["nm", "-D", "--defined-only", "-S", str(library)],
                            capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    found = re.search(r"^([0-9a-f]+) ([0-9a-f]+) R (icudt\d+_dat)$", nm, re.MULTILINE)
    if not found:
        return None
    address, size, name = int(found.group(1), 16), int(found.group(2), 16), found.group(3)
    sections = subprocess.run(["readelf", "-SW", str(library)], capture_output=True, text=True,
                              check=True).stdout
    for line in sections.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            start, offset = int(fields[3], 16), int(fields[4], 16)
            return name, offset + address - start, size
    return None


def trimmed(library: Path, workdir: Path) -> Path | None:
    """A trimmed copy of `library` in `workdir`, or None (with the reason printed) when it
    cannot be made here: the caller then keeps the original."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    symbol = _symbol(library) if compiler else None
    if compiler is None or symbol is None:
        print(f"trim_icu: keeping {library.name} whole (no C compiler or no data symbol)")
        return None
    name, offset, size = symbol
    with library.open("rb") as handle:
        handle.seek(offset)
        blob = handle.read(size)
    header, items = read_items(blob)
    kept = [item for item in items if keep(item[0])]
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"{name}.bin"
    data.write_bytes(write_items(header, kept))
    source = workdir / f"{name}.S"
    source.write_text(
        f'\t.section .rodata\n\t.globl {name}\n\t.type {name}, @object\n\t.balign 16\n'
        f'{name}:\n\t.incbin "{data.name}"\n\t.size {name}, . - {name}\n'
        '\t.section .note.GNU-stack,"",@progbits\n', encoding="ascii")
    out = workdir / library.name
    subprocess.run([compiler, "-shared", "-nostdlib", f"-Wl,-soname,{library.name}",
                    "-o", str(out), source.name], cwd=workdir, check=True)
    print(f"trim_icu: {library.name} {library.stat().st_size / 1e6:.1f} MB -> "
          f"{out.stat().st_size / 1e6:.1f} MB ({len(kept)} of {len(items)} items)")
    return out
