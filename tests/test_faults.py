"""Faults (issue 8): peers that die, reset or go away at the worst moment.

The qtnet side must see Qt's error (``RemoteHostClosedError``) and
``disconnected``, never hang, and a server must keep serving others.  Peers
that must die abruptly run in a subprocess killed with SIGKILL.  (The server's
own fd limit is covered by test_tcp_faults.test_fd_exhaustion_while_accepting.)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from hostile_helpers import linger_zero
from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401
from qtnet import QAbstractSocket, QHostAddress, QTcpServer, QTcpSocket, QUrl, QWebSocket
from ssl_helpers import EchoServer, Pki, client_socket
from tcp_helpers import SignalLog, connected_pair, listening_server
from ws_helpers import RawPeer, echo_server, handshake_request

SE = QAbstractSocket.SocketError
MB = 1024 * 1024

# A peer process: connects, then either writes forever or reads slowly, and
# prints "ready" once the traffic is flowing.  It is SIGKILLed by the test.
_PEER = r"""
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
print("ready", flush=True)
deadline = time.monotonic() + 30          # bounded even if nobody kills it
if mode == "write":
    chunk = b"w" * 65536
    while time.monotonic() < deadline:
        s.sendall(chunk)
else:
    while time.monotonic() < deadline:
        if not s.recv(1024):
            break
        time.sleep(0.05)                  # slow reader: our writes back up
"""


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


def _spawn_peer(port: int, mode: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _PEER, str(port), mode], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    return proc


def _accept_one(server: QTcpServer) -> QTcpSocket:
    assert wait_until(server.hasPendingConnections, 10000)
    sock = server.nextPendingConnection()
    assert sock is not None
    return sock


def test_peer_sigkilled_while_writing_to_us(qapp: object) -> None:
    server = listening_server()
    proc = _spawn_peer(server.serverPort(), "write")
    try:
        sock = _accept_one(server)
        log = SignalLog(sock)
        received = [0]
        sock.readyRead.connect(lambda: received.__setitem__(0, received[0] + len(sock.readAll())))
        assert wait_until(lambda: received[0] > MB, 10000)
        os.kill(proc.pid, signal.SIGKILL)
        assert wait_until(lambda: "disconnected" in log.names(), 10000), log.events
        # The kernel closes a killed process's socket with FIN (nothing unread
        # on its side): Qt reports it as RemoteHostClosedError.
        assert ("error", "RemoteHostClosedError", "ConnectedState") in log.events
        assert sock.state() == QAbstractSocket.UnconnectedState
    finally:
        proc.kill()
        proc.wait(10)
        server.close()


def test_peer_sigkilled_while_reading_from_us(qapp: object) -> None:
    server = listening_server()
    proc = _spawn_peer(server.serverPort(), "read")
    try:
        sock = _accept_one(server)
        log = SignalLog(sock)
        sock.write(b"r" * (32 * MB))  # far more than the kernel buffers take
        assert wait_until(lambda: sock.bytesToWrite() < 32 * MB, 10000)
        settle(100)
        assert sock.bytesToWrite() > 0  # still backed up when the reader dies
        os.kill(proc.pid, signal.SIGKILL)
        # Unread data in the dead reader's buffer: its kernel answers with RST.
        assert wait_until(lambda: "disconnected" in log.names(), 10000), log.events
        errors = [e for e in log.events if e[0] == "error"]
        assert errors and errors[0][1] == "RemoteHostClosedError", log.events
        assert sock.state() == QAbstractSocket.UnconnectedState
        assert sock.bytesToWrite() == 0
    finally:
        proc.kill()
        proc.wait(10)
        server.close()


def test_rst_during_tls_handshake_server_side(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.server)
    raw = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
    # The start of a TLS record (handshake, TLS 1.0 record version), then RST.
    raw.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 20)
    settle(100)
    linger_zero(raw)
    raw.close()
    settle(300)
    assert srv.sockets == []  # never became a pending (encrypted) connection
    # The server keeps serving a real TLS client.
    client = client_socket(pki)
    got = bytearray()
    client.readyRead.connect(lambda: got.extend(bytes(client.readAll())))
    client.connectToHostEncrypted("127.0.0.1", srv.port)
    assert wait_until(client.isEncrypted, 10000), client.errorString()
    client.write(b"after the reset")
    assert wait_until(lambda: bytes(got) == b"after the reset", 5000)
    client.close()
    srv.close()


def test_rst_during_tls_handshake_client_side(qapp: object, pki: Pki) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    client = client_socket(pki)
    log = SignalLog(client)
    client.connectToHostEncrypted("127.0.0.1", port)
    listener.settimeout(5)
    accepted_box: list[socket.socket] = []
    assert wait_until(lambda: _try_accept(listener, accepted_box), 5000)
    conn = accepted_box[0]
    assert wait_until(lambda: _readable(conn), 5000)  # the ClientHello arrived
    linger_zero(conn)
    conn.close()
    assert wait_until(lambda: "disconnected" in log.names(), 10000), log.events
    assert not client.isEncrypted()
    errors = [e for e in log.events if e[0] == "error"]
    assert errors and errors[0][1] in ("RemoteHostClosedError", "SslHandshakeFailedError"), errors
    listener.close()


def _try_accept(listener: socket.socket, box: list[socket.socket]) -> bool:
    listener.setblocking(False)
    try:
        conn, _ = listener.accept()
    except BlockingIOError:
        return False
    conn.setblocking(False)
    box.append(conn)
    return True


def _readable(conn: socket.socket) -> bool:
    try:
        return bool(conn.recv(1, socket.MSG_PEEK))
    except BlockingIOError:
        return False


def test_rst_during_websocket_handshake(qapp: object) -> None:
    server, sockets = echo_server()
    errors: list[int] = []
    server.serverError.connect(lambda code: errors.append(int(code)))
    port = server.serverPort()
    peers = []
    for cut in (0, 10, len(handshake_request(port)) - 2):
        peer = RawPeer(port)
        if cut:
            peer.send(handshake_request(port)[:cut])
        settle(20)
        linger_zero(peer.sock)
        peer.close()
        peers.append(peer)
    settle(300)
    assert sockets == []
    # The server still serves.
    client = QWebSocket()
    got: list[str] = []
    client.textMessageReceived.connect(got.append)
    client.open(QUrl(f"ws://127.0.0.1:{port}/"))
    assert wait_until(client.isValid, 5000), client.errorString()
    client.sendTextMessage("ok")
    assert wait_until(lambda: got == ["ok"], 5000)
    client.close()
    server.close()


def test_rst_during_websocket_handshake_client_side(qapp: object) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    client = QWebSocket()
    errors: list[int] = []
    disconnected: list[bool] = []
    client.errorOccurred.connect(lambda e: errors.append(int(e)))
    client.disconnected.connect(lambda: disconnected.append(True))
    client.open(QUrl(f"ws://127.0.0.1:{port}/"))
    box: list[socket.socket] = []
    assert wait_until(lambda: _try_accept(listener, box), 5000)
    assert wait_until(lambda: _readable(box[0]), 5000)  # the request arrived
    box[0].send(b"HTTP/1.1 101 Switching Protocols\r\nUpgr")  # half a reply, then RST
    linger_zero(box[0])
    box[0].close()
    assert wait_until(lambda: bool(disconnected), 10000)
    assert errors and errors[0] == int(SE.RemoteHostClosedError), errors
    assert not client.isValid()
    listener.close()


def test_server_close_keeps_accepted_sockets_working(qapp: object) -> None:
    server = listening_server()
    pairs = [connected_pair(server) for _ in range(5)]
    port = server.serverPort()
    server.close()
    assert not server.isListening()
    # New connections are refused ...
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    # ... but every connection accepted before close() still works both ways.
    for i, (client, accepted) in enumerate(pairs):
        assert accepted.state() == QAbstractSocket.ConnectedState
        client.write(b"to server %d" % i)
        assert wait_until(lambda a=accepted: a.bytesAvailable() >= 11, 5000)
        assert bytes(accepted.readAll()) == b"to server %d" % i
        accepted.write(b"to client %d" % i)
        assert wait_until(lambda c=client: c.bytesAvailable() >= 11, 5000)
        assert bytes(client.readAll()) == b"to client %d" % i
    for client, accepted in pairs:
        client.close()
        accepted.close()


def test_server_close_drops_connections_not_yet_taken(qapp: object) -> None:
    # Qt's close() deletes the pending (accepted but never taken with
    # nextPendingConnection()) sockets: their peers see the connection end.
    server = QTcpServer()
    announced = [0]
    server.newConnection.connect(lambda: announced.__setitem__(0, announced[0] + 1))
    assert server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
    taken_client, taken = connected_pair(server)
    raws = [RawPeer(server.serverPort()) for _ in range(3)]
    assert wait_until(lambda: announced[0] == 4, 5000)
    server.close()
    assert server.nextPendingConnection() is None
    for raw in raws:
        assert raw.wait_closed(5000)
        raw.close()
    # The one taken before close() is unaffected.
    taken_client.write(b"ping")
    assert wait_until(lambda: taken.bytesAvailable() == 4, 5000)
    taken.write(bytes(taken.readAll()))
    assert wait_until(lambda: taken_client.bytesAvailable() == 4, 5000)
    taken_client.close()
    taken.close()


def test_disconnect_from_host_flushes_10_mb_before_fin(qapp: object) -> None:
    server = listening_server()
    payload = bytes(range(256)) * (10 * MB // 256)
    got = bytearray()
    done = threading.Event()
    errors: list[BaseException] = []

    def reader(port: int) -> None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
                time.sleep(0.3)  # let the writer queue everything first
                while True:
                    chunk = s.recv(262144)
                    if not chunk:  # FIN: must come after every byte
                        break
                    got.extend(chunk)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            done.set()

    t = threading.Thread(target=reader, args=(server.serverPort(),))
    t.start()
    sock = _accept_one(server)
    log = SignalLog(sock)
    sock.write(payload)
    sock.disconnectFromHost()
    # Qt: ClosingState until the queue is flushed, then disconnected.
    assert sock.state() in (QAbstractSocket.ClosingState, QAbstractSocket.UnconnectedState)
    assert wait_until(done.is_set, 30000)
    t.join(5)
    assert errors == []
    assert len(got) == len(payload) and bytes(got) == payload
    assert wait_until(lambda: "disconnected" in log.names(), 5000)
    assert not [e for e in log.events if e[0] == "error"], log.events
    server.close()
