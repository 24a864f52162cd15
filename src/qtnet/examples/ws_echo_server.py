"""Echo Server: Qt's ``websockets/echoserver`` example.

A WebSocket server on all addresses (port 1234 unless told otherwise) that
sends every text message back as text and every binary message back as
binary, to the client that sent it.  Clients are kept in a list; a client
that disconnects is removed and deleted; the server's ``closed`` signal
quits the application.

Written exactly as a PySide6 program: swap the ``qtnet`` imports for
``PySide6.QtCore`` / ``PySide6.QtNetwork`` / ``PySide6.QtWebSockets`` and it
runs on real Qt.  ``perMessageDeflate`` is a qtnet extension (off by default,
as Qt has none).

With ``--cert``/``--key`` it is Qt's ``sslechoserver``: ``SecureMode`` (wss)
with that certificate and private key, peer verification off.

    python -m qtnet.examples.ws_echo_server --port 1234     # = qtnet ws-echo-server
    python -m qtnet.examples.ws_echo_server --cert localhost.cert --key localhost.key
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from qtnet import (
    QByteArray,
    QCoreApplication,
    QHostAddress,
    QObject,
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslKey,
    QSslSocket,
    QWebSocket,
    QWebSocketServer,
)

__all__ = ["EchoServer", "main", "ssl_configuration"]


def ssl_configuration(cert_path: str, key_path: str) -> QSslConfiguration:
    """Qt's sslechoserver setup: our certificate chain and key, no client certificates."""
    chain = QSslCertificate.fromPath(cert_path)
    data = open(key_path, "rb").read()  # noqa: SIM115 - small file, read once
    key = QSslKey(data, QSsl.KeyAlgorithm.Rsa)
    if key.isNull():
        key = QSslKey(data, QSsl.KeyAlgorithm.Ec)
    if not chain or key.isNull():
        raise ValueError(f"cannot load the certificate {cert_path!r} or the key {key_path!r}")
    config = QSslConfiguration.defaultConfiguration()
    config.setPeerVerifyMode(QSslSocket.PeerVerifyMode.VerifyNone)
    config.setLocalCertificateChain(chain)
    config.setPrivateKey(key)
    return config


class EchoServer(QObject):
    """Echoes every message back to its sender (see the module docstring)."""

    def __init__(self, port: int = 1234, debug: bool = False,
                 address: QHostAddress | QHostAddress.SpecialAddress = QHostAddress.Any,
                 deflate: bool = False, ssl: QSslConfiguration | None = None,
                 parent: QObject | None = None, descriptor: int | None = None) -> None:
        super().__init__(parent)
        self.debug = debug
        self.clients: list[QWebSocket] = []
        mode = QWebSocketServer.SecureMode if ssl is not None else QWebSocketServer.NonSecureMode
        self.webSocketServer = QWebSocketServer("Echo Server", mode, self)
        if ssl is not None:
            self.webSocketServer.setSslConfiguration(ssl)
            self.webSocketServer.sslErrors.connect(
                lambda errors: print("Ssl errors occurred", errors))
        if deflate:
            self.webSocketServer.setPerMessageDeflate(True)
        # ``descriptor``: a listening socket made elsewhere (systemd, --workers).
        if descriptor is not None:
            listening = self.webSocketServer.setNativeDescriptor(descriptor)
        else:
            listening = self.webSocketServer.listen(address, port)
        if listening:
            if self.debug:
                port = self.webSocketServer.serverPort()
                print(f"Echoserver listening on port {port}", flush=True)
            self.webSocketServer.newConnection.connect(self.onNewConnection)
            self.webSocketServer.closed.connect(QCoreApplication.quit)

    def isListening(self) -> bool:
        return self.webSocketServer.isListening()

    def serverPort(self) -> int:
        return self.webSocketServer.serverPort()

    def errorString(self) -> str:
        return self.webSocketServer.errorString()

    def onNewConnection(self) -> None:
        socket = self.webSocketServer.nextPendingConnection()
        if socket is None:
            return
        socket.textMessageReceived.connect(self.processTextMessage)
        socket.binaryMessageReceived.connect(self.processBinaryMessage)
        socket.disconnected.connect(self.socketDisconnected)
        self.clients.append(socket)

    def processTextMessage(self, message: str) -> None:
        client = self.sender()
        if self.debug:
            print("Message received:", message, flush=True)
        if isinstance(client, QWebSocket):
            client.sendTextMessage(message)

    def processBinaryMessage(self, message: QByteArray) -> None:
        client = self.sender()
        if self.debug:
            print("Binary Message received:", bytes(message), flush=True)
        if isinstance(client, QWebSocket):
            client.sendBinaryMessage(message)

    def socketDisconnected(self) -> None:
        client = self.sender()
        if self.debug:
            print("socketDisconnected:", client, flush=True)
        if isinstance(client, QWebSocket):
            if client in self.clients:
                self.clients.remove(client)
            client.deleteLater()

    def close(self) -> None:
        self.webSocketServer.close()
        for client in self.clients:
            client.deleteLater()
        self.clients.clear()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="QtWebSockets example: echoserver")
    parser.add_argument("-p", "--port", type=int, default=1234,
                        help="port for echoserver [default: 1234]")
    parser.add_argument("-d", "--debug", action="store_true", help="debug output [default: off]")
    parser.add_argument("--host", default=None, help="address to listen on [default: all]")
    parser.add_argument("--deflate", action="store_true", help="accept permessage-deflate")
    parser.add_argument("--cert", help="PEM certificate (chain): serve wss:// (with --key)")
    parser.add_argument("--key", help="PEM private key of --cert")
    parser.add_argument("--socket-descriptor", type=int, default=None, metavar="FD",
                        help="serve on this inherited listening socket instead of listening")
    args = parser.parse_args(argv)
    if bool(args.cert) != bool(args.key):
        parser.error("--cert and --key go together")
    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    address = QHostAddress(args.host) if args.host else QHostAddress.Any
    try:
        ssl = ssl_configuration(args.cert, args.key) if args.cert else None
    except (OSError, ValueError) as e:
        print(f"ws-echo-server: {e}", file=sys.stderr)
        return 1
    server = EchoServer(args.port, args.debug, address, args.deflate, ssl,
                        descriptor=args.socket_descriptor)
    if not server.isListening():
        print(f"ws-echo-server: cannot listen: {server.errorString()}", file=sys.stderr)
        return 1
    scheme = "wss" if ssl is not None else "ws"
    print(f"Echo server listening on port {server.serverPort()} ({scheme})", flush=True)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
