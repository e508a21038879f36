"""Two real Syncthing instances on loopback, replicating one folder between two directories,
for the replicas' round trip through a real engine (issue 18). Nothing leaves 127.0.0.1:
global discovery, relays, NAT traversal, local announcements, usage reports and upgrades are
off; each instance knows the other's device id and address; the REST API (with a generated
API key) is used to ask for a scan and to see when the other side is complete.

    with SyncthingPair.start(tmp_path) as pair:
        pair.folders[0], pair.folders[1]      # the two ends of the one shared folder
        pair.carry(0, 1)                        # scan side 0, wait until side 1 has its files
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

FOLDER_ID = "workbook-team"
BINARY = "syncthing"
TIMEOUT_S = 30.0


def available() -> bool:
    return shutil.which(BINARY) is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Instance:
    home: Path
    folder: Path
    device_id: str
    gui_port: int
    listen_port: int
    api_key: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen[bytes] | None = None

    def rest(self, path: str, method: str = "GET") -> object:
        request = urllib.request.Request(f"http://127.0.0.1:{self.gui_port}{path}",
                                         method=method, headers={"X-API-Key": self.api_key})
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (loopback)
            body = answer.read()
        return json.loads(body) if body.strip() else None

    def config(self, peer: Instance) -> str:
        """The whole config.xml: Syncthing fills in every default left out."""
        def device(who: Instance, name: str) -> str:
            return (f'<device id="{who.device_id}" name="{name}" compression="metadata">'
                    f"<address>tcp://127.0.0.1:{who.listen_port}</address></device>")
        return f"""<configuration version="36">
  <folder id="{FOLDER_ID}" label="team" path="{self.folder}" type="sendreceive"
          rescanIntervalS="3600" fsWatcherEnabled="false">
    <device id="{self.device_id}"></device><device id="{peer.device_id}"></device>
  </folder>
  {device(self, "self")}{device(peer, "peer")}
  <gui enabled="true" tls="false"><address>127.0.0.1:{self.gui_port}</address>
    <apikey>{self.api_key}</apikey></gui>
  <options>
    <listenAddress>tcp://127.0.0.1:{self.listen_port}</listenAddress>
    <globalAnnounceEnabled>false</globalAnnounceEnabled>
    <localAnnounceEnabled>false</localAnnounceEnabled>
    <relaysEnabled>false</relaysEnabled><natEnabled>false</natEnabled>
    <startBrowser>false</startBrowser><urAccepted>-1</urAccepted>
    <autoUpgradeIntervalH>0</autoUpgradeIntervalH><crashReportingEnabled>false</crashReportingEnabled>
    <reconnectionIntervalS>1</reconnectionIntervalS>
  </options>
</configuration>
"""


def _generate(home: Path, folder: Path) -> Instance:
    subprocess.run([BINARY, "generate", f"--home={home}", "--no-default-folder",
                    "--skip-port-probing"], check=True, capture_output=True, timeout=30)
    device_id = ElementTree.parse(home / "config.xml").getroot().find("device")
    assert device_id is not None
    folder.mkdir(parents=True)
    return Instance(home, folder, device_id.attrib["id"], free_port(), free_port())


@dataclass
class SyncthingPair:
    instances: list[Instance]

    @property
    def folders(self) -> list[Path]:
        return [i.folder for i in self.instances]

    @classmethod
    @contextmanager
    def start(cls, root: Path) -> Iterator[SyncthingPair]:
        pair = cls([_generate(root / f"st{n}", root / f"share{n}") for n in (1, 2)])
        first, second = pair.instances
        (first.home / "config.xml").write_text(first.config(second), encoding="utf-8")
        (second.home / "config.xml").write_text(second.config(first), encoding="utf-8")
        try:
            for inst in pair.instances:
                inst.process = subprocess.Popen(
                    [BINARY, "serve", f"--home={inst.home}", "--no-browser", "--no-restart",
                     "--no-upgrade", f"--logfile={inst.home / 'log.txt'}"],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
            pair._wait_connected()
            yield pair
        finally:
            for inst in pair.instances:
                if inst.process is not None:
                    inst.process.terminate()
                    try:
                        inst.process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        inst.process.kill()
                        inst.process.wait()

    def _wait_connected(self) -> None:
        first, second = self.instances

        def connected() -> bool:
            try:
                conns = first.rest("/rest/system/connections")
            except OSError:
                return False
            assert isinstance(conns, dict)
            return bool(conns["connections"].get(second.device_id, {}).get("connected"))
        _until(connected, "the two Syncthing instances never connected on loopback")

    def carry(self, source: int, target: int) -> None:
        """Ask the engine on `source` to scan now, then wait until every file now under
        `source` is at `target` (names compared, dot files aside: Syncthing's own marker and
        partial files). A file is renamed into place whole, so its name means it is all there."""
        src, dst = self.instances[source], self.instances[target]
        src.rest(f"/rest/db/scan?folder={FOLDER_ID}", method="POST")

        def names(root: Path) -> set[str]:
            return {p.relative_to(root).as_posix() for p in root.rglob("*")
                    if p.is_file() and not any(part.startswith(".") for part in
                                                p.relative_to(root).parts)}
        _until(lambda: names(src.folder) <= names(dst.folder),
               f"Syncthing did not carry side {source}'s files to side {target}")


def _until(check: object, message: str, timeout: float = TIMEOUT_S) -> None:
    assert callable(check)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(message)
