"""Echo Client: Qt's ``websockets/echoclient`` example.

Opens ``ws://<host>:<port>`` (localhost:1234 by default), sends
"Hello, world!" once connected, prints the first reply, closes the
connection and quits when it is disconnected.  Pair it with
``ws_echo_server`` for a complete echo session.  ``--secure`` makes it Qt's
``sslechoclient`` (wss://, trusting ``--ca`` in addition to the system CAs;
``--insecure`` ignores certificate errors).

Written exactly as a PySide6 program (only the imports differ).

    python -m qtnet.examples.ws_echo_client --port 1234     # = qtnet ws-echo-client
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from qtnet import (
    QCoreApplication,
    QObject,
    QSslCertificate,
    QSslConfiguration,
    QUrl,
    QWebSocket,
    QWebSocketHandshakeOptions,
    Signal,
)

__all__ = ["EchoClient", "main"]


class EchoClient(QObject):
    """Sends one message, prints the echo, closes (see the module docstring)."""

    closed = Signal()

    def __init__(self, url: QUrl, debug: bool = False, message: str = "Hello, world!",
                 deflate: bool = False, ca_file: str | None = None, insecure: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.url = url
        self.debug = debug
        self.message = message
        self.replies: list[str] = []
        self.webSocket = QWebSocket()
        if ca_file:
            config = QSslConfiguration.defaultConfiguration()
            config.addCaCertificates(QSslCertificate.fromPath(ca_file))
            self.webSocket.setSslConfiguration(config)
        if insecure:
            self.webSocket.sslErrors.connect(lambda errors: self.webSocket.ignoreSslErrors())
        if self.debug:
            print("WebSocket server:", url.toString(), flush=True)
        self.webSocket.connected.connect(self.onConnected)
        self.webSocket.disconnected.connect(self.closed)
        self.webSocket.disconnected.connect(QCoreApplication.quit)
        self.webSocket.errorOccurred.connect(self.onError)
        options = QWebSocketHandshakeOptions()
        options.setPerMessageDeflate(deflate)
        self.webSocket.open(url, options)

    def onConnected(self) -> None:
        if self.debug:
            print("WebSocket connected", flush=True)
        self.webSocket.textMessageReceived.connect(self.onTextMessageReceived)
        self.webSocket.sendTextMessage(self.message)

    def onTextMessageReceived(self, message: str) -> None:
        print("Message received:", message, flush=True)
        self.replies.append(message)
        self.webSocket.close()

    def onError(self, error: object) -> None:
        print(f"ws-echo-client: {self.webSocket.errorString()}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="QtWebSockets example: echoclient")
    parser.add_argument("-d", "--debug", action="store_true", help="debug output [default: off]")
    parser.add_argument("-n", "--hostname", default="localhost",
                        help="hostname [default: localhost]")
    parser.add_argument("-p", "--port", type=int, default=1234, help="port [default: 1234]")
    parser.add_argument("-m", "--message", default="Hello, world!", help="text to send")
    parser.add_argument("--deflate", action="store_true", help="offer permessage-deflate")
    parser.add_argument("--secure", action="store_true", help="wss:// instead of ws://")
    parser.add_argument("--ca", help="PEM file of CA certificates to trust (wss)")
    parser.add_argument("--insecure", action="store_true", help="ignore certificate errors (wss)")
    args = parser.parse_args(argv)
    if not 1 <= args.port <= 65535:
        print(f"ws-echo-client: invalid port {args.port}", file=sys.stderr)
        return 2
    app = QCoreApplication(sys.argv[:1])
    host = f"[{args.hostname}]" if ":" in args.hostname else args.hostname
    scheme = "wss" if args.secure or args.ca or args.insecure else "ws"
    client = EchoClient(QUrl(f"{scheme}://{host}:{args.port}"), args.debug, args.message,
                        args.deflate, args.ca, args.insecure)
    code = int(app.exec())
    return code if client.replies else 1


if __name__ == "__main__":
    sys.exit(main())
