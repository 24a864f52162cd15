"""Broadcast Receiver: Qt's broadcastreceiver example without its window.

Binds UDP port 45454 with ShareAddress (several receivers on one host can
listen together) and prints every datagram that arrives, with where it came
from and the address it was sent to (255.255.255.255 or a subnet's broadcast
address).

    python -m qtnet.examples.broadcast_receiver [--port P] [--count N] [--timeout S] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys

from qtnet import QCoreApplication, QNetworkDatagram, QTimer, QUdpSocket
from qtnet.cli.udp_examples import configure_broadcast_receiver


def describe(datagram: QNetworkDatagram, as_json: bool) -> str:
    if as_json:
        return json.dumps(
            {
                "data": bytes(datagram.data()).decode(errors="replace"),
                "sender": datagram.senderAddress().toString(),
                "sender_port": datagram.senderPort(),
                "destination": datagram.destinationAddress().toString(),
                "destination_port": datagram.destinationPort(),
                "hop_limit": datagram.hopLimit(),
            }
        )
    return (
        f'Received datagram: "{bytes(datagram.data()).decode(errors="replace")}" from '
        f"{datagram.senderAddress().toString()}:{datagram.senderPort()} to "
        f"{datagram.destinationAddress().toString()} (hop limit {datagram.hopLimit()})"
    )


class Receiver:
    def __init__(self, port: int, count: int, as_json: bool) -> None:
        self.count = count
        self.as_json = as_json
        self.received = 0
        self.udp_socket = QUdpSocket()
        if not self.udp_socket.bind(port, QUdpSocket.BindFlag.ShareAddress):
            raise SystemExit(f"cannot bind port {port}: {self.udp_socket.errorString()}")
        self.udp_socket.readyRead.connect(self.process_pending_datagrams)

    def process_pending_datagrams(self) -> None:
        while self.udp_socket.hasPendingDatagrams():
            datagram = self.udp_socket.receiveDatagram()
            self.received += 1
            print(describe(datagram, self.as_json), flush=True)
            if self.count and self.received >= self.count:
                QCoreApplication.quit()
                return


def run(args: argparse.Namespace) -> int:
    app = QCoreApplication([])
    receiver = Receiver(args.port, args.count, args.json)
    print(f"Listening for broadcast messages on UDP port {args.port}", file=sys.stderr, flush=True)
    if args.timeout:
        QTimer.singleShot(int(args.timeout * 1000), QCoreApplication.quit)
    app.exec()
    print(f"received {receiver.received} datagrams", file=sys.stderr)
    return 1 if args.count and receiver.received < args.count else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    configure_broadcast_receiver(parser)  # the same options as `qtnet broadcast-receiver`
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
