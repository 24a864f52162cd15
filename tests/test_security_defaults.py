"""Security defaults (issue 8): what a user gets without configuring anything.

* a wss client verifies the server's certificate and host name by default
  (an untrusted CA is covered by test_ws_tls.test_untrusted_certificate; here
  a trusted certificate for the wrong host);
* origin checks are one slot away (test_websocketserver covers the 403 reply);
* size limits and timeouts are on by default with Qt's values.
"""

from __future__ import annotations

from typing import Any

import pytest

from qt_helpers import qapp_fixture, wait_until  # noqa: F401
from qtnet import (
    QAbstractSocket,
    QHostAddress,
    QSsl,
    QSslConfiguration,
    QSslSocket,
    QUrl,
    QWebSocket,
    QWebSocketServer,
)
from qtnet.codecs.ws_handshake import MAX_HEADER_LINE, MAX_HEADER_LINES
from ssl_helpers import Pki, server_config
from ws_helpers import WsLog

QT_INT_MAX_MINUS_1 = 2_147_483_646


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


def test_websocket_limits_default_to_qts_values(qapp: object) -> None:
    ws = QWebSocket()
    assert ws.maxAllowedIncomingFrameSize() == QT_INT_MAX_MINUS_1
    assert ws.maxAllowedIncomingMessageSize() == QT_INT_MAX_MINUS_1
    assert ws.outgoingFrameSize() == 512 * 1024
    server = QWebSocketServer("defaults", QWebSocketServer.NonSecureMode)
    assert server.handshakeTimeoutMS() == 10000  # slowloris protection is on
    assert server.maxPendingConnections() == 30
    assert (MAX_HEADER_LINE, MAX_HEADER_LINES) == (8192, 100)


def test_tls_client_verifies_by_default(qapp: object) -> None:
    sock = QSslSocket()
    assert sock.peerVerifyMode() == QSslSocket.PeerVerifyMode.AutoVerifyPeer  # = verify (client)
    cfg = QSslConfiguration.defaultConfiguration()
    assert cfg.protocol() == QSsl.SslProtocol.SecureProtocols


def test_wss_client_refuses_a_certificate_for_another_host(qapp: object, pki: Pki) -> None:
    # The CA is trusted, but the certificate names example.org, not 127.0.0.1.
    server = QWebSocketServer("wrong host", QWebSocketServer.SecureMode)
    server.setSslConfiguration(server_config(pki.other_host))
    assert server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
    accepted: list[Any] = []
    server.newConnection.connect(lambda: accepted.append(server.nextPendingConnection()))
    client = QWebSocket()
    cfg = client.sslConfiguration()
    cfg.setCaCertificates([pki.ca_cert])
    client.setSslConfiguration(cfg)
    log = WsLog(client)
    ssl_errors: list[Any] = []
    client.sslErrors.connect(ssl_errors.append)
    client.open(QUrl(f"wss://127.0.0.1:{server.serverPort()}/"))
    assert wait_until(lambda: "disconnected" in log.names(), 10000)
    assert ssl_errors and ssl_errors[0]
    assert log.of("errorOccurred") == [[int(QAbstractSocket.SocketError.SslHandshakeFailedError)]]
    assert "connected" not in log.names() and accepted == []
    server.close()
