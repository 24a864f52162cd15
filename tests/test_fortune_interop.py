"""Fortune interop with real Qt (PySide6 6.12 in its peer venv), both framings, both directions.

* PySide6 fortune clients — the Qt >= 5.7 transaction style and the PySide6
  example's quint16 block-size style — read fortunes from ``qtnet fortune-server``
  and see Qt's end-of-connection order (readyRead, RemoteHostClosedError,
  disconnected).
* ``qtnet fortune-client`` / ``blocking-fortune-client`` read fortunes from a
  PySide6 fortune server in each framing (explicit and auto-detected).
* Bytes: what ``qtnet fortune-server`` sends for every fortune equals what
  PySide6's QDataStream writes for it, per framing and stream version.
* qtnet's example programs themselves run on PySide6 with only the imports
  swapped (tests/pyside6_shim.py) and talk to the qtnet programs.

PySide6 runs only in subprocesses (never in this process).
"""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from peers import peer_env, pyside6_json, pyside6_python
from qtnet.examples.fortunes import FORTUNES, encode_fortune

QTNET = [sys.executable, "-m", "qtnet.cli.main"]
SHIM = str(Path(__file__).resolve().parent / "pyside6_shim.py")
ANNOUNCE = re.compile(r"The server is running on IP: \S+ port: (\d+)")

pytestmark = pytest.mark.timeout(300)

# A PySide6 fortune client: argv host port framing count.  "qt5" reads with a
# QDataStream transaction (Qt >= 5.7 C++ example); "legacy" is the PySide6
# example (quint16 block size, bytesAvailable checks, a stream per readyRead).
PEER_CLIENT = r"""
import json, sys
from PySide6.QtCore import QCoreApplication, QDataStream, QTimer
from PySide6.QtNetwork import QTcpSocket

host, port, framing, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
app = QCoreApplication([])
sock = QTcpSocket()
transaction = QDataStream()
transaction.setDevice(sock)
transaction.setVersion(QDataStream.Qt_4_0)
st = {"block": 0, "current": "", "conn": 0, "repeats": 0}
fortunes, events, problems = [], [], []

def request():
    st["block"] = 0
    sock.abort()  # may emit the previous connection's disconnected
    st["conn"] += 1
    events.append([st["conn"], "request"])
    sock.connectToHost(host, port)

def read_transaction():
    transaction.startTransaction()
    text = transaction.readQString()
    return text if transaction.commitTransaction() else None

def read_legacy():
    stream = QDataStream(sock)
    stream.setVersion(QDataStream.Qt_4_0)
    if st["block"] == 0:
        if sock.bytesAvailable() < 2:
            return None
        st["block"] = stream.readUInt16()
    if sock.bytesAvailable() < st["block"]:
        return None
    return stream.readString()

def ready_read():
    events.append([st["conn"], "readyRead"])
    text = read_legacy() if framing == "legacy" else read_transaction()
    if text is None:
        return
    if text == st["current"]:
        st["repeats"] += 1
        QTimer.singleShot(0, request)
        return
    st["current"] = text
    fortunes.append(text)
    if len(fortunes) < count:
        QTimer.singleShot(0, request)

def error(e):
    events.append([st["conn"], "error:" + e.name])

def disconnected():
    events.append([st["conn"], "disconnected"])
    if len(fortunes) >= count:
        app.quit()

sock.connected.connect(lambda: events.append([st["conn"], "connected"]))
sock.readyRead.connect(ready_read)
sock.errorOccurred.connect(error)
sock.disconnected.connect(disconnected)
QTimer.singleShot(20000, lambda: (problems.append("timeout"), app.quit()))
request()
app.exec()
print(json.dumps({"fortunes": fortunes, "events": events, "problems": problems,
                  "repeats": st["repeats"]}))
"""

# A PySide6 fortune server (the PySide6 example's recipe): argv framing.
PEER_SERVER = r"""
import json, random, sys
from PySide6.QtCore import QByteArray, QCoreApplication, QDataStream, QIODevice
from PySide6.QtNetwork import QHostAddress, QTcpServer

FORTUNES = json.loads(sys.argv[2])
legacy = sys.argv[1] == "legacy"
app = QCoreApplication([])
server = QTcpServer()

def send_fortune():
    block = QByteArray()
    out = QDataStream(block, QIODevice.WriteOnly)
    out.setVersion(QDataStream.Qt_4_0 if legacy else QDataStream.Qt_5_10)
    if legacy:
        out.writeUInt16(0)
    out.writeString(random.choice(FORTUNES))
    if legacy:
        out.device().seek(0)
        out.writeUInt16(block.size() - 2)
    conn = server.nextPendingConnection()
    conn.disconnected.connect(conn.deleteLater)
    conn.write(block)
    conn.disconnectFromHost()

server.newConnection.connect(send_fortune)
if not server.listen(QHostAddress.LocalHost, 0):
    sys.exit("listen failed: " + server.errorString())
print("PORT", server.serverPort(), flush=True)
sys.exit(app.exec())
"""

# PySide6's QDataStream bytes for [text, framing, version] items on stdin.
PEER_ENCODE = r"""
import json, sys
from PySide6.QtCore import QByteArray, QDataStream, QIODevice
out = []
for text, framing, version in json.load(sys.stdin):
    block = QByteArray()
    stream = QDataStream(block, QIODevice.WriteOnly)
    stream.setVersion(version)
    if framing == "legacy":
        stream.writeUInt16(0)
    stream.writeQString(text)
    if framing == "legacy":
        stream.device().seek(0)
        stream.writeUInt16(block.size() - 2)
    out.append(bytes(block.data()).hex())
print(json.dumps(out))
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)
    return env


class Process:
    """A server subprocess; ``port`` from its announcement (or ``PORT n``) line."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        assert self.proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            ready = sel.select(60)
        line = self.proc.stdout.readline() if ready else ""
        m = ANNOUNCE.match(line) or re.match(r"PORT (\d+)", line)
        if not m:
            self.kill()
            pytest.fail(f"no port line from {argv}: {line!r} {self.proc.stderr.read()[-3000:]}")
        self.port = int(m.group(1))

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str, str]:
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, out, err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=10)


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for p in started:
        p.kill()


def qtnet_server(processes: list[Process], *args: str, command: str = "fortune-server") -> Process:
    p = Process([*QTNET, command, "--host", "127.0.0.1", "--log-interval", "0", *args], _env())
    processes.append(p)
    return p


def pyside6_server(
    processes: list[Process], framing: str, fortunes: tuple[str, ...] = FORTUNES
) -> Process:
    p = Process(
        [pyside6_python(), "-c", PEER_SERVER, framing, json.dumps(list(fortunes))], peer_env()
    )
    processes.append(p)
    return p


def fetch(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        chunks = []
        while chunk := s.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks)


def run_peer(script: str, *args: str) -> dict[str, object]:
    proc = subprocess.run(
        [pyside6_python(), "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=peer_env(),
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.splitlines()[-1])  # type: ignore[no-any-return]


# -- PySide6 clients, qtnet server -----------------------------------------------------------------
@pytest.mark.parametrize("framing", ["qt5", "legacy"])
def test_pyside6_client_reads_from_qtnet_server(processes: list[Process], framing: str) -> None:
    server = qtnet_server(processes, "--framing", framing)
    result = run_peer(PEER_CLIENT, "127.0.0.1", str(server.port), framing, "5")
    assert result["problems"] == []
    fortunes = result["fortunes"]
    assert isinstance(fortunes, list) and len(fortunes) == 5 and set(fortunes) <= set(FORTUNES)
    # The last connection ran to its end: Qt saw the data, then the graceful close.
    events = result["events"]
    assert isinstance(events, list)
    last = [name for conn, name in events if conn == events[-1][0]]
    assert last[:2] == ["request", "connected"] and "readyRead" in last
    assert last[-2:] == ["error:RemoteHostClosedError", "disconnected"], last
    code, out, err = server.stop()
    assert code == 0, err
    served = int(out.splitlines()[-1].split()[1])
    assert served == 5 + int(result["repeats"])  # type: ignore[call-overload]


# -- qtnet clients, PySide6 server -----------------------------------------------------------------
@pytest.mark.parametrize("client", ["fortune-client", "blocking-fortune-client"])
@pytest.mark.parametrize(
    ("server_framing", "client_framing"),
    [("qt5", "qt5"), ("legacy", "legacy"), ("qt5", "auto"), ("legacy", "auto")],
)
def test_qtnet_client_reads_from_pyside6_server(
    processes: list[Process], client: str, server_framing: str, client_framing: str
) -> None:
    server = pyside6_server(processes, server_framing)
    res = subprocess.run(
        [
            *QTNET,
            client,
            "127.0.0.1",
            str(server.port),
            "--count",
            "4",
            "--framing",
            client_framing,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == 4 and set(lines) <= set(FORTUNES)
    assert all(a != b for a, b in zip(lines, lines[1:], strict=False))


def test_qtnet_client_reads_unicode_from_pyside6(processes: list[Process]) -> None:
    fortunes = ("Ünïcode fortune 🐍", "日本語のフォーチュン")
    for framing in ("qt5", "legacy"):
        server = pyside6_server(processes, framing, fortunes)
        res = subprocess.run(
            [*QTNET, "fortune-client", "127.0.0.1", str(server.port), "--count", "2"],
            capture_output=True,
            text=True,
            timeout=60,
            env=_env(),
        )
        assert res.returncode == 0, res.stderr
        assert set(res.stdout.splitlines()) == set(fortunes)


# -- bytes -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["fortune-server", "threaded-fortune-server"])
def test_qtnet_server_bytes_equal_pyside6_datastream(
    processes: list[Process], command: str, tmp_path: Path
) -> None:
    custom = ("Ünïcode fortune 🐍", "", "x" * 300)
    fortunes_file = tmp_path / "fortunes.txt"
    fortunes_file.write_text("\n".join(custom) + "\n", encoding="utf-8")
    cases: list[tuple[str, str, tuple[str, ...], list[str]]] = []
    for framing in ("qt5", "legacy"):
        for version in ("Qt_4_0", "Qt_5_10", "Qt_6_7"):
            cases.append((framing, version, FORTUNES, []))
        cases.append(
            (framing, "Qt_6_12", tuple(f for f in custom if f), ["--fortunes", str(fortunes_file)])
        )

    received: dict[tuple[str, str, str], bytes] = {}
    for framing, version, fortunes, extra in cases:
        server = qtnet_server(
            processes, "--framing", framing, "--stream-version", version, *extra, command=command
        )
        by_text: dict[str, bytes] = {}
        for _ in range(400):  # random choice: bounded until every fortune came once
            data = fetch(server.port)
            n = 2 if framing == "legacy" else 0
            by_text[data[n + 4 :].decode("utf-16-be")] = data
            if len(by_text) == len(fortunes):
                break
        assert set(by_text) == set(fortunes)
        for text, data in by_text.items():
            received[(text, framing, version)] = data
        assert server.stop()[0] == 0

    from qtnet.cli._stream_versions import STREAM_VERSIONS

    keys = sorted(received)
    items = [[text, framing, STREAM_VERSIONS[version]] for text, framing, version in keys]
    expected = pyside6_json(PEER_ENCODE, items)
    assert len(expected) == len(keys)
    for key, hex_bytes in zip(keys, expected, strict=True):
        assert received[key] == bytes.fromhex(hex_bytes), key
        assert received[key] == encode_fortune(key[0], key[1])


# -- qtnet's examples on PySide6 (imports swapped) -------------------------------------------------
def shim_process(processes: list[Process], module: str, *args: str) -> Process:
    p = Process(
        [
            pyside6_python(),
            SHIM,
            "-m",
            f"qtnet.examples.{module}",
            "--host",
            "127.0.0.1",
            "--log-interval",
            "0",
            *args,
        ],
        peer_env(),
    )
    processes.append(p)
    return p


@pytest.mark.parametrize("module", ["fortune_server", "threaded_fortune_server"])
@pytest.mark.parametrize("framing", ["qt5", "legacy"])
def test_qtnet_server_examples_run_on_pyside6(
    processes: list[Process], module: str, framing: str
) -> None:
    server = shim_process(processes, module, "--framing", framing)
    expected = {encode_fortune(f, framing) for f in FORTUNES}
    for _ in range(5):
        assert fetch(server.port) in expected
    res = subprocess.run(
        [*QTNET, "fortune-client", "127.0.0.1", str(server.port), "--count", "3"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert res.returncode == 0, res.stderr
    code, out, err = server.stop()
    assert code == 0, err
    assert re.fullmatch(r"Served \d+ fortunes", out.splitlines()[-1])
    assert int(out.split()[-2]) >= 8


@pytest.mark.parametrize("module", ["fortune_client", "blocking_fortune_client"])
@pytest.mark.parametrize("framing", ["qt5", "legacy"])
def test_qtnet_client_examples_run_on_pyside6(
    processes: list[Process], module: str, framing: str
) -> None:
    server = qtnet_server(processes, "--framing", framing)
    for client_framing in (framing, "auto"):
        res = subprocess.run(
            [
                pyside6_python(),
                SHIM,
                "-m",
                f"qtnet.examples.{module}",
                "127.0.0.1",
                str(server.port),
                "--count",
                "3",
                "--framing",
                client_framing,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env=peer_env(),
        )
        assert res.returncode == 0, res.stderr
        lines = res.stdout.splitlines()
        assert len(lines) == 3 and set(lines) <= set(FORTUNES)
        assert all(a != b for a, b in zip(lines, lines[1:], strict=False))
    res = subprocess.run(
        [pyside6_python(), SHIM, "-m", f"qtnet.examples.{module}", "127.0.0.1", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        env=peer_env(),
    )
    assert res.returncode == 1 and "was refused (Connection refused)" in res.stderr


def test_loopback_example_runs_on_pyside6() -> None:
    res = subprocess.run(
        [pyside6_python(), SHIM, "-m", "qtnet.examples.loopback", "--mb", "8"],
        capture_output=True,
        text=True,
        timeout=120,
        env=peer_env(),
    )
    assert res.returncode == 0, res.stderr
    assert "Received all 8388608 bytes intact" in res.stdout
