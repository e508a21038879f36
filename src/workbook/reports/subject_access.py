"""The subject access export: everything held about one person that the exporting person may
read, for a person who asked for it (a subject access request).

It says plainly what it covers and what it cannot (sections the exporter may not read are not
searched, and the export says so without naming them), whether third parties' details were
redacted, and - for the reviewer who checks it before release - what was withheld and why, by
category and count (never the withheld text itself)."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Table, TableStyle

from workbook.reports import blocks
from workbook.reports.content import SubjectAccessContent
from workbook.reports.house_style import (
    FONT_BOLD,
    PrintMarking,
    build_shaped,
    escape,
    frame_width,
    styles,
)
from workbook.reports.scripts import para

__all__ = ["TITLE", "render_subject_access"]

TITLE = "Subject access export"


def render_subject_access(content: SubjectAccessContent, *, printed_by: str,
        printed_at: datetime) -> bytes:
    """Lay out the export in memory and return the PDF bytes."""
    marking = PrintMarking(printed_by=printed_by, printed_at=printed_at)
    return build_shaped(lambda: _story(content), title=TITLE, marking=marking)


def _story(content: SubjectAccessContent) -> list[Flowable]:
    house = styles()
    story: list[Flowable] = [
        para(TITLE, house.title),
        para(f"Information held about <b>{escape(content.subject.name)}</b>", house.body),
        para(f"Held in the workbook of {escape(content.family.name)}"
                  + (f" ({escape(content.family.reference)})" if content.family.reference
                     else ""), house.body),
        blocks.note(
            "This export holds what Workbook records about this person in the sections the "
            f"person who exported it may read ({', '.join(content.sections) or 'none'}). "
            "Other sections, if any, are held by other professionals and were not searched; "
            "ask them separately."
            + (" Other people's (third parties') names, dates of birth, addresses and phone "
               "numbers are replaced by a mark in brackets." if content.redacted else "")),
        blocks.section_heading("Personal details"),
        _details(content.details),
    ]
    story.append(blocks.section_heading("Other members of the household"))
    story.append(blocks.household_table(content.others))
    story.append(blocks.section_heading("Plan actions"))
    story.append(blocks.actions_table(content.actions))
    story.append(blocks.section_heading("Records"))
    story += blocks.entry_blocks(content.entries)
    story.append(blocks.section_heading("Withheld (for the reviewer)"))
    if content.withheld:
        story += [para(f"<b>{escape(category.capitalize())}</b> ({count}): {escape(why)}",
                       house.body) for category, count, why in content.withheld]
    else:
        story.append(blocks.note("Nothing was withheld."))
    return story


def _details(details: tuple[tuple[str, str], ...]) -> Table:
    house = styles()
    label = ParagraphStyle("wb-sar-label", parent=house.body, fontName=FONT_BOLD)
    width = frame_width()
    table = Table([[para(escape(k), label), para(blocks.lines(v), house.body)]
                   for k, v in details] or [["", ""]],
                  colWidths=[width * 0.3, width * 0.7], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table
