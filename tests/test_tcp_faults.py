"""Bad input and faults: refused, unresolvable, reset mid-stream, fd exhaustion, misuse.

Each fault is checked for the Qt error code and text, the signal order where it
matters, and that the objects stay usable afterwards.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import struct
import subprocess
import sys
import textwrap
import time
import warnings

import pytest

from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401
from qtnet import QAbstractSocket, QHostAddress, QTcpServer, QTcpSocket
from tcp_helpers import SignalLog, closed_port, connected_pair, listening_server

SA = QHostAddress.SpecialAddress
SE = QAbstractSocket.SocketError
SS = QAbstractSocket.SocketState
LOOPS = ["uvloop", "asyncio"]


@pytest.fixture(params=LOOPS)
def loop_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, qapp: object) -> str:
    """Run the test on uvloop and on stock asyncio (the thread's loop is made on first use)."""
    monkeypatch.setenv("QTNET_LOOP", request.param)
    return str(request.param)


def test_connect_to_closed_port_event_loop(loop_kind: str) -> None:
    s = QTcpSocket()
    log = SignalLog(s)
    s.connectToHost(QHostAddress(SA.LocalHost), closed_port())
    assert wait_until(lambda: s.state() == SS.UnconnectedState)
    assert log.of("error") == [("error", "ConnectionRefusedError", "UnconnectedState")]
    assert s.errorString() == "Connection refused"
    assert not log.of("connected") and not log.of("disconnected")


def test_connect_to_closed_port_ipv6_blocking(qapp: object) -> None:
    s = QTcpSocket()
    s.connectToHost("::1", closed_port(socket.AF_INET6))
    assert not s.waitForConnected(5000)
    assert s.error() == SE.ConnectionRefusedError
    # The socket is reusable after the failure.
    server = listening_server(SA.LocalHostIPv6)
    s.connectToHost("::1", server.serverPort())
    assert s.waitForConnected(5000)


def test_unresolvable_name_event_loop(qapp: object) -> None:
    s = QTcpSocket()
    log = SignalLog(s)
    s.connectToHost("nonexistent.invalid", 80)
    assert s.state() == SS.HostLookupState
    assert wait_until(lambda: s.state() == SS.UnconnectedState, 30000)
    assert log.events == [
        ("state", "HostLookupState"),
        ("state", "UnconnectedState"),
        ("error", "HostNotFoundError", "UnconnectedState"),
    ]
    assert s.errorString() == "Host not found"


def test_unresolvable_name_blocking(qapp: object) -> None:
    s = QTcpSocket()
    s.connectToHost("nonexistent.invalid", 80)
    assert not s.waitForConnected(30000)
    assert s.error() == SE.HostNotFoundError
    assert s.state() == SS.UnconnectedState


def test_empty_host_name(qapp: object) -> None:
    s = QTcpSocket()
    s.connectToHost("", 80)
    assert wait_until(lambda: s.state() == SS.UnconnectedState)
    assert s.error() == SE.HostNotFoundError


def _reset_peer() -> tuple[socket.socket, QTcpSocket]:
    """A raw listening socket and a QTcpSocket connected to it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    s = QTcpSocket()
    s.connectToHost("127.0.0.1", listener.getsockname()[1])
    assert s.waitForConnected(5000)
    return listener, s


_SIOCOUTQ = 0x5411  # bytes not yet acknowledged by the peer (Linux)


def _unacked(conn: socket.socket) -> int:
    return int(struct.unpack("i", fcntl.ioctl(conn.fileno(), _SIOCOUTQ, b"\0\0\0\0"))[0])


def _send_then_reset(conn: socket.socket, data: bytes) -> None:
    """Send ``data``, wait until the peer's kernel has it all, then reset.

    An RST discards what the sender had not transmitted yet (TCP semantics), so
    the data must have left before the reset for "data before it kept" to be
    a property of the receiver.  No qtnet event is processed meanwhile: the data
    and the reset are both waiting when the socket is next notified (the case a
    uvloop poll handle gets wrong, see iocore/notifier.py).
    """
    conn.sendall(data)
    deadline = time.monotonic() + 10
    while _unacked(conn) and time.monotonic() < deadline:
        time.sleep(0.002)
    assert _unacked(conn) == 0
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()  # SO_LINGER 0: an RST instead of a FIN


def test_peer_reset_mid_stream_keeps_data(loop_kind: str) -> None:
    listener, s = _reset_peer()
    log = SignalLog(s)
    conn, _ = listener.accept()
    _send_then_reset(conn, b"before-reset")
    assert wait_until(lambda: s.state() == SS.UnconnectedState)
    assert log.events == [
        ("readyRead",),
        ("error", "RemoteHostClosedError", "ConnectedState"),
        ("state", "ClosingState"),
        ("state", "UnconnectedState"),
        ("readChannelFinished",),
        ("disconnected", "UnconnectedState"),
    ]
    assert s.readAll() == b"before-reset"
    listener.close()


def test_peer_reset_large_data_then_reset(loop_kind: str) -> None:
    # More data than one read takes, then the reset: everything is still delivered.
    listener, s = _reset_peer()
    s.setSocketOption(QAbstractSocket.ReceiveBufferSizeSocketOption, 1 << 20)
    conn, _ = listener.accept()
    payload = os.urandom(200_000)
    got = bytearray()
    s.readyRead.connect(lambda: got.extend(s.readAll()))
    _send_then_reset(conn, payload + b"!")
    assert wait_until(lambda: s.state() == SS.UnconnectedState, 10000)
    got.extend(s.readAll())
    assert bytes(got) == payload + b"!"
    assert s.error() == SE.RemoteHostClosedError
    listener.close()


def test_peer_reset_while_blocking(qapp: object) -> None:
    listener, s = _reset_peer()
    conn, _ = listener.accept()
    _send_then_reset(conn, b"abc")
    time.sleep(0.05)
    assert s.waitForReadyRead(5000)
    assert s.bytesAvailable() == 3
    assert not s.waitForReadyRead(5000)
    assert s.error() == SE.RemoteHostClosedError
    assert s.readAll() == b"abc"
    listener.close()


def test_write_to_reset_peer(loop_kind: str) -> None:
    listener, s = _reset_peer()
    conn, _ = listener.accept()
    _send_then_reset(conn, b"")
    time.sleep(0.05)
    s.write(b"x" * 1000)
    assert wait_until(lambda: s.state() == SS.UnconnectedState)
    assert s.error() == SE.RemoteHostClosedError
    # Depending on which side noticed the reset first (read or write), the
    # device is still open (write() then says "not connected") or aborted.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert s.write(b"more") == -1
    listener.close()


def test_write_after_close(qapp: object) -> None:
    server = listening_server()
    client, _peer = connected_pair(server)
    client.close()
    with pytest.warns(RuntimeWarning, match=r"QIODevice::write \(QTcpSocket\): device not open"):
        assert client.write(b"late") == -1
    assert client.bytesToWrite() == 0


def test_read_only_socket_refuses_write(qapp: object) -> None:
    server = listening_server()
    raw = socket.create_connection(("127.0.0.1", server.serverPort()))
    s = QTcpSocket()
    assert s.setSocketDescriptor(raw.detach(), SS.ConnectedState, QTcpSocket.ReadOnly)
    with pytest.warns(RuntimeWarning, match="ReadOnly device"):
        assert s.write(b"x") == -1


def test_bad_ports_raise_like_pyside(qapp: object) -> None:
    s = QTcpSocket()
    with pytest.raises(OverflowError):
        s.connectToHost("127.0.0.1", 70000)
    with pytest.raises(OverflowError):
        s.connectToHost("127.0.0.1", -1)
    assert s.state() == SS.UnconnectedState
    server = QTcpServer()
    with pytest.raises(OverflowError):
        server.listen(SA.LocalHost, 65536)
    assert not server.isListening()


def test_listen_on_null_address(qapp: object) -> None:
    server = QTcpServer()
    assert not server.listen(QHostAddress("not an address"), 0)
    assert server.serverError() == SE.SocketAddressNotAvailableError


def test_deleting_a_connected_socket_closes_it(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    client.deleteLater()
    assert wait_until(lambda: peer.state() == SS.UnconnectedState)
    assert peer.error() == SE.RemoteHostClosedError


def test_slot_exception_does_not_break_the_socket(
    qapp: object, capsys: pytest.CaptureFixture[str]
) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    calls: list[int] = []

    def bad_slot() -> None:
        calls.append(1)
        raise ValueError("boom in readyRead")

    client.readyRead.connect(bad_slot)
    peer.write(b"1")
    peer.flush()
    assert wait_until(lambda: calls == [1])
    peer.write(b"2")
    peer.flush()
    assert wait_until(lambda: calls == [1, 1])
    assert client.readAll() == b"12"
    assert "boom in readyRead" in capsys.readouterr().err


_EXHAUSTED_SERVER = textwrap.dedent(
    """
    import json, resource, sys
    from qtnet import QCoreApplication, QHostAddress, QTcpServer, QTimer
    limit = int(sys.argv[1]); total = int(sys.argv[2])
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
    app = QCoreApplication([])
    server = QTcpServer()
    assert server.listen(QHostAddress.LocalHost, 0)
    held, events, accepted = [], [], [0]

    def on_new():
        while server.hasPendingConnections():
            held.append(server.nextPendingConnection())
            accepted[0] += 1
        if accepted[0] >= total:
            QTimer.singleShot(0, app.quit)

    def recover():
        # The application's part (as with Qt): free descriptors, then resume.
        for sock in held[:15]:
            sock.abort()
        del held[:15]
        server.resumeAccepting()

    def on_error(err):
        events.append([int(err), server.serverError().name, server.errorString(),
                       server.isListening(), len(held)])
        QTimer.singleShot(50, recover)

    server.newConnection.connect(on_new)
    server.acceptError.connect(on_error)
    print(server.serverPort(), flush=True)
    QTimer.singleShot(30000, app.quit)
    app.exec()
    report = {"accepted": accepted[0], "errors": events, "listening": server.isListening()}
    print(json.dumps(report))
    """
)


def test_fd_exhaustion_while_accepting() -> None:
    limit, total = 48, 60
    proc = subprocess.Popen(
        [sys.executable, "-c", _EXHAUSTED_SERVER, str(limit), str(total)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    clients = []
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        for _ in range(total):
            clients.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        out, err = proc.communicate(timeout=60)
    finally:
        for c in clients:
            c.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    report = json.loads(out.strip().splitlines()[-1])
    assert report["accepted"] == total, (report, err)
    assert report["listening"] is True
    assert report["errors"], "no acceptError although descriptors ran out"
    code, name, text, listening, _held = report["errors"][0]
    assert code == int(SE.SocketResourceError) and name == "SocketResourceError"
    assert text == "Out of resources"
    assert listening is True
