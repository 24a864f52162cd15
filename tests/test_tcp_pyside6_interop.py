"""qtnet against real Qt (PySide6 6.x, run in its own interpreter via tests/peers.py).

* Parity: the scenarios of tcp_parity_scenarios.py run unchanged under PySide6
  and under qtnet; their signal logs and results must be identical.
* Interop: a PySide6 QTcpSocket talks to a qtnet QTcpServer, and a qtnet
  QTcpSocket to a PySide6 QTcpServer: data both ways, graceful close, abort.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from peers import peer_env, pyside6_python, run_pyside6
from qt_helpers import qapp_fixture, wait_until  # noqa: F401
from qtnet import QAbstractSocket, QHostAddress, QTcpServer, QTcpSocket
from tcp_helpers import SignalLog

SCENARIOS = Path(__file__).with_name("tcp_parity_scenarios.py")
SS = QAbstractSocket.SocketState


def _scenario_results(output: str) -> dict[str, Any]:
    return {
        r["name"]: r
        for r in (json.loads(line) for line in output.splitlines() if line.startswith("{"))
    }


@pytest.fixture(scope="module")
def parity() -> tuple[dict[str, Any], dict[str, Any]]:
    qt = run_pyside6(SCENARIOS.read_text(), "pyside6", timeout=180)
    assert qt.returncode == 0, qt.stderr[-4000:]
    ours = subprocess.run(
        [sys.executable, str(SCENARIOS), "qtnet"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert ours.returncode == 0, ours.stderr[-4000:]
    return _scenario_results(qt.stdout), _scenario_results(ours.stdout)


SCENARIO_NAMES = [
    "abort_and_close",
    "bind_and_descriptor",
    "connect_literal",
    "connect_timeout",
    "local_close_with_data",
    "recursive_and_misuse",
    "refused_and_not_found",
    "remote_close",
    "server_errors",
    "stop_while_connecting",
    "waits",
]


@pytest.mark.parametrize("name", SCENARIO_NAMES)
def test_signal_logs_match_pyside6(
    parity: tuple[dict[str, Any], dict[str, Any]], name: str
) -> None:
    qt, ours = parity
    assert name in qt and name in ours
    assert ours[name]["log"] == qt[name]["log"]
    assert ours[name]["values"] == qt[name]["values"]


def _popen_pyside6(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [pyside6_python(), "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=peer_env(),
    )


_PYSIDE_CLIENT = """
    import json, sys
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtNetwork import QTcpSocket
    app = QCoreApplication([])
    port, mode = int(sys.argv[1]), sys.argv[2]
    s = QTcpSocket()
    errors = []
    s.errorOccurred.connect(lambda e: errors.append(e.name))
    s.connectToHost("127.0.0.1", port)
    assert s.waitForConnected(10000)
    replies = []
    def ask(line):
        s.write(line)
        assert s.waitForBytesWritten(10000)
        while not s.canReadLine():
            assert s.waitForReadyRead(10000), s.errorString()
        replies.append(bytes(s.readLine()).decode())
    ask(b"hello from pyside6\\n")
    big = bytes(range(256)) * 2048
    s.write(len(big).to_bytes(4, "big") + big)
    while not s.canReadLine():
        assert s.waitForReadyRead(10000)
    replies.append(bytes(s.readLine()).decode())
    if mode == "graceful":
        s.write(b"bye\\n")
        s.waitForBytesWritten(10000)
        while s.state() != QTcpSocket.SocketState.UnconnectedState:
            if not s.waitForReadyRead(10000):
                break
        replies.append(bytes(s.readAll()).decode())
    else:
        s.write(b"unfinished")
        s.waitForBytesWritten(10000)
        s.abort()
    print(json.dumps({"replies": replies, "errors": errors, "state": s.state().name}))
"""


def _serve_lines(server: QTcpServer, logs: list[SignalLog], received: list[bytes]) -> None:
    """qtnet side: answer each line; a 4-byte length + blob is checked and acknowledged."""

    def on_new() -> None:
        while server.hasPendingConnections():
            peer = server.nextPendingConnection()
            logs.append(SignalLog(peer))
            buf = bytearray()

            def on_ready(p: QTcpSocket = peer, b: bytearray = buf) -> None:
                b.extend(p.readAll())
                while True:
                    if b.startswith(b"hello") or b.startswith(b"bye"):
                        i = b.find(b"\n")
                        if i < 0:
                            return
                        line = bytes(b[: i + 1])
                        del b[: i + 1]
                        received.append(line)
                        p.write(b"qtnet got: " + line)
                        if line == b"bye\n":
                            p.write(b"farewell")
                            p.disconnectFromHost()
                    elif len(b) >= 4 and len(b) >= 4 + int.from_bytes(b[:4], "big"):
                        n = int.from_bytes(b[:4], "big")
                        ok = bytes(b[4 : 4 + n]) == bytes(range(256)) * 2048
                        received.append(b"blob ok" if ok else b"blob corrupt")
                        del b[: 4 + n]
                        p.write(b"blob %d\n" % n)
                    else:
                        if b:
                            received.append(bytes(b))
                        return

            peer.readyRead.connect(on_ready)

    server.newConnection.connect(on_new)


@pytest.mark.parametrize("mode", ["graceful", "abort"])
def test_pyside6_client_qtnet_server(qapp: object, mode: str) -> None:
    server = QTcpServer()
    assert server.listen(QHostAddress.SpecialAddress.LocalHost, 0)
    logs: list[SignalLog] = []
    received: list[bytes] = []
    _serve_lines(server, logs, received)
    proc = _popen_pyside6(_PYSIDE_CLIENT, str(server.serverPort()), mode)
    try:
        assert wait_until(lambda: proc.poll() is not None, 60000)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 0, err[-3000:]
    report = json.loads(out.strip().splitlines()[-1])
    assert report["replies"][:2] == ["qtnet got: hello from pyside6\n", "blob 524288\n"]
    assert wait_until(lambda: bool(logs) and logs[0].sock.state() == SS.UnconnectedState)
    peer_log = logs[0]
    if mode == "graceful":
        assert report["replies"][2] == "qtnet got: bye\nfarewell"
        assert report["errors"] == ["RemoteHostClosedError"]  # our delayed close, seen by Qt
        assert report["state"] == "UnconnectedState"
        assert peer_log.events[-5:] == [
            ("state", "ClosingState"),
            ("bytesWritten", len(b"qtnet got: bye\nfarewell")),
            ("state", "UnconnectedState"),
            ("readChannelFinished",),
            ("disconnected", "UnconnectedState"),
        ]
    else:
        assert b"unfinished" in received  # sent before the abort, kept
        assert peer_log.names()[-5:] == [
            "error",
            "state",
            "state",
            "readChannelFinished",
            "disconnected",
        ]
    assert b"blob ok" in received


_PYSIDE_SERVER = """
    import json, sys
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtNetwork import QHostAddress, QTcpServer
    app = QCoreApplication([])
    expected = int(sys.argv[1])
    server = QTcpServer()
    assert server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
    results, socks = [], []
    def on_new():
        while server.hasPendingConnections():
            s = server.nextPendingConnection()
            rec = {"data": "", "log": []}
            results.append(rec)
            socks.append(s)
            def on_ready(s=s, rec=rec):
                data = bytes(s.readAll())
                rec["data"] += data.decode("latin-1")
                if data.endswith(b"?\\n"):
                    s.write(b"pyside6 says: " + data)
                if data == b"close me\\n":
                    s.write(b"closing")
                    s.disconnectFromHost()
            def done(rec=rec, s=s):
                rec["log"].append("disconnected")
                if sum("disconnected" in r["log"] for r in results) == expected:
                    QTimer.singleShot(0, app.quit)
            s.readyRead.connect(on_ready)
            s.errorOccurred.connect(lambda e, rec=rec: rec["log"].append(e.name))
            s.disconnected.connect(done)
    server.newConnection.connect(on_new)
    print(server.serverPort(), flush=True)
    QTimer.singleShot(60000, app.quit)
    app.exec()
    print(json.dumps(results))
"""


def test_qtnet_client_pyside6_server(qapp: object) -> None:
    proc = _popen_pyside6(_PYSIDE_SERVER, "3")
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        # 1: question and answer, then the server closes (graceful, with data).
        a = QTcpSocket()
        log_a = SignalLog(a)
        a.connectToHost("127.0.0.1", port)
        assert a.waitForConnected(10000)
        a.write(b"who are you?\n")
        assert wait_until(lambda: a.canReadLine(), 10000)
        assert a.readLine() == b"pyside6 says: who are you?\n"
        a.write(b"close me\n")
        assert wait_until(lambda: a.state() == SS.UnconnectedState, 10000)
        assert a.readAll() == b"closing"
        assert log_a.names()[-5:] == [
            "error",
            "state",
            "state",
            "readChannelFinished",
            "disconnected",
        ]
        # 2: we close gracefully with data still buffered (delayed close).
        b = QTcpSocket()
        b.connectToHost("127.0.0.1", port)
        assert b.waitForConnected(10000)
        b.write(b"x" * 300_000)
        b.disconnectFromHost()
        assert b.state() == SS.ClosingState
        assert wait_until(lambda: b.state() == SS.UnconnectedState, 20000)
        # 3: we abort after the data went out.
        c = QTcpSocket()
        c.connectToHost("127.0.0.1", port)
        assert c.waitForConnected(10000)
        c.write(b"then abort")
        assert c.waitForBytesWritten(10000)
        c.abort()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 0, err[-3000:]
    results = json.loads(out.strip().splitlines()[-1])
    assert len(results) == 3
    assert results[0]["data"] == "who are you?\nclose me\n"
    assert results[0]["log"] == ["disconnected"]  # Qt closed it itself: no error
    assert results[1]["data"] == "x" * 300_000
    assert results[1]["log"] == ["RemoteHostClosedError", "disconnected"]
    assert results[2]["data"] == "then abort"
    assert results[2]["log"] == ["RemoteHostClosedError", "disconnected"]
