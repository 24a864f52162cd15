"""QTcpSocket data transfer and the waitFor*() rows of tst_qtcpsocket (qt-autotests.md §2).

Rows that need Qt's network test server (IMAP, HTTP downloads) run against a
small server started here on loopback.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time

import pytest

from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401
from qtnet import QAbstractSocket, QHostAddress, QHostInfo, QIODevice, QTcpSocket
from qtnet.qt import socket_connect
from tcp_helpers import SignalLog, closed_port, connected_pair, listening_server

SA = QHostAddress.SpecialAddress
SE = QAbstractSocket.SocketError
SS = QAbstractSocket.SocketState


def _full_backlog_listener() -> tuple[socket.socket, list[socket.socket]]:
    """A loopback listener whose accept queue is full: new SYNs are dropped."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    for _ in range(4):
        f = socket.socket()
        f.setblocking(False)
        f.connect_ex(listener.getsockname())
        fillers.append(f)
    time.sleep(0.1)
    return listener, fillers


def test_timeout_connect(qapp: object) -> None:
    listener, fillers = _full_backlog_listener()
    try:
        s = QTcpSocket()
        log = SignalLog(s)
        s.connectToHost("127.0.0.1", listener.getsockname()[1])
        start = time.monotonic()
        assert not s.waitForConnected(200)
        assert 0.15 <= time.monotonic() - start < 5
        assert s.state() == SS.UnconnectedState
        assert s.error() == SE.SocketTimeoutError
        assert s.errorString() == "Socket operation timed out"
        # Qt sets this error without emitting it, and returns to Unconnected.
        assert log.events[-1] == ("state", "UnconnectedState")
        assert not log.of("error")
        assert s.readChannelCount() == 0 and s.writeChannelCount() == 0
        s.connectToHost("127.0.0.1", listener.getsockname()[1])
        settle(50)
        assert s.state() == SS.ConnectingState
        s.abort()
        assert s.state() == SS.UnconnectedState
        assert s.openMode() == QIODevice.OpenModeFlag.NotOpen
    finally:
        for f in fillers:
            f.close()
        listener.close()


def test_timeout_connect_event_loop(qapp: object, monkeypatch: pytest.MonkeyPatch) -> None:
    # Qt gives each address 30 s with an event loop; shortened here, same path.
    monkeypatch.setattr(socket_connect, "_CONNECT_TIMEOUT", 0.2)
    listener, fillers = _full_backlog_listener()
    try:
        s = QTcpSocket()
        log = SignalLog(s)
        s.connectToHost("127.0.0.1", listener.getsockname()[1])
        assert wait_until(lambda: s.state() == SS.UnconnectedState, 5000)
        assert log.events[-2:] == [
            ("state", "UnconnectedState"),
            ("error", "SocketTimeoutError", "UnconnectedState"),
        ]
        assert s.errorString() == "Connection timed out"
    finally:
        for f in fillers:
            f.close()
        listener.close()


def test_partial_read_and_unget(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    peer.write(b"abcdefgh")
    assert peer.flush()
    assert wait_until(lambda: client.bytesAvailable() == 8)
    assert client.read(1) == b"a"
    assert client.getChar() == (True, "b")
    client.ungetChar("b")
    assert client.peek(2) == b"bc"
    assert client.read(3) == b"bcd"
    assert client.bytesAvailable() == 4
    assert client.readAll() == b"efgh"


def test_read_all_after_close(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    peer.write(b"data")
    peer.flush()
    assert client.waitForReadyRead(5000)
    client.close()
    with pytest.warns(RuntimeWarning, match="device not open"):
        assert client.readAll() == b""


def test_read_line_variants(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    peer.write(b"line1\nline2\npartial")
    peer.flush()
    assert wait_until(lambda: client.bytesAvailable() == 19)
    assert client.canReadLine()
    assert client.readLine() == b"line1\n"
    assert client.readLine(3) == b"li"  # maxSize counts the terminating NUL, as in Qt
    assert client.readLine() == b"ne2\n"
    assert not client.canReadLine()
    assert client.readLine() == b"partial"
    assert client.atEnd()


def test_read_chunks_and_download_big_file(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    payload = bytes(range(256)) * (4 * 1024 * 4)  # 4 MiB
    peer.write(payload)
    peer.disconnectFromHost()  # delayed: everything goes first
    got = bytearray()
    reads = []

    def on_ready_read() -> None:
        chunk = client.read(1 << 20)
        reads.append(len(chunk))
        got.extend(chunk)

    client.readyRead.connect(on_ready_read)
    assert wait_until(lambda: client.state() == SS.UnconnectedState, 30000)
    got.extend(client.readAll())
    assert bytes(got) == payload
    assert len(reads) > 1


def test_wait_for_bytes_written(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    assert not client.waitForBytesWritten(100)  # nothing buffered: False at once
    client.write(b"x" * 10)
    log = SignalLog(client)
    assert client.waitForBytesWritten(5000)
    assert log.events == [("bytesWritten", 10)]
    assert client.bytesToWrite() == 0
    client.write(b"y" * 1000)
    assert client.waitForBytesWritten(-1)
    assert wait_until(lambda: peer.bytesAvailable() == 1010)


def test_wait_for_ready_read(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    log = SignalLog(client)
    peer.write(b"hi")
    peer.flush()
    assert client.waitForReadyRead(5000)
    assert log.events == [("readyRead",)]  # emitted from inside the wait
    assert client.readAll() == b"hi"
    peer.write(b"again")
    peer.flush()
    assert client.waitForReadyRead(-1)
    settle(50)
    assert log.events == [("readyRead",), ("readyRead",)]  # no second signal for the same data


def test_wait_for_ready_read_data_then_close(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    peer.write(b"hello")
    peer.flush()
    peer.disconnectFromHost()
    time.sleep(0.05)
    assert client.waitForReadyRead(5000)  # the data first ...
    assert client.bytesAvailable() == 5
    assert not client.waitForReadyRead(5000)  # ... then the close
    assert client.state() == SS.UnconnectedState
    assert client.error() == SE.RemoteHostClosedError
    assert client.readAll() == b"hello"
    assert not client.waitForReadyRead(100)  # unconnected: False at once


def test_dont_close_on_timeout(qapp: object) -> None:
    server = listening_server()
    client, _peer = connected_pair(server)
    log = SignalLog(client)
    assert not client.waitForReadyRead(100)
    assert client.error() == SE.SocketTimeoutError
    assert client.errorString() == "Network operation timed out"
    assert log.events == [("error", "SocketTimeoutError", "ConnectedState")]
    assert client.state() == SS.ConnectedState and client.isOpen()
    assert not client.waitForDisconnected(100)
    assert client.state() == SS.ConnectedState
    assert client.error() == SE.SocketTimeoutError


def test_wait_functions_when_unconnected(qapp: object) -> None:
    s = QTcpSocket()
    assert not s.waitForConnected(10)
    assert not s.waitForReadyRead(10)
    with pytest.warns(
        RuntimeWarning, match=r"waitForBytesWritten\(\) is not allowed in UnconnectedState"
    ):
        assert not s.waitForBytesWritten(10)
    with pytest.warns(
        RuntimeWarning, match=r"waitForDisconnected\(\) is not allowed in UnconnectedState"
    ):
        assert not s.waitForDisconnected(10)
    assert s.error() == SE.UnknownSocketError


def test_wait_for_disconnected_flushes_delayed_close(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    client.write(b"abc" * 1000)
    client.disconnectFromHost()
    assert client.state() == SS.ClosingState
    assert client.waitForDisconnected(5000)
    assert client.state() == SS.UnconnectedState
    assert wait_until(lambda: peer.state() == SS.UnconnectedState)
    assert peer.readAll() == b"abc" * 1000


def test_flush(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    assert not client.flush()  # nothing to send
    client.write(b"abcd")
    log = SignalLog(client)
    assert client.flush()
    assert client.bytesToWrite() == 0
    assert log.events == [("bytesWritten", 4)]
    assert peer.waitForReadyRead(5000)
    assert peer.readAll() == b"abcd"


def test_synchronous_api(qapp: object) -> None:
    server = listening_server()
    s = QTcpSocket()
    s.connectToHost("localhost", server.serverPort())
    assert s.waitForConnected(5000)  # the lookup happens inside the wait
    assert server.waitForNewConnection(5000)[0]
    peer = server.nextPendingConnection()
    assert s.write(b"request\n") == 8
    assert s.waitForBytesWritten(5000)
    assert peer.waitForReadyRead(5000)
    assert peer.readLine() == b"request\n"
    peer.write(b"response\n")
    assert peer.waitForBytesWritten(5000)
    assert s.waitForReadyRead(5000)
    assert s.readLine() == b"response\n"
    peer.disconnectFromHost()
    assert s.waitForDisconnected(5000)


def test_multiple_writes_become_one_send(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    log = SignalLog(client)
    client.write(b"a")
    client.write(b"bb")
    client.write(b"ccc")
    assert client.bytesToWrite() == 6
    assert wait_until(lambda: client.bytesToWrite() == 0)
    assert log.events == [("bytesWritten", 6)]
    assert wait_until(lambda: peer.bytesAvailable() == 6)


def test_bytes_written_not_recursive(qapp: object) -> None:
    server = listening_server()
    client, _ = connected_pair(server)
    seen: list[tuple[int, int]] = []

    def on_written(n: int) -> None:
        seen.append((n, client.bytesToWrite()))
        if n < 10:
            client.write(b"y" * 20)

    client.bytesWritten.connect(on_written)
    client.write(b"x")
    assert wait_until(lambda: len(seen) == 2)
    assert seen == [(1, 0), (20, 0)]


def test_recursive_ready_read(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    events: list[tuple[str, int]] = []

    def on_ready_read() -> None:
        events.append(("enter", int(client.bytesAvailable())))
        if len(events) == 1:
            peer.write(b"more")
            peer.flush()
            assert client.waitForReadyRead(5000)  # not re-emitted from inside its own slot
            events.append(("inner", int(client.bytesAvailable())))
        events.append(("exit", 0))

    client.readyRead.connect(on_ready_read)
    peer.write(b"first")
    peer.flush()
    assert wait_until(lambda: ("exit", 0) in events)
    settle(50)
    assert events == [("enter", 5), ("inner", 9), ("exit", 0)]


def test_unread_data_gets_ready_read_only_for_new_data(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    counts: list[int] = []
    client.readyRead.connect(lambda: counts.append(int(client.bytesAvailable())))
    peer.write(b"a")
    peer.flush()
    assert wait_until(lambda: counts == [1])
    settle(50)
    peer.write(b"b")
    peer.flush()
    assert wait_until(lambda: counts == [1, 2])


def test_wait_for_ready_read_in_a_slot(qapp: object) -> None:
    server = listening_server()
    s = QTcpSocket()
    results: list[bool] = []

    def on_connected() -> None:
        peer = server.nextPendingConnection() or _accept(server)
        peer.write(b"x")
        peer.flush()
        results.append(s.waitForReadyRead(5000))  # blocks this thread, runs no loop

    s.connected.connect(on_connected)
    s.connectToHost("127.0.0.1", server.serverPort())
    assert wait_until(lambda: bool(results))
    assert results == [True]
    assert s.readAll() == b"x"


def _accept(server: object) -> QTcpSocket:
    assert server.waitForNewConnection(5000)[0]  # type: ignore[attr-defined]
    return server.nextPendingConnection()  # type: ignore[attr-defined,no-any-return]


def test_wait_for_connected_in_host_found_slot(qapp: object) -> None:
    server = listening_server()
    s = QTcpSocket()
    results: list[bool] = []
    s.hostFound.connect(lambda: results.append(s.waitForConnected(5000)))
    s.connectToHost("localhost", server.serverPort())
    assert wait_until(lambda: bool(results))
    assert results == [True]
    assert s.state() == SS.ConnectedState


def test_abortive_close_from_server(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    log = SignalLog(client)
    peer.abort()
    assert client.waitForDisconnected(5000)
    assert log.names() == ["error", "state", "state", "readChannelFinished", "disconnected"]
    assert client.error() == SE.RemoteHostClosedError


def test_server_disconnect_with_buffered(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    log = SignalLog(client)
    peer.write(b"X")
    peer.disconnectFromHost()
    peer.deleteLater()
    assert wait_until(lambda: client.state() == SS.UnconnectedState)
    assert client.read(1) == b"X"
    assert len(log.of("disconnected")) == 1


def test_client_send_data_on_delayed_disconnect(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    client.write(b"delayed data")
    client.close()  # closes the device but sends what was written first
    assert not client.isOpen()
    assert wait_until(lambda: peer.state() == SS.UnconnectedState)
    assert peer.readAll() == b"delayed data"


def test_socket_discard_data_in_write_mode(qapp: object) -> None:
    server = listening_server()
    raw = socket.create_connection(("127.0.0.1", server.serverPort()))
    peer = _accept(server)
    s = QTcpSocket()
    assert s.setSocketDescriptor(raw.detach(), SS.ConnectedState, QIODevice.OpenModeFlag.WriteOnly)
    reads: list[int] = []
    s.readyRead.connect(lambda: reads.append(1))
    peer.write(b"ignored")
    peer.flush()
    settle(100)
    assert reads == [] and s.bytesAvailable() == 0 and s.atEnd()
    assert s.write(b"out") == 3
    assert s.flush()
    assert peer.waitForReadyRead(5000) and peer.readAll() == b"out"


def test_write_on_read_buffer_overflow(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    client.setReadBufferSize(1)
    peer.write(b"abc")
    peer.flush()
    assert wait_until(lambda: client.bytesAvailable() == 1)
    settle(50)
    assert client.bytesAvailable() == 1  # the limit holds
    assert client.write(b"zz") == 2
    assert client.flush()
    assert peer.waitForReadyRead(5000) and peer.readAll() == b"zz"


def test_read_buffer_back_pressure_and_increase(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    client.setReadBufferSize(10)
    assert client.readBufferSize() == 10
    peer.write(b"x" * 100)
    peer.flush()
    assert wait_until(lambda: client.bytesAvailable() == 10)
    settle(50)
    assert client.bytesAvailable() == 10
    assert client.read(5) == b"xxxxx"  # below the limit: reading resumes, up to the limit
    assert wait_until(lambda: client.bytesAvailable() == 10)
    client.setReadBufferSize(0)  # increaseReadBufferSize
    assert wait_until(lambda: client.bytesAvailable() == 95)


def test_increase_read_buffer_size_from_slot(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    client.setReadBufferSize(2)

    def on_ready_read() -> None:
        if client.readBufferSize() == 2 and client.bytesAvailable() == 2:
            client.setReadBufferSize(1000)

    client.readyRead.connect(on_ready_read)
    peer.write(b"0123456789")
    peer.flush()
    assert wait_until(lambda: client.bytesAvailable() == 10)


def test_error_resetting_qtbug7054(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    assert client.error() == SE.UnknownSocketError
    assert not client.waitForReadyRead(50)
    assert client.error() == SE.SocketTimeoutError
    peer.disconnectFromHost()
    assert not client.waitForReadyRead(5000)
    assert client.error() == SE.RemoteHostClosedError


def test_connection_error_wait_for_connected_qtbug5799(qapp: object) -> None:
    s = QTcpSocket()
    s.connectToHost("127.0.0.1", closed_port())
    start = time.monotonic()
    assert not s.waitForConnected(5000)
    assert time.monotonic() - start < 4
    assert s.error() == SE.ConnectionRefusedError


def test_peek_client_side_qtbug14268(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    sent = b""
    for chunk in (b"abc\n", b"def\n"):
        peer.write(chunk)
        peer.flush()
        sent += chunk
        assert wait_until(lambda s=sent: client.bytesAvailable() == len(s))
        assert client.peek(1000) == sent


def test_line_protocol_blocking_and_non_blocking(qapp: object) -> None:
    """The IMAP rows, against a local greeting/command/response line server."""
    server = listening_server()

    def serve(peer: QTcpSocket) -> None:
        peer.write(b"* OK local IMAP-like server ready\r\n")

        def on_line() -> None:
            while peer.canReadLine():
                tag = peer.readLine().split(b" ", 1)[0]
                peer.write(tag + b" OK done\r\n")

        peer.readyRead.connect(on_line)

    server.newConnection.connect(lambda: serve(server.nextPendingConnection()))
    blocking = QTcpSocket()
    blocking.connectToHost("127.0.0.1", server.serverPort())
    assert wait_until(lambda: blocking.canReadLine())
    assert blocking.readLine().startswith(b"* OK")
    blocking.write(b"1 NOOP\r\n")
    assert wait_until(lambda: blocking.canReadLine())
    assert blocking.readLine() == b"1 OK done\r\n"

    lines: list[bytes] = []
    nb = QTcpSocket()
    nb.readyRead.connect(
        lambda: lines.extend(bytes(nb.readLine()) for _ in range(2) if nb.canReadLine())
    )
    nb.connected.connect(lambda: nb.write(b"a1 CAPABILITY\r\n"))
    nb.connectToHost("127.0.0.1", server.serverPort())
    assert wait_until(lambda: len(lines) == 2)
    assert lines[0].startswith(b"* OK") and lines[1] == b"a1 OK done\r\n"


_SUDDEN = textwrap.dedent(
    """
    import socket, sys, os
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"last words")
    os._exit(0)
    """
)


def test_sudden_remote_disconnect(qapp: object) -> None:
    server = listening_server()
    proc = subprocess.Popen([sys.executable, "-c", _SUDDEN, str(server.serverPort())])
    try:
        assert server.waitForNewConnection(10000)[0]
        peer = server.nextPendingConnection()
        log = SignalLog(peer)
        assert wait_until(lambda: peer.state() == SS.UnconnectedState, 10000)
        assert peer.readAll() == b"last words"
        assert log.of("disconnected") and log.of("error")[0][1] == "RemoteHostClosedError"
    finally:
        proc.wait(30)


def test_connect_to_multi_ip(qapp: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name with two addresses: the first refuses, the second is tried."""
    server = listening_server(SA.LocalHost)  # IPv4 only: ::1 refuses
    real_from_name = QHostInfo.fromName

    def from_name(name: str) -> QHostInfo:
        if name != "multi.qtnet.test":
            return real_from_name(name)
        info = QHostInfo()
        info.setHostName(name)
        info.setAddresses([QHostAddress("::1"), QHostAddress("127.0.0.1")])
        return info

    monkeypatch.setattr(QHostInfo, "fromName", staticmethod(from_name))
    s = QTcpSocket()
    s.connectToHost("multi.qtnet.test", server.serverPort())
    assert s.waitForConnected(5000), s.errorString()
    assert s.peerAddress() == QHostAddress("127.0.0.1")
    assert s.peerName() == "multi.qtnet.test"


def test_move_to_thread_none_keeps_blocking_api(qapp: object) -> None:
    server = listening_server()
    s = QTcpSocket()
    s.connectToHost("127.0.0.1", server.serverPort())
    assert s.moveToThread(None)
    assert s.waitForConnected(5000)
    peer = _accept(server)
    s.write(b"XXX LOGOUT\r\n")
    assert s.waitForBytesWritten(5000)
    assert peer.waitForReadyRead(5000) and peer.readAll() == b"XXX LOGOUT\r\n"
    peer.disconnectFromHost()
    assert s.waitForDisconnected(5000)


def test_local_address_not_empty_after_connect(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    assert not client.localAddress().isNull()
    assert client.localAddress() == peer.peerAddress()
    assert client.localPort() == peer.peerPort()
