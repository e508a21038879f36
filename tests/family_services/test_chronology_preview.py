"""The chronology's preview takes a shortcut for long texts; it must cut exactly where the
plain flattening of the whole text cuts (the reference below is the original)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workbook.services.family.chronology import PREVIEW_CHARS, preview


def _reference(text: str, limit: int = PREVIEW_CHARS) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.") + "…"


_WORDS = st.lists(st.sampled_from(["a", "word", "longerword", ",", ".", ";", "Zoë", "x" * 70]),
                  max_size=400)
_GAPS = st.sampled_from([" ", "  ", "\n", "\t", " \r\n ", " " * 50, "\u2003"])


@settings(max_examples=400, deadline=None)
@given(_WORDS, st.lists(_GAPS, min_size=1, max_size=5), st.integers(0, 3))
def test_preview_cuts_as_the_whole_text_does(words: list[str], gaps: list[str],
                                             lead: int) -> None:
    text = " " * lead + "".join(w + gaps[i % len(gaps)] for i, w in enumerate(words))
    assert preview(text) == _reference(text)


def test_preview_of_long_and_short_texts() -> None:
    for text in ("", "   ", "short", "word " * 31, "word " * 33, "x" * 1000,
                 " " * 700 + "late words", "a," * 400):
        assert preview(text) == _reference(text)
