"""The data phase of QWebSocket: the socket engine drives the protocol core directly.

Once the opening handshake is done, a QWebSocket owns the TCP engine itself
(``iocore/tcp_engine.py``) instead of going through a QTcpSocket, because
every layer on the per-message path costs (perf-anchors §4.2).  One read
notification does::

    engine.recv(64 KiB) -> WebSocketConnection.receive_data -> events
      -> textMessageReceived / binaryMessageReceived / frame / pong signals
         (slots may call sendTextMessage / sendBinaryMessage: frames are queued)
      -> one engine.send of everything queued, in the same wake-up

A read holding exactly one simple message (the echo/RPC case) skips the event
list: ``codecs/ws_fastpath.take_single_message`` hands over the payload and
the message signal is emitted from it; anything else goes to ``receive_data``.

A send made outside a read notification (a timer, another socket's slot)
schedules one flush on the thread's notifier hub, so many sends in one loop
iteration become one system call.  Whatever the kernel does not take waits in
``_wbuf`` for the write notifier.

Closing (``websocket_closing.py``) follows Qt 6.12 as observed with PySide6.

The engine interface used here (``recv``/``send``/``send_from``/``attach``/
``enable_*``/``disable_*``/``detach``/``close``/``*_sockaddr``/``hub``/``eof``)
is all a TLS engine has to offer for ``wss`` to reuse this path unchanged.
"""

from __future__ import annotations

# The mixin methods declare ``self: QWebSocket`` (the one class they are mixed into);
# mypy flags such self types on non-protocol mixins as [misc], hence:
# mypy: disable-error-code="misc"
import time
from typing import TYPE_CHECKING, Any

from ..codecs.ws_events import (
    BinaryFrame,
    BinaryMessage,
    CloseReceived,
    Ping,
    Pong,
    ProtocolError,
    TextFrame,
    TextMessage,
)
from ..codecs.ws_fastpath import take_single_message as _take_single_message
from ..codecs.ws_frames import CLOSE_NO_STATUS
from ..codecs.ws_protocol import InvalidState, State, WebSocketConnection
from ..iocore import socket_errors as se
from ..iocore.notifier import hub_for
from ..iocore.socket_errors import EngineError
from ..iocore.tcp_engine import TcpEngine
from ..iocore.tls_engine import TlsEngine
from .bytearray import QByteArray
from .hostaddress import QHostAddress
from .socketerrors import STATE, socket_error
from .websocket_closing import WebSocketClosingMixin

if TYPE_CHECKING:
    from .abstractsocket import QAbstractSocket
    from .websocket import QWebSocket

__all__ = ["WebSocketIOMixin", "release_engine"]

_UNCONNECTED, _CONNECTING, _CONNECTED, _CLOSING = 0, 2, 3, 6
_READ_CHUNK = 65536
_OPEN = State.OPEN
_CLOSED = State.CLOSED
_of = QByteArray._of
_new_qba = bytearray.__new__  # QByteArray._of inlined on the per-message path
_extend = bytearray.extend
_monotonic = time.monotonic


def release_engine(sock: QAbstractSocket) -> tuple[Any, bytes, bytes] | None:
    """Take the engine out of a connected QTcpSocket: (engine, unread, unsent).

    The socket is left unconnected without emitting anything (it no longer
    owns a descriptor) and should then be deleted.  ``unread`` is what the
    socket had received and nobody read; ``unsent`` what the kernel had not
    taken yet (it must go out before anything else).  This reaches into
    QAbstractSocket's state on purpose: the WebSocket data path runs on the
    bare engine, as Qt's QWebSocketServer takes sockets over from QTcpServer.
    """
    eng = sock._engine
    if eng is None:
        return None
    wbuf = sock._wbuf
    if wbuf:
        try:
            eng.send_from(wbuf)
        except EngineError:
            pass
    unsent = bytes(wbuf) if wbuf else b""
    unread = bytes(sock._rbuf[sock._roff:]) if sock.bytesAvailable() else b""
    sock._wbuf = None
    eng.detach()
    sock._engine = None
    sock._state = _UNCONNECTED
    sock._rbuf = _of(b"")
    sock._roff = 0
    return eng, unread, unsent


class WebSocketIOMixin(WebSocketClosingMixin):
    """Engine-driven reading and writing for QWebSocket (state lives in QWebSocket)."""

    # -- entering the data phase ------------------------------------------------------------
    def _attach_engine(
        self: QWebSocket, eng: Any, conn: WebSocketConnection, unsent: bytes = b""
    ) -> None:
        self._eng = eng
        self._conn = conn
        self._sock_text = se.T_UNKNOWN
        eng.attach(hub_for(self._td), self._reader_for(eng), self._write_ready)
        if unsent:
            self._wbuf = bytearray(unsent)
            eng.enable_write()
        eng.enable_read()

    def _feed(self: QWebSocket, data: bytes) -> None:
        """Process bytes that were read before this object owned the engine."""
        eng = self._eng
        if eng is None:
            return
        if data:
            self._process(eng, self._conn, data)  # type: ignore[arg-type]
        if self._eng is eng and eng.eof:
            self._remote_closed(se.REMOTE_HOST_CLOSED, se.T_REMOTE_CLOSED)

    def _reader_for(self: QWebSocket, eng: Any) -> Any:
        return self._read_ready_tls if isinstance(eng, TlsEngine) else self._read_ready

    # -- reading ------------------------------------------------------------------------------
    def _read_ready_tls(self: QWebSocket) -> None:
        """TLS: one read takes at most 64 KiB of plaintext; the engine re-delivers
        what it still holds decrypted (its kick) when asked to."""
        eng = self._eng
        self._read_ready()
        if self._eng is eng and eng is not None and eng.has_buffered():
            eng.enable_read()

    def _read_ready(self: QWebSocket) -> None:
        """The read notification: the hot path of every WebSocket (see the module doc)."""
        eng = self._eng
        if eng is None:
            return
        plain = eng.__class__ is TcpEngine
        try:
            if plain:  # TcpEngine.recv() inlined: one Python call less per message
                try:
                    data = eng._recv(_READ_CHUNK)
                except OSError as e:
                    eng.recv_failed(e)  # raises EngineError unless EAGAIN or a reset
                    data = b"" if eng.eof else None
            else:
                data = eng.recv(_READ_CHUNK)
        except EngineError as e:
            self._remote_closed(e.code, e.text)
            return
        if not data:
            if data is not None:
                self._remote_closed(se.REMOTE_HOST_CLOSED, se.T_REMOTE_CLOSED)
            return
        conn = self._conn
        msg = _take_single_message(conn, data)  # type: ignore[arg-type]
        if msg is not None:
            # One whole message in this read (the echo/RPC common case): no
            # event objects, and no pending input to re-check afterwards.
            self._in_read = True
            d = self.__dict__
            try:
                if type(msg) is bytes:
                    sig = d.get("binaryMessageReceived")
                    if sig is not None:
                        ba = _new_qba(QByteArray)
                        _extend(ba, msg)
                        ba._null = False
                        sig.emit(ba)
                else:
                    sig = d.get("textMessageReceived")
                    if sig is not None:
                        sig.emit(msg)
                if self._aq is not None:
                    self._aq.put(msg)
            finally:
                self._in_read = False
            if self._eng is not eng:
                return  # a slot closed, aborted or deleted this socket
            out = conn.data_to_send()  # type: ignore[union-attr]
            if out:
                if plain and not self._wbuf and "bytesWritten" not in d and self._waiters is None:
                    # _send_out() inlined for the reply a slot just queued.
                    try:
                        try:
                            n = eng._send(out)
                        except OSError as e:
                            n = eng.send_failed(e)  # raises EngineError unless EAGAIN
                    except EngineError as e:
                        self._write_failed(e)
                        return
                    if n < len(out):
                        self._wbuf = bytearray(memoryview(out)[n:])
                        eng.enable_write()
                else:
                    self._send_out(eng, out)
            if conn.state is _CLOSED and self._eng is eng:  # type: ignore[union-attr]
                self._protocol_closed(conn)  # type: ignore[arg-type]
            return
        self._in_read = True
        try:
            events = conn.receive_data(data)  # type: ignore[union-attr]
            if events:
                self._dispatch(events, eng)
        finally:
            self._in_read = False
        if self._eng is not eng:
            return  # a slot closed, aborted or deleted this socket
        out = conn.data_to_send()  # type: ignore[union-attr]
        if out:
            self._send_out(eng, out)
        if conn.state is not _OPEN:  # type: ignore[union-attr]
            if conn.state is _CLOSED and self._eng is eng:  # type: ignore[union-attr]
                self._protocol_closed(conn)  # type: ignore[arg-type]
        elif conn.awaiting_data:  # type: ignore[union-attr]
            self._arm_idle_timer()

    def _process(self: QWebSocket, eng: Any, conn: WebSocketConnection, data: bytes) -> None:
        """_read_ready's work for bytes already in hand."""
        self._in_read = True
        try:
            events = conn.receive_data(data)
            if events:
                self._dispatch(events, eng)
        finally:
            self._in_read = False
        if self._eng is not eng:
            return
        self._flush()
        if conn.state is _CLOSED:
            self._protocol_closed(conn)
        elif conn.state is _OPEN and conn.awaiting_data:
            self._arm_idle_timer()

    def _dispatch(self: QWebSocket, events: list[Any], eng: Any) -> None:
        d = self.__dict__
        aq = self._aq
        for ev in events:
            t = type(ev)
            if t is BinaryMessage:
                sig = d.get("binaryMessageReceived")
                if sig is not None:
                    sig.emit(_of(ev.data))
                if aq is not None:
                    aq.put(ev.data)
            elif t is TextMessage:
                sig = d.get("textMessageReceived")
                if sig is not None:
                    sig.emit(ev.data)
                if aq is not None:
                    aq.put(ev.data)
            elif t is TextFrame:
                sig = d.get("textFrameReceived")
                if sig is not None:
                    sig.emit(ev.data, ev.is_last)
            elif t is BinaryFrame:
                sig = d.get("binaryFrameReceived")
                if sig is not None:
                    sig.emit(_of(ev.data), ev.is_last)
            elif t is Pong:
                sig = d.get("pong")
                if sig is not None:
                    elapsed = int((_monotonic() - self._ping_sent_at) * 1000)
                    sig.emit(elapsed, _of(ev.payload))
            elif t is Ping:
                # Answered here, not inside the core: like Qt, replies the slots
                # wrote for earlier frames of the same read go out first.
                conn = self._conn
                if conn is not None and not conn.close_sent:
                    try:
                        conn.send_pong(ev.payload)
                    except InvalidState:
                        pass
            elif t is CloseReceived:
                if not self._close_initiated:
                    # Qt reports an empty close (1005, no status) as 1000.
                    self._close_code = 1000 if ev.code == CLOSE_NO_STATUS else ev.code
                    self._close_reason = ev.reason
            elif t is ProtocolError:
                if not self._close_initiated:
                    self._close_code = ev.code
                    self._close_reason = ev.reason
            if self._eng is not eng:
                return

    # -- writing ------------------------------------------------------------------------------
    def _schedule_flush(self: QWebSocket) -> None:
        """Called after queuing frames: send them in this loop iteration."""
        if self._in_read or self._flush_scheduled:
            return
        eng = self._eng
        if eng is None:
            return
        hub = eng.hub
        if hub is None:
            return
        try:
            hub.schedule_flush(self)
            self._flush_scheduled = True
        except (RuntimeError, AttributeError):
            pass  # the thread's loop is gone; flush() still sends

    def _flush_soon(self: QWebSocket, hub: Any) -> None:
        """The hub's deferred flush pass."""
        self._flush_scheduled = False
        eng = self._eng
        if eng is not None and eng.hub is hub:
            self._flush()

    def _flush(self: QWebSocket) -> bool:
        """Send what the protocol core queued; True if the kernel took something."""
        eng = self._eng
        conn = self._conn
        if eng is None or conn is None:
            return False
        out = conn.data_to_send()
        return self._send_out(eng, out) if out else False

    def _send_out(self: QWebSocket, eng: Any, out: bytes) -> bool:
        wbuf = self._wbuf
        if wbuf:
            wbuf += out
            return False  # the write notifier is on and sends in order
        try:
            n = eng.send(out)
        except EngineError as e:
            self._write_failed(e)
            return False
        if n < len(out):
            self._wbuf = bytearray(memoryview(out)[n:])
            eng.enable_write()
        if n:
            sig = self.__dict__.get("bytesWritten")
            if sig is not None:
                sig.emit(n)
            if self._waiters is not None:
                self._wake_waiters()
        return bool(n)

    def _write_ready(self: QWebSocket) -> None:
        eng = self._eng
        if eng is None:
            return
        wbuf = self._wbuf
        n = 0
        if wbuf:
            try:
                n = eng.send_from(wbuf)
            except EngineError as e:
                self._write_failed(e)
                return
        if not wbuf:
            eng.disable_write()
            self._wbuf = None
        if n:
            sig = self.__dict__.get("bytesWritten")
            if sig is not None:
                sig.emit(n)
            if self._waiters is not None:
                self._wake_waiters()
        if self._closing_tcp and self._eng is eng and not self._wbuf:
            self._finish_close()

    def _write_failed(self: QWebSocket, e: EngineError) -> None:
        self._error = e.code
        self._sock_text = e.text
        self._emit_error(e.code)
        if self._eng is not None:
            self.abort()

    def _pending_bytes(self: QWebSocket) -> int:
        conn = self._conn
        wbuf = self._wbuf
        return (conn.bytes_to_send if conn is not None else 0) + (len(wbuf) if wbuf else 0)

    # -- addresses ------------------------------------------------------------------------------
    def _peer_pair(self: QWebSocket) -> tuple[QHostAddress, int]:
        if self._peer is None:
            eng = self._eng
            sa = eng.peer_sockaddr() if eng is not None else None
            if not sa or eng.family not in (2, 10):
                return QHostAddress(), 0
            self._peer = (QHostAddress._from_sockaddr(eng.family, sa), sa[1])
        return self._peer

    def _local_pair(self: QWebSocket) -> tuple[QHostAddress, int]:
        if self._local is None:
            eng = self._eng
            sa = eng.local_sockaddr() if eng is not None else None
            if not sa or eng.family not in (2, 10):
                return QHostAddress(), 0
            self._local = (QHostAddress._from_sockaddr(eng.family, sa), sa[1])
        return self._local

    # -- signal helpers -------------------------------------------------------------------------
    def _emit_if(self: QWebSocket, name: str, *args: Any) -> None:
        """Emit a signal only if its SignalInstance exists (someone connected):
        unused signals then cost no memory per connection."""
        sig = self.__dict__.get(name)
        if sig is not None:
            sig.emit(*args)

    def _emit_error(self: QWebSocket, code: int) -> None:
        sig = self.__dict__.get("errorOccurred")
        if sig is not None:
            sig.emit(socket_error(code))

    def _set_state(self: QWebSocket, state: int) -> None:
        if self._state != state:
            self._state = state
            sig = self.__dict__.get("stateChanged")
            if sig is not None:
                sig.emit(STATE[state])
            if self._waiters is not None:
                self._wake_waiters()

    def _wake_waiters(self: QWebSocket) -> None:
        waiters = self._waiters
        self._waiters = None
        for fut in waiters or ():
            if not fut.done():
                fut.set_result(None)

    # -- threads -------------------------------------------------------------------------------
    def _reattach_after_move(self: QWebSocket, new: Any) -> None:
        eng = self._eng
        if eng is None:
            return
        reading, writing = eng.detach()
        self._flush_scheduled = False
        self._cancel_timers()

        def reattach() -> None:
            if self._eng is not eng:
                return
            eng.attach(hub_for(new), self._reader_for(eng), self._write_ready)
            if reading:
                eng.enable_read()
            if writing or self._wbuf:
                eng.enable_write()
            if self._conn is not None and self._conn.bytes_to_send:
                self._schedule_flush()
            if self._close_initiated and self._state == _CONNECTED:
                self._start_close_timer()

        new.post(reattach)
