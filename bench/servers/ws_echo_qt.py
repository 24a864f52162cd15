#!/usr/bin/env python3
"""WebSocket echo server written against Qt's API; runs on qtnet or PySide6.

    python bench/servers/ws_echo_qt.py --impl qtnet|pyside6 --port 0

Qt's echoserver example reduced to the echo: every text message goes back as
text, every binary message as binary.  The qtnet and PySide6 variants differ
only in the imports.  Prints ``PORT <n>`` once listening and serves until
killed.
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
    server = QWebSocketServer("Echo Server", QWebSocketServer.SslMode.NonSecureMode)
    server.setMaxPendingConnections(100000)
    clients = []

    def on_new_connection() -> None:
        while server.hasPendingConnections():
            ws = server.nextPendingConnection()
            ws.textMessageReceived.connect(ws.sendTextMessage)
            ws.binaryMessageReceived.connect(ws.sendBinaryMessage)
            ws.disconnected.connect(ws.deleteLater)
            clients.append(ws)  # PySide6 needs a reference; cheap for both

    server.newConnection.connect(on_new_connection)
    if not server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), args.port):
        print(f"listen failed: {server.errorString()}", file=sys.stderr)
        return 1
    print(f"PORT {server.serverPort()}", flush=True)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
