"""5,000 concurrent idle connections held by one qtnet server: RSS per connection.

The server runs in its own process (so only its memory is measured) with the
echo-server wiring a real program has (readyRead and disconnected connected).
Target: <= 3 KB per connection (PySide6 measured 4.4 KB); asserted with room
for allocator noise at 6 KB, the figure is printed (`pytest -s`).
bench/idle_memory.py compares it with PySide6 and the other contenders.
"""

from __future__ import annotations

import resource
import socket
import subprocess
import sys
import textwrap
import time

CONNS = 5000

_SERVER = textwrap.dedent(
    """
    import gc, resource, sys
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    from qtnet import QAbstractSocket, QCoreApplication, QHostAddress, QTcpServer, QTimer
    expected = int(sys.argv[1])

    def rss() -> int:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError("no RssAnon")

    app = QCoreApplication([])
    server = QTcpServer()
    server.setMaxPendingConnections(expected)
    held = []

    def on_new():
        while server.hasPendingConnections():
            s = server.nextPendingConnection()
            s.readyRead.connect(lambda s=s: s.write(s.readAll()))
            s.disconnected.connect(s.deleteLater)
            held.append(s)
            if not warmed:
                if len(held) == 100:
                    warmed.append(True)
                    for w in held:  # warm-up connections: gone before the baseline
                        w.abort()
                    held.clear()
                    QTimer.singleShot(200, baseline)
            elif len(held) == expected:
                QTimer.singleShot(200, report)

    warmed, baseline_rss = [], []

    def baseline():
        gc.collect()
        baseline_rss.append(rss())
        print("READY", flush=True)

    def report():
        gc.collect()
        print("RSS", baseline_rss[0], rss(), len(held), flush=True)
        app.quit()

    server.newConnection.connect(on_new)
    assert server.listen(QHostAddress.LocalHost, 0)
    print(server.serverPort(), flush=True)
    QTimer.singleShot(120000, app.quit)
    app.exec()
    """
)


def _connect_many(port: int, n: int, batch: int = 40) -> list[socket.socket]:
    socks: list[socket.socket] = []
    while len(socks) < n:
        for _ in range(min(batch, n - len(socks))):  # below the listen backlog (50)
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=30))
        time.sleep(0.002)
    return socks


def test_idle_connections_rss_per_connection() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard >= CONNS + 200, (
        f"RLIMIT_NOFILE hard limit {hard} is too low for {CONNS} connections"
    )
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(CONNS)], stdout=subprocess.PIPE, text=True
    )
    socks: list[socket.socket] = []
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        warm = _connect_many(port, 100)
        assert proc.stdout.readline().strip() == "READY"
        for s in warm:
            s.close()
        socks = _connect_many(port, CONNS)
        line = proc.stdout.readline().split()
        assert line[0] == "RSS", line
        before, after, held = int(line[1]), int(line[2]), int(line[3])
    finally:
        for s in socks:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        proc.kill()
        proc.wait(30)
        if proc.stdout is not None:
            proc.stdout.close()
    assert held == CONNS
    per_conn = (after - before) / CONNS
    print(
        f"\nqtnet: {CONNS} idle connections, {per_conn:.0f} bytes RSS each "
        f"({before / 2**20:.1f} MB -> {after / 2**20:.1f} MB)"
    )
    assert 0 < per_conn < 6000
