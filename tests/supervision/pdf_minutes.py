"""The text of a session's minutes as printed, read back with pypdf."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from workbook.reports.supervision_minutes import render_minutes
from workbook.services.session import Session
from workbook.services.supervision import meetings


def minutes_text(session: Session, session_id: str) -> str:
    pdf = render_minutes(meetings.meeting(session, session_id), printed_by="x",
                         printed_at=session.clock())
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)
