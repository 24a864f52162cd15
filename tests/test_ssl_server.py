"""QSslServer: signals, the handshake timeout, hostile and broken clients, client certificates,
and interoperation with Python's own ``ssl`` module on the other end."""

from __future__ import annotations

import socket
import ssl
import struct
import threading
import time

import pytest

from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401
from qtnet import QAbstractSocket, QSslConfiguration, QSslError, QSslSocket
from ssl_helpers import EchoServer, Pki, client_socket, server_config

SE = QAbstractSocket.SocketError
SS = QAbstractSocket.SocketState


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


def _client_hello() -> bytes:
    """The first flight of a real TLS client (a ClientHello record)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out)
    with pytest.raises(ssl.SSLWantReadError):
        obj.do_handshake()
    return out.read()


def _closed_by_server(raw: socket.socket, timeout_ms: int = 5000) -> bool:
    """Run the loop (the server is in this thread) until ``raw`` reads end of stream."""
    raw.setblocking(False)
    state = {"closed": False}

    def check() -> bool:
        try:
            while True:
                data = raw.recv(4096)
                if not data:
                    state["closed"] = True
                    return True
        except BlockingIOError:
            return False
        except ConnectionResetError:
            state["closed"] = True
            return True

    wait_until(check, timeout_ms)
    return state["closed"]


def _encrypted(sock: QSslSocket) -> bool:
    wait_until(lambda: sock.isEncrypted() or sock.state() == SS.UnconnectedState, 5000)
    return sock.isEncrypted()


def test_signals_and_pending_queue(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.server)
    order: list[str] = []
    srv.server.newConnection.connect(lambda: order.append("newConnection"))
    srv.server.startedEncryptionHandshake.connect(
        lambda s: order.append("startedEncryptionHandshake"))
    srv.server.pendingConnectionAvailable.connect(
        lambda: order.append("pendingConnectionAvailable"))
    assert srv.server.handshakeTimeout() == 5000
    client = client_socket(pki)
    client.connectToHostEncrypted("127.0.0.1", srv.port)
    assert _encrypted(client)
    assert wait_until(lambda: srv.sockets, 5000)
    # newConnection comes at accept time (Qt >= 6.4), the socket is queued once encrypted.
    assert order == ["newConnection", "startedEncryptionHandshake", "pendingConnectionAvailable"]
    assert srv.sockets[0].isEncrypted() and srv.sockets[0].parent() is srv.server
    assert not srv.errors
    srv.close()


def test_handshake_timeout_for_silent_client(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.server)
    srv.server.setHandshakeTimeout(300)
    silent = socket.create_connection(("127.0.0.1", srv.port))
    try:
        start = time.monotonic()
        assert wait_until(lambda: srv.errors, 5000)
        assert time.monotonic() - start >= 0.25
        sock, err, _ = srv.errors[0]
        assert err == SE.SocketTimeoutError
        assert _closed_by_server(silent)
        # ... and keeps serving.
        client = client_socket(pki)
        client.connectToHostEncrypted("127.0.0.1", srv.port)
        assert _encrypted(client)
        assert len(srv.errors) == 1
    finally:
        silent.close()
        srv.close()


def test_half_handshake_times_out_too(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.server)
    srv.server.setHandshakeTimeout(300)
    stalled = socket.create_connection(("127.0.0.1", srv.port))
    try:
        stalled.sendall(_client_hello())  # then never answers the server's flight
        assert wait_until(lambda: srv.errors, 5000)
        assert srv.errors[0][1] == SE.SocketTimeoutError
        assert not srv.sockets
    finally:
        stalled.close()
        srv.close()


def test_reset_during_handshake(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.server)
    hello = _client_hello()
    rude = socket.create_connection(("127.0.0.1", srv.port))
    rude.sendall(hello[: len(hello) // 2])  # half a ClientHello, then a reset
    settle(50)
    rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    rude.close()
    assert wait_until(lambda: srv.errors, 5000)
    sock, err, text = srv.errors[0]
    assert err == SE.RemoteHostClosedError
    assert text == "The remote host closed the connection"
    assert wait_until(lambda: sock.isDeleted(), 5000)
    client = client_socket(pki)
    client.connectToHostEncrypted("127.0.0.1", srv.port)
    assert _encrypted(client)
    client.write(b"still serving")
    assert wait_until(lambda: client.bytesAvailable() >= 13, 5000)
    srv.close()


def test_garbage_instead_of_tls(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.server)
    plain = socket.create_connection(("127.0.0.1", srv.port))
    try:
        plain.sendall(b"GET / HTTP/1.0\r\n\r\n")
        assert _closed_by_server(plain)  # closed silently, as Qt does
        settle(50)
        assert not srv.errors and not srv.sockets
        bad_record = socket.create_connection(("127.0.0.1", srv.port))
        bad_record.sendall(b"\x16\x03\x01\x00\x05hello")  # a handshake record with junk
        assert _closed_by_server(bad_record)  # an alert, then the close
        bad_record.close()
        assert wait_until(lambda: srv.errors, 5000)
        assert srv.errors[0][1] == SE.SslHandshakeFailedError
        assert srv.errors[0][2].startswith("Error during SSL handshake: ")
    finally:
        plain.close()
        srv.close()


def test_server_without_certificate(qapp: object, pki: Pki) -> None:
    srv = EchoServer(pki.server, QSslConfiguration.defaultConfiguration())
    client = client_socket(pki)
    client.connectToHostEncrypted("127.0.0.1", srv.port)
    assert not _encrypted(client)
    assert client.error() == SE.SslHandshakeFailedError
    assert wait_until(lambda: srv.errors, 5000)
    assert srv.errors[0][1] == SE.SslHandshakeFailedError
    srv.close()


def test_certificate_without_key_is_invalid_user_data(qapp: object, pki: Pki) -> None:
    cfg = QSslConfiguration.defaultConfiguration()
    cfg.setLocalCertificate(pki.server.cert)
    srv = EchoServer(pki.server, cfg)
    client = client_socket(pki)
    client.connectToHostEncrypted("127.0.0.1", srv.port)
    assert wait_until(lambda: srv.errors, 5000)
    assert srv.errors[0][1] == SE.SslInvalidUserDataError
    assert srv.errors[0][2] == "Cannot provide a certificate with no key"
    assert not _encrypted(client)
    srv.close()


def test_client_certificates(qapp: object, pki: Pki) -> None:
    cfg = server_config(pki.server)
    cfg.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyPeer)
    cfg.setCaCertificates([pki.ca_cert])
    srv = EchoServer(pki.server, cfg)
    with_cert = client_socket(pki)
    with_cert.setLocalCertificateChain(pki.client.chain)
    with_cert.setPrivateKey(pki.client.key)
    with_cert.connectToHostEncrypted("127.0.0.1", srv.port)
    assert _encrypted(with_cert), with_cert.errorString()
    assert wait_until(lambda: srv.sockets, 5000)
    assert srv.sockets[0].peerCertificate() == pki.client.cert
    # A client without a certificate is refused by a VerifyPeer server.
    without = client_socket(pki)
    without.connectToHostEncrypted("127.0.0.1", srv.port)
    assert wait_until(lambda: srv.errors, 5000)
    assert srv.errors[0][1] == SE.SslHandshakeFailedError
    assert wait_until(lambda: without.state() == SS.UnconnectedState, 5000)
    # One signed by another CA: OpenSSL refuses it and the server reports why.
    errors: list[list[QSslError]] = []
    srv.server.sslErrors.connect(lambda s, errs: errors.append(errs))
    other = client_socket(pki)
    other.setLocalCertificateChain(pki.untrusted.chain)
    other.setPrivateKey(pki.untrusted.key)
    other.connectToHostEncrypted("127.0.0.1", srv.port)
    assert wait_until(lambda: len(srv.errors) == 2, 5000)
    assert errors and errors[0][0].error() == QSslError.SslError.UnableToGetLocalIssuerCertificate
    srv.close()


def _python_client(port: int, cafile: str, out: list[object]) -> None:
    try:
        ctx = ssl.create_default_context(cafile=cafile)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"python ssl client")
                data = b""
                while len(data) < 17:
                    chunk = tls.recv(100)
                    if not chunk:
                        break
                    data += chunk
                out.append(data)
                out.append(tls.version())
    except Exception as e:  # noqa: BLE001 - reported to the test
        out.append(e)


def test_python_ssl_client_against_qsslserver(qapp: object, pki: Pki, tmp_path: object) -> None:
    folder = pki.write_all(tmp_path)  # type: ignore[arg-type]
    srv = EchoServer(pki.server)
    out: list[object] = []
    t = threading.Thread(target=_python_client, args=(srv.port, str(folder / "ca.pem"), out))
    t.start()
    assert wait_until(lambda: not t.is_alive(), 10000)
    t.join()
    assert out == [b"python ssl client", "TLSv1.3"]
    srv.close()


def test_qsslsocket_against_python_ssl_server(qapp: object, pki: Pki, tmp_path: object) -> None:
    folder = pki.write_all(tmp_path)  # type: ignore[arg-type]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(folder / "server.pem"), str(folder / "server.key"))
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # and an older protocol for a change
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(10)
    result: list[object] = []

    def serve() -> None:
        try:
            conn, _ = listener.accept()
            with ctx.wrap_socket(conn, server_side=True) as tls:
                tls.settimeout(10)
                data = tls.recv(100)
                tls.sendall(data[::-1])
                result.append(tls.recv(100))  # b"" after the client's close_notify
        except Exception as e:  # noqa: BLE001
            result.append(e)

    t = threading.Thread(target=serve)
    t.start()
    client = client_socket(pki)
    client.connectToHostEncrypted("localhost", listener.getsockname()[1])
    assert _encrypted(client), client.errorString()
    assert client.sessionProtocol() == client.sessionProtocol().TlsV1_2
    client.write(b"abcdef")
    assert wait_until(lambda: client.bytesAvailable() >= 6, 5000)
    assert bytes(client.readAll()) == b"fedcba"
    client.disconnectFromHost()
    assert wait_until(lambda: not t.is_alive(), 10000)
    t.join()
    listener.close()
    assert result == [b""]
