"""QAbstractSocket's blocking waits: waitForConnected/ReadyRead/BytesWritten/Disconnected.

Like Qt's, they poll the socket's own descriptor (``TcpEngine.wait``) and run
the notification handlers inline, so the signals are emitted synchronously
from inside the wait.  They never run an event loop, which is what lets them
work (a) in a QThread whose ``run()`` has no loop (blocking fortune client,
threaded fortune server) and (b) inside a slot while the thread's loop runs —
that thread simply blocks, as in Qt; no "loop already running", no deadlock.

Return values and errors follow Qt 6 (checked against PySide6 6.12):

* a timeout of ``waitForReadyRead``/``waitForBytesWritten``/``waitForDisconnected``
  returns False and emits ``errorOccurred(SocketTimeoutError)`` ("Network
  operation timed out") but leaves the socket open;
* a ``waitForConnected`` timeout sets SocketTimeoutError ("Socket operation
  timed out") without emitting it, and the socket goes back to Unconnected;
* ``waitForReadyRead`` on an unconnected socket returns False at once;
  ``waitForBytesWritten``/``waitForDisconnected`` also print Qt's warning.
"""

from __future__ import annotations

import time
import warnings
from typing import TYPE_CHECKING

from ..iocore import socket_errors as se
from .hostaddress import QHostAddress
from .socketerrors import STATE

if TYPE_CHECKING:
    from .abstractsocket import QAbstractSocket

_UNCONNECTED, _HOSTLOOKUP, _CONNECTING, _CONNECTED, _BOUND, _LISTENING, _CLOSING = range(
    7
)  # SocketState
_PER_ADDRESS_MS = 30000  # Qt's DefaultConnectTimeout caps one connect attempt
_monotonic = time.monotonic


class _Deadline:
    """Milliseconds left of a Qt timeout (-1: wait forever)."""

    __slots__ = ("_end",)

    def __init__(self, msecs: int) -> None:
        self._end = None if msecs < 0 else _monotonic() + msecs / 1000.0

    def left(self) -> float:
        if self._end is None:
            return -1
        return max(0.0, (self._end - _monotonic()) * 1000.0)

    def expired(self) -> bool:
        return self._end is not None and _monotonic() >= self._end


def _warn(text: str) -> None:
    warnings.warn(text, RuntimeWarning, stacklevel=3)


def waitForConnected(sock: QAbstractSocket, msecs: int = 30000) -> bool:  # noqa: N802
    st = sock._state
    if st == _CONNECTED:
        return True
    if st == _UNCONNECTED:
        return False  # connectToHost() was not called
    deadline = _Deadline(int(msecs))
    if st == _HOSTLOOKUP:
        # A lookup still running in the background is replaced by a blocking one.
        sock._abort_lookup()
        literal = QHostAddress(sock._host_name)
        if not literal.isNull():
            sock._start_connecting([literal])
        else:
            from .hostinfo import QHostInfo

            sock._start_connecting(list(QHostInfo.fromName(sock._host_name).addresses()))
    if sock._state == _UNCONNECTED:
        return False
    timed_out = True
    while sock._state == _CONNECTING and not deadline.expired():
        eng = sock._engine
        if eng is None or not sock._attempting:
            sock._connect_next()  # e.g. called from a hostFound slot: start the attempt
            continue
        left = deadline.left()
        if left < 0 or left > _PER_ADDRESS_MS:
            left = _PER_ADDRESS_MS
        _, writable = eng.wait(False, True, left)
        if writable:
            timed_out = False
            sock._test_connection()
        elif sock._addresses and not deadline.expired():
            sock._connect_timed_out()  # this address took 30 s: try the next
        else:
            timed_out = True
            break
    if (timed_out and sock._state != _CONNECTED) or sock._state == _CONNECTING:
        sock._set_error(se.SOCKET_TIMEOUT, se.T_SOCKET_OP_TIMEOUT)
        sock._reset_socket_layer()
        sock._bury()
        sock._state = _UNCONNECTED
        sock._signal("stateChanged", STATE[_UNCONNECTED])
    return sock._state == _CONNECTED


def _wait_timed_out(sock: QAbstractSocket) -> bool:
    sock._set_error_emit(se.SOCKET_TIMEOUT, se.T_TIMEOUT)
    return False


def waitForReadyRead(sock: QAbstractSocket, msecs: int = 30000) -> bool:  # noqa: N802
    """True as soon as new data was buffered (readyRead emitted), False on
    timeout, error or remote close."""
    st = sock._state
    if st == _UNCONNECTED:
        return False
    deadline = _Deadline(int(msecs))
    if st in (_HOSTLOOKUP, _CONNECTING) and not sock.waitForConnected(int(msecs)):
        return False
    while True:
        if sock._state not in (_CONNECTED, _BOUND):
            return False
        eng = sock._engine
        if eng is None:
            return False
        readable, writable = eng.wait(not sock._read_paused, bool(sock._wbuf), deadline.left())
        if not readable and not writable:
            return sock._wait_timed_out()
        if readable and sock._read_ready():
            return True
        if writable:
            sock._write_ready()
        if deadline.expired():
            return False


def waitForBytesWritten(sock: QAbstractSocket, msecs: int = 30000) -> bool:  # noqa: N802
    """True when some buffered bytes reached the kernel (bytesWritten emitted)."""
    st = sock._state
    if st == _UNCONNECTED:
        _warn("QAbstractSocket::waitForBytesWritten() is not allowed in UnconnectedState")
        return False
    if not sock._wbuf:
        return False
    deadline = _Deadline(int(msecs))
    if st in (_HOSTLOOKUP, _CONNECTING) and not sock.waitForConnected(int(msecs)):
        if sock._state != _CLOSING:  # closing after connecting (pendingClose) still writes
            return False
    while True:
        eng = sock._engine
        if eng is None:
            return False
        readable, writable = eng.wait(not sock._read_paused, bool(sock._wbuf), deadline.left())
        if not readable and not writable:
            return sock._wait_timed_out()
        if readable:
            sock._read_ready()
        if writable and sock._engine is not None:
            if sock._state == _CONNECTING:
                sock._test_connection()
            elif sock._flush():
                return True
        if sock._state not in (_CONNECTED, _CLOSING):
            return False
        if deadline.expired():
            return False


def waitForDisconnected(sock: QAbstractSocket, msecs: int = 30000) -> bool:  # noqa: N802
    """Block until the socket is Unconnected: flushes a pending delayed close."""
    st = sock._state
    if st == _UNCONNECTED:
        _warn("QAbstractSocket::waitForDisconnected() is not allowed in UnconnectedState")
        return False
    deadline = _Deadline(int(msecs))
    if st in (_HOSTLOOKUP, _CONNECTING) and not sock.waitForConnected(int(msecs)):
        # A close requested while connecting runs as soon as the connection
        # is up (Qt's pendingClose): that is not a failure.
        if sock._state == _UNCONNECTED:
            return sock._error == -1
        if sock._state != _CLOSING:
            return False
    while True:
        eng = sock._engine
        if eng is None:
            return sock._state == _UNCONNECTED
        want_read = sock._state == _CONNECTED and not sock._read_paused
        readable, writable = eng.wait(want_read, bool(sock._wbuf), deadline.left())
        if not readable and not writable:
            return sock._wait_timed_out()
        if readable:
            sock._read_ready()
        if writable and sock._engine is not None:
            sock._write_ready()
        if sock._state == _UNCONNECTED:
            return True
        if deadline.expired():
            return sock._wait_timed_out()
