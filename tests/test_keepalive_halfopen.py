"""Half-open TCP connections between two real hosts, with and without KeepAliveOption.

Two network namespaces (``a`` and ``b``) joined by one veth pair, addresses
10.200.<k>.1/30 (a) and .2/30 (b) that exist only inside them; the module
creates and deletes them (``test_udp_netns.Network`` does the namespace and
process plumbing).  The Qt program runs in ``a`` as a subprocess (``ip netns
exec``) printing JSON lines, once on qtnet and once, unchanged but for its
imports, on real Qt (PySide6): both runs must give the same answers.  Its peer
in ``b`` is a plain Python socket.

"Cutting the path" is a blackhole route in ``b`` towards ``a``: ``b`` still
receives everything ``a`` sends but can answer nothing, and a blackhole sends
no ICMP, so ``a`` gets no RST and no error of any kind — exactly a peer that
vanished (unplugged, crashed host, dead NAT entry).  ``a``'s own stack is left
alone, so no local error (a soft ICMP or ARP failure) can change the errno the
kernel reports when the keepalive probes go unanswered: ETIMEDOUT, seen by the
next recv() (the socket polls readable).

What real Qt 6.12 then does (observed here): errorOccurred(SocketTimeoutError)
with "Connection timed out", ClosingState, UnconnectedState, disconnected —
about 3 s after the cut with idle 1 s, interval 1 s, count 2.  (The Qt sources
in the reference index are older: their engine reports any read errno as a
NetworkError with the system text.)  Without KeepAliveOption nothing happens.

If the namespaces cannot be created the tests FAIL with the reason (root and
iproute2 are needed); they are never skipped.
"""

from __future__ import annotations

import errno
import json
import os
import random
import select
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from peers import peer_env, pyside6_python
from qtnet.iocore import socket_errors as se
from test_udp_netns import Network, built

SOCKET_TIMEOUT, REMOTE_HOST_CLOSED = 5, 1  # QAbstractSocket::SocketError
CONNECTED, CLOSING, UNCONNECTED = 3, 6, 0  # QAbstractSocket::SocketState
TIMED_OUT_TEXT = "Connection timed out"
DETECT_WITHIN = 15.0  # idle 1 s + 2 probes 1 s apart: the kernel gives up after ~3 s
CONTROL_WINDOW = 5.0  # how long a socket without keepalive must stay Connected

# The same scripts run on qtnet and on real Qt (PySide6): only the imports differ.
IMPORTS = {
    "qtnet": "from qtnet import QAbstractSocket, QCoreApplication, QHostAddress, QTcpServer, "
    "QTcpSocket, QTimer",
    "pyside6": "from PySide6.QtCore import QCoreApplication, QTimer\n"
    "from PySide6.QtNetwork import QAbstractSocket, QHostAddress, QTcpServer, QTcpSocket",
}

KEEPALIVE_OPTIONS = r"""
import json, socket, sys, time
A = QAbstractSocket

def v(x):  # an enum's int on both (PySide6 enums are not ints)
    return x if isinstance(x, int) else x.value

def set_keepalive(s):
    for option, value in ((A.KeepAliveOption, 1), (A.KeepAliveIdleOption, 1),
                          (A.KeepAliveIntervalOption, 1), (A.KeepAliveCountOption, 2)):
        s.setSocketOption(option, value)
    # What the kernel holds now, read through a second descriptor of the socket.
    raw = socket.socket(fileno=socket.dup(s.socketDescriptor()))
    try:
        return {"SO_KEEPALIVE": raw.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                "TCP_KEEPIDLE": raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                "TCP_KEEPINTVL": raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
                "TCP_KEEPCNT": raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT)}
    finally:
        raw.close()

def watch(s, name, t0, emit):
    s.errorOccurred.connect(lambda e: emit(event="error", name=name, error=v(e),
                                           text=s.errorString(), t=time.monotonic() - t0[0]))
    s.stateChanged.connect(lambda st: emit(event="state", name=name, state=v(st),
                                           t=time.monotonic() - t0[0]))
    s.disconnected.connect(lambda: emit(event="disconnected", name=name,
                                        t=time.monotonic() - t0[0]))
"""

# Runs in a: one socket with keepalive, one without, both to the holder in b.
# After "cut" on stdin it reports every signal, then both states once the
# keepalive socket has failed and the control window has passed (or at the limit).
CLIENT = (
    KEEPALIVE_OPTIONS
    + r"""
host, port, window, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
def emit(**kw):
    print(json.dumps(kw), flush=True)
app = QCoreApplication([])
t0 = [time.monotonic()]
socks = {}
for name in ("keepalive", "control"):
    s = QTcpSocket()
    s.connectToHost(host, port)
    if not s.waitForConnected(10000):
        sys.exit(name + " connect: " + s.errorString())
    if name == "keepalive":
        emit(event="options", kernel=set_keepalive(s))
    watch(s, name, t0, emit)
    socks[name] = s
emit(event="connected")
if sys.stdin.readline().strip() != "cut":
    sys.exit("no cut")
t0[0] = time.monotonic()
def check():
    elapsed = time.monotonic() - t0[0]
    failed = v(socks["keepalive"].state()) == 0
    if (failed and elapsed >= window) or elapsed >= limit:
        emit(event="end", t=elapsed, keepalive=v(socks["keepalive"].state()),
             control=v(socks["control"].state()),
             keepalive_error=v(socks["keepalive"].error()),
             keepalive_text=socks["keepalive"].errorString())
        app.quit()
timer = QTimer()
timer.timeout.connect(check)
timer.start(50)
app.exec()
"""
)

# Runs in a: a QTcpServer that sets keepalive on every accepted socket, echoes,
# and reports each socket's signals; it ends once connection #2 has echoed.
SERVER = (
    KEEPALIVE_OPTIONS
    + r"""
host, limit = sys.argv[1], float(sys.argv[2])
def emit(**kw):
    print(json.dumps(kw), flush=True)
app = QCoreApplication([])
t0 = [time.monotonic()]
server = QTcpServer()
if not server.listen(QHostAddress(host), 0):
    sys.exit("listen: " + server.errorString())
accepted = []
def on_new():
    while server.hasPendingConnections():
        s = server.nextPendingConnection()
        accepted.append(s)
        name = "conn%d" % len(accepted)
        kernel = set_keepalive(s)
        t0[0] = time.monotonic()
        watch(s, name, t0, emit)
        def echo(s=s, name=name):
            data = bytes(s.readAll())
            s.write(data)
            emit(event="echo", name=name, data=data.decode())
            if name == "conn2":
                s.flush()
                QTimer.singleShot(200, app.quit)
        s.readyRead.connect(echo)
        emit(event="accepted", name=name, kernel=kernel, listening=server.isListening())
server.newConnection.connect(on_new)
QTimer.singleShot(int(limit * 1000), app.quit)
emit(event="listening", port=server.serverPort())
app.exec()
emit(event="end", listening=server.isListening())
"""
)

# Runs in b: accept connections and keep them open, silently, until killed.
HOLDER = r"""
import socket, sys, time
srv = socket.create_server((sys.argv[1], int(sys.argv[2])))
print("Listening", file=sys.stderr, flush=True)
held = []
while True:
    held.append(srv.accept()[0])
"""

# Runs in b: connect, then wait to be killed (the "vanishing" client).
VANISHING = r"""
import socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
print("Listening", file=sys.stderr, flush=True)
time.sleep(60)
"""

# Runs in b: one echo round trip.
PING = r"""
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
c.sendall(b"ping")
c.settimeout(10)
print(c.recv(100).decode())
"""


class PairNetwork(Network):
    """Namespaces a and b joined by one veth pair (10.200.<k>.0/30)."""

    def ip4(self, host: str) -> str:
        return f"10.200.{self.k}.{('a', 'b').index(host) + 1}"

    def create(self) -> None:
        for host in ("a", "b"):
            name = self.ns(host)
            self._ip("netns", "add", name)
            self.created.append(name)
            self._ip("-n", name, "link", "set", "lo", "up")
        self._ip(
            "link", "add", "name", "v-a", "netns", self.ns("a"),
            "type", "veth", "peer", "name", "v-b", "netns", self.ns("b"),
        )  # fmt: skip
        for host in ("a", "b"):
            dev = f"v-{host}"
            self._ip("-n", self.ns(host), "addr", "add", f"{self.ip4(host)}/30", "dev", dev)
            self._ip("-n", self.ns(host), "link", "set", dev, "up")

    def cut(self) -> None:
        """b can no longer answer a: its replies are dropped, silently."""
        self._ip("-n", self.ns("b"), "route", "add", "blackhole", f"{self.ip4('a')}/32")

    def mend(self) -> None:
        self._ip("-n", self.ns("b"), "route", "del", "blackhole", f"{self.ip4('a')}/32")


@pytest.fixture(scope="module")
def pair() -> Iterator[PairNetwork]:
    yield from built(PairNetwork())


class Lines:
    """A Qt script's JSON lines, read with a deadline.

    Reads the pipe's descriptor itself: a text wrapper's readline() would keep
    lines that arrived together in its buffer, where select() cannot see them.
    """

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        self.proc = proc
        self.fd = proc.stdout.fileno()
        self.pending = b""
        self.seen: list[dict[str, Any]] = []
        self.cursor = 0  # seen[:cursor] have been matched against already

    def _next(self, deadline: float) -> dict[str, Any] | None:
        while b"\n" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    return None
                self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return json.loads(line) if line.startswith(b"{") else {"event": "text"}

    def until(self, event: str, timeout: float = 30.0, **match: Any) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            while self.cursor < len(self.seen):
                got = self.seen[self.cursor]
                self.cursor += 1
                if got["event"] == event and all(got.get(k) == v for k, v in match.items()):
                    return got
            nxt = self._next(deadline)
            if nxt is None:
                break
            self.seen.append(nxt)
        err = ""
        if self.proc.poll() is not None and self.proc.stderr is not None:
            err = self.proc.stderr.read()[-3000:]  # it exited: why
        raise AssertionError(f"no {event} {match} within {timeout} s; saw {self.seen}; {err}")

    def of(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.seen if e.get("name") == name]


def spawn(net: Network, host: str, impl: str, script: str, *args: str) -> subprocess.Popen[str]:
    """Run a Qt script in a namespace, on qtnet (the repo's interpreter) or PySide6."""
    code = IMPORTS[impl] + "\n" + script
    if impl == "qtnet":
        argv, env = net.argv(host, "-c", code, *args), net.env()
    else:
        argv = ["ip", "netns", "exec", net.ns(host), pyside6_python(), "-c", code, *args]
        env = peer_env()
    return subprocess.Popen(
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env,
    )  # fmt: skip


def stop(proc: subprocess.Popen[str], grace: float = 0.0) -> str:
    """End a process (killed if still running after ``grace`` s); its stderr."""
    try:
        _, err = proc.communicate(timeout=grace) if grace else ("", None)
    except subprocess.TimeoutExpired:
        err = None
    if err is None:
        proc.kill()
        _, err = proc.communicate(timeout=30)
    return str(err)


def assert_timed_out(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The signals real Qt emits (the PySide6 runs check it): errorOccurred(
    SocketTimeoutError, "Connection timed out"), ClosingState, UnconnectedState,
    disconnected; returns the error event."""
    signals = [e for e in events if e["event"] in ("error", "state", "disconnected")]
    assert [(e["event"], e.get("state"), e.get("error")) for e in signals] == [
        ("error", None, SOCKET_TIMEOUT),
        ("state", CLOSING, None),
        ("state", UNCONNECTED, None),
        ("disconnected", None, None),
    ], events
    assert signals[0]["text"] == TIMED_OUT_TEXT, events
    return signals[0]


@pytest.mark.parametrize("impl", ["qtnet", "pyside6"])
def test_keepalive_options_reach_the_kernel_and_a_half_open_peer_times_out(
    pair: PairNetwork, impl: str
) -> None:
    """Client side: a vanished server is detected with keepalive, never without."""
    port = str(random.randrange(20000, 60000))  # the namespace is ours: no one else uses it
    holder = pair.start("b", "-c", HOLDER, pair.ip4("b"), port)
    client = spawn(
        pair, "a", impl, CLIENT, pair.ip4("b"), port,
        str(CONTROL_WINDOW), str(DETECT_WITHIN),
    )  # fmt: skip
    lines = Lines(client)
    try:
        options = lines.until("options")
        assert options["kernel"] == {
            "SO_KEEPALIVE": 1, "TCP_KEEPIDLE": 1, "TCP_KEEPINTVL": 1, "TCP_KEEPCNT": 2,
        }  # fmt: skip
        lines.until("connected")
        pair.cut()
        try:
            assert client.stdin is not None
            client.stdin.write("cut\n")
            client.stdin.flush()
            end = lines.until("end", timeout=DETECT_WITHIN + 20)
        finally:
            pair.mend()
    finally:
        err = stop(client, grace=10)
        stop(holder)
    assert client.returncode == 0, err
    error = assert_timed_out(lines.of("keepalive"))
    assert error["t"] < DETECT_WITHIN
    assert end["keepalive"] == UNCONNECTED
    assert (end["keepalive_error"], end["keepalive_text"]) == (SOCKET_TIMEOUT, TIMED_OUT_TEXT)
    # The control socket saw the same cut for at least CONTROL_WINDOW s and noticed nothing.
    assert end["t"] >= CONTROL_WINDOW
    assert end["control"] == CONNECTED and lines.of("control") == [], lines.seen
    print(f"{impl}: keepalive detected the half-open connection {error['t']:.2f} s after the cut")


@pytest.mark.parametrize("impl", ["qtnet", "pyside6"])
def test_server_drops_a_vanished_client_and_keeps_accepting(pair: PairNetwork, impl: str) -> None:
    """Server side: the accepted socket times out; the server accepts and echoes after."""
    server = spawn(pair, "a", impl, SERVER, pair.ip4("a"), "40")
    lines = Lines(server)
    vanishing: subprocess.Popen[str] | None = None
    try:
        port = str(lines.until("listening")["port"])
        vanishing = pair.start("b", "-c", VANISHING, pair.ip4("a"), port)
        first = lines.until("accepted", name="conn1")
        assert first["kernel"] == {
            "SO_KEEPALIVE": 1, "TCP_KEEPIDLE": 1, "TCP_KEEPINTVL": 1, "TCP_KEEPCNT": 2,
        }  # fmt: skip
        pair.cut()
        try:
            vanishing.kill()  # its FIN (or RST) cannot reach a: the client just vanished
            vanishing.communicate(timeout=30)
            cut_at = time.monotonic()
            lines.until("disconnected", timeout=DETECT_WITHIN + 10, name="conn1")
            detected = time.monotonic() - cut_at
        finally:
            pair.mend()
        out = pair.send("b", "-c", PING, pair.ip4("a"), port)
        assert out.strip() == "ping"
        second = lines.until("accepted", name="conn2")
        assert second["listening"]
        lines.until("echo", name="conn2")
        end = lines.until("end")
    finally:
        err = stop(server, grace=10)
        if vanishing is not None:
            stop(vanishing)
    assert server.returncode == 0, err
    assert detected < DETECT_WITHIN
    assert_timed_out(lines.of("conn1"))
    assert end["listening"]
    # conn2 may only see the ping client's own close after the echo.
    conn2_errors = [e["error"] for e in lines.of("conn2") if e["event"] == "error"]
    assert conn2_errors in ([], [REMOTE_HOST_CLOSED]), lines.seen
    print(f"{impl}: the server dropped the vanished client {detected:.2f} s after the cut")


# -- the mapping itself, no network needed ---------------------------------------------------
@pytest.mark.parametrize(
    ("err", "text"),
    [
        (errno.EHOSTUNREACH, "No route to host"),
        (errno.EIO, "Input/output error"),
        (errno.EACCES, "Permission denied"),
        (0, "Unknown error"),
    ],
)
def test_read_errors_are_network_errors_with_the_system_text(err: int, text: str) -> None:
    e = se.read_error(err)
    assert (e.code, e.text, e.errno) == (se.NETWORK, text, err)


def test_a_timed_out_read_is_a_socket_timeout() -> None:
    """What real Qt reports for the half-open case (the namespace tests show it)."""
    e = se.read_error(errno.ETIMEDOUT)
    assert (e.code, e.text, e.errno) == (se.SOCKET_TIMEOUT, "Connection timed out", errno.ETIMEDOUT)
