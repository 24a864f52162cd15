#!/usr/bin/env python3
"""WebSocket scenarios run identically on PySide6 and on qtnet (signal-order parity).

    python tests/ws_scenarios.py --impl pyside6|qtnet [SCENARIO ...]

Each scenario starts a QWebSocketServer and a QWebSocket client in this one
process, records every signal both sockets emit (in order, with arguments)
plus a few getters, and prints ``{scenario: log}`` as JSON.  The test
(tests/test_websocket.py) runs the script in the PySide6 peer and with
qtnet and compares the logs; timings are not recorded, so the logs are
deterministic.  Only the imports differ between the two runs.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import socket
import sys
import threading
import time
from typing import Any

SIGNALS = (
    "connected",
    "disconnected",
    "stateChanged",
    "aboutToClose",
    "readChannelFinished",
    "errorOccurred",
    "textMessageReceived",
    "textFrameReceived",
    "binaryMessageReceived",
    "binaryFrameReceived",
    "pong",
)


def value(x: Any) -> Any:
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if isinstance(x, int):
        return int(x)
    if hasattr(x, "value"):
        return int(x.value)
    try:
        return bytes(x).decode("latin-1")
    except TypeError:
        return str(x)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def raw_server(frames: bytes) -> int:
    """A thread that completes one handshake, sends ``frames`` and reads until EOF."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)

    def serve() -> None:
        conn, _ = ls.accept()
        conn.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(4096)
        key = next(
            line.split(b":", 1)[1].strip()
            for line in data.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key")
        )
        acc = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
        conn.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + acc + b"\r\n\r\n" + frames
        )
        try:
            while conn.recv(4096):
                pass
        except OSError:
            pass
        conn.close()
        ls.close()

    threading.Thread(target=serve, daemon=True).start()
    return int(ls.getsockname()[1])


def run(impl: str, scenarios: list[str]) -> dict[str, list[Any]]:
    if impl == "pyside6":
        from PySide6.QtCore import QCoreApplication, QTimer, QUrl
        from PySide6.QtNetwork import QHostAddress
        from PySide6.QtWebSockets import QWebSocket, QWebSocketProtocol, QWebSocketServer
    else:
        from qtnet import (  # type: ignore[no-redef]
            QCoreApplication,
            QHostAddress,
            QTimer,
            QUrl,
            QWebSocket,
            QWebSocketProtocol,
            QWebSocketServer,
        )
    app = QCoreApplication.instance() or QCoreApplication([])
    results: dict[str, list[Any]] = {}
    keep: list[Any] = []

    for scenario in scenarios:
        log: list[Any] = []

        def record(side: str, name: str, args: tuple[Any, ...]) -> None:
            if name == "pong":  # elapsed milliseconds: only its sanity is comparable
                args = (0 <= int(args[0]) < 5000, args[1])
            log.append([side, name, *map(value, args)])

        def hook(ws: Any, side: str) -> None:
            for name in SIGNALS:
                getattr(ws, name).connect(lambda *a, _n=name, _s=side: record(_s, _n, a))

        server = QWebSocketServer("S", QWebSocketServer.SslMode.NonSecureMode)
        server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
        client = QWebSocket()
        keep += [server, client]
        hook(client, "cli")
        holder: dict[str, Any] = {}

        def on_new(
            scenario: str = scenario, server: Any = server, holder: dict[str, Any] = holder
        ) -> None:
            s = server.nextPendingConnection()
            holder["s"] = s
            keep.append(s)
            hook(s, "ss")
            s.textMessageReceived.connect(lambda m, s=s: s.sendTextMessage("echo:" + m))
            s.binaryMessageReceived.connect(lambda m, s=s: s.sendBinaryMessage(m))
            if scenario == "server-close":
                QTimer.singleShot(
                    50, lambda: s.close(QWebSocketProtocol.CloseCode.CloseCodeBadOperation, "srv")
                )
            if scenario == "server-abort":
                QTimer.singleShot(50, s.abort)

        server.newConnection.connect(on_new)

        def on_connected(scenario: str = scenario, client: Any = client) -> None:
            log.append(
                ["cli", "sent", client.sendTextMessage("hi"), client.sendBinaryMessage(b"\x00\xff")]
            )
            if scenario == "client-close":

                def close() -> None:
                    client.close(QWebSocketProtocol.CloseCode.CloseCodeGoingAway, "bye")
                    log.append(
                        [
                            "cli",
                            "after-close",
                            value(client.state()),
                            value(client.closeCode()),
                            client.closeReason(),
                        ]
                    )

                QTimer.singleShot(50, close)
            if scenario == "ping":
                client.ping(b"abc")
                QTimer.singleShot(100, client.close)

        client.connected.connect(on_connected)
        if scenario == "refused":
            url = QUrl(f"ws://127.0.0.1:{closed_port()}/")
        elif scenario == "invalid-url":
            url = QUrl("ws://127.0.0.1:1/a\r\nb")
        elif scenario in RAW_FRAMES:
            url = QUrl(f"ws://127.0.0.1:{raw_server(RAW_FRAMES[scenario])}/")
        else:
            url = QUrl(f"ws://127.0.0.1:{server.serverPort()}/p?x=1")
        client.open(url)
        log.append(
            [
                "cli",
                "after-open",
                value(client.state()),
                client.errorString() != "",
                value(client.error()),
                client.requestUrl().toString() == url.toString(),
            ]
        )
        # Run until both ends are unconnected (then 100 ms more for trailing
        # signals), at most 5 s: no fixed sleep that a loaded machine could cut short.
        poll = QTimer()
        started = time.monotonic()

        def check(client: Any = client, holder: dict[str, Any] = holder, poll: Any = poll) -> None:
            s = holder.get("s")
            idle = value(client.state()) == 0 and (s is None or value(s.state()) == 0)
            if (idle and time.monotonic() - started > 0.1) or time.monotonic() - started > 5:
                poll.stop()
                QTimer.singleShot(100, app.quit)

        poll.timeout.connect(check)
        poll.start(20)
        app.exec()
        log.append(
            [
                "cli",
                "final",
                value(client.state()),
                value(client.closeCode()),
                client.closeReason(),
                value(client.error()),
                client.errorString(),
                client.isValid(),
            ]
        )
        s = holder.get("s")
        if s is not None:
            log.append(
                [
                    "ss",
                    "final",
                    value(s.state()),
                    value(s.closeCode()),
                    s.closeReason(),
                    value(s.error()),
                    s.errorString(),
                    s.origin(),
                    s.requestUrl().path(),
                ]
            )
        server.close()
        results[scenario] = log
    return results


# What a hand-written server sends right after its 101 reply.
RAW_FRAMES = {
    "protocol-error": b"\x83\x00",  # reserved opcode
    "bad-utf8": b"\x81\x02\xff\xfe",
    "empty-close": b"\x88\x00",  # close without a status code
}

ALL = [
    "client-close",
    "server-close",
    "server-abort",
    "ping",
    "refused",
    "invalid-url",
    "protocol-error",
    "bad-utf8",
    "empty-close",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", choices=["pyside6", "qtnet"], required=True)
    parser.add_argument("scenarios", nargs="*", default=ALL)
    args = parser.parse_args()
    print(json.dumps(run(args.impl, args.scenarios or ALL)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
