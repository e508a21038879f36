"""Reading printed documents back the way a person would: the text of each page, with pypdf."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Text with every run of white space as one space (table cells wrap names and dates)."""
    return re.sub(r"\s+", " ", text)


def whole(pdf: bytes) -> str:
    """Every page's text, also with line breaks removed, so a marker wrapped in a narrow table
    cell ("MARKER-personname-059" / "6c7a00b9d") is still found."""
    text = "\n".join(pages(pdf))
    return text + "\n" + re.sub(r"\s+", "", text)


def metadata(pdf: bytes) -> dict[str, str]:
    info = PdfReader(io.BytesIO(pdf)).metadata or {}
    return {str(k): str(v) for k, v in info.items()}
