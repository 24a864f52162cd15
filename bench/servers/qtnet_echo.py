#!/usr/bin/env python3
"""TCP echo server written against Qt's API, running on qtnet.

    QTNET_LOOP=asyncio|uvloop .venv/bin/python bench/servers/qtnet_echo.py --port 0

Every accepted socket echoes with readyRead -> readAll -> write (LowDelayOption
on, as the other contenders use TCP_NODELAY).  Prints ``PORT <n>`` once
listening and serves until killed.  It is bench/servers/pyside6_echo.py
with only the imports changed.
"""

from __future__ import annotations

import argparse
import resource
import sys

from qtnet import QAbstractSocket, QCoreApplication, QHostAddress, QTcpServer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", choices=["127.0.0.1", "::1"], default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    # Idle-connection runs hold thousands of sockets.
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    app = QCoreApplication(sys.argv[:1])
    server = QTcpServer()

    def on_new_connection() -> None:
        while server.hasPendingConnections():
            socket = server.nextPendingConnection()
            socket.setSocketOption(QAbstractSocket.LowDelayOption, 1)
            socket.readyRead.connect(lambda s=socket: s.write(s.readAll()))
            socket.disconnected.connect(socket.deleteLater)

    server.newConnection.connect(on_new_connection)
    if not server.listen(QHostAddress(args.host), args.port):
        print(f"listen failed: {server.errorString()}", file=sys.stderr)
        return 1
    print(f"PORT {server.serverPort()}", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
