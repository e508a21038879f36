"""Shared pieces of the benchmarks: the result table, timing, an in-memory keyring and the
cached fixture vault (2,000 families x 50 entries) that every benchmark reads.

The fixture is built once, through the real services (real SQLCipher, real signatures, real
section keys), with a cheap Argon2id so that building and signing in are quick, and kept in
bench/.cache/ (git-ignored). Its folder name carries a hash of the sources it depends on, so a
change to the vault format rebuilds it instead of benchmarking a stale file. Benchmarks never
touch the cached copy: `working_copy()` gives them a fresh copy to sign in to and write to.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
CACHE = BENCH_DIR / ".cache"

for _extra in (REPO / "src", REPO / "tests"):
    if str(_extra) not in sys.path:
        sys.path.append(str(_extra))

import keyring  # noqa: E402

from support.memory_keyring import MemoryKeyring  # noqa: E402
from workbook.crypto.passphrase_kdf import KdfParams  # noqa: E402

T = TypeVar("T")

# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One figure. `value`, `target` and `floor` share `unit`; `ratio` is value / floor.

    The floor is the same work done without Workbook's protections: the same schema on plain
    SQLite with no encryption, or the raw AES-GCM / Ed25519 / HKDF calls over the same bytes."""

    figure: str
    value: float
    unit: str = "ms"
    target: float | None = None
    floor: float | None = None
    ratio_target: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.floor is None or self.floor <= 0:
            return None
        return self.value / self.floor

    @property
    def target_met(self) -> bool | None:
        return None if self.target is None else self.value < self.target

    @property
    def ratio_met(self) -> bool | None:
        ratio = self.ratio
        if self.ratio_target is None or ratio is None:
            return None
        return ratio <= self.ratio_target


def fmt(value: float, unit: str) -> str:
    if unit == "ms":
        if value >= 100:
            return f"{value:,.0f} ms"
        if value >= 10:
            return f"{value:.1f} ms"
        return f"{value:.2f} ms"
    if unit == "us":
        return f"{value:.1f} us"
    if unit == "s":
        return f"{value:.1f} s"
    return f"{value:g} {unit}"


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else (" ok" if ok else " MISS")


def table(rows: Sequence[Row], title: str = "") -> str:
    """The table `make bench` prints: figure, value, target, floor, ratio (+ notes below)."""
    header = ("figure", "value", "target", "floor", "ratio")
    lines: list[tuple[str, ...]] = [header]
    notes: list[str] = []
    for row in rows:
        target = "-" if row.target is None else f"< {fmt(row.target, row.unit)}"
        target += _verdict(row.target_met)
        floor = "-" if row.floor is None else fmt(row.floor, row.unit)
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}x"
        if row.ratio_target is not None:
            ratio += f" (<= {row.ratio_target:g}x{_verdict(row.ratio_met)})"
        figure = row.figure
        if row.note:
            notes.append(row.note)
            figure += f" [{len(notes)}]"
        lines.append((figure, fmt(row.value, row.unit), target, floor, ratio))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    if title:
        out.append(title)
    for n, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    for n, note in enumerate(notes, start=1):
        out.append(f"[{n}] {note}")
    return "\n".join(out)


def print_table(rows: Sequence[Row], title: str = "") -> None:
    print(table(rows, title), flush=True)


def say(message: str) -> None:
    """Progress on stderr, so the table on stdout stays clean."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------------------------


@dataclass
class Timing:
    """Wall-clock samples in seconds (time.perf_counter)."""

    samples: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def min_ms(self) -> float:
        return min(self.samples) * 1000

    @property
    def max_ms(self) -> float:
        return max(self.samples) * 1000

    @property
    def p90_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] * 1000

    def spread(self) -> str:
        return (f"n={len(self.samples)}, min {self.min_ms:.2f} / median {self.median_ms:.2f} / "
                f"p90 {self.p90_ms:.2f} / max {self.max_ms:.2f} ms")


def repeat(fn: Callable[[], object], runs: int, warmup: int = 0) -> Timing:
    """Median-friendly samples of `fn()` run `runs` times (after `warmup` untimed runs)."""
    for _ in range(warmup):
        fn()
    timing = Timing()
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        timing.samples.append(time.perf_counter() - start)
    return timing


def each(fn: Callable[[T], object], items: Iterable[T]) -> Timing:
    """One sample per item: `fn(item)` timed on its own."""
    timing = Timing()
    for item in items:
        start = time.perf_counter()
        fn(item)
        timing.samples.append(time.perf_counter() - start)
    return timing


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """`with stopwatch() as t: ...` then t[0] is the elapsed seconds."""
    box: list[float] = []
    start = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - start)


# --------------------------------------------------------------------------------------------
# Floors others share
# --------------------------------------------------------------------------------------------


def minimal_reportlab_pdf(paragraphs: int = 1) -> bytes:
    """The floor for anything Workbook prints: a bare reportlab document built in memory with
    the built-in Helvetica, `paragraphs` short paragraphs of body text, no house style, no
    fonts to embed, no page furniture."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buffer = io.BytesIO()
    body = getSampleStyleSheet()["BodyText"]
    story = [Paragraph(f"Paragraph {n}: the quick brown fox jumps over the lazy dog.", body)
             for n in range(paragraphs)]
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return buffer.getvalue()


def reportlab_floor(runs: int = 20, paragraphs: int = 1) -> Timing:
    """Timing of `minimal_reportlab_pdf` (after one warm-up), measured in the caller's run."""
    return repeat(lambda: minimal_reportlab_pdf(paragraphs), runs, warmup=1)


# --------------------------------------------------------------------------------------------
# Keyring
# --------------------------------------------------------------------------------------------


def install_memory_keyring() -> MemoryKeyring:
    """Keep device secrets in memory: benchmarks never touch the developer's OS keyring."""
    os.environ.pop("WORKBOOK_KEYRING", None)
    backend = keyring.get_keyring()
    if not isinstance(backend, MemoryKeyring):
        backend = MemoryKeyring()
        keyring.set_keyring(backend)
    return backend


# --------------------------------------------------------------------------------------------
# The fixture vault
# --------------------------------------------------------------------------------------------

FAMILIES = 2000
ENTRIES = 50
CHEAP_KDF = KdfParams(8 * 1024, 1, 1)
CHUNK = 250  # families per transaction and writer
SEED = 20260101
FIXTURE_FORMAT = "4"  # bump when the builder below changes what it writes

OWNER = ("tm", "Tess Manager", "team-manager", "correct horse battery staple")
INITIAL = "initial pass phrase one"
# username, full name, role, own passphrase; each also writes the sections it alone holds
MEMBERS = (
    ("sw1", "Sam Worker", "social-worker", "quiet harbour lantern morning"),
    ("pc1", "Pat Constable", "police", "silver meadow kettle orbit"),
    ("psy1", "Priya Shah", "psychologist", "purple canyon whistle garden"),
    ("da1", "Dana Bright", "domestic-abuse", "frozen bramble copper violin"),
)
PASSPHRASES = {OWNER[0]: OWNER[3], **{m[0]: m[3] for m in MEMBERS}}

# Per family: 50 records in these sections (plan ones are actions), written by these users.
LAYOUT: tuple[tuple[str, int, str], ...] = (
    ("case-notes", 16, "tm"),
    ("referral-assessment", 4, "tm"),
    ("risk-assessment", 3, "tm"),
    ("home-visit-safety", 2, "tm"),
    ("sharing-log", 2, "tm"),
    ("supervision", 3, "tm"),
    ("plan", 4, "tm"),
    ("education", 4, "sw1"),
    ("police", 4, "pc1"),
    ("mental-health", 3, "psy1"),
    ("substance-misuse", 2, "psy1"),
    ("domestic-abuse", 2, "da1"),
    ("channel", 1, "tm"),
)
assert sum(n for _s, n, _w in LAYOUT) == ENTRIES

WORDS = (
    "visit home mother father child school worry safe plan review police note call meeting "
    "agreed concern support contact health nurse teacher attended absent report referral "
    "assessment risk partner housing rent arrears alcohol sleep anxious calm angry play "
    "progress goal week month appointment letter consent shared decided manager supervision "
    "sibling grandmother kitchen garden dog door late early missed follow up discussed worker "
    "family court order protection strategy meeting outcome advice benefits food bank clean"
).split()
SURNAMES = ("Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Khan Evans "
            "Thomas Roberts Walker Wood Thompson White Hughes Green Hall Clarke Jackson").split()
PERSONS_PER_FAMILY = ("parent", "parent", "child", "child", "child", "grandparent",
                      "grandparent", "aunt", "uncle", "family friend")
FIRST = ("Amelia Olivia Isla Ava Noah Oliver George Leo Arthur Muhammad Freya Lily Jack Harry "
         "Aisha Zoe Mia Ruby Theo Oscar Archie Grace Alfie Evie").split()


@dataclass(frozen=True)
class Fixture:
    root: Path
    vault_dir: Path
    vault_id: str
    recovery_key: str
    families: int
    entries: int
    versions: int
    build_seconds: float
    built_at: str
    reused: bool

    def passphrase(self, username: str) -> str:
        return PASSPHRASES[username]


class StepClock:
    """A clock that moves one second per reading, so every version has its own time."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


# The sources that decide the fixture's bytes; a change to any of them rebuilds it. (A change
# elsewhere that still breaks the cached vault is caught by the smoke check in fixture().)
FORMAT_SOURCES = (
    "crypto/*.py", "vault/*.py", "domain/policy.py", "domain/roles.py",
    "services/authority/record_codec.py", "services/family/records.py",
    "services/authority/section_keys.py",
    "services/authority/trust.py", "services/authority/signatures.py",
    "services/access/vault_setup.py", "resources/policy.toml",
)


def sources_hash() -> str:
    """A short hash of FIXTURE_FORMAT and FORMAT_SOURCES."""
    digest = hashlib.sha256(FIXTURE_FORMAT.encode())
    src = REPO / "src" / "workbook"
    paths = sorted({p for pattern in FORMAT_SOURCES for p in src.glob(pattern)})
    for path in paths:
        digest.update(str(path.relative_to(src)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def save_device_secret(folder: Path, vault_id: str) -> None:
    """The fixture's device secret beside it (a bench vault of synthetic data), so a later run
    opens the cached vault without this machine's keyring holding it."""
    from workbook.vault.device_secret import load_device_secret

    secret = load_device_secret(vault_id)
    assert secret is not None
    secret_path = folder / "device-secret"
    secret_path.write_text(base64.b64encode(secret).decode())
    secret_path.chmod(0o600)


def fixture(families: int = FAMILIES, entries: int = ENTRIES) -> Fixture:
    """The cached fixture vault, built if missing or stale; its device secret is installed
    in the memory keyring either way."""
    install_memory_keyring()
    CACHE.mkdir(exist_ok=True)
    name = f"fixture-{families}x{entries}-{sources_hash()}"
    root = CACHE / name
    info_path = root / "fixture.json"
    reused = info_path.exists() and os.environ.get("BENCH_REBUILD") != "1"
    if not reused:
        for old in CACHE.glob(f"fixture-{families}x{entries}-*"):
            shutil.rmtree(old)
        _build(root, families, entries)
    info = json.loads(info_path.read_text())
    _install_device_secret(root, info["vault_id"])
    return Fixture(
        root=root, vault_dir=root / "vault", vault_id=info["vault_id"],
        recovery_key=info["recovery_key"], families=info["families"], entries=info["entries"],
        versions=info["versions"], build_seconds=info["build_seconds"],
        built_at=info["built_at"], reused=reused,
    )


def _opens(vault: Path) -> bool:
    """Sign in and open one family: a cached vault of a stale format fails here."""
    from workbook.services.access.sign_in import sign_in
    from workbook.vault import version_store

    try:
        with sign_in(vault, "sw1", PASSPHRASES["sw1"]) as session:
            family = version_store.all_family_ids(session.conn)[0]
            return bool(session.workbooks.open(family, audit=False).family.name)
    except Exception as exc:  # any failure means: rebuild
        say(f"  the cached fixture does not open with this code ({type(exc).__name__}: {exc})")
        return False


def prepare(name: str = "work") -> tuple[Fixture, Path]:
    """The fixture and a fresh working copy of it that opens with this code (rebuilt once if
    it does not: FORMAT_SOURCES may miss a change that breaks the cached file)."""
    fx = fixture()
    work = working_copy(fx, name)
    if fx.reused and not _opens(work):
        os.environ["BENCH_REBUILD"] = "1"
        try:
            fx = fixture()
        finally:
            del os.environ["BENCH_REBUILD"]
        work = working_copy(fx, name)
    return fx, work


def working_copy(fx: Fixture, name: str = "work") -> Path:
    """A fresh copy of the fixture vault that a benchmark may sign in to and write to."""
    dest = CACHE / name / "vault"
    if dest.parent.exists():
        shutil.rmtree(dest.parent)
    dest.parent.mkdir(parents=True)
    shutil.copytree(fx.vault_dir, dest)
    return dest


def _install_device_secret(root: Path, vault_id: str) -> None:
    from workbook.vault import device_secret

    raw = base64.b64decode((root / "device-secret").read_text().strip())
    device_secret.store_device_secret(vault_id, raw)


def _text(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _day(rng: random.Random, first_year: int = 2023, years: int = 3) -> str:
    return (date(first_year, 1, 1) + timedelta(days=rng.randrange(years * 365))).isoformat()


def _family_records(
    rng: random.Random, number: int, users: dict[str, str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(writer, records.write kwargs) for one family: the family, ten persons (so 2,000
    families hold the 20,000 persons of issue 3's targets), 50 records."""
    from workbook.domain.ids import new_id

    family_id = new_id()
    surname = rng.choice(SURNAMES)
    base = {"family_id": family_id}
    yield "tm", {**base, "record_id": family_id, "kind": "family", "section": "household",
                 "payload": {"name": f"{surname} family", "reference": f"BN-{number:05d}",
                             "status": "open", "case_owner": users["tm"]}}
    for relationship in PERSONS_PER_FAMILY:
        born = {"parent": (1975, 20), "child": (2008, 15), "grandparent": (1945, 20)}.get(
            relationship, (1960, 30))
        yield "tm", {**base, "record_id": new_id(), "kind": "person", "section": "household",
                     "payload": {"name": f"{rng.choice(FIRST)} {surname}",
                                 "dob": _day(rng, *born), "relationship": relationship}}
    records = [(s, w) for s, n, w in LAYOUT for _ in range(n)]
    rng.shuffle(records)
    for section, writer in records:
        if section == "plan":
            payload: dict[str, Any] = {
                "text": _text(rng, 8, 30), "owner": users[rng.choice(("tm", "sw1"))],
                "due": _day(rng), "status": rng.choice(("open", "open", "done")), "review": "",
            }
            kind = "action"
        else:
            payload = {"text": _text(rng, 40, 160), "date": _day(rng),
                       "type": rng.choice(("visit", "call", "meeting", "note")),
                       "significant": rng.random() < 0.1}
            kind = "entry"
        yield writer, {**base, "record_id": new_id(), "kind": kind, "section": section,
                       "payload": payload}


def _build(root: Path, families: int, entries: int) -> None:
    from workbook.services.access.sign_in import sign_in
    from workbook.services.access.vault_setup import create_vault

    say(f"building the fixture vault ({families:,} families x {entries} entries) in {root} ...")
    start = time.perf_counter()
    partial = root.with_name(root.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    vault = partial / "vault"
    clock = StepClock(datetime(2024, 1, 1, tzinfo=UTC))
    tm_name, tm_full, tm_role, tm_pass = OWNER
    created = create_vault(vault, team="Bench Unit", owner_username=tm_name, owner_name=tm_full,
                           passphrase=tm_pass, owner_role=tm_role, kdf=CHEAP_KDF, clock=clock)
    owner = sign_in(vault, tm_name, tm_pass, clock=clock)
    try:
        for username, full_name, role, own in MEMBERS:
            owner.accounts.add(username, full_name, role, INITIAL)
            with sign_in(vault, username, INITIAL, clock=clock) as newcomer:
                newcomer.accounts.change_passphrase(INITIAL, own)
                fingerprint = newcomer.grants.fingerprint()
            owner.grants.approve(username, fingerprint=fingerprint,
                                 recovery_text=created.recovery_key)
    finally:
        owner.lock()

    sessions = {u: sign_in(vault, u, PASSPHRASES[u], clock=clock) for u in PASSPHRASES}
    users = {u: s.user_id for u, s in sessions.items()}
    rng = random.Random(SEED)
    written = 0
    try:
        for first in range(0, families, CHUNK):
            by_writer: dict[str, list[dict[str, Any]]] = {u: [] for u in sessions}
            for number in range(first, min(first + CHUNK, families)):
                for writer, kwargs in _family_records(rng, number + 1, users):
                    by_writer[writer].append(kwargs)
            for writer, items in by_writer.items():  # tm first: families exist before entries
                session = sessions[writer]
                with session.write():
                    made = [session.records.write(**kwargs) for kwargs in items]
                    # Named as a received bundle names its versions, so the audit is complete.
                    session.audit("bench_fixture_chunk", {"first": first, "count": len(items)},
                                  versions=[(v.family_id, v.version_id) for v in made])
                written += len(items)
            say(f"  {min(first + CHUNK, families):,}/{families:,} families, {written:,} versions, "
                f"{time.perf_counter() - start:.0f} s")
        sessions["tm"].conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        for session in sessions.values():
            session.lock()

    save_device_secret(partial, created.vault_id)
    seconds = time.perf_counter() - start
    (partial / "fixture.json").write_text(json.dumps({
        "vault_id": created.vault_id, "recovery_key": created.recovery_key,
        "families": families, "entries": entries, "versions": written,
        "build_seconds": round(seconds, 2),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }, indent=1))
    partial.rename(root)
    say(f"fixture built in {seconds:.1f} s ({written:,} versions)")
