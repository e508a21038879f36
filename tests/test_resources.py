"""resources/ holds the sources of the package data; src/workbook/resources/ the copy Python
reads (issue 17). The two agree byte for byte, and nothing in the package lacks a source."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _sync_resources() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "sync_resources", ROOT / "installer" / "sync_resources.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sync_resources = _sync_resources()


def test_the_package_resources_are_the_sources_byte_for_byte() -> None:
    assert sync_resources.differences() == [], (
        "run `python installer/sync_resources.py` and commit both copies")
    assert (ROOT / "resources" / "policy.toml").is_file()
    assert (ROOT / "resources" / "fonts" / "LICENSE-DejaVu.txt").is_file()


@pytest.fixture
def trees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    sources, package = tmp_path / "resources", tmp_path / "package"
    (sources / "fonts").mkdir(parents=True)
    package.mkdir()
    (sources / "README.md").write_text("about the folder\n")
    (sources / "policy.toml").write_bytes(b"[sections]\r\nx = 1\n")
    (sources / "fonts" / "a.ttf").write_bytes(bytes(range(256)))
    (package / "__init__.py").write_text("")
    monkeypatch.setattr(sync_resources, "SOURCES", sources)
    monkeypatch.setattr(sync_resources, "PACKAGE", package)
    return sources, package


def test_a_difference_of_one_byte_is_found_and_the_sync_mends_it(
        trees: tuple[Path, Path]) -> None:
    sources, package = trees
    assert sorted(sync_resources.differences()) == ["fonts/a.ttf: not in the package",
                                                    "policy.toml: not in the package"]
    assert sorted(sync_resources.sync()) == ["fonts/a.ttf", "policy.toml"]
    assert sync_resources.differences() == []
    (package / "policy.toml").write_bytes(b"[sections]\nx = 1\n")  # CRLF lost
    assert sync_resources.differences() == ["policy.toml: differs from its source"]
    assert sync_resources.sync() == ["policy.toml"]
    assert (package / "policy.toml").read_bytes() == (sources / "policy.toml").read_bytes()
    assert not (package / "README.md").exists()


def test_a_package_resource_without_a_source_is_reported_and_kept(
        trees: tuple[Path, Path]) -> None:
    _sources, package = trees
    sync_resources.sync()
    (package / "frameworks.toml").write_text("new\n")
    assert sync_resources.differences() == [
        "frameworks.toml: in the package with no source in resources/"]
    assert sync_resources.main(["--check"]) == 1
    assert (package / "frameworks.toml").exists()
