"""QAbstractSocket's closing: disconnectFromHost, abort and close (split off for size).

QAbstractSocket methods written as functions of the socket and bound in the
class body (as socket_connect.py, socket_props.py).  ``disconnectFromHost``
runs once per connection on every server, so the signals it emits are looked
up in the instance dict directly: a signal nobody ever read has no instance
and costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .iodevice import QIODevice
from .socketerrors import STATE

if TYPE_CHECKING:
    from .abstractsocket import QAbstractSocket

_UNCONNECTED, _HOSTLOOKUP, _CONNECTING, _CONNECTED, _BOUND, _LISTENING, _CLOSING = range(7)


def disconnectFromHost(sock: QAbstractSocket) -> None:  # noqa: N802
    st = sock._state
    if st == _UNCONNECTED:
        return
    if not sock._abort_called and st in (_CONNECTING, _HOSTLOOKUP):
        sock._pending_close = True
        return
    eng = sock._engine
    if eng is not None:
        eng.disable_read()
    if sock._abort_called:
        if st == _HOSTLOOKUP:
            sock._abort_lookup()
    else:
        if st != _CLOSING:
            sock._set_state(_CLOSING)
        if sock._engine is not None and sock._wbuf:
            if not sock._flush_scheduled:  # else the pending flush pass sends it
                sock._engine.enable_write()
            return
    previous = sock._state if not sock._abort_called else st
    sock._reset_socket_layer()
    sock._state = _UNCONNECTED
    # Once per connection: the signals are emitted only if they have an
    # instance (see _signal), inlined.
    d = sock.__dict__
    si = d.get("stateChanged")
    if si is not None:
        si.emit(STATE[_UNCONNECTED])
    si = d.get("readChannelFinished")
    if si is not None:
        si.emit()
    if previous == _CONNECTED or previous == _CLOSING:
        si = d.get("disconnected")
        if si is not None:
            si.emit()
    dying = d.pop("_dying", None)  # _bury()
    if dying is not None:
        dying.close()
    # Back to the class defaults (None / 0 / ""): a smaller dict.
    d.pop("_local", None)  # _forget_addresses()
    d.pop("_peer", None)
    d.pop("_peer_name", None)
    d.pop("_wbuf", None)
    d.pop("_wcount", None)
    if d.get("_waiters") is not None:
        sock._wake_waiters()


def abort(sock: QAbstractSocket) -> None:
    """Close at once, dropping unsent data (the device closes even if the
    connection already ended, as in Qt)."""
    sock._wbuf = None
    sock._wcount = 0
    sock._abort_called = True
    sock.close()


def close(sock: QAbstractSocket) -> None:
    if sock._om:
        QIODevice.close(sock)  # aboutToClose; the write buffer stays for a delayed close
    if sock._state != _UNCONNECTED:
        sock.disconnectFromHost()
    sock._forget_addresses()
    sock._addresses = None
