"""Chat Server: Qt's ``websockets/simplechat`` example, serving its own web page.

A relay: every text message one client sends goes to every *other* client.
It prints "Chat Server listening on port <n>" and "<address>:<port>
connected!" / "disconnected!" like Qt's example.

Qt's example ships ``chatclient.html`` as a file to open in a browser.  Here
the server also answers a plain HTTP ``GET /`` on the same port with that
page (``chat_page.html``): an inner QTcpServer reads each request head, hands
WebSocket upgrades to ``QWebSocketServer.handleConnection()`` and answers
the others itself.  So ``qtnet chat-server`` and a browser at
``http://127.0.0.1:1234/`` make a complete chat.

    python -m qtnet.examples.chat_server --port 1234     # = qtnet chat-server
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import resources

from qtnet import (
    QCoreApplication,
    QHostAddress,
    QObject,
    QTcpServer,
    QTcpSocket,
    QWebSocket,
    QWebSocketServer,
)

__all__ = ["ChatServer", "chat_page", "main"]

_MAX_HEAD = 16384  # a request head larger than this is not a browser's


def chat_page() -> bytes:
    """The chat client page served at ``/``."""
    return resources.files("qtnet.examples").joinpath("chat_page.html").read_bytes()


def _http_response(status: str, body: bytes,
                   content_type: str = "text/plain; charset=utf-8") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


class ChatServer(QObject):
    """Relays text messages between clients (see the module docstring)."""

    def __init__(self, port: int = 1234,
                 address: QHostAddress | QHostAddress.SpecialAddress = QHostAddress.Any,
                 serve_page: bool = True, quiet: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.quiet = quiet
        self.clients: list[QWebSocket] = []
        self.names: dict[int, str] = {}  # id(client) -> "address:port" (gone after disconnect)
        self.webSocketServer = QWebSocketServer("Chat Server", QWebSocketServer.NonSecureMode, self)
        self.webSocketServer.newConnection.connect(self.onNewConnection)
        self.page = chat_page() if serve_page else b""
        self.tcpServer: QTcpServer | None = None
        if serve_page:
            self.tcpServer = QTcpServer(self)
            self.tcpServer.newConnection.connect(self.onTcpConnection)
            self.listening = self.tcpServer.listen(address, port)
        else:
            self.listening = self.webSocketServer.listen(address, port)
        if self.listening:
            self._say(f"Chat Server listening on port {self.serverPort()}")

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)

    def serverPort(self) -> int:
        if self.tcpServer is not None:
            return self.tcpServer.serverPort()
        return self.webSocketServer.serverPort()

    def errorString(self) -> str:
        if self.tcpServer is not None:
            return self.tcpServer.errorString()
        return self.webSocketServer.errorString()

    # -- HTTP: the page, or the WebSocket upgrade ---------------------------------------------
    def onTcpConnection(self) -> None:
        assert self.tcpServer is not None
        while self.tcpServer.hasPendingConnections():
            sock = self.tcpServer.nextPendingConnection()
            if sock is None:
                break
            sock.readyRead.connect(lambda s=sock: self.onHttpData(s))
            sock.disconnected.connect(sock.deleteLater)

    def onHttpData(self, sock: QTcpSocket) -> None:
        head = bytes(sock.peek(_MAX_HEAD))
        end = head.find(b"\r\n\r\n")
        if end < 0:
            if len(head) >= _MAX_HEAD:
                sock.abort()
            return
        sock.readyRead.disconnect()
        lines = head[:end].decode("latin-1").split("\r\n")
        upgrade = any(
            name.strip().lower() == "upgrade" and "websocket" in value.lower()
            for name, _, value in (line.partition(":") for line in lines[1:])
        )
        if upgrade:
            sock.disconnected.disconnect()
            self.webSocketServer.handleConnection(sock)  # reads the request itself
            return
        method, _, rest = lines[0].partition(" ")
        path = rest.partition(" ")[0].partition("?")[0]
        sock.read(end + 4)
        if method == "GET" and path in ("/", "/index.html"):
            sock.write(_http_response("200 OK", self.page, "text/html; charset=utf-8"))
        else:
            sock.write(_http_response("404 Not Found", b"not found\n"))
        sock.disconnectFromHost()

    # -- the chat --------------------------------------------------------------------------------
    def onNewConnection(self) -> None:
        while self.webSocketServer.hasPendingConnections():
            client = self.webSocketServer.nextPendingConnection()
            if client is None:
                break
            name = f"{client.peerAddress().toString()}:{client.peerPort()}"
            self.names[id(client)] = name
            self._say(f"{name} connected!")
            client.setParent(self)
            client.textMessageReceived.connect(self.processMessage)
            client.disconnected.connect(self.socketDisconnected)
            self.clients.append(client)

    def processMessage(self, message: str) -> None:
        sender = self.sender()
        for client in self.clients:
            if client is not sender:
                client.sendTextMessage(message)

    def socketDisconnected(self) -> None:
        client = self.sender()
        if isinstance(client, QWebSocket) and client in self.clients:
            self._say(f"{self.names.pop(id(client), '?')} disconnected!")
            self.clients.remove(client)
            client.deleteLater()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="QtWebSockets example: simplechat")
    parser.add_argument("-p", "--port", type=int, default=1234, help="port [default: 1234]")
    parser.add_argument("--host", default=None, help="address to listen on [default: all]")
    parser.add_argument("--no-page", action="store_true", help="WebSocket only, no HTTP page")
    args = parser.parse_args(argv)
    app = QCoreApplication(sys.argv[:1])
    address = QHostAddress(args.host) if args.host else QHostAddress.Any
    server = ChatServer(args.port, address, serve_page=not args.no_page)
    if not server.listening:
        print(f"chat-server: cannot listen: {server.errorString()}", file=sys.stderr)
        return 1
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
