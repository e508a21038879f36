"""Where pages break: a section heading is never the last thing on a page, whatever pushes it
to the foot (a summary once printed "Plan" alone at the bottom of page 1)."""

from __future__ import annotations

from datetime import UTC, datetime

from pdf_text import pages

from workbook.reports import blocks
from workbook.reports.house_style import PrintMarking, build_document, styles
from workbook.reports.scripts import para


def test_a_heading_stays_on_the_page_of_what_follows_it() -> None:
    marking = PrintMarking(printed_by="Sam Worker", printed_at=datetime(2026, 3, 2, tzinfo=UTC))
    for filler in range(38, 62):  # moves the heading through every spot near a page's foot
        story = [para(f"Line {n} of the chronology.", styles().body) for n in range(filler)]
        story += [blocks.section_heading("Plan"), para("Ring the school.", styles().body)]
        texts = pages(build_document(story, title="Case summary", marking=marking))
        on = [n for n, text in enumerate(texts) if "Plan" in text.splitlines()]
        assert on and "Ring the school." in texts[on[0]], (filler, len(texts))
