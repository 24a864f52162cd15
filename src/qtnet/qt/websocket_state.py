"""The per-connection state of QWebSocket, declared once for the class and its mixins.

Everything is a class-level default: a server holds thousands of sockets and
most attributes never change, so they cost nothing per object until set.
The mixins (``websocket_io``, ``websocket_closing``, ``websocket_client``,
``websocket_async``) all derive from :class:`WebSocketState`, so the type
checker sees one declaration of each attribute.
"""

from __future__ import annotations

from typing import Any

from ..codecs.ws_handshake import ClientHandshake
from ..codecs.ws_protocol import WebSocketConnection
from .hostaddress import QHostAddress
from .networkrequest import QNetworkRequest
from .qobject import QObject
from .tcpsocket import QTcpSocket
from .websockethandshakeoptions import QWebSocketHandshakeOptions

__all__ = ["WebSocketState"]

_UNCONNECTED = 0


class WebSocketState(QObject):
    """Attribute declarations and defaults shared by QWebSocket's parts."""

    # -- the data phase (websocket_io.py, websocket_closing.py)
    _state = _UNCONNECTED
    _eng: Any = None  # the socket engine (TcpEngine or TlsEngine)
    _conn: WebSocketConnection | None = None  # the protocol core
    _wbuf: bytearray | None = None  # bytes the kernel has not taken yet
    _in_read = False  # inside our read notification: it flushes afterwards
    _flush_scheduled = False
    _close_code = 1000
    _close_reason = ""
    _error = -1
    _sock_text = ""  # the transport's error text ("" while there is no transport)
    _ping_sent_at = 0.0
    _peer: tuple[QHostAddress, int] | None = None
    _local: tuple[QHostAddress, int] | None = None
    _aq: Any = None  # receive() queue (websocket_async.py), on demand
    _waiters: list[Any] | None = None
    _close_timer: Any = None
    _idle_timer: Any = None
    _idle_deadline = 0.0
    _closing_tcp = False  # a graceful TCP close waits for the write buffer to drain
    _close_initiated = False  # close() sent our close frame first
    # -- connecting (websocket_client.py)
    _tcp: QTcpSocket | None = None  # the inner QTcpSocket / QSslSocket until the handshake
    _client_hs: ClientHandshake | None = None
    _request: QNetworkRequest | None = None
    _options: QWebSocketHandshakeOptions | None = None
    _resource = ""
    _err_text = ""
    _ssl_configuration: Any = None
    _ignored_ssl_errors: Any = None  # True: all; a list: those; None: none
