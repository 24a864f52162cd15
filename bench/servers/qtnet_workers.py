#!/usr/bin/env python3
"""qtnet echo or fortune server in N worker processes (SO_REUSEPORT), for bench_workers.py.

    .venv/bin/python bench/servers/qtnet_workers.py --kind echo --workers 2 --port 0

Each worker is the one-process server of bench/servers/qtnet_echo.py (or the
Fortune example) adopting its own listening socket from
``qtnet.iocore.workers.serve_workers``.  Prints ``PORT <n>`` once the sockets
exist and serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import resource
import sys


def echo_worker(fd: int, index: int) -> int:
    from qtnet import QAbstractSocket, QCoreApplication, QTcpServer

    del index
    app = QCoreApplication(sys.argv[:1])
    server = QTcpServer()

    def on_new_connection() -> None:
        while server.hasPendingConnections():
            socket = server.nextPendingConnection()
            socket.setSocketOption(QAbstractSocket.LowDelayOption, 1)
            socket.readyRead.connect(lambda s=socket: s.write(s.readAll()))
            socket.disconnected.connect(socket.deleteLater)

    server.newConnection.connect(on_new_connection)
    if not server.setSocketDescriptor(fd):
        print(f"cannot adopt the socket: {server.errorString()}", file=sys.stderr)
        return 1
    return app.exec()


def fortune_worker(fd: int, index: int) -> int:
    from qtnet import QCoreApplication
    from qtnet.examples.fortune_server import FortuneServer

    del index
    app = QCoreApplication(sys.argv[:1])
    server = FortuneServer()
    if not server.setSocketDescriptor(fd):
        print(f"cannot adopt the socket: {server.errorString()}", file=sys.stderr)
        return 1
    return app.exec()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["echo", "fortune"], default="echo")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    from qtnet.iocore.workers import serve_workers

    target = echo_worker if args.kind == "echo" else fortune_worker
    return serve_workers(
        target,
        args.workers,
        host="127.0.0.1",
        port=args.port,
        backlog=1024,
        on_bound=lambda address, port: print(f"PORT {port}", flush=True),
    )


if __name__ == "__main__":
    sys.exit(main())
