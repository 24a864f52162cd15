"""QWebSocketServer: accepts TCP connections and upgrades them to QWebSocket.

How a connection goes (Qt's design, same observable behaviour):

1. an inner QTcpServer accepts; each QTcpSocket gets a handshake timer
   (``handshakeTimeoutMS()``, 10 s; -1: none) and an incremental request
   parser (``codecs/ws_handshake.py``, Qt's limits: 8 KiB per line, 100
   lines);
2. once the request head is complete: over ``maxPendingConnections()`` the
   TCP connection is closed with no reply (``serverError(1006)``); otherwise
   ``originAuthenticationRequired`` asks the program about the Origin (a
   refusal answers ``403 Access Forbidden``, ``serverError(1008)``);
3. the ``101`` reply goes out, the socket's engine is handed to a new
   server-side QWebSocket (the data path then runs on the bare engine, see
   ``websocket_io.py``), the socket is queued and ``newConnection`` emitted.

Failures are quiet, as in Qt (qt-autotests.md §5, Surprise 4): a malformed
request is just closed (1002 "Invalid handshake request."), an unsupported
version gets ``400 Bad Request`` + ``Sec-WebSocket-Version: 13`` (1002), an
oversized head is dropped (1009), the handshake timer closes without any
``serverError``.  ``serverError`` is emitted only when the code or the text
changes, like Qt's.

Beyond Qt: subprotocols (``setSupportedSubprotocols``; the first one the
client offers wins) and, with ``setPerMessageDeflate(True)``, RFC 7692
permessage-deflate for clients that offer it.

``SecureMode`` (wss): the inner server is a QSslServer (``qt/sslserver.py``)
with this server's ``sslConfiguration()``; its sockets arrive encrypted, the
WebSocket handshake runs on them unchanged and the data phase runs on their
TLS engine.  ``sslErrors``, ``peerVerifyError``, ``preSharedKeyAuthentication
Required``, ``alertSent``/``alertReceived`` and ``handshakeInterruptedOnError``
are passed on from it.
"""

from __future__ import annotations

import datetime
import enum
from collections import deque
from typing import TYPE_CHECKING, Any, ClassVar

from ..codecs.ws_deflate import DeflateConfig
from ..codecs.ws_frames import CloseCode, Version
from ..codecs.ws_handshake import (
    HandshakeError,
    HandshakeRequest,
    ServerHandshake,
    accept,
    build_forbidden_response,
)
from ..codecs.ws_protocol import WebSocketConnection
from ..iocore.notifier import hub_for
from ..iocore.socket_errors import EngineError
from .enums import export_enums
from .hostaddress import QHostAddress
from .qobject import QObject
from .signals import Signal
from .socketerrors import SocketError
from .sslconfiguration import QSslConfiguration
from .sslserver import QSslServer
from .tcpserver import QTcpServer
from .tcpsocket import QTcpSocket
from .url import QUrl
from .websocket import QWebSocket
from .websocket_async import MessageQueue
from .websocket_io import release_engine
from .websocketcors import QWebSocketCorsAuthenticator

__all__ = ["QWebSocketServer"]

_ABNORMAL, _PROTOCOL_ERROR, _POLICY = 1006, 1002, 1008
_T_TOO_MANY = "Too many pending connections."
_T_FORBIDDEN = "Access forbidden."
_T_SERVER_CLOSED = "Server closed."
_BAD_RESPONSE = b"HTTP/1.1 400 Bad Request\r\n\r\n"


class _Handshake:
    """One TCP connection whose opening handshake is in progress."""

    __slots__ = ("server", "tcp", "parser", "timer")

    def __init__(self, server: QWebSocketServer, tcp: QTcpSocket) -> None:
        self.server = server
        self.tcp = tcp
        self.parser = ServerHandshake()
        self.timer: Any = None

    def on_ready_read(self) -> None:
        self.server._handshake_data(self)

    def on_disconnected(self) -> None:
        self.server._handshake_dropped(self)

    def on_timeout(self) -> None:
        self.timer = None
        if self.tcp is not None:
            self.tcp.close()  # Qt: the timer just closes the socket, no serverError

    def cancel_timer(self) -> None:
        t = self.timer
        if t is not None:
            self.timer = None
            t.cancel()


class QWebSocketServer(QObject):
    """A WebSocket server (see the module docstring)."""

    class SslMode(enum.IntEnum):
        SecureMode = 0
        NonSecureMode = 1

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        SecureMode: ClassVar[QWebSocketServer.SslMode]
        NonSecureMode: ClassVar[QWebSocketServer.SslMode]

    acceptError = Signal(SocketError)
    serverError = Signal(CloseCode)
    originAuthenticationRequired = Signal(QWebSocketCorsAuthenticator)
    newConnection = Signal()
    closed = Signal()
    peerVerifyError = Signal(object)
    sslErrors = Signal(list)
    preSharedKeyAuthenticationRequired = Signal(object)
    alertSent = Signal(object, object, str)
    alertReceived = Signal(object, object, str)
    handshakeInterruptedOnError = Signal(object)

    def __init__(self, serverName: str = "", secureMode: int = 1,  # noqa: N803 - NonSecureMode
                 parent: QObject | None = None, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self._server_name = str(serverName)
        self._secure_mode = SslMode(int(secureMode))
        self._error = int(CloseCode.CloseCodeNormal)
        self._error_string = ""
        self._max_pending = 30
        self._handshake_timeout_ms = 10000
        self._pending: deque[QWebSocket] = deque()
        self._handshakes: set[_Handshake] = set()
        self._subprotocols: list[str] = []
        self._deflate: DeflateConfig | None = None
        self._tcp_server = self._make_tcp_server()
        self._tcp_server.pendingConnectionAvailable.connect(self._take_tcp_connections)
        self._tcp_server.acceptError.connect(self.acceptError)

    def _make_tcp_server(self) -> QTcpServer:
        """ws: a QTcpServer; wss: a QSslServer, whose sockets come out encrypted
        (it owns the TLS handshake and its timeout, as in Qt)."""
        if self._secure_mode != SslMode.SecureMode:
            return QTcpServer(self)
        server = QSslServer(self)
        server.setHandshakeTimeout(self._handshake_timeout_ms)
        server.sslErrors.connect(lambda _sock, errors: self.sslErrors.emit(errors))
        server.peerVerifyError.connect(lambda _sock, error: self.peerVerifyError.emit(error))
        server.preSharedKeyAuthenticationRequired.connect(
            lambda _sock, auth: self.preSharedKeyAuthenticationRequired.emit(auth))
        server.alertSent.connect(lambda _sock, *a: self.alertSent.emit(*a))
        server.alertReceived.connect(lambda _sock, *a: self.alertReceived.emit(*a))
        server.handshakeInterruptedOnError.connect(
            lambda _sock, error: self.handshakeInterruptedOnError.emit(error))
        return server

    # -- listening ------------------------------------------------------------------------
    def listen(self, address: Any = QHostAddress.SpecialAddress.Any, port: int = 0) -> bool:
        if not self._tcp_server.listen(address, port):
            self._set_error(_ABNORMAL, self._tcp_server.errorString())
            return False
        return True

    def close(self) -> None:
        """Stop listening; queued sockets get close(1001, "Server closed."); ``closed`` follows."""
        self._close(about_to_destroy=False)

    def _close(self, about_to_destroy: bool) -> None:
        self._tcp_server.close()
        for h in list(self._handshakes):
            h.cancel_timer()
            tcp = h.tcp
            self._forget_handshake(h)
            if tcp is not None:
                tcp.abort()
                tcp.deleteLater()
        while self._pending:
            ws = self._pending.popleft()
            ws.close(CloseCode.CloseCodeGoingAway, _T_SERVER_CLOSED)
            ws.deleteLater()
        if not about_to_destroy:
            # Through the event queue, as Qt does, so pending writes go out first.
            self._td.post(self._emit_closed)

    def _emit_closed(self) -> None:
        if not self._deleted:
            self.closed.emit()

    def isListening(self) -> bool:  # noqa: N802
        return self._tcp_server.isListening()

    def serverAddress(self) -> QHostAddress:  # noqa: N802
        return self._tcp_server.serverAddress()

    def serverPort(self) -> int:  # noqa: N802
        return self._tcp_server.serverPort()

    def serverUrl(self) -> QUrl:  # noqa: N802
        """``ws://127.0.0.1:<port>`` for a server on Any; invalid when not listening."""
        url = QUrl()
        if not self.isListening():
            return url
        url.setScheme("wss" if self._secure_mode == SslMode.SecureMode else "ws")
        addr = self.serverAddress()
        if addr == QHostAddress(QHostAddress.SpecialAddress.Any):
            url.setHost(QHostAddress(QHostAddress.SpecialAddress.LocalHost).toString())
        else:
            url.setHost(addr.toString())
        url.setPort(self.serverPort())
        return url

    def nativeDescriptor(self) -> int:  # noqa: N802
        return self._tcp_server.socketDescriptor()

    def setNativeDescriptor(self, descriptor: int) -> bool:  # noqa: N802
        return self._tcp_server.setSocketDescriptor(int(descriptor))

    socketDescriptor = nativeDescriptor  # deprecated Qt names
    setSocketDescriptor = setNativeDescriptor

    def pauseAccepting(self) -> None:  # noqa: N802
        self._tcp_server.pauseAccepting()

    def resumeAccepting(self) -> None:  # noqa: N802
        self._tcp_server.resumeAccepting()

    def proxy(self) -> Any:
        return self._tcp_server.proxy()

    def setProxy(self, networkProxy: Any) -> None:  # noqa: N802,N803
        self._tcp_server.setProxy(networkProxy)

    # -- settings ----------------------------------------------------------------------------
    def serverName(self) -> str:  # noqa: N802
        return self._server_name

    def setServerName(self, serverName: str) -> None:  # noqa: N802,N803
        self._server_name = str(serverName)

    def secureMode(self) -> QWebSocketServer.SslMode:  # noqa: N802
        return self._secure_mode

    def supportedVersions(self) -> list[Version]:  # noqa: N802
        return [Version.Version13]

    def supportedSubprotocols(self) -> list[str]:  # noqa: N802
        return list(self._subprotocols)

    def setSupportedSubprotocols(self, protocols: Any) -> None:  # noqa: N802
        self._subprotocols = [str(p) for p in protocols]

    def maxPendingConnections(self) -> int:  # noqa: N802
        return self._max_pending

    def setMaxPendingConnections(self, numConnections: int) -> None:  # noqa: N802,N803
        n = int(numConnections)
        if self._tcp_server.maxPendingConnections() <= n < 2**31 - 1:
            self._tcp_server.setMaxPendingConnections(n + 1)
        self._max_pending = n

    def handshakeTimeoutMS(self) -> int:  # noqa: N802
        return self._handshake_timeout_ms

    def handshakeTimeout(self) -> int:  # noqa: N802
        return self._handshake_timeout_ms

    def setHandshakeTimeout(self, msec: int | datetime.timedelta) -> None:  # noqa: N802
        """Milliseconds (or a timedelta) a client has to complete its handshake; < 0: no limit."""
        if isinstance(msec, datetime.timedelta):
            msec = int(msec.total_seconds() * 1000)
        self._handshake_timeout_ms = int(msec)
        server = self._tcp_server
        if isinstance(server, QSslServer):  # the TLS handshake gets the same time (Qt)
            server.setHandshakeTimeout(int(msec) if msec >= 0 else 2**31 - 1)

    def setPerMessageDeflate(self, enabled: bool, config: DeflateConfig | None = None) -> None:  # noqa: N802
        """Accept permessage-deflate from clients that offer it (qtnet extension)."""
        self._deflate = (config or DeflateConfig()) if enabled else None

    def perMessageDeflate(self) -> bool:  # noqa: N802
        return self._deflate is not None

    def sslConfiguration(self) -> QSslConfiguration:  # noqa: N802
        server = self._tcp_server
        if isinstance(server, QSslServer):
            return server.sslConfiguration()
        return QSslConfiguration.defaultConfiguration()

    def setSslConfiguration(self, sslConfiguration: QSslConfiguration) -> None:  # noqa: N802,N803
        server = self._tcp_server
        if isinstance(server, QSslServer):  # ignored on a ws:// server, as in Qt
            server.setSslConfiguration(sslConfiguration)

    # -- errors ------------------------------------------------------------------------------
    def error(self) -> CloseCode:
        return CloseCode(self._error)

    def errorString(self) -> str:  # noqa: N802
        return self._error_string or self._tcp_server.errorString()

    def _set_error(self, code: int, text: str) -> None:
        if code != self._error or text != self._error_string:
            self._error = code
            self._error_string = text
            self.serverError.emit(CloseCode(code))

    # -- pending connections -------------------------------------------------------------------
    def hasPendingConnections(self) -> bool:  # noqa: N802
        return bool(self._pending)

    def nextPendingConnection(self) -> QWebSocket | None:  # noqa: N802
        return self._pending.popleft() if self._pending else None

    async def accepted(self) -> QWebSocket:
        """The next connection, waiting if none is queued (qtnet extension)."""
        import asyncio

        while not self._pending:
            hub_for(self._td)
            fut = asyncio.get_running_loop().create_future()
            waiters = self.__dict__.setdefault("_accept_waiters", [])
            waiters.append(fut)
            await fut
        ws = self._pending.popleft()
        if ws._aq is None:
            ws._aq = MessageQueue()
        return ws

    # -- handshakes -------------------------------------------------------------------------------
    def handleConnection(self, socket: QTcpSocket) -> None:  # noqa: N802
        """Run the WebSocket handshake on a connected QTcpSocket (taking it over)."""
        if socket._td is self._td and socket.parent() is None:
            socket.setParent(self)
        self._start_handshake(socket, timed=False)

    def _take_tcp_connections(self) -> None:
        server = self._tcp_server
        while server.hasPendingConnections():
            tcp = server.nextPendingConnection()
            if tcp is not None:
                self._start_handshake(tcp, timed=True)

    def _start_handshake(self, tcp: QTcpSocket, timed: bool) -> None:
        h = _Handshake(self, tcp)
        self._handshakes.add(h)
        if timed and self._handshake_timeout_ms >= 0:
            loop = hub_for(self._td).loop
            h.timer = loop.call_later(self._handshake_timeout_ms / 1000.0, h.on_timeout)
        tcp.readyRead.connect(h.on_ready_read)
        tcp.disconnected.connect(h.on_disconnected)
        if tcp.bytesAvailable():
            self._handshake_data(h)

    def _handshake_dropped(self, h: _Handshake) -> None:
        tcp = h.tcp
        h.cancel_timer()
        self._forget_handshake(h)
        if tcp is not None:
            tcp.deleteLater()

    def _forget_handshake(self, h: _Handshake) -> None:
        self._handshakes.discard(h)
        h.tcp = None  # type: ignore[assignment]

    def _pending_full(self) -> bool:
        return len(self._pending) >= self._max_pending

    def _handshake_data(self, h: _Handshake) -> None:
        tcp = h.tcp
        if tcp is None:
            return
        data = bytes(tcp.readAll())
        if not data:
            return
        try:
            request = h.parser.receive_data(data)
        except HandshakeError as e:
            if e.code != 1009 and self._pending_full():
                self._refuse(h, _ABNORMAL, _T_TOO_MANY, b"")
            else:
                self._refuse(h, e.code, e.message, e.response)
            return
        if request is None:
            return
        if self._pending_full():
            self._refuse(h, _ABNORMAL, _T_TOO_MANY, b"")
            return
        cors = QWebSocketCorsAuthenticator(request.origin)
        self.originAuthenticationRequired.emit(cors)
        if h.tcp is not tcp:
            return  # a slot closed the server
        if not cors.allowed():
            self._refuse(h, _POLICY, _T_FORBIDDEN, build_forbidden_response())
            return
        try:
            reply, accepted = accept(request, subprotocols=self._subprotocols,
                                     deflate=self._deflate, server_name=self._server_name)
        except ValueError:  # CR/LF in the server name or the origin
            self._refuse(h, _PROTOCOL_ERROR, ServerHandshake.INVALID, _BAD_RESPONSE)
            return
        self._upgrade(h, request, reply, accepted.subprotocol, accepted.deflate)

    def _refuse(self, h: _Handshake, code: int, text: str, response: bytes) -> None:
        tcp = h.tcp
        h.cancel_timer()
        if tcp is not None:
            if response:
                tcp.write(response)
            tcp.close()
        self._set_error(code, text)

    def _upgrade(self, h: _Handshake, request: HandshakeRequest, reply: bytes,
                 subprotocol: str, deflate: Any) -> None:
        tcp = h.tcp
        h.cancel_timer()
        self._forget_handshake(h)
        ssl_configuration = tcp.sslConfiguration() if hasattr(tcp, "sslConfiguration") else None
        released = release_engine(tcp)
        tcp.blockSignals(True)
        tcp.deleteLater()
        if released is None:
            return
        eng, unread, unsent = released
        out = unsent + reply
        try:
            sent = eng.send(out)
        except EngineError:
            eng.close()
            return
        conn = WebSocketConnection("server", deflate=deflate, auto_pong=False)
        ws = QWebSocket._server_side(
            eng, conn, _request_head(request), subprotocol,
            deflate.response_header() if deflate is not None else "",
            self._secure_mode == SslMode.SecureMode, out[sent:],
        )
        if ssl_configuration is not None:
            ws._ssl_configuration = ssl_configuration
        self._pending.append(ws)
        self.newConnection.emit()
        waiters = self.__dict__.pop("_accept_waiters", None)
        for fut in waiters or ():
            if not fut.done():
                fut.set_result(None)
        leftover = h.parser.leftover + unread
        if leftover or eng.eof:
            # Frames that came with the request: delivered once the program had
            # its chance to connect slots in its newConnection handler.
            self._td.post(ws._feed, leftover)

    # -- object life ------------------------------------------------------------------------------
    def _on_delete(self) -> None:
        self._close(about_to_destroy=True)
        super()._on_delete()


SslMode = QWebSocketServer.SslMode
export_enums(QWebSocketServer, SslMode)


def _request_head(request: HandshakeRequest) -> bytes:
    """The request head in a compact form, re-parsed on demand by the socket."""
    major, minor = request.http_version
    lines = [f"{request.method} {request.target} HTTP/{major}.{minor}"]
    lines += [f"{name}: {value}" for name, value in request.headers.items]
    return "\r\n".join(lines).encode("latin-1")
