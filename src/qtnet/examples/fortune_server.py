"""Fortune Server: Qt's ``network/fortuneserver`` example without the dialog.

The server listens on all addresses, on a port the system picks (or the one
given), and answers every connection with one random fortune serialized by
QDataStream, then closes the connection gracefully: ``disconnectFromHost()``
sends what is still buffered before the FIN, and the socket's
``disconnected`` signal deletes it.

Written exactly as a PySide6 program: swap the ``qtnet`` imports for
``PySide6.QtCore`` / ``PySide6.QtNetwork`` and it runs on real Qt.

    python -m qtnet.examples.fortune_server --port 5000     # = qtnet fortune-server
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence

from qtnet import (
    QByteArray,
    QDataStream,
    QHostAddress,
    QIODevice,
    QNetworkInterface,
    QObject,
    QTcpServer,
    QTcpSocket,
)
from qtnet.examples.fortunes import FORTUNES

__all__ = ["FortuneServer", "displayAddress", "fortuneBlock"]


def fortuneBlock(
    fortune: str, framing: str = "qt5", version: int = QDataStream.Qt_5_10
) -> QByteArray:
    """One fortune as the server sends it: the QString alone (``qt5``), or a
    quint16 block size followed by the QString (``legacy``)."""
    block = QByteArray()
    out = QDataStream(block, QIODevice.WriteOnly)
    out.setVersion(version)
    if framing == "legacy":
        out.writeUInt16(0)  # placeholder, patched below once the size is known
    out.writeQString(fortune)
    if framing == "legacy":
        out.device().seek(0)
        out.writeUInt16(block.size() - 2)
    return block


def displayAddress() -> str:
    """The first non-localhost IPv4 address of this host, else 127.0.0.1: where
    clients on other machines can reach a server that listens on all addresses."""
    for address in QNetworkInterface.allAddresses():
        if address != QHostAddress.LocalHost and address.toIPv4Address():
            return address.toString()
    return QHostAddress(QHostAddress.LocalHost).toString()


class FortuneServer(QObject):
    """Serves one random fortune per connection (see the module docstring)."""

    def __init__(
        self,
        fortunes: Sequence[str] = FORTUNES,
        framing: str = "qt5",
        version: int = QDataStream.Qt_5_10,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.fortunes = list(fortunes)
        self.framing = framing
        self.version = version
        self.served = 0
        self.tcpServer = QTcpServer(self)
        self.tcpServer.newConnection.connect(self.sendFortune)

    def listen(
        self, address: QHostAddress | QHostAddress.SpecialAddress = QHostAddress.Any, port: int = 0
    ) -> bool:
        return self.tcpServer.listen(address, port)

    def setSocketDescriptor(self, socketDescriptor: int) -> bool:
        """Serve on a listening socket made elsewhere (systemd, ``--workers``)."""
        return self.tcpServer.setSocketDescriptor(socketDescriptor)

    def close(self) -> None:
        self.tcpServer.close()

    def serverAddress(self) -> QHostAddress:
        return self.tcpServer.serverAddress()

    def serverPort(self) -> int:
        return self.tcpServer.serverPort()

    def errorString(self) -> str:
        return self.tcpServer.errorString()

    def activeConnections(self) -> int:
        """Connections accepted and not closed yet (each socket is a child of the
        server until its ``disconnected`` signal deletes it)."""
        return sum(1 for child in self.tcpServer.children() if isinstance(child, QTcpSocket))

    def nextFortune(self) -> str:
        return random.choice(self.fortunes)

    def sendFortune(self) -> None:
        block = fortuneBlock(self.nextFortune(), self.framing, self.version)

        clientConnection = self.tcpServer.nextPendingConnection()
        if clientConnection is None:
            return  # the connection was already gone
        clientConnection.disconnected.connect(clientConnection.deleteLater)
        clientConnection.write(block)
        clientConnection.disconnectFromHost()
        self.served += 1


if __name__ == "__main__":
    from qtnet.cli.main import main

    sys.exit(main(["fortune-server", *sys.argv[1:]]))
