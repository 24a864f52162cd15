"""Hostile input over real loopback sockets (issue 8): what an attacker sends
must fail with Qt's error (or be bounded by the configured limits) without this
process allocating what the input asks for, and the server keeps serving.

Memory is checked with the kernel's peak-RSS mark (see hostile_helpers).
"""

from __future__ import annotations

import struct
import subprocess
import sys
import threading
import time
import zlib

from hostile_helpers import peak_rss_growth_mb, push, reset_peak_rss, ws_upgrade
from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401
from qtnet import (
    QAbstractSocket,
    QDataStream,
    QHostAddress,
    QTcpServer,
    QUdpSocket,
    QUrl,
    QWebSocket,
)
from tcp_helpers import connected_pair, listening_server
from ws_helpers import RawPeer, client_frame, echo_server, handshake_request, parse_server_frames

MB = 1024 * 1024


def _close_code(frames: list[tuple[int, bytes]]) -> int | None:
    for b0, payload in frames:
        if b0 & 0x0F == 0x8 and len(payload) >= 2:
            return int(struct.unpack("!H", payload[:2])[0])
    return None


def _still_serves(port: int) -> None:
    """A well-behaved client still gets its echo."""
    client = QWebSocket()
    got: list[str] = []
    client.textMessageReceived.connect(got.append)
    client.open(QUrl(f"ws://127.0.0.1:{port}/"))
    assert wait_until(client.isValid, 5000), client.errorString()
    client.sendTextMessage("still here")
    assert wait_until(lambda: got == ["still here"], 5000)
    client.close()
    wait_until(lambda: client.state() == QAbstractSocket.UnconnectedState, 2000)


def _bomb(size: int) -> bytes:
    """``size`` zero bytes, raw-deflated as a permessage-deflate payload (~1000:1)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    # One MB compressed on its own (its back-references stay inside it), then
    # repeated: a valid stream, built without compressing ``size`` bytes.
    segment = comp.compress(b"\x00" * MB) + comp.flush(zlib.Z_SYNC_FLUSH)
    return (segment * (size // MB))[:-4]  # RFC 7692: the sync-flush tail is not sent


def test_decompression_bomb_is_bounded_by_the_message_size_limit(qapp: object) -> None:
    limit = 1 * MB
    server, sockets = echo_server(setPerMessageDeflate=True)
    port = server.serverPort()
    peer, head = ws_upgrade(port, extra=("Sec-WebSocket-Extensions: permessage-deflate",))
    assert b"permessage-deflate" in head
    assert wait_until(lambda: len(sockets) == 1)
    sockets[0].setMaxAllowedIncomingMessageSize(limit)
    received: list[bytes] = []
    sockets[0].binaryMessageReceived.connect(received.append)
    # A small compressed message within the limit is inflated and echoed.
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    small = comp.compress(b"hello " * 100) + comp.flush(zlib.Z_SYNC_FLUSH)
    peer.send(client_frame(0x2 | 0x40, small[:-4]))
    assert wait_until(lambda: received == [b"hello " * 100], 5000)
    # 1 GiB of zeros in ~1 MB on the wire, one frame: fails with 1009, and this
    # process never holds more than a few MB of it.
    bomb = _bomb(1024 * MB)
    assert len(bomb) < 2 * MB
    frame = client_frame(0x2 | 0x40, bomb)
    reset_peak_rss()
    push(peer, frame)
    assert peer.wait_closed(10000)
    assert _close_code(parse_server_frames(peer.data)) == 1009
    assert peak_rss_growth_mb() < 64, peak_rss_growth_mb()
    assert received == [b"hello " * 100]
    _still_serves(port)


def test_decompression_bomb_in_many_small_frames(qapp: object) -> None:
    # The same attack spread over continuation frames: the running total counts.
    server, sockets = echo_server(setPerMessageDeflate=True)
    port = server.serverPort()
    peer, _ = ws_upgrade(port, extra=("Sec-WebSocket-Extensions: permessage-deflate",))
    assert wait_until(lambda: len(sockets) == 1)
    sockets[0].setMaxAllowedIncomingMessageSize(256 * 1024)
    bomb = _bomb(64 * MB)
    step = 4096
    frames = [
        client_frame((0x2 | 0x40) if i == 0 else 0x0, bomb[i : i + step], fin=False)
        for i in range(0, len(bomb), step)
    ]
    reset_peak_rss()
    push(peer, b"".join(frames))
    assert peer.wait_closed(10000)
    assert _close_code(parse_server_frames(peer.data)) == 1009
    assert peak_rss_growth_mb() < 48, peak_rss_growth_mb()
    _still_serves(port)


def test_one_megabyte_of_http_headers_is_refused(qapp: object) -> None:
    server, sockets = echo_server()
    errors: list[tuple[int, str]] = []
    server.serverError.connect(lambda code: errors.append((int(code), server.errorString())))
    port = server.serverPort()
    request = handshake_request(port)
    head = request[: -2]  # the empty line comes after the junk
    junk = b"".join(b"X-Junk-%06d: %s\r\n" % (i, b"a" * 1000) for i in range(1100))
    assert len(junk) > MB
    peer = RawPeer(port)
    reset_peak_rss()
    sent = push(peer, head + junk + b"\r\n")
    assert peer.wait_closed(10000)
    assert not peer.data.startswith(b"HTTP/1.1 101")
    assert errors and errors[0][0] in (1002, 1009), errors
    assert sockets == []
    assert peak_rss_growth_mb() < 32, (peak_rss_growth_mb(), sent)
    # One header line of 1 MB (no CRLF at all) is refused as well.
    peer2 = RawPeer(port)
    push(peer2, head[:-2] + b"X-Long: " + b"b" * MB)
    assert peer2.wait_closed(10000)
    _still_serves(port)


def _frame_header_only(length: int) -> bytes:
    return bytes((0x82, 0x80 | 127)) + struct.pack("!Q", length) + b"\x01\x02\x03\x04"


def test_frame_length_of_2_to_the_63_fails_without_allocating(qapp: object) -> None:
    server, sockets = echo_server()
    port = server.serverPort()
    peer, _ = ws_upgrade(port)
    assert wait_until(lambda: len(sockets) == 1)
    reset_peak_rss()
    peer.send(_frame_header_only(1 << 63) + b"x" * 1000)
    assert peer.wait_closed(5000)
    assert _close_code(parse_server_frames(peer.data)) == 1002  # top bit must be 0
    # The largest legal 64-bit length: over Qt's frame limit, 1009 at once.
    peer2, _ = ws_upgrade(port)
    peer2.send(_frame_header_only((1 << 63) - 1))
    assert peer2.wait_closed(5000)
    assert _close_code(parse_server_frames(peer2.data)) == 1009
    assert peak_rss_growth_mb() < 16, peak_rss_growth_mb()
    _still_serves(port)


def test_datastream_size_prefix_of_2_to_the_31_rolls_back(qapp: object) -> None:
    server = listening_server()
    client, accepted = connected_pair(server)
    stream = QDataStream(accepted)
    stream.setVersion(QDataStream.Qt_6_5)
    outcomes: list[bool] = []

    def on_ready() -> None:
        stream.startTransaction()
        stream.readQString()
        stream.readBytes()
        outcomes.append(stream.commitTransaction())

    accepted.readyRead.connect(on_ready)
    reset_peak_rss()
    # A QString claiming 2^31 - 2 bytes with 20 behind it.
    client.write(struct.pack(">I", 0x7FFFFFFE) + b"\x00a" * 10)
    assert client.waitForBytesWritten(5000)
    assert wait_until(lambda: len(outcomes) >= 1, 5000)
    assert outcomes[-1] is False
    assert accepted.bytesAvailable() == 24  # rolled back: nothing consumed
    assert stream.status() == QDataStream.ReadPastEnd  # (the next transaction resets it)
    assert peak_rss_growth_mb() < 16, peak_rss_growth_mb()
    # The connection still carries well-formed data afterwards.
    accepted.readyRead.disconnect(on_ready)
    accepted.readAll()
    good: list[str] = []

    def on_good() -> None:
        stream.startTransaction()
        text = stream.readQString()
        if stream.commitTransaction():
            good.append(text)

    accepted.readyRead.connect(on_good)
    out = QDataStream(client)
    out.setVersion(QDataStream.Qt_6_5)
    out.writeQString("fine")
    assert wait_until(lambda: good == ["fine"], 5000)
    client.close()
    accepted.close()
    server.close()


_FLOOD = r"""
import socket, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
payload = b"f" * 512
deadline = time.monotonic() + seconds
sent = 0
while time.monotonic() < deadline:
    for _ in range(256):
        try:
            s.sendto(payload, ("127.0.0.1", port))
            sent += 1
        except BlockingIOError:
            time.sleep(0.0005)
print(sent)
"""


def test_udp_flood_does_not_starve_tcp(qapp: object) -> None:
    udp = QUdpSocket()
    assert udp.bind(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
    datagrams = [0]

    def drain() -> None:
        while udp.hasPendingDatagrams():
            udp.readDatagram(2048)
            datagrams[0] += 1

    udp.readyRead.connect(drain)
    server = QTcpServer()
    assert server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
    conns: list[object] = []

    def on_new() -> None:
        while server.hasPendingConnections():
            s = server.nextPendingConnection()
            s.readyRead.connect(lambda s=s: s.write(s.readAll()))
            conns.append(s)

    server.newConnection.connect(on_new)
    flood = subprocess.Popen(
        [sys.executable, "-c", _FLOOD, str(udp.localPort()), "3"], stdout=subprocess.PIPE
    )
    latencies: list[float] = []
    failures: list[BaseException] = []

    def tcp_client() -> None:
        import socket

        try:
            with socket.create_connection(("127.0.0.1", server.serverPort()), timeout=10) as c:
                end = time.monotonic() + 3
                while time.monotonic() < end:
                    t0 = time.monotonic()
                    c.sendall(b"ping\n")
                    got = b""
                    while len(got) < 5:
                        chunk = c.recv(64)
                        if not chunk:
                            raise ConnectionError("closed")
                        got += chunk
                    latencies.append(time.monotonic() - t0)
                    time.sleep(0.01)
        except BaseException as exc:  # reported below
            failures.append(exc)

    t = threading.Thread(target=tcp_client)
    t.start()
    assert wait_until(lambda: not t.is_alive(), 20000)
    t.join(5)
    out, _ = flood.communicate(timeout=20)
    settle(100)
    assert failures == []
    assert len(latencies) >= 20, latencies
    assert max(latencies) < 2.0, max(latencies)
    assert datagrams[0] > 1000, (datagrams[0], out)  # the flood really arrived
    udp.close()
    server.close()
