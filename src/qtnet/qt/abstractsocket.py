"""QAbstractSocket: Qt's socket state machine over the iocore TCP engine.

Behaviour follows Qt 6 and was checked signal by signal against PySide6 6.12
(tests/tcp_parity_scenarios.py runs the same scenarios on both and compares
the logs).  How the moving parts fit:

* **Read path.**  The thread's notifier hub (``iocore/notifier.py``) calls
  ``_read_ready``: one ``TcpEngine.read_into`` fills the QIODevice read buffer
  (more 64 KiB chunks only while whole ones keep coming, within the
  read-buffer limit) → one ``readyRead`` (never re-emitted from inside its own
  slots, as in Qt) → what the slots wrote is sent right there, in the same
  wake-up, so an echo costs one ``recv`` and one ``send``.  End of stream (or a
  reset: Qt reads it the same way) gives, in Qt's order,
  ``errorOccurred(RemoteHostClosedError)`` while still Connected,
  ``stateChanged(Closing)``, ``stateChanged(Unconnected)``,
  ``readChannelFinished``, ``disconnected``; data read before stays readable.
* **Write path.**  ``write()`` appends to one bytearray; unless this socket's
  own read handler is running (it sends after the slots return), the hub
  queues one flush for the end of the current loop pass, so several writes
  become one ``send``.  A flush sends what the kernel takes; the rest waits
  for the write notifier, which is on only while data waits.  ``bytesWritten``
  is emitted from the loop, and only when someone listens (hot path).
* **setReadBufferSize(n).**  At ``n`` buffered bytes the read notifier is
  switched off: the kernel buffer fills and TCP pushes back on the peer.  It is
  switched on again as soon as the program reads below ``n``.
* **waitFor*()** (``socket_waits.py``).  They poll the descriptor
  (``TcpEngine.wait``) and run the same handlers inline, emitting the signals
  synchronously, as Qt does.  They never run the event loop, so they work in a
  QThread that has none and inside a slot while the loop runs (blocking that
  thread, like Qt).
* **Threads.**  A socket's descriptor is watched by the hub of the thread the
  socket lives in; ``moveToThread`` re-registers it from the new thread.  The
  coroutines (``socket_async.py``) are resolved from the same handlers.
* **Signals nobody connected** are not emitted at all (``_signal``): reading a
  signal attribute creates its SignalInstance, which thousands of accepted
  sockets would otherwise each build just to emit to nobody.

Error texts and codes come from ``iocore/socket_errors.py``.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..iocore import socket_errors as se
from ..iocore.notifier import hub_for
from ..iocore.socket_errors import EngineError
from ..iocore.tcp_engine import TcpEngine
from . import socket_async, socket_close, socket_connect, socket_props, socket_waits, socketerrors
from .abstractsocket_enums import AbstractSocketEnums
from .bytearray import QByteArray
from .hostaddress import QHostAddress
from .iodevice import QIODevice
from .qobject import QObject
from .signals import Signal
from .socketerrors import (
    STATE,
    NetworkLayerProtocol,
    PauseMode,
    SocketError,
    SocketState,
    SocketType,
    socket_error,
)

__all__ = ["QAbstractSocket"]

_UNCONNECTED, _HOSTLOOKUP, _CONNECTING, _CONNECTED, _BOUND, _LISTENING, _CLOSING = range(
    7
)  # SocketState
_READ_CHUNK = 65536
_of = QByteArray._of
_new_qba = bytearray.__new__  # QByteArray() without __init__ (empty) for readAll


def _warn(text: str) -> None:
    warnings.warn(text, RuntimeWarning, stacklevel=3)


class QAbstractSocket(QIODevice, AbstractSocketEnums):
    """Base of QTcpSocket (and QUdpSocket): state, errors, buffers, blocking waits.

    The enums and their members (``QAbstractSocket.ConnectedState``) come
    from AbstractSocketEnums.
    """

    hostFound = Signal()
    connected = Signal()
    disconnected = Signal()
    stateChanged = Signal(SocketState)
    errorOccurred = Signal(SocketError)
    proxyAuthenticationRequired = Signal(object, object)  # never emitted: no proxies

    # Class-level defaults: thousands of sockets, most attributes never change.
    _engine: TcpEngine | None = None
    _dying: TcpEngine | None = None  # closed engine kept until disconnected was emitted
    _state = _UNCONNECTED
    _error = -1
    _socket_type = -1
    _wbuf: bytearray | None = None
    _flush_scheduled = False
    _read_limit = 0  # the effective limit (0: none)
    _read_buffer_size = 0  # as set (readBufferSize())
    _read_paused = False
    _host_name = ""
    _peer_name = ""
    _port = 0
    _local: tuple[QHostAddress, int] | None = None  # cached / set by setLocal*
    _peer: tuple[QHostAddress, int] | None = None
    _pending_close = False
    _abort_called = False
    _addresses: list[QHostAddress] | None = None
    _attempting = False  # a non-blocking connect() is in flight
    _last_connect_error: EngineError | None = None
    _lookup_id = -1
    _connect_timer: Any = None
    _preferred = NetworkLayerProtocol.AnyIPProtocol
    _pause_mode = PauseMode.PauseNever
    _proxy: Any = None
    _protocol_tag = ""

    def __init__(
        self,
        socketType: int = SocketType.UnknownSocketType,
        parent: QObject | None = None,  # noqa: N803
        **kwargs: Any,
    ) -> None:
        super().__init__(parent, **kwargs)
        self._socket_type = int(socketType)

    # -- the parts kept in their own modules (same methods, split for size) ----------
    # Connecting and binding: socket_connect.py.
    bind = socket_connect.bind
    connectToHost = socket_connect.connectToHost  # noqa: N815
    _abort_lookup = socket_connect._abort_lookup
    _lookup_done = socket_connect._lookup_done
    _start_connecting = socket_connect._start_connecting
    _connect_next = socket_connect._connect_next
    _connect_timed_out = socket_connect._connect_timed_out
    _test_connection = socket_connect._test_connection
    _connection_established = socket_connect._connection_established
    setSocketDescriptor = socket_connect.setSocketDescriptor
    _adopt = socket_connect._adopt
    _adopt_accepted = socket_connect._adopt_accepted
    # Blocking waits: socket_waits.py.
    waitForConnected = socket_waits.waitForConnected  # noqa: N815
    waitForReadyRead = socket_waits.waitForReadyRead  # noqa: N815
    waitForBytesWritten = socket_waits.waitForBytesWritten  # noqa: N815
    waitForDisconnected = socket_waits.waitForDisconnected  # noqa: N815
    _wait_timed_out = socket_waits._wait_timed_out
    # Coroutines (qtnet extension): socket_async.py.
    connect_async = socket_async.connect_async
    read_async = socket_async.read_async
    read_exactly = socket_async.read_exactly
    readline_async = socket_async.readline_async
    drained = socket_async.drained
    disconnected_async = socket_async.disconnected_async
    __aiter__ = socket_async.aiter_lines
    __anext__ = socket_async.anext_line

    def _wake_waiters(self) -> None:
        socket_async.wake(self)

    # -- small state helpers ---------------------------------------------------------
    def _set_state(self, state: int) -> None:
        self._state = state
        d = self.__dict__
        si = d.get("stateChanged")  # a signal nobody connected has no instance yet
        if si is not None:
            si.emit(STATE[state])
        if d.get("_waiters") is not None:
            self._wake_waiters()

    def _signal(self, name: str, *args: Any) -> None:
        """Emit signal ``name`` if anything was ever connected to it.

        Reading ``self.<signal>`` creates its SignalInstance; a socket that
        lives through connect/close without listeners (most accepted ones) would
        create half a dozen just to emit to nobody.
        """
        si = self.__dict__.get(name)
        if si is not None:
            si.emit(*args)

    def _set_error(self, code: int, text: str) -> None:
        self._error = code
        self._err = text

    def _set_error_emit(self, code: int, text: str) -> None:
        self._error = code
        self._err = text
        self._signal("errorOccurred", socket_error(code))
        if self.__dict__.get("_waiters") is not None:
            self._wake_waiters()

    def _attach(self, engine: TcpEngine) -> None:
        self._engine = engine
        engine.attach(hub_for(self._td), self._read_ready, self._write_ready)

    def _reset_socket_layer(self) -> None:
        """Qt's resetSocketLayer: drop the engine (its fd closes after the signals)."""
        d = self.__dict__
        eng = d.pop("_engine", None)  # back to the class default (None): a smaller dict
        if eng is not None:
            eng.disable_read()
            eng.disable_write()
            dying = d.get("_dying")
            if dying is not None:
                dying.close()
            self._dying = eng
        if "_attempting" in d:
            del d["_attempting"]
        if self._connect_timer is not None:
            self._cancel_connect_timer()

    def _bury(self) -> None:
        eng = self.__dict__.pop("_dying", None)
        if eng is not None:
            eng.close()

    def _cancel_connect_timer(self) -> None:
        t = self._connect_timer
        if t is not None:
            self._connect_timer = None
            t.cancel()

    # -- public queries ----------------------------------------------------------------
    def state(self) -> socketerrors.SocketState:
        return STATE[self._state]

    def setSocketState(self, state: int) -> None:  # noqa: N802 - protected in Qt
        self._state = int(state)

    def error(self) -> socketerrors.SocketError:
        return socket_error(self._error)

    def setSocketError(self, error: int) -> None:  # noqa: N802 - protected in Qt
        self._error = int(error)

    def socketType(self) -> socketerrors.SocketType:  # noqa: N802
        return SocketType(self._socket_type)

    def isValid(self) -> bool:  # noqa: N802
        return self._engine is not None

    def isSequential(self) -> bool:  # noqa: N802
        return True

    def socketDescriptor(self) -> int:  # noqa: N802
        eng = self._engine
        return eng.fd if eng is not None else -1

    def bytesToWrite(self) -> int:  # noqa: N802
        wbuf = self._wbuf
        return len(wbuf) if wbuf else 0

    def readBufferSize(self) -> int:  # noqa: N802
        return self._read_buffer_size

    # setReadBufferSize / its read-limited _take: socket_props.py.
    setReadBufferSize = socket_props.setReadBufferSize
    _take_limited = socket_props._take_limited

    def _pause_reading(self) -> None:
        self._read_paused = True
        if self._engine is not None:
            self._engine.disable_read()

    def _resume_reading(self) -> None:
        self._read_paused = False
        eng = self._engine
        if eng is not None and self._state == _CONNECTED:
            eng.enable_read()

    # Addresses, options, proxy, pause mode: socket_props.py.
    _engine_for_addresses = socket_props._engine_for_addresses
    _local_pair = socket_props._local_pair
    _peer_pair = socket_props._peer_pair
    localAddress = socket_props.localAddress
    localPort = socket_props.localPort
    peerAddress = socket_props.peerAddress
    peerPort = socket_props.peerPort
    peerName = socket_props.peerName
    setLocalAddress = socket_props.setLocalAddress
    setLocalPort = socket_props.setLocalPort
    setPeerAddress = socket_props.setPeerAddress
    setPeerPort = socket_props.setPeerPort
    setPeerName = socket_props.setPeerName
    _forget_addresses = socket_props._forget_addresses
    setSocketOption = socket_props.setSocketOption
    socketOption = socket_props.socketOption
    pauseMode = socket_props.pauseMode
    setPauseMode = socket_props.setPauseMode
    resume = socket_props.resume
    proxy = socket_props.proxy
    setProxy = socket_props.setProxy
    _proxy_unsupported = socket_props._proxy_unsupported
    protocolTag = socket_props.protocolTag
    setProtocolTag = socket_props.setProtocolTag

    # -- the read notification ------------------------------------------------------------------
    def _read_ready(self) -> bool:
        """Readable (Qt: canReadNotification + readFromSocket); True if data came.

        The hot path of every socket: one engine call fills the read buffer, one
        readyRead, then what the slots wrote goes out in this same wake-up.
        """
        eng = self._engine
        if eng is None:
            return False
        if not self._om & 1:
            self._discard_incoming(eng)
            return False
        limit = self._read_limit
        rbuf = self._rbuf
        if limit:
            room = limit - (len(rbuf) - self._roff)
            if room <= 0:
                self._pause_reading()
                return False
        else:
            room = 0
        try:
            if room or eng.__class__ is not TcpEngine:
                got = eng.read_into(rbuf, room)
            else:
                # TcpEngine.read_into() inlined (one Python call less per
                # message), and one 64 KiB read per notification: reading on
                # while whole chunks keep coming grows the buffer past 128 KiB,
                # and the heap churn of those blocks (allocated, handed to the
                # program, freed, trimmed) cost a page fault per 4 KiB moved —
                # a bulk echo ran at 0.83 GB/s instead of 1.35.  The epoll set
                # is level-triggered: the rest comes with the next wake-up.
                try:
                    data = eng._recv(_READ_CHUNK)
                except OSError as e:
                    got = eng.recv_failed(e)
                else:
                    got = len(data)
                    if got:
                        rbuf.extend(data)
                    else:
                        eng.eof = True
        except EngineError as e:
            self._read_failed(e)
            return False
        if got:
            if limit and len(rbuf) - self._roff >= limit:
                self._pause_reading()
            # _in_ready_read (QIODevice's flag) also tells write() that this
            # handler sends what the slots write, right after they return.
            outer = self._in_ready_read
            if not outer:
                self._in_ready_read = True
                try:
                    self.readyRead.emit()
                finally:
                    self._in_ready_read = False
            d = self.__dict__
            if "channelReadyRead" in d or "_waiters" in d:
                self._notify_extra(d)
            # Replies written by the slots go out in this same wake-up.
            wbuf = self._wbuf
            if wbuf and not outer and self._engine is eng:
                if self._state == _CONNECTED and "bytesWritten" not in d and not eng.writing:
                    try:  # the echo fast path of _flush()
                        if eng.__class__ is TcpEngine:  # send_from() inlined
                            try:
                                sent = eng._send(wbuf)
                            except OSError as e:
                                sent = eng.send_failed(e)
                            if sent == len(wbuf):
                                wbuf.clear()
                            elif sent:
                                del wbuf[:sent]
                        else:
                            sent = eng.send_from(wbuf)
                    except EngineError as e:
                        self._set_error_emit(e.code, e.text)
                        self.abort()
                        return True
                    if wbuf:
                        eng.enable_write()
                    if sent and ("channelBytesWritten" in d or "_waiters" in d):
                        self._report_written(sent, d)
                else:
                    self._flush()
        if eng.eof and self._state == _CONNECTED:
            self._remote_closed()
        return got > 0

    def _notify_ready_read(self) -> None:
        if not self._in_ready_read:
            self._in_ready_read = True
            try:
                self.readyRead.emit()
            finally:
                self._in_ready_read = False
        self._notify_extra(self.__dict__)

    def _notify_extra(self, d: dict[str, Any]) -> None:
        crr = d.get("channelReadyRead")
        if crr is not None:
            crr.emit(0)
        if d.get("_waiters") is not None:
            self._wake_waiters()

    def readAll(self) -> QByteArray:  # noqa: N802
        # Fast path (binary mode, no transaction): hand the buffer itself over.
        if self._om & 0x11 == 1 and not self._retain and not self._pulls:
            buf = self._rbuf
            self._rbuf = fresh = _new_qba(QByteArray)  # an empty non-null QByteArray
            fresh._null = False
            if self._read_paused:
                self._resume_reading()
            return buf
        return QIODevice.readAll(self)

    def _discard_incoming(self, eng: TcpEngine) -> None:
        # A WriteOnly socket drops what arrives (Qt: socketDiscardDataInWriteMode).
        try:
            data = eng.recv(_READ_CHUNK)
        except EngineError as e:
            self._read_failed(e)
            return
        if data == b"":
            self._remote_closed()

    def _remote_closed(self) -> None:
        self._set_error_emit(se.REMOTE_HOST_CLOSED, se.T_REMOTE_CLOSED)
        self._reset_socket_layer()
        self.disconnectFromHost()

    def _read_failed(self, e: EngineError) -> None:
        self._set_error_emit(e.code, e.text)
        self._reset_socket_layer()
        self.disconnectFromHost()

    # -- the write side ---------------------------------------------------------------------------
    def write(self, data: Any) -> int:
        if not self._om & 2:
            self._write_refused()
            return -1
        if self._state == _UNCONNECTED:
            self._set_error(se.UNKNOWN, se.T_NOT_CONNECTED)
            return -1
        if not isinstance(data, (bytes, bytearray)):
            data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        n = len(data)
        if not n:
            return 0
        wbuf = self._wbuf
        if wbuf is None:
            self._wbuf = bytearray(data)
        else:
            wbuf.extend(data)  # not +=: QByteArray.__radd__ would build a new object
        if not self._in_ready_read and not self._flush_scheduled:
            eng = self._engine
            if eng is not None and (self._state == _CONNECTED or self._state == _CLOSING):
                try:
                    eng.hub.schedule_flush(self)
                    self._flush_scheduled = True
                except (RuntimeError, AttributeError):
                    pass  # no hub or a closed loop (thread ended): waitFor*() still flush
        return n

    def writeData(self, data: bytes | bytearray | memoryview) -> int:  # noqa: N802
        return self.write(bytes(data))

    def _flush_soon(self, hub: Any) -> None:
        """The hub's deferred flush pass (writes made outside our own handlers)."""
        self._flush_scheduled = False
        eng = self._engine
        if (
            eng is None
            or eng.hub is not hub
            or not (self._state == _CONNECTED or self._state == _CLOSING)
        ):
            return  # closed, or moved to another thread (whose hub takes over)
        if self._wbuf:
            self._flush()

    def _write_ready(self) -> None:
        if self._state == _CONNECTING:
            self._test_connection()
            return
        self._flush()
        eng = self._engine
        if eng is not None and not self._wbuf:
            eng.disable_write()

    def _flush(self) -> bool:
        """Qt's QAbstractSocketPrivate::flush: send what the kernel takes."""
        eng = self._engine
        wbuf = self._wbuf
        if eng is None or not wbuf:
            if self._state == _CLOSING:
                self.disconnectFromHost()
            return False
        try:
            if self._state == _CLOSING and eng.__class__ is TcpEngine:
                n = eng.send_closing(wbuf)  # the FIN rides on the last segment
            else:
                n = eng.send_from(wbuf)
        except EngineError as e:
            self._set_error_emit(e.code, e.text)
            self.abort()
            return False
        if n:
            d = self.__dict__
            if "bytesWritten" in d or "channelBytesWritten" in d or "_waiters" in d:
                self._report_written(n, d)
        if wbuf:
            eng.enable_write()
        elif eng.writing:
            eng.disable_write()
        if self._state == _CLOSING:
            self.disconnectFromHost()
        return n > 0

    def _report_written(self, n: int, d: dict[str, Any]) -> None:
        bw = d.get("bytesWritten")
        if (bw is not None and bw._conns) or d.get("channelBytesWritten") is not None:
            self._emit_bytes_written(n)
        if d.get("_waiters") is not None:
            self._wake_waiters()

    def flush(self) -> bool:
        """Send as much buffered data as the kernel takes now, without blocking."""
        return self._flush()

    # -- closing: socket_close.py ----------------------------------------------------------
    disconnectFromHost = socket_close.disconnectFromHost  # noqa: N815
    abort = socket_close.abort
    close = socket_close.close

    def _on_delete(self) -> None:
        if self._state != _UNCONNECTED:
            self.abort()
        if self._lookup_id != -1:
            self._abort_lookup()
        if self._dying is not None:
            self._bury()
        super()._on_delete()

    _moved_thread = socket_connect._moved_thread  # thread change: socket_connect.py
