"""Tutorial, step 2: a Fortune client.

Connects, reads one fortune and prints it.  Run it with
``python docs/tutorial/fortune_client.py PORT`` while the server runs.
"""

import sys

from qtnet import QAbstractSocket, QCoreApplication, QDataStream, QTcpSocket, QTimer

app = QCoreApplication(sys.argv)
socket = QTcpSocket()
stream = QDataStream(socket)
stream.setVersion(QDataStream.Qt_5_10)
received = []


def read_fortune() -> None:
    # A transaction rolls the read position back if the QString is still
    # incomplete; the next readyRead simply tries again.
    stream.startTransaction()
    fortune = stream.readQString()
    if not stream.commitTransaction():
        return
    received.append(fortune)
    print(fortune)
    app.quit()


def display_error(error: QAbstractSocket.SocketError) -> None:
    if received and error == QAbstractSocket.RemoteHostClosedError:
        return  # the server closes after every fortune: that is the protocol
    print(f"The following error occurred: {socket.errorString()}", file=sys.stderr)
    app.exit(1)


socket.readyRead.connect(read_fortune)
socket.errorOccurred.connect(display_error)
QTimer.singleShot(10_000, lambda: app.exit(2))  # give up rather than hang
socket.connectToHost("127.0.0.1", int(sys.argv[1]))
sys.exit(app.exec())
