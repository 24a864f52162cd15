"""Multicast Sender: Qt's multicastsender example without its window.

Two sockets: an IPv4 one bound to any address, and an IPv6 one bound to the
same port (if IPv6 is not available, only IPv4 is used).  Once a second each
sends "Multicast message N" to its group, 239.255.43.21 and ff12::2115, UDP
port 45454.  The TTL (hop limit) starts at 1, so the datagrams stay on the
local network.

    python -m qtnet.examples.multicast_sender [--group4 G] [--group6 G] [--port P] [--ttl T]
                                              [--interface NAME] [--interval MS] [--count N]
"""

from __future__ import annotations

import argparse
import sys

from qtnet import (
    QAbstractSocket,
    QCoreApplication,
    QHostAddress,
    QNetworkInterface,
    QTimer,
    QUdpSocket,
)
from qtnet.cli.udp_examples import configure_multicast_sender


class Sender:
    def __init__(self, args: argparse.Namespace) -> None:
        self.group4 = QHostAddress(args.group4)
        self.group6 = QHostAddress(args.group6)
        self.port = args.port
        self.count = args.count
        self.message_no = 1
        self.udp_socket4 = QUdpSocket()
        self.udp_socket6 = QUdpSocket()
        self.udp_socket4.bind(QHostAddress(QHostAddress.SpecialAddress.AnyIPv4), 0)
        self.udp_socket6.bind(
            QHostAddress(QHostAddress.SpecialAddress.AnyIPv6), self.udp_socket4.localPort()
        )
        if (
            self.udp_socket6.state() != QAbstractSocket.SocketState.BoundState
            or self.group6.isNull()
        ):
            print("IPv6 failed, ready to multicast datagrams to IPv4 only", file=sys.stderr)
            self.udp_socket6.close()
        for s in (self.udp_socket4, self.udp_socket6):
            if s.state() == QAbstractSocket.SocketState.BoundState:
                s.setSocketOption(QAbstractSocket.SocketOption.MulticastTtlOption, args.ttl)
                if args.interface:
                    s.setMulticastInterface(QNetworkInterface.interfaceFromName(args.interface))
        self.timer = QTimer()
        self.timer.timeout.connect(self.send_datagram)
        self.timer.start(args.interval)

    def send_datagram(self) -> None:
        datagram = f"Multicast message {self.message_no}".encode()
        if not self.group4.isNull():
            self.udp_socket4.writeDatagram(datagram, self.group4, self.port)
        if self.udp_socket6.state() == QAbstractSocket.SocketState.BoundState:
            self.udp_socket6.writeDatagram(datagram, self.group6, self.port)
        print(f"Now sending datagram {self.message_no}", flush=True)
        self.message_no += 1
        if self.count and self.message_no > self.count:
            self.timer.stop()
            QCoreApplication.quit()


def run(args: argparse.Namespace) -> int:
    app = QCoreApplication([])
    sender = Sender(args)  # noqa: F841 - keeps it alive
    return app.exec()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    configure_multicast_sender(parser)  # the same options as `qtnet multicast-sender`
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
