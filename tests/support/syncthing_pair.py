"""Two real Syncthing instances on loopback, replicating one folder between two directories,
for the replicas' round trip through a real engine (issue 18). Nothing leaves 127.0.0.1:
global discovery, relays, NAT traversal, local announcements, usage reports and upgrades are
off; each instance knows the other's device id and address; the REST API (with a generated
API key) is used to ask for a scan and to see when the other side is complete.

Syncthing waits longer and longer between its first dials to a device it could not reach, so
two instances started together on a busy machine can both miss each other's first dial and
then wait a long while. The second side is therefore started first and left
until its listener is up; the first side's own first dial then finds it. An instance that
exits is reported at once, with the end of its log, and a failed start-up is tried once more
on fresh ports.

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

FOLDER_ID = "workbook-team"
BINARY = "syncthing"
TIMEOUT_S = 30.0
ENGINE_WAIT_S = 90.0  # past the first minute's redials, and a puller's retry a minute on
LOG_TAIL_LINES = 25


def available() -> bool:
    return shutil.which(BINARY) is not None


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports: each probe is held open until all are chosen, so the
    system cannot hand the same port out twice."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


@dataclass
class Instance:
    home: Path
    folder: Path
    device_id: str
    gui_port: int
    listen_port: int
    api_key: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.home / "log.txt"

    def launch(self) -> None:
        self.process = subprocess.Popen(
            [BINARY, "serve", f"--home={self.home}", "--no-browser", "--no-restart",
             "--no-upgrade", f"--logfile={self.log}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def exited(self) -> str | None:
        """Why this instance is no longer running (its exit code and the end of its log),
        or None while it runs."""
        if self.process is None or self.process.poll() is None:
            return None
        code = self.process.returncode
        return f"syncthing in {self.home.name} exited with {code}\n{self.tail()}"

    def tail(self) -> str:
        try:
            lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return f"(no log at {self.log})"
        return "\n".join(f"  {self.home.name}: {line}" for line in lines[-LOG_TAIL_LINES:])

    def listening(self) -> bool:
        """Whether the REST API answers and the TCP listener on `listen_port` is up."""
        try:
            status = self.rest("/rest/system/status")
        except OSError:
            return False
        assert isinstance(status, dict)
        listener = status.get("connectionServiceStatus", {}).get(
            f"tcp://127.0.0.1:{self.listen_port}")
        return isinstance(listener, dict) and listener.get("error") is None

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


def _generate(home: Path, folder: Path, gui_port: int, listen_port: int) -> Instance:
    subprocess.run([BINARY, "generate", f"--home={home}", "--no-default-folder",
                    "--skip-port-probing"], check=True, capture_output=True, timeout=30)
    device_id = ElementTree.parse(home / "config.xml").getroot().find("device")
    assert device_id is not None
    folder.mkdir(parents=True)
    return Instance(home, folder, device_id.attrib["id"], gui_port, listen_port)


@dataclass
class SyncthingPair:
    instances: list[Instance]

    @property
    def folders(self) -> list[Path]:
        return [i.folder for i in self.instances]

    @classmethod
    @contextmanager
    def start(cls, root: Path) -> Iterator[SyncthingPair]:
        """Two connected instances; a start-up that fails (a port taken by another program
        between its probe and Syncthing's bind makes Syncthing exit) is tried once more on
        fresh ports before the failure, with both attempts' reasons, is raised."""
        pair = cls._launched(root)
        if isinstance(pair, str):
            second_try = cls._launched(root / "second-try")
            if isinstance(second_try, str):
                raise AssertionError(f"{second_try}\n(the first attempt: {pair})")
            pair = second_try
        try:
            yield pair
        finally:
            pair.stop()

    @classmethod
    def _launched(cls, root: Path) -> SyncthingPair | str:
        """A pair started and connected, or why not (both instances then stopped)."""
        ports = free_ports(4)
        pair = cls([_generate(root / f"st{n}", root / f"share{n}", *ports[2 * n - 2:2 * n])
                    for n in (1, 2)])
        first, second = pair.instances
        (first.home / "config.xml").write_bytes(first.config(second).encode("utf-8"))
        (second.home / "config.xml").write_bytes(second.config(first).encode("utf-8"))
        try:
            second.launch()
            pair._until_running(second.listening,
                                "the second Syncthing instance's listener never came up")
            first.launch()
            pair._until_running(pair._connected,
                                "the two Syncthing instances never connected on loopback",
                                ENGINE_WAIT_S)
        except AssertionError as failed:
            pair.stop()
            return str(failed)
        except BaseException:
            pair.stop()
            raise
        return pair

    def stop(self) -> None:
        for inst in self.instances:
            inst.stop()

    def _connected(self) -> bool:
        first, second = self.instances
        try:
            conns = first.rest("/rest/system/connections")
        except OSError:
            return False
        assert isinstance(conns, dict)
        return bool(conns["connections"].get(second.device_id, {}).get("connected"))

    def _until_running(self, check: Callable[[], bool], message: str,
                       timeout: float = TIMEOUT_S) -> None:
        """`_until`, failing at once if an instance exits, and with both logs' ends if the
        wait runs out: the only record of why two engines did not meet."""
        def checked() -> bool:
            for inst in self.instances:
                if (why := inst.exited()) is not None:
                    raise AssertionError(f"{message}: {why}")
            return check()
        _until(checked, message, timeout,
               detail=lambda: "\n".join(i.tail() for i in self.instances))

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
        self._until_running(lambda: names(src.folder) <= names(dst.folder),
                            f"Syncthing did not carry side {source}'s files to side {target}",
                            ENGINE_WAIT_S)


def _until(check: Callable[[], bool], message: str, timeout: float = TIMEOUT_S,
           detail: Callable[[], str] = str) -> None:
    """Poll `check` until it holds, or fail with `message` and `detail()` when time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("\n".join(part for part in (message, detail()) if part))
