"""The disposal certificate: the paper record that a family's content was destroyed.

It holds no content: the family id and type, the dates, who proposed and who confirmed, how
many versions were removed and the tombstone's fingerprint, so an auditor can match it to the
vault's signed disposal record and audit event years later."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from workbook.domain.display import uk_date
from workbook.domain.retention import Disposal
from workbook.reports.house_style import (
    FONT_BOLD,
    PrintMarking,
    build_document,
    escape,
    format_datetime,
    frame_width,
    styles,
)

TITLE = "Workbook disposal certificate"


def render_disposal_certificate(disposal: Disposal, *, team: str, printed_by: str,
                                printed_at: datetime) -> bytes:
    """The certificate as PDF bytes, built in memory; the caller writes it where the user
    chose."""
    s = styles()
    rows = [
        ("Team", team),
        ("Family id", disposal.family_id),
        ("Family type", disposal.family_type),
        ("Closed", _when(disposal.closed_at)),
        ("Kept until", uk_date(disposal.dispose_after)),
        ("Proposed by", f"{disposal.proposed_by} (team manager), {_when(disposal.proposed_at)}"),
        ("Confirmed by", f"{disposal.confirmed_by} (administrator), "
                         f"{_when(disposal.disposed_at)}"),
        ("Record versions removed", str(disposal.versions_removed)),
        ("Tombstone fingerprint", disposal.tombstone_digest),
    ]
    width = frame_width()
    label = ParagraphStyle("wb-certificate-label", parent=s.body, fontName=FONT_BOLD)
    table = Table([[Paragraph(escape(k), label), Paragraph(escape(v), s.body)]
                   for k, v in rows], colWidths=[0.34 * width, 0.66 * width])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, "#888888"),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    story = [
        Paragraph(escape(TITLE), s.title),
        Spacer(1, 6),
        Paragraph(escape(
            "The content of the family named below by its id was removed from this team's "
            "Workbook vault after its retention period ended. Two people took part: a team "
            "manager proposed the disposal and an administrator confirmed it. Every record "
            "version, verification receipt and draft of the family was deleted with secure "
            "deletion, and the database file was rebuilt, so the content cannot be recovered "
            "from the vault. Backups made before the disposal still hold it until they "
            "expire."), s.body),
        Spacer(1, 8),
        table,
        Spacer(1, 10),
        Paragraph(escape(
            "The vault keeps a tombstone signed by the administrator (the fingerprint above) "
            "and an audit event without content; `workbook audit verify` checks both. Later "
            "imports of this family's records are ignored."), s.body),
    ]
    return build_document(story, title=TITLE, marking=PrintMarking(
        printed_by=printed_by, printed_at=printed_at, handling="Keep with the team's "
        "records of disposal."))


def _when(stamp: str) -> str:
    try:
        return format_datetime(datetime.fromisoformat(stamp))
    except ValueError:
        return stamp
