"""The iocore TLS engine used directly (the API the WebSocket classes build on).

A server engine adopts an accepted descriptor and a client engine a connected
one; both run on this thread's notifier hub, and Python's ``ssl`` module is
the peer where a blocking one is needed.
"""

from __future__ import annotations

import socket
import ssl
import threading

import pytest

from qt_helpers import qapp_fixture, wait_until  # noqa: F401
from qtnet.iocore import tls_engine
from qtnet.iocore.loops import current_thread_data
from qtnet.iocore.notifier import hub_for
from qtnet.iocore.socket_errors import EngineError
from qtnet.iocore.tls_engine import TlsEngine
from ssl_helpers import Pki


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


def _contexts(pki: Pki, tmp: object) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    folder = pki.write_all(tmp)  # type: ignore[arg-type]
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(str(folder / "server.pem"), str(folder / "server.key"))
    client = ssl.create_default_context(cafile=str(folder / "ca.pem"))
    return server, client


class EchoConnection:
    """What a protocol layer does with a TlsEngine: handshake, then echo."""

    def __init__(self, eng: TlsEngine, ctx: ssl.SSLContext, server_side: bool,
                 hostname: str | None = None) -> None:
        self.eng = eng
        self.inbox = bytearray()
        self.outbox = bytearray()
        self.done: list[EngineError | None] = []
        self.closed = False
        eng.attach(hub_for(current_thread_data()), self.on_read, self.on_write)
        eng.start(ctx, server_side, self.on_done, server_hostname=hostname, timeout_ms=5000)

    def on_done(self, err: EngineError | None) -> None:
        self.done.append(err)
        if err is None:
            self.eng.open_data()
            self.eng.enable_read()
            self.send(b"")

    def send(self, data: bytes) -> None:
        self.outbox += data
        if self.outbox and self.eng.state == tls_engine.OPEN:
            self.eng.send_from(self.outbox)
            if self.outbox:
                self.eng.enable_write()

    def on_read(self) -> None:
        self.eng.read_into(self.inbox)
        if self.eng.eof:
            self.closed = True
            self.eng.disable_read()

    def on_write(self) -> None:
        self.eng.send_from(self.outbox)
        if not self.outbox:
            self.eng.disable_write()


def test_server_engine_on_accepted_descriptor(qapp: object, pki: Pki, tmp_path: object) -> None:
    server_ctx, client_ctx = _contexts(pki, tmp_path)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    result: list[object] = []

    def client() -> None:
        try:
            with socket.create_connection(listener.getsockname(), timeout=10) as raw, \
                    client_ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                payload = bytes(range(256)) * 1000
                tls.sendall(payload)
                got = b""
                while len(got) < len(payload):
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    got += chunk
                result.append(got == payload)
        except Exception as e:  # noqa: BLE001
            result.append(e)

    t = threading.Thread(target=client)
    t.start()
    fd, _ = listener._accept()  # type: ignore[attr-defined]  # a bare descriptor, as QTcpServer has
    conn = EchoConnection(TlsEngine.adopt(fd, socket.AF_INET), server_ctx, server_side=True)

    def pump() -> bool:
        if conn.inbox:
            conn.send(bytes(conn.inbox))
            conn.inbox.clear()
        return bool(result)

    assert wait_until(pump, 15000)
    t.join()
    assert result == [True] and conn.done == [None]
    conn.eng.close()
    listener.close()


def test_client_engine_and_timeout(qapp: object, pki: Pki, tmp_path: object) -> None:
    server_ctx, client_ctx = _contexts(pki, tmp_path)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(2)

    def serve() -> None:
        conn, _ = listener.accept()
        with server_ctx.wrap_socket(conn, server_side=True) as tls:
            tls.sendall(tls.recv(100).upper())
            tls.recv(100)  # the client's close_notify

    t = threading.Thread(target=serve)
    t.start()
    sock = socket.create_connection(listener.getsockname())
    sock.setblocking(False)
    conn = EchoConnection(TlsEngine(sock), client_ctx, server_side=False, hostname="localhost")
    assert wait_until(lambda: conn.done, 5000) and conn.done == [None]
    assert conn.eng.ssl is not None and conn.eng.ssl.version() == "TLSv1.3"
    assert len(conn.eng.peer_chain_der()) == 1
    conn.send(b"shout")
    assert wait_until(lambda: len(conn.inbox) >= 5, 5000)
    assert bytes(conn.inbox) == b"SHOUT"
    conn.eng.close()  # close_notify lets the peer's recv() return b""
    t.join(10)
    assert not t.is_alive()
    # A peer that never answers: the engine's own handshake timeout fires.
    silent = socket.create_connection(listener.getsockname())
    silent.setblocking(False)
    eng = TlsEngine(silent)
    errors: list[EngineError | None] = []
    eng.attach(hub_for(current_thread_data()), lambda: None, lambda: None)
    eng.start(client_ctx, False, errors.append, server_hostname="localhost", timeout_ms=200)
    assert wait_until(lambda: errors, 5000)
    err = errors[0]
    assert err is not None and (err.code, err.text) == (5, "Network operation timed out")
    eng.close()
    listener.close()


def test_blocking_handshake_wait(pki: Pki, tmp_path: object) -> None:
    server_ctx, client_ctx = _contexts(pki, tmp_path)
    a, b = socket.socketpair()
    a.setblocking(False)
    done: list[EngineError | None] = []

    def serve() -> None:
        with server_ctx.wrap_socket(b, server_side=True) as tls:
            tls.sendall(b"hi")

    t = threading.Thread(target=serve)
    t.start()
    eng = TlsEngine(a)
    eng.start(client_ctx, False, done.append, server_hostname="localhost")
    assert eng.handshake_wait(5000) and done == [None]
    eng.open_data()
    buf = bytearray()
    for _ in range(100):
        readable, _ = eng.wait(True, False, 5000)
        assert readable
        eng.read_into(buf)
        if len(buf) >= 2 or eng.eof:
            break
    assert bytes(buf) == b"hi"
    t.join()
    eng.close()
