"""QSslSocket against QSslServer over loopback: handshake, verification, sslErrors, data, close.

Expected error lists are what Qt 6 (PySide6 6.12, OpenSSL backend) reports in
the same situations; test_ssl_pyside6.py checks them against PySide6 itself.
"""

from __future__ import annotations

import pytest

from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401
from qtnet import (
    QAbstractSocket,
    QSsl,
    QSslCertificate,
    QSslError,
    QSslSocket,
    QTcpServer,
    QTcpSocket,
    QThread,
)
from ssl_helpers import EchoServer, Pki, client_socket, server_config

SE = QAbstractSocket.SocketError
E = QSslError.SslError


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


class Log:
    """The TLS-relevant signals of a client socket, in order."""

    def __init__(self, sock: QSslSocket) -> None:
        self.events: list[tuple[object, ...]] = []
        self.ssl_errors: list[list[QSslError]] = []
        self.verify_errors: list[QSslError] = []
        ev = self.events
        sock.connected.connect(lambda: ev.append(("connected",)))
        sock.modeChanged.connect(lambda m: ev.append(("mode", QSslSocket.SslMode(m).name)))
        sock.encrypted.connect(lambda: ev.append(("encrypted",)))
        sock.disconnected.connect(lambda: ev.append(("disconnected",)))
        sock.errorOccurred.connect(lambda e: ev.append(("error", SE(e).name, sock.errorString())))
        sock.sslErrors.connect(
            lambda errs: (self.ssl_errors.append(list(errs)), ev.append(("sslErrors",))))
        sock.peerVerifyError.connect(lambda e: self.verify_errors.append(e))

    def names(self) -> list[object]:
        return [e[0] for e in self.events]


def _codes(errors: list[QSslError]) -> list[str]:
    return [E(e.error()).name for e in errors]


def _connect(sock: QSslSocket, port: int, host: str = "127.0.0.1") -> None:
    sock.connectToHostEncrypted(host, port)


def encrypted(sock: QSslSocket, timeout_ms: int = 5000) -> bool:
    """Run this thread's loop (the server lives here too) until the handshake is over."""
    wait_until(lambda: sock.isEncrypted()
               or sock.state() == QAbstractSocket.SocketState.UnconnectedState, timeout_ms)
    return sock.isEncrypted()


def test_echo_with_verify_peer(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.server)
    client = client_socket(pki)
    log = Log(client)
    assert client.mode() == QSslSocket.SslMode.UnencryptedMode and not client.isEncrypted()
    _connect(client, srv.port)
    client.write(b"written before the handshake finished")
    assert wait_until(lambda: client.bytesAvailable() >= 37, 5000), log.events
    assert bytes(client.readAll()) == b"written before the handshake finished"
    assert log.names() == ["connected", "mode", "encrypted"]
    assert log.events[1] == ("mode", "SslClientMode")
    assert client.isEncrypted() and client.mode() == QSslSocket.SslMode.SslClientMode
    assert client.peerVerifyMode() == QSslSocket.PeerVerifyMode.AutoVerifyPeer
    assert client.sslHandshakeErrors() == [] and not log.verify_errors
    assert client.peerCertificate() == pki.server.cert
    assert client.peerCertificateChain()[0] == pki.server.cert
    assert client.sessionProtocol() == QSsl.SslProtocol.TlsV1_3
    assert client.sessionCipher().name().startswith("TLS_")
    server_side = srv.sockets[0]
    assert server_side.isEncrypted() and server_side.mode() == QSslSocket.SslMode.SslServerMode
    assert server_side.peerCertificate().isNull()  # the server did not ask for one
    big = bytes(range(256)) * 4096  # 1 MiB: partial sends, several records per read
    client.write(big)
    got = bytearray()

    def drain() -> bool:
        got.extend(client.readAll())
        return len(got) >= len(big)

    assert wait_until(drain, 15000), len(got)
    assert bytes(got) == big
    srv.close()


def test_unknown_ca_fails_without_ignore(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.untrusted)
    client = client_socket(pki)
    log = Log(client)
    _connect(client, srv.port)
    assert wait_until(lambda: client.state() == QAbstractSocket.SocketState.UnconnectedState, 5000)
    assert len(log.ssl_errors) == 1
    assert _codes(log.ssl_errors[0]) == ["UnableToGetLocalIssuerCertificate",
                                         "UnableToVerifyFirstCertificate"]
    assert all(e.certificate() == pki.untrusted.cert for e in log.ssl_errors[0])
    assert _codes(log.verify_errors) == _codes(log.ssl_errors[0])
    assert log.events[-3:] == [
        ("sslErrors",),
        ("error", "SslHandshakeFailedError",
         "The issuer certificate of a locally looked up certificate could not be found"),
        ("disconnected",),
    ]
    assert not client.isEncrypted()
    assert _codes(client.sslHandshakeErrors()) == _codes(log.ssl_errors[0])
    # TLS 1.3 lets the server finish first (as with Qt, the client checks the
    # peer after the TLS handshake): the server's socket ends without data.
    assert wait_until(lambda: all(s.state() == QAbstractSocket.SocketState.UnconnectedState
                                  for s in srv.sockets), 5000)
    assert all(s.bytesAvailable() == 0 for s in srv.sockets)
    good = client_socket(None, trust=_ca_of(pki))
    _connect(good, srv.port)
    assert encrypted(good), good.errorString()
    srv.close()


def _ca_of(pki: Pki) -> list[QSslCertificate]:
    return [QSslCertificate(pki.unknown_ca.cert_pem.bytes())]


def test_ignore_ssl_errors_from_slot(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.untrusted)
    client = client_socket(pki)
    log = Log(client)
    client.sslErrors.connect(lambda errors: client.ignoreSslErrors())
    _connect(client, srv.port)
    client.write(b"ping")
    assert wait_until(lambda: client.bytesAvailable() >= 4, 5000), log.events
    assert bytes(client.readAll()) == b"ping"
    assert log.names() == ["connected", "mode", "sslErrors", "encrypted"]
    assert client.isEncrypted()
    assert len(client.sslHandshakeErrors()) == 2
    srv.close()


def test_ignore_ssl_errors_list_before_connecting(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.untrusted)
    expected = [QSslError(E.UnableToGetLocalIssuerCertificate, pki.untrusted.cert),
                QSslError(E.UnableToVerifyFirstCertificate, pki.untrusted.cert)]
    ok = client_socket(pki)
    ok.ignoreSslErrors(expected)
    _connect(ok, srv.port)
    assert encrypted(ok), ok.errorString()
    # The same codes for another certificate do not match (Qt compares both).
    wrong = client_socket(pki)
    wrong.ignoreSslErrors([QSslError(E.UnableToGetLocalIssuerCertificate, pki.server.cert),
                           QSslError(E.UnableToVerifyFirstCertificate, pki.server.cert)])
    _connect(wrong, srv.port)
    assert not encrypted(wrong)
    assert wrong.error() == SE.SslHandshakeFailedError
    # Only part of the errors listed: still refused.
    partial = client_socket(pki)
    partial.ignoreSslErrors(expected[:1])
    _connect(partial, srv.port)
    assert not encrypted(partial)
    srv.close()


@pytest.mark.parametrize(
    ("which", "host", "verify_name", "expected"),
    [
        ("other_host", "127.0.0.1", "", ["HostNameMismatch"]),
        ("other_host", "127.0.0.1", "example.org", []),
        ("server", "localhost", "", []),
        ("server", "127.0.0.1", "not-localhost", ["HostNameMismatch"]),
        ("expired", "127.0.0.1", "", ["CertificateExpired"]),
        ("self_signed", "127.0.0.1", "", ["SelfSignedCertificate"]),
        ("via_intermediate", "127.0.0.1", "", []),
    ],
)
def test_verification_errors(qapp: object, pki: Pki, which: str, host: str, verify_name: str,
                             expected: list[str]) -> None:
    srv = EchoServer(getattr(pki, which))
    client = client_socket(pki)
    log = Log(client)
    if verify_name:
        client.setPeerVerifyName(verify_name)
    client.connectToHostEncrypted(host, srv.port)
    ok = encrypted(client)
    got = _codes(log.ssl_errors[0]) if log.ssl_errors else []
    assert got == expected
    assert ok == (not expected)
    if expected:
        assert client.error() == SE.SslHandshakeFailedError
        assert client.errorString() == log.ssl_errors[0][0].errorString()
    srv.close()


def test_verify_none_and_query_peer(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.untrusted)
    none = client_socket(pki)
    none.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)
    none_log = Log(none)
    _connect(none, srv.port, "localhost")
    assert encrypted(none)
    assert not none_log.ssl_errors  # nothing was checked
    query = client_socket(pki)
    query.setPeerVerifyMode(QSslSocket.PeerVerifyMode.QueryPeer)
    query_log = Log(query)
    _connect(query, srv.port)
    assert encrypted(query)
    # QueryPeer checks and reports, but the errors are not fatal.
    assert _codes(query_log.ssl_errors[0]) == ["UnableToGetLocalIssuerCertificate",
                                               "UnableToVerifyFirstCertificate"]
    assert query.peerCertificate() == pki.untrusted.cert
    srv.close()


def test_pause_on_ssl_errors_then_resume(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.untrusted)
    client = client_socket(pki)
    client.setPauseMode(QAbstractSocket.PauseMode.PauseOnSslErrors)
    log = Log(client)
    _connect(client, srv.port)
    assert wait_until(lambda: log.ssl_errors, 5000)
    settle(50)
    assert not client.isEncrypted() and client.state() == QAbstractSocket.SocketState.ConnectedState
    client.ignoreSslErrors()
    client.resume()
    assert client.isEncrypted()
    client.write(b"after resume")
    assert wait_until(lambda: client.bytesAvailable() >= 12, 5000)
    srv.close()


def test_close_notify_and_abort(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.server)
    a = client_socket(pki)
    _connect(a, srv.port)
    assert encrypted(a)
    assert wait_until(lambda: len(srv.sockets) == 1, 5000)
    peer_a = srv.sockets[0]
    peer_a.readyRead.disconnect()  # keep what arrives instead of echoing it
    received = bytearray()
    peer_a.readyRead.connect(lambda: received.extend(peer_a.readAll()))
    peer_log = Log(peer_a)
    a.write(b"last words")
    a.disconnectFromHost()  # queued data first, then close_notify
    assert wait_until(lambda: peer_a.state() == QAbstractSocket.SocketState.UnconnectedState, 5000)
    assert bytes(received) == b"last words"
    closed = ("error", "RemoteHostClosedError", "The TLS/SSL connection has been closed")
    assert closed in peer_log.events
    b = client_socket(pki)
    _connect(b, srv.port)
    assert encrypted(b)
    assert wait_until(lambda: len(srv.sockets) == 2, 5000)
    peer_b = srv.sockets[1]
    peer_b_log = Log(peer_b)
    b.abort()  # no close_notify: a plain end of stream
    assert wait_until(lambda: peer_b.state() == QAbstractSocket.SocketState.UnconnectedState, 5000)
    reset = ("error", "RemoteHostClosedError", "The remote host closed the connection")
    assert reset in peer_b_log.events
    srv.close()


def test_read_buffer_limit_with_tls(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.server)
    client = client_socket(pki)
    _connect(client, srv.port)
    assert encrypted(client)
    client.setReadBufferSize(1000)
    payload = b"x" * 200_000
    client.write(payload)
    got = bytearray()
    assert wait_until(lambda: client.bytesAvailable() > 0, 5000)
    for _ in range(2000):  # bounded: 200 KB in steps of at most 1000 bytes
        assert client.bytesAvailable() <= 1000
        got.extend(client.readAll())
        if len(got) >= len(payload):
            break
        wait_until(lambda: client.bytesAvailable() > 0, 2000)
    assert bytes(got) == payload
    srv.close()


class _StartTlsServer(QTcpServer):
    """A plain server that switches to TLS on "STARTTLS" (Qt's incomingConnection pattern)."""

    def __init__(self, pki: Pki) -> None:
        super().__init__()
        self.pki = pki
        self.accepted: list[QSslSocket] = []

    def incomingConnection(self, handle: int) -> None:  # noqa: N802
        s = QSslSocket(self)
        s.setSslConfiguration(server_config(self.pki.server))
        assert s.setSocketDescriptor(handle)
        self.accepted.append(s)

        def on_ready_read() -> None:
            if s.mode() == QSslSocket.SslMode.UnencryptedMode:
                if s.canReadLine():
                    assert bytes(s.readLine()) == b"STARTTLS\n"
                    s.write(b"OK\n")
                    s.flush()
                    s.startServerEncryption()
            elif s.isEncrypted():
                s.write(s.readAll())

        s.readyRead.connect(on_ready_read)
        self.addPendingConnection(s)


def test_starttls_on_plain_sockets(qapp: object, pki: Pki) -> None:
    server = _StartTlsServer(pki)
    assert server.listen("127.0.0.1", 0)
    client = client_socket(pki)
    client.connectToHost("127.0.0.1", server.serverPort())
    assert wait_until(lambda: client.state() == QAbstractSocket.SocketState.ConnectedState, 5000)
    client.write(b"STARTTLS\n")
    assert wait_until(client.canReadLine, 5000)
    assert bytes(client.readLine()) == b"OK\n"
    client.startClientEncryption()
    assert encrypted(client), client.errorString()
    client.write(b"secret")
    assert wait_until(lambda: client.bytesAvailable() >= 6, 5000)
    assert bytes(client.readAll()) == b"secret"
    assert server.accepted[0].isEncrypted()
    server.close()


class _BlockingClient(QThread):
    """The blocking fortune client pattern over TLS: a QThread without an event loop."""

    def __init__(self, port: int, pki: Pki) -> None:
        super().__init__()
        self.port, self.pki = port, pki
        self.result: list[object] = []

    def run(self) -> None:
        sock = client_socket(self.pki)
        sock.connectToHostEncrypted("localhost", self.port)
        if not sock.waitForEncrypted(5000):
            self.result.append(("failed", sock.errorString()))
            return
        sock.write(b"blocking hello")
        if not sock.waitForBytesWritten(5000):
            self.result.append(("write failed", sock.errorString()))
            return
        data = b""
        while len(data) < 14 and sock.waitForReadyRead(5000):
            data += bytes(sock.readAll())
        self.result.append(data)
        sock.disconnectFromHost()
        if sock.state() != QAbstractSocket.SocketState.UnconnectedState:
            sock.waitForDisconnected(5000)
        self.result.append(sock.state())


def test_wait_for_encrypted_in_thread_without_event_loop(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.server)
    worker = _BlockingClient(srv.port, pki)
    worker.start()
    assert wait_until(worker.isFinished, 15000)
    assert worker.result == [b"blocking hello", QAbstractSocket.SocketState.UnconnectedState]
    srv.close()


def test_wait_for_encrypted_times_out(qapp: object, pki: Pki) -> None:
    silent = QTcpServer()  # accepts, never answers the ClientHello
    assert silent.listen("127.0.0.1", 0)
    client = client_socket(pki)
    client.connectToHostEncrypted("127.0.0.1", silent.serverPort())
    assert not client.waitForEncrypted(300)
    assert client.error() == SE.SocketTimeoutError
    assert client.state() == QAbstractSocket.SocketState.ConnectedState
    client.abort()
    silent.close()


def test_plain_server_is_not_tls(qapp: object, pki: Pki) -> None:
    plain = QTcpServer()
    assert plain.listen("127.0.0.1", 0)
    sockets: list[QTcpSocket] = []

    def greet() -> None:
        s = plain.nextPendingConnection()
        assert s is not None
        sockets.append(s)
        s.write(b"HTTP/1.0 400 Bad Request\r\n\r\n")

    plain.newConnection.connect(greet)
    client = client_socket(pki)
    log = Log(client)
    client.connectToHostEncrypted("127.0.0.1", plain.serverPort())
    assert not encrypted(client)
    assert client.error() == SE.SslHandshakeFailedError
    assert client.errorString().startswith("Error during SSL handshake: ")
    assert ("disconnected",) in log.events
    plain.close()
