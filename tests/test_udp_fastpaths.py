"""The fast paths of QUdpSocket's echo loop keep Qt's value semantics.

readDatagram hands out copies of cached sender addresses, writeDatagram looks
destinations up by address value, receiveDatagram shares cached metadata with
its datagrams, the engine stops reading metadata for programs that only use
readDatagram, and a peer sending one datagram at a time is drained with a
poll() probe.  None of that may be visible to the program.
"""

from __future__ import annotations

import socket

from qt_helpers import qapp_fixture, wait_until  # noqa: F401
from qtnet import QHostAddress, QNetworkDatagram, QUdpSocket

SA = QHostAddress.SpecialAddress
LOOPBACK_INDEX = socket.if_nametoindex("lo")


def bound(address: object = SA.LocalHost) -> QUdpSocket:
    s = QUdpSocket()
    assert s.bind(address, 0), s.errorString()
    return s


def raw_client(family: int = socket.AF_INET) -> socket.socket:
    c = socket.socket(family, socket.SOCK_DGRAM)
    c.bind(("127.0.0.1" if family == socket.AF_INET else "::1", 0))
    c.settimeout(5.0)
    return c


def read_all(sock: QUdpSocket, want: int, read: object) -> list[object]:
    """Run the loop until ``want`` datagrams were taken with ``read(sock)``."""
    got: list[object] = []

    def on_ready_read() -> None:
        while sock.hasPendingDatagrams():
            got.append(read(sock))  # type: ignore[operator]

    sock.readyRead.connect(on_ready_read)
    # readyRead may have fired already (while the loop ran for another socket)
    # and is re-armed only by a read: take what is there first, as programs do.
    on_ready_read()
    assert wait_until(lambda: len(got) >= want, 10000), f"{len(got)} of {want} datagrams"
    sock.readyRead.disconnect(on_ready_read)
    return got


def make_lean(server: QUdpSocket, client: socket.socket) -> None:
    """Run 300 datagrams through a readyRead-driven readDatagram() loop: enough
    for the engine to stop reading metadata."""
    taken: list[bytes] = []

    def on_ready_read() -> None:
        while server.hasPendingDatagrams():
            taken.append(bytes(server.readDatagram(100)[0]))

    server.readyRead.connect(on_ready_read)
    for batch in range(10):
        for i in range(30):
            client.sendto(b"r%d" % i, ("127.0.0.1", server.localPort()))
        want = 30 * (batch + 1)
        assert wait_until(lambda: len(taken) >= want, 10000)  # noqa: B023 - called at once
    assert taken == [b"r%d" % i for i in range(30)] * 10
    server.readyRead.disconnect(on_ready_read)


def drained_not_taken(server: QUdpSocket) -> None:
    """Wait for the next readyRead (its datagrams are then queued, not taken)."""
    notified: list[int] = []
    server.readyRead.connect(lambda: notified.append(1))
    assert wait_until(lambda: notified, 10000)


def test_sender_addresses_are_independent_copies(qapp: object) -> None:
    server = bound()
    client = raw_client()
    for i in range(3):
        client.sendto(b"%d" % i, ("127.0.0.1", server.localPort()))
    got = read_all(server, 3, lambda s: s.readDatagram(100))
    hosts = [host for _data, host, _port in got]  # type: ignore[misc]
    assert all(h == QHostAddress("127.0.0.1") for h in hosts)
    assert len({id(h) for h in hosts}) == 3  # one object per datagram
    hosts[0].setAddress("10.1.2.3")  # the program owns what it got...
    hosts[1].clear()
    client.sendto(b"again", ("127.0.0.1", server.localPort()))
    ((data, host, port),) = read_all(server, 1, lambda s: s.readDatagram(100))  # type: ignore[misc]
    assert bytes(data) == b"again"  # ...and the next datagram's sender is unaffected
    assert host == QHostAddress("127.0.0.1") and host.toString() == "127.0.0.1"
    assert port == client.getsockname()[1]
    assert hosts[2] == QHostAddress("127.0.0.1")


def test_received_datagram_addresses_are_private(qapp: object) -> None:
    server = bound()
    client = raw_client()
    client.sendto(b"one", ("127.0.0.1", server.localPort()))
    client.sendto(b"two", ("127.0.0.1", server.localPort()))
    first, second = read_all(server, 2, lambda s: s.receiveDatagram())
    assert isinstance(first, QNetworkDatagram) and isinstance(second, QNetworkDatagram)
    sender = first.senderAddress()
    sender.setAddress("10.9.9.9")
    dest = first.destinationAddress()
    dest.clear()
    first.setSender(QHostAddress("10.0.0.1"), 7)
    assert second.senderAddress() == QHostAddress("127.0.0.1")
    assert second.destinationAddress() == QHostAddress("127.0.0.1")
    assert first.destinationAddress() == QHostAddress("127.0.0.1")
    assert first.senderAddress() == QHostAddress("10.0.0.1") and first.senderPort() == 7


def test_write_destination_follows_the_address_value(qapp: object) -> None:
    """writeDatagram remembers sockaddrs per address *value*: a QHostAddress the
    program changes in place after a write must reach its new address."""
    sender = bound(SA.Any)
    receiver4 = bound(SA.LocalHost)
    receiver6 = bound(SA.LocalHostIPv6)
    host = QHostAddress("127.0.0.1")
    assert sender.writeDatagram(b"v4", host, receiver4.localPort()) == 2
    host.setAddress("::1")
    assert sender.writeDatagram(b"v6", host, receiver6.localPort()) == 2
    ((d4, h4, _p4),) = read_all(receiver4, 1, lambda s: s.readDatagram(10))  # type: ignore[misc]
    ((d6, h6, _p6),) = read_all(receiver6, 1, lambda s: s.readDatagram(10))  # type: ignore[misc]
    assert (bytes(d4), bytes(d6)) == (b"v4", b"v6")
    assert h6 == QHostAddress("::1")
    assert h4 == QHostAddress("127.0.0.1")


def test_metadata_of_every_datagram_of_a_receive_datagram_program(qapp: object) -> None:
    server = bound()
    client = raw_client()
    client.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 17)
    count = 400  # more than the readDatagram-only threshold: metadata must stay on
    got: list[QNetworkDatagram] = []

    def on_ready_read() -> None:
        while server.hasPendingDatagrams():
            got.append(server.receiveDatagram())

    server.readyRead.connect(on_ready_read)
    for i in range(count):
        client.sendto(b"%d" % i, ("127.0.0.1", server.localPort()))
        if i % 50 == 49:
            assert wait_until(lambda: len(got) > i, 10000)  # noqa: B023 - called at once
    assert wait_until(lambda: len(got) >= count, 10000)
    engine = server._engine
    assert engine is not None and engine.metadata is True
    assert [bytes(d.data()) for d in got] == [b"%d" % i for i in range(count)]
    for d in got:
        assert d.destinationAddress() == QHostAddress("127.0.0.1")
        assert d.destinationPort() == server.localPort()
        assert d.hopLimit() == 17
        assert d.interfaceIndex() == LOOPBACK_INDEX
        assert d.senderPort() == client.getsockname()[1]


def test_read_datagram_program_that_switches_to_receive_datagram(qapp: object) -> None:
    """After many readDatagram() calls the engine stops reading metadata; the
    first receiveDatagram() turns it back on.  Datagrams read ahead before that
    report unknown metadata (as from a platform without packet info), later
    ones all of it."""
    server = bound()
    client = raw_client()
    client.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 23)
    dest = ("127.0.0.1", server.localPort())
    make_lean(server, client)
    client.sendto(b"ahead", dest)
    drained_not_taken(server)
    engine = server._engine
    assert engine is not None and engine.metadata is False  # the lean reads this test is about
    first = server.receiveDatagram()
    assert engine.metadata is True
    assert bytes(first.data()) == b"ahead"
    assert first.senderAddress() == QHostAddress("127.0.0.1")
    assert first.senderPort() == client.getsockname()[1]
    assert first.isValid()
    # Read ahead without metadata: reported unknown (never wrong).
    assert first.destinationAddress().isNull() and first.destinationPort() == -1
    assert first.hopLimit() == -1
    assert first.interfaceIndex() == 0
    for i in range(5):
        client.sendto(b"m%d" % i, dest)
    later = read_all(server, 5, lambda s: s.receiveDatagram())
    for i, d in enumerate(later):
        assert isinstance(d, QNetworkDatagram)
        assert bytes(d.data()) == b"m%d" % i
        assert d.destinationAddress() == QHostAddress("127.0.0.1")
        assert d.destinationPort() == server.localPort()
        assert d.hopLimit() == 23
        assert d.interfaceIndex() == LOOPBACK_INDEX


def test_reply_to_a_datagram_read_without_metadata_still_arrives(qapp: object) -> None:
    server = bound()
    client = raw_client()
    dest = ("127.0.0.1", server.localPort())
    make_lean(server, client)
    client.sendto(b"ping", dest)
    drained_not_taken(server)
    dg = server.receiveDatagram()
    assert dg.hopLimit() == -1 and dg.destinationAddress().isNull()  # read without metadata
    assert isinstance(dg, QNetworkDatagram)
    assert server.writeDatagram(dg.makeReply(b"pong")) == 4
    assert client.recvfrom(100) == (b"pong", dest)


def test_one_at_a_time_then_a_burst(qapp: object) -> None:
    """A peer that sent single datagrams (drained with a poll() probe) then a
    burst: every datagram is read, and hasPendingDatagrams() ends each batch."""
    server = bound()
    client = raw_client()
    dest = ("127.0.0.1", server.localPort())
    got: list[bytes] = []
    batches: list[int] = []

    def on_ready_read() -> None:
        n = 0
        while server.hasPendingDatagrams():
            data, _host, _port = server.readDatagram(server.pendingDatagramSize())
            got.append(bytes(data))
            n += 1
        batches.append(n)
        assert server.pendingDatagramSize() == -1 or server.hasPendingDatagrams()

    server.readyRead.connect(on_ready_read)
    for i in range(20):
        client.sendto(b"single %d" % i, dest)
        assert wait_until(lambda: len(got) > i, 10000)  # noqa: B023 - called at once
    for i in range(200):
        client.sendto(b"burst %d" % i, dest)
    assert wait_until(lambda: len(got) >= 220, 10000)
    assert got == [b"single %d" % i for i in range(20)] + [b"burst %d" % i for i in range(200)]
    assert all(n >= 1 for n in batches)
    assert not server.hasPendingDatagrams()
    assert server.pendingDatagramSize() == -1


def test_empty_datagram_after_single_datagrams(qapp: object) -> None:
    server = bound()
    client = raw_client()
    dest = ("127.0.0.1", server.localPort())
    for _ in range(3):
        client.sendto(b"s", dest)
        read_all(server, 1, lambda s: s.readDatagram(10))
    client.sendto(b"", dest)
    client.sendto(b"after", dest)
    got = read_all(server, 2, lambda s: bytes(s.readDatagram(10)[0]))
    assert got == [b"", b"after"]


def test_make_reply_from_multicast_and_unicast_destinations(qapp: object) -> None:
    for dest, multicast in [
        ("224.0.0.251", True),
        ("239.255.255.250", True),
        ("::ffff:224.0.0.1", True),
        ("ff02::1", True),
        ("223.255.255.255", False),
        ("240.0.0.1", False),
        ("127.0.0.1", False),
        ("::1", False),
        ("0.0.0.0", False),
    ]:
        assert QHostAddress(dest).isMulticast() == multicast, dest
        dg = QNetworkDatagram(b"q", QHostAddress(dest), 5000)
        dg.setSender(QHostAddress("127.0.0.1"), 4000)
        dg.setInterfaceIndex(3)
        reply = dg.makeReply(b"a")
        assert reply.destinationAddress() == QHostAddress("127.0.0.1")
        assert reply.destinationPort() == 4000
        assert reply.interfaceIndex() == 3
        if multicast:
            assert reply.senderAddress().isNull() and reply.senderPort() == -1, dest
        else:
            assert reply.senderAddress() == QHostAddress(dest) and reply.senderPort() == 5000


def test_make_reply_copies_a_byte_array_payload(qapp: object) -> None:
    dg = QNetworkDatagram(b"q", QHostAddress("127.0.0.1"), 5000)
    payload = dg.data()
    reply = dg.makeReply(payload)
    payload.append(b"!")  # changed after makeReply: the reply keeps what it was given
    assert bytes(reply.data()) == b"q"
    assert bytes(dg.data()) == b"q"


def test_make_reply_echo_over_ipv4_and_ipv6_loopback(qapp: object) -> None:
    """Replies to loopback peers (interface index lo, source the loopback
    address) go out with plain sendto; they must still come from the server's
    address and port, and a hop limit set on the reply must still apply."""
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        server = bound(QHostAddress(host))
        client = raw_client(family)
        if family == socket.AF_INET:
            client.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL (Linux)
            level, kind = socket.IPPROTO_IP, socket.IP_TTL
        else:
            client.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
            level, kind = socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT
        client.sendto(b"plain", (host, server.localPort()))
        client.sendto(b"hops", (host, server.localPort()))
        first, second = read_all(server, 2, lambda s: s.receiveDatagram())
        assert isinstance(first, QNetworkDatagram) and isinstance(second, QNetworkDatagram)
        assert first.interfaceIndex() == LOOPBACK_INDEX
        assert server.writeDatagram(first.makeReply(first.data())) == 5
        reply = second.makeReply(b"hops!")
        reply.setHopLimit(9)
        assert server.writeDatagram(reply) == 5
        for payload, hops in ((b"plain", None), (b"hops!", 9)):
            data, anc, _flags, addr = client.recvmsg(100, socket.CMSG_SPACE(4))
            assert data == payload
            assert addr[:2] == (host, server.localPort())
            got = [int.from_bytes(d[:4], "little") for lv, k, d in anc if (lv, k) == (level, kind)]
            if hops is not None:
                assert got == [hops], family


def test_a_readyread_slot_sees_one_batch_then_the_next_readyread_brings_the_rest(
    qapp: object,
) -> None:
    # 150 datagrams wait in the kernel before the loop runs.  A `while
    # hasPendingDatagrams()` slot gets one batch (at most 64) per readyRead, so
    # it returns and the thread's other sockets get their turn; the rest comes
    # with the following readyRead calls, nothing is lost, order is kept.
    server = bound()
    client = raw_client()
    for i in range(150):
        client.sendto(b"%d" % i, ("127.0.0.1", server.localPort()))
    per_call: list[int] = []
    got: list[bytes] = []

    def on_ready_read() -> None:
        n = 0
        while server.hasPendingDatagrams():
            got.append(bytes(server.readDatagram(100)[0]))
            n += 1
        per_call.append(n)

    server.readyRead.connect(on_ready_read)
    assert wait_until(lambda: len(got) >= 150, 10000), len(got)
    assert got == [b"%d" % i for i in range(150)]
    assert len(per_call) >= 3 and max(per_call) <= 64, per_call
    # Outside readyRead the answer is the kernel's, as in Qt.
    client.sendto(b"late", ("127.0.0.1", server.localPort()))
    server.readyRead.disconnect(on_ready_read)
    assert wait_until(server.hasPendingDatagrams, 5000)
    assert bytes(server.readDatagram(100)[0]) == b"late"
    client.close()
