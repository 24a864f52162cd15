"""async/await on QTcpSocket and QTcpServer (a qtnet extension; PySide6 has none).

The same objects work from coroutines running on the socket's thread loop::

    server = QTcpServer()
    server.listen(QHostAddress.LocalHost, 0)
    sock = await server.accepted()             # the next pending QTcpSocket
    async for line in sock:                    # readLine() until end of stream
        sock.write(line.upper())
        await sock.drained()                   # bytesToWrite() == 0

    client = QTcpSocket()
    await client.connect_async("localhost", port)   # OSError on failure
    data = await client.read_async(1024)            # >= 1 byte, b"" at end
    head = await client.read_exactly(4)             # IncompleteReadError at end

They are thin: a coroutine checks the Qt state, and if it must wait it parks a
future that the socket's own notification handlers (the ones that emit
readyRead, bytesWritten, stateChanged, errorOccurred, newConnection) resolve,
then checks again.  Signals keep working alongside.  Failures raise
``OSError`` subclasses carrying Qt's ``errorString()``; end of stream is
``b""`` (``read_async``) or ``asyncio.IncompleteReadError`` (``read_exactly``).
The coroutines must run on the loop of the socket's thread.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ..iocore.notifier import hub_for

if TYPE_CHECKING:
    from .abstractsocket import QAbstractSocket
    from .bytearray import QByteArray
    from .tcpserver import QTcpServer
    from .tcpsocket import QTcpSocket

_UNCONNECTED, _HOSTLOOKUP, _CONNECTING, _CONNECTED, _BOUND, _LISTENING, _CLOSING = range(
    7
)  # SocketState
_REFUSED, _TIMEOUT = 0, 5  # SocketError values with a more specific Python exception


def _error_for(code: int, text: str) -> OSError:
    if code == _REFUSED:
        return ConnectionRefusedError(text)
    if code == _TIMEOUT:
        return TimeoutError(text)
    return OSError(text)


async def _park(owner: Any) -> None:
    """Wait until the owner's handlers call ``_wake_waiters``."""
    # If the program started its asyncio loop after creating the object, the
    # thread's notifiers move to that loop here (hub_for re-binds).
    hub_for(owner._td)
    fut = asyncio.get_running_loop().create_future()
    waiters = owner.__dict__.get("_waiters")
    if waiters is None:
        owner._waiters = waiters = []
    waiters.append(fut)
    try:
        await fut
    finally:
        if not fut.done():
            fut.cancel()


def wake(owner: Any) -> None:
    """Resolve every coroutine parked on ``owner`` (called from its handlers)."""
    waiters = owner.__dict__.pop("_waiters", None)
    if waiters:
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)


async def connect_async(
    sock: QAbstractSocket,
    hostName: Any,
    port: int,  # noqa: N803
    openMode: int = 3,
    protocol: int = 2,
) -> None:  # noqa: N803
    """connectToHost() and wait until Connected; raise OSError on failure."""
    sock.connectToHost(hostName, port, openMode, protocol)
    while sock._state in (_HOSTLOOKUP, _CONNECTING):
        await _park(sock)
    if sock._state != _CONNECTED:
        raise _error_for(sock._error, sock.errorString())


async def read_async(sock: QAbstractSocket, maxSize: int = -1) -> QByteArray:  # noqa: N803
    """Up to ``maxSize`` bytes (all buffered if -1) once at least one is there;
    an empty result at end of stream."""
    while not sock.bytesAvailable():
        if sock._state not in (_CONNECTED, _HOSTLOOKUP, _CONNECTING):
            return _empty()
        await _park(sock)
    return sock.readAll() if maxSize < 0 else sock.read(maxSize)


async def read_exactly(sock: QAbstractSocket, n: int) -> QByteArray:
    """Exactly ``n`` bytes; ``asyncio.IncompleteReadError`` if the stream ends first."""
    while sock.bytesAvailable() < n:
        if sock._state not in (_CONNECTED, _HOSTLOOKUP, _CONNECTING):
            partial = bytes(sock.readAll()) if sock.isOpen() else b""
            raise asyncio.IncompleteReadError(partial, n)
        await _park(sock)
    return sock.read(n)


async def readline_async(sock: QAbstractSocket) -> QByteArray:
    """One line with its '\\n'; at end of stream the rest (empty when nothing is left)."""
    while not sock.canReadLine():
        if sock._state not in (_CONNECTED, _HOSTLOOKUP, _CONNECTING):
            return sock.readAll() if sock.isOpen() else _empty()
        await _park(sock)
    return sock.readLine()


def aiter_lines(sock: QAbstractSocket) -> QAbstractSocket:
    return sock


async def anext_line(sock: QAbstractSocket) -> QByteArray:
    line = await sock.readline_async()
    if not line:
        raise StopAsyncIteration
    return line


async def drained(sock: QAbstractSocket) -> None:
    """Wait until every written byte went to the kernel (bytesToWrite() == 0).

    Raises ``OSError`` if the connection ends with bytes still unsent.
    """
    while sock.bytesToWrite():
        if sock._state not in (_CONNECTED, _CLOSING, _HOSTLOOKUP, _CONNECTING):
            raise _error_for(sock._error, sock.errorString())
        await _park(sock)


async def disconnected_async(sock: QAbstractSocket) -> None:
    """Wait until the socket is Unconnected (after disconnectFromHost or the peer's close)."""
    while sock._state != _UNCONNECTED:
        await _park(sock)


async def accepted(server: QTcpServer) -> QTcpSocket:
    """The next pending connection (nextPendingConnection), waiting for one.

    Raises ``OSError`` when the server is not listening (or stops listening
    while waiting) and nothing is pending.
    """
    while not server.hasPendingConnections():
        if not server.isListening():
            raise OSError(server.errorString() or "QTcpServer is not listening")
        await _park(server)
    sock = server.nextPendingConnection()
    assert sock is not None
    return sock


def _empty() -> QByteArray:
    from .bytearray import QByteArray

    return QByteArray()
