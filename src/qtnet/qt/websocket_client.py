"""QWebSocket.open(): connecting and the client side of the opening handshake.

The connection itself is made by an inner QTcpSocket (host lookup, one
attempt per address, Qt's error codes and texts), exactly as Qt's QWebSocket
does; its signals are passed on (``errorOccurred``, ``bytesWritten``,
``readChannelFinished``, ``aboutToClose``, the Unconnected state).  Once the
server's ``101`` reply checks out, the socket's engine is taken over
(``websocket_io.release_engine``) and the data phase runs on it directly.

Failures follow Qt 6: an invalid URL or a CR/LF in the resource name emits
``errorOccurred(ConnectionRefusedError)`` without leaving UnconnectedState;
a refused handshake sets ``errorString()`` to Qt's text (e.g. "QWebSocketPrivate::
processHandshake: Unhandled http status code: 403 (Access Forbidden).") and
emits ``errorOccurred(ConnectionRefusedError)`` while ``error()`` keeps the
transport's code, as in Qt.
"""

from __future__ import annotations

# The mixin methods declare ``self: QWebSocket`` (the one class they are mixed into);
# mypy flags such self types on non-protocol mixins as [misc], hence:
# mypy: disable-error-code="misc"
import warnings
from typing import TYPE_CHECKING, Any

from ..codecs.ws_deflate import DeflateConfig
from ..codecs.ws_handshake import (
    ClientHandshake,
    HandshakeError,
    build_request,
    format_host,
    generate_key,
    is_valid_subprotocol_name,
)
from ..codecs.ws_protocol import WebSocketConnection
from ..iocore import socket_errors as se
from .networkrequest import QNetworkRequest
from .socketerrors import SocketError, SocketOption, SocketState
from .sslsocket import QSslSocket
from .tcpsocket import QTcpSocket
from .url import QUrl
from .websocket_io import release_engine
from .websocket_state import WebSocketState
from .websockethandshakeoptions import QWebSocketHandshakeOptions

if TYPE_CHECKING:
    from .websocket import QWebSocket

__all__ = ["WebSocketClientMixin"]

_UNCONNECTED, _CONNECTING, _CONNECTED, _CLOSING = 0, 2, 3, 6
_FULLY_ENCODED = QUrl.ComponentFormattingOption.FullyEncoded
_HOST_ONLY = (
    QUrl.UrlFormattingOption.RemoveScheme
    | QUrl.UrlFormattingOption.RemoveUserInfo
    | QUrl.UrlFormattingOption.RemovePath
    | QUrl.UrlFormattingOption.RemoveQuery
    | QUrl.UrlFormattingOption.RemoveFragment
)


class WebSocketClientMixin(WebSocketState):
    """open() and the client handshake of QWebSocket (state lives in QWebSocket)."""

    def open(self: QWebSocket, target: Any,
             options: QWebSocketHandshakeOptions | None = None) -> None:
        """Open ``ws://`` (or ``wss://``) ``target``: a QUrl, a string or a QNetworkRequest."""
        if isinstance(target, QNetworkRequest):
            request = QNetworkRequest(target)
        else:
            request = QNetworkRequest(QUrl(target))
        opts = QWebSocketHandshakeOptions(options) if options is not None else None
        url = request.url()
        if not url.isValid() or "\r\n" in url.toString():
            self._err_text = "Invalid URL."
            self._emit_error(SocketError.ConnectionRefusedError)
            return
        self._release_transport()
        self._close_initiated = False
        self._request = request
        self._options = opts
        if not url.path():
            url.setPath("/")
        resource = url.path(_FULLY_ENCODED)
        if "%0D%0A" in resource:
            self._request = QNetworkRequest()
            self._err_text = "Invalid resource name."
            self._emit_error(SocketError.ConnectionRefusedError)
            return
        if url.query():
            if not resource.endswith("?"):
                resource += "?"
            resource += url.query(_FULLY_ENCODED)
        self._resource = resource or "/"
        scheme = url.scheme()
        if scheme == "wss":
            self._open_secure(url)
        elif scheme == "ws":
            self._start_tcp(url, 80)
        else:
            self._err_text = f"Unsupported WebSocket scheme: {scheme}"
            self._emit_error(SocketError.UnsupportedSocketOperationError)

    def _open_secure(self: QWebSocket, url: QUrl) -> None:
        """wss: the inner socket is a QSslSocket; the request goes out once encrypted."""
        tcp = QSslSocket(self)
        if self._ssl_configuration is not None:
            tcp.setSslConfiguration(self._ssl_configuration)
        ignored = self._ignored_ssl_errors
        if ignored is True:
            tcp.ignoreSslErrors()
        elif ignored:
            tcp.ignoreSslErrors(ignored)
        tcp.encrypted.connect(self._tcp_connected)
        tcp.sslErrors.connect(self._tcp_ssl_errors)
        tcp.peerVerifyError.connect(self.peerVerifyError)
        tcp.preSharedKeyAuthenticationRequired.connect(self.preSharedKeyAuthenticationRequired)
        tcp.alertSent.connect(self.alertSent)
        tcp.alertReceived.connect(self.alertReceived)
        tcp.handshakeInterruptedOnError.connect(self.handshakeInterruptedOnError)
        self._start_tcp(url, 443, tcp)

    def _start_tcp(self: QWebSocket, url: QUrl, default_port: int,
                   tls: QSslSocket | None = None) -> None:
        tcp: QTcpSocket
        if tls is None:
            tcp = QTcpSocket(self)
            tcp.connected.connect(self._tcp_connected)
        else:
            tcp = tls
        self._tcp = tcp
        if self._proxy is not None:
            tcp.setProxy(self._proxy)
        tcp.setProtocolTag("https" if tls is not None else "http")
        tcp.readyRead.connect(self._tcp_ready_read)
        tcp.errorOccurred.connect(self._tcp_error)
        tcp.stateChanged.connect(self._tcp_state)
        tcp.readChannelFinished.connect(self._tcp_read_finished)
        tcp.aboutToClose.connect(self._tcp_about_to_close)
        tcp.bytesWritten.connect(self._tcp_bytes_written)
        self._sock_text = tcp.errorString()
        self._set_state(_CONNECTING)
        if self._tcp is not tcp:
            return  # a stateChanged slot aborted
        if tls is not None:
            tls.connectToHostEncrypted(url.host(), url.port(default_port))
        else:
            tcp.connectToHost(url.host(), url.port(default_port))

    def _tcp_ssl_errors(self: QWebSocket, errors: list[Any]) -> None:
        # Relayed synchronously: ignoreSslErrors() called from the program's
        # slot reaches the QSslSocket before its handshake decision.
        self._emit_if("sslErrors", errors)

    # -- the inner socket's signals ---------------------------------------------------------
    def _tcp_connected(self: QWebSocket) -> None:
        tcp = self._tcp
        if tcp is None or self._state != _CONNECTING:
            return
        tcp.setSocketOption(SocketOption.LowDelayOption, 1)
        tcp.setSocketOption(SocketOption.KeepAliveOption, 1)
        request = self._request
        assert request is not None
        url = request.url()
        protocols = self._requested_subprotocols()
        for name in protocols:
            if not is_valid_subprotocol_name(name):
                warnings.warn(f'Ignoring invalid WebSocket subprotocol name "{name}"',
                              RuntimeWarning, stacklevel=2)
        offer = self._options is not None and self._options.perMessageDeflate()
        deflate = DeflateConfig() if offer else None
        key = generate_key()
        hs = ClientHandshake(key, protocols=protocols, deflate=deflate)
        port = url.port()
        host = url.toString(_HOST_ONLY)[2:] if url.host() else ""
        if not host or ":" in url.host():
            host = format_host(url.host(), port if port >= 0 else None)
        try:
            head = build_request(
                host=host,
                resource=self._resource,
                key=key,
                origin=self._origin,
                protocols=protocols,
                extensions=hs.offer_extensions(),
                headers=request._raw_pairs(),
            )
        except ValueError as e:
            self._err_text = str(e)
            tcp.abort()
            self._emit_error(SocketError.ConnectionRefusedError)
            return
        self._client_hs = hs
        tcp.write(head)

    def _requested_subprotocols(self: QWebSocket) -> list[str]:
        """The options' subprotocols, then those of a raw Sec-WebSocket-Protocol header."""
        opts = self._options.subprotocols() if self._options is not None else []
        extra: list[str] = []
        request = self._request
        if request is not None:
            raw = bytes(request.rawHeader(b"Sec-WebSocket-Protocol")).decode("latin-1")
            for part in raw.split(","):
                name = part.strip()
                if name and name not in opts:
                    extra.append(name)
        return opts + extra

    def _tcp_ready_read(self: QWebSocket) -> None:
        tcp = self._tcp
        hs = self._client_hs
        if tcp is None or hs is None or self._state != _CONNECTING:
            return
        data = bytes(tcp.readAll())
        try:
            response = hs.receive_data(data)
            if response is None:
                return
            accepted = hs.check(response)
        except HandshakeError as e:
            self._handshake_failed(tcp, e.message)
            return
        self._client_hs = None
        if isinstance(tcp, QSslSocket):
            self._ssl_configuration = tcp.sslConfiguration()  # with the peer's certificate
        released = release_engine(tcp)
        self._tcp = None
        tcp.blockSignals(True)
        tcp.deleteLater()
        if released is None:
            return
        eng, unread, unsent = released
        leftover = hs.leftover + unread
        conn = WebSocketConnection(
            "client",
            max_frame_size=self._max_frame,
            max_message_size=self._max_message,
            outgoing_frame_size=self._outgoing_frame,
            deflate=accepted.deflate,
            frame_events=self._frames_wanted,
            auto_pong=False,
        )
        self._subprotocol = accepted.subprotocol
        if accepted.deflate is not None:
            self._extension = accepted.deflate.response_header()
        self._peer_name = url_host(self._request)
        self._attach_engine(eng, conn, unsent)
        self._set_state(_CONNECTED)
        if self._eng is not eng:
            return
        self._emit_if("connected")
        if self._eng is eng:
            self._feed(leftover)

    def _handshake_failed(self: QWebSocket, tcp: QTcpSocket, message: str) -> None:
        self._client_hs = None
        self._err_text = message
        self._emit_error(SocketError.ConnectionRefusedError)
        if self._tcp is tcp and tcp.state() != SocketState.UnconnectedState:
            tcp.disconnectFromHost()

    def _tcp_error(self: QWebSocket, error: Any) -> None:
        tcp = self._tcp
        if tcp is not None:
            self._error = int(error)
            self._sock_text = tcp.errorString()
        self._emit_error(int(error))

    def _tcp_state(self: QWebSocket, state: Any) -> None:
        st = int(state)
        if st == _CLOSING:
            if self._state == _CONNECTED:
                self._set_state(_CLOSING)
        elif st == _UNCONNECTED and self._state != _UNCONNECTED:
            self._set_state(_UNCONNECTED)
            self._emit_if("disconnected")
            if self._aq is not None:
                self._aq.close()

    def _tcp_read_finished(self: QWebSocket) -> None:
        self._emit_if("readChannelFinished")

    def _tcp_about_to_close(self: QWebSocket) -> None:
        self._emit_if("aboutToClose")

    def _tcp_bytes_written(self: QWebSocket, n: int) -> None:
        self._emit_if("bytesWritten", n)
        if self._waiters is not None:
            self._wake_waiters()

    # -- dropping a previous transport -------------------------------------------------------
    def _release_transport(self: QWebSocket) -> None:
        """open() on a used socket: forget the old connection without signals (Qt)."""
        tcp = self._tcp
        if tcp is not None:
            self._tcp = None
            tcp.blockSignals(True)
            tcp.abort()
            tcp.deleteLater()
        self._client_hs = None
        eng = self._eng
        if eng is not None:
            self._drop_engine(eng)
        self._conn = None
        self._state = _UNCONNECTED
        self._peer = self._local = None
        self._error = se.UNKNOWN


def url_host(request: QNetworkRequest | None) -> str:
    return request.url().host() if request is not None else ""
