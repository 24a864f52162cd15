"""mypy checks signal connections and emissions against the signal's declaration.

``Signal(int, str)`` is typed (qt/signals.py, qt/signal_typing.py) so that
``connect`` accepts a slot taking the signal's arguments or any prefix of them
and ``emit`` takes exactly those arguments.  The snippets below use the real
qtnet classes; every line marked ``# E: <code>`` must get a mypy error with
that code, and no other line may get one (so the good connects and emits are
checked as much as the bad ones).  One mypy run covers every snippet.
"""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

HEADER = """\
from __future__ import annotations

from typing import Any

from qtnet import (
    QAbstractSocket, QByteArray, QObject, Qt, QTcpServer, QTcpSocket, QUdpSocket,
    QWebSocket, Signal,
)


def no_args() -> None: ...
def on_int(n: int) -> None: ...
def on_str(s: str) -> None: ...
def on_bytes(b: bytes) -> None: ...
def on_object(o: object) -> None: ...
def on_error(e: QAbstractSocket.SocketError) -> None: ...
def on_state(s: QAbstractSocket.SocketState) -> None: ...
def two_ints(a: int, b: int) -> int: return a + b
def any_args(*args: Any) -> None: ...
def int_then_rest(n: int, *rest: Any) -> None: ...
def keyword_only(*, n: int) -> None: ...
"""

SNIPPETS = {
    "tcp_socket": """
sock = QTcpSocket()
sock.readyRead.connect(no_args)
sock.readyRead.connect(lambda: None)
sock.readyRead.connect(lambda s=sock: print(s.bytesAvailable()))
sock.readyRead.connect(sock.deleteLater)
sock.readyRead.connect(any_args)
sock.readyRead.connect(no_args, Qt.ConnectionType.QueuedConnection)
sock.readyRead.connect(no_args, type=Qt.UniqueConnection | Qt.DirectConnection)
conn = sock.readyRead.connect(no_args)
sock.readyRead.disconnect(conn)
ok: bool = sock.readyRead.emit()
sock.readyRead.connect(on_int)  # E: arg-type
sock.readyRead.connect(keyword_only)  # E: arg-type
sock.readyRead.connect(no_args, type="queued")  # E: arg-type
sock.readyRead.emit(1)  # E: call-arg
sock.bytesWritten.connect(on_int)
sock.bytesWritten.connect(no_args)
sock.bytesWritten.connect(lambda n: print(n + 1))
sock.bytesWritten.connect(on_object)
sock.bytesWritten[int].connect(on_int)
sock.bytesWritten.emit(512)
sock.bytesWritten.connect(on_str)  # E: call-overload
sock.bytesWritten[int].connect(on_str)  # E: call-overload
sock.bytesWritten.connect(two_ints)  # E: call-overload
sock.bytesWritten.emit("512")  # E: arg-type
sock.stateChanged.connect(on_state)
sock.stateChanged.connect(on_int)
sock.stateChanged.emit(QAbstractSocket.SocketState.ConnectedState)
sock.stateChanged.connect(on_error)  # E: call-overload
sock.stateChanged.emit(3)  # E: arg-type
""",
    "socket_error": """
sock = QTcpSocket()
sock.errorOccurred.connect(on_error)
sock.errorOccurred.connect(on_int)
sock.errorOccurred.connect(no_args)
sock.errorOccurred.connect(any_args)
sock.errorOccurred.connect(int_then_rest)
sock.errorOccurred.connect(lambda err, s=sock: print(err, s.errorString()))
sock.errorOccurred.connect(sock.readyRead)
sock.errorOccurred.emit(QAbstractSocket.SocketError.HostNotFoundError)
sock.errorOccurred.emit(QAbstractSocket.HostNotFoundError)
sock.errorOccurred.connect(on_str)  # E: call-overload
sock.errorOccurred.connect(two_ints)  # E: call-overload
sock.errorOccurred.emit("HostNotFoundError")  # E: arg-type
sock.errorOccurred.emit()  # E: call-arg
sock.readyRead.connect(sock.errorOccurred)  # E: arg-type
""",
    "udp": """
udp = QUdpSocket()
udp.readyRead.connect(no_args)
udp.readyRead.connect(lambda: print(udp.pendingDatagramSize()))
udp.errorOccurred.connect(on_error)
udp.readyRead.connect(on_int)  # E: arg-type
udp.errorOccurred.connect(on_str)  # E: call-overload
""",
    "websocket": """
def on_binary(message: QByteArray) -> None: ...
def on_pong(elapsed: int, payload: QByteArray) -> None: ...
ws = QWebSocket()
ws.textMessageReceived.connect(on_str)
ws.textMessageReceived.connect(lambda text: print(text.upper()))
ws.textMessageReceived.connect(ws.sendTextMessage)
ws.textMessageReceived.emit("hello")
ws.binaryMessageReceived.connect(on_binary)
ws.pong.connect(on_pong)
ws.pong.connect(on_int)
ws.pong.connect(no_args)
ws.pong.emit(3, QByteArray(b"x"))
ws.errorOccurred.connect(on_error)
ws.textMessageReceived.connect(on_int)  # E: call-overload
ws.textMessageReceived.emit(b"hello")  # E: arg-type
ws.binaryMessageReceived.connect(on_bytes)  # E: call-overload
ws.pong.connect(on_str)  # E: call-overload
ws.pong.emit(3)  # E: call-arg
""",
    "tcp_server": """
server = QTcpServer()
server.newConnection.connect(no_args)
server.newConnection.connect(lambda: print(server.nextPendingConnection()))
server.acceptError.connect(on_error)
server.newConnection.emit()
server.newConnection.connect(on_int)  # E: arg-type
server.acceptError.connect(on_str)  # E: call-overload
""",
    "user_class": """
class Counter(QObject):
    valueChanged = Signal(int)
    renamed = Signal(int, name="valueChangedTo")
    pair = Signal(int, str)
    anything = Signal(object)
    untyped = Signal("QVariant")

    def setValue(self, value: int) -> None:
        self.valueChanged.emit(value)

    def wrong(self, value: str) -> None: ...

c = Counter()
c.valueChanged.connect(c.setValue)
c.valueChanged.connect(c.deleteLater)
c.valueChanged.emit(3)
c.valueChanged.emit(QAbstractSocket.SocketError.HostNotFoundError)
c.renamed.connect(on_int)
c.pair.connect(lambda n, s: print(n + 1, s.upper()))
c.pair.connect(on_int)
c.pair.connect(c.valueChanged)
c.pair.emit(1, "a")
c.anything.connect(on_object)
c.anything.emit(c)
c.untyped.connect(on_str)
c.untyped.emit(1, 2, 3)
Counter.valueChanged.signature()
c.valueChanged.connect(c.wrong)  # E: call-overload
c.valueChanged.emit("3")  # E: arg-type
c.pair.connect(two_ints)  # E: call-overload
c.pair.emit(1)  # E: call-arg
c.pair.emit("a", 1)  # E: arg-type
c.anything.connect(on_str)  # E: call-overload
""",
}

_MARK = re.compile(r"#\s*E:\s*([a-z-]+)\s*$")
_ERROR = re.compile(r"^(?P<file>[^:]+\.py):(?P<line>\d+): error: (?P<msg>.*)\[(?P<code>[a-z-]+)\]$")


def _mypy_requirement() -> str:
    """The mypy line of pyproject.toml's ``dev`` extra (the one ``make lint`` uses)."""
    text = (REPO / "pyproject.toml").read_text()
    block = re.search(r"^dev = \[\n(.*?)^\]", text, re.MULTILINE | re.DOTALL)
    assert block is not None, "no dev extra in pyproject.toml"
    found = re.search(r'"(mypy[^"]*)"', block.group(1))
    assert found is not None, "no mypy in the dev extra"
    return found.group(1)


def _ensure_mypy() -> None:
    """Install mypy into this interpreter if it is missing (``make test``
    installs only the test extra); under a lock, as test runs share the venv."""
    probe = [sys.executable, "-c", "import mypy.api"]
    if subprocess.run(probe, capture_output=True, timeout=120, check=False).returncode == 0:
        return
    with open(Path(sys.prefix) / ".qtnet-mypy-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if subprocess.run(probe, capture_output=True, timeout=120, check=False).returncode:
            proc = subprocess.run(
                [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                 _mypy_requirement()],
                capture_output=True, text=True, timeout=600, check=False,
            )
            assert proc.returncode == 0, f"installing mypy failed:\n{proc.stderr}"


@pytest.fixture(scope="module")
def mypy_errors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[int, list[str]]]:
    """snippet name -> line -> the error codes mypy reported there."""
    _ensure_mypy()
    root = tmp_path_factory.mktemp("signal_typing")
    files = []
    for name, body in SNIPPETS.items():
        path = root / f"snippet_{name}.py"
        path.write_text(HEADER + textwrap.dedent(body))
        files.append(str(path))
    env = dict(os.environ)
    env["MYPYPATH"] = str(REPO / "src")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--show-error-codes",
         "--no-pretty", "--cache-dir", str(root / ".mypy_cache"), *files],
        capture_output=True, text=True, timeout=600, cwd=root, env=env, check=False,
    )
    # 0: no error at all (impossible: every snippet has bad lines), 1: errors, 2: crash.
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found: dict[str, dict[int, list[str]]] = {name: {} for name in SNIPPETS}
    for line in proc.stdout.splitlines():
        m = _ERROR.match(line.strip())
        if m is None:
            continue  # notes (the overload variants) belong to the error above them
        name = Path(m["file"]).stem.removeprefix("snippet_")
        assert name in found, line
        found[name].setdefault(int(m["line"]), []).append(m["code"])
    return found


def _expected(name: str) -> dict[int, str]:
    lines = (HEADER + textwrap.dedent(SNIPPETS[name])).splitlines()
    return {i: m[1] for i, text in enumerate(lines, 1) if (m := _MARK.search(text))}


def test_every_snippet_has_good_and_bad_lines() -> None:
    for name, body in SNIPPETS.items():
        code_lines = [ln for ln in body.splitlines() if ln.strip()]
        assert _expected(name), name
        assert len(code_lines) > len(_expected(name)), name


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", list(SNIPPETS))
def test_mypy_flags_exactly_the_bad_lines(
    name: str, mypy_errors: dict[str, dict[int, list[str]]]
) -> None:
    lines = (HEADER + textwrap.dedent(SNIPPETS[name])).splitlines()
    expected = _expected(name)
    got = mypy_errors[name]
    unexpected = {f"{n}: {lines[n - 1].strip()} -> {codes}" for n, codes in got.items()
                  if n not in expected}
    missing = {f"{n}: {lines[n - 1].strip()}" for n in expected if n not in got}
    assert not unexpected, f"mypy rejected good lines: {sorted(unexpected)}"
    assert not missing, f"mypy accepted bad lines: {sorted(missing)}"
    wrong_code = {f"{n}: {lines[n - 1].strip()} -> {got[n]}" for n, code in expected.items()
                  if code not in got[n]}
    assert not wrong_code, f"unexpected error codes: {sorted(wrong_code)}"
