"""Loopback: Qt's ``network/loopback`` example without the dialog.

A client and a server in the same thread: the client connects to the server
over 127.0.0.1 and sends ``totalBytes`` of ``'@'`` in 64 KiB writes.  It
writes the next block from its ``bytesWritten`` slot, and only while at most
four blocks wait in its buffer (flow control by the application, as in Qt's
example).  The server accepts one connection, stops listening at once (the
accepted socket keeps working), and counts and discards what arrives.  The
``progress`` signal carries both counters for the two progress bars; the
transfer is verified at the end (byte counts and content).

Written exactly as a PySide6 program: swap the ``qtnet`` imports for
``PySide6.QtCore`` / ``PySide6.QtNetwork`` and it runs on real Qt.

    python -m qtnet.examples.loopback --mb 50     # = qtnet loopback
"""

from __future__ import annotations

import sys

from qtnet import QAbstractSocket, QByteArray, QHostAddress, QObject, QTcpServer, QTcpSocket, Signal

__all__ = ["Loopback", "PAYLOAD_SIZE"]

PAYLOAD_SIZE = 64 * 1024


class Loopback(QObject):
    """Sends ``totalBytes`` from a client to a server in this process."""

    # bytes written by the client, bytes received by the server
    progress = Signal(int, int)
    done = Signal(bool, str)  # verified?, summary or error message

    def __init__(self, totalBytes: int = 50 * 1024 * 1024, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.totalBytes = totalBytes
        self.bytesToWrite = 0
        self.bytesWritten = 0
        self.bytesReceived = 0
        self.badBytes = 0
        self.isDone = False

        self.tcpServer = QTcpServer(self)
        self.tcpClient = QTcpSocket(self)
        self.tcpServerConnection: QTcpSocket | None = None

        self.tcpServer.newConnection.connect(self.acceptConnection)
        self.tcpClient.connected.connect(self.startTransfer)
        self.tcpClient.bytesWritten.connect(self.updateClientProgress)
        self.tcpClient.errorOccurred.connect(self.displayError)

    def start(self) -> None:
        self.bytesWritten = self.bytesReceived = self.badBytes = 0
        self.isDone = False
        if not self.tcpServer.isListening() and not self.tcpServer.listen(QHostAddress.LocalHost):
            self.finish(False, f"Unable to start the test: {self.tcpServer.errorString()}")
            return
        self.tcpClient.connectToHost(QHostAddress.LocalHost, self.tcpServer.serverPort())

    def acceptConnection(self) -> None:
        self.tcpServerConnection = self.tcpServer.nextPendingConnection()
        if self.tcpServerConnection is None:
            self.finish(False, f"Unable to accept the connection: {self.tcpServer.errorString()}")
            return
        self.tcpServerConnection.readyRead.connect(self.updateServerProgress)
        self.tcpServerConnection.errorOccurred.connect(self.displayError)
        self.tcpServerConnection.disconnected.connect(self.tcpServerConnection.deleteLater)
        self.tcpServer.close()

    def startTransfer(self) -> None:
        # Counted down as blocks are handed to write(), not as they reach the kernel.
        self.bytesToWrite = self.totalBytes
        self.writeNextBlock()

    def writeNextBlock(self) -> None:
        self.bytesToWrite -= self.tcpClient.write(
            QByteArray(min(self.bytesToWrite, PAYLOAD_SIZE), ord("@"))
        )

    def updateServerProgress(self) -> None:
        connection = self.tcpServerConnection
        if connection is None:
            return
        data = connection.readAll()
        self.bytesReceived += data.size()
        self.badBytes += data.size() - data.count(b"@")
        self.progress.emit(self.bytesWritten, self.bytesReceived)
        if self.bytesReceived >= self.totalBytes:
            connection.close()
            if self.bytesReceived != self.totalBytes or self.badBytes:
                self.finish(
                    False,
                    f"Received {self.bytesReceived} bytes, {self.badBytes} of "
                    f"them wrong, for {self.totalBytes} sent",
                )
            else:
                self.finish(True, f"Received all {self.totalBytes} bytes intact")

    def updateClientProgress(self, numBytes: int) -> None:
        self.bytesWritten += numBytes
        if self.bytesToWrite > 0 and self.tcpClient.bytesToWrite() <= 4 * PAYLOAD_SIZE:
            self.writeNextBlock()
        self.progress.emit(self.bytesWritten, self.bytesReceived)

    def displayError(self, socketError: QAbstractSocket.SocketError) -> None:
        if socketError == QAbstractSocket.RemoteHostClosedError:
            return
        source = self.sender()
        text = source.errorString() if isinstance(source, QTcpSocket) else str(socketError)
        self.tcpClient.close()
        self.tcpServer.close()
        self.finish(False, f"Network error: {text}")

    def finish(self, ok: bool, message: str) -> None:
        if not self.isDone:
            self.isDone = True
            self.done.emit(ok, message)


if __name__ == "__main__":
    from qtnet.cli.main import main

    sys.exit(main(["loopback", *sys.argv[1:]]))
