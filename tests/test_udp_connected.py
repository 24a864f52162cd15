"""QUdpSocket in connected mode (connectToHost, read/write) and in a worker thread.

qt-autotests.md §3 rows connectToHost, bindAndConnectToHost,
writeToNonExistingPeer (with the results Qt's skipped test intends) and
writeInHostLookupState; signal orders and open modes recorded from PySide6.
"""

from __future__ import annotations

import socket
import time

from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401
from qtnet import QAbstractSocket, QHostAddress, QIODevice, QNetworkDatagram, QThread, QUdpSocket
from tcp_helpers import SignalLog

SA = QHostAddress.SpecialAddress
SE = QAbstractSocket.SocketError
SS = QAbstractSocket.SocketState


def bound(address: object = SA.LocalHost) -> QUdpSocket:
    s = QUdpSocket()
    assert s.bind(address, 0), s.errorString()
    return s


def non_any(address: QHostAddress) -> QHostAddress:
    if address == QHostAddress(SA.Any) or address == QHostAddress(SA.AnyIPv4):
        return QHostAddress(SA.LocalHost)
    return QHostAddress(address)


def closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connect_to_host(qapp: object) -> None:
    socket1 = bound(SA.Any)
    socket2 = QUdpSocket()
    log = SignalLog(socket2)
    socket2.connectToHost(non_any(socket1.localAddress()), socket1.localPort())
    assert socket2.waitForConnected(5000)
    assert log.events == [
        ("state", "HostLookupState"),
        ("state", "ConnectingState"),
        ("hostFound",),
        ("state", "ConnectedState"),
        ("connected", "ConnectedState"),
    ]
    assert socket2.openMode() == (
        QIODevice.OpenModeFlag.ReadWrite | QIODevice.OpenModeFlag.Unbuffered
    )
    assert socket2.peerPort() == socket1.localPort()
    assert socket2.peerAddress() == QHostAddress(SA.LocalHost)


def test_bind_and_connect_to_host(qapp: object) -> None:
    socket1, socket2, dummy = QUdpSocket(), QUdpSocket(), QUdpSocket()
    assert dummy.bind()  # uses up a descriptor, as Qt's test does
    assert socket2.bind()
    bound_port, fd = socket2.localPort(), socket2.socketDescriptor()
    assert socket1.bind()
    dummy.close()
    socket2.connectToHost(non_any(socket1.localAddress()), socket1.localPort())
    assert socket2.waitForConnected(5000)
    assert socket2.localPort() == bound_port and socket2.socketDescriptor() == fd


def test_connected_read_write(qapp: object) -> None:
    server = bound()
    c = QUdpSocket()
    log = SignalLog(c)
    c.connectToHost(QHostAddress(SA.LocalHost), server.localPort())
    assert c.write(b"hello world") == 11
    assert log.of("bytesWritten") == [("bytesWritten", 11)]
    assert server.waitForReadyRead(2000)
    request = server.receiveDatagram()
    assert request.data() == b"hello world" and request.senderPort() == c.localPort()
    server.writeDatagram(b"abcdef", request.senderAddress(), request.senderPort())
    server.writeDatagram(b"ghij", request.senderAddress(), request.senderPort())
    assert wait_until(lambda: "readyRead" in log.names())
    assert c.bytesAvailable() == 6 and c.pendingDatagramSize() == 6
    assert c.read(3) == b"abc"  # one datagram per read; the rest of it is lost
    assert wait_until(lambda: log.names().count("readyRead") == 2)  # more datagrams wait
    assert c.readAll() == b"ghij"
    other = bound()
    assert c.writeDatagram(b"zz", QHostAddress(SA.LocalHost), other.localPort()) == 2
    assert other.waitForReadyRead(2000)  # Linux lets a connected socket send elsewhere
    log.clear()
    c.close()
    assert log.events == [
        ("aboutToClose",),
        ("state", "ClosingState"),
        ("state", "UnconnectedState"),
        ("readChannelFinished",),
        ("disconnected", "UnconnectedState"),
    ]


def test_datagram_without_destination_goes_to_the_connected_peer(qapp: object) -> None:
    server = bound()
    c = QUdpSocket()
    c.connectToHost(QHostAddress(SA.LocalHost), server.localPort())
    assert c.waitForConnected(1000)
    assert c.writeDatagram(QNetworkDatagram(b"peer")) == 4
    assert server.waitForReadyRead(2000) and server.readDatagram(10)[0] == b"peer"
    unconnected = bound()
    assert unconnected.writeDatagram(QNetworkDatagram(b"x")) == -1
    assert unconnected.error() == SE.NetworkError


def test_write_to_non_existing_peer(qapp: object) -> None:
    """Qt's (skipped) writeToNonExistingPeer, with its intended results."""
    s = QUdpSocket()
    log = SignalLog(s)
    s.connectToHost(QHostAddress(SA.LocalHost), closed_udp_port(), QIODevice.ReadWrite)
    assert s.waitForConnected(10000)
    assert s.write(b"\0") == 1  # the first write succeeds...
    time.sleep(0.2)  # no events processed: the ICMP answer waits on the socket
    assert s.write(b"\0") == -1  # ...the second one reports it
    assert (s.error(), s.errorString()) == (SE.ConnectionRefusedError, "Connection refused")
    assert s.write(b"\0") == 1  # the third one succeeds again
    settle(200)
    assert "readyRead" not in log.names()
    assert log.of("error") == [("error", "ConnectionRefusedError", "ConnectedState")]
    assert s.write(b"\0") == 1
    time.sleep(0.2)
    assert not s.hasPendingDatagrams()
    assert s.bytesAvailable() == 0 and s.pendingDatagramSize() == -1
    data, _host, _port = s.readDatagram(2)
    assert data == b"" and s.error() == SE.ConnectionRefusedError  # the read reports the refusal
    assert s.write(b"\0") == 1
    time.sleep(0.2)
    assert s.read(2) == b"" and s.error() == SE.ConnectionRefusedError
    assert s.state() == SS.ConnectedState  # still connected


def test_write_in_host_lookup_state(qapp: object) -> None:
    s = QUdpSocket()
    s.connectToHost("localhost", closed_udp_port())
    assert s.state() == SS.HostLookupState
    assert not s.putChar(ord("0"))
    assert (s.error(), s.errorString()) == (SE.UnknownSocketError, "Socket is not connected")
    assert s.waitForConnected(5000)
    assert s.peerAddress().isLoopback()


def test_wait_for_ready_read_on_connected_socket(qapp: object) -> None:
    server = bound()
    c = QUdpSocket()
    c.connectToHost(QHostAddress(SA.LocalHost), server.localPort())
    assert c.waitForConnected(1000)
    assert c.write(b"ping") == 4
    assert server.waitForReadyRead(2000)
    _data, host, port = server.readDatagram(10)
    server.writeDatagram(b"pong", host, port)
    assert c.waitForReadyRead(2000)
    assert c.read(10) == b"pong"
    assert not c.waitForBytesWritten(10)  # nothing is ever buffered
    assert not c.waitForReadyRead(50) and c.error() == SE.SocketTimeoutError


def test_unbuffered_read_line_and_peek(qapp: object) -> None:
    server = bound()
    c = QUdpSocket()
    c.connectToHost(QHostAddress(SA.LocalHost), server.localPort())
    assert c.waitForConnected(1000)
    c.write(b"x")
    assert server.waitForReadyRead(2000)
    _d, host, port = server.readDatagram(1)
    server.writeDatagram(b"line one\nrest", host, port)
    assert c.waitForReadyRead(2000)
    assert c.readLine() == b"line one\n"
    assert c.bytesAvailable() == 4 and c.read(100) == b"rest"


def test_moved_to_a_worker_thread(qapp: object) -> None:
    thread = QThread()
    r = bound()
    got: list[bytes] = []
    r.readyRead.connect(lambda: got.append(bytes(r.readDatagram(100)[0])))
    r.moveToThread(thread)
    thread.start()
    try:
        QUdpSocket().writeDatagram(b"to the thread", QHostAddress(SA.LocalHost), r.localPort())
        assert wait_until(lambda: got, 10000)  # generous: the machine may be busy
        assert got == [b"to the thread"]
    finally:
        thread.quit()
        assert thread.wait(3000)
