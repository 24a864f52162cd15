"""QTcpSocket: a TCP QAbstractSocket (all of the behaviour lives in the base)."""

from __future__ import annotations

from typing import Any

from ..iocore.tcp_engine import TcpEngine
from .abstractsocket import QAbstractSocket
from .bytearray import QByteArray
from .qobject import QObject
from .socketerrors import SocketType

__all__ = ["QTcpSocket"]


class QTcpSocket(QAbstractSocket):
    """A TCP socket with Qt's API; see QAbstractSocket for the semantics."""

    _socket_type = int(SocketType.TcpSocket)

    def __init__(self, parent: QObject | None = None, **kwargs: Any) -> None:
        # Skips QAbstractSocket.__init__: the socket type is a class default, so
        # sockets made by the thousand (one per accepted connection) stay cheap.
        super(QAbstractSocket, self).__init__(parent, **kwargs)


_new_object = object.__new__
_of = QByteArray._of
_CONNECTED = 3


def _accepted_socket(
    parent: QObject, fd: int, family: int, hub: Any, deferred: list[Any] | None = None
) -> QTcpSocket:
    """``QTcpSocket(parent)`` + ``setSocketDescriptor(fd)`` for a descriptor fresh
    from the parent server's accept(), in the server's thread.

    The server's per-connection hot path: the attributes the constructors and
    setSocketDescriptor would set are written directly (everything else stays
    at its class default).  Raises EngineError if the descriptor is unusable.
    With ``deferred``, read notifications are on but the descriptor joins the
    epoll set only when the server calls register_deferred() after its
    newConnection slots ran: a socket those slots answer and close (a fortune
    server) never costs the two epoll_ctl calls (~2 µs per connection).
    """
    sock: QTcpSocket = _new_object(QTcpSocket)
    eng = TcpEngine.accepted(fd, family)
    d = sock.__dict__
    d["_rbuf"] = _of(b"")
    d["_td"] = parent._td
    d["_parent"] = parent
    kids = parent._children
    if kids is None:
        parent._children = kids = {}
    kids[id(sock)] = sock
    d["_engine"] = eng
    d["_om"] = 3  # ReadWrite
    d["_seq"] = True
    d["_rcount"] = d["_wcount"] = 1
    d["_state"] = _CONNECTED
    eng.attach(hub, sock._read_ready, sock._write_ready)
    if deferred is None:
        eng.enable_read()
    else:
        eng.reading = True
        deferred.append(eng)
    return sock


def register_deferred(deferred: list[Any], hub: Any) -> None:
    """Put the engines _accepted_socket() deferred into ``hub``'s epoll set,
    unless their socket was closed, stopped reading or changed thread since."""
    for eng in deferred:
        if eng.reading and eng.hub is hub and not eng.registered:
            hub.update(eng)
    deferred.clear()
