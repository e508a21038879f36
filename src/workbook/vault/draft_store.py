"""Rows of the drafts table: one unfinished entry per row, its body encrypted by the service.

Only the author's own drafts are ever selected (every query names the user id); the body is
opaque here - the key that opens it is derived from its author's key pair seed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbook.vault import cells
from workbook.vault.database import Connection


@dataclass(frozen=True)
class DraftRow:
    draft_id: str
    user_id: str
    family_id: str
    updated_at: str
    body: bytes


def _row(r: Any) -> DraftRow:
    t = "drafts"
    return DraftRow(cells.text(r[0], t, "draft_id"), cells.text(r[1], t, "user_id"),
                    cells.text(r[2], t, "family_id"), cells.text(r[3], t, "updated_at"),
                    cells.blob(r[4], t, "body"))


def put(conn: Connection, row: DraftRow) -> None:
    """Insert or replace the draft; a draft id already held by another user is left alone."""
    conn.execute(
        "INSERT INTO drafts (draft_id, user_id, family_id, updated_at, body) "
        "VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (draft_id) DO UPDATE SET updated_at = excluded.updated_at, "
        "body = excluded.body "
        "WHERE drafts.user_id = excluded.user_id AND drafts.family_id = excluded.family_id",
        (row.draft_id, row.user_id, row.family_id, row.updated_at, row.body),
    )


def of_user(conn: Connection, user_id: str, family_id: str | None = None) -> list[DraftRow]:
    if family_id is None:
        cur = conn.execute(
            "SELECT draft_id, user_id, family_id, updated_at, body FROM drafts "
            "WHERE user_id = ? ORDER BY updated_at, draft_id", (user_id,),
        )
    else:
        cur = conn.execute(
            "SELECT draft_id, user_id, family_id, updated_at, body FROM drafts "
            "WHERE user_id = ? AND family_id = ? ORDER BY updated_at, draft_id",
            (user_id, family_id),
        )
    return [_row(r) for r in cur.fetchall()]


def get(conn: Connection, draft_id: str, user_id: str) -> DraftRow | None:
    r = conn.execute(
        "SELECT draft_id, user_id, family_id, updated_at, body FROM drafts "
        "WHERE draft_id = ? AND user_id = ?", (draft_id, user_id),
    ).fetchone()
    return None if r is None else _row(r)


def delete(conn: Connection, draft_id: str, user_id: str) -> bool:
    cur = conn.execute("DELETE FROM drafts WHERE draft_id = ? AND user_id = ?",
                       (draft_id, user_id))
    return bool(cur.rowcount)
