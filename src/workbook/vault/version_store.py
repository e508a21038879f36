"""Rows of the versions table: every record version ever written, never updated in place."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter, not_
from typing import Any, NamedTuple, TypeVar

from workbook.vault import cells
from workbook.vault.database import Connection

T = TypeVar("T")


@dataclass(frozen=True)
class VersionRow:
    """A stored version: clear header columns plus the encrypted body."""

    family_id: str
    version_id: str
    record_id: str
    kind: str
    section_tag: bytes | None
    epoch: int
    parents: str
    author: str
    device: str
    created_at: str
    sealed: bool
    body: bytes


_COLUMNS = (
    "family_id, version_id, record_id, kind, section_tag, epoch, parents, author, device, "
    "created_at, sealed, body"
)


def _row(r: Any) -> VersionRow:
    """A stored version, every cell of its column's type or RowMalformed (cells.py). The
    common case is one chain of `type(...) is` tests: reading a family's versions is hot."""
    f, v, rec, k, tag, ep, par, au, dev, at, sealed, body = r
    if (type(f) is str and type(v) is str and type(rec) is str and type(k) is str
            and (tag is None or type(tag) is bytes) and type(ep) is int and type(par) is str
            and type(au) is str and type(dev) is str and type(at) is str
            and type(sealed) is int and sealed in {0, 1} and type(body) is bytes):
        return VersionRow(f, v, rec, k, tag, ep, par, au, dev, at, sealed == 1, body)
    return VersionRow(
        cells.text(f, "versions", "family_id"), cells.text(v, "versions", "version_id"),
        cells.text(rec, "versions", "record_id"), cells.text(k, "versions", "kind"),
        cells.blob_or_none(tag, "versions", "section_tag"),
        cells.integer(ep, "versions", "epoch"), cells.text(par, "versions", "parents"),
        cells.text(au, "versions", "author"), cells.text(dev, "versions", "device"),
        cells.text(at, "versions", "created_at"), cells.flag(sealed, "versions", "sealed"),
        cells.blob(body, "versions", "body"),
    )


def insert(conn: Connection, row: VersionRow) -> bool:
    """Insert a version; False if it was not stored (already there: set union, used by
    imports). Whether the family was disposed of is decided above, in services/upkeep/tombstones.py,
    from the signed tombstone: a bare `disposals` row must never swallow a write."""
    cur = conn.execute(
        f"INSERT OR IGNORE INTO versions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.family_id, row.version_id, row.record_id, row.kind, row.section_tag, row.epoch,
            row.parents, row.author, row.device, row.created_at, int(row.sealed), row.body,
        ),
    )
    return bool(cur.rowcount)


def of_family(conn: Connection, family_id: str) -> list[VersionRow]:
    return [
        _row(r)
        for r in conn.execute(f"SELECT {_COLUMNS} FROM versions WHERE family_id = ?", (family_id,))
    ]


def headers_of_family(conn: Connection, family_id: str) -> list[VersionHeader]:
    """The clear headers of a family's versions, without their bodies: what a family opened
    in parts chooses its first look from (then `by_keys` for the bodies it needs)."""
    return _headers(conn.execute(
        f"SELECT {_HEADER} FROM versions WHERE family_id = ?", (family_id,)).fetchall())


def of_family_kind(conn: Connection, family_id: str, kind: str,
                   version_ids: list[str]) -> list[VersionRow]:
    """Whole rows of one family and kind by version id: a range of the primary key each,
    a few hundred per query (many times quicker than `by_keys`' row values)."""
    return [_row(r) for r in _rows_in(
        conn, f"SELECT {_COLUMNS} FROM versions WHERE family_id = ? AND kind = ? "
        f"AND version_id IN ({_MARKS})", version_ids, before=(family_id, kind))]


def of_families_kind(conn: Connection, family_ids: Iterable[str],
                     kind: str) -> Iterator[VersionRow]:
    """Every version of `kind` in these families, a few hundred families a query: a reader
    of the open families' records then costs what they hold, not a pass over a vault of ten
    years' closed families. Through the primary key (family, kind), so each family is one
    seek and a run of adjacent rows; through the (kind, family) index each row was a second
    seek into the table, and at 20,000 families reading the 400 open ones' records and
    actions took 90-120 ms against 77-94 (issue 19)."""
    sql = f"SELECT {_COLUMNS} FROM versions WHERE family_id IN ({_MARKS}) AND kind = ?"
    for r in list(_rows_in(conn, sql, list(dict.fromkeys(family_ids)), after=(kind,))):
        yield _row(r)


def headers_of_families(conn: Connection, family_ids: Iterable[str]) -> Iterator[VersionHeader]:
    """The clear headers of every version of these families, a few hundred families a query
    (through the primary key, which starts with the family)."""
    ids = list(dict.fromkeys(family_ids))
    sql = f"SELECT {_HEADER} FROM versions WHERE family_id IN ({_MARKS})"
    for start in range(0, len(ids), _CHUNK):
        yield from _headers(list(_rows_in(conn, sql, ids[start:start + _CHUNK])))


def of_record(conn: Connection, record_id: str) -> list[VersionRow]:
    return [
        _row(r)
        for r in conn.execute(f"SELECT {_COLUMNS} FROM versions WHERE record_id = ?", (record_id,))
    ]


def of_kind(conn: Connection, kind: str) -> Iterable[VersionRow]:
    for r in conn.execute(f"SELECT {_COLUMNS} FROM versions WHERE kind = ?", (kind,)):
        yield _row(r)


def family_of_record(conn: Connection, record_id: str) -> str | None:
    r = conn.execute(
        "SELECT family_id FROM versions WHERE record_id = ? LIMIT 1", (record_id,)
    ).fetchone()
    return None if r is None else cells.text(r[0], "versions", "family_id")


def has_version(conn: Connection, version_id: str) -> bool:
    r = conn.execute("SELECT 1 FROM versions WHERE version_id = ? LIMIT 1",
                     (version_id,)).fetchone()
    return r is not None


def family_exists(conn: Connection, family_id: str) -> bool:
    r = conn.execute(
        "SELECT 1 FROM versions WHERE family_id = ? AND kind = 'family' LIMIT 1", (family_id,)
    ).fetchone()
    return r is not None


def all_family_ids(conn: Connection) -> list[str]:
    return [cells.text(r[0], "versions", "family_id")
            for r in conn.execute("SELECT DISTINCT family_id FROM versions")]


_CHUNK = 400  # host parameters per IN (...) query, well under SQLite's limit


class VersionHeader(NamedTuple):
    """The clear header of a version, read from the versions_headers index alone (a tuple:
    the board reads tens of thousands of them)."""

    family_id: str
    version_id: str
    record_id: str
    kind: str
    section_tag: bytes | None
    parents: str
    created_at: str
    sealed: int


_HEADER = "family_id, version_id, record_id, kind, section_tag, parents, created_at, sealed"


_make_header = VersionHeader._make
_TEXT_CELLS = (0, 1, 2, 3, 5, 6)  # the header's TEXT columns; 4 is section_tag, 7 sealed


def _headers(rows: list[Any]) -> list[VersionHeader]:
    """Clear headers, every cell of its column's type or RowMalformed. The board reads tens
    of thousands, so the types are checked a column at a time in C: joining a column raises
    TypeError if any cell is not text (or, for the tags, not bytes: falsy cells, which
    `filter` drops, must be None or b""), and `sealed` must be 0 or 1. Only a failing batch
    is walked row by row, to name the column."""
    if rows:
        columns = list(zip(*rows, strict=True))
        try:
            for i in _TEXT_CELLS:
                "".join(columns[i])
            b"".join(filter(None, columns[4]))
            ok = {*filter(not_, columns[4])} <= {None, b""} and {*columns[7]} <= {0, 1}
        except TypeError:
            ok = False
        if not ok:
            for r in rows:
                _header(r)
    return list(map(_make_header, rows))


def _header(r: Any) -> VersionHeader:
    """One clear header, checked cell by cell (see `_headers`)."""
    f, v, rec, k, tag, par, at, sealed = r
    return VersionHeader(
        cells.text(f, "versions", "family_id"), cells.text(v, "versions", "version_id"),
        cells.text(rec, "versions", "record_id"), cells.text(k, "versions", "kind"),
        cells.blob_or_none(tag, "versions", "section_tag"),
        cells.text(par, "versions", "parents"), cells.text(at, "versions", "created_at"),
        int(cells.flag(sealed, "versions", "sealed")),
    )


read_header = _header  # for other repositories reading the same columns (board digests)


def headers_of_kind(conn: Connection, kind: str) -> Iterator[VersionHeader]:
    """Streamed from the cursor: a vault has hundreds of thousands of entry headers, and
    their readers keep only a few of them."""
    cursor = conn.execute(
        f"SELECT {_HEADER} FROM versions INDEXED BY versions_headers WHERE kind = ?", (kind,))
    while chunk := cursor.fetchmany(1024):
        yield from _headers(chunk)


def headers_of_families_kind(conn: Connection, family_ids: list[str],
                             kind: str) -> list[VersionHeader]:
    """The clear headers of these families' versions of `kind`, from the versions_by_family
    index alone, a few hundred families a query."""
    sql = (f"SELECT {_HEADER} FROM versions INDEXED BY versions_by_family "
           f"WHERE family_id IN ({_MARKS}) AND kind = ?")
    return _headers(list(_rows_in(conn, sql, family_ids, after=(kind,))))


def counts_of_kind(conn: Connection, kind: str) -> dict[str, int]:
    """Family id -> how many versions of `kind` it has, from the (kind, family) index alone:
    versions are only added, so an unchanged count means none was added. Counted here, not
    by GROUP BY: SQLCipher's aggregate (with memory security on) took 20 times as long."""
    found = Counter(map(itemgetter(0), conn.execute(
        "SELECT family_id FROM versions INDEXED BY versions_by_kind WHERE kind = ?", (kind,))))
    if not set(map(type, found)) <= {str}:   # each id's type, at C speed: 20,000 at ten years
        raise cells.RowMalformed("versions", "family_id")
    return dict(found)


def keys_of_kind(conn: Connection, kind: str) -> list[tuple[str, str]]:
    """(family id, version id) of every version of `kind`, from the index alone."""
    return [(cells.text(r[0], "versions", "family_id"), cells.text(r[1], "versions", "version_id"))
            for r in conn.execute(
        "SELECT family_id, version_id FROM versions INDEXED BY versions_headers WHERE kind = ?",
        (kind,))]


def headers_by_keys(conn: Connection, keys: list[tuple[str, str, str]]) -> list[VersionHeader]:
    return _headers(_by_primary_key(conn, _HEADER, keys, tuple))


def count_of_kind(conn: Connection, kind: str) -> int:
    """How many versions of `kind` there are: versions are only ever added, so an unchanged
    count means nothing of that kind changed."""
    row = conn.execute("SELECT count(*) FROM versions INDEXED BY versions_headers "
                       "WHERE kind = ?", (kind,)).fetchone()
    return int(row[0])


def headers_of_tags(conn: Connection, kind: str, tags: list[bytes]) -> list[VersionHeader]:
    """Headers of versions of `kind` carrying any of these section tags."""
    return _headers([*_rows_in(
        conn, f"SELECT {_HEADER} FROM versions INDEXED BY versions_headers "
        f"WHERE kind = ? AND section_tag IN ({_MARKS})", tags, before=(kind,))])


def headers_of_edited(conn: Connection, kind: str) -> list[VersionHeader]:
    """Headers of every version of the records of `kind` that have more than one version."""
    return _headers_of_records(conn, kind, [r[0] for r in conn.execute(
        "SELECT DISTINCT record_id FROM versions INDEXED BY versions_edited "
        "WHERE kind = ? AND parents <> '[]'", (kind,))])


def headers_of_edited_tags(conn: Connection, kind: str, tags: list[bytes]
                           ) -> list[VersionHeader]:
    """As `headers_of_edited`, of the records carrying these section tags only (a pass over
    the header index's rows of those tags, nothing decrypted): a few families' edited
    entries without a pass over every edited entry of the vault."""
    return _headers_of_records(conn, kind, [r[0] for r in _rows_in(
        conn, "SELECT DISTINCT record_id FROM versions INDEXED BY versions_headers "
        f"WHERE kind = ? AND section_tag IN ({_MARKS}) AND parents <> '[]'", tags,
        before=(kind,))])


def _headers_of_records(conn: Connection, kind: str, found: list[Any]) -> list[VersionHeader]:
    ids = list(dict.fromkeys(cells.text(r, "versions", "record_id") for r in found))
    return _headers([*_rows_in(
        conn, f"SELECT {_HEADER} FROM versions WHERE record_id IN ({_MARKS}) AND kind = ?",
        ids, after=(kind,))])


def by_keys(conn: Connection, keys: list[tuple[str, str, str]]) -> list[VersionRow]:
    """Whole rows by primary key: (family id, kind, version id)."""
    return _by_primary_key(conn, _COLUMNS, keys, _row)


def _by_primary_key(conn: Connection, columns: str, keys: list[tuple[str, str, str]],
                    make: Callable[[Any], T]) -> list[T]:
    """Rows by (family id, kind, version id), the whole primary key so each is one seek; a
    few hundred keys per query."""
    out: list[T] = []
    step = _CHUNK // 3
    for start in range(0, len(keys), step):
        chunk = keys[start:start + step]
        marks = ", ".join("(?, ?, ?)" for _ in chunk)
        flat = [value for key in chunk for value in key]
        out.extend(make(r) for r in conn.execute(
            f"SELECT {columns} FROM versions WHERE (family_id, kind, version_id) IN "
            f"(VALUES {marks})", flat))
    return out


_MARKS = "%MARKS%"


def _rows_in(conn: Connection, sql: str, values: Sequence[Any], *, before: tuple[Any, ...] = (),
             after: tuple[Any, ...] = ()) -> Iterator[Any]:
    """The rows of `sql` for every one of `values`, bound to its `_MARKS` list, `_CHUNK` at a
    time: SQLite caps the parameters of one statement."""
    for start in range(0, len(values), _CHUNK):
        chunk = values[start:start + _CHUNK]
        yield from conn.execute(sql.replace(_MARKS, ", ".join("?" * len(chunk))),
                                (*before, *chunk, *after))


def count_families(conn: Connection) -> int:
    """How many families have a family record (a restore reports it): a referral's versions
    carry its own id as their family id, and are no family."""
    return int(conn.execute("SELECT count(DISTINCT family_id) FROM versions "
                            "WHERE kind = 'family'").fetchone()[0])
