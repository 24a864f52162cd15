"""The Fortune example programs (qtnet.examples) in-process, over loopback.

Server and event-driven client in both framings, the re-request on a repeated
fortune, the client's error reports, replies that arrive in pieces, the
blocking client against a server on another thread, the threaded server
under 1,000 connections (no thread or descriptor left behind) and the
loopback transfer.
"""

from __future__ import annotations

import gc
import os
import socket
import threading
import time
from typing import Any

import pytest

from qt_helpers import qapp_fixture, wait_until  # noqa: F401 - the qapp fixture
from qtnet import QAbstractSocket, QDataStream, QHostAddress, QTcpServer, QThread
from qtnet.examples.blocking_fortune_client import BlockingFortuneThread
from qtnet.examples.fortune_client import FortuneClient
from qtnet.examples.fortune_server import FortuneServer, displayAddress, fortuneBlock
from qtnet.examples.fortunes import (
    FORTUNES,
    FortuneFileError,
    detect_framing,
    encode_fortune,
    load_fortunes,
)
from qtnet.examples.loopback import Loopback
from qtnet.examples.threaded_fortune_server import ThreadedFortuneServer
from tcp_helpers import closed_port

MAIN = threading.get_ident()


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


# -- bytes -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("framing", ["qt5", "legacy"])
@pytest.mark.parametrize("version", [QDataStream.Qt_4_0, QDataStream.Qt_5_10, QDataStream.Qt_6_7])
def test_fortune_block_matches_the_wire_format(framing: str, version: int) -> None:
    for fortune in (*FORTUNES, "", "Ünïcode 🐍"):
        assert bytes(fortuneBlock(fortune, framing, version)) == encode_fortune(fortune, framing)


def test_encodings_worked_example() -> None:
    # qt-examples.md 2.2/2.3: "You might have mail." is 44 bytes bare, 46 framed.
    bare = encode_fortune("You might have mail.", "qt5")
    assert len(bare) == 44 and bare[:6] == bytes.fromhex("000000280059")
    framed = encode_fortune("You might have mail.", "legacy")
    assert len(framed) == 46 and framed[:8] == bytes.fromhex("002c000000280059")
    with pytest.raises(ValueError):
        encode_fortune("x" * 40000, "legacy")
    with pytest.raises(ValueError):
        encode_fortune("x", "qt4")


def test_detect_framing() -> None:
    for fortune in (*FORTUNES, "", "A", "Ünïcode 🐍"):
        for framing in ("qt5", "legacy"):
            data = encode_fortune(fortune, framing)
            assert detect_framing(data) == framing, (fortune, framing)
            assert detect_framing(data[:6]) == framing
            # Never a wrong guess on a prefix: undecided or right.
            for n in range(6):
                assert detect_framing(data[:n]) in (None, framing)
    assert detect_framing(b"") is None and detect_framing(b"\x00") is None
    assert detect_framing(b"\x00\x00") == "qt5"  # a legacy block is never < 4 bytes
    assert detect_framing(b"\xff\xff\xff\xff") == "qt5"  # null QString
    assert detect_framing(b"\x00\x04\xff\xff\xff\xff") == "legacy"  # legacy null QString
    assert detect_framing(b"\x00\x2c\x00") is None


def test_load_fortunes(tmp_path: Any) -> None:
    assert load_fortunes(None) == FORTUNES
    good = tmp_path / "f.txt"
    good.write_text("one\r\n\n  \ntwo 🐍\n", encoding="utf-8")
    assert list(load_fortunes(str(good))) == ["one", "two 🐍"]
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n", encoding="utf-8")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9\n".encode("latin-1"))
    long = tmp_path / "long.txt"
    long.write_text("y" * 40000 + "\n", encoding="utf-8")
    for path, framing, text in [
        (empty, "qt5", "has no fortunes"),
        (latin, "qt5", "not UTF-8"),
        (tmp_path / "missing.txt", "qt5", "Cannot read"),
        (long, "legacy", "too long"),
    ]:
        with pytest.raises(FortuneFileError, match=text):
            load_fortunes(str(path), framing)
    assert len(load_fortunes(str(long), "qt5")) == 1


def test_display_address_is_an_ipv4_address() -> None:
    shown = QHostAddress(displayAddress())
    assert shown.protocol() == QAbstractSocket.IPv4Protocol
    own = [a.toString() for a in __import__("qtnet").QNetworkInterface.allAddresses()]
    non_local = [a for a in own if "." in a and not a.startswith("127.")]
    assert displayAddress() == (non_local[0] if non_local else "127.0.0.1")


# -- server and event-driven client ----------------------------------------------------------------
class Fetcher:
    """Drives a FortuneClient for ``count`` fortunes, as `qtnet fortune-client` does."""

    def __init__(self, client: FortuneClient, count: int) -> None:
        self.client = client
        self.count = count
        self.fortunes: list[str] = []
        self.errors: list[tuple[Any, str]] = []
        client.newFortune.connect(self.got)
        client.error.connect(lambda code, text: self.errors.append((code, text)))

    def got(self, fortune: str) -> None:
        self.fortunes.append(fortune)
        if len(self.fortunes) < self.count:
            from qtnet import QTimer

            QTimer.singleShot(0, self.client.requestNewFortune)

    def run(self, timeout_ms: int = 10_000) -> None:
        self.client.requestNewFortune()
        assert wait_until(lambda: len(self.fortunes) >= self.count or self.errors, timeout_ms)


@pytest.mark.parametrize(
    ("server_framing", "client_framing"),
    [("qt5", "qt5"), ("legacy", "legacy"), ("qt5", "auto"), ("legacy", "auto")],
)
def test_server_and_client(qapp: Any, server_framing: str, client_framing: str) -> None:
    server = FortuneServer(framing=server_framing)
    assert server.listen(QHostAddress.LocalHost, 0), server.errorString()
    fetcher = Fetcher(FortuneClient("127.0.0.1", server.serverPort(), client_framing), 4)
    fetcher.run()
    assert fetcher.errors == []
    assert len(fetcher.fortunes) == 4 and set(fetcher.fortunes) <= set(FORTUNES)
    assert all(a != b for a, b in zip(fetcher.fortunes, fetcher.fortunes[1:], strict=False))
    assert server.served >= 4
    # disconnected -> deleteLater: no server-side socket survives its connection.
    assert wait_until(lambda: server.activeConnections() == 0)


class ScriptedServer(FortuneServer):
    """Serves the given fortunes in order (instead of at random)."""

    def __init__(self, script: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.script = iter(script)

    def nextFortune(self) -> str:
        return next(self.script)


def test_client_asks_again_when_the_same_fortune_comes_twice(qapp: Any) -> None:
    server = ScriptedServer(["A", "A", "A", "B", "B", "C"])
    assert server.listen(QHostAddress.LocalHost, 0)
    fetcher = Fetcher(FortuneClient("localhost", server.serverPort()), 3)
    fetcher.run()
    assert fetcher.errors == []
    assert fetcher.fortunes == ["A", "B", "C"]
    assert server.served == 6  # two repeats of A, one of B: asked for again, not shown


def test_client_gives_up_on_a_server_with_one_fortune(qapp: Any, monkeypatch: Any) -> None:
    import qtnet.examples.fortune_client as module

    monkeypatch.setattr(module, "MAX_REPEATS", 5)
    server = FortuneServer(fortunes=["only one"])
    assert server.listen(QHostAddress.LocalHost, 0)
    fetcher = Fetcher(FortuneClient("127.0.0.1", server.serverPort()), 2)
    fetcher.run()
    assert fetcher.fortunes == ["only one"]
    assert len(fetcher.errors) == 1 and "same fortune 5 times" in fetcher.errors[0][1]
    assert server.served == 6


def test_client_reports_refused_and_host_not_found(qapp: Any) -> None:
    refused = Fetcher(FortuneClient("127.0.0.1", closed_port()), 1)
    refused.run()
    code, text = refused.errors[0]
    assert code == QAbstractSocket.ConnectionRefusedError
    assert "refused" in text and "Connection refused" in text
    # Not a valid host name: rejected before any resolver query.
    missing = Fetcher(FortuneClient("no such host!", 5000), 1)
    missing.run()
    code, text = missing.errors[0]
    assert code == QAbstractSocket.HostNotFoundError
    assert "not found" in text and refused.fortunes == missing.fortunes == []


@pytest.mark.parametrize(
    "reply", [b"", b"\x00\x2c\x00\x00", encode_fortune("cut short", "qt5")[:-1]]
)
def test_client_reports_a_close_before_a_whole_fortune(qapp: Any, reply: bytes) -> None:
    server = QTcpServer()
    assert server.listen(QHostAddress.LocalHost, 0)

    def answer() -> None:
        sock = server.nextPendingConnection()
        sock.disconnected.connect(sock.deleteLater)
        sock.write(reply)
        sock.disconnectFromHost()

    server.newConnection.connect(answer)
    fetcher = Fetcher(FortuneClient("127.0.0.1", server.serverPort()), 1)
    fetcher.run()
    assert fetcher.fortunes == []
    code, text = fetcher.errors[0]
    assert code == QAbstractSocket.RemoteHostClosedError
    assert "closed the connection before a whole fortune" in text
    assert "The remote host closed the connection" in text


class TricklingServer:
    """A plain-socket server (own thread) sending each reply a few bytes at a time."""

    def __init__(self, reply: bytes, step: int) -> None:
        self.reply, self.step = reply, step
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(10)
        self.port = self.sock.getsockname()[1]
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                for i in range(0, len(self.reply), self.step):
                    conn.sendall(self.reply[i : i + self.step])
                    time.sleep(0.01)
        except BaseException as e:  # reported by the test
            self.failure = e

    def close(self) -> None:
        self.thread.join(10)
        self.sock.close()
        assert self.failure is None, self.failure


@pytest.mark.parametrize("framing", ["qt5", "legacy"])
@pytest.mark.parametrize("client_framing", ["auto", "explicit"])
@pytest.mark.parametrize("step", [1, 5])
def test_client_reads_a_fortune_arriving_in_pieces(
    qapp: Any, framing: str, client_framing: str, step: int
) -> None:
    fortune = "You might have mail."
    server = TricklingServer(encode_fortune(fortune, framing), step)
    chosen = framing if client_framing == "explicit" else "auto"
    fetcher = Fetcher(FortuneClient("127.0.0.1", server.port, chosen), 1)
    fetcher.run()
    server.close()
    assert fetcher.errors == [] and fetcher.fortunes == [fortune]


# -- blocking client -------------------------------------------------------------------------------
class RecordingServer(FortuneServer):
    threads: set[int]

    def nextFortune(self) -> str:
        self.threads.add(threading.get_ident())
        return super().nextFortune()


@pytest.mark.parametrize("framing", ["qt5", "legacy"])
def test_blocking_client_with_the_server_on_another_thread(qapp: Any, framing: str) -> None:
    server = RecordingServer(framing=framing)
    server.threads = set()
    assert server.listen(QHostAddress.LocalHost, 0)
    server_thread = QThread()
    server.moveToThread(server_thread)
    server_thread.start()
    try:
        client = BlockingFortuneThread("127.0.0.1", server.serverPort(), count=5, framing="auto")
        got: list[tuple[str, int]] = []
        errors: list[Any] = []
        client.newFortune.connect(lambda text: got.append((text, threading.get_ident())))
        client.error.connect(lambda code, text: errors.append((code, text)))
        client.start()
        assert wait_until(lambda: client.isFinished() and len(got) + len(errors) >= 5, 20_000)
        assert client.wait(5000)
        assert errors == []
        assert [ident for _, ident in got] == [MAIN] * 5  # queued to the main thread
        fortunes = [text for text, _ in got]
        assert set(fortunes) <= set(FORTUNES)
        assert all(a != b for a, b in zip(fortunes, fortunes[1:], strict=False))
        assert server.threads and MAIN not in server.threads  # served from the other thread
    finally:
        server_thread.quit()
        assert server_thread.wait(10_000)


def test_blocking_client_errors(qapp: Any) -> None:
    for host, port, expected in [
        ("127.0.0.1", closed_port(), QAbstractSocket.ConnectionRefusedError),
        ("no such host!", 5000, QAbstractSocket.HostNotFoundError),
    ]:
        client = BlockingFortuneThread(host, port)
        errors: list[Any] = []
        client.error.connect(lambda code, text, errors=errors: errors.append((code, text)))
        client.start()
        assert client.wait(10_000)
        assert wait_until(lambda errors=errors: bool(errors))
        assert errors[0][0] == expected, errors


# -- threaded server -------------------------------------------------------------------------------
class ClientPool:
    """``total`` connections made by ``concurrency`` plain-socket client threads,
    each reading until the server closes."""

    def __init__(self, port: int, total: int, concurrency: int) -> None:
        self.replies: list[bytes] = []
        self.failures: list[BaseException] = []
        self._lock = threading.Lock()
        self._left = total
        self._port = port
        self.total = total
        self.threads = [
            threading.Thread(target=self._work, daemon=True) for _ in range(concurrency)
        ]
        for t in self.threads:
            t.start()

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._left == 0:
                    return
                self._left -= 1
            try:
                with socket.create_connection(("127.0.0.1", self._port), timeout=20) as s:
                    chunks = []
                    while chunk := s.recv(4096):
                        chunks.append(chunk)
                with self._lock:
                    self.replies.append(b"".join(chunks))
            except BaseException as e:  # reported by the test
                with self._lock:
                    self.failures.append(e)

    def finished(self) -> bool:
        return len(self.replies) + len(self.failures) == self.total

    def join(self) -> None:
        for t in self.threads:
            t.join(30)
        assert not any(t.is_alive() for t in self.threads)


@pytest.mark.timeout(180)
@pytest.mark.parametrize("framing", ["qt5", "legacy"])
def test_threaded_server_serves_1000_connections(qapp: Any, framing: str) -> None:
    threads_before = threading.active_count()
    server = ThreadedFortuneServer(framing=framing)
    thread_errors: list[Any] = []
    server.connectionError.connect(thread_errors.append)
    assert server.listen(QHostAddress.LocalHost, 0), server.errorString()

    def all_threads_ended() -> bool:
        # A FortuneThread object is deleted on `finished`, which comes (as in
        # Qt) just before its OS thread really ends: wait for both.
        return server.activeConnections() == 0 and threading.active_count() == threads_before

    # Warm up first, so lazily created per-process resources are in the baseline.
    warm_up = ClientPool(server.serverPort(), 8, 4)
    assert wait_until(warm_up.finished, 30_000)
    warm_up.join()
    assert wait_until(all_threads_ended, 30_000)
    gc.collect()  # descriptors of earlier tests' garbage must not close during this one
    fds_before = _open_fds()

    pool = ClientPool(server.serverPort(), 1000, 32)
    assert wait_until(pool.finished, 120_000)
    pool.join()
    assert pool.failures == []
    assert server.served == 1008
    expected = {encode_fortune(f, framing) for f in FORTUNES}
    assert len(pool.replies) == 1000 and set(pool.replies) <= expected
    # Every FortuneThread ended and was deleted; every descriptor was closed.
    assert wait_until(all_threads_ended, 30_000), (
        server.activeConnections(),
        threading.active_count(),
        threads_before,
    )
    assert wait_until(lambda: _open_fds() == fds_before, 10_000), (_open_fds(), fds_before)
    assert thread_errors == []
    server.close()


# -- loopback --------------------------------------------------------------------------------------
def test_loopback_transfers_and_verifies(qapp: Any) -> None:
    total = 8 * 1024 * 1024 + 12345  # not a multiple of the 64 KiB blocks
    loopback = Loopback(total)
    progress: list[tuple[int, int]] = []
    done: list[tuple[bool, str]] = []
    loopback.progress.connect(lambda w, r: progress.append((w, r)))
    loopback.done.connect(lambda ok, text: done.append((ok, text)))
    loopback.start()
    assert wait_until(lambda: bool(done), 60_000)
    assert done == [(True, f"Received all {total} bytes intact")]
    assert loopback.bytesWritten == loopback.bytesReceived == total
    assert not loopback.tcpServer.isListening()  # closed after the one accept
    written = [w for w, _ in progress]
    received = [r for _, r in progress]
    assert written == sorted(written) and received == sorted(received)
    assert progress[-1][1] == total and len(progress) > 10
    # The client never let more than 4 blocks (+ the one being added) wait in its buffer.
    assert loopback.tcpClient.bytesToWrite() == 0


def test_loopback_reports_a_network_error(qapp: Any) -> None:
    loopback = Loopback(1024)
    done: list[tuple[bool, str]] = []
    loopback.done.connect(lambda ok, text: done.append((ok, text)))
    loopback.tcpClient.connectToHost(QHostAddress.LocalHost, closed_port())
    assert wait_until(lambda: bool(done), 10_000)
    assert done == [(False, "Network error: Connection refused")]
