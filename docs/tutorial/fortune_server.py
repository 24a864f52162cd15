"""Tutorial, step 1: a Fortune server.

Every connection gets one random fortune, serialized with QDataStream, and is
then closed.  Run it with ``python docs/tutorial/fortune_server.py [PORT]``;
it prints the port it listens on.
"""

import random
import sys

from qtnet import QByteArray, QCoreApplication, QDataStream, QHostAddress, QIODevice, QTcpServer

FORTUNES = [
    "You've been leading a dog's life. Stay off the furniture.",
    "You've got to think about tomorrow.",
    "You will be surprised by a loud noise.",
    "You will feel hungry again in another hour.",
]

app = QCoreApplication(sys.argv)
server = QTcpServer()


def send_fortune() -> None:
    # Serialize first: a QString is a quint32 byte count, then UTF-16BE.
    block = QByteArray()
    out = QDataStream(block, QIODevice.WriteOnly)
    out.setVersion(QDataStream.Qt_5_10)
    out.writeQString(random.choice(FORTUNES))

    connection = server.nextPendingConnection()
    connection.disconnected.connect(connection.deleteLater)
    connection.write(block)
    connection.disconnectFromHost()  # sends what is buffered, then closes


server.newConnection.connect(send_fortune)
port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
if not server.listen(QHostAddress.LocalHost, port):
    sys.exit(f"Unable to start the server: {server.errorString()}")
print(f"The server is running on port {server.serverPort()}", flush=True)
sys.exit(app.exec())
