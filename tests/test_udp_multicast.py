"""QUdpSocket multicast on this host (qt-autotests.md §3, multicast rows).

Traffic stays on the loopback interface: receivers join on ``lo`` and senders
set ``lo`` as their multicast interface (checked before anything is sent).
IPv4 groups are delivered over ``lo``.  The Linux kernel does not deliver IPv6
multicast over ``lo`` (it has no IFF_MULTICAST flag and no ff00::/8 route; even
with both, looped packets are dropped), so IPv6 rows here check the join/leave
results only; IPv6 delivery is tested between network namespaces in
test_udp_netns.py.
"""

from __future__ import annotations

import random
import socket

import pytest

from qt_helpers import qapp_fixture, wait_until  # noqa: F401
from qtnet import QAbstractSocket, QHostAddress, QNetworkDatagram, QNetworkInterface, QUdpSocket

SA = QHostAddress.SpecialAddress
SO = QAbstractSocket.SocketOption
SE = QAbstractSocket.SocketError
NOT_BOUND = "called on a QUdpSocket when not in QUdpSocket::BoundState"
DUAL_V4_WARNING = (
    "QAbstractSocket: cannot bind to QHostAddress::Any (or an IPv6 address) and join an IPv4 "
    "multicast group; bind to QHostAddress::AnyIPv4 instead if you want to do this"
)

# Random groups (as Qt's initTestCase): 239.x organisation-local, ff14:: admin-local,
# ff12:: link-local.
_R = random.Random()
GROUP4 = QHostAddress((239 << 24) | _R.randrange(1, 1 << 24))
GROUP6 = QHostAddress(f"ff14::{_R.randrange(1, 0xFFFF):x}:{_R.randrange(1, 0xFFFF):x}")
LINK_GROUP6 = QHostAddress(f"ff12::{_R.randrange(1, 0xFFFF):x}")


def lo() -> QNetworkInterface:
    iface = QNetworkInterface.interfaceFromName("lo")
    assert iface.isValid() and iface.index() == socket.if_nametoindex("lo")
    return iface


def bound(address: object, port: int = 0) -> QUdpSocket:
    s = QUdpSocket()
    assert s.bind(address, port), s.errorString()
    return s


@pytest.mark.parametrize("bind_address", [SA.AnyIPv4, SA.AnyIPv6])
@pytest.mark.parametrize(
    "ttl, expected", [(0, 0), (1, 1), (2, 2), (128, 128), (255, 255), (1024, 1)]
)
def test_multicast_ttl_option(qapp: object, bind_address: SA, ttl: int, expected: int) -> None:
    s = QUdpSocket()
    s.bind(QHostAddress(bind_address), 0)
    s.setSocketOption(SO.MulticastTtlOption, ttl)
    assert s.socketOption(SO.MulticastTtlOption) == expected  # 1024 is refused: the default stays


@pytest.mark.parametrize("bind_address", [SA.AnyIPv4, SA.AnyIPv6, SA.Any])
def test_multicast_loopback_option(qapp: object, bind_address: SA) -> None:
    s = bound(bind_address)
    for value, expected in [(0, 0), (1, 1), (2, 1), (0, 0), (2, 1), (0, 0), (1, 1)]:
        s.setSocketOption(SO.MulticastLoopbackOption, value)
        assert s.socketOption(SO.MulticastLoopbackOption) == expected


@pytest.mark.parametrize(
    "group", [GROUP4, QHostAddress(SA.Broadcast), GROUP6, LINK_GROUP6, QHostAddress(SA.AnyIPv6)]
)
def test_multicast_join_before_bind(qapp: object, group: QHostAddress) -> None:
    s = QUdpSocket()
    with pytest.warns(RuntimeWarning, match=r"QUdpSocket::joinMulticastGroup\(\) " + NOT_BOUND):
        assert not s.joinMulticastGroup(group)


@pytest.mark.parametrize("group", [GROUP4, GROUP6, LINK_GROUP6])
def test_multicast_leave_after_close(qapp: object, group: QHostAddress) -> None:
    s = bound(SA.AnyIPv6 if group.protocol() == QAbstractSocket.IPv6Protocol else SA.AnyIPv4)
    assert s.joinMulticastGroup(group, lo()), s.errorString()
    s.close()
    with pytest.warns(RuntimeWarning, match=r"QUdpSocket::leaveMulticastGroup\(\) " + NOT_BOUND):
        assert not s.leaveMulticastGroup(group)


def _interface_rows() -> list[tuple[str, str]]:
    rows = []
    for iface in QNetworkInterface.allInterfaces():
        if not iface.flags() & QNetworkInterface.IsUp:
            continue
        for entry in iface.addressEntries():
            rows.append((iface.name(), entry.ip().toString()))
    return rows


@pytest.mark.parametrize("name, address", _interface_rows())
def test_set_multicast_interface(qapp: object, name: str, address: str) -> None:
    iface = QNetworkInterface.interfaceFromName(name)
    v6 = QHostAddress(address).protocol() == QAbstractSocket.IPv6Protocol
    s = bound(SA.AnyIPv6 if v6 else SA.AnyIPv4)  # only a socket option: nothing is sent
    assert not s.multicastInterface().isValid()  # none chosen yet
    s.setMulticastInterface(iface)
    got = s.multicastInterface()
    assert got.isValid() and got.name() == iface.name()


def test_multicast_interface_calls_before_bind_warn(qapp: object) -> None:
    s = QUdpSocket()
    with pytest.warns(RuntimeWarning, match=r"QUdpSocket::setMulticastInterface\(\) " + NOT_BOUND):
        s.setMulticastInterface(lo())
    with pytest.warns(RuntimeWarning, match=r"QUdpSocket::multicastInterface\(\) " + NOT_BOUND):
        assert not s.multicastInterface().isValid()


def test_join_on_a_connected_socket_warns(qapp: object) -> None:
    s = QUdpSocket()
    s.connectToHost(QHostAddress(SA.LocalHost), 9)
    assert s.waitForConnected(1000)
    with pytest.warns(
        RuntimeWarning,
        match=r"QNativeSocketEngine::joinMulticastGroup\(\) was not "
        r"called in QAbstractSocket::BoundState",
    ):
        assert not s.joinMulticastGroup(GROUP4)


def test_join_errors(qapp: object) -> None:
    s = bound(SA.AnyIPv4)
    assert s.joinMulticastGroup(GROUP4, lo())
    assert not s.joinMulticastGroup(GROUP4, lo())  # already a member
    assert s.error() == SE.UnknownSocketError  # Qt's mapping of EADDRINUSE
    assert not s.joinMulticastGroup(GROUP6, lo())  # an IPv6 group on an IPv4 socket
    assert s.error() == SE.UnsupportedSocketOperationError
    assert s.leaveMulticastGroup(GROUP4, lo())
    assert not s.leaveMulticastGroup(GROUP4, lo())  # no longer a member
    assert not s.joinMulticastGroup(QHostAddress(), lo())
    assert s.error() == SE.UnsupportedSocketOperationError


@pytest.mark.parametrize(
    "bind_address, group, join_result",
    [
        (SA.AnyIPv4, GROUP4, True),
        (SA.AnyIPv4, QHostAddress(SA.AnyIPv4), False),
        (SA.AnyIPv6, GROUP6, True),
        (SA.AnyIPv6, LINK_GROUP6, True),
        (SA.AnyIPv6, QHostAddress(SA.AnyIPv6), False),
        (SA.Any, GROUP4, False),
        (SA.Any, GROUP6, True),
        (SA.Any, LINK_GROUP6, True),
    ],
)
def test_multicast_join_results(
    qapp: object, bind_address: SA, group: QHostAddress, join_result: bool
) -> None:
    receiver = bound(bind_address)
    if bind_address == SA.Any and group.protocol() == QAbstractSocket.IPv4Protocol:
        with pytest.warns(
            RuntimeWarning, match=DUAL_V4_WARNING.replace("(", r"\(").replace(")", r"\)")
        ):
            assert not receiver.joinMulticastGroup(group, lo())
        return
    assert receiver.joinMulticastGroup(group, lo()) == join_result
    if join_result:
        assert receiver.leaveMulticastGroup(group, lo())


def _sender_on_lo() -> QUdpSocket:
    sender = bound(SA.AnyIPv4)
    sender.setMulticastInterface(lo())
    assert sender.multicastInterface().name() == "lo"  # never let a test datagram leave this host
    return sender


def test_multicast_delivery_ipv4_on_loopback(qapp: object) -> None:
    receiver = bound(SA.AnyIPv4)
    assert receiver.joinMulticastGroup(GROUP4, lo()), receiver.errorString()
    sender = _sender_on_lo()
    datagrams = [b"0123", b"4567", b"89ab", b"cdef"]
    for data in datagrams:
        dg = QNetworkDatagram(data, GROUP4, receiver.localPort())
        dg.setInterfaceIndex(lo().index())
        assert sender.writeDatagram(dg) == len(data)
    assert receiver.waitForReadyRead(5000)
    local = QNetworkInterface.allAddresses()
    received = []
    assert wait_until(lambda: receiver.hasPendingDatagrams())
    while receiver.hasPendingDatagrams() or len(received) < len(datagrams):
        if not receiver.hasPendingDatagrams():
            assert receiver.waitForReadyRead(2000)
        dg = receiver.receiveDatagram()
        received.append(bytes(dg.data()))
        assert dg.senderAddress() in local
        assert dg.senderPort() == sender.localPort()
        assert dg.destinationAddress() == GROUP4
        assert dg.destinationPort() == receiver.localPort()
        assert dg.hopLimit() == 1  # the default multicast TTL
        assert dg.interfaceIndex() == lo().index()
    assert received == datagrams
    assert receiver.leaveMulticastGroup(GROUP4, lo())


def test_multicast_ttl_travels_and_leave_stops_delivery(qapp: object) -> None:
    receiver = bound(SA.AnyIPv4)
    assert receiver.joinMulticastGroup(GROUP4, lo())
    sender = _sender_on_lo()
    sender.setSocketOption(SO.MulticastTtlOption, 5)
    assert sender.writeDatagram(b"ttl", GROUP4, receiver.localPort()) == 3
    assert receiver.waitForReadyRead(3000)
    assert receiver.receiveDatagram().hopLimit() == 5
    assert receiver.leaveMulticastGroup(GROUP4, lo())
    assert sender.writeDatagram(b"gone", GROUP4, receiver.localPort()) == 4
    assert not receiver.waitForReadyRead(300)


def test_two_receivers_share_a_port_and_both_get_the_group(qapp: object) -> None:
    first = QUdpSocket()
    assert first.bind(SA.AnyIPv4, 0, QUdpSocket.ShareAddress)
    second = QUdpSocket()
    assert second.bind(
        SA.AnyIPv4, first.localPort(), QUdpSocket.ShareAddress | QUdpSocket.ReuseAddressHint
    )
    for r in (first, second):
        assert r.joinMulticastGroup(GROUP4, lo())
    sender = _sender_on_lo()
    assert sender.writeDatagram(b"both", GROUP4, first.localPort()) == 4
    for r in (first, second):
        assert r.waitForReadyRead(3000)
        assert r.readDatagram(10)[0] == b"both"


def test_invalid_multicast_interface_means_the_systems_choice(qapp: object) -> None:
    s = bound(SA.AnyIPv4)
    s.setMulticastInterface(QNetworkInterface())  # invalid: back to the system's choice
    assert not s.multicastInterface().isValid()
