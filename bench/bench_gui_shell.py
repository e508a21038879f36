"""The desktop shell on the shared fixture (2,000 families, 20,000 persons): issue 3's targets.

Runs the real `workbook-gui --self-test --vault V` in a fresh process, offscreen, signed in as
the fixture's social worker, so the figures include Python and Qt start-up exactly as a person
would meet them:

- start to sign-in window (target under 1.0 s);
- unlock to home, after the key derivation (under 0.5 s);
- a search keystroke, from key press to results painted, the slowest of three (under 50 ms);
- peak resident memory (under 300 MB);
- opening one of the fixture's families (about 60 versions) to first paint, for reference (the
  150 ms target for a 5,000-entry family is measured by bench_gui_family).

The first run is a person's first sign-in on a fresh copy of the vault: every signature is
checked once (about 0.15 ms each) and remembered as a verification receipt in the vault, so
later sign-ins skip it. Its unlock-to-home and family figures are reported on their own rows;
the targets are judged on the median of the runs after it, as a person meets them every day.
The memory figure is the largest of all runs, the first included.

The device secret reaches the child process through a file keyring in a temporary
configuration folder (`WORKBOOK_KEYRING=file`), written from this process over a pipe, never
in argv. Run alone: `.venv/bin/python bench/bench_gui_shell.py`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import common  # noqa: E402

RUNS = 3  # after the first sign-in
USER = "sw1"

_STORE_SECRET = """
import base64, sys
from workbook.vault.device_secret import store_device_secret
vault_id, secret = sys.stdin.read().split()
store_device_secret(vault_id, base64.b64decode(secret))
"""


def device(root: Path, vault_id: str, config: Path, user: str,
           passphrase: str) -> dict[str, str]:
    """A desktop's environment as its own device: a settings folder of its own, the file
    keyring in it holding the fixture's device secret (piped, never in argv), signing in as
    `user`."""
    env = {**os.environ, "WORKBOOK_KEYRING": "file", "XDG_CONFIG_HOME": str(config),
           "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "WORKBOOK_USER": user, "WORKBOOK_PASSPHRASE": passphrase}
    device_secret = (root / "device-secret").read_text().strip()
    subprocess.run([sys.executable, "-c", _STORE_SECRET], env=env, check=True, text=True,
                   input=f"{vault_id} {device_secret}")
    return env


def _persons(vault: Path) -> int:
    from workbook.services.access.sign_in import sign_in

    with sign_in(vault, USER, common.PASSPHRASES[USER]) as session:
        row = session.conn.execute(
            "SELECT COUNT(DISTINCT record_id) FROM versions WHERE kind = 'person'").fetchone()
        return int(row[0])


def _self_test(vault: Path, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "workbook.ui.app", "--self-test", "--vault", str(vault)],
        env=env, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"self-test exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return {k: float(v) for k, v in json.loads(done.stdout).items()}


def run() -> list[common.Row]:
    fx, vault = common.prepare("shell")
    persons = _persons(vault)
    common.say(f"fixture: {fx.families:,} families, {persons:,} persons")
    with tempfile.TemporaryDirectory(prefix="bench-gui-shell-") as folder:
        env = device(fx.root, fx.vault_id, Path(folder) / "config", USER,
                     common.PASSPHRASES[USER])
        samples: dict[str, common.Timing] = {}
        first = _self_test(vault, env)
        rss = first.pop("peak_rss_mb")
        for _ in range(RUNS):
            figures = _self_test(vault, env)
            rss = max(rss, figures.pop("peak_rss_mb"))
            for key, value in figures.items():
                samples.setdefault(key, common.Timing()).samples.append(value / 1000)

    def row(key: str, figure: str, target: float | None) -> common.Row:
        timing = samples[key]
        return common.Row(figure, timing.median_ms, target=target, note=timing.spread())

    where = f"{fx.families:,} families, {persons:,} persons"
    return [
        row("start_to_sign_in_ms", f"shell: start to sign-in window ({where})", 1000.0),
        row("unlock_to_home_ms", "shell: unlock to home after the KDF", 500.0),
        row("search_keystroke_ms", "shell: search keystroke to results painted", 50.0),
        row("open_family_ms", "shell: open a 60-version family to first paint", None),
        common.Row("shell: first sign-in: unlock to home (every signature checked)",
                   first["unlock_to_home_ms"], note="one run, for reference"),
        common.Row("shell: first sign-in: open a family", first["open_family_ms"],
                   note="one run, for reference"),
        common.Row("shell: peak memory", rss, unit="MB", target=300.0,
                   note=f"largest of {RUNS + 1} runs"),
    ]


if __name__ == "__main__":
    common.print_table(run(), "Desktop shell")
