"""`make bench`: run every bench/bench_*.py (each module's `run() -> list[Row]`) and print one
combined table (figure, value, target, floor, ratio) and the total time."""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import common  # noqa: E402


def main(argv: list[str]) -> int:
    """Run the named benchmark modules (e.g. `bench_core`), or all of them."""
    start = time.perf_counter()
    load_before = os.getloadavg()[0]
    names = argv or sorted(p.stem for p in BENCH_DIR.glob("bench_*.py"))
    rows: list[common.Row] = []
    failed: list[str] = []
    for name in names:
        common.say(f"== {name}")
        began = time.perf_counter()
        try:
            module = importlib.import_module(name)
            found = module.run()
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            import traceback

            traceback.print_exc()
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        rows.extend(found)
        common.say(f"== {name}: {len(found)} figures in {time.perf_counter() - began:.1f} s")
    total = time.perf_counter() - start
    print()
    common.print_table(rows, f"Workbook benchmarks ({', '.join(names)})")
    print(f"\ntotal time {total:.1f} s on {os.cpu_count()} CPUs; load average (1 min) "
          f"{load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end: figures taken "
          "on a busy machine run slow")
    for line in failed:
        print(f"FAILED {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
