"""The recovery sheet: the one paper copy of a vault's recovery key, for the data controller.

The recovery key is never stored (KEYS.md), so this page is the only way back into the vault if
every holder of its keys is lost (ARCHITECTURE.md, P6). It therefore has to be read correctly years
later by someone who was not there when it was printed: the key is large, in a monospaced font, in
the groups that Workbook prints and accepts, and the page says plainly what the key can do, what
using it shows to everyone, and what it can do where nobody is watching.
"""

from __future__ import annotations

import math
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from workbook.reports.house_style import (
    FONT_BOLD,
    FONT_MONO,
    FONT_SANS,
    PrintMarking,
    build_document,
    escape,
    format_date,
    frame_width,
    styles,
)

__all__ = ["TITLE", "render_recovery_sheet"]

TITLE = "Workbook recovery sheet"
HANDLING = "Keep in a locked safe. Do not copy."

_KEY_MAX_SIZE = 22.0
_KEY_MIN_SIZE = 11.0
_KEY_PREFERRED_SIZE = 18.0
_KEY_BOX_PADDING = 6 * mm
_LABEL_WIDTH = 34 * mm
_VAULT_ID_GROUP = 4


def render_recovery_sheet(
    *,
    team: str,
    vault_id: str,
    recovery_key: str,
    owner_name: str,
    created_at: datetime,
) -> bytes:
    """Render the one-page recovery sheet as PDF bytes, built in memory.

    `recovery_key` is printed exactly as given (already in its groups); it is only broken into
    lines between groups, so that what is read back is what Workbook printed. The sheet is marked
    as printed by the owner, who receives it at vault creation and hands it on.
    """
    house = styles()
    story: list[Flowable] = [
        Paragraph(TITLE, house.title),
        Paragraph(
            "The only copy of this vault's recovery key, for the data controller to keep.",
            house.body,
        ),
        Spacer(1, 2 * mm),
        _details_table(team, vault_id, owner_name, created_at),
        KeepTogether(
            [
                Paragraph("Recovery key", house.heading),
                _key_box(recovery_key),
                Spacer(1, 1.5 * mm),
                Paragraph(
                    "Capitals and small letters are the same; hyphens may be left out. Typing "
                    "mistakes are caught.",
                    house.small,
                ),
            ]
        ),
        Paragraph("Keep it safe", house.heading),
        _bullets(
            [
                "<b>Keep this sheet locked away in a safe.</b> Do not photograph, scan or "
                "photocopy it, and do not type the key into email, documents or notes: this "
                "sheet is the only copy.",
                "<b>It opens everything.</b> If every person who holds a section's keys is lost "
                "(they have left, or forgotten their passphrase), this key can restore access to "
                "every section of the vault: every family, every note.",
                "<b>Every use is seen.</b> Each use of this key in Workbook is recorded in the "
                "audit and announced to every user at their next sign-in.",
                "<b>Outside Workbook, nobody sees.</b> Anyone holding this key and a copy of the "
                "vault's files can open that copy offline, on any computer, where no audit can see "
                "it. Guard this sheet as you would every case record at once.",
                "If it may have been seen, copied or lost, tell the vault owner and your "
                "information governance lead at once.",
            ]
        ),
        Paragraph("How it is used", house.heading),
        Paragraph(
            "Workbook asks for this key only in these commands:",
            house.body,
        ),
        _bullets(
            [
                f"{_command('workbook recover')}: when nobody can sign in, or a person has lost "
                "their passphrase. Restores access to the vault and resets that person's sign-in.",
                f"{_command('workbook keys approve --recovery-key-file FILE')}: when no holder "
                "of a section is left to approve a person's access to it. The key is read from "
                "the file you name: create it just before and delete it straight after.",
                f"{_command('workbook device enrol')}: sets up a new or rebuilt computer for this "
                "vault when nobody signed in on an enrolled computer can do it.",
            ]
        ),
        Spacer(1, 3 * mm),
        _handover_table(),
    ]
    marking = PrintMarking(
        printed_by=owner_name,
        printed_at=datetime.now(tz=created_at.tzinfo),
        handling=HANDLING,
    )
    return build_document(story, title=TITLE, marking=marking)


def _details_table(team: str, vault_id: str, owner_name: str, created_at: datetime) -> Table:
    """Who and what the key belongs to, so the right sheet is taken out of the safe."""
    house = styles()
    label = ParagraphStyle("wb-recovery-label", parent=house.body, fontName=FONT_BOLD)
    rows = [
        ("Team", Paragraph(escape(team), house.body)),
        ("Vault id", Paragraph(escape(_group_vault_id(vault_id)), house.mono)),
        ("Vault owner", Paragraph(escape(owner_name), house.body)),
        ("Created", Paragraph(format_date(created_at), house.body)),
    ]
    table = Table(
        [[Paragraph(name, label), value] for name, value in rows],
        colWidths=[_LABEL_WIDTH, frame_width() - _LABEL_WIDTH],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _group_vault_id(vault_id: str) -> str:
    """Break a long id into groups of four, so that two people can read it to each other."""
    if any(sep in vault_id for sep in " -"):
        return vault_id
    return " ".join(
        vault_id[i : i + _VAULT_ID_GROUP] for i in range(0, len(vault_id), _VAULT_ID_GROUP)
    )


def _key_lines(recovery_key: str, available: float) -> tuple[list[str], float]:
    """Split the key into lines at group boundaries and pick the largest size that fits.

    Prefers the fewest lines (2, else 3) at which the key is still comfortably large. Each line
    but the last keeps its trailing separator, so the lines read together are the key as given.
    """
    key = recovery_key.strip()
    separator = "-" if "-" in key else " "
    groups = [group for group in key.split(separator) if group]
    if len(groups) < 2:
        return [key], _fit_size([key], available)
    candidates: list[tuple[list[str], float]] = []
    for line_count in (2, 3):
        per_line = math.ceil(len(groups) / line_count)
        chunks = [groups[i : i + per_line] for i in range(0, len(groups), per_line)]
        lines = [
            separator.join(chunk) + (separator if n < len(chunks) - 1 else "")
            for n, chunk in enumerate(chunks)
        ]
        candidates.append((lines, _fit_size(lines, available)))
        if candidates[-1][1] >= _KEY_PREFERRED_SIZE:
            break
    return candidates[-1]


def _fit_size(lines: list[str], available: float) -> float:
    widest = max(pdfmetrics.stringWidth(line, FONT_MONO, 1.0) for line in lines)
    if widest <= 0:
        return _KEY_MAX_SIZE
    return max(_KEY_MIN_SIZE, min(_KEY_MAX_SIZE, available / widest))


def _key_box(recovery_key: str) -> Table:
    """The key itself: large, monospaced, boxed, one row per line."""
    inner = frame_width() - 2 * _KEY_BOX_PADDING
    lines, size = _key_lines(recovery_key, inner)
    style = ParagraphStyle(
        "wb-recovery-key",
        parent=styles().mono,
        fontName=FONT_MONO,
        fontSize=size,
        leading=size * 1.35,
        alignment=TA_CENTER,
        spaceAfter=0,
    )
    table = Table(
        [[Paragraph(escape(line), style)] for line in lines],
        colWidths=[frame_width()],
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#F2F2F2")),
                ("LEFTPADDING", (0, 0), (-1, -1), _KEY_BOX_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), _KEY_BOX_PADDING),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, 0), 3 * mm),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 3 * mm),
            ]
        )
    )
    return table


def _command(text: str) -> str:
    return f'<font name="{FONT_MONO}">{escape(text)}</font>'


def _bullets(items: list[str]) -> ListFlowable:
    body = styles().body
    return ListFlowable(
        [ListItem(Paragraph(item, body), leftIndent=5 * mm) for item in items],
        bulletType="bullet",
        start="\u2022",
        bulletFontName=FONT_SANS,
        bulletFontSize=body.fontSize,
        leftIndent=5 * mm,
    )


def _handover_table() -> Table:
    """Blank lines for the data controller to sign, so the sheet's custody starts on record."""
    house = styles()
    label = ParagraphStyle("wb-recovery-handover", parent=house.small, textColor=colors.black)
    width = frame_width()
    table = Table(
        [
            [
                Paragraph("Received by (data controller)", label),
                Paragraph("Signature", label),
                Paragraph("Date", label),
            ],
            ["", "", ""],
        ],
        colWidths=[width * 0.45, width * 0.35, width * 0.20],
        rowHeights=[None, 9 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
