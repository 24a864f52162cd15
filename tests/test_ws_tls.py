"""wss: QWebSocketServer in SecureMode and QWebSocket on wss:// URLs (certificates from trustme).

Covered: qtnet client <-> qtnet server (messages larger than one TLS read,
ping, close codes, ``requestUrl`` scheme, the server-side socket's TLS
configuration), certificate failures surfaced through ``sslErrors`` and
``errorOccurred(SslHandshakeFailedError)``, ``ignoreSslErrors()`` from the
``sslErrors`` slot, and the ``websockets`` package as client and as server.
"""

from __future__ import annotations

import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect
from websockets.sync.server import serve

from qt_helpers import qapp_fixture, wait_until  # noqa: F401
from qtnet import (
    QAbstractSocket,
    QHostAddress,
    QSslConfiguration,
    QUrl,
    QWebSocket,
    QWebSocketProtocol,
    QWebSocketServer,
)
from ssl_helpers import Pki, server_config
from ws_helpers import WsLog

CloseCode = QWebSocketProtocol.CloseCode
BIG = bytes(range(256)) * 800  # 200 kB: several TLS records, more than one 64 KiB read


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


def wss_echo_server(pki: Pki) -> tuple[QWebSocketServer, list[QWebSocket]]:
    server = QWebSocketServer("wss echo", QWebSocketServer.SecureMode)
    server.setSslConfiguration(server_config(pki.server))
    sockets: list[QWebSocket] = []

    def take() -> None:
        while server.hasPendingConnections():
            ws = server.nextPendingConnection()
            ws.textMessageReceived.connect(ws.sendTextMessage)
            ws.binaryMessageReceived.connect(ws.sendBinaryMessage)
            sockets.append(ws)

    server.newConnection.connect(take)
    assert server.listen(QHostAddress("127.0.0.1"), 0), server.errorString()
    return server, sockets


def trusting_client(pki: Pki) -> QWebSocket:
    ws = QWebSocket()
    cfg = QSslConfiguration.defaultConfiguration()
    cfg.setCaCertificates([pki.ca_cert])
    ws.setSslConfiguration(cfg)
    return ws


def test_qtnet_wss_client_and_server(qapp: object, pki: Pki) -> None:
    server, sockets = wss_echo_server(pki)
    assert server.serverUrl().toString() == f"wss://127.0.0.1:{server.serverPort()}"
    client = trusting_client(pki)
    log = WsLog(client)
    client.open(QUrl(f"wss://localhost:{server.serverPort()}/secure?q=1"))
    assert wait_until(client.isValid, 10000)
    assert wait_until(lambda: len(sockets) == 1)
    assert sockets[0].requestUrl().scheme() == "wss"
    assert sockets[0].requestUrl().toString() == f"wss://localhost:{server.serverPort()}/secure?q=1"
    assert client.sslConfiguration().peerCertificate() == pki.server.cert
    client.sendTextMessage("over TLS ✓")
    client.sendBinaryMessage(BIG)
    client.ping(b"tls-ping")
    assert wait_until(
        lambda: (
            log.of("textMessageReceived") and log.of("binaryMessageReceived") and log.of("pong")
        ),
        10000,
    )
    assert log.of("textMessageReceived") == [["over TLS ✓"]]
    assert bytes(log.of("binaryMessageReceived")[0][0], "latin-1") == BIG
    assert log.of("pong")[0][1] == "tls-ping"
    # Many messages in one go: the server's reads span records and 64 KiB reads.
    for i in range(20):
        client.sendBinaryMessage(BIG[: 10000 + i])
    assert wait_until(lambda: len(log.of("binaryMessageReceived")) == 21, 10000)
    assert [len(m[0]) for m in log.of("binaryMessageReceived")[1:]] == [
        10000 + i for i in range(20)
    ]
    server_log = WsLog(sockets[0])
    client.close(CloseCode.CloseCodeGoingAway, "tls bye")
    assert wait_until(
        lambda: "disconnected" in log.names() and "disconnected" in server_log.names(), 10000
    )
    assert (
        sockets[0].closeCode() == CloseCode.CloseCodeGoingAway
        and sockets[0].closeReason() == "tls bye"
    )


def test_untrusted_certificate(qapp: object, pki: Pki) -> None:
    server, sockets = wss_echo_server(pki)
    url = QUrl(f"wss://localhost:{server.serverPort()}/")
    refused = QWebSocket()  # trusts only the system CAs
    log = WsLog(refused)
    ssl_errors: list[list[Any]] = []
    refused.sslErrors.connect(ssl_errors.append)
    refused.open(url)
    assert wait_until(lambda: "disconnected" in log.names(), 10000)
    assert ssl_errors and ssl_errors[0]
    assert log.of("errorOccurred") == [[int(QAbstractSocket.SocketError.SslHandshakeFailedError)]]
    assert "connected" not in log.names() and sockets == []
    forgiving = QWebSocket()
    forgiving.sslErrors.connect(lambda errors: forgiving.ignoreSslErrors())
    echoes: list[str] = []
    forgiving.textMessageReceived.connect(echoes.append)
    forgiving.connected.connect(lambda: forgiving.sendTextMessage("let in"))
    forgiving.open(url)
    assert wait_until(lambda: echoes == ["let in"], 10000)


def test_websockets_client_against_qtnet_wss_server(qapp: object, pki: Pki) -> None:
    server, sockets = wss_echo_server(pki)
    context = ssl.create_default_context()
    pki.ca.configure_trust(context)
    result: dict[str, Any] = {}

    def client() -> None:
        try:
            with connect(
                f"wss://localhost:{server.serverPort()}/w", ssl=context, max_size=None
            ) as ws:
                ws.send("from websockets")
                result["text"] = ws.recv(timeout=10)
                ws.send(BIG)
                result["big"] = ws.recv(timeout=10) == BIG
                ws.close(4002, "websockets tls")
        except BaseException as e:  # noqa: BLE001 - reported below
            result["error"] = repr(e)

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    assert wait_until(lambda: not thread.is_alive(), 20000)
    assert "error" not in result, result["error"]
    assert result == {"text": "from websockets", "big": True}
    assert wait_until(lambda: sockets and int(sockets[0].state()) == 0)
    assert int(sockets[0].closeCode()) == 4002 and sockets[0].closeReason() == "websockets tls"


def test_qtnet_wss_client_against_websockets_server(qapp: object, pki: Pki) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    pki.ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)

    def handler(conn: Any) -> None:
        for message in conn:
            conn.send(message)

    with serve(handler, "127.0.0.1", 0, ssl=context, max_size=None) as srv:
        thread = threading.Thread(target=srv.serve_forever, daemon=True)
        thread.start()
        client = trusting_client(pki)
        log = WsLog(client)
        client.open(QUrl(f"wss://localhost:{srv.socket.getsockname()[1]}/"))
        assert wait_until(client.isValid, 10000)
        client.sendTextMessage("qtnet over TLS")
        client.sendBinaryMessage(BIG)
        assert wait_until(
            lambda: log.of("textMessageReceived") and log.of("binaryMessageReceived"), 10000
        )
        assert log.of("textMessageReceived") == [["qtnet over TLS"]]
        assert bytes(log.of("binaryMessageReceived")[0][0], "latin-1") == BIG
        client.close()
        assert wait_until(lambda: "disconnected" in log.names(), 10000)
        srv.shutdown()
        thread.join(10)


def test_secure_echo_example_commands(pki: Pki, tmp_path: Path) -> None:
    cert, key = pki.server.write(tmp_path)
    ca = tmp_path / "ca.pem"
    ca.write_bytes(pki.ca.cert_pem.bytes())
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qtnet.cli.main",
            "ws-echo-server",
            "--port",
            "0",
            "--host",
            "127.0.0.1",
            "--cert",
            cert,
            "--key",
            key,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.endswith("(wss)\n"), line
        port = line.split()[5]
        client = subprocess.run(
            [
                sys.executable,
                "-m",
                "qtnet.cli.main",
                "ws-echo-client",
                "-n",
                "localhost",
                "-p",
                port,
                "--ca",
                str(ca),
                "-m",
                "secure hello",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert client.returncode == 0, client.stderr
        assert client.stdout.strip() == "Message received: secure hello"
        untrusting = subprocess.run(
            [
                sys.executable,
                "-m",
                "qtnet.cli.main",
                "ws-echo-client",
                "-n",
                "localhost",
                "-p",
                port,
                "--secure",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert untrusting.returncode != 0 and "Message received" not in untrusting.stdout
    finally:
        server.terminate()
        server.wait(10)
