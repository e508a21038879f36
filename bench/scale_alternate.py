"""The desktop's figures of `make bench-scale` at two sizes of one shape, the sizes taking turns.

`make bench-scale` measures one size, then the other: on a machine whose speed drifts, a
figure of a hundred milliseconds can come out half again as large at one size for no reason of
its own. Here both working copies are prepared as `make bench-scale` prepares them (the
services' figures first, so sw1's board digest is built), then `workbook-gui --self-test` runs
on each in turn, ROUNDS times; the first run of each is its desktop's first sign-in.

    .venv/bin/python bench/scale_alternate.py realistic 7 2000 20000

Prints every run and, per figure, the first runs, the medians of the rest and their ratio.
The sizes' fixtures must be built (`make bench-scale` builds them); about 20 s a self-test at
realistic 20,000, a minute at harsh 20,000."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import bench_gui_shell  # noqa: E402
import scale_bench  # noqa: E402
import scale_fixture  # noqa: E402

FIGURES = ("unlock_to_home_ms", "open_family_ms", "search_keystroke_ms", "peak_rss_mb")


def _prepared(shape: str, families: int) -> tuple[Path, dict[str, str], Path]:
    fx, vault = scale_fixture.prepare(shape, families, f"scale-work-alternate-{families}")
    scale_bench.services(vault)
    config = Path(tempfile.mkdtemp(prefix=f"bench-alternate-{families}-"))
    env = {**os.environ, "WORKBOOK_KEYRING": "file", "XDG_CONFIG_HOME": str(config),
           "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "WORKBOOK_USER": scale_bench.USER,
           "WORKBOOK_PASSPHRASE": scale_fixture.PASSPHRASES[scale_bench.USER]}
    device_secret = (fx.root / "device-secret").read_text().strip()
    subprocess.run([sys.executable, "-c", bench_gui_shell._STORE_SECRET], env=env,
                   check=True, text=True, input=f"{fx.vault_id} {device_secret}")
    return vault, env, config


def main(argv: list[str]) -> int:
    if len(argv) != 4 or not argv[1].isdigit() or not all(a.isdigit() for a in argv[2:]):
        print("usage: scale_alternate.py SHAPE ROUNDS SIZE SIZE", file=sys.stderr)
        return 2
    shape, rounds, sizes = argv[0], int(argv[1]), [int(a) for a in argv[2:]]
    if rounds < 2:
        print("scale_alternate.py: ROUNDS must be 2 or more (a first run and the rest)",
              file=sys.stderr)
        return 2
    prepared = {n: _prepared(shape, n) for n in sizes}
    found: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
    try:
        for turn in range(rounds):
            for n in sizes:
                vault, env, _config = prepared[n]
                figures = bench_gui_shell._self_test(vault, env)
                found[n].append(figures)
                print(f"{shape} {n:,} run {turn + 1}: {figures}", flush=True)
    finally:
        for vault, _env, config in prepared.values():
            shutil.rmtree(vault.parent, ignore_errors=True)
            shutil.rmtree(config, ignore_errors=True)
    small, large = sizes
    for key in FIGURES:
        first = {n: found[n][0][key] for n in sizes}
        rest = {n: statistics.median(run[key] for run in found[n][1:]) for n in sizes}
        spread = {n: (min(run[key] for run in found[n]), max(run[key] for run in found[n]))
                  for n in sizes}
        print(f"{key:20s} first runs {first[small]:g} / {first[large]:g}; medians of the rest "
              f"{rest[small]:g} / {rest[large]:g} ({rest[large] / rest[small]:.2f}x); all "
              f"{spread[small][0]:g}-{spread[small][1]:g} / "
              f"{spread[large][0]:g}-{spread[large][1]:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
