"""Multicast Receiver: Qt's multicastreceiver example without its window.

Binds UDP port 45454 twice, for IPv4 and for IPv6 (ShareAddress, so several
receivers can share the port), joins 239.255.43.21 and ff12::2115 (IPv6 is
optional) and prints every datagram with its sender and group.  The IPv4
socket is read the Qt 4 way (readDatagram: data and sender), the IPv6 one the
Qt 5.8 way (receiveDatagram: a QNetworkDatagram with all its metadata), as in
Qt's example.

    python -m qtnet.examples.multicast_receiver [--group4 G] [--group6 G] [--port P]
                          [--interface NAME] [--count N] [--timeout S] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys

from qtnet import (
    QCoreApplication,
    QHostAddress,
    QNetworkDatagram,
    QNetworkInterface,
    QTimer,
    QUdpSocket,
)
from qtnet.cli.udp_examples import configure_multicast_receiver


class Receiver:
    def __init__(self, args: argparse.Namespace) -> None:
        self.count = args.count
        self.as_json = args.json
        self.received = 0
        iface = QNetworkInterface.interfaceFromName(args.interface) if args.interface else None
        self.udp_socket4 = QUdpSocket()
        self.udp_socket6 = QUdpSocket()
        group4, group6 = QHostAddress(args.group4), QHostAddress(args.group6)
        if not group4.isNull():
            self.udp_socket4.bind(
                QHostAddress(QHostAddress.SpecialAddress.AnyIPv4),
                args.port,
                QUdpSocket.BindFlag.ShareAddress,
            )
            if not self._join(self.udp_socket4, group4, iface):
                raise SystemExit(
                    f"cannot join {group4.toString()}: {self.udp_socket4.errorString()}"
                )
            self.udp_socket4.readyRead.connect(self.process_pending_datagrams4)
        if not group6.isNull():
            ok = self.udp_socket6.bind(
                QHostAddress(QHostAddress.SpecialAddress.AnyIPv6),
                args.port,
                QUdpSocket.BindFlag.ShareAddress,
            )
            if not ok or not self._join(self.udp_socket6, group6, iface):
                print("IPv6 multicast unavailable: listening to IPv4 only", file=sys.stderr)
                self.udp_socket6.close()
            self.udp_socket6.readyRead.connect(self.process_pending_datagrams6)

    @staticmethod
    def _join(s: QUdpSocket, group: QHostAddress, iface: QNetworkInterface | None) -> bool:
        return (
            s.joinMulticastGroup(group, iface) if iface is not None else s.joinMulticastGroup(group)
        )

    def process_pending_datagrams4(self) -> None:
        while self.udp_socket4.hasPendingDatagrams():
            data, sender, port = self.udp_socket4.readDatagram(
                self.udp_socket4.pendingDatagramSize()
            )
            self.show(bytes(data), sender.toString(), port, None)

    def process_pending_datagrams6(self) -> None:
        while self.udp_socket6.hasPendingDatagrams():
            datagram = self.udp_socket6.receiveDatagram()
            self.show(
                bytes(datagram.data()),
                datagram.senderAddress().toString(),
                datagram.senderPort(),
                datagram,
            )

    def show(self, data: bytes, sender: str, port: int, datagram: QNetworkDatagram | None) -> None:
        self.received += 1
        text = data.decode(errors="replace")
        if self.as_json:
            info = {"data": text, "sender": sender, "sender_port": port}
            if datagram is not None:
                info.update(
                    destination=datagram.destinationAddress().toString(),
                    hop_limit=datagram.hopLimit(),
                    interface=datagram.interfaceIndex(),
                )
            print(json.dumps(info), flush=True)
        else:
            print(
                f"Received IPv{6 if datagram is not None else 4} datagram from [{sender}]:{port}: "
                f'"{text}"',
                flush=True,
            )
        if self.count and self.received >= self.count:
            QCoreApplication.quit()


def run(args: argparse.Namespace) -> int:
    app = QCoreApplication([])
    receiver = Receiver(args)
    print(f"Listening for multicast messages on UDP port {args.port}", file=sys.stderr, flush=True)
    if args.timeout:
        QTimer.singleShot(int(args.timeout * 1000), QCoreApplication.quit)
    app.exec()
    print(f"received {receiver.received} datagrams", file=sys.stderr)
    return 1 if args.count and receiver.received < args.count else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    configure_multicast_receiver(parser)  # the same options as `qtnet multicast-receiver`
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
