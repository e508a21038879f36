"""Rows of the supervision_sessions table: a meeting's date, chair, attendees and agenda order.

No case content: family ids and user ids only. The service decides who may write."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from workbook.vault import cells
from workbook.vault.database import Connection


@dataclass(frozen=True)
class SessionRow:
    session_id: str
    held_on: str
    chair: str
    attendees: tuple[str, ...]
    agenda: tuple[str, ...]
    status: str
    started_at: str
    finished_at: str


_COLUMNS = "session_id, held_on, chair, attendees, agenda, status, started_at, finished_at"


def _row(r: Any) -> SessionRow:
    t = "supervision_sessions"
    return SessionRow(cells.text(r[0], t, "session_id"), cells.text(r[1], t, "held_on"),
                      cells.text(r[2], t, "chair"),
                      tuple(json.loads(cells.text(r[3], t, "attendees"))),
                      tuple(json.loads(cells.text(r[4], t, "agenda"))),
                      cells.text(r[5], t, "status"), cells.text(r[6], t, "started_at"),
                      cells.text(r[7], t, "finished_at"))


def insert(conn: Connection, row: SessionRow) -> None:
    conn.execute(
        f"INSERT INTO supervision_sessions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (row.session_id, row.held_on, row.chair, json.dumps(list(row.attendees)),
         json.dumps(list(row.agenda)), row.status, row.started_at, row.finished_at),
    )


def get(conn: Connection, session_id: str) -> SessionRow | None:
    r = conn.execute(f"SELECT {_COLUMNS} FROM supervision_sessions WHERE session_id = ?",
                     (session_id,)).fetchone()
    return None if r is None else _row(r)


def all_sessions(conn: Connection) -> list[SessionRow]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM supervision_sessions "
                        "ORDER BY held_on DESC, started_at DESC").fetchall()
    return [_row(r) for r in rows]


def set_agenda(conn: Connection, session_id: str, agenda: list[str]) -> None:
    conn.execute("UPDATE supervision_sessions SET agenda = ? WHERE session_id = ?",
                 (json.dumps(agenda), session_id))


def finish(conn: Connection, session_id: str, finished_at: str) -> None:
    conn.execute("UPDATE supervision_sessions SET status = 'finished', finished_at = ? "
                 "WHERE session_id = ? AND status = 'open'", (finished_at, session_id))
