"""How a server's closed connections are torn down (the fortune server's path).

The fortune pattern is ``write(block); disconnectFromHost()`` with
``disconnected`` connected to ``deleteLater``.  These tests pin down what the
hot-path work on it must keep: every byte arrives before the FIN, the deleted
sockets leave the server's children, and they are freed by reference
counting alone (a reference cycle would leave every closed socket to the
cyclic garbage collector, which cost a busy server several µs per connection).
"""

from __future__ import annotations

import gc
import socket
import weakref
from typing import Any

from qt_helpers import qapp_fixture, wait_until  # noqa: F401
from qtnet import QHostAddress, QObject, QTcpServer, QTcpSocket

CLIENTS = 20


def _read_to_eof(sock: socket.socket) -> bytes:
    sock.settimeout(5)
    chunks = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(chunks)
        chunks.append(data)


def test_write_then_disconnect_delivers_everything_and_frees_the_socket(qapp: Any) -> None:
    server = QTcpServer()
    assert server.listen(QHostAddress("127.0.0.1"), 0)
    served: list[weakref.ref[QTcpSocket]] = []
    states: dict[int, list[int]] = {}

    def send_reply() -> None:
        sock = server.nextPendingConnection()
        assert sock is not None
        sock.disconnected.connect(sock.deleteLater)
        n = len(served)
        states[n] = []
        sock.stateChanged.connect(lambda st: states[n].append(int(st)))
        sock.write(b"reply %d " % n + b"x" * (1000 * n))  # up to ~19 KB
        sock.disconnectFromHost()
        served.append(weakref.ref(sock))

    server.newConnection.connect(send_reply)
    clients = [socket.create_connection(("127.0.0.1", server.serverPort())) for _ in range(CLIENTS)]
    gc.disable()  # what is freed below is freed by reference counting alone
    try:
        assert wait_until(lambda: len(served) == CLIENTS)
        assert wait_until(lambda: all(ref() is None for ref in served), 5000), (
            "closed sockets are still alive: a reference cycle keeps them"
        )
    finally:
        gc.enable()
    replies = sorted(_read_to_eof(c) for c in clients)
    for c in clients:
        c.close()
    expected = sorted(b"reply %d " % n + b"x" * (1000 * n) for n in range(CLIENTS))
    assert replies == expected
    # Closing (6) then Unconnected (0) for every socket, in that order.
    assert states == {n: [6, 0] for n in range(CLIENTS)}
    assert not [ch for ch in server.children() if isinstance(ch, QTcpSocket)]
    server.close()


def test_deleted_children_leave_in_any_order_and_the_rest_keep_theirs(qapp: Any) -> None:
    parent = QObject()
    kids = [QObject(parent) for _ in range(6)]
    for i, k in enumerate(kids):
        k.setObjectName(f"k{i}")
    for k in (kids[3], kids[0], kids[5]):
        k._destroy()  # what deleteLater() does once control returns to the loop
    assert [k.objectName() for k in parent.children()] == ["k1", "k2", "k4"]
    kids[1].setParent(None)
    kids[1].setParent(parent)  # re-parenting appends, as in Qt
    assert [k.objectName() for k in parent.children()] == ["k2", "k4", "k1"]


def test_signals_of_a_deleted_object_are_disconnected_and_released(qapp: Any) -> None:
    sender = QTcpSocket()
    got: list[str] = []
    sender.readyRead.connect(lambda: got.append("ready"))
    sender.readyRead.emit()
    ref = weakref.ref(sender)
    destroyed: list[bool] = []
    sender.destroyed.connect(lambda _obj: destroyed.append(True))
    sender._destroy()
    assert destroyed == [True]
    assert got == ["ready"]
    del sender
    assert ref() is None  # no cycle through its signal instances
