"""The pinned schema: a vault's tables, indexes, triggers and views must be exactly what its
migration level makes, or the vault is refused before anything else reads it.

Why: everyone signed in holds the database key, so anyone can add a trigger that silently drops
a sealed entry with its audit event (`BEFORE INSERT ... RAISE(IGNORE)`), drop one of the
vault's own triggers so the board digest misses an urgent concern, or shadow data with a view
or an extra table. None of that is signed, so none of it may be trusted: the only structure a
vault may have is the one its recorded migrations make.

The expected structure is not a hand-kept list. It is what the migrations themselves make, run
once per process on an in-memory database by the same SQLite library, cached per migration
list and level. The level record (the `migrations` table) is a plain row too: it must name the
known migrations, in order, from 1 with no gap, and the structure must be that level's.
`PRAGMA` state and row contents are not part of the pin (signatures cover the rows)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

import sqlcipher3

from workbook.vault import migrations as migrations_module
from workbook.vault.database import Connection, DatabaseError, VaultAltered

Step = tuple[str, Callable[[Connection], None]]
# (type, name) -> (tbl_name, sql as stored, normalised sql)
Schema = dict[tuple[str, str], tuple[str, str | None, str | None]]

# Tables SQLite makes itself only when someone runs ANALYZE; they steer the query planner and
# hold no data of ours, so they are allowed, but only with SQLite's own definition.
_SQLITE_STAT = {
    "sqlite_stat1": "create table sqlite_stat1 ( tbl , idx , stat )",
    "sqlite_stat4": "create table sqlite_stat4 ( tbl , idx , neq , nlt , ndlt , sample )",
}
# Earlier released definitions of an object the migrations make today, still found in vaults
# made then. Only what a release really shipped belongs here, and only indexes (an index holds
# no data of its own: it cannot hide, add or change a row). Vaults of schema 001 made before
# 003_supervision carry the wider covering index of commit 7a3c76a (tests/data/vault-schema-001).
_RELEASED_VARIANTS: dict[tuple[str, str], frozenset[str]] = {
    ("index", "versions_by_kind"): frozenset({
        "create index versions_by_kind on versions ( kind , family_id , record_id , "
        "created_at , sealed , section_tag , parents )",
    }),
}
_SHOWN_AT_MOST = 8

_TOKEN = re.compile(
    r"""'(?:[^']|'')*'          # string literal
      | "(?:[^"]|"")*"          # quoted identifier
      | `(?:[^`]|``)*`          # quoted identifier (MySQL style)
      | \[[^\]]*\]              # quoted identifier (MS style)
      | --[^\n]*                # line comment
      | /\*.*?(?:\*/|\Z)        # block comment
      | \s+
      | [A-Za-z0-9_$]+
      | .""",
    re.VERBOSE | re.DOTALL,
)

_cache: dict[tuple[Step, ...], list[Schema]] = {}


@functools.lru_cache(maxsize=1024)
def normalise_sql(sql: str | None) -> str | None:
    """The statement as tokens: comments and layout dropped, words and identifiers folded to
    lower case (SQLite reads them so), string literals kept exactly. Two texts that normalise
    the same are the same statement to SQLite, so an honest vault always passes."""
    if sql is None:
        return None
    tokens = []
    for match in _TOKEN.finditer(sql):
        token = match.group(0)
        if token.isspace() or token.startswith("--") or token.startswith("/*"):
            continue
        tokens.append(token if token.startswith("'") else token.lower())
    return " ".join(tokens)


def _read_schema(conn: Connection) -> Schema:
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    out: Schema = {}
    for kind, name, table, sql in rows:
        text = None if sql is None else str(sql)
        out[(str(kind), str(name))] = (str(table), text, None)
    return out


def expected_schemas(steps: Sequence[Step]) -> list[Schema]:
    """The structure after each level (index 0: no migration yet), made by running the
    migrations on an in-memory database once per process and migration list."""
    key = tuple(steps)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    memory = sqlcipher3.connect(":memory:", isolation_level=None)
    try:
        memory.execute(migrations_module.MIGRATIONS_TABLE_SQL)
        levels = [_snapshot(memory)]
        for step in steps:
            memory.execute("BEGIN")
            migrations_module.run_step(memory, step[1])
            memory.execute("COMMIT")
            levels.append(_snapshot(memory))
    finally:
        memory.close()
    _cache[key] = levels
    return levels


def _snapshot(conn: Connection) -> Schema:
    return {k: (t, s, normalise_sql(s)) for k, (t, s, _) in _read_schema(conn).items()}


def prepare() -> None:
    """Build (or find cached) the expected structures of this program's migrations."""
    expected_schemas(migrations_module.MIGRATIONS)


def recorded_level(conn: Connection, steps: Sequence[Step]) -> tuple[int, list[str]]:
    """The level the `migrations` rows claim, and what is wrong with the record itself."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'"
    ).fetchone()
    if not found:
        return 0, []
    try:
        rows = conn.execute("SELECT id, name FROM migrations ORDER BY id").fetchall()
    except DatabaseError:
        return 0, ["the migrations record cannot be read"]
    problems = []
    for expected_id, (number, name) in enumerate(rows, start=1):
        if number != expected_id:
            problems.append(f"the migrations record skips or repeats level {expected_id}")
            break
        if expected_id <= len(steps) and name != steps[expected_id - 1][0]:
            problems.append(f"the migrations record names {_shown(name)} at level "
                            f"{expected_id}, not {steps[expected_id - 1][0]!r}")
            break
    return len(rows), problems


def differences_at(conn: Connection, steps: Sequence[Step]) -> tuple[int, list[str]]:
    """The recorded level and every way the structure differs from that level's; raises
    SchemaTooNew for a level beyond this program's migrations (as migrating always has)."""
    level, problems = recorded_level(conn, steps)
    if problems:
        return level, problems
    if level > len(steps):
        raise migrations_module.SchemaTooNew(
            f"this vault was written by a newer Workbook (schema {level}; this program knows "
            f"{len(steps)}): install the newer Workbook to open it"
        )
    expected = expected_schemas(steps)[level]
    actual = _read_schema(conn)
    if level == 0 and not actual:
        return 0, []  # a new, empty database, before `migrate` makes the level record
    unexpected, changed, missing = [], [], []
    for key, (table, sql, _) in sorted(actual.items()):
        kind, name = key
        want = expected.get(key)
        if want is None:
            if kind == "table" and normalise_sql(sql) == _SQLITE_STAT.get(name, "-"):
                continue
            unexpected.append(f"unexpected {_describe(kind, name, table)}")
        elif want[0] != table or (want[1] != sql and not _same(key, want[2], sql)):
            changed.append(f"{_describe(kind, name, table)} was changed")
    for key, (table, _, _) in sorted(expected.items()):
        if key not in actual:
            missing.append(f"missing {_describe(key[0], key[1], table)}")
    return level, unexpected + changed + missing


def _same(key: tuple[str, str], want: str | None, sql: str | None) -> bool:
    found = normalise_sql(sql)
    return found == want or (found is not None and found in _RELEASED_VARIANTS.get(key, ()))


def schema_differences(conn: Connection) -> list[str]:
    """Every way this vault's structure differs from what its migration level makes; empty
    for an honest vault. For `audit verify`; a level beyond this program is one difference."""
    steps = migrations_module.MIGRATIONS
    try:
        return differences_at(conn, steps)[1]
    except migrations_module.SchemaTooNew as exc:
        return [str(exc)]


def pin(conn: Connection, steps: Sequence[Step] | None = None) -> None:
    """Refuse the vault unless its structure is exactly its migration level's. A vault
    connection remembers what it was pinned at, for `repin_if_changed`."""
    steps = migrations_module.MIGRATIONS if steps is None else steps
    cookie = int(conn.execute("PRAGMA schema_version").fetchone()[0])
    level, found = differences_at(conn, steps)
    if found:
        shown = found[:_SHOWN_AT_MOST]
        more = len(found) - len(shown)
        raise VaultAltered(
            f"this vault's structure was altered (schema {level}): " + "; ".join(shown)
            + (f"; and {more} more" if more else "")
            + " - Workbook will not open it; restore it from a backup"
        )
    if hasattr(conn, "pinned_steps"):
        conn.pinned_cookie, conn.pinned_steps = cookie, tuple(steps)


def repin_if_changed(conn: Connection) -> None:
    """Pin again if any connection changed the structure (the schema cookie moved) since this
    one was pinned: costs one pragma when nothing changed."""
    cookie = int(conn.execute("PRAGMA schema_version").fetchone()[0])
    if cookie != conn.pinned_cookie:
        pin(conn, conn.pinned_steps)


def _describe(kind: str, name: str, table: str) -> str:
    where = f" on {_shown(table)}" if kind in ("index", "trigger") or table != name else ""
    return f"{_clean(kind)} {_shown(name)}{where}"


def _clean(value: object) -> str:
    """A name the attacker chose, made safe for one line of a message."""
    text = "".join(c if c.isprintable() else "?" for c in str(value))
    return text if len(text) <= 60 else text[:57] + "..."


def _shown(value: object) -> str:
    return f"'{_clean(value)}'"
