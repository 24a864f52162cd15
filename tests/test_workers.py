"""Multi-core serving (qtnet.iocore.workers) and systemd socket activation.

Real processes, real sockets on 127.0.0.1: ``qtnet fortune-server --workers 2``
and ``qtnet ws-echo-server --workers 2`` must spread connections over both
workers, survive a worker killed with SIGKILL, stop cleanly on SIGTERM and
report the total; a QUdpSocket program run with ``serve_workers(kind="udp")``
answers from several workers; an inherited socket (LISTEN_FDS) is served.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from qtnet.iocore.workers import WorkerError, bound_sockets, systemd_listen_fds

FORTUNES = {
    "You've been leading a dog's life. Stay off the furniture.",
    "You've got to think about tomorrow.",
    "You will be surprised by a loud noise.",
    "You will feel hungry again in another hour.",
    "You might have mail.",
    "You cannot kill time without injuring eternity.",
    "Computers are not intelligent. They only think they are.",
}
ENV = dict(os.environ, PYTHONUNBUFFERED="1")


def fetch_fortune(port: int, timeout: float = 10.0) -> str:
    """One fortune, qt5 framing: the QString alone (quint32 byte length + UTF-16BE)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    (length,) = struct.unpack(">I", data[:4])
    assert len(data) == 4 + length, data
    return data[4:].decode("utf-16-be")


def wait_for_line(
    proc: subprocess.Popen[str], pattern: str, timeout: float = 20.0
) -> re.Match[str]:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    proc.kill()
    raise AssertionError(f"no line matching {pattern!r}; got {seen!r}")


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()]


def wait_children(pid: int, count: int, timeout: float = 15.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = children_of(pid)
        if len(kids) == count:
            return kids
        time.sleep(0.05)
    raise AssertionError(f"expected {count} workers, have {children_of(pid)}")


def stop(proc: subprocess.Popen[str], timeout: float = 20.0) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, out


@pytest.fixture
def fortune_workers() -> Iterator[tuple[subprocess.Popen[str], int]]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qtnet.cli.main",
            "fortune-server",
            "--host",
            "127.0.0.1",
            "--workers",
            "2",
            "--log-interval",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=ENV,
    )
    try:
        match = wait_for_line(
            proc, r"The server is running on IP: 127\.0\.0\.1 port: (\d+) \(2 workers\)"
        )
        yield proc, int(match.group(1))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


# -- the sockets ---------------------------------------------------------------------------
def test_bound_sockets_share_one_port_with_reuseport() -> None:
    socks = bound_sockets(3, "127.0.0.1", 0)
    try:
        ports = {s.getsockname()[1] for s in socks}
        assert len(ports) == 1 and ports.pop() > 0
        for s in socks:
            assert s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
            assert s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1
    finally:
        for s in socks:
            s.close()


def test_bound_sockets_all_addresses_is_dual_stack_and_udp_works() -> None:
    tcp = bound_sockets(2, None, 0)
    udp = bound_sockets(2, "::1", 0, kind="udp")
    try:
        assert tcp[0].family == socket.AF_INET6
        assert tcp[0].getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 0
        # Reachable over IPv4 as well (dual-stack, like QHostAddress.Any).
        with socket.create_connection(("127.0.0.1", tcp[0].getsockname()[1]), timeout=5):
            pass
        assert udp[0].type == socket.SOCK_DGRAM
        assert udp[0].getsockname()[1] == udp[1].getsockname()[1]
    finally:
        for s in tcp + udp:
            s.close()


def test_bound_sockets_errors() -> None:
    with pytest.raises(ValueError):
        bound_sockets(0)
    with pytest.raises(ValueError):
        bound_sockets(1, "127.0.0.1", 0, kind="sctp")  # type: ignore[arg-type]
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:  # a port held without SO_REUSEPORT cannot be shared
        with pytest.raises(WorkerError, match="cannot bind 127.0.0.1 port"):
            bound_sockets(2, "127.0.0.1", taken.getsockname()[1])
    finally:
        taken.close()
    with pytest.raises(WorkerError, match="cannot bind"):
        bound_sockets(1, "192.0.2.1", 0)  # TEST-NET-1: not an address of this host


def test_systemd_listen_fds_only_for_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LISTEN_PID", str(os.getpid() + 1))
    monkeypatch.setenv("LISTEN_FDS", "1")
    assert systemd_listen_fds() == []
    assert "LISTEN_PID" not in os.environ and "LISTEN_FDS" not in os.environ
    assert systemd_listen_fds() == []


# -- fortune-server --workers ----------------------------------------------------------------
def test_fortune_workers_share_the_load_and_report_the_total(
    fortune_workers: tuple[subprocess.Popen[str], int],
) -> None:
    proc, port = fortune_workers
    wait_children(proc.pid, 2)
    got = [fetch_fortune(port) for _ in range(200)]
    assert set(got) <= FORTUNES
    code, out = stop(proc)
    assert code == 0, out
    counts = re.findall(r"\[worker (\d)\] Served (\d+) fortunes", out)
    per_worker = {int(w): int(n) for w, n in counts}
    assert set(per_worker) == {0, 1}, out
    # SO_REUSEPORT hashes each connection's addresses and ports: both get a share.
    assert min(per_worker.values()) >= 20, per_worker
    assert sum(per_worker.values()) == 200
    assert "Served 200 fortunes in 2 workers" in out


def test_fortune_worker_killed_is_restarted(
    fortune_workers: tuple[subprocess.Popen[str], int],
) -> None:
    proc, port = fortune_workers
    first = wait_children(proc.pid, 2)
    os.kill(first[0], signal.SIGKILL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        kids = children_of(proc.pid)
        if len(kids) == 2 and first[0] not in kids:
            break
        time.sleep(0.05)
    else:
        raise AssertionError(f"worker not restarted: {children_of(proc.pid)}")
    # Every connection is answered, whichever worker's socket it lands on.
    assert all(fetch_fortune(port) in FORTUNES for _ in range(100))
    code, out = stop(proc)
    assert code == 0, out
    assert f"worker 0 (pid {first[0]}) exited with status {128 + signal.SIGKILL}; restarting" in out


def test_workers_that_cannot_start_make_the_pool_give_up(tmp_path: Path) -> None:
    # A worker that fails at once, every time: the parent stops with an error
    # instead of restarting it forever.
    script = tmp_path / "failing.py"
    script.write_text(
        textwrap.dedent("""
        import sys
        from qtnet.iocore.workers import WorkerError, serve_workers
        try:
            serve_workers(lambda fd, index: 3, 2, host="127.0.0.1")
        except WorkerError as exc:
            print("gave up:", exc)
            sys.exit(1)
    """)
    )
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, env=ENV
    )
    assert out.returncode == 1
    assert "gave up: worker" in out.stdout and "exited with status 3 5 times in a row" in out.stdout


# -- WebSocket and UDP workers ---------------------------------------------------------------
def test_ws_echo_server_workers() -> None:
    from websockets.sync.client import connect

    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "qtnet.cli.main",
            "ws-echo-server",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--workers",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=ENV,
    )
    try:
        port = int(wait_for_line(proc, r"port (\d+): 2 workers").group(1))
        workers = wait_children(proc.pid, 2)
        for i in range(20):
            with connect(f"ws://127.0.0.1:{port}/", open_timeout=10) as ws:
                ws.send(f"hello {i}")
                assert ws.recv(timeout=10) == f"hello {i}"
        assert sorted(children_of(proc.pid)) == sorted(workers)
        code, out = stop(proc)
        assert code == 0, out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


UDP_WORKERS = textwrap.dedent("""
    import sys
    from qtnet import QAbstractSocket, QCoreApplication, QUdpSocket
    from qtnet.iocore.workers import serve_workers

    def worker(fd, index):
        app = QCoreApplication([])
        sock = QUdpSocket()
        assert sock.setSocketDescriptor(fd, QAbstractSocket.BoundState)
        def echo():
            while sock.hasPendingDatagrams():
                datagram = sock.receiveDatagram()
                sock.writeDatagram(datagram.makeReply(b"%d:" % index + datagram.data()))
        sock.readyRead.connect(echo)
        return app.exec()

    sys.exit(serve_workers(worker, 2, host="127.0.0.1", kind="udp",
                           on_bound=lambda a, p: print("bound", p, flush=True)))
""")


def test_udp_workers_answer_from_both_sockets(tmp_path: Path) -> None:
    script = tmp_path / "udp_workers.py"
    script.write_text(UDP_WORKERS)
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=ENV,
    )
    try:
        port = int(wait_for_line(proc, r"bound (\d+)").group(1))
        wait_children(proc.pid, 2)
        seen: set[bytes] = set()
        for i in range(64):  # 64 source ports: the kernel's hash spreads them
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
                c.settimeout(10)
                c.sendto(b"ping %d" % i, ("127.0.0.1", port))
                reply, _ = c.recvfrom(100)
            index, _, body = reply.partition(b":")
            assert body == b"ping %d" % i
            seen.add(index)
        assert seen == {b"0", b"1"}
        code, out = stop(proc)
        assert code == 0, out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


# -- systemd socket activation ------------------------------------------------------------
ACTIVATE = textwrap.dedent("""
    # What systemd does for a socket unit: the listening socket as fd 3,
    # LISTEN_FDS=1 and LISTEN_PID = the service's pid (exec keeps the pid).
    import os, socket, sys
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(50)
    print("activation port", s.getsockname()[1], flush=True)
    if s.fileno() != 3:
        os.dup2(s.fileno(), 3)  # inheritable
    os.set_inheritable(3, True)
    os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
    os.execv(sys.executable, [sys.executable, "-m", "qtnet.cli.main", *sys.argv[1:]])
""")


@pytest.mark.parametrize("command", ["fortune-server", "ws-echo-server"])
def test_systemd_socket_activation(tmp_path: Path, command: str) -> None:
    script = tmp_path / "activate.py"
    script.write_text(ACTIVATE)
    extra = ["--log-interval", "0"] if command == "fortune-server" else []
    proc = subprocess.Popen(
        [sys.executable, str(script), command, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=ENV,
    )
    try:
        port = int(wait_for_line(proc, r"activation port (\d+)").group(1))
        if command == "fortune-server":
            wait_for_line(proc, rf"The server is running on IP: 127\.0\.0\.1 port: {port}$")
            assert all(fetch_fortune(port) in FORTUNES for _ in range(5))
        else:
            from websockets.sync.client import connect

            wait_for_line(proc, rf"listening on port {port} ")
            with connect(f"ws://127.0.0.1:{port}/", open_timeout=10) as ws:
                ws.send("activated")
                assert ws.recv(timeout=10) == "activated"
        code, out = stop(proc)
        assert code == 0, out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
