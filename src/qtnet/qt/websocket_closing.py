"""Closing a QWebSocket: the closing handshake, the TCP close and Qt's timers.

Follows Qt 6.12 as observed with PySide6 (tests/test_websocket.py compares
the signal orders of both ends): ``close()`` sends the close frame and waits
(3 s at most) for the peer's; a received close is answered and the TCP
connection is closed at once; a protocol error sends its close code and
closes.  The TCP close then emits ``aboutToClose``, ``stateChanged(Closing
State)``, ``stateChanged(UnconnectedState)``, ``disconnected``,
``readChannelFinished``; an end of stream without a close frame reports
``RemoteHostClosedError`` first, and ``abort()`` skips the Closing state.
Before the descriptor is closed, unread input is drained: closing a socket
with unread data makes the kernel send a reset, which can destroy the close
frame on its way to the peer.
"""

from __future__ import annotations

# The mixin methods declare ``self: QWebSocket`` (the one class they are mixed into);
# mypy flags such self types on non-protocol mixins as [misc], hence:
# mypy: disable-error-code="misc"
import time
from typing import TYPE_CHECKING, Any

from ..codecs.ws_frames import CLOSE_GOING_AWAY
from ..codecs.ws_protocol import State, WebSocketConnection
from ..iocore.socket_errors import EngineError
from .websocket_state import WebSocketState

if TYPE_CHECKING:
    from .websocket import QWebSocket

__all__ = ["WebSocketClosingMixin"]

_UNCONNECTED, _CONNECTED, _CLOSING = 0, 3, 6
_READ_CHUNK = 65536
_CLOSE_TIMEOUT_S = 3.0  # Qt 6.12 gives the peer's close frame about 3 s
_IDLE_TIMEOUT_S = 5.0  # Qt's data processor: a partial frame idle this long fails (1001)
_IDLE_REASON = "Timeout when reading data from socket."
_OPEN = State.OPEN
_CLOSED = State.CLOSED
_monotonic = time.monotonic


class WebSocketClosingMixin(WebSocketState):
    """The closing half of QWebSocket's data phase (state lives in QWebSocket)."""

    # -- closing ------------------------------------------------------------------------------
    def _send_close(self: QWebSocket, code: int, reason: str) -> None:
        """close() on an open connection: our close frame, then wait for the peer's."""
        conn = self._conn
        assert conn is not None
        self._close_initiated = True
        try:
            conn.send_close(code, reason)
        except ValueError:
            # 1004-1006, 1015 and codes outside 1000-4999 may not go on the
            # wire (RFC 6455 §7.4): send a close without a status instead.
            conn.send_close(None)
        self._flush()
        self._emit_if("aboutToClose")
        if self._eng is None:
            return
        if conn.state is _CLOSED:  # the peer's close had already arrived
            self._finish_graceful()
            return
        self._start_close_timer()

    def _start_close_timer(self: QWebSocket) -> None:
        eng = self._eng
        loop = eng.loop if eng is not None else None
        if loop is not None and self._close_timer is None:
            self._close_timer = loop.call_later(_CLOSE_TIMEOUT_S, self._close_timed_out)

    def _close_timed_out(self: QWebSocket) -> None:
        self._close_timer = None
        if self._eng is not None:
            self._finish_graceful()

    def _protocol_closed(self: QWebSocket, conn: WebSocketConnection) -> None:
        """The core reached CLOSED inside a read: our reply (or failure) frame is sent."""
        if not self._close_initiated:
            # Qt's close() ran for the peer's close or the error: its own aboutToClose.
            self._close_initiated = True
            self._emit_if("aboutToClose")
            if self._eng is None:
                return
        self._finish_graceful()

    def _finish_graceful(self: QWebSocket) -> None:
        """Close TCP after the closing handshake (Qt: the socket's close())."""
        self._cancel_timers()
        self._emit_if("aboutToClose")
        eng = self._eng
        if eng is None:
            return
        eng.disable_read()
        if self._state == _CONNECTED:
            self._set_state(_CLOSING)
            if self._eng is not eng:
                return
        self._flush()
        if self._wbuf:
            self._closing_tcp = True  # _write_ready finishes once the kernel took it all
            return
        self._finish_close()

    def _finish_close(self: QWebSocket) -> None:
        eng = self._eng
        if eng is None:
            return
        self._closing_tcp = False
        _drain_input(eng)  # unread input would turn the close into a reset
        self._drop_engine(eng)
        self._enter_unconnected()

    def _remote_closed(self: QWebSocket, code: int, text: str) -> None:
        """End of stream or a read error before our TCP close."""
        eng = self._eng
        if eng is None:
            return
        self._cancel_timers()
        self._error = code
        self._sock_text = text
        self._emit_error(code)
        if self._eng is not eng:
            return
        if self._state == _CONNECTED:
            self._set_state(_CLOSING)
            if self._eng is not eng:
                return
        self._drop_engine(eng)
        self._enter_unconnected()

    def _abort_engine(self: QWebSocket) -> None:
        """abort() in the data phase: no flush, no Closing state."""
        eng = self._eng
        if eng is None:
            return
        self._cancel_timers()
        self._emit_if("aboutToClose")
        if self._eng is not eng:
            return
        self._drop_engine(eng)
        self._enter_unconnected()

    def _drop_engine(self: QWebSocket, eng: Any) -> None:
        self._eng = None
        self._wbuf = None
        self._closing_tcp = False
        self._cancel_timers()
        eng.close()

    def _enter_unconnected(self: QWebSocket) -> None:
        if self._state != _UNCONNECTED:
            self._set_state(_UNCONNECTED)
            self._emit_if("disconnected")
        self._emit_if("readChannelFinished")
        self._peer = self._local = None
        if self._aq is not None:
            self._aq.close()
        if self._waiters is not None:
            self._wake_waiters()

    def _cancel_timers(self: QWebSocket) -> None:
        t = self._close_timer
        if t is not None:
            self._close_timer = None
            t.cancel()
        t = self._idle_timer
        if t is not None:
            self._idle_timer = None
            t.cancel()

    # -- Qt's idle timeout on a partial frame ------------------------------------------------
    def _arm_idle_timer(self: QWebSocket) -> None:
        self._idle_deadline = _monotonic() + _IDLE_TIMEOUT_S
        if self._idle_timer is None:
            eng = self._eng
            loop = eng.loop if eng is not None else None
            if loop is not None:
                self._idle_timer = loop.call_later(_IDLE_TIMEOUT_S, self._idle_check)

    def _idle_check(self: QWebSocket) -> None:
        self._idle_timer = None
        conn = self._conn
        eng = self._eng
        if eng is None or conn is None or conn.state is not _OPEN or not conn.awaiting_data:
            return
        left = self._idle_deadline - _monotonic()
        if left > 0.001:
            loop = eng.loop
            if loop is not None:
                self._idle_timer = loop.call_later(left, self._idle_check)
            return
        self._close_code = CLOSE_GOING_AWAY
        self._close_reason = _IDLE_REASON
        conn.fail(CLOSE_GOING_AWAY, _IDLE_REASON)
        self._flush()
        self._protocol_closed(conn)

    def _close_on_delete(self: QWebSocket) -> None:
        """Qt's destructor: an open connection gets close(1001) and the TCP close."""
        eng = self._eng
        if eng is None:
            return
        conn = self._conn
        if conn is not None and not conn.close_sent and self._state == _CONNECTED:
            try:
                conn.send_close(CLOSE_GOING_AWAY, "Connection closed")
            except ValueError:
                pass
        out = conn.data_to_send() if conn is not None else b""
        pending = bytes(self._wbuf or b"") + out
        if pending:
            try:
                eng.send(pending)  # best effort: the object is going away
            except EngineError:
                pass
        self._drop_engine(eng)
        self._state = _UNCONNECTED


def _drain_input(eng: Any) -> None:
    """Read and drop what the peer sent after its last frame (bounded)."""
    for _ in range(16):
        try:
            data = eng.recv(_READ_CHUNK)
        except EngineError:
            return
        if not data:
            return
