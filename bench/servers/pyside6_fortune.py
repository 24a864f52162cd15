#!/usr/bin/env python3
"""Fortune server written against Qt's API, running on PySide6 (real Qt).

    QT_QPA_PLATFORM=offscreen .peers/pyside6/bin/python bench/servers/pyside6_fortune.py --port 0

The Qt fortune server's program without the dialog: on newConnection, serialize
one random fortune as a QString with QDataStream (Qt_5_10), write it to the
next pending connection, disconnectFromHost, and delete the socket once it
has disconnected.  Prints ``PORT <n>`` once listening and serves until killed.
bench/servers/qtnet_fortune.py is this program with only the imports changed.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys

from PySide6.QtCore import QByteArray, QCoreApplication, QDataStream, QIODevice
from PySide6.QtNetwork import QHostAddress, QTcpServer

# Seven short ASCII sentences, as the fortune example serves (20-57 characters).
FORTUNES = [
    "Every socket you close opens another.",
    "A watched port never accepts.",
    "Today is a good day to flush your buffers.",
    "The packet you wait for is already on its way.",
    "Small messages travel fast.",
    "Patience: the kernel is doing its best.",
    "Fortune favours the well-tested.",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", choices=["127.0.0.1", "::1"], default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    app = QCoreApplication(sys.argv[:1])
    server = QTcpServer()

    def send_fortune() -> None:
        block = QByteArray()
        out = QDataStream(block, QIODevice.WriteOnly)
        out.setVersion(QDataStream.Qt_5_10)
        out.writeQString(random.choice(FORTUNES))

        client_connection = server.nextPendingConnection()
        client_connection.disconnected.connect(client_connection.deleteLater)
        client_connection.write(block)
        client_connection.disconnectFromHost()

    server.newConnection.connect(send_fortune)
    if not server.listen(QHostAddress(args.host), args.port):
        print(f"listen failed: {server.errorString()}", file=sys.stderr)
        return 1
    print(f"PORT {server.serverPort()}", flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
