"""qtnet inside a PySide6 GUI application, on one qasync event loop.

The window's event loop is Qt's; qasync runs asyncio on top of it, and qtnet
adopts that running asyncio loop.  So one thread serves a qtnet QTcpServer
(signals and slots), awaits a qtnet QTcpSocket, talks to the same server from
a real Qt QTcpSocket, and keeps the GUI (a QLabel and a Qt QTimer) alive.

Needs PySide6 and qasync next to qtnet::

    pip install PySide6 qasync
    QT_QPA_PLATFORM=offscreen python docs/tutorial/qasync_fortune_gui.py

It prints one JSON line describing what happened and exits 0 when the label
shows the fortune that both clients received.
"""

import asyncio
import json
import sys

import qasync
from PySide6 import QtCore, QtNetwork, QtWidgets

from qtnet import QByteArray, QDataStream, QHostAddress, QIODevice, QTcpServer, QTcpSocket
from qtnet.iocore.loops import current_thread_data

FORTUNE = "You've got to think about tomorrow."


def fortune_server() -> QTcpServer:
    """A qtnet Fortune server on a free port of 127.0.0.1 (signals and slots)."""
    server = QTcpServer()

    def send_fortune() -> None:
        block = QByteArray()
        out = QDataStream(block, QIODevice.WriteOnly)
        out.setVersion(QDataStream.Qt_5_10)
        out.writeQString(FORTUNE)
        conn = server.nextPendingConnection()
        conn.disconnected.connect(conn.deleteLater)
        conn.write(block)
        conn.disconnectFromHost()

    server.newConnection.connect(send_fortune)
    if not server.listen(QHostAddress.LocalHost, 0):
        raise OSError(server.errorString())
    return server


async def fetch_with_qtnet(port: int) -> str:
    """A qtnet client, written with await."""
    client = QTcpSocket()
    await client.connect_async("127.0.0.1", port)
    data = QByteArray()
    while chunk := await client.read_async():  # b"" once the server closed
        data += chunk
    stream = QDataStream(data)
    stream.setVersion(QDataStream.Qt_5_10)
    return stream.readQString()


async def fetch_with_real_qt(port: int) -> str:
    """A PySide6 QTcpSocket (real Qt) talking to the qtnet server, on the same loop."""
    done: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
    sock = QtNetwork.QTcpSocket()
    received = bytearray()
    sock.readyRead.connect(lambda: received.extend(sock.readAll().data()))
    sock.disconnected.connect(lambda: done.done() or done.set_result(bytes(received)))
    sock.connectToHost("127.0.0.1", port)
    raw = await done
    stream = QtCore.QDataStream(QtCore.QByteArray(raw))
    stream.setVersion(QtCore.QDataStream.Version.Qt_5_10)
    return stream.readQString()


async def main(label: QtWidgets.QLabel) -> dict[str, object]:
    ticks = []
    gui_timer = QtCore.QTimer()  # proves Qt's own events keep flowing
    gui_timer.timeout.connect(lambda: ticks.append(1))
    gui_timer.start(5)

    server = fortune_server()
    port = server.serverPort()
    by_qtnet = await fetch_with_qtnet(port)
    label.setText(by_qtnet)
    by_qt = await fetch_with_real_qt(port)
    while len(ticks) < 3:
        await asyncio.sleep(0.01)
    gui_timer.stop()
    server.close()

    running = asyncio.get_running_loop()
    return {
        "loop": f"{type(running).__module__}.{type(running).__name__}",
        "qtnet_adopted_loop": current_thread_data().loop() is running,
        "fortune_via_qtnet_client": by_qtnet,
        "fortune_via_qt_client": by_qt,
        "label_text": label.text(),
        "gui_timer_ticks": len(ticks),
    }


if __name__ == "__main__":
    app = QtWidgets.QApplication(sys.argv)
    window = QtWidgets.QLabel("waiting for a fortune")
    window.show()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        result = loop.run_until_complete(asyncio.wait_for(main(window), 60))
    print(json.dumps(result))
    sys.exit(0 if result["label_text"] == FORTUNE else 1)
