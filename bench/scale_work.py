"""The work of `make bench-scale`'s once-a-size figures, counted rather than timed (issue 19:
on the harsh shape "nothing grows faster than linearly").

A first sign-in's figures are measured once a size (there is one first sign-in per copy),
and on the 2-core machine one figure moves by a third between runs: a harsh ratio of 12x
could be noise or could be work. Here each of them runs once under cProfile on a fresh copy of
the fixture, and the table gives the Python function calls it made at each size (which do
not depend on the machine's speed) beside the profiled time. A call count that grows by the
size's ratio is work that grows linearly; the functions whose calls grew faster than the
vault are listed by name. The profiled time's ratio shows what the same work costs in a
vault ten times the size (SQLCipher's pages among ten times as many, a larger heap).

    BENCH_SCALE_SHAPES=harsh .venv/bin/python bench/scale_work.py

Sizes and shapes as `scale_bench` (BENCH_SCALE_SIZES, BENCH_SCALE_SHAPES); the fixtures are
`scale_fixture`'s, built once into bench/.cache. Profiling doubles the time: the harsh shape
took about 10 minutes in session 16 (593 s), most of it the 20,000-family first digest
(190-226 s profiled); the realistic shape about 70 s.
"""

from __future__ import annotations

import cProfile
import pstats
import re
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import common  # noqa: E402
import scale_bench  # noqa: E402
import scale_fixture  # noqa: E402

# (key, figure): the order of the table.
FIGURES = (
    ("my_families_first", "list my families (before sw1's first digest)"),
    ("digest_rebuild", "first sign-in: sw1's board digest"),
    ("board", "board after sign-in (team manager)"),
    ("my_families", "list my families (home, after sign-in)"),
    ("newcomer_home", "a newcomer's first home, the closings attested"),
)
FASTER_BY = 1.05  # calls grown by more than this times the size's ratio are listed


class Counted:
    """One figure's profile: its calls per function, and the profiled time."""

    def __init__(self, fn: Callable[[], object]) -> None:
        profile = cProfile.Profile()
        began = time.perf_counter()
        profile.runcall(fn)
        self.ms = (time.perf_counter() - began) * 1000
        stats: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
        self.calls: dict[str, int] = {}
        for (path, line, name), (_primitive, calls, *_rest) in stats.items():
            key = f"{_short(path)}:{line} {_no_address(name)}"
            self.calls[key] = self.calls.get(key, 0) + calls
        self.total = sum(self.calls.values())


def _short(path: str) -> str:
    return path.split("/src/", 1)[-1]


def _no_address(name: str) -> str:
    """A built-in's name carries its type's address, which differs between processes."""
    return re.sub(r" at 0x[0-9a-f]+", "", name)


def _counted(fn: Callable[[], object]) -> Counted:
    counted = Counted(fn)
    common.say(f"  {counted.total:,} calls, {counted.ms:,.0f} ms profiled")
    return counted


def count(shape: str, n: int) -> dict[str, Counted]:
    """Each figure's profile on a fresh copy, in `make bench-scale`'s order."""
    from workbook.services.access.sign_in import sign_in
    from workbook.services.home.overview import overview
    from workbook.services.supervision.board import board

    words = scale_fixture.PASSPHRASES
    user, manager, now = scale_bench.USER, scale_bench.MANAGER, scale_bench.NOW
    fx, vault = scale_fixture.prepare(shape, n, f"scale-count-{shape}-{n}")
    out: dict[str, Counted] = {}
    try:
        with sign_in(vault, user, words[user]) as session:  # the fixture's fresh reading
            overview(session)
        with sign_in(vault, user, words[user]) as session:  # as scale_bench's median
            out["my_families_first"] = _counted(lambda: overview(session))
        with sign_in(vault, user, words[user]) as session:
            out["digest_rebuild"] = _counted(lambda: board(session, now))
        with sign_in(vault, manager, words[manager]) as session:
            board(session, now)  # its digest, built once
        with sign_in(vault, manager, words[manager]) as session:
            out["board"] = _counted(lambda: board(session, now))
        with sign_in(vault, user, words[user]) as session:
            out["my_families"] = _counted(lambda: overview(session))
        scale_bench.before_attested(fx, vault)
        out["newcomer_home"] = scale_bench.newcomer(fx, vault, "sw92", _counted)
    finally:
        shutil.rmtree(vault.parent, ignore_errors=True)
    return out


def table(shape: str, sizes: list[int], found: dict[int, dict[str, Counted]]) -> str:
    """figure | calls at each size | their ratio | the profiled time's ratio; then the
    functions whose calls grew faster than the vault."""
    low, high = sizes[0], sizes[-1]
    grew = high / low
    lines = [["figure"] + [f"calls at {n:,}" for n in sizes]
             + [f"calls ratio ({grew:g}x)", "profiled time ratio"]]
    faster: list[str] = []
    for key, figure in FIGURES:
        first, last = found[low][key], found[high][key]
        lines.append([figure] + [f"{found[n][key].total:,}" for n in sizes]
                     + [f"{last.total / first.total:.2f}x", f"{last.ms / first.ms:.2f}x"])
        for name, calls in sorted(last.calls.items()):
            before = first.calls.get(name, 0)
            if calls > 100 and calls > before * grew * FASTER_BY:
                faster.append(f"  {figure}: {name} {before:,} -> {calls:,}")
    out = scale_bench.aligned(f"Work, {shape} shape", lines)
    out.append(f"Functions whose calls grew by more than {grew * FASTER_BY:g}x:")
    out.extend(faster or ["  none"])
    return "\n".join(out)


def main() -> int:
    sizes, shapes = scale_bench.chosen()
    began = time.perf_counter()
    for shape in shapes:
        found = {}
        for n in sizes:
            common.say(f"== {shape} shape, {n:,} families, profiled")
            found[n] = count(shape, n)
        print(table(shape, sizes, found) + "\n", flush=True)
    print(f"total time {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
