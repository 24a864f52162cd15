"""QWebSocket, member by member (qt-autotests.md §6), plus signal-order parity with PySide6.

``test_signal_order_matches_pyside6`` runs tests/ws_scenarios.py under
PySide6 (peer subprocess) and under qtnet and requires identical logs: every
signal of both ends, in order, with arguments, for normal and abnormal closes,
pings, refused and invalid opens and protocol errors.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from peers import run_pyside6
from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401
from qtnet import (
    QAbstractSocket,
    QByteArray,
    QHostAddress,
    QNetworkRequest,
    QObject,
    QThread,
    QUrl,
    QWebSocket,
    QWebSocketHandshakeOptions,
    QWebSocketProtocol,
    QWebSocketServer,
)
from qtnet.qt import websocket_closing
from qtnet.qt.websocket_async import WebSocketClosed
from ws_helpers import (
    RawPeer,
    WsLog,
    client_frame,
    echo_server,
    handshake_request,
    parse_server_frames,
)

HERE = Path(__file__).resolve().parent
CloseCode = QWebSocketProtocol.CloseCode
State = QAbstractSocket.SocketState
Error = QAbstractSocket.SocketError


def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- parity with PySide6 --------------------------------------------------------------------------
def test_signal_order_matches_pyside6() -> None:
    script = HERE / "ws_scenarios.py"
    # Both runs at once: each scenario mostly waits on timers.
    mine = subprocess.Popen(
        [sys.executable, str(script), "--impl", "qtnet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        peer = run_pyside6(script.read_text(), "--impl", "pyside6", timeout=120)
        out, err = mine.communicate(timeout=120)
    finally:
        if mine.poll() is None:
            mine.kill()
            mine.wait()
    assert peer.returncode == 0, peer.stderr[-3000:]
    assert mine.returncode == 0, err[-3000:]
    expected, got = json.loads(peer.stdout), json.loads(out)
    assert sorted(got) == sorted(expected)
    for scenario in expected:
        assert got[scenario] == expected[scenario], scenario


# -- defaults ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args", [(), ("http://www.qt-project.org",), ("http://www.qt-project.org", 7)]
)
def test_initialisation(qapp: object, args: tuple[object, ...]) -> None:
    ws = QWebSocket(*args)  # type: ignore[arg-type]
    assert ws.origin() == (args[0] if args else "")
    assert ws.version() == (
        QWebSocketProtocol.Version.Version7 if len(args) > 1 else QWebSocketProtocol.VersionLatest
    )
    assert ws.error() == Error.UnknownSocketError
    assert ws.errorString() == ""
    assert not ws.isValid()
    assert ws.localAddress().isNull() and ws.peerAddress().isNull()
    assert ws.localPort() == 0 and ws.peerPort() == 0 and ws.peerName() == ""
    assert ws.pauseMode() == QAbstractSocket.PauseMode.PauseNever
    assert ws.state() == State.UnconnectedState
    assert ws.readBufferSize() == 0
    assert ws.resourceName() == ""
    assert not ws.requestUrl().isValid()
    assert ws.closeCode() == CloseCode.CloseCodeNormal and ws.closeReason() == ""
    assert ws.flush()
    assert ws.sendTextMessage("A text message") == 0
    assert ws.sendBinaryMessage(b"A binary message") == 0
    assert ws.bytesToWrite() == 0
    assert ws.subprotocol() == "" and ws.handshakeOptions().subprotocols() == []
    assert ws.maxAllowedIncomingFrameSize() == 2147483646 == QWebSocket.maxIncomingFrameSize()
    assert ws.maxAllowedIncomingMessageSize() == 2147483646 == QWebSocket.maxIncomingMessageSize()
    assert ws.outgoingFrameSize() == 524288 and QWebSocket.maxOutgoingFrameSize() == 2147483646
    assert not ws.request().url().isValid()


def test_setters_and_getters(qapp: object) -> None:
    ws = QWebSocket()
    ws.setPauseMode(QAbstractSocket.PauseMode.PauseOnSslErrors)
    assert ws.pauseMode() == QAbstractSocket.PauseMode.PauseOnSslErrors
    ws.setPauseMode(QAbstractSocket.PauseMode.PauseNever)
    assert ws.pauseMode() == QAbstractSocket.PauseMode.PauseNever
    for size in (0, 128, -1):
        ws.setReadBufferSize(size)
        assert ws.readBufferSize() == size
    ws.setOutgoingFrameSize(5)
    ws.setMaxAllowedIncomingFrameSize(9)
    ws.setMaxAllowedIncomingMessageSize(889)
    assert (
        ws.outgoingFrameSize(),
        ws.maxAllowedIncomingFrameSize(),
        ws.maxAllowedIncomingMessageSize(),
    ) == (5, 9, 889)
    ws.setOutgoingFrameSize(2**40)  # above the maximum: ignored, as in Qt
    assert ws.outgoingFrameSize() == 5
    from qtnet import QNetworkProxy

    proxy = QNetworkProxy(QNetworkProxy.ProxyType.NoProxy)
    assert ws.proxy().type() == QNetworkProxy.ProxyType.DefaultProxy
    ws.setProxy(proxy)
    assert ws.proxy() == proxy


# -- opening ------------------------------------------------------------------------------------------
def test_invalid_open(qapp: object) -> None:
    ws = QWebSocket()
    log = WsLog(ws)
    url = QUrl(f"ws://127.0.0.1:{closed_port()}/")
    ws.open(url)
    assert ws.state() == State.ConnectingState
    assert ws.peerName() == "127.0.0.1"
    assert ws.resourceName() == "/"
    assert ws.requestUrl() == url
    assert ws.error() == Error.UnknownSocketError
    assert ws.errorString() != ""
    assert ws.sendTextMessage("x") == 0 and ws.sendBinaryMessage(b"x") == 0
    assert wait_until(lambda: "disconnected" in log.names())
    assert log.of("errorOccurred") == [[int(Error.ConnectionRefusedError)]]
    assert log.of("stateChanged") == [[2], [0]]
    assert ws.error() == Error.ConnectionRefusedError
    assert ws.errorString() == "Connection refused"
    assert not {"aboutToClose", "pong", "textMessageReceived", "connected"} & set(log.names())


def test_url_with_crlf_is_refused_at_once(qapp: object) -> None:
    ws = QWebSocket()
    log = WsLog(ws)
    ws.open(QUrl(f"ws://127.0.0.1:{closed_port()}/a\r\nb"))
    assert ws.state() == State.UnconnectedState
    assert ws.requestUrl().toString() == ""
    settle(50)
    assert log.names() == ["errorOccurred"]
    ws2 = QWebSocket()
    log2 = WsLog(ws2)
    ws2.open("ftp://127.0.0.1:1/")
    assert log2.of("errorOccurred") == [[int(Error.UnsupportedSocketOperationError)]]
    assert ws2.errorString() == "Unsupported WebSocket scheme: ftp"


def test_invalid_origin_does_not_stop_the_attempt(qapp: object) -> None:
    ws = QWebSocket("My server\r\nin\nwonderland")
    log = WsLog(ws)
    ws.open(QUrl(f"ws://127.0.0.1:{closed_port()}/"))
    assert ws.state() == State.ConnectingState
    assert wait_until(lambda: "disconnected" in log.names())
    assert log.of("errorOccurred") == [[int(Error.ConnectionRefusedError)]]
    # Against a live server the origin with CR/LF makes the handshake fail.
    server, _ = echo_server()
    ws.open(server.serverUrl())
    assert wait_until(lambda: len(log.of("errorOccurred")) == 2)
    assert ws.errorString() == "The origin contains newlines. Possible attack detected."
    assert wait_until(lambda: ws.state() == State.UnconnectedState)


# -- messages -----------------------------------------------------------------------------------------
def test_send_text_message(qapp: object) -> None:
    server, sockets = echo_server()
    url = QUrl(f"ws://127.0.0.1:{server.serverPort()}")
    url.setPath("/segment/with spaces")
    url.setQuery("queryitem=with encoded characters")
    ws = QWebSocket()
    log = WsLog(ws)
    ws.open(url)
    assert wait_until(ws.isValid)
    assert wait_until(lambda: len(sockets) == 1)
    assert sockets[0].requestUrl() == url
    assert ws.sendTextMessage("Hello world!") == 12
    assert ws.bytesToWrite() > 12  # header and mask, not yet sent
    assert wait_until(lambda: log.of("textMessageReceived") == [["Hello world!"]])
    assert log.of("textFrameReceived") == [["Hello world!", True]]
    big = "x" * 0x100000  # QTBUG-74464: 1 MiB, two frames each way
    assert ws.sendTextMessage(big) == len(big)
    assert wait_until(lambda: len(log.of("textMessageReceived")) == 2)
    assert log.of("textMessageReceived")[1] == [big]
    frames = log.of("textFrameReceived")[1:]
    assert "".join(f[0] for f in frames) == big and [f[1] for f in frames][-1] is True
    assert [f[1] for f in frames].count(True) == 1
    assert ws.sendTextMessage("héllo wörld ✓") == len("héllo wörld ✓".encode())
    assert wait_until(lambda: log.of("textMessageReceived")[-1] == ["héllo wörld ✓"])
    ws.close(CloseCode.CloseCodeGoingAway, "going away")
    assert ws.closeCode() == CloseCode.CloseCodeGoingAway and ws.closeReason() == "going away"
    assert wait_until(lambda: "disconnected" in log.names())
    # QTBUG-36762: reopening does not duplicate signals
    ws.open(url)
    assert wait_until(ws.isValid)
    before = len(log.of("textMessageReceived"))
    ws.sendTextMessage("again")
    assert wait_until(lambda: len(log.of("textMessageReceived")) == before + 1)
    settle(50)
    assert len(log.of("textMessageReceived")) == before + 1


def test_send_binary_message(qapp: object) -> None:
    server, _ = echo_server()
    ws = QWebSocket()
    log = WsLog(ws)
    got: list[object] = []
    ws.binaryMessageReceived.connect(got.append)
    ws.open(server.serverUrl())
    assert wait_until(ws.isValid)
    assert ws.sendBinaryMessage(QByteArray(b"\x00binary\xff")) == 8
    assert ws.sendBinaryMessage(b"") == 0
    assert wait_until(lambda: len(got) == 2)
    assert (
        isinstance(got[0], QByteArray)
        and bytes(got[0]) == b"\x00binary\xff"
        and bytes(got[1]) == b""
    )
    assert log.of("binaryFrameReceived")[0] == ["\x00binary\xff", True]
    assert not log.of("textMessageReceived")
    big = bytes(range(256)) * 4096
    ws.sendBinaryMessage(big)
    assert wait_until(lambda: len(got) == 3)
    assert bytes(got[2]) == big


def test_open_request_headers_and_subprotocols(qapp: object) -> None:
    server, sockets = echo_server()
    server.setSupportedSubprotocols(["protocol1", "protocol2"])
    url = QUrl(f"ws://127.0.0.1:{server.serverPort()}/?queryitem=with%20encoded%20characters")
    request = QNetworkRequest(url)
    request.setRawHeader(b"X-Custom-Header", b"A custom header")
    opts = QWebSocketHandshakeOptions()
    opts.setSubprotocols(["foo", "protocol2"])
    ws = QWebSocket()
    ws.open(request, opts)
    assert wait_until(lambda: ws.isValid() and len(sockets) == 1)
    seen = sockets[0].request()
    assert bytes(seen.rawHeader(b"X-Custom-Header")) == b"A custom header"
    assert bytes(seen.rawHeader(b"Sec-WebSocket-Protocol")) == b"foo, protocol2"
    assert seen.url() == url == ws.requestUrl()
    assert ws.subprotocol() == "protocol2" == sockets[0].subprotocol()
    assert ws.request().rawHeader(b"x-custom-header") == QByteArray(b"A custom header")
    plain = QWebSocket()
    plain.open(server.serverUrl())
    assert wait_until(lambda: len(sockets) == 2)
    assert not sockets[1].request().hasRawHeader(b"Sec-WebSocket-Protocol")


def test_invalid_subprotocol_names_are_dropped(qapp: object) -> None:
    server, sockets = echo_server()
    opts = QWebSocketHandshakeOptions()
    opts.setSubprotocols(["valid", "in valid", "bad\r\nname", "{}", "also-valid"])
    ws = QWebSocket()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ws.open(server.serverUrl(), opts)
        assert wait_until(lambda: len(sockets) == 1)
    texts = [str(w.message) for w in caught]
    assert sum("Ignoring invalid WebSocket subprotocol name" in t for t in texts) == 3
    assert any('"in valid"' in t for t in texts)
    assert bytes(sockets[0].request().rawHeader(b"Sec-WebSocket-Protocol")) == b"valid, also-valid"


# -- limits ------------------------------------------------------------------------------------------
def test_overlong_close_reason(qapp: object) -> None:
    server, sockets = echo_server()
    ws = QWebSocket()
    log = WsLog(ws)
    ws.open(server.serverUrl())
    assert wait_until(lambda: ws.isValid() and sockets)
    ws.close(CloseCode.CloseCodeGoingAway, "a" * 200)
    assert ws.closeReason() == "a" * 123
    assert wait_until(lambda: "disconnected" in log.names())
    assert sockets[0].closeReason() == "a" * 123
    ws2 = QWebSocket()
    ws2.open(server.serverUrl())
    assert wait_until(ws2.isValid)
    ws2.close(CloseCode.CloseCodeNormal, "é" * 100)  # 200 bytes: cut on a character boundary
    assert ws2.closeReason() == "é" * 61


@pytest.mark.parametrize("which", ["message", "frame"])
def test_incoming_too_long_closes_with_1009(qapp: object, which: str) -> None:
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)

    def on_new() -> None:
        s = server.nextPendingConnection()
        if which == "message":
            s.setMaxAllowedIncomingMessageSize(1024)
        else:
            s.setMaxAllowedIncomingFrameSize(1024)

    server.newConnection.connect(on_new)
    assert server.listen(QHostAddress("127.0.0.1"), 0)
    ws = QWebSocket()
    log = WsLog(ws)
    ws.open(server.serverUrl())
    assert wait_until(ws.isValid)
    if which == "frame":
        ws.setOutgoingFrameSize(1025)
    settle(20)
    assert ws.sendTextMessage("a" * 1025) == 1025
    assert wait_until(lambda: "disconnected" in log.names())
    assert ws.closeCode() == CloseCode.CloseCodeTooMuchData
    text = "Received message is too big." if which == "message" else "Maximum framesize exceeded."
    assert ws.closeReason() == text


def test_fragmented_send_and_frame_signals(qapp: object) -> None:
    server, sockets = echo_server()
    ws = QWebSocket()
    log = WsLog(ws)
    ws.open(server.serverUrl())
    assert wait_until(lambda: ws.isValid() and bool(sockets))
    ws.setOutgoingFrameSize(4)
    ws.sendTextMessage("0123456789")
    sockets[0].setOutgoingFrameSize(3)
    assert wait_until(lambda: log.of("textMessageReceived") == [["0123456789"]])
    assert log.of("textFrameReceived") == [
        ["012", False],
        ["345", False],
        ["678", False],
        ["9", True],
    ]


# -- ping / pong --------------------------------------------------------------------------------------
def test_ping_pong(qapp: object) -> None:
    server, _ = echo_server()
    ws = QWebSocket()
    log = WsLog(ws)
    ws.open(server.serverUrl())
    assert wait_until(ws.isValid)
    ws.ping(QByteArray(b"payload"))
    ws.ping(b"x" * 300)  # cut to 125 bytes
    assert wait_until(lambda: len(log.of("pong")) == 2)
    (elapsed, payload), (_e2, long_payload) = log.of("pong")
    assert isinstance(elapsed, int) and 0 <= elapsed < 5000
    assert payload == "payload" and long_payload == "x" * 125


def test_server_answers_a_raw_ping_with_the_same_payload(qapp: object) -> None:
    server, sockets = echo_server()
    raw = RawPeer(server.serverPort())
    raw.send(handshake_request(server.serverPort()))
    assert raw.wait_data(b"\r\n\r\n")
    raw.send(client_frame(9, b"pingdata"))
    assert wait_until(lambda: raw.poll() or b"pingdata" in raw.head_and_rest()[1])
    assert parse_server_frames(raw.head_and_rest()[1]) == [(0x8A, b"pingdata")]


# -- closing -----------------------------------------------------------------------------------------
def test_peer_close_is_echoed_then_tcp_closes(qapp: object) -> None:
    server, sockets = echo_server()
    raw = RawPeer(server.serverPort())
    raw.send(handshake_request(server.serverPort()))
    assert wait_until(lambda: len(sockets) == 1)
    log = WsLog(sockets[0])
    raw.send(client_frame(1, b"last") + client_frame(8, b"\x03\xe8bye"))
    assert raw.wait_closed()
    # The echo of the message goes out before the close reply, like an echo server should.
    assert parse_server_frames(raw.head_and_rest()[1]) == [(0x81, b"last"), (0x88, b"\x03\xe8bye")]
    assert wait_until(lambda: "disconnected" in log.names())
    assert sockets[0].closeCode() == CloseCode.CloseCodeNormal and sockets[0].closeReason() == "bye"


def test_unmasked_client_frame_is_a_protocol_error(qapp: object) -> None:
    # Qt 6.11 accepts it (Surprise 5); RFC 6455 §5.1 says to fail: we follow the RFC.
    server, sockets = echo_server()
    raw = RawPeer(server.serverPort())
    raw.send(handshake_request(server.serverPort()))
    assert wait_until(lambda: len(sockets) == 1)
    raw.send(client_frame(1, b"hi", mask=False))
    assert raw.wait_closed()
    frames = parse_server_frames(raw.head_and_rest()[1])
    assert frames[0][0] == 0x88 and frames[0][1][:2] == b"\x03\xea"
    assert sockets[0].closeCode() == CloseCode.CloseCodeProtocolError


def test_close_timeout_when_the_peer_never_answers(
    qapp: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(websocket_closing, "_CLOSE_TIMEOUT_S", 0.6)
    server, sockets = echo_server()
    raw = RawPeer(server.serverPort())
    raw.send(handshake_request(server.serverPort()))
    assert wait_until(lambda: len(sockets) == 1)
    log = WsLog(sockets[0])
    sockets[0].close(CloseCode.CloseCodePolicyViolated, "go")
    settle(100)
    assert sockets[0].state() == State.ConnectedState  # waiting for the peer's close frame
    assert raw.wait_closed(3000)
    assert parse_server_frames(raw.head_and_rest()[1]) == [(0x88, b"\x03\xf0go")]
    assert log.names() == [
        "aboutToClose",
        "aboutToClose",
        "stateChanged",
        "stateChanged",
        "disconnected",
        "readChannelFinished",
    ]


def test_idle_partial_frame_fails_with_1001(qapp: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(websocket_closing, "_IDLE_TIMEOUT_S", 0.3)
    server, sockets = echo_server()
    raw = RawPeer(server.serverPort())
    raw.send(handshake_request(server.serverPort()))
    assert wait_until(lambda: len(sockets) == 1)
    raw.send(client_frame(1, b"x" * 64)[:10])  # a frame that never completes
    assert raw.wait_closed(3000)
    assert sockets[0].closeCode() == CloseCode.CloseCodeGoingAway
    assert sockets[0].closeReason() == "Timeout when reading data from socket."
    frames = parse_server_frames(raw.head_and_rest()[1])
    assert frames == [(0x88, b"\x03\xe9Timeout when reading data from socket.")]


def test_abort_and_delete(qapp: object) -> None:
    server, sockets = echo_server()
    ws = QWebSocket()
    log = WsLog(ws)
    ws.open(server.serverUrl())
    assert wait_until(lambda: ws.isValid() and len(sockets) == 1)
    assert ws.peerAddress() == QHostAddress("127.0.0.1") and ws.peerPort() == server.serverPort()
    assert ws.localAddress() == QHostAddress("127.0.0.1") and ws.localPort() > 0
    assert ws.peerName() == "127.0.0.1"
    assert sockets[0].peerPort() == ws.localPort() and sockets[0].localPort() == server.serverPort()
    server_log = WsLog(sockets[0])
    ws.abort()
    assert log.names()[-4:] == [
        "aboutToClose",
        "stateChanged",
        "disconnected",
        "readChannelFinished",
    ]
    assert wait_until(lambda: "disconnected" in server_log.names())
    assert server_log.of("errorOccurred") == [[int(Error.RemoteHostClosedError)]]
    assert sockets[0].errorString() == "The remote host closed the connection"
    # Deleting an open socket sends close(1001, "Connection closed"), as Qt's destructor.
    ws2 = QWebSocket()
    ws2.open(server.serverUrl())
    assert wait_until(lambda: ws2.isValid() and len(sockets) == 2)
    other = WsLog(sockets[1])
    ws2.deleteLater()
    assert wait_until(lambda: "disconnected" in other.names())
    assert sockets[1].closeCode() == CloseCode.CloseCodeGoingAway
    assert sockets[1].closeReason() == "Connection closed"


def test_bytes_written_and_flush(qapp: object) -> None:
    server, _ = echo_server()
    ws = QWebSocket()
    written: list[int] = []
    ws.bytesWritten.connect(written.append)
    ws.open(server.serverUrl())
    assert wait_until(ws.isValid)
    handshake = sum(written)
    assert handshake > 100
    ws.sendTextMessage("12345")
    assert ws.bytesToWrite() == 11  # 2 header + 4 mask + 5 payload
    assert ws.flush()
    assert ws.bytesToWrite() == 0 and sum(written) == handshake + 11


# -- the client handshake ----------------------------------------------------------------------------
def test_response_in_two_chunks_and_frames_right_after(qapp: object) -> None:
    import base64
    import hashlib
    import socket

    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    ls.setblocking(False)
    ws = QWebSocket()
    log = WsLog(ws)
    request = QNetworkRequest(QUrl(f"ws://127.0.0.1:{ls.getsockname()[1]}/"))
    request.setRawHeader(b"CustomHeader", b"Example")
    ws.open(request)
    conn: list[socket.socket] = []
    data = bytearray()

    def accept_and_read() -> bool:
        if not conn:
            try:
                conn.append(ls.accept()[0])
            except BlockingIOError:
                return False
            conn[0].setblocking(False)
        try:
            data.extend(conn[0].recv(4096))
        except BlockingIOError:
            pass
        return b"\r\n\r\n" in data

    assert wait_until(accept_and_read)
    assert b"\r\nCustomHeader: Example\r\n" in data
    key = next(
        ln.split(b":", 1)[1].strip()
        for ln in bytes(data).split(b"\r\n")
        if ln.lower().startswith(b"sec-websocket-key")
    )
    accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
    reply = (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )
    conn[0].sendall(reply[:-2])
    settle(100)
    assert ws.state() == State.ConnectingState
    conn[0].sendall(reply[-2:] + b"\x81\x05early")  # QTBUG-102111, plus a frame in the same packet
    assert wait_until(lambda: log.of("textMessageReceived") == [["early"]])
    assert log.names()[:3] == ["stateChanged", "stateChanged", "connected"]
    conn[0].close()
    ls.close()


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (
            b"HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 8\r\n\r\n",
            "Handshake: Server requests a version that we don't support: 8.",
        ),
        (
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: bm90IHRoZSByaWdodCBrZXk=\r\n\r\n",
            "Accept-Key received from server bm90IHRoZSByaWdodCBrZXk= does not match the client key",
        ),
        (
            b"HTTP/1.1 404 Not Found\r\n\r\n",
            "QWebSocketPrivate::processHandshake: Unhandled http status code: 404 (Not Found).",
        ),
    ],
)
def test_refused_handshakes(qapp: object, reply: bytes, message: str) -> None:
    import socket

    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    ls.setblocking(False)
    ws = QWebSocket()
    log = WsLog(ws)
    ws.open(QUrl(f"ws://127.0.0.1:{ls.getsockname()[1]}/"))
    conn: list[socket.socket] = []

    def accept() -> bool:
        try:
            conn.append(ls.accept()[0])
        except BlockingIOError:
            return False
        return True

    assert wait_until(accept)
    settle(30)
    conn[0].sendall(reply)
    assert wait_until(lambda: "disconnected" in log.names())
    assert ws.errorString().startswith(message)
    assert log.of("errorOccurred") == [[int(Error.ConnectionRefusedError)]]
    assert "connected" not in log.names()
    conn[0].close()
    ls.close()


# -- threads and coroutines -------------------------------------------------------------------------
def test_socket_in_another_thread(qapp: object) -> None:
    server, _ = echo_server()

    class Opener(QObject):
        def go(self) -> None:
            ws.open(server.serverUrl())

    thread = QThread()
    ws = QWebSocket()
    ws.moveToThread(thread)
    opener = Opener()
    opener.moveToThread(thread)  # its slot runs in the worker thread
    got: list[str] = []
    ws.connected.connect(lambda: ws.sendTextMessage("from a thread"))
    ws.textMessageReceived.connect(lambda m: (got.append(m), ws.close()))
    thread.started.connect(opener.go)
    thread.start()
    try:
        assert wait_until(lambda: got == ["from a thread"] and ws.state() == State.UnconnectedState)
    finally:
        thread.quit()
        assert thread.wait(5000)


def test_async_helpers(qapp: object) -> None:
    from qtnet.iocore.loops import current_thread_data

    server, sockets = echo_server()

    async def main() -> list[object]:
        out: list[object] = []
        ws = QWebSocket()
        await ws.open_async(server.serverUrl())
        ws.sendTextMessage("one")
        ws.sendBinaryMessage(b"two")
        out.append(await ws.receive())
        out.append(await ws.receive())
        await ws.drained()
        ws.close(CloseCode.CloseCodeGoingAway, "done")
        async for message in ws:
            out.append(message)
        try:
            await ws.receive()
        except WebSocketClosed as e:
            out.append(e.code)
        refused = QWebSocket()
        try:
            await refused.open_async(f"ws://127.0.0.1:{closed_port()}/")
        except ConnectionError as e:
            out.append(str(e))
        return out

    loop = current_thread_data().loop()
    result = loop.run_until_complete(asyncio.wait_for(main(), 10))
    assert result == ["one", b"two", 1001, "Connection refused"]
