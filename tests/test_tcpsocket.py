"""QTcpSocket states, signals and properties (qt-autotests.md §2, PySide6 signal logs).

The expected signal orders were recorded from PySide6 6.12 with the same
scenarios (one log per scenario); data transfer and the waitFor*() rows are in
test_tcpsocket_waits.py, failures in test_tcp_faults.py.
"""

from __future__ import annotations

import os
import socket

import pytest

from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401
from qtnet import (
    QAbstractSocket,
    QByteArray,
    QEventLoop,
    QHostAddress,
    QIODevice,
    QNetworkProxy,
    QTcpServer,
    QTcpSocket,
    QTimer,
)
from tcp_helpers import SignalLog, closed_port, connected_pair, listening_server

SA = QHostAddress.SpecialAddress
SE = QAbstractSocket.SocketError
SS = QAbstractSocket.SocketState


def test_constructing_defaults(qapp: object) -> None:
    s = QTcpSocket()
    assert s.state() == SS.UnconnectedState
    assert s.isSequential()
    assert not s.isOpen()
    assert not s.isValid()
    assert s.socketType() == QAbstractSocket.SocketType.TcpSocket
    assert s.openMode() == QIODevice.OpenModeFlag.NotOpen
    with pytest.warns(RuntimeWarning, match="device not open"):
        assert s.getChar() == (False, "\0")
    assert s.bytesAvailable() == 0
    assert s.bytesToWrite() == 0
    assert not s.canReadLine()
    with pytest.warns(RuntimeWarning, match="device not open"):
        assert s.readLine() == b""
    assert s.socketDescriptor() == -1
    assert s.localPort() == 0 and s.peerPort() == 0
    assert s.localAddress().isNull() and s.peerAddress().isNull()
    assert s.peerName() == ""
    assert s.readChannelCount() == 0 and s.writeChannelCount() == 0
    assert s.error() == SE.UnknownSocketError
    assert s.errorString() == "Unknown error"
    assert s.readBufferSize() == 0
    assert s.pauseMode() == QAbstractSocket.PauseMode.PauseNever
    assert s.proxy().type() == QNetworkProxy.ProxyType.DefaultProxy
    assert s.socketOption(QAbstractSocket.SocketOption.LowDelayOption) is None


def test_enum_values_and_spellings() -> None:
    assert (
        QAbstractSocket.RemoteHostClosedError
        == QAbstractSocket.SocketError.RemoteHostClosedError
        == 1
    )
    assert QTcpSocket.SocketError.HostNotFoundError == 2
    assert QAbstractSocket.UnknownSocketError == -1 and QAbstractSocket.TemporaryError == 22
    assert [int(s) for s in SS] == [0, 1, 2, 3, 4, 5, 6]
    assert QAbstractSocket.ClosingState == 6 and QAbstractSocket.ListeningState == 5
    assert QAbstractSocket.SctpSocket == 2 and QAbstractSocket.UnknownSocketType == -1
    assert QAbstractSocket.ShareAddress | QAbstractSocket.ReuseAddressHint == 5
    assert QAbstractSocket.BindMode is QAbstractSocket.BindFlag
    assert QAbstractSocket.DefaultForPlatform == 0 and QAbstractSocket.DontShareAddress == 2
    assert QAbstractSocket.PauseOnSslErrors == 1 and QAbstractSocket.PauseNever == 0
    assert QAbstractSocket.KeepAliveCountOption == 10 and QAbstractSocket.PathMtuSocketOption == 7
    assert QAbstractSocket.AnyIPProtocol == 2 and QTcpSocket.IPv6Protocol == 1
    assert QTcpSocket.WriteOnly == QIODevice.OpenModeFlag.WriteOnly


def test_connect_signal_order_ip_literal(qapp: object) -> None:
    server = listening_server()
    c = QTcpSocket()
    log = SignalLog(c)
    c.connectToHost("127.0.0.1", server.serverPort())
    # An IP literal skips DNS but still passes through HostLookupState, synchronously.
    assert log.events == [
        ("state", "HostLookupState"),
        ("state", "ConnectingState"),
        ("hostFound",),
    ]
    assert c.state() == SS.ConnectingState
    assert c.isOpen() and c.openMode() == QIODevice.OpenModeFlag.ReadWrite
    assert wait_until(lambda: c.state() == SS.ConnectedState)
    assert log.events[3:] == [("state", "ConnectedState"), ("connected", "ConnectedState")]
    assert c.peerName() == "127.0.0.1"
    assert c.peerAddress() == QHostAddress(SA.LocalHost)
    assert c.peerPort() == server.serverPort()
    assert c.localAddress() == QHostAddress(SA.LocalHost)
    assert c.localPort() > 0
    assert c.isValid() and c.socketDescriptor() >= 0
    assert c.readChannelCount() == 1 and c.writeChannelCount() == 1


def test_connect_by_name_and_by_address(qapp: object) -> None:
    server = listening_server()
    c = QTcpSocket()
    log = SignalLog(c)
    c.connectToHost("localhost", server.serverPort())
    assert log.events == [("state", "HostLookupState")]  # the lookup runs in the background
    assert c.state() == SS.HostLookupState
    assert wait_until(lambda: c.state() == SS.ConnectedState)
    assert log.names()[1:] == ["state", "hostFound", "state", "connected"]
    assert c.peerName() == "localhost"
    assert c.peerAddress().isLoopback()
    d = QTcpSocket()
    d.connectToHost(QHostAddress(SA.LocalHost), server.serverPort())
    assert d.state() == SS.ConnectingState
    e = QTcpSocket()
    e.connectToHost(SA.LocalHost, server.serverPort())
    assert e.waitForConnected(5000)
    assert e.peerName() == "127.0.0.1"


def test_remote_close_error(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    log = SignalLog(client)
    peer.write(b"hello")
    peer.disconnectFromHost()
    assert wait_until(lambda: client.state() == SS.UnconnectedState)
    assert log.events == [
        ("readyRead",),
        ("error", "RemoteHostClosedError", "ConnectedState"),
        ("state", "ClosingState"),
        ("state", "UnconnectedState"),
        ("readChannelFinished",),
        ("disconnected", "UnconnectedState"),
    ]
    assert client.error() == SE.RemoteHostClosedError
    assert client.errorString() == "The remote host closed the connection"
    assert client.isOpen()  # a remote close leaves the device open: the data stays readable
    assert client.bytesAvailable() == 5
    assert client.read(2) == b"he"
    assert client.readAll() == b"llo"
    assert client.atEnd()
    assert client.socketDescriptor() == -1 and not client.isValid()
    assert client.peerAddress().isNull() and client.peerPort() == 0


def test_local_disconnect_from_host_with_pending_data(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    log = SignalLog(client)
    plog = SignalLog(peer)
    assert client.write(b"abc") == 3
    client.disconnectFromHost()
    assert client.state() == SS.ClosingState  # delayedClose: data still to send
    assert client.bytesToWrite() == 3
    assert log.events == [("state", "ClosingState")]
    assert wait_until(lambda: peer.state() == SS.UnconnectedState)
    assert log.events == [
        ("state", "ClosingState"),
        ("bytesWritten", 3),
        ("state", "UnconnectedState"),
        ("readChannelFinished",),
        ("disconnected", "UnconnectedState"),
    ]
    assert client.isOpen()
    assert plog.events == [
        ("readyRead",),
        ("error", "RemoteHostClosedError", "ConnectedState"),
        ("state", "ClosingState"),
        ("state", "UnconnectedState"),
        ("readChannelFinished",),
        ("disconnected", "UnconnectedState"),
    ]
    assert peer.readAll() == b"abc"


def test_disconnect_from_host_without_data_is_immediate(qapp: object) -> None:
    server = listening_server()
    client, _peer = connected_pair(server)
    log = SignalLog(client)
    client.disconnectFromHost()
    assert client.state() == SS.UnconnectedState
    assert log.events == [
        ("state", "ClosingState"),
        ("state", "UnconnectedState"),
        ("readChannelFinished",),
        ("disconnected", "UnconnectedState"),
    ]
    client.disconnectFromHost()  # no-op when unconnected
    assert len(log.events) == 4


def test_abort_discards_and_peer_sees_close(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    log = SignalLog(client)
    plog = SignalLog(peer)
    client.write(b"zzz")
    client.abort()
    assert log.events == [
        ("aboutToClose",),
        ("state", "UnconnectedState"),
        ("readChannelFinished",),
        ("disconnected", "UnconnectedState"),
    ]
    assert not client.isOpen() and client.bytesToWrite() == 0
    assert wait_until(lambda: peer.state() == SS.UnconnectedState)
    assert plog.names() == ["error", "state", "state", "readChannelFinished", "disconnected"]
    assert peer.bytesAvailable() == 0  # the buffered bytes were dropped, not sent


def test_close_connected(qapp: object) -> None:
    server = listening_server()
    client, _peer = connected_pair(server)
    log = SignalLog(client)
    client.close()
    assert log.events == [
        ("aboutToClose",),
        ("state", "ClosingState"),
        ("state", "UnconnectedState"),
        ("readChannelFinished",),
        ("disconnected", "UnconnectedState"),
    ]
    assert not client.isOpen()
    assert client.error() == SE.UnknownSocketError


def test_abort_close_disconnect_on_unconnected_are_noops(qapp: object) -> None:
    s = QTcpSocket()
    log = SignalLog(s)
    s.abort()
    s.close()
    s.disconnectFromHost()
    assert log.events == []
    with pytest.warns(RuntimeWarning, match=r"QIODevice::write \(QTcpSocket\): device not open"):
        assert s.write(b"a") == -1


@pytest.mark.parametrize("how", ["abort", "close", "disconnectFromHost"])
def test_stop_while_connecting(qapp: object, how: str) -> None:
    server = listening_server()
    s = QTcpSocket()
    log = SignalLog(s)
    s.connectToHost("127.0.0.1", server.serverPort())
    log.clear()
    getattr(s, how)()
    if how == "abort":
        assert log.events == [
            ("aboutToClose",),
            ("state", "UnconnectedState"),
            ("readChannelFinished",),
        ]
        assert not s.isOpen()
        return
    # close()/disconnectFromHost() wait for the connection, then close it (Qt's pendingClose).
    assert s.state() == SS.ConnectingState
    assert s.isOpen() is (how == "disconnectFromHost")
    assert wait_until(lambda: s.state() == SS.UnconnectedState)
    expected = [
        ("state", "ConnectedState"),
        ("connected", "ConnectedState"),
        ("state", "ClosingState"),
        ("state", "UnconnectedState"),
        ("readChannelFinished",),
        ("disconnected", "UnconnectedState"),
    ]
    if how == "close":
        expected.insert(0, ("aboutToClose",))
    assert log.events == expected


@pytest.mark.parametrize("how", ["abort", "disconnectFromHost"])
def test_stop_while_looking_up(qapp: object, how: str) -> None:
    server = listening_server()
    s = QTcpSocket()
    log = SignalLog(s)
    s.connectToHost("localhost", server.serverPort())
    assert s.state() == SS.HostLookupState
    getattr(s, how)()
    if how == "abort":
        assert log.events[1:] == [
            ("aboutToClose",),
            ("state", "UnconnectedState"),
            ("readChannelFinished",),
        ]
        settle(100)  # the lookup's late answer is ignored
        assert s.state() == SS.UnconnectedState
        return
    assert s.state() == SS.HostLookupState
    assert wait_until(lambda: s.state() == SS.UnconnectedState)
    assert log.names()[-4:] == ["state", "state", "readChannelFinished", "disconnected"]


def test_connection_refused_states(qapp: object) -> None:
    s = QTcpSocket()
    log = SignalLog(s)
    s.connectToHost("127.0.0.1", closed_port())
    assert wait_until(lambda: s.state() == SS.UnconnectedState)
    assert log.events == [
        ("state", "HostLookupState"),
        ("state", "ConnectingState"),
        ("hostFound",),
        ("state", "UnconnectedState"),
        ("error", "ConnectionRefusedError", "UnconnectedState"),
    ]
    assert s.error() == SE.ConnectionRefusedError
    assert s.errorString() == "Connection refused"
    assert s.isOpen()  # Qt leaves the device open after a failed connect
    assert s.socketDescriptor() == -1


def test_connect_while_connected_is_an_operation_error(qapp: object) -> None:
    server = listening_server()
    client, _ = connected_pair(server)
    log = SignalLog(client)
    with pytest.warns(
        RuntimeWarning,
        match=r"connectToHost\(\) called when already looking up or connecting/connected to "
        r"\"127.0.0.1\"",
    ):
        client.connectToHost("127.0.0.1", server.serverPort())
    assert log.events == [("error", "OperationError", "ConnectedState")]
    assert client.errorString() == "Trying to connect while connection is in progress"
    assert client.state() == SS.ConnectedState


def test_reconnect_after_remote_close_resets(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    peer.write(b"left")
    peer.disconnectFromHost()
    assert wait_until(lambda: client.state() == SS.UnconnectedState)
    assert client.bytesAvailable() == 4 and client.error() == SE.RemoteHostClosedError
    client.connectToHost("127.0.0.1", server.serverPort())
    # connectToHost reopens the device: buffer, error and errorString are reset.
    assert client.bytesAvailable() == 0
    assert client.error() == SE.UnknownSocketError
    assert client.errorString() == "Unknown error"
    assert client.waitForConnected(5000)


def test_open_close_open_close(qapp: object) -> None:
    server = listening_server()
    s = QTcpSocket()
    for _ in range(2):
        assert s.state() == SS.UnconnectedState and not s.isOpen()
        assert s.socketDescriptor() == -1 and s.localPort() == 0 and s.peerPort() == 0
        assert s.localAddress().isNull() and s.peerAddress().isNull()
        s.connectToHost("127.0.0.1", server.serverPort())
        assert s.waitForConnected(5000)
        assert s.isOpen() and s.isValid()
        s.close()
        assert s.openMode() == QIODevice.OpenModeFlag.NotOpen


def test_connect_disconnect_connect_disconnect(qapp: object) -> None:
    server = listening_server()
    s = QTcpSocket()
    for i in range(3):
        s.connectToHost("127.0.0.1", server.serverPort())
        assert s.waitForConnected(5000)
        peer = _accept(server)
        peer.write(f"greeting {i}\n".encode())
        peer.flush()
        assert s.waitForReadyRead(5000)
        assert s.readLine() == f"greeting {i}\n".encode()
        s.disconnectFromHost()
        assert s.state() == SS.UnconnectedState
        assert s.peerPort() == 0 and s.peerAddress().isNull()


def _accept(server: QTcpServer) -> QTcpSocket:
    assert server.waitForNewConnection(5000)[0]
    sock = server.nextPendingConnection()
    assert sock is not None
    return sock


def test_write_while_connecting_is_buffered(qapp: object) -> None:
    server = listening_server()
    s = QTcpSocket()
    s.connectToHost("127.0.0.1", server.serverPort())
    assert s.state() == SS.ConnectingState
    assert s.write(b"early") == 5
    assert s.bytesToWrite() == 5
    assert s.waitForConnected(5000)
    peer = _accept(server)
    assert wait_until(lambda: peer.bytesAvailable() == 5)
    assert peer.readAll() == b"early"


def test_write_after_disconnect(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    peer.disconnectFromHost()
    assert wait_until(lambda: client.state() == SS.UnconnectedState)
    assert client.error() == SE.RemoteHostClosedError
    assert client.write(b"BLUBBER") == -1
    # Qt 6 (PySide6 6.12): "Socket is not connected", error() back to UnknownSocketError.
    assert client.errorString() == "Socket is not connected"
    assert client.read(10) == b""
    assert client.getChar() == (False, "\0")
    assert client.readLine() == b""


def test_zero_returns_while_open(qapp: object) -> None:
    server = listening_server()
    client, _ = connected_pair(server)
    data = client.read(10)
    assert isinstance(data, QByteArray) and data == b""
    assert client.readAll() == b""
    assert client.peek(5) == b""
    assert client.readLine() == b""
    assert client.getChar() == (False, "\0")


def test_bind(qapp: object) -> None:
    s = QTcpSocket()
    log = SignalLog(s)
    assert s.bind(SA.LocalHost, 0)
    assert log.events == [("state", "BoundState")]
    assert s.state() == SS.BoundState
    assert s.openMode() == QIODevice.OpenModeFlag.NotOpen
    assert s.localAddress() == QHostAddress(SA.LocalHost) and s.localPort() > 0
    assert s.socketDescriptor() >= 0
    with pytest.warns(
        RuntimeWarning, match=r"bind\(\) was not called in QAbstractSocket::UnconnectedState"
    ):
        assert not s.bind()
    t = QTcpSocket()
    assert t.bind(0)  # bind(port) form: Any, dual stack
    assert t.localAddress() == QHostAddress(SA.Any)
    assert t.localAddress().protocol() == QAbstractSocket.NetworkLayerProtocol.AnyIPProtocol


def test_bind_errors(qapp: object) -> None:
    # A documentation-only address (RFC 5737) is not on this host: bind() fails
    # locally, nothing is sent.
    s = QTcpSocket()
    log = SignalLog(s)
    assert not s.bind(QHostAddress("198.51.100.1"), 0)
    assert s.error() == SE.SocketAddressNotAvailableError
    assert s.errorString() == "The address is not available"
    assert log.events == [("error", "SocketAddressNotAvailableError", "UnconnectedState")]
    assert s.state() == SS.UnconnectedState
    server = listening_server()
    t = QTcpSocket()
    assert not t.bind(SA.LocalHost, server.serverPort())
    assert t.error() == SE.AddressInUseError
    assert t.errorString() == "The bound address is already in use"


def test_bind_then_resolve_host_keeps_fd_and_port(qapp: object) -> None:
    server = listening_server()
    s = QTcpSocket()
    assert s.bind(SA.LocalHost, 0)
    fd, port = s.socketDescriptor(), s.localPort()
    s.connectToHost("localhost", server.serverPort())
    assert s.waitForConnected(5000), s.errorString()
    assert s.socketDescriptor() == fd
    assert s.localPort() == port
    peer = _accept(server)
    assert peer.peerPort() == port


def test_read_notifications_after_bind(qapp: object) -> None:
    server = listening_server()
    s = QTcpSocket()
    assert s.bind(SA.Any, 0)  # dual stack: reaches an IPv4 server v4-mapped
    reads: list[int] = []
    s.readyRead.connect(lambda: reads.append(int(s.bytesAvailable())))
    s.connectToHost("127.0.0.1", server.serverPort())
    assert s.waitForConnected(5000), s.errorString()
    peer = _accept(server)
    peer.write(b"ping")
    assert wait_until(lambda: reads == [4])


def test_set_invalid_socket_descriptor(qapp: object) -> None:
    s = QTcpSocket()
    assert not s.setSocketDescriptor(-5)
    assert s.socketDescriptor() == -1
    assert s.error() == SE.UnsupportedSocketOperationError
    assert s.errorString() == "Invalid socket descriptor"
    with open(__file__, "rb") as f:
        assert not s.setSocketDescriptor(f.fileno())
        os.fstat(f.fileno())  # left open


def test_set_socket_descriptor_connected(qapp: object) -> None:
    server = listening_server()
    raw = socket.create_connection(("127.0.0.1", server.serverPort()))
    s = QTcpSocket()
    log = SignalLog(s)
    fd = raw.detach()
    assert s.setSocketDescriptor(fd)
    assert log.events == [("state", "ConnectedState")]
    assert s.socketDescriptor() == fd
    assert s.openMode() == QIODevice.OpenModeFlag.ReadWrite
    assert s.peerAddress() == QHostAddress(SA.LocalHost) and s.peerPort() == server.serverPort()
    assert s.isValid()
    ro = QTcpSocket()
    assert ro.setSocketDescriptor(
        socket.create_connection(("127.0.0.1", server.serverPort())).detach(),
        QAbstractSocket.SocketState.ConnectedState,
        QIODevice.OpenModeFlag.ReadOnly,
    )
    assert ro.openMode() == QIODevice.OpenModeFlag.ReadOnly


def test_set_socket_descriptor_kept_through_connect(qapp: object) -> None:
    server = listening_server()
    raw = socket.socket()
    fd = raw.detach()
    s = QTcpSocket()
    assert s.setSocketDescriptor(fd, QAbstractSocket.SocketState.UnconnectedState)
    assert s.state() == SS.UnconnectedState and s.socketDescriptor() == fd
    s.connectToHost("127.0.0.1", server.serverPort())
    assert s.socketDescriptor() == fd
    assert s.waitForConnected(5000)
    assert s.socketDescriptor() == fd


def test_set_socket_option(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    for sock in (client, peer):
        for opt in (QAbstractSocket.LowDelayOption, QAbstractSocket.KeepAliveOption):
            sock.setSocketOption(opt, 1)
            assert sock.socketOption(opt) == 1
            sock.setSocketOption(opt, 0)
            assert sock.socketOption(opt) == 0
    client.setSocketOption(QAbstractSocket.TypeOfServiceOption, 32)
    assert client.socketOption(QAbstractSocket.TypeOfServiceOption) == 32
    client.setSocketOption(QAbstractSocket.KeepAliveIdleOption, 30)
    assert client.socketOption(QAbstractSocket.KeepAliveIdleOption) == 30
    client.setSocketOption(QAbstractSocket.KeepAliveIntervalOption, 5)
    assert client.socketOption(QAbstractSocket.KeepAliveIntervalOption) == 5
    client.setSocketOption(QAbstractSocket.KeepAliveCountOption, 3)
    assert client.socketOption(QAbstractSocket.KeepAliveCountOption) == 3
    client.setSocketOption(QAbstractSocket.ReceiveBufferSizeSocketOption, 65536)
    assert client.socketOption(QAbstractSocket.ReceiveBufferSizeSocketOption) >= 65536
    assert client.socketOption(QAbstractSocket.SendBufferSizeSocketOption) > 0
    unconnected = QTcpSocket()
    unconnected.setSocketOption(QAbstractSocket.LowDelayOption, 1)  # no socket yet: ignored
    assert unconnected.socketOption(QAbstractSocket.LowDelayOption) is None


def test_unsupported_proxy(qapp: object) -> None:
    s = QTcpSocket()
    s.setProxy(QNetworkProxy(QNetworkProxy.ProxyType.Socks5Proxy, "127.0.0.1", 1080))
    log = SignalLog(s)
    s.connectToHost("127.0.0.1", closed_port())
    assert s.error() == SE.UnsupportedSocketOperationError
    assert s.errorString() == "Operation on socket is not supported"
    assert log.events == [("error", "UnsupportedSocketOperationError", "UnconnectedState")]
    s.setProxy(QNetworkProxy(QNetworkProxy.ProxyType.NoProxy))
    server = listening_server()
    s.connectToHost("127.0.0.1", server.serverPort())
    assert s.waitForConnected(5000)
    assert s.proxy().type() == QNetworkProxy.ProxyType.NoProxy


def test_sockets_constructed_before_event_loop(qapp: object) -> None:
    server = listening_server()
    got: list[bytes] = []

    def on_new() -> None:
        peer = server.nextPendingConnection()
        assert peer is not None
        peer.write(b"hello")

    server.newConnection.connect(on_new)
    s = QTcpSocket()
    s.readyRead.connect(lambda: got.append(bytes(s.readAll())))
    s.connectToHost("127.0.0.1", server.serverPort())
    loop = QEventLoop()
    s.readyRead.connect(loop.quit)
    QTimer.singleShot(5000, loop.quit)
    loop.exec()
    assert got == [b"hello"]


def test_protected_setters_pause_mode_and_tags(qapp: object) -> None:
    class Custom(QTcpSocket):
        def fake(self) -> None:
            self.setSocketState(QAbstractSocket.SocketState.BoundState)
            self.setSocketError(QAbstractSocket.SocketError.NetworkError)
            self.setLocalAddress(QHostAddress("127.0.0.5"))
            self.setLocalPort(1234)
            self.setPeerAddress(SA.LocalHostIPv6)
            self.setPeerPort(4321)
            self.setPeerName("peer.example")

    s = Custom()
    log = SignalLog(s)
    s.fake()
    assert log.events == []  # the protected setters emit nothing
    assert s.state() == SS.BoundState and s.error() == SE.NetworkError
    assert s.localAddress() == QHostAddress("127.0.0.5") and s.localPort() == 1234
    assert s.peerAddress() == QHostAddress("::1") and s.peerPort() == 4321
    assert s.peerName() == "peer.example"
    s.setPauseMode(QAbstractSocket.PauseMode.PauseOnSslErrors)
    assert s.pauseMode() == QAbstractSocket.PauseOnSslErrors
    s.resume()  # nothing to resume without TLS
    s.setProtocolTag("echo")
    assert s.protocolTag() == "echo"
    s.setReadBufferSize(-5)
    assert s.readBufferSize() == -5  # kept as given, as in Qt; treated as unlimited
