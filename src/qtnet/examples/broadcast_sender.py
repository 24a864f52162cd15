"""Broadcast Sender: Qt's broadcastsender example without its window.

Sends "Broadcast message 1", "Broadcast message 2", ... to 255.255.255.255,
UDP port 45454, once a second.  The socket is never bound: its first
writeDatagram() binds it, and like every Qt UDP socket it may broadcast
without asking for permission first.

    python -m qtnet.examples.broadcast_sender [--address A] [--port P] [--interval MS] [--count N]

Run broadcast_receiver on other hosts of the network to see the messages.
"""

from __future__ import annotations

import argparse
import sys

from qtnet import QCoreApplication, QHostAddress, QTimer, QUdpSocket
from qtnet.cli.udp_examples import configure_broadcast_sender


class Sender:
    def __init__(self, address: str, port: int, interval_ms: int, count: int) -> None:
        self.address = QHostAddress(address)
        self.port = port
        self.count = count
        self.message_no = 1
        self.udp_socket = QUdpSocket()
        self.timer = QTimer()
        self.timer.timeout.connect(self.broadcast_datagram)
        self.timer.start(interval_ms)

    def broadcast_datagram(self) -> None:
        datagram = f"Broadcast message {self.message_no}".encode()
        if self.udp_socket.writeDatagram(datagram, self.address, self.port) < 0:
            print(f"not sent: {self.udp_socket.errorString()}", file=sys.stderr)
        else:
            print(f"Now broadcasting datagram {self.message_no}", flush=True)
        self.message_no += 1
        if self.count and self.message_no > self.count:
            self.timer.stop()
            QCoreApplication.quit()


def run(args: argparse.Namespace) -> int:
    app = QCoreApplication([])
    sender = Sender(args.address, args.port, args.interval, args.count)  # noqa: F841 - keeps it alive
    return app.exec()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    configure_broadcast_sender(parser)  # the same options as `qtnet broadcast-sender`
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
