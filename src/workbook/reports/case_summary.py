"""The case summary: the whole picture of a family for a meeting or a supervision.

Household, the genogram (drawn, as practitioners picture a family), the assessment and
formulation, risk and resilience, the plan and the full chronology, all limited to what the
printing person may read. A part left out is not printed at all."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from workbook.reports import blocks
from workbook.reports.content import AssessmentContent, CaseSummaryContent
from workbook.reports.genogram_drawing import genogram_drawing
from workbook.reports.house_style import (
    FONT_BOLD,
    PrintMarking,
    build_shaped,
    escape,
    frame_width,
    styles,
)
from workbook.reports.scripts import para

__all__ = ["PARTS", "TITLE", "render_case_summary"]

TITLE = "Case summary"

PARTS: dict[str, str] = {
    "household": "Household",
    "genogram": "Genogram",
    "assessment": "Assessment and formulation",
    "risk": "Risk and resilience",
    "plan": "Plan",
    "chronology": "Chronology",
}


def render_case_summary(content: CaseSummaryContent, *, printed_by: str,
        printed_at: datetime) -> bytes:
    """Lay out the summary in memory and return the PDF bytes."""
    marking = PrintMarking(printed_by=printed_by, printed_at=printed_at)
    return build_shaped(lambda: _story(content, printed_at), title=TITLE, marking=marking)


def _story(content: CaseSummaryContent, printed_at: datetime) -> list[Flowable]:
    story: list[Flowable] = blocks.family_heading(TITLE, content.family)
    if content.household is not None:
        story.append(blocks.section_heading("Household"))
        story.append(blocks.household_table(content.household, with_address=True))
    if content.genogram is not None:
        story.append(blocks.section_heading("Genogram"))
        if content.genogram:
            story += genogram_drawing(content.genogram, frame_width(), printed_at.date())
        else:
            story.append(blocks.note("No one is recorded in this household."))
    if content.assessment_entries is not None:
        story.append(blocks.section_heading("Assessment and formulation"))
        story += blocks.entry_blocks(content.assessment_entries, show_section=False)
    if content.risk_entries is not None:
        story.append(blocks.section_heading("Risk and resilience"))
        if content.risk is not None:
            story += _risk(content.risk)
        else:
            story += blocks.entry_blocks(content.risk_entries, show_section=False)
    if content.actions is not None:
        story.append(blocks.section_heading("Plan"))
        story.append(blocks.actions_table(content.actions))
    if content.chronology is not None:
        story.append(blocks.section_heading("Chronology"))
        story += blocks.entry_blocks(content.chronology)
    return story


def _risk(risk: AssessmentContent) -> list[Flowable]:
    house = styles()
    cell = ParagraphStyle("wb-risk-cell", parent=house.body, fontSize=9, leading=11.5,
                          spaceAfter=0)
    head = ParagraphStyle("wb-risk-head", parent=cell, fontName=FONT_BOLD)
    rows: list[list[Flowable | str]] = [
        [para(t, head) for t in ("Domain", "Factor", "Level", "Scale", "Why")]
    ]
    for f in risk.factors:
        rows.append([para(escape(v), cell) for v in
                     (f.domain, f.factor, f.rating or "not rated", f.scale, f.rationale)])
    width = frame_width()
    table = Table(rows, colWidths=[width * w for w in (0.15, 0.21, 0.13, 0.19, 0.32)],
                  repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, "#9AA5B1"),
        ("BACKGROUND", (0, 0), (-1, 0), "#E6EAEE"),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return [
        *([para(f"<b>{escape(risk.heading)}</b>", house.body)] if risk.heading else []),
        para(f"Assessed {escape(risk.date)} by {escape(risk.author)}", house.small),
        table,
        Spacer(1, 2 * mm),
        KeepTogether([para("<b>Formulation</b>", house.body),
                      *blocks.paragraphs(risk.formulation)]),
    ]
