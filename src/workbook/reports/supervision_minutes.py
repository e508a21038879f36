"""The minutes of a group supervision session, as a PDF built in memory in the house style.

One section per family on the agenda, in agenda order: the summary, what is working well, what
we are worried about, the decisions, the scaling judgement, the actions with their owners and
due dates, and the next review date; whether each record is signed off. Every page is marked
(who printed it, when, "OFFICIAL-SENSITIVE", destroy after use). The PDF's metadata names only
the kind of document."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from workbook.domain.display import uk_date
from workbook.domain.supervision import FIELDS, FINAL, Meeting
from workbook.reports.blocks import lines
from workbook.reports.house_style import (
    FONT_BOLD,
    PrintMarking,
    build_document,
    escape,
    frame_width,
    styles,
)

TITLE = "Group supervision minutes"
HANDLING = "Keep with the supervision file; destroy printed copies securely after use"


def _para(text: str) -> Paragraph:
    return Paragraph(lines(text), styles().body)


def render_minutes(meeting: Meeting, *, printed_by: str, printed_at: datetime) -> bytes:
    """The minutes of `meeting` as PDF bytes; people (chair, attendees, case owners, action
    owners, who signed off) are named by full name through `meeting.name`, as everything on
    paper names people."""
    house = styles()
    story: list[Flowable] = [
        Paragraph(TITLE, house.title),
        _para(f"Held on {uk_date(meeting.held_on)}, chaired by {meeting.name(meeting.chair)}."),
        _para("Attendees: " + ", ".join(meeting.name(a) for a in meeting.attendees)),
        _para("Status: " + ("finished and signed off" if meeting.finished
                            else "in progress - records are drafts until the session is "
                                 "finished")),
        Spacer(1, 6),
    ]
    reviewed = [item for item in meeting.agenda if item.family_id in meeting.reviews]
    not_reviewed = [item for item in meeting.agenda if item.family_id not in meeting.reviews]
    for number, item in enumerate(reviewed, start=1):
        review = meeting.reviews[item.family_id]
        ref = f" ({item.reference})" if item.reference else ""
        story.append(Paragraph(escape(f"{number}. {item.name}{ref}"), house.heading))
        if item.case_owner:
            story.append(Paragraph(escape(f"Case owner: {meeting.name(item.case_owner)}"),
                                   house.small))
        for key, label in FIELDS:
            value = getattr(review.form, key)
            if value:
                story.append(Paragraph(f"<b>{escape(label)}</b>", house.body))
                story.append(_para(value))
        story.append(_para(f"Scaling judgement: {review.form.scaling} / 10"))
        if review.form.actions:
            rows = [["Action", "Owner", "Due"]]
            rows += [[_para(a.text), _para(meeting.name(a.owner)), _para(uk_date(a.due))]
                     for a in review.form.actions]
            width = frame_width()
            table = Table(rows, colWidths=[width * 0.6, width * 0.22, width * 0.18],
                          repeatRows=1)
            table.setStyle(TableStyle([
                ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 1), (-1, -1), 0.25, colors.grey),
            ]))
            story.append(table)
        story.append(_para(f"Next review: {uk_date(review.form.next_review)}"))
        if review.form.new_case_owner:
            story.append(_para(f"New case owner: {meeting.name(review.form.new_case_owner)}"
                               + (" (appointed when the session was signed off)"
                                  if review.status == FINAL else "")))
        if review.status == FINAL:
            at = review.signed_off_at
            story.append(Paragraph(escape(f"Signed off by {meeting.name(review.signed_off_by)}"
                                          f" on {uk_date(at)} at {at[11:16]}"),
                                   house.small))
        else:
            story.append(Paragraph("Draft - not yet signed off", house.small))
    if not reviewed:
        story.append(_para("No family has been reviewed yet."))
    if not_reviewed:
        # One count, not a list: a session may carry many families it did not reach.
        count = len(not_reviewed)
        story.append(Paragraph("Not reviewed", house.heading))
        story.append(_para(f"{count} {'family' if count == 1 else 'families'} on the agenda "
                           f"{'was' if count == 1 else 'were'} not reviewed at this session."))
    marking = PrintMarking(printed_by=printed_by, printed_at=printed_at, handling=HANDLING)
    return build_document(story, title=TITLE, marking=marking)
