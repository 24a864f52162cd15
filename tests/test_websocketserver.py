"""QWebSocketServer, member by member, and its handshake rules (qt-autotests.md §5, §9).

Real sockets on loopback only.  Expected values come from Qt's autotests and
from PySide6 6.12 experiments recorded in the reference; the exact bytes a
refused client sees are checked with a raw socket.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import socket
import subprocess
import sys
import time

import pytest

from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401
from qtnet import (
    QAbstractSocket,
    QHostAddress,
    QNetworkProxy,
    QSslConfiguration,
    QSslSocket,
    QTcpServer,
    QUrl,
    QWebSocket,
    QWebSocketCorsAuthenticator,
    QWebSocketHandshakeOptions,
    QWebSocketProtocol,
    QWebSocketServer,
)
from qtnet.codecs.ws_handshake import accept_key
from ws_helpers import (
    KEY,
    RawPeer,
    WsLog,
    client_frame,
    echo_server,
    handshake_request,
)

LOCAL = QHostAddress(QHostAddress.SpecialAddress.LocalHost)
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)


def counter(signal: object) -> list[tuple[object, ...]]:
    got: list[tuple[object, ...]] = []
    signal.connect(lambda *a: got.append(a))  # type: ignore[attr-defined]
    return got


def connect_client(
    url: QUrl | str, options: QWebSocketHandshakeOptions | None = None
) -> QWebSocket:
    ws = QWebSocket()
    ws.open(QUrl(url) if isinstance(url, str) else url, options) if options else ws.open(url)
    return ws


# -- defaults and setters ------------------------------------------------------------------------
def test_initialisation(qapp: object) -> None:
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    closed = counter(server.closed)

    def check() -> None:
        assert server.serverName() == ""
        assert server.secureMode() == QWebSocketServer.SslMode.NonSecureMode
        assert not server.isListening()
        assert server.maxPendingConnections() == 30
        assert server.serverPort() == 0
        assert server.serverAddress().isNull()
        assert server.socketDescriptor() == -1 and server.nativeDescriptor() == -1
        assert not server.hasPendingConnections()
        assert server.nextPendingConnection() is None
        assert server.error() == QWebSocketProtocol.CloseCode.CloseCodeNormal
        assert server.errorString() == ""
        assert server.proxy().type() == QNetworkProxy.ProxyType.DefaultProxy
        assert server.supportedVersions() == [QWebSocketProtocol.Version.Version13]
        assert server.supportedVersions() == [QWebSocketProtocol.VersionLatest]
        assert server.supportedSubprotocols() == []
        assert server.handshakeTimeoutMS() == 10000
        url = server.serverUrl()
        assert not url.isValid() and url.toString() == ""

    check()
    server.close()
    check()
    assert wait_until(lambda: len(closed) == 1)  # queued, even though it never listened
    assert int(QWebSocketServer.SecureMode) == 0 and int(QWebSocketServer.NonSecureMode) == 1
    secure = QWebSocketServer("s", QWebSocketServer.SslMode.SecureMode)
    assert secure.secureMode() == QWebSocketServer.SecureMode


def test_setters_and_getters(qapp: object) -> None:
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    for n in (23, INT_MIN, INT_MAX):
        server.setMaxPendingConnections(n)
        assert server.maxPendingConnections() == n
    assert not server.setSocketDescriptor(-2)
    assert server.socketDescriptor() == -1
    assert not server.setNativeDescriptor(-2)
    server.setServerName("Qt WebSocketServer")
    assert server.serverName() == "Qt WebSocketServer"
    proxy = QNetworkProxy(QNetworkProxy.ProxyType.Socks5Proxy)
    server.setProxy(proxy)
    assert server.proxy() == proxy
    server.setHandshakeTimeout(64)
    assert server.handshakeTimeoutMS() == 64 and server.handshakeTimeout() == 64
    server.setHandshakeTimeout(datetime.timedelta(milliseconds=242))
    assert server.handshakeTimeoutMS() == 242 and server.handshakeTimeout() == 242
    server.setSupportedSubprotocols(["chat", "superchat"])
    assert server.supportedSubprotocols() == ["chat", "superchat"]
    assert not server.perMessageDeflate()
    server.setPerMessageDeflate(True)
    assert server.perMessageDeflate()
    cfg = QSslConfiguration.defaultConfiguration()
    cfg.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)
    server.setSslConfiguration(cfg)  # ignored on a ws:// server, as in Qt
    assert server.sslConfiguration().peerVerifyMode() == QSslSocket.PeerVerifyMode.AutoVerifyPeer
    secure = QWebSocketServer("", QWebSocketServer.SecureMode)
    secure.setSslConfiguration(cfg)
    assert secure.sslConfiguration().peerVerifyMode() == QSslSocket.PeerVerifyMode.VerifyNone


def test_cors_authenticator() -> None:
    for origin in ("", "com.somesite"):
        auth = QWebSocketCorsAuthenticator(origin)
        assert auth.origin() == origin and auth.allowed()
    a = QWebSocketCorsAuthenticator("x")
    b = QWebSocketCorsAuthenticator(a)
    a.setAllowed(False)
    assert b.allowed() and not a.allowed() and b.origin() == "x"


# -- listening ---------------------------------------------------------------------------------------
def test_listening(qapp: object) -> None:
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    closed, errors = counter(server.closed), counter(server.serverError)
    assert server.listen()
    assert server.isListening()
    server.close()
    assert not server.isListening()
    assert wait_until(lambda: len(closed) == 1)
    assert errors == []
    assert not server.listen(QHostAddress("1.2.3.4"), 0)
    assert server.error() == QWebSocketProtocol.CloseCodeAbnormalDisconnection
    assert server.errorString() == "The address is not available"
    assert [int(e[0]) for e in errors] == [1006]
    settle(50)
    assert len(closed) == 1


def test_connectivity_and_server_url(qapp: object) -> None:
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    new, origin_asks = counter(server.newConnection), counter(server.originAuthenticationRequired)
    assert server.listen()
    assert server.serverAddress() == QHostAddress(QHostAddress.SpecialAddress.Any)
    assert server.serverUrl() == QUrl(f"ws://127.0.0.1:{server.serverPort()}")
    assert server.nativeDescriptor() >= 0
    client = connect_client(server.serverUrl())
    assert wait_until(lambda: client.state() == QAbstractSocket.SocketState.ConnectedState)
    assert len(new) == 1 and len(origin_asks) == 1
    assert isinstance(origin_asks[0][0], QWebSocketCorsAuthenticator)
    closed = counter(server.closed)
    server.close()
    assert wait_until(lambda: len(closed) == 1)
    v6 = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    assert v6.listen(QHostAddress("::1"), 0)
    assert v6.serverUrl().toString() == f"ws://[::1]:{v6.serverPort()}"
    v6client = connect_client(v6.serverUrl())
    assert wait_until(v6client.isValid)
    secure = QWebSocketServer("", QWebSocketServer.SecureMode)
    assert secure.listen(LOCAL, 0)
    assert secure.serverUrl().toString() == f"wss://127.0.0.1:{secure.serverPort()}"


def test_native_descriptor_adopts_a_listening_socket(qapp: object) -> None:
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(8)
    port = lsock.getsockname()[1]
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    assert server.setNativeDescriptor(lsock.detach())
    assert server.isListening() and server.serverPort() == port
    client = connect_client(f"ws://127.0.0.1:{port}/")
    assert wait_until(server.hasPendingConnections)
    assert wait_until(client.isValid)


def test_pause_and_resume_accepting(qapp: object) -> None:
    server, sockets = echo_server()
    server.pauseAccepting()
    client = connect_client(server.serverUrl())
    settle(150)
    assert not client.isValid() and sockets == []
    server.resumeAccepting()
    assert wait_until(client.isValid)


# -- subprotocols ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("options", "header", "expected"),
    [
        ([], None, ""),
        (["chat", "superchat"], None, "chat"),
        (["superchat", "chat"], None, "superchat"),  # the client's order wins
        (["foo"], None, ""),  # nothing supported: still connects
        (["foo", "chat"], None, "chat"),
        ([], "chat,superchat", "chat"),
        (["superchat"], "chat", "superchat"),
    ],
)
def test_protocols(qapp: object, options: list[str], header: str | None, expected: str) -> None:
    from qtnet import QNetworkRequest

    server, sockets = echo_server()
    server.setSupportedSubprotocols(["chat", "superchat"])
    request = QNetworkRequest(server.serverUrl())
    if header is not None:
        request.setRawHeader(b"Sec-WebSocket-Protocol", header.encode())
    opts = QWebSocketHandshakeOptions()
    opts.setSubprotocols(options)
    client = QWebSocket()
    client.open(request, opts)
    assert wait_until(lambda: client.isValid() and len(sockets) == 1)
    assert client.subprotocol() == expected
    assert sockets[0].subprotocol() == expected
    wanted = list(options) + [p for p in (header or "").split(",") if p and p not in options]
    assert sockets[0].handshakeOptions().subprotocols() == wanted


# -- pending connections ------------------------------------------------------------------------------
def test_max_pending_connections(qapp: object) -> None:
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    server.setMaxPendingConnections(2)
    new, errors = counter(server.newConnection), counter(server.serverError)
    accept_errors, closed = counter(server.acceptError), counter(server.closed)
    assert server.listen(LOCAL, 0)
    clients = [connect_client(server.serverUrl()) for _ in range(2)]
    assert wait_until(lambda: all(c.isValid() for c in clients))
    third = connect_client(server.serverUrl())
    assert wait_until(lambda: len(errors) == 1)
    assert wait_until(lambda: third.state() == QAbstractSocket.SocketState.UnconnectedState)
    assert not third.isValid()
    assert len(new) == 2
    assert [int(e[0]) for e in errors] == [1006]
    assert server.errorString() == "Too many pending connections."
    got = [server.nextPendingConnection(), server.nextPendingConnection()]
    assert all(isinstance(s, QWebSocket) for s in got)
    assert server.nextPendingConnection() is None and not server.hasPendingConnections()
    assert accept_errors == [] and closed == []
    # The refused client saw no HTTP reply at all, just the end of the connection.
    server.setMaxPendingConnections(0)
    raw = RawPeer(server.serverPort())
    raw.send(handshake_request(server.serverPort()))
    assert raw.wait_closed()
    assert raw.data == b""
    server.close()
    assert wait_until(lambda: len(closed) == 1)


def test_close_sends_server_closed_to_queued_sockets(qapp: object) -> None:
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    assert server.listen(LOCAL, 0)
    raw = RawPeer(server.serverPort())
    raw.send(handshake_request(server.serverPort()))
    assert raw.wait_data(b"\r\n\r\n")
    assert wait_until(server.hasPendingConnections)
    server.close()
    assert raw.wait_closed()
    _head, rest = raw.head_and_rest()
    assert rest == b"\x88\x10\x03\xe9Server closed."


def test_server_destroyed_while_socket_connected(qapp: object) -> None:
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    assert server.listen()
    client = connect_client(server.serverUrl())
    disconnected = counter(client.disconnected)
    assert wait_until(client.isValid)
    server.deleteLater()
    assert wait_until(lambda: len(disconnected) == 1)
    assert int(client.closeCode()) == 1001 and client.closeReason() == "Server closed."


def test_scheme_and_request_url(qapp: object) -> None:
    server, sockets = echo_server()
    client = connect_client(f"ws://127.0.0.1:{server.serverPort()}/chat?x=1")
    assert wait_until(lambda: len(sockets) == 1)
    ws = sockets[0]
    assert ws.requestUrl().scheme() == "ws"
    assert ws.requestUrl().toString() == f"ws://127.0.0.1:{server.serverPort()}/chat?x=1"
    assert ws.resourceName() == ws.requestUrl().toString()  # the full URL on the server side
    assert wait_until(client.isValid)


def test_handle_connection(qapp: object) -> None:
    tcp_server = QTcpServer()
    assert tcp_server.listen(LOCAL, 0)
    ws_server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    taken: list[QWebSocket] = []

    def on_tcp() -> None:
        ws_server.handleConnection(tcp_server.nextPendingConnection())

    def on_ws() -> None:
        ws = ws_server.nextPendingConnection()
        taken.append(ws)
        ws.textMessageReceived.connect(
            lambda m: ws.sendTextMessage("hello") if m == "dummy" else None
        )

    tcp_server.newConnection.connect(on_tcp)
    ws_server.newConnection.connect(on_ws)
    client = connect_client(f"ws://127.0.0.1:{tcp_server.serverPort()}/")
    log = WsLog(client)
    assert wait_until(client.isValid)
    client.sendTextMessage("dummy")
    assert wait_until(lambda: log.of("textMessageReceived") == [["hello"]])
    assert wait_until(lambda: taken and taken[0].bytesToWrite() == 0)
    taken[0].sendTextMessage("hello")
    assert taken[0].bytesToWrite() > 5  # payload plus header, not yet sent
    assert wait_until(lambda: taken[0].bytesToWrite() == 0)
    assert wait_until(lambda: len(log.of("textMessageReceived")) == 2)


def test_multiple_frames_in_one_read(qapp: object) -> None:
    server, sockets = echo_server()
    got: list[bytes] = []
    raw = RawPeer(server.serverPort())
    raw.send(handshake_request(server.serverPort()))
    assert wait_until(lambda: len(sockets) == 1)
    sockets[0].binaryMessageReceived.connect(lambda m: got.append(bytes(m)))
    raw.send(b"".join(client_frame(2, b"abc") for _ in range(10)))
    assert wait_until(lambda: len(got) == 10)
    assert got == [b"abc"] * 10


def test_frames_sent_with_the_handshake_reach_the_program(qapp: object) -> None:
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    got: list[str] = []

    def on_new() -> None:
        ws = server.nextPendingConnection()
        ws.textMessageReceived.connect(got.append)

    server.newConnection.connect(on_new)
    assert server.listen(LOCAL, 0)
    raw = RawPeer(server.serverPort())
    raw.send(handshake_request(server.serverPort()) + client_frame(1, b"early"))
    assert wait_until(lambda: got == ["early"])


# -- the handshake reply and its failures ------------------------------------------------------------
def test_accept_response_lines(qapp: object) -> None:
    server = QWebSocketServer("MySrv", QWebSocketServer.NonSecureMode)
    server.setSupportedSubprotocols(["chat", "superchat"])
    assert server.listen(LOCAL, 0)
    raw = RawPeer(server.serverPort())
    raw.send(
        handshake_request(
            server.serverPort(),
            extra=("Origin: http://example.com", "Sec-WebSocket-Protocol: foo, superchat, chat"),
        )
    )
    assert raw.wait_data(b"\r\n\r\n")
    lines = raw.head_and_rest()[0].decode().split("\r\n")
    assert lines[:8] == [
        "HTTP/1.1 101 Switching Protocols",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Accept: {accept_key(KEY)}",
        "Sec-WebSocket-Protocol: superchat",
        "Server: MySrv",
        "Access-Control-Allow-Credentials: false",
        "Access-Control-Allow-Methods: GET",
    ]
    assert lines[8:11] == [
        "Access-Control-Allow-Headers: content-type",
        "Access-Control-Allow-Origin: http://example.com",
        lines[10],
    ]
    assert lines[10].startswith("Date: ") and lines[10].endswith(" GMT")
    assert email.utils.parsedate_to_datetime(lines[10][6:]) is not None
    assert lines[11:] == ["", ""]


@pytest.mark.parametrize(
    "request_kind",
    ["wrong-upgrade", "post", "plain-get", "no-key", "short-key", "no-host", "http-1.0", "garbage"],
)
def test_malformed_request_is_closed_without_reply(qapp: object, request_kind: str) -> None:
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    errors = counter(server.serverError)
    assert server.listen(LOCAL, 0)
    port = server.serverPort()
    data = {
        "wrong-upgrade": handshake_request(port, replace={"Upgrade": "ftp"}),
        "post": handshake_request(port, method="POST"),
        "plain-get": f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode(),
        "no-key": handshake_request(port, drop=("Sec-WebSocket-Key",)),
        "short-key": handshake_request(port, replace={"Sec-WebSocket-Key": "abc"}),
        "no-host": handshake_request(port, drop=("Host",)),
        "http-1.0": handshake_request(port).replace(b"HTTP/1.1", b"HTTP/1.0", 1),
        "garbage": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    }[request_kind]
    raw = RawPeer(port)
    raw.send(data)
    assert raw.wait_closed()
    assert raw.data == b""  # no HTTP response at all
    assert [int(e[0]) for e in errors] == [1002]
    assert server.errorString() == "Invalid handshake request."


def test_unsupported_version_gets_400(qapp: object) -> None:
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    errors = counter(server.serverError)
    assert server.listen(LOCAL, 0)
    raw = RawPeer(server.serverPort())
    raw.send(handshake_request(server.serverPort(), replace={"Sec-WebSocket-Version": "8"}))
    assert raw.wait_closed()
    assert raw.data == b"HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\n\r\n"
    assert [int(e[0]) for e in errors] == [1002]
    assert server.errorString() == "Unsupported version requested."


def test_refused_origin_gets_403_and_qt_client_error(qapp: object) -> None:
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    errors, new = counter(server.serverError), counter(server.newConnection)
    origins: list[str] = []

    def check(auth: QWebSocketCorsAuthenticator) -> None:
        origins.append(auth.origin())
        assert auth.allowed()
        auth.setAllowed(False)

    server.originAuthenticationRequired.connect(check)
    assert server.listen(LOCAL, 0)
    raw = RawPeer(server.serverPort())
    raw.send(handshake_request(server.serverPort(), extra=("Origin: http://evil.example",)))
    assert raw.wait_closed()
    assert raw.data == b"HTTP/1.1 403 Access Forbidden\r\n\r\n"
    assert origins == ["http://evil.example"]
    assert [int(e[0]) for e in errors] == [1008]
    assert server.errorString() == "Access forbidden."
    client = QWebSocket()
    connected = counter(client.connected)
    client_errors = counter(client.errorOccurred)
    client.open(server.serverUrl())
    assert wait_until(lambda: len(client_errors) == 1)
    assert client.errorString() == (
        "QWebSocketPrivate::processHandshake: Unhandled http status code: 403 (Access Forbidden)."
    )
    assert int(client_errors[0][0]) == 0  # ConnectionRefusedError
    assert wait_until(lambda: not client.isValid() and int(client.state()) == 0)
    assert connected == [] and new == []
    assert len(errors) == 1  # same code and text again: Qt emits serverError only on a change


def test_header_too_large(qapp: object) -> None:
    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    errors = counter(server.serverError)
    assert server.listen(LOCAL, 0)
    raw = RawPeer(server.serverPort())
    filler = tuple(f"X-Filler-{i}: {'a' * 1000}" for i in range(90))
    try:
        raw.send(handshake_request(server.serverPort(), extra=filler))
    except OSError:
        pass  # the server may close before it read everything
    assert raw.wait_closed()
    assert raw.data == b""
    assert [int(e[0]) for e in errors] == [1009]
    assert server.errorString() == "Header is too large."


def test_handshake_timeout(qapp: object) -> None:
    server, sockets = echo_server()
    server.setHandshakeTimeout(300)
    errors = counter(server.serverError)
    created = time.monotonic()
    raws = [RawPeer(server.serverPort()) for _ in range(10)]
    slow = RawPeer(server.serverPort())
    slow.send(handshake_request(server.serverPort())[:20])  # starts, never finishes
    client = connect_client(server.serverUrl())  # a real client is served meanwhile
    assert wait_until(client.isValid)
    closed_at: dict[int, float] = {}

    def poll_all() -> bool:
        for i, peer in enumerate([*raws, slow]):
            if i not in closed_at and peer.poll():
                closed_at[i] = time.monotonic() - created
        return len(closed_at) == len(raws) + 1

    assert wait_until(poll_all, 5000)
    assert min(closed_at.values()) >= 0.27  # not before the timeout...
    assert max(closed_at.values()) < 4.0  # ...and not much after it
    assert all(r.data == b"" for r in [*raws, slow])
    assert errors == []
    settle(400)
    assert client.isValid()  # a finished handshake is not cut by the timer
    off, off_sockets = echo_server()
    off.setHandshakeTimeout(-1)
    lingering = RawPeer(off.serverPort())
    settle(200)
    assert not lingering.poll()
    late = connect_client(off.serverUrl())
    assert wait_until(late.isValid)


# -- permessage-deflate (qtnet extension) ---------------------------------------------------------------
def test_permessage_deflate_negotiation(qapp: object) -> None:
    offer = ("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",)
    plain, _ = echo_server()
    raw = RawPeer(plain.serverPort())
    raw.send(handshake_request(plain.serverPort(), extra=offer))
    assert raw.wait_data(b"\r\n\r\n")
    assert b"Sec-WebSocket-Extensions" not in raw.data  # off unless the server enables it
    server, sockets = echo_server()
    server.setPerMessageDeflate(True)
    raw2 = RawPeer(server.serverPort())
    raw2.send(handshake_request(server.serverPort()))
    assert raw2.wait_data(b"\r\n\r\n")
    assert b"Sec-WebSocket-Extensions" not in raw2.data  # the client did not offer it
    opts = QWebSocketHandshakeOptions()
    opts.setPerMessageDeflate(True)
    client = QWebSocket()
    client.open(server.serverUrl(), opts)
    log = WsLog(client)
    assert wait_until(client.isValid)
    assert client.extension().startswith("permessage-deflate")
    text = "compressible " * 500
    client.sendTextMessage(text)
    client.sendBinaryMessage(b"\x00" * 100000)
    assert wait_until(
        lambda: (
            len(log.of("textMessageReceived")) == 1 and len(log.of("binaryMessageReceived")) == 1
        )
    )
    assert log.of("textMessageReceived") == [[text]]
    assert log.of("binaryMessageReceived")[0][0] == "\x00" * 100000
    assert sockets[-1].extension().startswith("permessage-deflate")


# -- async helper ------------------------------------------------------------------------------------
def test_accepted_coroutine(qapp: object) -> None:
    from qtnet.iocore.loops import current_thread_data

    server = QWebSocketServer("", QWebSocketServer.NonSecureMode)
    assert server.listen(LOCAL, 0)

    async def main() -> tuple[str, str]:
        client = QWebSocket()
        opening = asyncio.ensure_future(client.open_async(server.serverUrl()))
        ws = await asyncio.wait_for(server.accepted(), 5)
        await asyncio.wait_for(opening, 5)
        client.sendTextMessage("ping")
        first = await asyncio.wait_for(ws.receive(), 5)
        ws.sendTextMessage("pong")
        second = await asyncio.wait_for(client.receive(), 5)
        client.close()
        await asyncio.wait_for(client.wait_closed(), 5)
        return str(first), str(second)

    loop = current_thread_data().loop()
    assert loop.run_until_complete(main()) == ("ping", "pong")


# -- the example programs ---------------------------------------------------------------------------------
def test_echo_server_and_client_commands() -> None:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qtnet.cli.main",
            "ws-echo-server",
            "--port",
            "0",
            "--host",
            "127.0.0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("Echo server listening on port "), line + (
            server.stderr.read() if server.poll() is not None else ""
        )
        port = line.split()[5]
        client = subprocess.run(
            [
                sys.executable,
                "-m",
                "qtnet.cli.main",
                "ws-echo-client",
                "-n",
                "127.0.0.1",
                "-p",
                port,
                "-m",
                "héllo wörld",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert client.returncode == 0, client.stderr
        assert client.stdout.strip() == "Message received: héllo wörld"
    finally:
        server.terminate()
        server.wait(10)
