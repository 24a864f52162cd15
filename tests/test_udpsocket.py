"""QUdpSocket over loopback: the rows of qt-autotests.md §3 that need no multicast.

Expected values that Qt's tests leave open were recorded from PySide6 6.11/6.12
with the same calls (signal orders, error codes and texts, return forms).
Connected mode is in test_udp_connected.py, multicast rows in
test_udp_multicast.py, broadcast between hosts in
test_udp_netns.py, PySide6 peers in test_udp_pyside6_interop.py.
"""

from __future__ import annotations

import os
import socket
import time

import pytest

from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401
from qtnet import (
    QAbstractSocket,
    QByteArray,
    QHostAddress,
    QIODevice,
    QNetworkDatagram,
    QUdpSocket,
)
from tcp_helpers import SignalLog

SA = QHostAddress.SpecialAddress
SE = QAbstractSocket.SocketError
SS = QAbstractSocket.SocketState
NL = QAbstractSocket.NetworkLayerProtocol


def bound(address: object = SA.LocalHost, port: int = 0, mode: int = 0) -> QUdpSocket:
    s = QUdpSocket()
    assert s.bind(address, port, mode), s.errorString()
    return s


def non_any(address: QHostAddress) -> QHostAddress:
    """Qt's makeNonAny: where to send to reach a socket bound to ``address``."""
    if address == QHostAddress(SA.Any) or address == QHostAddress(SA.AnyIPv4):
        return QHostAddress(SA.LocalHost)
    if address == QHostAddress(SA.AnyIPv6):
        return QHostAddress(SA.LocalHostIPv6)
    return QHostAddress(address)


def closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def reuseaddr(s: QUdpSocket) -> int:
    with socket.socket(fileno=os.dup(s.socketDescriptor())) as dup:
        return dup.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)


# -- construction and binding ----------------------------------------------------------


def test_constructing(qapp: object) -> None:
    s = QUdpSocket()
    assert s.isSequential()
    assert not s.isOpen()
    assert s.socketType() == QAbstractSocket.SocketType.UdpSocket
    assert s.bytesAvailable() == 0
    assert not s.canReadLine()
    with pytest.warns(RuntimeWarning, match=r"QIODevice::readLine \(QUdpSocket\): device not open"):
        assert s.readLine() == QByteArray()
    assert s.socketDescriptor() == -1
    assert s.error() == SE.UnknownSocketError
    assert s.errorString() == "Unknown error"
    assert s.state() == SS.UnconnectedState
    assert s.socketOption(QAbstractSocket.SocketOption.MulticastTtlOption) is None


def test_class_surface() -> None:
    assert QUdpSocket.ShareAddress == 0x1 and QUdpSocket.DontShareAddress == 0x2
    assert QUdpSocket.ReuseAddressHint == 0x4 and QUdpSocket.DefaultForPlatform == 0
    assert QUdpSocket.BindFlag.ShareAddress | QUdpSocket.ReuseAddressHint == 5
    assert QUdpSocket.UdpSocket == 1 and QUdpSocket.DatagramTooLargeError == 6
    assert issubclass(QUdpSocket, QAbstractSocket) and issubclass(QUdpSocket, QIODevice)


@pytest.mark.parametrize(
    "args, address, protocol",
    [
        ((), "0.0.0.0", NL.AnyIPProtocol),
        ((0,), "0.0.0.0", NL.AnyIPProtocol),
        ((0, QUdpSocket.ShareAddress), "0.0.0.0", NL.AnyIPProtocol),
        ((SA.LocalHost,), "127.0.0.1", NL.IPv4Protocol),
        ((QHostAddress(SA.AnyIPv4), 0), "0.0.0.0", NL.IPv4Protocol),
        ((SA.AnyIPv6, 0, QUdpSocket.DontShareAddress), "::", NL.IPv6Protocol),
        ((QHostAddress("::1"), 0, QUdpSocket.DefaultForPlatform), "::1", NL.IPv6Protocol),
    ],
)
def test_bind_forms(qapp: object, args: tuple[object, ...], address: str, protocol: int) -> None:
    s = QUdpSocket()
    log = SignalLog(s)
    assert s.bind(*args), s.errorString()
    assert log.events == [("state", "BoundState")]  # stateChanged exactly once
    assert s.state() == SS.BoundState
    assert s.openMode() == QIODevice.OpenModeFlag.NotOpen and not s.isOpen()
    assert s.isValid() and s.socketDescriptor() >= 0
    assert s.localAddress().toString() == address
    assert s.localAddress().protocol() == protocol
    assert 0 < s.localPort() < 65536


def test_second_bind_warns_and_fails(qapp: object) -> None:
    s = bound()
    port = s.localPort()
    with pytest.warns(
        RuntimeWarning,
        match="QNativeSocketEngine::bind\\(\\) was not called in QAbstractSocket::UnconnectedState",
    ):
        assert not s.bind()
    assert s.state() == SS.BoundState and s.localPort() == port


def test_bind_address_not_on_this_host(qapp: object) -> None:
    for address in ("198.51.100.7", "2001:db8::7"):  # documentation ranges: never local
        s = QUdpSocket()
        log = SignalLog(s)
        assert not s.bind(QHostAddress(address), 0)
        assert s.error() == SE.SocketAddressNotAvailableError
        assert s.errorString() == "The address is not available"
        assert log.events == [("error", "SocketAddressNotAvailableError", "UnconnectedState")]
        assert s.state() == SS.UnconnectedState and s.socketDescriptor() == -1


def test_bind_null_address(qapp: object) -> None:
    s = QUdpSocket()
    assert not s.bind(QHostAddress(), 0)
    assert s.error() == SE.UnsupportedSocketOperationError
    assert s.errorString() == "Unsupported socket operation"


def test_bind_port_in_use(qapp: object) -> None:
    a = bound()
    b = QUdpSocket()
    log = SignalLog(b)
    assert not b.bind(SA.LocalHost, a.localPort())
    assert b.error() == SE.AddressInUseError
    assert b.errorString() == "The bound address is already in use"
    assert log.names() == ["error"] and b.state() == SS.UnconnectedState


def test_bind_mode_real_linux_behaviour(qapp: object) -> None:
    """BindFlag on Linux: ShareAddress/ReuseAddressHint = SO_REUSEADDR, Default = nothing.

    Qt's bindMode test only passes on Linux through a side effect (a failed
    ReuseAddressHint bind leaves SO_REUSEADDR on for the next attempt); here each
    step uses a fresh socket, so what is asserted is what the flags really do.
    """
    first = bound(SA.Any)
    port = first.localPort()
    assert reuseaddr(first) == 0  # DefaultForPlatform sets nothing
    assert not QUdpSocket().bind(port)  # (1) default mode cannot share
    hint = QUdpSocket()
    assert not hint.bind(port, QUdpSocket.ReuseAddressHint)  # (2) the owner did not share
    assert hint.error() == SE.AddressInUseError
    # The failed attempt does not leak into the next one (Qt keeps the socket and
    # its SO_REUSEADDR, which is how its own test passes): still refused.
    assert not hint.bind(port)
    first.close()

    sharing = bound(SA.Any, 0, QUdpSocket.ShareAddress)
    port = sharing.localPort()
    assert reuseaddr(sharing) == 1
    fresh = QUdpSocket()
    assert not fresh.bind(port)  # (3') a fresh socket in default mode is refused...
    assert fresh.error() == SE.AddressInUseError
    also_sharing = bound(SA.Any, port, QUdpSocket.ShareAddress)  # ...one that shares too is not
    hint_sharing = bound(SA.Any, port, QUdpSocket.ReuseAddressHint)
    assert reuseaddr(hint_sharing) == 1
    only_dont = bound(SA.Any, 0, QUdpSocket.DontShareAddress)
    assert reuseaddr(only_dont) == 0
    for s in (sharing, also_sharing, hint_sharing):
        s.close()
    assert bound(SA.Any, port, QUdpSocket.ReuseAddressHint).localPort() == port  # (4)


def test_bound_socket_is_not_open_for_read_write(qapp: object) -> None:
    s = bound()
    with pytest.warns(RuntimeWarning, match=r"QIODevice::write \(QUdpSocket\): device not open"):
        assert s.write(b"x") == -1
    with pytest.warns(RuntimeWarning, match=r"QIODevice::read \(QUdpSocket\): device not open"):
        assert s.read(10) == b""


def test_calls_before_bind_warn(qapp: object) -> None:
    s = QUdpSocket()
    with pytest.warns(
        RuntimeWarning,
        match="QUdpSocket::readDatagram\\(\\) called on a QUdpSocket "
        "when not in QUdpSocket::BoundState",
    ):
        data, host, port = s.readDatagram(10)
    assert (data, host.isNull(), port) == (b"", True, 0)
    with pytest.warns(RuntimeWarning, match="QUdpSocket::receiveDatagram\\(\\) called"):
        assert not s.receiveDatagram().isValid()
    with pytest.warns(RuntimeWarning, match="QUdpSocket::pendingDatagramSize\\(\\) called"):
        assert s.pendingDatagramSize() == -1
    with pytest.warns(RuntimeWarning, match="QUdpSocket::hasPendingDatagrams\\(\\) called"):
        assert not s.hasPendingDatagrams()
    assert s.error() == SE.UnknownSocketError  # warnings only


def test_close_and_abort_signals(qapp: object) -> None:
    s = bound()
    log = SignalLog(s)
    s.close()
    assert log.events == [
        ("state", "ClosingState"),
        ("state", "UnconnectedState"),
        ("readChannelFinished",),
        ("disconnected", "UnconnectedState"),
    ]
    assert s.socketDescriptor() == -1 and s.localPort() == 0
    s = bound()
    log = SignalLog(s)
    s.abort()
    assert log.events == [("state", "UnconnectedState"), ("readChannelFinished",)]
    assert s.bind()  # an unconnected socket binds again


# -- sending and receiving ------------------------------------------------------------------


def test_unconnected_server_and_client(qapp: object) -> None:
    server = QUdpSocket()
    log = SignalLog(server)
    assert server.bind()
    assert log.events == [("state", "BoundState")]
    server_address = non_any(server.localAddress())
    for message in (b"Yo mista", b"Yo", b"Wassap"):
        client = QUdpSocket()
        assert client.writeDatagram(message, server_address, server.localPort()) == len(message)
        assert server.waitForReadyRead(5000), server.errorString()
        data, host, port = server.readDatagram(1024)
        assert (type(data), type(host), type(port)) == (QByteArray, QHostAddress, int)
        assert data == message
        assert port == client.localPort()
        assert host.toIPv4Address() == non_any(client.localAddress()).toIPv4Address()
        assert host.toString() == "::ffff:127.0.0.1"  # a dual-stack socket sees IPv4 v4-mapped


LOOP_ROWS = [
    (b"Almond!", b"Joy!"),
    (b"A", b"B"),
    (b"AB", b"B"),
    (b"AB", b"BB"),
    (b"A\0B", b"B\0B"),
    (b"", b""),
    (b"@" * 600, b"@" * 600),
]


@pytest.mark.parametrize("peter_message, paul_message", LOOP_ROWS)
@pytest.mark.parametrize("host", [SA.LocalHost, SA.LocalHostIPv6])
def test_loop(qapp: object, host: SA, peter_message: bytes, paul_message: bytes) -> None:
    peter, paul = bound(host), bound(host)
    peter_address, paul_address = non_any(peter.localAddress()), non_any(paul.localAddress())
    assert peter.writeDatagram(peter_message, paul_address, paul.localPort()) == len(peter_message)
    assert paul.writeDatagram(paul_message, peter_address, peter.localPort()) == len(paul_message)
    assert peter.waitForReadyRead(9000) and paul.waitForReadyRead(9000)
    peter_dg = peter.receiveDatagram(len(paul_message) * 2)
    paul_dg = paul.receiveDatagram(len(peter_message) * 2)
    assert peter_dg.isValid() and paul_dg.isValid()
    assert peter_dg.data() == paul_message and paul_dg.data() == peter_message
    assert peter_dg.senderAddress() == paul_address and paul_dg.senderAddress() == peter_address
    assert peter_dg.senderPort() == paul.localPort() and paul_dg.senderPort() == peter.localPort()
    # Linux reports the destination (IP_PKTINFO / IPV6_PKTINFO) and the hop limit.
    assert peter_dg.destinationAddress() == peter_address
    assert peter_dg.destinationAddress().isEqual(peter_address)
    assert peter_dg.destinationPort() == peter.localPort()
    assert paul_dg.destinationPort() == paul.localPort()
    assert peter_dg.hopLimit() == 64 and peter_dg.interfaceIndex() == socket.if_nametoindex("lo")
    if host == SA.LocalHostIPv6:
        assert peter_dg.destinationAddress().scopeId() == str(socket.if_nametoindex("lo"))


def test_dual_stack(qapp: object) -> None:
    dual = bound(SA.Any)
    v4 = bound(SA.AnyIPv4)
    v6 = bound(SA.AnyIPv6)
    assert v4.writeDatagram(b"v4", QHostAddress(SA.LocalHost), dual.localPort()) == 2
    assert dual.waitForReadyRead(5000)
    dg = dual.receiveDatagram(100)
    assert dg.isValid() and dg.data() == b"v4" and dg.senderPort() == v4.localPort()
    assert dg.senderAddress().isEqual(QHostAddress(SA.LocalHost))  # v4-mapped
    assert dg.senderAddress().toString() == "::ffff:127.0.0.1"
    assert dg.destinationPort() == dual.localPort()
    assert dg.destinationAddress().isEqual(QHostAddress("127.0.0.1"))
    assert dg.hopLimit() == -1  # as Qt: a dual-stack socket asks for IPv6 hop limits only

    assert v6.writeDatagram(b"v6", QHostAddress(SA.LocalHostIPv6), dual.localPort()) == 2
    assert dual.waitForReadyRead(5000)
    dg = dual.receiveDatagram(100)
    assert dg.data() == b"v6" and dg.senderAddress() == QHostAddress("::1")
    assert dg.destinationAddress() == QHostAddress("::1") and dg.hopLimit() == 64

    assert dual.writeDatagram(b"dual", QHostAddress(SA.LocalHostIPv6), v6.localPort()) == 4
    assert v6.waitForReadyRead(5000)
    dg = v6.receiveDatagram(100)
    assert dg.data() == b"dual" and dg.senderPort() == dual.localPort()
    assert dg.destinationAddress() == QHostAddress("::1")

    assert dual.writeDatagram(b"dual", QHostAddress(SA.LocalHost), v4.localPort()) == 4
    assert v4.waitForReadyRead(5000)
    dg = v4.receiveDatagram(100)
    assert dg.data() == b"dual" and dg.senderAddress() == QHostAddress(SA.LocalHost)
    assert dg.destinationPort() == v4.localPort()
    assert dg.destinationAddress() == QHostAddress(SA.LocalHost)


@pytest.mark.parametrize("v4_first", [True, False])
def test_dual_stack_auto_binding(qapp: object, v4_first: bool) -> None:
    v4, v6 = bound(SA.AnyIPv4), bound(SA.AnyIPv6)
    dual = QUdpSocket()
    log = SignalLog(dual)
    targets = [(v4, SA.LocalHost), (v6, SA.LocalHostIPv6)]
    for receiver, host in targets if v4_first else targets[::-1]:
        assert dual.writeDatagram(b"dual", QHostAddress(host), receiver.localPort()) == 4
        assert receiver.waitForReadyRead(5000)
        data, _host, port = receiver.readDatagram(100)
        assert data == b"dual" and port == dual.localPort()
    assert dual.state() == SS.BoundState
    assert dual.localAddress().protocol() == NL.AnyIPProtocol
    assert log.events == [("state", "BoundState"), ("bytesWritten", 4), ("bytesWritten", 4)]


def test_dual_stack_no_ipv4_on_v6_only(qapp: object) -> None:
    v4, v6 = bound(SA.AnyIPv4), bound(SA.AnyIPv6)
    assert v4.writeDatagram(b"v4", QHostAddress(SA.LocalHost), v6.localPort()) == 2
    assert not v6.waitForReadyRead(1000)
    assert v6.error() == SE.SocketTimeoutError
    # ...and an IPv6-only socket cannot send to IPv4 either.
    assert v6.writeDatagram(b"x", QHostAddress(SA.LocalHost), v4.localPort()) == -1
    assert (v6.error(), v6.errorString()) == (SE.NetworkError, "Unable to send a message")
    # An IPv4 socket cannot reach an IPv6 address.
    assert v4.writeDatagram(b"x", QHostAddress(SA.LocalHostIPv6), v6.localPort()) == -1
    assert v4.error() == SE.NetworkError


def test_pending_datagram_size(qapp: object) -> None:
    server = bound(SA.Any)
    address = non_any(server.localAddress())
    client = QUdpSocket()
    assert client.writeDatagram(b"this is", address, server.localPort()) == 7
    assert client.writeDatagram(b"", address, server.localPort()) == 0
    assert client.writeDatagram(b"3 messages", address, server.localPort()) == 10
    assert server.waitForReadyRead()
    assert wait_until(lambda: server.hasPendingDatagrams())
    assert server.pendingDatagramSize() == 7
    assert server.readDatagram(1)[0] == b"t"  # the rest of the datagram is lost
    assert wait_until(lambda: server.pendingDatagramSize() == 0)
    assert server.readDatagram(1)[0] == b""
    assert wait_until(lambda: server.pendingDatagramSize() == 10)
    assert server.readDatagram(1)[0] == b"3"
    assert not server.hasPendingDatagrams() and server.pendingDatagramSize() == -1


def test_write_datagram_grows_until_too_large(qapp: object) -> None:
    server = bound(SA.Any)
    address = non_any(server.localAddress())
    client = QUdpSocket()
    i = 0
    while True:
        log = SignalLog(client)
        written = client.writeDatagram(QByteArray(b"w" * (i * 1024)), address, server.localPort())
        if written != i * 1024:
            assert written == -1
            assert log.events == [("error", "DatagramTooLargeError", "BoundState")]
            assert client.error() == SE.DatagramTooLargeError
            assert client.errorString() == "Datagram was too large to send"
            break
        assert log.events == ([("state", "BoundState")] if i == 0 else []) + [
            ("bytesWritten", i * 1024)
        ]
        assert server.waitForReadyRead(5000)
        assert server.pendingDatagramSize() == i * 1024
        assert server.readDatagram(0)[0] == b""  # maxSize 0 discards
        i += 1
        assert i < 70, "no datagram size was refused"
    assert i == 64  # 64 KiB is the first refused size on loopback


@pytest.mark.parametrize("host, largest", [(SA.LocalHost, 65507), (SA.LocalHostIPv6, 65527)])
def test_largest_datagram(qapp: object, host: SA, largest: int) -> None:
    server = bound(host)
    client = QUdpSocket()
    assert client.writeDatagram(b"x" * largest, QHostAddress(host), server.localPort()) == largest
    assert server.waitForReadyRead(5000) and server.pendingDatagramSize() == largest
    assert len(server.receiveDatagram().data()) == largest
    assert client.writeDatagram(b"x" * (largest + 1), QHostAddress(host), server.localPort()) == -1
    assert client.error() == SE.DatagramTooLargeError


def test_send_to_port_zero(qapp: object) -> None:
    client = QUdpSocket()
    log = SignalLog(client)
    assert client.writeDatagram(b"x", QHostAddress(SA.LocalHost), 0) == -1
    assert (client.error(), client.errorString()) == (SE.NetworkError, "Unable to send a message")
    assert log.events == [("state", "BoundState"), ("error", "NetworkError", "BoundState")]


@pytest.mark.parametrize("bind_first", [False, True])
def test_write_datagram_to_non_existing_peer(qapp: object, bind_first: bool) -> None:
    s = QUdpSocket()
    if bind_first:
        assert s.bind()
    log = SignalLog(s)
    assert s.writeDatagram(b"\0", QHostAddress(SA.LocalHost), closed_udp_port()) == 1
    settle(300)
    assert "readyRead" not in log.names() and "error" not in log.names()
    assert s.state() == SS.BoundState


def test_zero_length_datagram(qapp: object) -> None:
    receiver = bound(SA.Any)
    assert not receiver.waitForReadyRead(100)
    assert not receiver.hasPendingDatagrams()
    sender = QUdpSocket()
    dg = QNetworkDatagram(QByteArray(), QHostAddress(SA.LocalHost), receiver.localPort())
    assert sender.writeDatagram(dg) == 0
    assert receiver.waitForReadyRead(1000)
    assert receiver.hasPendingDatagrams()
    assert receiver.readDatagram(1)[0] == b""


def test_ready_read_once_per_batch_and_rearmed_by_reading(qapp: object) -> None:
    sender, receiver = QUdpSocket(), bound(SA.AnyIPv4)
    port = receiver.localPort()
    assert port != 0
    log = SignalLog(receiver)
    sender.writeDatagram(b"aa", QHostAddress(SA.LocalHost), port)
    settle(100)
    assert log.names().count("readyRead") == 1
    assert receiver.hasPendingDatagrams()
    assert receiver.bytesAvailable() == 2 and receiver.pendingDatagramSize() == 2
    sender.writeDatagram(b"ab", QHostAddress(SA.LocalHost), port)
    settle(100)  # not read yet: no new signal
    assert log.names().count("readyRead") == 1
    assert receiver.hasPendingDatagrams() and receiver.bytesAvailable() >= 1
    assert receiver.pendingDatagramSize() == 2
    while receiver.hasPendingDatagrams():
        receiver.readDatagram(1)
    sender.writeDatagram(b"abc", QHostAddress(SA.LocalHost), port)
    settle(100)
    assert log.names().count("readyRead") == 2
    assert receiver.hasPendingDatagrams()
    assert receiver.bytesAvailable() == 3 and receiver.pendingDatagramSize() == 3


def test_ready_read_again_while_datagrams_remain(qapp: object) -> None:
    """Reading one of several queued datagrams re-arms readyRead for the rest (Qt)."""
    sender, receiver = QUdpSocket(), bound()
    log = SignalLog(receiver)
    for i in range(3):
        sender.writeDatagram(b"%d" % i, QHostAddress(SA.LocalHost), receiver.localPort())
    settle(50)
    assert log.names() == ["readyRead"]
    assert receiver.readDatagram(5)[0] == b"0"
    settle(50)
    assert log.names() == ["readyRead", "readyRead"]
    assert receiver.readDatagram(5)[0] == b"1" and receiver.readDatagram(5)[0] == b"2"
    settle(50)
    assert log.names() == ["readyRead", "readyRead"]
    assert not receiver.hasPendingDatagrams()


def test_ready_read_for_empty_datagram(qapp: object) -> None:
    sender, receiver = QUdpSocket(), bound(SA.AnyIPv4)
    got: list[int] = []
    receiver.readyRead.connect(lambda: got.append(receiver.bytesAvailable()))
    sender.writeDatagram(b"", QHostAddress(SA.LocalHost), receiver.localPort())
    assert wait_until(lambda: got, 1000)
    assert got == [0]
    assert receiver.hasPendingDatagrams() and receiver.pendingDatagramSize() == 0
    assert receiver.bytesAvailable() == 0
    assert receiver.readDatagram(1)[0] == b""


def test_async_read_datagram(qapp: object) -> None:
    sender, receiver = QUdpSocket(), bound(SA.AnyIPv4)
    seen: list[bytes] = []

    def on_ready_read() -> None:
        assert receiver.hasPendingDatagrams() and receiver.pendingDatagramSize() == 1
        assert receiver.bytesAvailable() == 1
        data = bytes(receiver.readDatagram(1)[0])
        seen.append(data)
        if data == b"1":
            sender.writeDatagram(b"2", QHostAddress(SA.LocalHost), receiver.localPort())
            time.sleep(0.1)  # the datagram arrives while this slot still runs

    receiver.readyRead.connect(on_ready_read)
    sender.writeDatagram(b"1", QHostAddress(SA.LocalHost), receiver.localPort())
    assert wait_until(lambda: len(seen) == 2, 2000)
    assert seen == [b"1", b"2"]


def test_read_when_nothing_is_pending(qapp: object) -> None:
    s = bound()
    log = SignalLog(s)
    data, host, port = s.readDatagram(10)
    assert (data, host.isNull(), port) == (b"", True, 0)
    assert (s.error(), s.errorString()) == (SE.TemporaryError, "No datagram available for reading")
    assert log.events == [("error", "TemporaryError", "BoundState")]
    assert not s.receiveDatagram().isValid()  # maxSize -1: nothing pending, no new error
    assert log.names() == ["error"]
    assert not s.receiveDatagram(10).isValid()
    assert log.names() == ["error", "error"]


def test_truncation_discard_and_receive_sizes(qapp: object) -> None:
    sender, r = QUdpSocket(), bound()
    for _ in range(3):
        sender.writeDatagram(b"abcdef", QHostAddress(SA.LocalHost), r.localPort())
    assert wait_until(lambda: r.bytesAvailable() == 6)
    dg = r.receiveDatagram(2)
    assert dg.data() == b"ab" and dg.isValid()
    dg = r.receiveDatagram(0)
    assert dg.data() == b"" and dg.isValid()  # consumed, its addresses still reported
    assert r.readDatagram(-1)[0] == b"abcdef"  # a negative size reads the whole datagram
    assert not r.hasPendingDatagrams()


def test_queue_stays_bounded_while_the_program_does_not_read(qapp: object) -> None:
    sender, r = QUdpSocket(), bound()
    log = SignalLog(r)
    for i in range(120):
        assert sender.writeDatagram(b"%03d" % i, QHostAddress(SA.LocalHost), r.localPort()) == 3
    settle(150)
    assert log.names() == ["readyRead"]
    assert len(r._dq) <= 64  # at most one drain ahead of the program; the kernel keeps the rest
    got = []
    while r.hasPendingDatagrams():
        got.append(bytes(r.readDatagram(10)[0]))
    assert got == [b"%03d" % i for i in range(120)]


def test_hop_limit_and_interface_on_send(qapp: object) -> None:
    lo = socket.if_nametoindex("lo")
    for host in (SA.LocalHost, SA.LocalHostIPv6):
        sender, r = QUdpSocket(), bound(host)
        dg = QNetworkDatagram(b"hl", QHostAddress(host), r.localPort())
        dg.setHopLimit(7)
        dg.setInterfaceIndex(lo)
        assert sender.writeDatagram(dg) == 2
        assert r.waitForReadyRead(2000)
        got = r.receiveDatagram()
        assert got.data() == b"hl" and got.hopLimit() == 7 and got.interfaceIndex() == lo


def test_make_reply_round_trip(qapp: object) -> None:
    client, server = bound(SA.AnyIPv4), bound(SA.Any)
    assert client.writeDatagram(b"question", QHostAddress(SA.LocalHost), server.localPort()) == 8
    assert server.waitForReadyRead(2000)
    request = server.receiveDatagram()
    reply = request.makeReply(b"answer")
    assert reply.destinationAddress() == request.senderAddress()
    assert reply.destinationPort() == client.localPort()
    assert reply.senderAddress() == request.destinationAddress()
    assert reply.senderPort() == server.localPort()
    assert reply.hopLimit() == -1 and reply.interfaceIndex() == request.interfaceIndex()
    assert server.writeDatagram(reply) == 6
    assert client.waitForReadyRead(2000)
    got = client.receiveDatagram()
    assert got.data() == b"answer" and got.senderPort() == server.localPort()
    assert got.senderAddress() == QHostAddress(SA.LocalHost)


def test_set_socket_descriptor(qapp: object) -> None:
    raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    raw.bind(("127.0.0.1", 0))
    s = QUdpSocket()
    assert s.setSocketDescriptor(raw.detach(), QAbstractSocket.BoundState)
    assert s.state() == SS.BoundState and s.openMode() == QIODevice.OpenModeFlag.ReadWrite
    QUdpSocket().writeDatagram(b"adopted", QHostAddress(SA.LocalHost), s.localPort())
    assert s.waitForReadyRead(2000) and s.readDatagram(100)[0] == b"adopted"
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t = QUdpSocket()
    assert not t.setSocketDescriptor(tcp.fileno())
    assert t.error() == SE.UnsupportedSocketOperationError
    tcp.close()
