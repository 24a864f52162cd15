"""Helpers shared by the WebSocket tests (test_websocket*.py, test_ws_*.py).

* :class:`RawPeer` is a plain non-blocking socket on loopback, driven while
  the qtnet loop spins (``wait_until``), for sending hand-made handshakes
  and frames and reading exactly what qtnet answered;
* :func:`handshake_request` builds a client handshake with any header changed;
* :class:`WsLog` records a QWebSocket's signals in emission order, in the
  same form as the PySide6 scenario scripts, so logs can be compared;
* :func:`echo_server` starts a QWebSocketServer on 127.0.0.1 that echoes.
"""

from __future__ import annotations

import base64
import os
import socket
import struct
from typing import Any

from qt_helpers import wait_until
from qtnet import QHostAddress, QWebSocket, QWebSocketServer

KEY = base64.b64encode(b"0123456789abcdef").decode()


def handshake_request(
    port: int,
    path: str = "/",
    *,
    drop: tuple[str, ...] = (),
    replace: dict[str, str] | None = None,
    extra: tuple[str, ...] = (),
    method: str = "GET",
) -> bytes:
    """A client handshake for 127.0.0.1:port; ``drop`` removes headers by name,
    ``replace`` changes values, ``extra`` adds raw header lines."""
    headers = {
        "Host": f"127.0.0.1:{port}",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": KEY,
        "Sec-WebSocket-Version": "13",
    }
    headers.update(replace or {})
    lines = [f"{method} {path} HTTP/1.1"]
    lines += [f"{k}: {v}" for k, v in headers.items() if k not in drop]
    lines += list(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def client_frame(opcode: int, payload: bytes, fin: bool = True, mask: bool = True) -> bytes:
    """One frame as a client sends it (masked by default)."""
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        head = bytes((b0, (0x80 if mask else 0) | n))
    elif n < 65536:
        head = bytes((b0, (0x80 if mask else 0) | 126)) + struct.pack("!H", n)
    else:
        head = bytes((b0, (0x80 if mask else 0) | 127)) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return head + key + masked


def parse_server_frames(data: bytes) -> list[tuple[int, bytes]]:
    """(opcode|fin, payload) of each unmasked frame in ``data`` (complete frames only)."""
    out = []
    pos = 0
    while len(data) - pos >= 2:
        b0, b1 = data[pos], data[pos + 1]
        n = b1 & 0x7F
        pos += 2
        if n == 126:
            (n,) = struct.unpack_from("!H", data, pos)
            pos += 2
        elif n == 127:
            (n,) = struct.unpack_from("!Q", data, pos)
            pos += 8
        out.append((b0, data[pos : pos + n]))
        pos += n
    return out


class RawPeer:
    """A raw TCP client on loopback whose reads never block the qtnet loop."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect((host, port))
        self.sock.setblocking(False)
        self.data = b""
        self.closed = False

    def send(self, data: bytes) -> None:
        self.sock.setblocking(True)
        self.sock.sendall(data)
        self.sock.setblocking(False)

    def poll(self) -> bool:
        """Read what is there; True once the peer closed (EOF or reset)."""
        while not self.closed:
            try:
                chunk = self.sock.recv(65536)
            except BlockingIOError:
                break
            except OSError:
                self.closed = True
                break
            if not chunk:
                self.closed = True
                break
            self.data += chunk
        return self.closed

    def wait_closed(self, timeout_ms: int = 5000) -> bool:
        return wait_until(self.poll, timeout_ms)

    def wait_data(self, marker: bytes, timeout_ms: int = 5000) -> bool:
        return (
            wait_until(lambda: self.poll() or marker in self.data, timeout_ms)
            and marker in self.data
        )

    def head_and_rest(self) -> tuple[bytes, bytes]:
        head, sep, rest = self.data.partition(b"\r\n\r\n")
        return (head + sep, rest) if sep else (b"", self.data)

    def close(self) -> None:
        self.sock.close()


def value(x: Any) -> Any:
    """A signal argument in JSON-able form (enums as ints, byte arrays as latin-1 text)."""
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


class WsLog:
    """A QWebSocket's signals as [name, args...] lists, in emission order."""

    def __init__(self, ws: QWebSocket, names: tuple[str, ...] = SIGNALS) -> None:
        self.events: list[list[Any]] = []
        for name in names:
            getattr(ws, name).connect(lambda *a, _n=name: self.events.append([_n, *map(value, a)]))

    def names(self) -> list[str]:
        return [e[0] for e in self.events]

    def of(self, name: str) -> list[list[Any]]:
        return [e[1:] for e in self.events if e[0] == name]


def echo_server(
    name: str = "Echo Server", **setup: Any
) -> tuple[QWebSocketServer, list[QWebSocket]]:
    """A listening echo server on 127.0.0.1 and the list its sockets go into."""
    server = QWebSocketServer(name, QWebSocketServer.NonSecureMode)
    for key, val in setup.items():
        getattr(server, key)(val)
    sockets: list[QWebSocket] = []

    def take() -> None:
        while server.hasPendingConnections():
            ws = server.nextPendingConnection()
            assert ws is not None
            ws.textMessageReceived.connect(ws.sendTextMessage)
            ws.binaryMessageReceived.connect(ws.sendBinaryMessage)
            sockets.append(ws)

    server.newConnection.connect(take)
    assert server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0), (
        server.errorString()
    )
    return server, sockets
