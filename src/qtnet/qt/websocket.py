"""QWebSocket: an RFC 6455 WebSocket with Qt's API (client and server side).

The pieces:

* ``websocket_client.py``: ``open()`` — an inner QTcpSocket connects, the
  handshake request goes out, the ``101`` reply is checked;
* ``websocket_io.py``: the data phase — the socket engine drives the sans-I/O
  protocol core (``codecs/ws_protocol.py``) directly, and the closing rules;
* ``websocket_async.py``: ``await ws.receive()`` and friends (qtnet extension);
* QWebSocketServer creates server-side sockets with :meth:`QWebSocket._server_side`.

Defaults and texts are Qt's (qt-autotests.md §6): incoming frame and message
limits INT_MAX - 1 (over them the connection closes with 1009), outgoing
frames of 512 KiB, ``sendTextMessage``/``sendBinaryMessage`` return the
payload size (0 when not connected), ``closeReason()`` is cut to 123 UTF-8
bytes, ``errorString()`` is empty until a transport exists.

Beyond Qt: the negotiated subprotocol follows the client's order (as Qt >= 6.4);
permessage-deflate is offered with ``QWebSocketHandshakeOptions.
setPerMessageDeflate(True)`` and used when the server accepts it;
``extension()`` shows what was agreed.  Not provided: ``setMaskGenerator``
(client masks come from the OS random generator), HTTP authentication (a 401
reply fails the handshake), proxies other than none/default.

wss: ``open("wss://...")`` connects through a QSslSocket (``qt/sslsocket.py``):
``setSslConfiguration``, ``ignoreSslErrors`` and the TLS signals behave as
in Qt, and the data phase runs on the socket's TLS engine.
"""

from __future__ import annotations

from time import monotonic as _now
from typing import Any

from ..codecs.ws_frames import CloseCode, Version, truncate_utf8
from ..codecs.ws_handshake import HandshakeRequest, parse_request
from ..codecs.ws_protocol import (
    QT_MAX_INCOMING_SIZE,
    QT_OUTGOING_FRAME_SIZE,
    InvalidState,
    WebSocketConnection,
)
from .bytearray import QByteArray
from .hostaddress import QHostAddress
from .networkrequest import QNetworkRequest
from .qobject import QObject
from .signals import Signal
from .socketerrors import PauseMode, SocketError, SocketState, socket_error
from .sslconfiguration import QSslConfiguration
from .sslsocket import QSslSocket
from .url import QUrl
from .websocket_async import WebSocketAsyncMixin
from .websocket_client import WebSocketClientMixin
from .websocket_io import WebSocketIOMixin
from .websockethandshakeoptions import QWebSocketHandshakeOptions

__all__ = ["QWebSocket"]

_UNCONNECTED, _CONNECTING, _CONNECTED, _CLOSING = 0, 2, 3, 6
_MAX_OUTGOING_FRAME = QT_MAX_INCOMING_SIZE  # Qt: INT_MAX - 1 for all three limits
_REMOVE_USER_INFO = QUrl.UrlFormattingOption.RemoveUserInfo


class _FrameSignal(Signal[Any]):
    """textFrameReceived / binaryFrameReceived: the protocol core reports
    frames only once a program asked for one of these signals."""

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        inst = super().__get__(obj, objtype)
        if obj is not None:
            obj._frames_wanted = True
            conn = obj._conn
            if conn is not None:
                conn.frame_events = True
        return inst


class QWebSocket(WebSocketIOMixin, WebSocketClientMixin, WebSocketAsyncMixin, QObject):
    """A WebSocket connection (see the module docstring)."""

    aboutToClose = Signal()
    connected = Signal()
    disconnected = Signal()
    stateChanged = Signal(SocketState)
    proxyAuthenticationRequired = Signal(object, object)  # never emitted: no proxies
    authenticationRequired = Signal(object)  # never emitted: no HTTP authentication
    readChannelFinished = Signal()
    textFrameReceived: _FrameSignal = _FrameSignal(str, bool)
    binaryFrameReceived: _FrameSignal = _FrameSignal(QByteArray, bool)
    textMessageReceived = Signal(str)
    binaryMessageReceived = Signal(QByteArray)
    errorOccurred = Signal(SocketError)
    pong = Signal(int, QByteArray)
    bytesWritten = Signal(int)
    # TLS signals (emitted by wss connections once TLS is wired in)
    peerVerifyError = Signal(object)
    sslErrors = Signal(list)
    preSharedKeyAuthenticationRequired = Signal(object)
    alertSent = Signal(object, object, str)
    alertReceived = Signal(object, object, str)
    handshakeInterruptedOnError = Signal(object)

    # Class-level defaults: see WebSocketState; the handshake's results and settings:
    _origin = ""
    _version = 13
    _is_server = False
    _secure = False
    _request_head = b""  # server side: the client's handshake head, parsed on demand
    _subprotocol = ""
    _extension = ""
    _peer_name = ""
    _frames_wanted = False
    _max_frame = QT_MAX_INCOMING_SIZE
    _max_message = QT_MAX_INCOMING_SIZE
    _outgoing_frame = QT_OUTGOING_FRAME_SIZE
    _read_buffer_size = 0
    _pause_mode = PauseMode.PauseNever
    _proxy: Any = None

    def __init__(self, origin: str = "", version: int = Version.VersionLatest,
                 parent: QObject | None = None, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        if origin:
            self._origin = str(origin)
        if int(version) != 13:
            self._version = int(version)

    @classmethod
    def _server_side(cls, eng: Any, conn: WebSocketConnection, request_head: bytes,
                     subprotocol: str, extension: str, secure: bool, unsent: bytes,
                     parent: QObject | None = None) -> QWebSocket:
        """A connected server-side socket on an engine whose handshake just succeeded."""
        ws = cls(parent=parent)
        ws._is_server = True
        ws._request_head = request_head
        if subprotocol:
            ws._subprotocol = subprotocol
        if extension:
            ws._extension = extension
        if secure:
            ws._secure = True
        ws._state = _CONNECTED
        ws._attach_engine(eng, conn, unsent)
        return ws

    # -- sending ----------------------------------------------------------------------------
    def sendTextMessage(self, message: str) -> int:  # noqa: N802
        """Queue ``message`` as one text message; returns its UTF-8 size (0 if not connected)."""
        conn = self._conn
        if conn is None or self._state != _CONNECTED or self._eng is None:
            return 0
        try:
            conn.send_text(message)
        except InvalidState:
            return 0
        if not self._in_read:
            self._schedule_flush()
        return len(message) if message.isascii() else len(message.encode("utf-8", "replace"))

    def sendBinaryMessage(self, data: Any) -> int:  # noqa: N802
        """Queue ``data`` (bytes-like) as one binary message; returns its size."""
        conn = self._conn
        if conn is None or self._state != _CONNECTED or self._eng is None:
            return 0
        if type(data) is not bytes:
            # QByteArray (a bytearray) would also work, but bytes + QByteArray
            # goes through QByteArray.__radd__ and builds two more copies.
            data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        try:
            conn.send_binary(data)
        except InvalidState:
            return 0
        if not self._in_read:
            self._schedule_flush()
        return len(data)

    def ping(self, payload: Any = b"") -> None:
        """Send a ping (payload cut to 125 bytes); the answer emits ``pong(ms, payload)``."""
        conn = self._conn
        if conn is None or self._eng is None or self._state != _CONNECTED:
            return
        data = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
        self._ping_sent_at = _now()
        try:
            conn.send_ping(data[:125])
        except InvalidState:
            return
        self._schedule_flush()

    def flush(self) -> bool:
        """Send queued data now, as far as the kernel takes it (True if any went)."""
        if self._tcp is not None:
            return self._tcp.flush()
        if self._eng is None:
            return True  # Qt: no socket, nothing to flush
        if self._wbuf:
            self._write_ready()
            return True
        return self._flush()

    def bytesToWrite(self) -> int:  # noqa: N802
        if self._tcp is not None:
            return self._tcp.bytesToWrite()
        return self._pending_bytes()

    # -- closing ----------------------------------------------------------------------------
    def close(self, closeCode: int = CloseCode.CloseCodeNormal, reason: str = "") -> None:  # noqa: N803
        """Start the closing handshake with ``closeCode`` and ``reason`` (cut to 123 bytes)."""
        if self._close_initiated:
            return
        if self._eng is None and self._tcp is None:
            return
        self._close_code = int(closeCode)
        self._close_reason = truncate_utf8(reason or "", 123).decode("utf-8")
        conn = self._conn
        if self._eng is not None and conn is not None and not conn.close_sent:
            self._send_close(int(closeCode), reason or "")
            return
        tcp = self._tcp
        if tcp is not None:  # still connecting: nothing to close politely
            self._close_initiated = True
            self._emit_if("aboutToClose")
            tcp.abort()
            return
        if self._eng is not None:
            self._finish_graceful()

    def abort(self) -> None:
        """Close the TCP connection at once (no closing handshake)."""
        tcp = self._tcp
        if tcp is not None:
            tcp.abort()
            return
        self._abort_engine()

    def closeCode(self) -> CloseCode:  # noqa: N802
        code = self._close_code
        try:
            return CloseCode(code)
        except ValueError:
            return code  # type: ignore[return-value]  # e.g. 4000: application-defined

    def closeReason(self) -> str:  # noqa: N802
        return self._close_reason

    # -- state and errors -------------------------------------------------------------------
    def state(self) -> SocketState:
        return SocketState(self._state)

    def isValid(self) -> bool:  # noqa: N802
        return self._eng is not None and self._state == _CONNECTED

    def error(self) -> SocketError:
        return socket_error(self._error)

    def errorString(self) -> str:  # noqa: N802
        return self._err_text or self._sock_text

    # -- the handshake's results --------------------------------------------------------------
    def version(self) -> Version:
        return Version(self._version)

    def origin(self) -> str:
        if self._is_server:
            req = self._parsed_request()
            return req.origin if req is not None else ""
        return self._origin

    def subprotocol(self) -> str:
        return self._subprotocol

    def extension(self) -> str:
        """The agreed ``Sec-WebSocket-Extensions`` value, "" if none (qtnet extension)."""
        return self._extension

    def _parsed_request(self) -> HandshakeRequest | None:
        head = self._request_head
        if not head:
            return None
        try:
            return parse_request(head.split(b"\r\n"))
        except Exception:  # it was valid once; only a broken invariant gets here
            return None

    def requestUrl(self) -> QUrl:  # noqa: N802
        if self._is_server:
            req = self._parsed_request()
            return QUrl(req.request_url(self._secure)) if req is not None else QUrl()
        return self._request.url() if self._request is not None else QUrl()

    def request(self) -> QNetworkRequest:
        if self._is_server:
            req = self._parsed_request()
            if req is None:
                return QNetworkRequest()
            url = QUrl(req.request_url(self._secure))
            return QNetworkRequest._from_pairs(url, req.headers.items)
        return QNetworkRequest(self._request) if self._request is not None else QNetworkRequest()

    def resourceName(self) -> str:  # noqa: N802
        if self._is_server:
            return self.requestUrl().toString(_REMOVE_USER_INFO)
        return self._resource

    def handshakeOptions(self) -> QWebSocketHandshakeOptions:  # noqa: N802
        opts = QWebSocketHandshakeOptions()
        if self._is_server:
            req = self._parsed_request()
            if req is not None:
                opts.setSubprotocols(req.protocols)
        elif self._options is not None:
            opts = QWebSocketHandshakeOptions(self._options)
        return opts

    # -- addresses --------------------------------------------------------------------------
    def localAddress(self) -> QHostAddress:  # noqa: N802
        if self._tcp is not None:
            return self._tcp.localAddress()
        return QHostAddress(self._local_pair()[0])

    def localPort(self) -> int:  # noqa: N802
        if self._tcp is not None:
            return self._tcp.localPort()
        return self._local_pair()[1]

    def peerAddress(self) -> QHostAddress:  # noqa: N802
        if self._tcp is not None:
            return self._tcp.peerAddress()
        return QHostAddress(self._peer_pair()[0])

    def peerPort(self) -> int:  # noqa: N802
        if self._tcp is not None:
            return self._tcp.peerPort()
        return self._peer_pair()[1]

    def peerName(self) -> str:  # noqa: N802
        if self._tcp is not None:
            return self._tcp.peerName()
        return self._peer_name if self._eng is not None else ""

    # -- limits -----------------------------------------------------------------------------
    def setMaxAllowedIncomingFrameSize(self, size: int) -> None:  # noqa: N802
        if 0 <= size <= QT_MAX_INCOMING_SIZE:
            self._max_frame = int(size)
            if self._conn is not None:
                self._conn.max_frame_size = int(size)

    def maxAllowedIncomingFrameSize(self) -> int:  # noqa: N802
        return self._max_frame

    def setMaxAllowedIncomingMessageSize(self, size: int) -> None:  # noqa: N802
        if 0 <= size <= QT_MAX_INCOMING_SIZE:
            self._max_message = int(size)
            if self._conn is not None:
                self._conn.max_message_size = int(size)

    def maxAllowedIncomingMessageSize(self) -> int:  # noqa: N802
        return self._max_message

    @staticmethod
    def maxIncomingMessageSize() -> int:  # noqa: N802
        return QT_MAX_INCOMING_SIZE

    @staticmethod
    def maxIncomingFrameSize() -> int:  # noqa: N802
        return QT_MAX_INCOMING_SIZE

    def setOutgoingFrameSize(self, size: int) -> None:  # noqa: N802
        if 0 < size <= _MAX_OUTGOING_FRAME:  # Qt ignores a size above the maximum
            self._outgoing_frame = int(size)
            if self._conn is not None:
                self._conn.outgoing_frame_size = int(size)

    def outgoingFrameSize(self) -> int:  # noqa: N802
        return self._outgoing_frame

    @staticmethod
    def maxOutgoingFrameSize() -> int:  # noqa: N802
        return _MAX_OUTGOING_FRAME

    # -- settings kept for API compatibility -------------------------------------------------
    def readBufferSize(self) -> int:  # noqa: N802
        return self._read_buffer_size

    def setReadBufferSize(self, size: int) -> None:  # noqa: N802
        """Stored, and passed to the connecting socket.  Frames are parsed as they
        arrive, so there is no unread buffer to bound in the data phase."""
        self._read_buffer_size = int(size)
        if self._tcp is not None:
            self._tcp.setReadBufferSize(int(size))

    def pauseMode(self) -> PauseMode:  # noqa: N802
        return PauseMode(self._pause_mode)

    def setPauseMode(self, pauseMode: int) -> None:  # noqa: N802,N803
        self._pause_mode = PauseMode(int(pauseMode))

    def resume(self) -> None:
        """Nothing pauses a plain connection (PauseOnSslErrors needs TLS)."""

    def proxy(self) -> Any:
        if self._proxy is None:
            from .networkproxy import QNetworkProxy

            return QNetworkProxy()
        from .networkproxy import QNetworkProxy

        return QNetworkProxy(self._proxy)

    def setProxy(self, networkProxy: Any) -> None:  # noqa: N802,N803
        from .networkproxy import QNetworkProxy

        self._proxy = QNetworkProxy(networkProxy)

    # -- TLS (wss) ------------------------------------------------------------------------------
    def sslConfiguration(self) -> Any:  # noqa: N802
        tcp = self._tcp
        if isinstance(tcp, QSslSocket):
            return tcp.sslConfiguration()
        if self._ssl_configuration is not None:
            return QSslConfiguration(self._ssl_configuration)
        return QSslConfiguration.defaultConfiguration()

    def setSslConfiguration(self, sslConfiguration: Any) -> None:  # noqa: N802,N803
        self._ssl_configuration = QSslConfiguration(sslConfiguration)

    def ignoreSslErrors(self, errors: Any = None) -> None:  # noqa: N802
        """Continue a wss handshake despite certificate errors (all, or those listed)."""
        self._ignored_ssl_errors = True if errors is None else list(errors)
        tcp = self._tcp
        if isinstance(tcp, QSslSocket):
            tcp.ignoreSslErrors(errors)

    def continueInterruptedHandshake(self) -> None:  # noqa: N802
        tcp = self._tcp
        if isinstance(tcp, QSslSocket):
            tcp.continueInterruptedHandshake()

    # -- object life ----------------------------------------------------------------------------
    def _on_delete(self) -> None:
        self._close_on_delete()
        super()._on_delete()

    def _moved_thread(self, old: Any, new: Any) -> None:
        super()._moved_thread(old, new)
        self._reattach_after_move(new)

    def __repr__(self) -> str:
        return f"<QWebSocket {SocketState(self._state).name} {self.requestUrl().toString()!r}>"
