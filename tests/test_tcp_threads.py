"""Sockets and threads: the blocking fortune client, the threaded fortune server,
sockets in threads without an event loop, moveToThread (qt-examples.md §7).

The main thread runs the event loop with ``wait_until``; workers either have
no loop at all (waitFor*() only) or run ``exec()``.
"""

from __future__ import annotations

import threading

from qt_helpers import qapp_fixture, wait_until  # noqa: F401
from qtnet import (
    QAbstractSocket,
    QByteArray,
    QDataStream,
    QHostAddress,
    QIODevice,
    QObject,
    QTcpServer,
    QTcpSocket,
    QThread,
    Signal,
)
from tcp_helpers import connected_pair, listening_server

SA = QHostAddress.SpecialAddress
SS = QAbstractSocket.SocketState
FORTUNES = [
    "You've been leading a dog's life. Stay off the furniture.",
    "Computers are not intelligent.",
]


def _fortune_block(text: str) -> QByteArray:
    """Variant A of the fortune protocol: quint16 block size + QString."""
    block = QByteArray()
    out = QDataStream(block, QIODevice.OpenModeFlag.WriteOnly)
    out.setVersion(QDataStream.Qt_4_0)
    out.writeUInt16(0)
    out.writeQString(text)
    out.device().seek(0)
    out.writeUInt16(block.size() - 2)
    return block


class FortuneThread(QThread):
    """The threaded fortune server's worker: no event loop, blocking calls only."""

    error = Signal(int)

    def __init__(self, handle: int, text: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.handle = handle
        self.text = text
        self.disconnected_ok: bool | None = None

    def run(self) -> None:
        sock = QTcpSocket()  # no parent: lives in this thread
        if not sock.setSocketDescriptor(self.handle):
            self.error.emit(sock.error())
            return
        assert sock.state() == SS.ConnectedState
        sock.write(_fortune_block(self.text))
        sock.disconnectFromHost()  # data pending: ClosingState until it is flushed
        self.disconnected_ok = sock.state() == SS.UnconnectedState or sock.waitForDisconnected()


class ThreadedFortuneServer(QTcpServer):
    def __init__(self) -> None:
        super().__init__()
        self.threads: list[FortuneThread] = []
        self.count = 0

    def incomingConnection(self, handle: int) -> None:  # noqa: N802
        thread = FortuneThread(handle, FORTUNES[self.count % 2], self)
        self.count += 1
        thread.finished.connect(thread.deleteLater)
        self.threads.append(thread)
        thread.start()


def _read_fortune(sock: QTcpSocket) -> str:
    """The blocking fortune client's read loop (variant A)."""
    while sock.bytesAvailable() < 2:
        assert sock.waitForReadyRead(5000), sock.errorString()
    stream = QDataStream(sock)
    stream.setVersion(QDataStream.Qt_4_0)
    size = stream.readUInt16()
    while sock.bytesAvailable() < size:
        assert sock.waitForReadyRead(5000), sock.errorString()
    return stream.readQString()


def test_threaded_fortune_server(qapp: object) -> None:
    server = ThreadedFortuneServer()
    assert server.listen(SA.LocalHost, 0)
    got = []
    clients = []
    for _ in range(4):
        c = QTcpSocket()
        c.connectToHost("127.0.0.1", server.serverPort())
        clients.append(c)
    assert wait_until(lambda: server.count == 4)
    for c in clients:
        assert c.waitForConnected(5000)
        got.append(_read_fortune(c))
        assert c.waitForDisconnected(5000) or c.state() == SS.UnconnectedState
    assert sorted(got) == sorted(FORTUNES * 2)
    assert wait_until(lambda: all(t.isFinished() for t in server.threads))
    assert all(t.disconnected_ok for t in server.threads)
    assert not server.hasPendingConnections()  # the override queued nothing


def test_threaded_server_error_signal_is_queued_to_main_thread(qapp: object) -> None:
    errors: list[tuple[int, bool]] = []
    main = threading.get_ident()

    class Receiver(QObject):
        def on_error(self, code: int) -> None:
            errors.append((code, threading.get_ident() == main))

    rec = Receiver()
    thread = FortuneThread(-5, "x")  # an invalid descriptor
    thread.error.connect(rec.on_error)
    thread.start()
    assert wait_until(lambda: bool(errors))
    assert errors == [(int(QAbstractSocket.SocketError.UnsupportedSocketOperationError), True)]
    assert thread.wait(5000)


class BlockingClient(QThread):
    """The blocking fortune client: connect, read, report, all inside run()."""

    newFortune = Signal(str)
    error = Signal(int, str)

    def __init__(self, host: str, port: int) -> None:
        super().__init__()
        self.host = host
        self.port = port

    def run(self) -> None:
        sock = QTcpSocket()
        sock.connectToHost(self.host, self.port)
        if not sock.waitForConnected(5000):
            self.error.emit(sock.error(), sock.errorString())
            return
        self.newFortune.emit(_read_fortune(sock))


def test_blocking_fortune_client_in_a_thread(qapp: object) -> None:
    server = listening_server()

    def serve() -> None:
        while server.hasPendingConnections():
            peer = server.nextPendingConnection()
            peer.disconnected.connect(peer.deleteLater)
            peer.write(_fortune_block(FORTUNES[0]))
            peer.disconnectFromHost()

    server.newConnection.connect(serve)
    fortunes: list[str] = []
    errors: list[tuple[int, str]] = []
    client = BlockingClient(
        "localhost", server.serverPort()
    )  # the lookup runs inside waitForConnected
    client.newFortune.connect(fortunes.append)
    client.error.connect(lambda code, text: errors.append((code, text)))
    client.start()
    assert wait_until(lambda: bool(fortunes) or bool(errors))
    assert fortunes == [FORTUNES[0]] and errors == []
    assert client.wait(5000)


def test_blocking_client_reports_refused(qapp: object) -> None:
    from tcp_helpers import closed_port

    errors: list[tuple[int, str]] = []
    client = BlockingClient("127.0.0.1", closed_port())
    client.error.connect(lambda code, text: errors.append((code, text)))
    client.start()
    assert wait_until(lambda: bool(errors))
    assert errors == [(int(QAbstractSocket.ConnectionRefusedError), "Connection refused")]
    assert client.wait(5000)


def test_sockets_in_threads(qapp: object) -> None:
    """socketInAThread / socketsInThreads: echo over blocking sockets in 3 threads."""
    server = listening_server()

    def serve() -> None:
        while server.hasPendingConnections():
            peer = server.nextPendingConnection()
            peer.readyRead.connect(lambda p=peer: p.write(p.readAll()))
            peer.disconnected.connect(peer.deleteLater)

    server.newConnection.connect(serve)
    results: dict[int, bytes] = {}

    class Worker(QThread):
        def __init__(self, n: int) -> None:
            super().__init__()
            self.n = n

        def run(self) -> None:
            s = QTcpSocket()
            s.connectToHost("127.0.0.1", server.serverPort())
            assert s.waitForConnected(5000)
            msg = f"hello from {self.n}\n".encode()
            s.write(msg)
            assert s.waitForBytesWritten(5000)
            while not s.canReadLine():
                assert s.waitForReadyRead(5000)
            results[self.n] = bytes(s.readLine())
            s.disconnectFromHost()

    workers = [Worker(i) for i in range(3)]
    for w in workers:
        w.start()
    assert wait_until(lambda: len(results) == 3, 10000)
    assert results == {i: f"hello from {i}\n".encode() for i in range(3)}
    assert all(w.wait(5000) for w in workers)


def test_disconnect_while_connecting_no_event_loop(qapp: object) -> None:
    server = listening_server()
    received: list[bytes] = []

    def serve() -> None:
        peer = server.nextPendingConnection()
        peer.readyRead.connect(lambda: received.append(bytes(peer.readAll())))

    server.newConnection.connect(serve)
    outcome: list[object] = []

    class Worker(QThread):
        def run(self) -> None:
            s = QTcpSocket()
            s.connectToHost("127.0.0.1", server.serverPort())
            s.write(b"written while connecting")
            s.disconnectFromHost()  # pending: the connection completes first
            outcome.append(s.state())
            outcome.append(s.waitForDisconnected(5000))
            outcome.append(s.state())

    w = Worker()
    w.start()
    assert wait_until(
        lambda: len(outcome) == 3 and b"".join(received) == b"written while connecting", 10000
    )
    assert outcome == [SS.ConnectingState, True, SS.UnconnectedState]
    assert w.wait(5000)


def test_socket_in_thread_with_event_loop(qapp: object) -> None:
    """A worker QThread running exec(): its socket's slots run in that thread."""
    server = listening_server()
    main = threading.get_ident()
    seen: list[tuple[bytes, bool]] = []

    class Echo(QObject):
        def start(self) -> None:
            self.sock = QTcpSocket(self)
            self.sock.readyRead.connect(self.on_ready_read)
            self.sock.connectToHost("127.0.0.1", server.serverPort())

        def on_ready_read(self) -> None:
            seen.append((bytes(self.sock.readAll()), threading.get_ident() != main))

    thread = QThread()
    echo = Echo()
    echo.moveToThread(thread)
    thread.started.connect(echo.start)
    thread.start()
    assert wait_until(server.hasPendingConnections)
    peer = server.nextPendingConnection()
    peer.write(b"to the worker")
    assert wait_until(lambda: bool(seen))
    assert seen == [(b"to the worker", True)]
    thread.quit()
    assert thread.wait(5000)


def test_move_connected_socket_to_thread(qapp: object) -> None:
    server = listening_server()
    client, peer = connected_pair(server)
    main = threading.get_ident()
    echoed: list[bool] = []

    def echo() -> None:
        echoed.append(threading.get_ident() != main)
        client.write(client.readAll())

    client.readyRead.connect(echo)
    thread = QThread()
    thread.start()
    assert client.moveToThread(thread)
    assert client.thread() is thread
    peer.write(b"ping")
    assert wait_until(lambda: peer.bytesAvailable() == 4, 10000)
    assert peer.readAll() == b"ping"
    assert echoed == [True]
    thread.quit()
    assert thread.wait(5000)


def test_server_wait_for_new_connection_in_thread_without_loop(qapp: object) -> None:
    port: list[int] = []
    got: list[bytes] = []

    class ServerThread(QThread):
        def run(self) -> None:
            server = QTcpServer()
            assert server.listen(SA.LocalHost, 0)
            port.append(server.serverPort())
            ok, timed_out = server.waitForNewConnection(10000)
            assert ok and not timed_out
            peer = server.nextPendingConnection()
            while peer.bytesAvailable() < 5:
                assert peer.waitForReadyRead(5000)
            got.append(bytes(peer.readAll()))

    t = ServerThread()
    t.start()
    assert wait_until(lambda: bool(port))
    c = QTcpSocket()
    c.connectToHost("127.0.0.1", port[0])
    assert c.waitForConnected(5000)
    c.write(b"hello")
    assert c.waitForBytesWritten(5000)
    assert t.wait(10000)
    assert got == [b"hello"]


def test_threads_give_their_descriptors_back(qapp: object) -> None:
    """One thread per connection must not leak a descriptor per thread."""
    import gc
    import os
    import socket as pysocket

    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    server = ThreadedFortuneServer()
    assert server.listen(SA.LocalHost, 0)
    clients = [pysocket.create_connection(("127.0.0.1", server.serverPort())) for _ in range(5)]
    assert wait_until(lambda: server.count == 5 and all(t.isFinished() for t in server.threads))
    for c in clients:
        c.close()
    assert wait_until(lambda: False, 100) is False
    gc.collect()
    before = open_fds()
    for _round in range(3):
        clients = [
            pysocket.create_connection(("127.0.0.1", server.serverPort())) for _ in range(10)
        ]
        total = server.count + 10
        assert wait_until(
            lambda t=total: server.count == t and all(x.isFinished() for x in server.threads)
        )
        for c in clients:
            c.close()
    wait_until(lambda: False, 100)
    gc.collect()
    assert open_fds() - before <= 2  # 30 finished threads: no descriptor per thread left behind
