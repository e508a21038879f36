"""Rows of the sharing tables (migration 002_sharing). Nothing here is believed as stored:
services verify every signature before they use a row."""

from __future__ import annotations

from dataclasses import dataclass

from workbook.vault import cells
from workbook.vault.database import Connection


@dataclass(frozen=True)
class IdentityRow:
    public_keys: bytes
    created_by: str
    created_at: str
    signature: bytes


@dataclass(frozen=True)
class PartnerEvent:
    seq: int
    partner_id: str
    action: str
    public_keys: bytes
    team: str
    at: str
    actor: str
    signature: bytes


@dataclass(frozen=True)
class VouchRow:
    sender: str
    bundle_id: str
    family_id: str
    version_ids: str
    signature: bytes


_PE, _PV = "partner_events", "partner_vouches"


def identity(conn: Connection) -> IdentityRow | None:
    r = conn.execute(
        "SELECT public_keys, created_by, created_at, signature FROM sharing_identity"
    ).fetchone()
    t = "sharing_identity"
    return None if r is None else IdentityRow(
        cells.blob(r[0], t, "public_keys"), cells.text(r[1], t, "created_by"),
        cells.text(r[2], t, "created_at"), cells.blob(r[3], t, "signature"))


def put_identity(conn: Connection, row: IdentityRow) -> None:
    conn.execute(
        "INSERT INTO sharing_identity (slot, public_keys, created_by, created_at, signature) "
        "VALUES (1, ?, ?, ?, ?)",
        (row.public_keys, row.created_by, row.created_at, row.signature),
    )


def identity_seal(conn: Connection, holder: str) -> bytes | None:
    r = conn.execute(
        "SELECT sealed FROM sharing_identity_seals WHERE holder = ?", (holder,)
    ).fetchone()
    return None if r is None else cells.blob(r[0], "sharing_identity_seals", "sealed")


def identity_holders(conn: Connection) -> set[str]:
    return {cells.text(r[0], "sharing_identity_seals", "holder")
            for r in conn.execute("SELECT holder FROM sharing_identity_seals")}


def put_identity_seal(conn: Connection, holder: str, sealed: bytes) -> None:
    conn.execute(
        "INSERT INTO sharing_identity_seals (holder, sealed) VALUES (?, ?) "
        "ON CONFLICT(holder) DO UPDATE SET sealed = excluded.sealed",
        (holder, sealed),
    )


def partner_events(conn: Connection) -> list[PartnerEvent]:
    return [
        PartnerEvent(cells.integer(r[0], _PE, "seq"), cells.text(r[1], _PE, "partner_id"),
                     cells.text(r[2], _PE, "action"), cells.blob(r[3], _PE, "public_keys"),
                     cells.text(r[4], _PE, "team"), cells.text(r[5], _PE, "at"),
                     cells.text(r[6], _PE, "actor"), cells.blob(r[7], _PE, "signature"))
        for r in conn.execute(
            "SELECT seq, partner_id, action, public_keys, team, at, actor, signature "
            "FROM partner_events ORDER BY seq"
        )
    ]


def append_partner_event(conn: Connection, partner_id: str, action: str, public_keys: bytes,
                         team: str, at: str, actor: str, signature: bytes) -> None:
    conn.execute(
        "INSERT INTO partner_events (partner_id, action, public_keys, team, at, actor, "
        "signature) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (partner_id, action, public_keys, team, at, actor, signature),
    )


def partner_card(conn: Connection, partner_id: str) -> tuple[bytes, bytes, str] | None:
    r = conn.execute(
        "SELECT card, signature, issued_at FROM partner_cards WHERE partner_id = ?",
        (partner_id,),
    ).fetchone()
    t = "partner_cards"
    return None if r is None else (cells.blob(r[0], t, "card"), cells.blob(r[1], t, "signature"),
                                   cells.text(r[2], t, "issued_at"))


def put_partner_card(conn: Connection, partner_id: str, card: bytes, signature: bytes,
                     issued_at: str) -> None:
    conn.execute(
        "INSERT INTO partner_cards (partner_id, card, signature, issued_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(partner_id) DO UPDATE SET card = excluded.card, "
        "signature = excluded.signature, issued_at = excluded.issued_at",
        (partner_id, card, signature, issued_at),
    )


def vouches_of_family(conn: Connection, family_id: str) -> list[VouchRow]:
    return [
        VouchRow(cells.text(r[0], _PV, "sender"), cells.text(r[1], _PV, "bundle_id"),
                 cells.text(r[2], _PV, "family_id"), cells.text(r[3], _PV, "version_ids"),
                 cells.blob(r[4], _PV, "signature"))
        for r in conn.execute(
            "SELECT sender, bundle_id, family_id, version_ids, signature FROM partner_vouches "
            "WHERE family_id = ?", (family_id,)
        )
    ]


def put_vouch(conn: Connection, row: VouchRow) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO partner_vouches (sender, bundle_id, family_id, version_ids, "
        "signature) VALUES (?, ?, ?, ?, ?)",
        (row.sender, row.bundle_id, row.family_id, row.version_ids, row.signature),
    )


def next_sequence(conn: Connection, partner_id: str) -> int:
    r = conn.execute(
        "SELECT max(sequence) FROM bundles_sent WHERE partner_id = ?", (partner_id,)
    ).fetchone()
    return (cells.integer_or_none(r[0], "bundles_sent", "sequence") or 0) + 1


def record_sent(conn: Connection, partner_id: str, sequence: int, bundle_id: str,
                created_at: str) -> None:
    conn.execute(
        "INSERT INTO bundles_sent (partner_id, sequence, bundle_id, created_at) "
        "VALUES (?, ?, ?, ?)", (partner_id, sequence, bundle_id, created_at),
    )


def was_received(conn: Connection, sender: str, bundle_id: str) -> bool:
    r = conn.execute(
        "SELECT 1 FROM bundles_received WHERE sender = ? AND bundle_id = ?", (sender, bundle_id)
    ).fetchone()
    return r is not None


def received_sequences(conn: Connection, sender: str) -> list[int]:
    return sorted(cells.integer(r[0], "bundles_received", "sequence") for r in conn.execute(
        "SELECT sequence FROM bundles_received WHERE sender = ?", (sender,)))


def record_received(conn: Connection, sender: str, bundle_id: str, sequence: int,
                    received_at: str) -> None:
    conn.execute(
        "INSERT INTO bundles_received (sender, bundle_id, sequence, received_at) "
        "VALUES (?, ?, ?, ?)", (sender, bundle_id, sequence, received_at),
    )


def version_headers(conn: Connection, record_id: str) -> list[tuple[str, str, str, str]]:
    """(version id, parents JSON, created_at, family id) of a record: enough for heads and
    for refusing to move a record, without content."""
    return [
        (cells.text(r[0], "versions", "version_id"), cells.text(r[1], "versions", "parents"),
         cells.text(r[2], "versions", "created_at"), cells.text(r[3], "versions", "family_id"))
        for r in conn.execute(
            "SELECT version_id, parents, created_at, family_id FROM versions "
            "WHERE record_id = ?", (record_id,),
        )
    ]


def family_headers(conn: Connection, family_id: str
                   ) -> dict[str, list[tuple[str, str, str, str]]]:
    """version_headers for every record of a family, in one clustered read."""
    out: dict[str, list[tuple[str, str, str, str]]] = {}
    for r in conn.execute(
        "SELECT record_id, version_id, parents, created_at FROM versions WHERE family_id = ?",
        (family_id,),
    ):
        out.setdefault(cells.text(r[0], "versions", "record_id"), []).append(
            (cells.text(r[1], "versions", "version_id"), cells.text(r[2], "versions", "parents"),
             cells.text(r[3], "versions", "created_at"), family_id))
    return out


def records_elsewhere(conn: Connection, family_id: str, record_ids: set[str]) -> bool:
    """True if any of these records has a version in another family."""
    ids = sorted(record_ids)
    for start in range(0, len(ids), 500):
        batch = ids[start:start + 500]
        marks = ",".join("?" * len(batch))
        row = conn.execute(
            f"SELECT 1 FROM versions WHERE record_id IN ({marks}) AND family_id != ? LIMIT 1",
            (*batch, family_id),
        ).fetchone()
        if row is not None:
            return True
    return False


def has_version(conn: Connection, version_id: str) -> bool:
    return conn.execute(
        "SELECT 1 FROM versions WHERE version_id = ? LIMIT 1", (version_id,)
    ).fetchone() is not None


def versions_received_since(conn: Connection, sender: str, since: str) -> int:
    """How many versions the partner's received bundles carried (by their vouches) since
    `since`: what the per-partner cap counts. Versions carried again count again, which errs
    on the side of refusing."""
    r = conn.execute(
        "SELECT coalesce(sum(length(v.version_ids) - length(replace(v.version_ids, ',', '')) "
        "+ 1), 0) FROM partner_vouches v JOIN bundles_received r "
        "ON r.sender = v.sender AND r.bundle_id = v.bundle_id "
        "WHERE v.sender = ? AND r.received_at >= ? AND v.version_ids != ''",
        (sender, since),
    ).fetchone()
    return int(r[0])
