"""TCP scenarios run unchanged under PySide6 and under qtnet; each prints a signal log.

    python tests/tcp_parity_scenarios.py pyside6|qtnet

Used by test_tcp_pyside6_interop.py, which runs it with both implementations
(PySide6 in its own interpreter) and compares the logs scenario by scenario.
Only the import line differs, as for a real program.  Everything is on
loopback; every wait is bounded.  Prints one JSON object per scenario.
"""

from __future__ import annotations

import json
import socket
import sys
import warnings

IMPL = sys.argv[1]
if IMPL == "pyside6":
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
    from PySide6.QtNetwork import QAbstractSocket, QHostAddress, QTcpServer, QTcpSocket
else:
    from qtnet import (
        QAbstractSocket,
        QCoreApplication,
        QEventLoop,
        QHostAddress,
        QTcpServer,
        QTcpSocket,
        QTimer,
    )

warnings.simplefilter("ignore")  # qtnet reports Qt's qWarning texts as warnings
app = QCoreApplication(sys.argv[:1])
LOG: list[list[object]] = []


def val(x: object) -> object:
    """A JSON-friendly form that is the same for both implementations."""
    if hasattr(x, "name") and hasattr(x, "value"):
        return str(x.name)
    if isinstance(x, (bytes, bytearray)) or type(x).__name__ == "QByteArray":
        return bytes(x).decode("latin-1")  # type: ignore[call-overload]
    if isinstance(x, tuple):
        return [val(i) for i in x]
    return x


def spy(sock: QAbstractSocket, tag: str) -> None:
    def add(*e: object) -> None:
        LOG.append([tag, *[val(x) for x in e]])

    sock.stateChanged.connect(lambda s: add("state", s))
    sock.hostFound.connect(lambda: add("hostFound"))
    sock.connected.connect(lambda: add("connected", sock.state()))
    sock.disconnected.connect(lambda: add("disconnected", sock.state(), sock.isOpen()))
    sock.errorOccurred.connect(
        lambda e: add("error", e, sock.errorString(), sock.state(), sock.bytesAvailable())
    )
    sock.readyRead.connect(lambda: add("readyRead", sock.bytesAvailable()))
    sock.readChannelFinished.connect(
        lambda: add("readChannelFinished", sock.state(), sock.bytesAvailable())
    )
    sock.aboutToClose.connect(lambda: add("aboutToClose", sock.state()))
    sock.bytesWritten.connect(lambda n: add("bytesWritten", n))


def spin(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def spin_until(pred: object, ms: int = 5000) -> bool:
    for _ in range(ms // 10):
        if pred():  # type: ignore[operator]
            return True
        spin(10)
    return bool(pred())  # type: ignore[operator]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVER = QTcpServer()
assert SERVER.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
PORT = SERVER.serverPort()


def pair() -> tuple[QTcpSocket, QTcpSocket]:
    c = QTcpSocket()
    c.connectToHost("127.0.0.1", PORT)
    assert c.waitForConnected(5000)
    while True:
        if not SERVER.hasPendingConnections():
            assert SERVER.waitForNewConnection(5000)[0]
        s = SERVER.nextPendingConnection()
        if s.peerPort() == c.localPort():
            return c, s


def emit(name: str, **values: object) -> None:
    print(
        json.dumps({"name": name, "log": LOG, "values": {k: val(v) for k, v in values.items()}}),
        flush=True,
    )
    LOG.clear()


def scenario_connect_literal() -> None:
    c = QTcpSocket()
    spy(c, "c")
    c.connectToHost("127.0.0.1", PORT)
    LOG.append(["after connectToHost", val(c.state())])
    spin_until(lambda: c.state() == QAbstractSocket.SocketState.ConnectedState)
    emit(
        "connect_literal",
        peer=c.peerAddress().toString(),
        peer_name=c.peerName(),
        open=c.isOpen(),
        rch=c.readChannelCount(),
        wch=c.writeChannelCount(),
    )
    c.abort()


def scenario_remote_close() -> None:
    c, s = pair()
    spy(c, "c")
    spy(s, "s")
    s.write(b"hello")
    s.disconnectFromHost()
    LOG.append(["after s.disconnectFromHost", val(s.state()), s.bytesToWrite()])
    spin_until(lambda: c.state() == QAbstractSocket.SocketState.UnconnectedState)
    first, rest = c.read(2), c.readAll()
    emit(
        "remote_close",
        first=first,
        rest=rest,
        open=c.isOpen(),
        atEnd=c.atEnd(),
        error=c.error(),
        write=c.write(b"x"),
        errorString=c.errorString(),
        getChar=c.getChar(),
        fd=c.socketDescriptor(),
    )


def scenario_local_close_with_data() -> None:
    c, s = pair()
    spy(c, "c")
    spy(s, "s")
    c.write(b"abc")
    c.disconnectFromHost()
    LOG.append(["after dfh", val(c.state()), c.bytesToWrite(), c.isOpen()])
    spin_until(lambda: s.state() == QAbstractSocket.SocketState.UnconnectedState)
    emit("local_close_with_data", got=s.readAll())


def scenario_abort_and_close() -> None:
    c, s = pair()
    spy(c, "c")
    c.write(b"zzz")
    c.abort()
    LOG.append(["after abort", val(c.state()), c.isOpen(), c.bytesToWrite()])
    c2, s2 = pair()
    spy(c2, "c2")
    c2.close()
    LOG.append(["after close", val(c2.state()), c2.isOpen(), val(c2.error())])
    spin_until(lambda: s.state() == s2.state() == QAbstractSocket.SocketState.UnconnectedState)
    emit("abort_and_close", s_got=s.readAll(), s_error=s.error())


def scenario_refused_and_not_found() -> None:
    r = QTcpSocket()
    spy(r, "r")
    r.connectToHost("127.0.0.1", closed_port())
    spin_until(lambda: r.state() == QAbstractSocket.SocketState.UnconnectedState)
    h = QTcpSocket()
    spy(h, "h")
    h.connectToHost("nonexistent.invalid", 80)
    spin_until(lambda: h.state() == QAbstractSocket.SocketState.UnconnectedState, 30000)
    emit("refused_and_not_found", r_open=r.isOpen(), r_fd=r.socketDescriptor(), h_error=h.error())


def scenario_stop_while_connecting() -> None:
    for how in ("abort", "disconnectFromHost", "close"):
        x = QTcpSocket()
        spy(x, how)
        x.connectToHost("127.0.0.1", PORT)
        getattr(x, how)()
        LOG.append([how, "after", val(x.state()), x.isOpen()])
        spin_until(lambda x=x: x.state() == QAbstractSocket.SocketState.UnconnectedState)
        spin(20)
    while SERVER.hasPendingConnections():
        SERVER.nextPendingConnection().abort()
    emit("stop_while_connecting")


def scenario_waits() -> None:
    c, s = pair()
    spy(c, "c")
    r1 = c.waitForReadyRead(100)
    r2 = c.waitForDisconnected(100)
    r3 = c.waitForBytesWritten(100)
    c.write(b"x" * 10)
    r4 = c.waitForBytesWritten(5000)
    s.write(b"hello")
    s.flush()
    s.disconnectFromHost()
    r5 = c.waitForReadyRead(5000)
    avail = c.bytesAvailable()
    r6 = c.waitForReadyRead(5000)
    r7 = c.waitForReadyRead(100)
    emit(
        "waits", r=[r1, r2, r3, r4, r5, avail, r6, r7], error=c.error(), errorString=c.errorString()
    )


def scenario_connect_timeout() -> None:
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(0)
    fill = []
    for _ in range(4):
        f = socket.socket()
        f.setblocking(False)
        f.connect_ex(ls.getsockname())
        fill.append(f)
    spin(100)
    t = QTcpSocket()
    spy(t, "t")
    t.connectToHost("127.0.0.1", ls.getsockname()[1])
    ok = t.waitForConnected(200)
    emit(
        "connect_timeout",
        ok=ok,
        state=t.state(),
        error=t.error(),
        errorString=t.errorString(),
        open=t.isOpen(),
        fd=t.socketDescriptor(),
    )
    for f in fill:
        f.close()
    ls.close()


def scenario_bind_and_descriptor() -> None:
    b = QTcpSocket()
    spy(b, "b")
    ok = b.bind(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
    values = {
        "bind": ok,
        "state": b.state(),
        "open": b.isOpen(),
        "local": b.localAddress().toString(),
    }
    b.connectToHost("127.0.0.1", PORT)
    values["connected"] = b.waitForConnected(5000)
    bad = QTcpSocket()
    spy(bad, "bad")
    values["bad"] = bad.bind(QHostAddress("198.51.100.1"), 0)
    values["bad_error"] = bad.errorString()
    raw = socket.create_connection(("127.0.0.1", PORT))
    d = QTcpSocket()
    spy(d, "d")
    values["adopt"] = d.setSocketDescriptor(raw.detach())
    values["adopt_state"] = d.state()
    values["adopt_peer"] = d.peerAddress().toString()
    inv = QTcpSocket()
    values["invalid"] = inv.setSocketDescriptor(-5)
    values["invalid_error"] = inv.errorString()
    emit("bind_and_descriptor", **values)
    while SERVER.hasPendingConnections():
        SERVER.nextPendingConnection().abort()


def scenario_recursive_and_misuse() -> None:
    c, s = pair()
    events: list[object] = []

    def rr() -> None:
        events.append(["enter", c.bytesAvailable()])
        if len(events) == 1:
            s.write(b"more")
            s.flush()
            events.append(["inner", c.waitForReadyRead(5000), c.bytesAvailable()])
        events.append(["exit"])

    c.readyRead.connect(rr)
    s.write(b"first")
    s.flush()
    spin_until(lambda: ["exit"] in events)
    spin(50)
    spy(c, "c")
    c.connectToHost("127.0.0.1", PORT)
    emit("recursive_and_misuse", events=events, error=c.error(), errorString=c.errorString())


def scenario_server_errors() -> None:
    x = QTcpServer()
    values: dict[str, object] = {
        "defaults": [
            x.maxPendingConnections(),
            x.listenBacklogSize(),
            x.socketDescriptor(),
            val(x.serverError()),
            x.errorString(),
        ]
    }
    values["bad"] = [x.listen(QHostAddress("1.2.3.4"), 0), val(x.serverError()), x.errorString()]
    y = QTcpServer()
    values["inuse"] = [
        y.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), PORT),
        val(y.serverError()),
        y.errorString(),
        y.serverPort(),
    ]
    values["relisten"] = [SERVER.listen(), val(SERVER.serverError())]
    z = QTcpServer()
    z.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
    values["timeout"] = [list(z.waitForNewConnection(50)), val(z.serverError()), z.errorString()]
    for special in ("Any", "AnyIPv4", "AnyIPv6", "LocalHostIPv6"):
        w = QTcpServer()
        ok = w.listen(QHostAddress(getattr(QHostAddress.SpecialAddress, special)), 0)
        values[special] = [ok, w.serverAddress().toString()]
        w.close()
        values[special].append(w.serverAddress().isNull())
    emit("server_errors", **values)


for fn in [v for k, v in sorted(globals().items()) if k.startswith("scenario_")]:
    fn()
