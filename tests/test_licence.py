"""Workbook's licence and the bundled fonts' licences (issue 17): an OSI licence in LICENSE
and in the package metadata, every bundled font covered by a licence file beside it, and each
of those listed in the README."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "src" / "workbook" / "resources" / "fonts"


def test_the_licence_is_apache_2_in_the_file_and_the_metadata() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0"
    assert "LICENSE" in project["license-files"]


def test_every_bundled_font_is_covered_by_a_licence_beside_it() -> None:
    licences = {p.name: p.read_text(encoding="utf-8") for p in FONTS.glob("LICENSE-*.txt")}
    fonts = sorted(p.name for p in FONTS.glob("*.ttf"))
    assert fonts and licences
    uncovered = [font for font in fonts if not any(font in text for text in licences.values())]
    assert uncovered == []


def test_the_readme_lists_the_font_licences_at_its_end_and_keeps_its_opening() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Workbook\n\n```\nmake demo\nmake test\n```\n")
    last_section = re.split(r"^## ", readme, flags=re.MULTILINE)[-1]
    assert last_section.startswith("Licence")
    assert "Apache-2.0" in last_section
    for licence in FONTS.glob("LICENSE-*.txt"):
        assert licence.name in last_section
