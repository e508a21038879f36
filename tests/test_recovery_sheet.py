"""The recovery sheet and the house style, checked from the PDF bytes as a reader would see them.

Text is extracted with pypdf rather than inspected in reportlab objects, so a font that drops a
character or a marking drawn off the page fails here, not on the data controller's desk.
"""

from __future__ import annotations

import builtins
import io
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.platypus import PageBreak, Paragraph

from workbook.reports.house_style import PrintMarking, build_document, styles
from workbook.reports.recovery_sheet import render_recovery_sheet

TEAM = "Northgate Early Help & Safeguarding Hub"
OWNER = "Zoë Łukasz Nguyễn Ó Briain Şahin"
VAULT_ID = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
# The shape that workbook.crypto.recovery_key.format_key produces: 56 base32 letters in fours.
RECOVERY_KEY = "RWMV-NQPR-IPFB-ZIPU-LOGX-KJHX-F4YV-4BSM-CCZW-P7WO-FRPF-LU4P-PRUC-44XX"
CREATED = datetime(2025, 11, 23, 9, 16)
MARKING = "OFFICIAL-SENSITIVE"


def _render(owner: str = OWNER) -> bytes:
    return render_recovery_sheet(
        team=TEAM,
        vault_id=VAULT_ID,
        recovery_key=RECOVERY_KEY,
        owner_name=owner,
        created_at=CREATED,
    )


@pytest.fixture(scope="module")
def sheet() -> bytes:
    return _render()


@pytest.fixture(scope="module")
def reader(sheet: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(sheet))


def _page_text(reader: PdfReader, index: int = 0) -> str:
    return reader.pages[index].extract_text()


def _positioned_lines(reader: PdfReader, index: int) -> Iterator[tuple[str, float]]:
    """Each text run on a page with its height above the bottom edge, in points."""
    runs: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            runs.append((text.strip(), tm[5] * cm[3] + cm[5]))

    reader.pages[index].extract_text(visitor_text=visit)
    return iter(runs)


def _assert_marked_top_and_bottom(reader: PdfReader, index: int) -> None:
    height = float(reader.pages[index].mediabox.height)
    heights = [y for text, y in _positioned_lines(reader, index) if text == MARKING]
    assert any(y > height * 0.9 for y in heights), f"no marking at the top of page {index + 1}"
    assert any(y < height * 0.1 for y in heights), f"no marking at the bottom of page {index + 1}"


def test_the_sheet_is_exactly_one_page(reader: PdfReader) -> None:
    assert len(reader.pages) == 1


def test_the_marking_is_at_the_top_and_bottom(reader: PdfReader) -> None:
    assert _page_text(reader).count(MARKING) >= 2
    _assert_marked_top_and_bottom(reader, 0)


def test_every_group_of_the_key_is_printed(reader: PdfReader) -> None:
    text = _page_text(reader)
    for group in RECOVERY_KEY.split("-"):
        assert group in text
    # Broken only between groups: read together, the lines are the key exactly as given.
    assert RECOVERY_KEY in "".join(text.split())


def test_the_team_owner_and_page_count_are_printed(reader: PdfReader) -> None:
    text = _page_text(reader)
    assert TEAM in text
    assert OWNER in text
    assert "Page 1 of 1" in text
    assert f"Printed by {OWNER} on " in text
    assert "23/11/2025" in text
    assert "Keep in a locked safe. Do not copy." in text


def test_the_instructions_name_the_commands(reader: PdfReader) -> None:
    text = " ".join(_page_text(reader).split())
    for command in (
        "workbook recover",
        "workbook keys approve --recovery-key-file",
        "workbook device enrol",
    ):
        assert command in text
    assert "safe" in text
    assert "offline" in text


def test_metadata_names_the_document_and_the_app_only(reader: PdfReader) -> None:
    meta = reader.metadata
    assert meta is not None
    assert meta.get("/Title") == "Workbook recovery sheet"
    assert "Workbook" in (meta.get("/Author"), meta.get("/Creator"))
    assert not meta.get("/Subject")
    for value in meta.values():
        for secret in (TEAM, OWNER, "Northgate", "Zoë", VAULT_ID, RECOVERY_KEY[:9]):
            assert secret not in str(value)


@pytest.mark.parametrize(
    "owner", [OWNER, "Siobhán Ní Bhriain", "Ævar Þórsson", "Małgorzata Wójcik-Dąbrowska"]
)
def test_non_ascii_names_round_trip(owner: str) -> None:
    text = _page_text(PdfReader(io.BytesIO(_render(owner))))
    assert owner in text
    assert f"Printed by {owner} on " in text


def test_rendering_writes_no_file(monkeypatch: pytest.MonkeyPatch, private_temp: Path) -> None:
    """P8: prints are rendered from memory. Any write-mode open or temp file is a failure."""
    writes: list[str] = []
    real_open = builtins.open

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(flag in mode for flag in "wax+"):
            writes.append(str(file))
            raise AssertionError(f"rendering opened {file!r} for writing")
        return real_open(file, mode, *args, **kwargs)

    def no_temp(*args: Any, **kwargs: Any) -> Any:
        writes.append("tempfile")
        raise AssertionError("rendering asked for a temporary file")

    with monkeypatch.context() as patch:
        patch.setattr(builtins, "open", guarded_open)
        patch.setattr(io, "open", guarded_open)
        for name in (
            "mkstemp",
            "mkdtemp",
            "mktemp",
            "NamedTemporaryFile",
            "TemporaryFile",
            "SpooledTemporaryFile",
            "TemporaryDirectory",
        ):
            patch.setattr(tempfile, name, no_temp)
        pdf = _render()

    assert pdf.startswith(b"%PDF-")
    assert writes == []
    assert list(private_temp.rglob("*")) == []


def test_build_document_marks_every_page_of_a_longer_document() -> None:
    house = styles()
    story = [
        Paragraph("Home-visit summary", house.title),
        Paragraph("First page", house.body),
        PageBreak(),
        Paragraph("Second page", house.body),
        PageBreak(),
        Paragraph("Third page", house.body),
    ]
    kept = list(story)
    marking = PrintMarking(
        printed_by="Alex Practitioner",
        printed_at=datetime(2025, 3, 4, 17, 5),
        handling="Destroy securely after use",
    )

    pdf = build_document(story, title="Home-visit summary", marking=marking)

    assert story == kept, "the caller's story must not be consumed"
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    for index in range(3):
        text = _page_text(reader, index)
        assert text.count(MARKING) >= 2
        _assert_marked_top_and_bottom(reader, index)
        assert f"Page {index + 1} of 3" in text
        assert "Printed by Alex Practitioner on 04/03/2025 17:05" in text
        assert "Destroy securely after use" in text
    meta = reader.metadata
    assert meta is not None
    assert meta.get("/Title") == "Home-visit summary"
    assert meta.get("/Author") == "Workbook"
    assert meta.get("/Creator") == "Workbook"


def test_a_different_classification_is_printed_instead() -> None:
    marking = PrintMarking(
        printed_by="Alex Practitioner",
        printed_at=datetime(2025, 3, 4, 17, 5),
        classification="OFFICIAL",
    )
    pdf = build_document(
        [Paragraph("Minutes", styles().body)], title="Supervision minutes", marking=marking
    )
    text = _page_text(PdfReader(io.BytesIO(pdf)))
    assert text.count("OFFICIAL") >= 2
    assert "SENSITIVE" not in text
    assert "Page 1 of 1" in text
