#!/usr/bin/env python3
"""WebSocket broadcast server written against Qt's API; runs on qtnet or PySide6.

    python bench/servers/ws_broadcast_qt.py --impl qtnet|pyside6 --port 0

Qt's simplechat relay reduced to its core: every text message a client sends
is sent to every connected client (the sender too).  The qtnet and PySide6
variants differ only in the imports.  Prints ``PORT <n>`` once listening.
"""

from __future__ import annotations

import argparse
import resource
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", choices=["qtnet", "pyside6"], default="qtnet")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.impl == "pyside6":
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtNetwork import QHostAddress
        from PySide6.QtWebSockets import QWebSocketServer
    else:
        from qtnet import QCoreApplication, QHostAddress, QWebSocketServer

    app = QCoreApplication(sys.argv[:1])
    server = QWebSocketServer("Broadcast", QWebSocketServer.SslMode.NonSecureMode)
    server.setMaxPendingConnections(100000)
    clients = []

    def broadcast(message: str) -> None:
        for client in clients:
            client.sendTextMessage(message)

    def on_new_connection() -> None:
        while server.hasPendingConnections():
            ws = server.nextPendingConnection()
            ws.textMessageReceived.connect(broadcast)
            ws.disconnected.connect(lambda w=ws: (clients.remove(w), w.deleteLater()))
            clients.append(ws)

    server.newConnection.connect(on_new_connection)
    if not server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), args.port):
        print(f"listen failed: {server.errorString()}", file=sys.stderr)
        return 1
    print(f"PORT {server.serverPort()}", flush=True)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
