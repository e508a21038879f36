"""The fixtures of `make bench-scale` (issue 19): a team's vault after ten years.

Two shapes, each built once into bench/.cache/ like `common.fixture()`'s:

- "harsh": `common`'s own builder at any size (every worker on every family, all open);
- "realistic": a real vault's shape. Of N families only OPEN_FAMILIES (400) are open; the rest
  were closed over the ten years before (through the real `retention.close`, so each has its
  signed retention row and a closing version). Twelve social workers (sw1..sw12) are each case
  owner of 20 to 30 open families and own their plan actions; the team manager `tm` owns the
  open families left over and supervises them all; pc1, psy1 and da1 write their agencies'
  sections as in the harsh shape. Closed families keep their entries (dated in the years
  before their closing) and their actions, done.

Building 20,000 families took 50 minutes on the (busy) 2-core machine, so the folder name
carries a hash of only the sources that decide a vault's bytes (crypto, the record codec,
signatures, section keys, roles and policy), not the query code nor the migrations (an old
vault is migrated when opened, as a real one is) that performance work changes;
`prepare()` still signs in and opens a family before trusting a cached copy, and rebuilds
one that does not open.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import common
from common import CACHE, CHEAP_KDF, INITIAL, MEMBERS, OWNER, SEED, StepClock, say

SHAPES = ("realistic", "harsh")
OPEN_FAMILIES = 400
WORKERS = tuple(f"sw{n}" for n in range(1, 13))
PER_WORKER = (20, 30)
YEARS = 10
FIXTURE_FORMAT = "1"
FAMILY_TYPES = ("early-help", "child-in-need", "child-protection", "looked-after")

# Social workers beyond the shared fixture's sw1, with passphrases of their own.
EXTRA_WORKERS = tuple(
    (f"sw{n}", f"Worker Number {n}", "social-worker", f"amber willow cobalt river {n:02d} tide")
    for n in range(2, 13))
PASSPHRASES = {**common.PASSPHRASES, **{w[0]: w[3] for w in EXTRA_WORKERS}}

STABLE_SOURCES = (
    "crypto/*.py", "domain/policy.py", "domain/roles.py",
    "services/authority/record_codec.py", "services/authority/signatures.py",
    "services/authority/section_keys.py", "resources/policy.toml",
)


@dataclass(frozen=True)
class ScaleFixture:
    shape: str
    root: Path
    vault_dir: Path
    vault_id: str
    families: int
    open_families: int
    versions: int
    build_seconds: float
    reused: bool


def stable_hash(shape: str) -> str:
    digest = hashlib.sha256(f"{shape}:{FIXTURE_FORMAT}:{common.FIXTURE_FORMAT}".encode())
    src = common.REPO / "src" / "workbook"
    for path in sorted({p for pattern in STABLE_SOURCES for p in src.glob(pattern)}):
        digest.update(str(path.relative_to(src)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def fixture(shape: str, families: int) -> ScaleFixture:
    """The cached fixture of `shape` ("harsh" or "realistic") at `families`, built if missing;
    its device secret goes into the in-memory keyring. One process at a time: a second one
    asking while the first builds waits for it (it used to clear the half-built one and start
    again)."""
    from workbook.vault.files import exclusive_lock

    if shape not in SHAPES:  # an unknown one was built as "realistic" under its own name
        raise ValueError(f"no vault shape {shape!r}: the shapes are {', '.join(SHAPES)}")
    common.install_memory_keyring()
    CACHE.mkdir(exist_ok=True)
    prefix = f"scale-{shape}-{families}x{common.ENTRIES}-"
    with exclusive_lock(CACHE / f"{prefix[:-1]}.lock"):  # not under prefix*: cleared below
        return _fixture(shape, families, prefix)


def _fixture(shape: str, families: int, prefix: str) -> ScaleFixture:
    root = CACHE / (prefix + stable_hash(shape))
    if not root.exists():
        # One built by other sources is kept too (it takes many minutes to build); prepare()
        # rebuilds it only if it no longer opens.
        built = sorted(p for p in CACHE.glob(prefix + "*")
                       if not p.name.endswith(".partial") and (p / "fixture.json").exists())
        root = built[-1] if built else root
    info_path = root / "fixture.json"
    reused = info_path.exists() and os.environ.get("BENCH_REBUILD") != "1"
    if not reused:
        root = CACHE / (prefix + stable_hash(shape))
        info_path = root / "fixture.json"
        for old in CACHE.glob(prefix + "*"):
            shutil.rmtree(old)
        if shape == "harsh":
            common._build(root, families, common.ENTRIES)
            info = json.loads(info_path.read_text())
            info["open_families"] = families
            info_path.write_text(json.dumps(info, indent=1))
        else:
            _build_realistic(root, families)
    info = json.loads(info_path.read_text())
    common._install_device_secret(root, info["vault_id"])
    return ScaleFixture(shape, root, root / "vault", info["vault_id"], info["families"],
                        info["open_families"], info["versions"], info["build_seconds"], reused)


def prepare(shape: str, families: int, name: str) -> tuple[ScaleFixture, Path]:
    """The fixture and a fresh working copy that opens with this code (rebuilt once if not)."""
    fx = fixture(shape, families)
    work = _copy(fx.vault_dir, name)
    if fx.reused and not common._opens(work):
        os.environ["BENCH_REBUILD"] = "1"
        try:
            fx = fixture(shape, families)
        finally:
            del os.environ["BENCH_REBUILD"]
        work = _copy(fx.vault_dir, name)
    return fx, work


def _copy(vault: Path, name: str) -> Path:
    dest = CACHE / name / "vault"
    if dest.parent.exists():
        shutil.rmtree(dest.parent)
    dest.parent.mkdir(parents=True)
    shutil.copytree(vault, dest)
    if hasattr(os, "sync"):
        # The copy's gigabytes written back while a figure is timed made every fsync of the
        # bigger vault slower: adding an action then reading the board, 1.26x in one run,
        # was 0.97x with the copies synced first (session 15).
        os.sync()
    return dest


# --- the realistic shape ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Plan:
    """Who owns family `number` and whether (and when) it was closed."""

    owner: str
    closed_at: datetime | None
    family_type: str


def _plans(rng: random.Random, families: int, start: datetime) -> list[_Plan]:
    open_numbers = set(rng.sample(range(families), min(OPEN_FAMILIES, families)))
    ordered = sorted(open_numbers)
    rng.shuffle(ordered)
    owners: dict[int, str] = {}
    for worker in WORKERS:
        for _ in range(rng.randint(*PER_WORKER)):
            if ordered:
                owners[ordered.pop()] = worker
    span = (YEARS * 365 - 30) * 86400
    plans = []
    for number in range(families):
        if number in open_numbers:
            plans.append(_Plan(owners.get(number, "tm"), None, rng.choice(FAMILY_TYPES)))
        else:
            closed = start + timedelta(seconds=span * number / families + rng.randrange(3600))
            plans.append(_Plan(rng.choice(WORKERS), closed, rng.choice(FAMILY_TYPES)))
    return plans


def _records(rng: random.Random, number: int, plan: _Plan, users: dict[str, str],
             today: datetime) -> list[tuple[str, dict[str, Any]]]:
    """The harsh shape's records of one family, re-owned and re-dated to `plan`."""
    out = []
    until = (plan.closed_at or today).date()
    for writer, kwargs in common._family_records(rng, number + 1, users):
        payload = dict(kwargs["payload"])
        if kwargs["kind"] == "family":
            payload["case_owner"] = users[plan.owner]
        elif kwargs["kind"] == "action":
            payload["owner"] = users[plan.owner if rng.random() < 0.8 else "tm"]
            payload["due"] = (until - timedelta(days=rng.randrange(-60, 365))).isoformat()
            if plan.closed_at is not None:
                payload["status"] = "done"
        elif "date" in payload:
            payload["date"] = (until - timedelta(days=rng.randrange(730))).isoformat()
        who = plan.owner if writer == "sw1" and plan.owner in WORKERS else writer
        out.append((who, {**kwargs, "payload": payload}))
    return out


def _onboard(vault: Path, clock: StepClock, recovery_key: str) -> None:
    from workbook.services.access.sign_in import sign_in

    owner = sign_in(vault, OWNER[0], OWNER[3], clock=clock)
    try:
        for username, full_name, role, own in MEMBERS + EXTRA_WORKERS:
            owner.accounts.add(username, full_name, role, INITIAL)
            with sign_in(vault, username, INITIAL, clock=clock) as newcomer:
                newcomer.accounts.change_passphrase(INITIAL, own)
                fingerprint = newcomer.grants.fingerprint()
            owner.grants.approve(username, fingerprint=fingerprint, recovery_text=recovery_key)
    finally:
        owner.lock()


def _build_realistic(root: Path, families: int) -> None:
    from workbook.services.access.sign_in import sign_in
    from workbook.services.access.vault_setup import create_vault

    say(f"building the realistic fixture ({families:,} families, {OPEN_FAMILIES} open) "
        f"in {root} ...")
    began = time.perf_counter()
    partial = root.with_name(root.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    vault = partial / "vault"
    start = datetime(2016, 1, 4, 9, tzinfo=UTC)
    today = start + timedelta(days=YEARS * 365)
    clock = StepClock(start - timedelta(days=30))
    created = create_vault(vault, team="Bench County", owner_username=OWNER[0],
                           owner_name=OWNER[1], passphrase=OWNER[3], owner_role=OWNER[2],
                           kdf=CHEAP_KDF, clock=clock)
    _onboard(vault, clock, created.recovery_key)
    sessions = {u: sign_in(vault, u, PASSPHRASES[u], clock=clock) for u in PASSPHRASES}
    users = {u: s.user_id for u, s in sessions.items()}
    rng = random.Random(SEED + 19)
    plans = _plans(rng, families, start)
    written = 0
    try:
        for first in range(0, families, common.CHUNK):
            numbers = range(first, min(first + common.CHUNK, families))
            written += _write_chunk(sessions, users, rng, plans, numbers, today, clock)
            say(f"  {numbers[-1] + 1:,}/{families:,} families, {written:,} versions, "
                f"{time.perf_counter() - began:.0f} s")
        sessions["tm"].conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        for session in sessions.values():
            session.lock()
    common.save_device_secret(partial, created.vault_id)
    seconds = time.perf_counter() - began
    (partial / "fixture.json").write_text(json.dumps({
        "vault_id": created.vault_id, "recovery_key": created.recovery_key,
        "families": families, "open_families": min(OPEN_FAMILIES, families),
        "entries": common.ENTRIES, "versions": written, "build_seconds": round(seconds, 2),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }, indent=1))
    partial.rename(root)
    say(f"realistic fixture built in {seconds:.1f} s ({written:,} versions)")


def _write_chunk(sessions: dict[str, Any], users: dict[str, str], rng: random.Random,
                 plans: list[_Plan], numbers: range, today: datetime,
                 clock: StepClock) -> int:
    """One transaction per writer for the chunk's families, then the closings (by tm, each at
    its own time, so `closed_at` spreads over the ten years)."""
    by_writer: dict[str, list[dict[str, Any]]] = {u: [] for u in sessions}
    family_ids = []
    for number in numbers:
        for writer, kwargs in _records(rng, number, plans[number], users, today):
            by_writer[writer].append(kwargs)
            if kwargs["kind"] == "family":
                family_ids.append(kwargs["family_id"])
    clock.now = max(clock.now, (plans[numbers[0]].closed_at or today) - timedelta(days=400))
    written = 0
    for writer, items in by_writer.items():
        if not items:
            continue
        session = sessions[writer]
        with session.write():
            made = [session.records.write(**kwargs) for kwargs in items]
            session.audit("bench_fixture_chunk", {"first": numbers[0], "count": len(items)},
                          versions=[(v.family_id, v.version_id) for v in made])
        written += len(items)
    tm = sessions["tm"]
    with tm.write():
        for number, family_id in zip(numbers, family_ids, strict=True):
            plan = plans[number]
            if plan.closed_at is not None:
                clock.now = max(clock.now, plan.closed_at)
                tm.retention.close(family_id, plan.family_type)
                written += 1
    if clock.now < today and numbers[-1] + 1 == len(plans):
        clock.now = today
    return written
