"""qtnet's WebSockets against real Qt (PySide6 6.12 in the peer subprocess), both directions.

* PySide6's QWebSocket client against a qtnet QWebSocketServer;
* qtnet's QWebSocket client against a PySide6 QWebSocketServer.

Each side exchanges text (with non-ASCII), binary, a 300 kB message, a ping
whose pong must carry the payload back, and both closing directions with a
code and a reason that the other side must report.  The pytest process runs
the qtnet end on its own loop while the peer runs.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
from typing import Any

from peers import peer_env, pyside6_python
from qt_helpers import qapp_fixture, wait_until  # noqa: F401
from qtnet import QHostAddress, QUrl, QWebSocket, QWebSocketProtocol, QWebSocketServer
from ws_helpers import WsLog

CloseCode = QWebSocketProtocol.CloseCode
BINARY = bytes(range(256)) * 4
BIG = "0123456789abcdef" * 20000  # 320 kB: several TCP reads, one frame

PYSIDE6_CLIENT = r"""
import json, sys
from PySide6.QtCore import QCoreApplication, QTimer, QUrl
from PySide6.QtWebSockets import QWebSocket, QWebSocketProtocol
app = QCoreApplication([])
base = sys.argv[1]
BINARY = bytes(range(256)) * 4
BIG = "0123456789abcdef" * 20000
out = {"texts": [], "binaries": [], "pongs": []}
first, second = QWebSocket(), QWebSocket()
def on_text(m):
    out["texts"].append(m if len(m) < 100 else ["big", len(m), m == BIG])
    if len(out["texts"]) == 2 and out["binaries"] and out["pongs"]:
        first.close(QWebSocketProtocol.CloseCode.CloseCodeBadOperation, "done by pyside6")
def on_binary(m):
    out["binaries"].append(bytes(m) == BINARY)
def on_pong(elapsed, payload):
    out["pongs"].append(bytes(payload).decode())
def on_connected():
    out["subprotocol"] = first.subprotocol()
    first.sendTextMessage("hello from pyside6 \u2713")
    first.sendBinaryMessage(BINARY)
    first.ping(b"pp")
    first.sendTextMessage(BIG)
first.textMessageReceived.connect(on_text)
first.binaryMessageReceived.connect(on_binary)
first.pong.connect(on_pong)
first.connected.connect(on_connected)
def first_done():
    out["first_close"] = [first.closeCode().value, first.closeReason()]
    second.open(QUrl(base + "/close-me"))
first.disconnected.connect(first_done)
second.connected.connect(lambda: second.sendTextMessage("close me"))
def second_done():
    out["second_close"] = [second.closeCode().value, second.closeReason()]
    app.quit()
second.disconnected.connect(second_done)
from PySide6.QtWebSockets import QWebSocketHandshakeOptions
opts = QWebSocketHandshakeOptions(); opts.setSubprotocols(["unknown", "chat"])
first.open(QUrl(base + "/first?x=1"), opts)
QTimer.singleShot(20000, app.quit)
app.exec()
print(json.dumps(out))
"""

PYSIDE6_SERVER = r"""
import json, sys
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtNetwork import QHostAddress
from PySide6.QtWebSockets import QWebSocketServer, QWebSocketProtocol
app = QCoreApplication([])
server = QWebSocketServer("PySide6 Server", QWebSocketServer.SslMode.NonSecureMode)
server.setSupportedSubprotocols(["chat"])
report = {"closes": [], "paths": [], "subprotocols": []}
sockets = []
def on_new():
    ws = server.nextPendingConnection()
    sockets.append(ws)
    report["paths"].append(ws.requestUrl().path())
    report["subprotocols"].append(ws.subprotocol())
    def on_text(m, ws=ws):
        if m == "close-me":
            ws.close(QWebSocketProtocol.CloseCode.CloseCodeDatatypeNotSupported, "pyside6 says bye")
        else:
            ws.sendTextMessage(m)
    ws.textMessageReceived.connect(on_text)
    ws.binaryMessageReceived.connect(ws.sendBinaryMessage)
    def gone(ws=ws):
        report["closes"].append([ws.closeCode().value, ws.closeReason()])
        if len(report["closes"]) == 2:
            QTimer.singleShot(50, app.quit)
    ws.disconnected.connect(gone)
server.newConnection.connect(on_new)
server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
print("PORT", server.serverPort(), flush=True)
QTimer.singleShot(20000, app.quit)
app.exec()
print(json.dumps(report), flush=True)
"""


def start_peer(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [pyside6_python(), "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=peer_env(),
    )


def finish_peer(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """Spin qtnet's loop until the peer exits; its (stdout, stderr)."""
    done = wait_until(lambda: proc.poll() is not None, 30000)
    if not done:
        proc.kill()
    out, err = proc.communicate(timeout=10)
    assert done and proc.returncode == 0, f"PySide6 peer failed ({proc.returncode}):\n{err[-3000:]}"
    return out, err


def read_port(proc: subprocess.Popen[str]) -> int:
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buf = b""

    def ready() -> bool:
        nonlocal buf
        if select.select([fd], [], [], 0)[0]:
            buf += os.read(fd, 4096)
        return b"\n" in buf or proc.poll() is not None

    assert wait_until(ready, 60000), "the PySide6 server did not start"
    line = buf.decode().splitlines()[0] if buf else ""
    assert line.startswith("PORT "), (
        f"unexpected peer output {buf!r}: {proc.stderr.read() if proc.stderr else ''}"
    )
    return int(line.split()[1])


def test_pyside6_client_against_qtnet_server(qapp: object) -> None:
    pyside6_python()  # install (or fail with the reason) before timing anything
    server = QWebSocketServer("qtnet", QWebSocketServer.NonSecureMode)
    server.setSupportedSubprotocols(["chat"])
    seen: dict[str, Any] = {"paths": [], "closes": [], "texts": []}

    def on_new() -> None:
        ws = server.nextPendingConnection()
        seen["paths"].append(ws.requestUrl().path())
        seen.setdefault("subprotocols", []).append(ws.subprotocol())

        def on_text(m: str, ws: QWebSocket = ws) -> None:
            seen["texts"].append(m if len(m) < 100 else len(m))
            if m == "close me":
                ws.close(CloseCode.CloseCodePolicyViolated, "policy from qtnet")
            else:
                ws.sendTextMessage(m)

        ws.textMessageReceived.connect(on_text)
        ws.binaryMessageReceived.connect(ws.sendBinaryMessage)
        ws.disconnected.connect(
            lambda ws=ws: seen["closes"].append([int(ws.closeCode()), ws.closeReason()])
        )

    server.newConnection.connect(on_new)
    assert server.listen(QHostAddress("127.0.0.1"), 0)
    proc = start_peer(PYSIDE6_CLIENT, f"ws://127.0.0.1:{server.serverPort()}")
    out, _err = finish_peer(proc)
    report = json.loads(out)
    assert report["texts"] == ["hello from pyside6 \u2713", ["big", len(BIG), True]]
    assert report["binaries"] == [True]
    assert report["pongs"] == ["pp"]
    assert report["subprotocol"] == "chat"
    assert report["first_close"] == [1011, "done by pyside6"]
    assert report["second_close"] == [1008, "policy from qtnet"]
    assert seen["paths"] == ["/first", "/close-me"]
    assert seen["subprotocols"] == ["chat", ""]
    assert seen["texts"] == ["hello from pyside6 \u2713", len(BIG), "close me"]
    assert wait_until(lambda: len(seen["closes"]) == 2)
    assert seen["closes"] == [[1011, "done by pyside6"], [1008, "policy from qtnet"]]


def test_qtnet_client_against_pyside6_server(qapp: object) -> None:
    proc = start_peer(PYSIDE6_SERVER)
    try:
        port = read_port(proc)
        first = QWebSocket()
        log = WsLog(first)
        from qtnet import QWebSocketHandshakeOptions

        opts = QWebSocketHandshakeOptions()
        opts.setSubprotocols(["nope", "chat"])
        first.open(QUrl(f"ws://127.0.0.1:{port}/one"), opts)
        assert wait_until(first.isValid, 10000)
        assert first.subprotocol() == "chat"
        first.sendTextMessage("hello from qtnet \u00e9")
        first.sendBinaryMessage(BINARY)
        first.ping(b"qtnet-ping")
        first.sendTextMessage(BIG)
        assert wait_until(lambda: len(log.of("textMessageReceived")) == 2 and log.of("pong"), 10000)
        texts = log.of("textMessageReceived")
        assert texts[0] == ["hello from qtnet \u00e9"] and texts[1] == [BIG]
        assert [bytes(b[0], "latin-1") for b in log.of("binaryMessageReceived")] == [BINARY]
        assert log.of("pong")[0][1] == "qtnet-ping"
        first.close(CloseCode.CloseCodeBadOperation, "done by qtnet")
        assert wait_until(lambda: "disconnected" in log.names(), 10000)
        second = QWebSocket()
        log2 = WsLog(second)
        second.open(QUrl(f"ws://127.0.0.1:{port}/two"))
        assert wait_until(second.isValid, 10000)
        second.sendTextMessage("close-me")
        assert wait_until(lambda: "disconnected" in log2.names(), 10000)
        assert second.closeCode() == CloseCode.CloseCodeDatatypeNotSupported
        assert second.closeReason() == "pyside6 says bye"
        out, _err = finish_peer(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    report = json.loads(out.splitlines()[-1])
    assert report["paths"] == ["/one", "/two"]
    assert report["subprotocols"] == ["chat", ""]
    assert report["closes"] == [[1011, "done by qtnet"], [1003, "pyside6 says bye"]]
