"""QTcpServer against the rows of Qt's tst_qtcpserver (qt-autotests.md §1).

Expected values come from Qt's autotests and from PySide6 6.12 runs recorded
while building qtnet (see the module docstring of qtnet/qt/tcpserver.py).
Every test uses loopback and port 0 unless the row is about a fixed port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401
from qtnet import QAbstractSocket, QHostAddress, QNetworkProxy, QTcpServer, QTcpSocket
from tcp_helpers import connected_pair, listening_server

SA = QHostAddress.SpecialAddress
SE = QAbstractSocket.SocketError


def test_get_set_check(qapp: object) -> None:
    server = QTcpServer()
    for value in (0, 1, 2, -(2**31), 2**31 - 1, 30):
        server.setMaxPendingConnections(value)
        assert server.maxPendingConnections() == value


def test_constructing_defaults(qapp: object) -> None:
    server = QTcpServer()
    assert not server.isListening()
    assert server.serverPort() == 0
    assert server.serverAddress().isNull()
    assert server.serverAddress() == QHostAddress()
    assert server.maxPendingConnections() == 30
    assert server.listenBacklogSize() == 50
    assert not server.hasPendingConnections()
    assert server.nextPendingConnection() is None
    assert server.socketDescriptor() == -1
    assert server.serverError() == SE.UnknownSocketError
    assert server.serverError() == -1
    assert server.errorString() == ""  # QTcpSocket says "Unknown error"; the server ""
    assert server.proxy().type() == QNetworkProxy.ProxyType.DefaultProxy


def test_client_server_loop(qapp: object) -> None:
    server = QTcpServer()
    new_connections: list[int] = []
    server.newConnection.connect(lambda: new_connections.append(1))
    assert server.listen(SA.Any, 0)
    assert server.isListening()
    client = QTcpSocket()
    client.connectToHost(QHostAddress(SA.LocalHost), server.serverPort())
    ok, timed_out = server.waitForNewConnection(5000)
    assert (ok, timed_out) == (True, False)
    assert new_connections == [1]
    peer = server.nextPendingConnection()
    assert peer is not None
    assert peer.state() == QAbstractSocket.SocketState.ConnectedState
    assert peer.parent() is server
    assert client.waitForConnected(5000)

    assert peer.write(b"Greetings, client!\n") == 19
    assert peer.waitForBytesWritten(5000)
    assert client.waitForReadyRead(5000)
    assert client.readAll() == b"Greetings, client!\n"

    assert client.write(b"Well, hello to you!\n") == 20
    assert client.waitForBytesWritten(5000)
    assert peer.waitForReadyRead(5000)
    assert peer.readLine() == b"Well, hello to you!\n"
    assert new_connections == [1]


def test_ipv6_server(qapp: object) -> None:
    server = QTcpServer()
    if not server.listen(SA.LocalHostIPv6, 0):
        assert server.serverError() == SE.UnsupportedSocketOperationError
        return
    assert server.serverPort() > 0
    assert server.serverAddress() == QHostAddress(SA.LocalHostIPv6)
    client = QTcpSocket()
    client.connectToHost("::1", server.serverPort())
    assert server.waitForNewConnection(5000) == (True, False)
    peer = server.nextPendingConnection()
    assert peer is not None
    assert peer.peerAddress() == QHostAddress("::1")


@pytest.mark.parametrize(
    ("bind", "v4_ok", "v6_ok"),
    [(SA.Any, True, True), (SA.AnyIPv4, True, False), (SA.AnyIPv6, False, True)],
)
def test_dual_stack(qapp: object, bind: SA, v4_ok: bool, v6_ok: bool) -> None:
    server = QTcpServer()
    assert server.listen(bind, 0)
    # The other family's port is reserved here (bound, never listening) so that
    # "refused" cannot turn into a connection to some other program on this box.
    for _attempt in range(20):
        guard = _reserve_other_family(bind, server.serverPort())
        if guard is not None:
            break
        server.close()
        assert server.listen(bind, 0)
    try:
        for host, expected in (("127.0.0.1", v4_ok), ("::1", v6_ok)):
            client = QTcpSocket()
            client.connectToHost(host, server.serverPort())
            assert client.waitForConnected(5000) is expected, (host, client.errorString())
            if expected:
                assert server.waitForNewConnection(5000) == (True, False)
                assert server.nextPendingConnection() is not None
            else:
                assert client.error() == SE.ConnectionRefusedError
            client.abort()
    finally:
        if guard is not None:
            guard.close()


def _reserve_other_family(bind: SA, port: int) -> socket.socket | None:
    if bind == SA.AnyIPv6:
        family, host = socket.AF_INET, "0.0.0.0"
    elif bind == SA.AnyIPv4:
        family, host = socket.AF_INET6, "::"
    else:
        return socket.socket()  # Any: both families are the server's
    s = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    try:
        s.bind((host, port))
    except OSError:
        s.close()
        return None
    return s


def test_ipv6_server_mapped(qapp: object) -> None:
    server = listening_server(SA.LocalHost)
    for host in ("127.0.0.1", "::ffff:127.0.0.1", "::ffff:7F00:0001"):
        client = QTcpSocket()
        client.connectToHost(host, server.serverPort())
        assert server.waitForNewConnection(5000) == (True, False), host
        peer = server.nextPendingConnection()
        assert peer is not None
        assert peer.peerAddress() == QHostAddress(SA.LocalHost)
        client.abort()
    client = QTcpSocket()
    client.connectToHost("::1", server.serverPort())
    assert server.waitForNewConnection(300) == (False, True)
    assert not server.hasPendingConnections()


def test_crash_tests_close_before_listen(qapp: object) -> None:
    server = QTcpServer()
    server.close()
    assert server.listen()
    assert server.isListening()
    server.close()
    server.close()
    assert not server.isListening()


def test_max_pending_connections(qapp: object) -> None:
    server = QTcpServer()
    signals: list[int] = []
    server.newConnection.connect(lambda: signals.append(1))
    server.setMaxPendingConnections(2)
    assert server.listen(SA.LocalHost, 0)
    clients = []
    for _ in range(3):
        c = QTcpSocket()
        c.connectToHost("127.0.0.1", server.serverPort())
        assert c.waitForConnected(5000)  # the kernel completes the handshake anyway
        clients.append(c)
    assert wait_until(lambda: len(signals) >= 2)
    settle(100)
    assert len(signals) == 2
    assert server.nextPendingConnection() is not None
    assert server.nextPendingConnection() is not None
    assert server.nextPendingConnection() is None
    assert server.waitForNewConnection(5000) == (True, False)
    assert server.hasPendingConnections()
    assert len(signals) == 3


def test_listen_error_address_not_available(qapp: object) -> None:
    server = QTcpServer()
    assert not server.listen(QHostAddress("1.2.3.4"), 0)
    assert server.serverError() == SE.SocketAddressNotAvailableError
    assert int(server.serverError()) == 9
    assert server.errorString() == "The address is not available"
    assert not server.isListening()
    assert server.serverPort() == 0
    assert server.serverAddress().isNull()


def test_wait_for_new_connection_timeouts(qapp: object) -> None:
    server = listening_server()
    start = time.monotonic()
    assert server.waitForNewConnection(200) == (False, True)
    assert time.monotonic() - start >= 0.19
    assert server.serverError() == SE.SocketTimeoutError
    assert server.errorString() == "Network operation timed out"

    port = server.serverPort()
    clients: list[socket.socket] = []
    late = threading.Timer(
        0.3, lambda: clients.append(socket.create_connection(("127.0.0.1", port)))
    )
    late.start()
    try:
        assert server.waitForNewConnection(5000) == (True, False)
    finally:
        late.join()
        for c in clients:
            c.close()
    assert server.hasPendingConnections()


def test_wait_for_new_connection_not_listening(qapp: object) -> None:
    server = QTcpServer()
    assert server.waitForNewConnection(10) == (False, False)
    assert server.waitForNewConnection() == (False, False)
    assert server.serverError() == SE.UnknownSocketError


def test_set_socket_descriptor(qapp: object) -> None:
    # A descriptor number that is not open.
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    server = QTcpServer()
    assert not server.setSocketDescriptor(r)
    assert server.serverError() == SE.UnsupportedSocketOperationError
    assert server.errorString() == "Invalid socket descriptor"
    # Not a socket at all.
    with open(__file__, "rb") as f:
        server = QTcpServer()
        assert not server.setSocketDescriptor(f.fileno())
        assert server.serverError() == SE.UnsupportedSocketOperationError
        os.fstat(f.fileno())  # still open: a refused descriptor is not taken over
    # A native socket already bound and listening is adopted.
    native = socket.socket()
    native.bind(("127.0.0.1", 0))
    native.listen(5)
    server = QTcpServer()
    assert server.setSocketDescriptor(native.detach())
    assert server.isListening()
    assert server.serverAddress() == QHostAddress(SA.LocalHost)
    with pytest.warns(
        RuntimeWarning, match=r"QTcpServer::setSocketDescriptor\(\) called when already listening"
    ):
        assert not server.setSocketDescriptor(server.socketDescriptor())
    client = QTcpSocket()
    client.connectToHost("127.0.0.1", server.serverPort())
    assert server.waitForNewConnection(5000) == (True, False)
    assert server.nextPendingConnection() is not None


def test_set_socket_descriptor_dual_stack_reports_any(qapp: object) -> None:
    native = socket.socket(socket.AF_INET6)
    native.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    native.bind(("::", 0))
    native.listen(5)
    server = QTcpServer()
    assert server.setSocketDescriptor(native.detach())
    assert server.serverAddress() == QHostAddress(SA.Any)
    assert server.serverAddress().toString() == "0.0.0.0"


def test_set_socket_descriptor_minus_one(qapp: object) -> None:
    server = QTcpServer()
    assert not server.setSocketDescriptor(-1)
    assert server.serverError() == SE.UnknownSocketError
    assert server.errorString() == "Unknown error"


def test_listen_while_listening(qapp: object) -> None:
    server = listening_server()
    port = server.serverPort()
    with pytest.warns(
        RuntimeWarning, match=r"^QTcpServer::listen\(\) called when already listening$"
    ):
        assert not server.listen()
    assert server.isListening()
    assert server.serverPort() == port
    assert server.serverError() == SE.UnknownSocketError


# A qtnet server in a child process (Qt's test runs a crashing Qt server).
_HOLDER = textwrap.dedent(
    """
    import time
    from qtnet import QHostAddress, QTcpServer
    server = QTcpServer()
    assert server.listen(QHostAddress.LocalHost, 0)
    print(server.serverPort(), flush=True)
    assert server.waitForNewConnection(30000)[0]
    peer = server.nextPendingConnection()
    peer.write(b"x")
    assert peer.waitForBytesWritten(30000)
    time.sleep(60)
    """
)


def test_address_reusable_after_crash(qapp: object) -> None:
    # A child process holding the port (with an established connection) dies by
    # SIGKILL; the connection lingers in TIME_WAIT, yet listen() works again
    # because QTcpServer sets SO_REUSEADDR.
    child = subprocess.Popen([sys.executable, "-c", _HOLDER], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        client = socket.create_connection(("127.0.0.1", port))
        assert client.recv(1) == b"x"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        if child.stdout is not None:
            child.stdout.close()
    client.close()
    server = QTcpServer()
    assert server.listen(SA.LocalHost, port), server.errorString()
    assert server.serverPort() == port


def test_set_new_socket_descriptor_blocking(qapp: object) -> None:
    received: list[int] = []

    class Server(QTcpServer):
        def incomingConnection(self, handle: int) -> None:  # noqa: N802
            assert isinstance(handle, int)
            received.append(handle)
            os.set_blocking(handle, True)
            assert os.get_blocking(handle)
            os.close(handle)

    server = Server()
    assert server.listen(SA.LocalHost, 0)
    client = QTcpSocket()
    client.connectToHost("127.0.0.1", server.serverPort())
    assert client.waitForConnected(5000)
    assert wait_until(lambda: bool(received))
    assert not server.hasPendingConnections()  # the override queued nothing
    # The override closed the descriptor: the client sees the remote close.
    assert wait_until(lambda: client.state() == QAbstractSocket.SocketState.UnconnectedState)
    assert client.error() == SE.RemoteHostClosedError


def test_eagain_blocking_accept(qapp: object) -> None:
    server = listening_server()
    signals: list[float] = []
    server.newConnection.connect(lambda: signals.append(time.monotonic()))
    for expected in (1, 2):
        client = QTcpSocket()
        client.connectToHost("127.0.0.1", server.serverPort())
        assert wait_until(lambda n=expected: len(signals) == n, 5000)
        assert server.nextPendingConnection() is not None


def test_can_access_pending_connections_while_not_listening(qapp: object) -> None:
    server = QTcpServer()
    sock = QTcpSocket()
    server.addPendingConnection(sock)
    assert server.hasPendingConnections()
    with pytest.warns(
        RuntimeWarning, match=r"nextPendingConnection\(\) called while not listening"
    ):
        assert server.nextPendingConnection() is sock
    assert server.nextPendingConnection() is None


def test_pause_accepting(qapp: object) -> None:
    server = listening_server()
    signals: list[int] = []
    server.newConnection.connect(lambda: signals.append(1))
    clients = [QTcpSocket() for _ in range(6)]
    clients[0].connectToHost("127.0.0.1", server.serverPort())
    assert wait_until(lambda: len(signals) == 1)
    server.pauseAccepting()
    for c in clients[1:]:
        c.connectToHost("127.0.0.1", server.serverPort())
    assert not wait_until(lambda: len(signals) > 1, 400)
    assert all(c.state() == QAbstractSocket.SocketState.ConnectedState for c in clients[1:])
    server.resumeAccepting()
    assert wait_until(lambda: len(signals) == 6)
    settle(50)
    assert len(signals) == 6


def test_pending_connection_available(qapp: object) -> None:
    server = listening_server()
    pca: list[int] = []
    newc: list[int] = []
    server.pendingConnectionAvailable.connect(lambda: pca.append(1))
    server.newConnection.connect(lambda: newc.append(1))
    client = QTcpSocket()
    client.connectToHost("127.0.0.1", server.serverPort())
    assert wait_until(lambda: len(newc) == 1)
    assert pca == [1]

    held: list[int] = []

    class Deferring(QTcpServer):
        def incomingConnection(self, handle: int) -> None:  # noqa: N802
            held.append(handle)

    deferring = Deferring()
    d_pca: list[int] = []
    d_new: list[int] = []
    deferring.pendingConnectionAvailable.connect(lambda: d_pca.append(1))
    deferring.newConnection.connect(lambda: d_new.append(1))
    assert deferring.listen(SA.LocalHost, 0)
    client2 = QTcpSocket()
    client2.connectToHost("127.0.0.1", deferring.serverPort())
    assert wait_until(lambda: len(d_new) == 1)
    assert d_pca == []
    sock = QTcpSocket(deferring)
    assert sock.setSocketDescriptor(held[0])
    deferring.addPendingConnection(sock)
    assert d_pca == [1]
    assert deferring.nextPendingConnection() is sock


def test_signal_order_incoming_connection(qapp: object) -> None:
    # PySide6: incomingConnection → pendingConnectionAvailable (from addPendingConnection)
    # → newConnection.
    order: list[str] = []

    class Server(QTcpServer):
        def incomingConnection(self, handle: int) -> None:  # noqa: N802
            order.append("incomingConnection")
            sock = QTcpSocket(self)
            sock.setSocketDescriptor(handle)
            self.addPendingConnection(sock)
            order.append("after add")

    server = Server()
    server.pendingConnectionAvailable.connect(lambda: order.append("pendingConnectionAvailable"))
    server.newConnection.connect(lambda: order.append("newConnection"))
    assert server.listen(SA.LocalHost, 0)
    client = QTcpSocket()
    client.connectToHost("127.0.0.1", server.serverPort())
    assert wait_until(lambda: "newConnection" in order)
    assert order == [
        "incomingConnection",
        "pendingConnectionAvailable",
        "after add",
        "newConnection",
    ]
    assert server.nextPendingConnection().parent() is server


@pytest.mark.parametrize(
    ("address", "expected", "text"),
    [
        (SA.Any, SA.Any, "0.0.0.0"),
        (SA.AnyIPv4, SA.AnyIPv4, "0.0.0.0"),
        (SA.AnyIPv6, SA.AnyIPv6, "::"),
        (SA.LocalHost, SA.LocalHost, "127.0.0.1"),
        (SA.LocalHostIPv6, SA.LocalHostIPv6, "::1"),
    ],
)
def test_server_address(qapp: object, address: SA, expected: SA, text: str) -> None:
    server = QTcpServer()
    assert server.listen(address, 0)
    assert server.serverAddress() == QHostAddress(expected)
    assert server.serverAddress().toString() == text
    server.close()
    assert server.serverAddress().isNull()
    assert server.serverPort() == 0


@pytest.mark.parametrize(
    "address", [SA.Any, SA.AnyIPv4, SA.AnyIPv6, SA.LocalHost, SA.LocalHostIPv6]
)
def test_qtbug6305_second_server_same_port(qapp: object, address: SA) -> None:
    first = QTcpServer()
    assert first.listen(address, 0)
    second = QTcpServer()
    assert not second.listen(address, first.serverPort())
    assert second.serverError() == SE.AddressInUseError
    assert int(second.serverError()) == 8
    assert second.errorString() == "The bound address is already in use"
    assert not second.isListening()
    assert second.serverPort() == 0


def test_qtbug14268_peek(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    expected = b""
    for chunk in (b"abc\n", b"def\n", b"ghi\n"):
        client.write(chunk)
        assert client.waitForBytesWritten(5000)
        expected += chunk
        assert wait_until(lambda e=expected: peer.bytesAvailable() == len(e))
        assert peer.peek(100) == expected  # peek never consumes
        assert peer.bytesAvailable() == len(expected)


def test_listen_with_unsupported_proxy(qapp: object) -> None:
    server = QTcpServer()
    server.setProxy(QNetworkProxy(QNetworkProxy.ProxyType.HttpProxy, "127.0.0.1", 3128))
    assert not server.listen(SA.LocalHost, 0)
    assert server.serverError() == SE.UnsupportedSocketOperationError
    server.setProxy(QNetworkProxy(QNetworkProxy.ProxyType.NoProxy))
    assert server.listen(SA.LocalHost, 0)


def test_close_deletes_pending_and_keeps_error(qapp: object) -> None:
    server = listening_server()
    destroyed: list[int] = []
    client = QTcpSocket()
    client.connectToHost("127.0.0.1", server.serverPort())
    assert server.waitForNewConnection(5000) == (True, False)
    pending = server.nextPendingConnection()
    assert pending is not None
    pending.destroyed.connect(lambda _o: destroyed.append(1))
    server.addPendingConnection(pending)  # queue it again: close() must delete it
    assert server.waitForNewConnection(20) == (False, True)
    server.close()
    assert destroyed == [1]
    assert pending.state() == QAbstractSocket.SocketState.UnconnectedState
    assert not server.hasPendingConnections()
    assert server.serverError() == SE.SocketTimeoutError  # close() keeps the last error
    assert client.waitForDisconnected(5000)


def test_accepted_sockets_survive_server_close(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    server.close()
    client.write(b"still here")
    assert client.flush()  # nothing runs the loop here: send it now
    assert peer.waitForReadyRead(5000)
    assert peer.readAll() == b"still here"


def test_listen_backlog_size_used_at_next_listen(qapp: object) -> None:
    server = QTcpServer()
    server.setListenBacklogSize(3)
    assert server.listenBacklogSize() == 3
    assert server.listen(SA.LocalHost, 0)
    assert server.isListening()
