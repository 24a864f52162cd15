"""QAbstractSocket's addresses, options, proxy and pause mode (split off for size).

These are QAbstractSocket methods written as functions of the socket and bound
in the class body.  Addresses are read from the descriptor on first use and
cached (accepting thousands of sockets never pays for getpeername); while
``disconnected`` is emitted the closed engine is still at hand, so a slot can
still ask who the peer was, as in Qt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..iocore.tcp_engine import TcpEngine
from .bytearray import QByteArray
from .hostaddress import QHostAddress, _as_address
from .iodevice import QIODevice
from .socketerrors import PauseMode, proxy_unsupported

if TYPE_CHECKING:
    from .abstractsocket import QAbstractSocket

_UNCONNECTED, _HOSTLOOKUP, _CONNECTING, _CONNECTED, _BOUND, _LISTENING, _CLOSING = range(7)
_AF_INET, _AF_INET6 = 2, 10


# -- addresses ---------------------------------------------------------------------------
def _engine_for_addresses(sock: QAbstractSocket) -> TcpEngine | None:
    return sock._engine if sock._engine is not None else sock._dying


def _local_pair(sock: QAbstractSocket) -> tuple[QHostAddress, int]:
    if sock._local is None:
        eng = sock._engine_for_addresses()
        sa = eng.local_sockaddr() if eng is not None and sock._state != _CONNECTING else None
        if not sa or eng is None:
            return QHostAddress(), 0
        addr = QHostAddress._from_sockaddr(eng.family, sa)
        if sock._state == _BOUND and sa[0] == "::" and eng.is_dual_stack():
            addr = QHostAddress(QHostAddress.SpecialAddress.Any)
        sock._local = (addr, sa[1])
    return sock._local


def _peer_pair(sock: QAbstractSocket) -> tuple[QHostAddress, int]:
    if sock._peer is None:
        eng = sock._engine_for_addresses()
        if eng is None or sock._state not in (_CONNECTED, _CLOSING, _UNCONNECTED):
            return QHostAddress(), 0
        sa = eng.peer_sockaddr()
        if not sa or eng.family not in (_AF_INET, _AF_INET6):
            return QHostAddress(), 0
        sock._peer = (QHostAddress._from_sockaddr(eng.family, sa), sa[1])
    return sock._peer


def localAddress(sock: QAbstractSocket) -> QHostAddress:  # noqa: N802
    return QHostAddress(sock._local_pair()[0])


def localPort(sock: QAbstractSocket) -> int:  # noqa: N802
    return sock._local_pair()[1]


def peerAddress(sock: QAbstractSocket) -> QHostAddress:  # noqa: N802
    return QHostAddress(sock._peer_pair()[0])


def peerPort(sock: QAbstractSocket) -> int:  # noqa: N802
    return sock._peer_pair()[1]


def peerName(sock: QAbstractSocket) -> str:  # noqa: N802
    return sock._peer_name


def setLocalAddress(sock: QAbstractSocket, address: Any) -> None:  # noqa: N802 - protected in Qt
    sock._local = (QHostAddress(_as_address(address)), sock._local_pair()[1])


def setLocalPort(sock: QAbstractSocket, port: int) -> None:  # noqa: N802
    sock._local = (sock._local_pair()[0], int(port))


def setPeerAddress(sock: QAbstractSocket, address: Any) -> None:  # noqa: N802
    sock._peer = (QHostAddress(_as_address(address)), sock._peer_pair()[1])


def setPeerPort(sock: QAbstractSocket, port: int) -> None:  # noqa: N802
    sock._peer = (sock._peer_pair()[0], int(port))


def setPeerName(sock: QAbstractSocket, name: str) -> None:  # noqa: N802
    sock._peer_name = name


def _forget_addresses(sock: QAbstractSocket) -> None:
    d = sock.__dict__  # back to the class defaults (None, None, ""): a smaller dict
    d.pop("_local", None)
    d.pop("_peer", None)
    d.pop("_peer_name", None)


# -- options, proxy, pause ------------------------------------------------------------
def setSocketOption(sock: QAbstractSocket, option: int, value: Any) -> None:  # noqa: N802
    eng = sock._engine
    if eng is not None:
        eng.set_option(int(option), int(value))


def socketOption(sock: QAbstractSocket, option: int) -> Any:  # noqa: N802
    eng = sock._engine
    return eng.option(int(option)) if eng is not None else None


def pauseMode(sock: QAbstractSocket) -> PauseMode:  # noqa: N802
    return sock._pause_mode


def setPauseMode(sock: QAbstractSocket, pauseMode: int) -> None:  # noqa: N802,N803
    sock._pause_mode = PauseMode(int(pauseMode))


def resume(sock: QAbstractSocket) -> None:
    """Nothing pauses a plain socket (PauseOnSslErrors needs TLS)."""


def proxy(sock: QAbstractSocket) -> Any:
    if sock._proxy is None:
        from .networkproxy import QNetworkProxy

        return QNetworkProxy()
    return sock._proxy


def setProxy(sock: QAbstractSocket, networkProxy: Any) -> None:  # noqa: N802,N803
    sock._proxy = networkProxy


def _proxy_unsupported(sock: QAbstractSocket) -> bool:
    """True when the proxy in use is a real one: qtnet only connects directly."""
    return proxy_unsupported(sock._proxy)


def protocolTag(sock: QAbstractSocket) -> str:  # noqa: N802
    return sock._protocol_tag


def setProtocolTag(sock: QAbstractSocket, tag: str) -> None:  # noqa: N802
    sock._protocol_tag = tag


# -- read buffer limit --------------------------------------------------------------------
def setReadBufferSize(sock: QAbstractSocket, size: int) -> None:  # noqa: N802
    """Limit the read buffer (0: unlimited).  At the limit the socket stops
    reading from the kernel, so TCP flow control slows the peer down.  A
    negative size is kept as given but means unlimited (in Qt it would stop
    reading for good)."""
    sock._read_buffer_size = int(size)
    size = max(0, int(size))
    if size == sock._read_limit:
        return
    sock._read_limit = size
    if size:
        sock._take = sock._take_limited  # type: ignore[method-assign]
    else:
        sock.__dict__.pop("_take", None)
    if sock._engine is not None and sock._state == _CONNECTED:
        if size == 0 or sock.bytesAvailable() < size:
            sock._resume_reading()
        else:
            sock._pause_reading()


def _take_limited(sock: QAbstractSocket, n: int) -> QByteArray:
    out = QIODevice._take(sock, n)
    if sock._read_paused and len(sock._rbuf) - sock._roff < sock._read_limit:
        sock._resume_reading()
    return out
