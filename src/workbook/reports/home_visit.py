"""The home-visit summary: what a worker takes to a family's door, on one to three pages.

The address and the home-visit safety flags come first, where nobody can miss them; then the
household, the current plan actions (the printing worker's own first), the latest chronology
entries and the key contacts. Any part the worker left out (minimum necessary) is simply not
there: no heading, no "left out" placeholder that would itself say something about the family.
Every page says "Destroy securely after use". Restricted (specialist) sections are carried into
the home only when the printing person chose one for this print, and the page then names it;
otherwise it says, as every summary does, that restricted sections are left out."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from workbook.reports import blocks
from workbook.reports.content import HomeVisitContent
from workbook.reports.house_style import PrintMarking, build_shaped, escape, styles
from workbook.reports.scripts import para

__all__ = ["HANDLING", "PARTS", "TITLE", "render_home_visit"]

TITLE = "Home-visit summary"
HANDLING = "Destroy securely after use"

# The parts a worker may leave out, in the order they are printed.
PARTS: dict[str, str] = {
    "address": "Address",
    "safety": "Home-visit safety flags",
    "household": "Household",
    "plan": "Current plan actions",
    "chronology": "Latest chronology entries",
    "contacts": "Key contacts",
}


def render_home_visit(content: HomeVisitContent, *, printed_by: str,
        printed_at: datetime) -> bytes:
    """Lay out the summary in memory and return the PDF bytes."""
    marking = PrintMarking(printed_by=printed_by, printed_at=printed_at, handling=HANDLING)
    return build_shaped(lambda: _story(content), title=TITLE, marking=marking)


def _story(content: HomeVisitContent) -> list[Flowable]:
    house = styles()
    story: list[Flowable] = blocks.family_heading(TITLE, content.family)
    if content.show_address:
        story.append(blocks.section_heading("Address"))
        if content.family.addresses:
            story += [para(f"<b>{escape(a)}</b>", house.body)
                      for a in content.family.addresses]
        else:
            story.append(blocks.note("No address is recorded for this household."))
    if content.safety_flags is not None:
        story.append(blocks.section_heading("Home-visit safety flags"))
        story.append(blocks.safety_box(content.safety_flags))
    if content.household is not None:
        story.append(blocks.section_heading("Household"))
        story.append(blocks.household_table(content.household))
    if content.actions is not None:
        story.append(blocks.section_heading("Current plan actions"))
        story.append(blocks.actions_table(content.actions))
    if content.recent is not None:
        story.append(blocks.section_heading("Latest chronology entries"))
        story += blocks.entry_blocks(content.recent)
    if content.contacts is not None:
        story.append(blocks.section_heading("Key contacts"))
        if content.contacts:
            story += [para(f"<b>{escape(role)}:</b> {escape(who)}", house.body)
                      for role, who in content.contacts]
        else:
            story.append(blocks.note("No key contacts are recorded."))
    story.append(Spacer(1, 3 * mm))
    if content.included:
        story.append(blocks.note(
            "Restricted sections included by the choice of the person who printed this: "
            + ", ".join(content.included) + ". Other restricted sections are left out."))
    else:
        story.append(blocks.note("Restricted (specialist) sections are left out of this "
                                 "summary."))
    story.append(blocks.note(
        "Only what the person who printed this may read in Workbook is shown. Take only what "
        "the visit needs; keep it with you; destroy it securely (shred it) after use."))
    return story
