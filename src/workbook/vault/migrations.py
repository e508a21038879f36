"""Ordered, named schema migrations, each applied in the same transaction as the row that
records it (as sqlite-utils does). A vault newer than this program is refused, not guessed at."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from workbook.domain.errors import WorkbookError
from workbook.vault import cells
from workbook.vault.database import Connection, transaction


class SchemaTooNew(WorkbookError):
    """The vault was written by a newer Workbook."""


def _m001_initial(conn: Connection) -> None:
    conn.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);

        CREATE TABLE users (
            user_id     TEXT PRIMARY KEY,
            username    TEXT NOT NULL UNIQUE,
            full_name   TEXT NOT NULL,
            role        TEXT NOT NULL,
            status      TEXT NOT NULL,           -- initial | active | disabled
            is_owner    INTEGER NOT NULL DEFAULT 0,
            created_at  TEXT NOT NULL,
            created_by  TEXT NOT NULL,
            public_keys BLOB,                    -- set at first passphrase change
            keys_at     TEXT
        );

        -- Every public key a user has held, so old signatures still verify after a reset.
        CREATE TABLE user_keys (
            user_id     TEXT NOT NULL,
            public_keys BLOB NOT NULL,
            registered_at TEXT NOT NULL,
            PRIMARY KEY (user_id, public_keys)
        );

        -- A key withdrawn by the recovery key (an account reset): it still verifies what it
        -- signed before, but nothing new is sealed to it and it no longer counts as current.
        CREATE TABLE key_revocations (
            user_id     TEXT NOT NULL,
            public_keys BLOB NOT NULL,
            signed_at   TEXT NOT NULL,
            signature   BLOB NOT NULL,
            PRIMARY KEY (user_id, public_keys)
        );

        -- A certificate binds a user's public keys; signed by the recovery key or by a holder
        -- who compared the fingerprint (KEYS.md, Trust).
        CREATE TABLE user_certs (
            user_id     TEXT NOT NULL,
            public_keys BLOB NOT NULL,
            signer      TEXT NOT NULL,           -- 'recovery' or a user id
            signed_at   TEXT NOT NULL,
            signature   BLOB NOT NULL,
            PRIMARY KEY (user_id, signer, public_keys)
        );

        CREATE TABLE section_epochs (
            section     TEXT NOT NULL,
            epoch       INTEGER NOT NULL,
            public_keys BLOB NOT NULL,
            created_by  TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            signature   BLOB NOT NULL,           -- by created_by (user or recovery key)
            prev_signature BLOB,                 -- by the previous epoch's section key
            prev_wrapped BLOB,                   -- previous epoch's secret under this epoch's
            PRIMARY KEY (section, epoch)
        );

        CREATE TABLE section_grants (
            section     TEXT NOT NULL,
            epoch       INTEGER NOT NULL,
            holder      TEXT NOT NULL,           -- a user id, or 'recovery'
            sealed      BLOB NOT NULL,
            granted_by  TEXT NOT NULL,
            granted_at  TEXT NOT NULL,
            PRIMARY KEY (section, epoch, holder)
        );

        CREATE TABLE membership (
            seq         INTEGER PRIMARY KEY,
            at          TEXT NOT NULL,
            actor       TEXT NOT NULL,
            event       TEXT NOT NULL,           -- grant | revoke | disable | role | rotate
            user_id     TEXT NOT NULL,
            section     TEXT,
            epoch       INTEGER,
            signature   BLOB NOT NULL
        );

        CREATE TABLE policy_versions (
            seq         INTEGER PRIMARY KEY,
            text        TEXT NOT NULL,
            author      TEXT NOT NULL,
            at          TEXT NOT NULL,
            signature   BLOB NOT NULL
        );

        -- Every record version, clustered by family so one family is one contiguous read,
        -- and by kind within it, so home's "every family's plan actions" and the search
        -- index's "every person" read one page per family rather than one per version.
        CREATE TABLE versions (
            family_id   TEXT NOT NULL,
            version_id  TEXT NOT NULL,
            record_id   TEXT NOT NULL,
            kind        TEXT NOT NULL,
            section_tag BLOB,                    -- HMAC under the section secret; NULL if sealed
            epoch       INTEGER NOT NULL,
            parents     TEXT NOT NULL,
            author      TEXT NOT NULL,
            device      TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            sealed      INTEGER NOT NULL,
            body        BLOB NOT NULL,
            PRIMARY KEY (family_id, kind, version_id)
        ) WITHOUT ROWID;
        CREATE INDEX versions_by_record ON versions (record_id);
        CREATE INDEX versions_by_version ON versions (version_id);
        CREATE INDEX versions_by_kind ON versions (kind, family_id);

        CREATE TABLE audit (
            seq         INTEGER PRIMARY KEY,
            at          TEXT NOT NULL,
            user_id     TEXT NOT NULL,
            event       TEXT NOT NULL,
            ids         TEXT NOT NULL,
            detail      BLOB,
            signer      TEXT NOT NULL,           -- the acting user's id, or 'vault'
            prev_hash   BLOB NOT NULL,
            hash        BLOB NOT NULL,
            signature   BLOB NOT NULL
        );

        -- Per-person marks of versions whose signatures were verified (opaque HMACs).
        CREATE TABLE verification_receipts (
            family_id   TEXT NOT NULL,
            kind        TEXT NOT NULL,
            receipt     BLOB NOT NULL,
            PRIMARY KEY (family_id, receipt)
        ) WITHOUT ROWID;
        CREATE INDEX receipts_by_kind ON verification_receipts (kind);

        CREATE TABLE drafts (
            draft_id    TEXT PRIMARY KEY,
            user_id     TEXT NOT NULL,
            family_id   TEXT NOT NULL,
            updated_at  TEXT NOT NULL,
            body        BLOB NOT NULL
        );
        """
    )


def _m_sharing(conn: Connection) -> None:
    """Sharing bundles (docs/bundle-format.md): the vault's sharing identity, pinned partners
    as signed events, their latest cards, partner vouches for imported versions, and the
    bundles sent and received (sequence numbers and deduplication)."""
    conn.executescript(
        """
        CREATE TABLE sharing_identity (
            slot        INTEGER PRIMARY KEY CHECK (slot = 1),
            public_keys BLOB NOT NULL,
            created_by  TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            signature   BLOB NOT NULL
        );
        CREATE TABLE sharing_identity_seals (
            holder      TEXT PRIMARY KEY,        -- a user id or 'recovery'
            sealed      BLOB NOT NULL
        );
        CREATE TABLE partner_events (
            seq         INTEGER PRIMARY KEY AUTOINCREMENT,
            partner_id  TEXT NOT NULL,
            action      TEXT NOT NULL,           -- add | remove
            public_keys BLOB NOT NULL,
            team        TEXT NOT NULL,
            at          TEXT NOT NULL,
            actor       TEXT NOT NULL,
            signature   BLOB NOT NULL
        );
        CREATE TABLE partner_cards (
            partner_id  TEXT PRIMARY KEY,
            card        BLOB NOT NULL,
            signature   BLOB NOT NULL,
            issued_at   TEXT NOT NULL
        );
        CREATE TABLE partner_vouches (
            sender      TEXT NOT NULL,
            bundle_id   TEXT NOT NULL,
            family_id   TEXT NOT NULL,
            version_ids TEXT NOT NULL,
            signature   BLOB NOT NULL,
            PRIMARY KEY (sender, bundle_id, family_id)
        );
        CREATE INDEX partner_vouches_by_family ON partner_vouches (family_id);
        CREATE TABLE bundles_sent (
            partner_id  TEXT NOT NULL,
            sequence    INTEGER NOT NULL,
            bundle_id   TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            PRIMARY KEY (partner_id, sequence)
        );
        CREATE TABLE bundles_received (
            sender      TEXT NOT NULL,
            bundle_id   TEXT NOT NULL,
            sequence    INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            PRIMARY KEY (sender, bundle_id)
        );
        """
    )


def _m003_supervision(conn: Connection) -> None:
    """Group supervision sessions: when, who chaired and attended, the agenda's order and
    whether it was signed off. What was said about each family is case content and lives in
    that family's supervision section as signed, encrypted review versions, not here.

    Two indexes let the supervisor's board find the versions that matter without reading every
    row of the table (whose pages hold the bodies): the clear headers by kind and section tag,
    so heads are found from the index alone, and the records with more than one version (an
    urgent mark or a response is always a later version). Both hold clear header columns only,
    which the versions table already holds."""
    conn.executescript(
        """
        CREATE TABLE supervision_sessions (
            session_id   TEXT PRIMARY KEY,
            held_on      TEXT NOT NULL,
            chair        TEXT NOT NULL,
            attendees    TEXT NOT NULL,
            agenda       TEXT NOT NULL,
            status       TEXT NOT NULL CHECK (status IN ('open', 'finished')),
            started_at   TEXT NOT NULL,
            finished_at  TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX supervision_sessions_by_date ON supervision_sessions (held_on);
        CREATE INDEX versions_headers
            ON versions (kind, section_tag, record_id, parents, created_at, sealed);
        CREATE INDEX versions_edited ON versions (kind, record_id) WHERE parents <> '[]';
        """
    )


def _m_operations(conn: Connection) -> None:
    """Retention and disposal: content-free rows only (ids, family type, dates, signatures)."""
    conn.executescript(
        """
        -- A closed family and when it comes up for disposal review; signed by who closed it.
        CREATE TABLE family_retention (
            family_id     TEXT PRIMARY KEY,
            family_type   TEXT NOT NULL,
            closed_at     TEXT NOT NULL,
            dispose_after TEXT NOT NULL,
            closed_by     TEXT NOT NULL,
            signature     BLOB NOT NULL
        );

        -- A team manager's signed proposal to dispose of a family past retention.
        CREATE TABLE disposal_proposals (
            family_id   TEXT PRIMARY KEY,
            proposed_by TEXT NOT NULL,
            proposed_at TEXT NOT NULL,
            signature   BLOB NOT NULL
        );

        -- The tombstone: a disposed family, signed by the administrator who confirmed it.
        CREATE TABLE disposals (
            family_id       TEXT PRIMARY KEY,
            family_type     TEXT NOT NULL,
            closed_at       TEXT NOT NULL,
            dispose_after   TEXT NOT NULL,
            proposed_by     TEXT NOT NULL,
            proposed_at     TEXT NOT NULL,
            proposal_signature BLOB NOT NULL,    -- the team manager's, kept as evidence
            confirmed_by    TEXT NOT NULL,
            disposed_at     TEXT NOT NULL,
            version_count   INTEGER NOT NULL,
            versions_digest BLOB NOT NULL,
            signature       BLOB NOT NULL
        );

        -- The ids of the versions a disposal removed, so the audit check can tell a signed
        -- disposal from a quiet deletion.
        CREATE TABLE disposed_versions (
            version_id TEXT PRIMARY KEY,
            family_id  TEXT NOT NULL
        ) WITHOUT ROWID;
        """
    )


def _m005_board_digest(conn: Connection) -> None:
    """The supervisor's board kept as a per-person digest (docs/decisions/0004): a log giving
    every version a sequence number (the versions table is WITHOUT ROWID, so it has none), so a
    reader folds in only what was added since its digest; a count of versions ever removed
    (a disposal), whose change means a digest starts again; and the digests themselves, one
    encrypted blob per person. The log holds clear header columns only, which the versions
    table already holds; its family_id column means a disposal deletes a family's log rows
    with its versions."""
    conn.executescript(
        """
        CREATE TABLE version_log (
            seq        INTEGER PRIMARY KEY AUTOINCREMENT,
            family_id  TEXT NOT NULL,
            kind       TEXT NOT NULL,
            version_id TEXT NOT NULL
        );
        INSERT INTO version_log (family_id, kind, version_id)
            SELECT family_id, kind, version_id FROM versions ORDER BY created_at, version_id;
        CREATE TRIGGER version_logged AFTER INSERT ON versions
        BEGIN
            INSERT INTO version_log (family_id, kind, version_id)
                VALUES (NEW.family_id, NEW.kind, NEW.version_id);
        END;
        CREATE TABLE version_removals (
            id    INTEGER PRIMARY KEY CHECK (id = 1),
            count INTEGER NOT NULL
        );
        INSERT INTO version_removals (id, count) VALUES (1, 0);
        CREATE TRIGGER version_removed AFTER DELETE ON versions
        BEGIN
            UPDATE version_removals SET count = count + 1 WHERE id = 1;
        END;
        CREATE TABLE board_digests (
            user_id TEXT PRIMARY KEY,
            body    BLOB NOT NULL
        );
        """
    )


def _m006_audit_versions(conn: Connection) -> None:
    """The audit made searchable by version (vault/audit_versions.py), so a family opened can
    mark a version that no event wrote, and `audit verify` can name it. Filled from the events
    that already name their version; a version in the vault that none names (received, or
    logged at sharing, before events named them; or added outside Workbook) gets seq 0, until
    the first certified person to sign in adopts them with one signed event
    (services/audit/completeness.adopt_unindexed)."""
    conn.executescript(
        """
        CREATE TABLE audit_versions (
            family_id  TEXT NOT NULL,
            version_id TEXT NOT NULL,
            seq        INTEGER NOT NULL,
            PRIMARY KEY (family_id, version_id)
        ) WITHOUT ROWID;
        CREATE INDEX audit_versions_unadopted ON audit_versions (seq) WHERE seq = 0;
        """
    )
    import json

    for seq, ids_json in conn.execute("SELECT seq, ids FROM audit ORDER BY seq").fetchall():
        try:
            ids = json.loads(ids_json)
        except (TypeError, ValueError):
            continue
        if not isinstance(ids, dict):
            continue
        family, version = ids.get("family"), ids.get("version")
        if isinstance(family, str) and isinstance(version, str) and family and version:
            conn.execute("INSERT OR IGNORE INTO audit_versions (family_id, version_id, seq) "
                         "VALUES (?, ?, ?)", (family, version, int(seq)))
    conn.execute("INSERT OR IGNORE INTO audit_versions (family_id, version_id, seq) "
                 "SELECT family_id, version_id, 0 FROM versions")


def _m007_replicas(conn: Connection) -> None:
    """Replicas of one vault kept in step through a shared folder (docs/decisions/0009). The
    replica log is signed (who approved or retired which replica key); the rest is this
    replica's own bookkeeping: its key and the team's sync key (under V like every row), what it
    has sent and applied, and the audit chains of the other replicas, kept apart so that each
    replica's own chain stays one unbroken chain."""
    conn.executescript(
        """
        CREATE TABLE replica_log (
            seq         INTEGER PRIMARY KEY,
            event       TEXT NOT NULL,           -- add | retire
            replica_id  TEXT NOT NULL,
            name        TEXT NOT NULL,
            public_keys BLOB NOT NULL,
            last_seq    INTEGER NOT NULL,        -- retire: its last file accepted
            reason      TEXT NOT NULL,
            actor       TEXT NOT NULL,
            at          TEXT NOT NULL,
            signature   BLOB NOT NULL
        );
        CREATE TABLE replica_self (
            slot         INTEGER PRIMARY KEY CHECK (slot = 1),
            replica_id   TEXT NOT NULL,
            secret       BLOB NOT NULL,
            sync_key     BLOB NOT NULL,
            folder       TEXT NOT NULL,
            next_seq     INTEGER NOT NULL,
            version_mark INTEGER NOT NULL,
            audit_mark   INTEGER NOT NULL
        );
        CREATE TABLE replica_applied (
            replica_id  TEXT NOT NULL,
            seq         INTEGER NOT NULL,
            written_at  TEXT NOT NULL,
            PRIMARY KEY (replica_id, seq)
        ) WITHOUT ROWID;
        CREATE TABLE replica_known (
            table_name  TEXT NOT NULL,
            digest      BLOB NOT NULL,
            PRIMARY KEY (table_name, digest)
        ) WITHOUT ROWID;
        CREATE TABLE replica_skip (
            low         INTEGER PRIMARY KEY,
            high        INTEGER NOT NULL
        );
        CREATE TABLE replica_audit (
            origin      TEXT NOT NULL,
            seq         INTEGER NOT NULL,
            at          TEXT NOT NULL,
            user_id     TEXT NOT NULL,
            event       TEXT NOT NULL,
            ids         TEXT NOT NULL,
            detail      BLOB,
            signer      TEXT NOT NULL,
            prev_hash   BLOB NOT NULL,
            hash        BLOB NOT NULL,
            signature   BLOB NOT NULL,
            PRIMARY KEY (origin, seq)
        ) WITHOUT ROWID;
        CREATE TABLE replica_slots (
            username    TEXT PRIMARY KEY,
            salt        TEXT NOT NULL,
            state       TEXT NOT NULL,
            stamp       TEXT NOT NULL
        );
        """
    )


def _m008_replica_sync_keys(conn: Connection) -> None:
    """The team's sync keys after the first: a retirement makes a new one, sealed to each
    active replica's key, so a retired replica cannot read files written after it. Kept under
    V like every row; `grants` holds the sealed copies this replica made until they travel.
    (replica_self.sync_key stays the first key: it names the folders and opens old files.)"""
    conn.executescript(
        """
        CREATE TABLE replica_sync_keys (
            key_id      TEXT PRIMARY KEY,
            sync_key    BLOB NOT NULL,
            made_at     TEXT NOT NULL,
            made_by     TEXT NOT NULL,
            grants      TEXT
        );
        """
    )


def _m009_retention_log(conn: Connection) -> None:
    """Every signed change of a family's retention state, kept so that it travels between
    replicas (decision 0009): a closing, a proposal to dispose, and the reopening or withdrawal
    that ends one (which, as a deletion, could not travel as a missing row). Content-free: ids,
    dates, who, and the signature. `family_retention` and `disposal_proposals` stay as they are,
    and are settled from this log when another replica's entries arrive. Existing closings and
    proposals are entered as they stand."""
    conn.executescript(
        """
        CREATE TABLE retention_log (
            signature   BLOB PRIMARY KEY,
            family_id   TEXT NOT NULL,
            kind        TEXT NOT NULL,       -- closed | proposed | reopened | withdrawn
            body        TEXT NOT NULL        -- JSON: the signed fields other than the family
        );
        CREATE INDEX retention_log_family ON retention_log (family_id);
        INSERT INTO retention_log (signature, family_id, kind, body)
            SELECT signature, family_id, 'closed', json_object(
                'closed_at', closed_at, 'closed_by', closed_by,
                'dispose_after', dispose_after, 'family_type', family_type)
            FROM family_retention;
        INSERT INTO retention_log (signature, family_id, kind, body)
            SELECT signature, family_id, 'proposed', json_object(
                'proposed_at', proposed_at, 'proposed_by', proposed_by)
            FROM disposal_proposals;
        """
    )


def _m010_section_epochs(conn: Connection) -> None:
    """Two rotations of one section made on two replicas before either synced make two epoch
    rows of one number, and two grants to each holder (decision 0009, C34). `section_epochs`
    and `section_grants` are keyed by the number, so the other epoch's row and the grants a
    received row would have replaced are kept here, whole: no key is lost, and which epoch
    wins is worked out from the signed rows of both tables (`trust.load_trust`). A rival's
    secret wrapped under the winner's lets people granted later read both."""
    conn.executescript(
        """
        CREATE TABLE section_epoch_rivals (
            section     TEXT NOT NULL,
            epoch       INTEGER NOT NULL,
            public_keys BLOB NOT NULL,
            created_by  TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            signature   BLOB NOT NULL,
            prev_signature BLOB,
            prev_wrapped BLOB,
            PRIMARY KEY (section, epoch, public_keys)
        );
        CREATE TABLE section_grants_kept (
            section     TEXT NOT NULL,
            epoch       INTEGER NOT NULL,
            holder      TEXT NOT NULL,
            sealed      BLOB NOT NULL,
            granted_by  TEXT NOT NULL,
            granted_at  TEXT NOT NULL,
            PRIMARY KEY (section, epoch, holder, sealed)
        );
        CREATE TABLE section_rival_wraps (   -- one epoch's secret wrapped under another's
            section     TEXT NOT NULL,
            epoch       INTEGER NOT NULL,
            public_keys BLOB NOT NULL,           -- of the epoch whose secret is wrapped
            under_keys  BLOB NOT NULL,           -- of the epoch whose secret wraps it
            wrapped     BLOB NOT NULL,
            PRIMARY KEY (section, epoch, public_keys, under_keys)
        );
        """
    )


def _m011_board_digest_pages(conn: Connection) -> None:
    """A person's board digest stored as a head (`board_digests`) and pages of records, so
    that home reads it a page per worker job instead of one blob of a hundred thousand
    records; and the versions' clear headers indexed by family, so that home's steps read a
    few hundred families' headers from the index instead of their whole rows (issue 19,
    decision 0010 points 16-17): a family opened meanwhile waits for one short step."""
    conn.executescript(
        """
        CREATE TABLE board_digest_pages (
            user_id TEXT NOT NULL,
            page    INTEGER NOT NULL,
            body    BLOB NOT NULL,
            PRIMARY KEY (user_id, page)
        );
        CREATE INDEX versions_by_family ON versions
            (family_id, kind, section_tag, record_id, version_id, parents, created_at, sealed);
        """
    )


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("001_initial", _m001_initial),
    ("002_sharing", _m_sharing),
    ("003_supervision", _m003_supervision),
    ("004_operations", _m_operations),
    ("005_board_digest", _m005_board_digest),
    ("006_audit_versions", _m006_audit_versions),
    ("007_replicas", _m007_replicas),
    ("008_replica_sync_keys", _m008_replica_sync_keys),
    ("009_retention_log", _m009_retention_log),
    ("010_section_epochs", _m010_section_epochs),
    ("011_board_digest_pages", _m011_board_digest_pages),
]
SCHEMA_VERSION = len(MIGRATIONS)
# The level record; made before the first migration, so part of every level's pinned schema.
MIGRATIONS_TABLE_SQL = (
    "CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
    "applied_at TEXT NOT NULL)"
)


def current_version(conn: Connection) -> int:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='migrations'"
    ).fetchone()
    if not exists:
        return 0
    row = conn.execute("SELECT max(id) FROM migrations").fetchone()
    return cells.integer_or_none(row[0], "migrations", "id") or 0


def migrate(
    conn: Connection, migrations: list[tuple[str, Callable[[Connection], None]]] | None = None
) -> list[str]:
    """Apply every migration this vault lacks, each in its own transaction; return their names.
    The structure is pinned again afterwards (vault/schema_pin.py): what the migrations made
    must be exactly that level's schema."""
    from workbook.vault.schema_pin import pin

    steps = MIGRATIONS if migrations is None else migrations
    conn.execute(MIGRATIONS_TABLE_SQL)
    have = current_version(conn)
    if have > len(steps):
        raise SchemaTooNew(
            f"this vault was written by a newer Workbook (schema {have}; this program knows "
            f"{len(steps)}): install the newer Workbook to open it"
        )
    if hasattr(conn, "pinned_steps"):
        conn.pinned_steps = tuple(steps)  # each step's transaction re-pins against these
    applied = []
    for number, (name, step) in enumerate(steps, start=1):
        if number <= have:
            continue
        with transaction(conn):
            # executescript would COMMIT our transaction; run the statements one by one instead.
            run_step(conn, step)
            conn.execute(
                "INSERT INTO migrations (id, name, applied_at) VALUES (?, ?, ?)",
                (number, name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        applied.append(name)
    pin(conn, steps)
    return applied


def run_step(conn: Connection, step: Callable[[Connection], None]) -> None:
    """Run one migration inside the caller's open transaction (also used to build the pinned
    schema in memory, so the expected structure comes from the very same statements)."""
    class _Proxy:
        """Feeds executescript's statements through execute, keeping the open transaction."""

        def executescript(self, script: str) -> None:
            for statement in _split_sql(script):
                conn.execute(statement)

        def execute(self, *args: object) -> object:
            return conn.execute(*args)

    step(_Proxy())


def _split_sql(script: str) -> list[str]:
    """Split a script into statements with SQLite's own completeness test, so semicolons and
    double dashes inside string literals are left alone."""
    import sqlite3

    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
