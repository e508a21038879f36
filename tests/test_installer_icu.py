"""The Linux build's trimmed ICU data (installer/trim_icu.py, issue 17): which items are kept,
and that the common-data package is read and written back item for item."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _trim_icu() -> ModuleType:
    spec = importlib.util.spec_from_file_location("trim_icu", ROOT / "installer" / "trim_icu.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


trim_icu = _trim_icu()


@pytest.mark.parametrize(("item", "kept"), [
    ("icudt73l/coll/root.res", True), ("icudt73l/coll/ucadata.icu", True),
    ("icudt73l/en.res", True), ("icudt73l/en_GB.res", True), ("icudt73l/curr/en_001.res", True),
    ("icudt73l/root.res", True), ("icudt73l/pool.res", True), ("icudt73l/curr/pool.res", True),
    ("icudt73l/supplementalData.res", True), ("icudt73l/likelySubtags.res", True),
    ("icudt73l/zone/zoneinfo64.res", True), ("icudt73l/cnvalias.icu", True),
    ("icudt73l/nfkc.nrm", True), ("icudt73l/brkitr/line.brk", True),
    ("icudt73l/coll/zh.res", False), ("icudt73l/fr.res", False), ("icudt73l/sr_Latn_RS.res", False),
    ("icudt73l/zone/ja.res", False), ("icudt73l/brkitr/cjdict.dict", False),
    ("icudt73l/translit/root.res", False), ("icudt73l/rbnf/en.res", False),
    ("icudt73l/ibm-37_P100-1995.cnv", False), ("icudt73l/unames.icu", False),
])
def test_structural_and_english_items_are_kept(item: str, kept: bool) -> None:
    assert trim_icu.keep(item) is kept


def _package(items: list[tuple[str, bytes]]) -> bytes:
    header = struct.pack("<HBB", 16, 0xDA, 0x27) + b"\0" * 12
    return trim_icu.write_items(header, items)


def test_a_package_is_read_back_item_for_item_and_aligned() -> None:
    items = [("icudt73l/a.res", b"x" * 16), ("icudt73l/b.icu", b"\x00\n\r\n" * 8),
             ("icudt73l/en.res", b"y" * 48)]
    blob = _package(items)
    header, read = trim_icu.read_items(blob)
    assert header == blob[:16]
    assert read == items
    table = blob[16:]
    offsets = [struct.unpack_from("<II", table, 4 + 8 * i)[1] for i in range(len(items))]
    assert all(offset % 16 == 0 for offset in offsets)


def test_something_else_is_refused() -> None:
    with pytest.raises(ValueError, match="not ICU common data"):
        trim_icu.read_items(b"\x10\x00PK" + b"\0" * 40)


def test_pysides_own_data_survives_a_round_trip() -> None:
    """On Linux, PySide6's library: every item read, written and read again unchanged."""
    import PySide6

    library = next((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"), None)
    symbol = trim_icu._symbol(library) if library is not None else None
    if symbol is None:
        pytest.skip("no ICU data library in this PySide6 (Windows and macOS wheels have none)")
    _name, offset, size = symbol
    with library.open("rb") as handle:
        handle.seek(offset)
        blob = handle.read(size)
    header, items = trim_icu.read_items(blob)
    assert len(items) > 1000
    assert trim_icu.read_items(trim_icu.write_items(header, items)) == (header, items)
    kept = [name for name, _ in items if trim_icu.keep(name)]
    assert any(name.endswith("/root.res") for name in kept)
    assert any(name.endswith("/en_GB.res") for name in kept)
