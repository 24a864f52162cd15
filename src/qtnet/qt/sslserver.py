"""QSslServer (Qt 6.4+): a QTcpServer that hands out QSslSockets once they are encrypted.

Behaviour follows Qt's QSslServer:

* Every accepted descriptor becomes a QSslSocket child with the server's
  ``sslConfiguration()`` (all of them share one ``ssl.SSLContext``).
  ``newConnection`` is emitted at accept time (QTcpServer's rule since 6.4);
  the socket reaches the pending queue - ``pendingConnectionAvailable``,
  ``nextPendingConnection()`` - only after its handshake succeeded.
* The handshake starts when the client's first byte arrives and it is a TLS
  handshake record (0x16): then ``startedEncryptionHandshake(socket)``.
  Anything else is closed silently.
* ``setHandshakeTimeout(ms)`` (5000 by default) bounds the time from accept
  to ``encrypted`` (restarted when the first byte arrives): a client that
  never completes is closed and ``errorOccurred(socket,
  SocketTimeoutError)`` is emitted.
* A socket that fails before being encrypted (handshake error, reset, peer
  verification refused) gives ``errorOccurred(socket, error)`` and is deleted
  later; the server keeps serving.  ``sslErrors(socket, errors)`` and
  ``peerVerifyError(socket, error)`` mirror the socket's signals.
* Handshaking sockets count towards ``maxPendingConnections()``.

For the WebSocket classes (wss), the Qt way: QWebSocketServer in SecureMode
owns a QSslServer, passes its ``sslConfiguration`` and handshake timeout on,
forwards ``sslErrors``/``peerVerifyError``/``preSharedKeyAuthenticationRequired``
/ ``errorOccurred`` and takes sockets on ``pendingConnectionAvailable`` - they
are encrypted QSslSockets, read and written exactly like QTcpSockets, so the
WebSocket handshake runs on them unchanged.  A wss client is a QSslSocket:
``connectToHostEncrypted(host, port)`` (``setPeerVerifyName`` for the URL's
host when connecting to an address), send the HTTP upgrade on ``encrypted``,
and relay ``sslErrors`` so ``ignoreSslErrors()`` called from the program's
slot takes effect (it must be called before the socket's own handler returns).
Code that works on raw descriptors instead can use
:class:`~qtnet.iocore.tls_engine.TlsEngine` directly (see its docstring).
"""

from __future__ import annotations

from typing import Any

from .qobject import QObject
from .signals import Signal
from .socketerrors import SocketError, socket_error
from .sslconfiguration import QSslConfiguration
from .sslsocket import QSslSocket
from .tcpserver import QTcpServer

__all__ = ["QSslServer"]

_TLS_HANDSHAKE_RECORD = 0x16


class QSslServer(QTcpServer):
    """An encrypted TCP server (see the module docstring)."""

    sslErrors = Signal(QSslSocket, list)
    peerVerifyError = Signal(QSslSocket, object)
    errorOccurred = Signal(QSslSocket, SocketError)
    preSharedKeyAuthenticationRequired = Signal(QSslSocket, object)
    alertSent = Signal(QSslSocket, object, object, str)
    alertReceived = Signal(QSslSocket, object, object, str)
    handshakeInterruptedOnError = Signal(QSslSocket, object)
    startedEncryptionHandshake = Signal(QSslSocket)

    _config: QSslConfiguration | None = None
    _handshake_timeout = 5000

    def __init__(self, parent: QObject | None = None, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self._handshaking: dict[QSslSocket, Any] = {}  # socket -> its timeout handle

    def sslConfiguration(self) -> QSslConfiguration:  # noqa: N802
        cfg = self._config
        if cfg is None:
            self._config = cfg = QSslConfiguration.defaultConfiguration()
        return QSslConfiguration(cfg)

    def setSslConfiguration(self, sslConfiguration: QSslConfiguration) -> None:  # noqa: N802,N803
        self._config = QSslConfiguration(sslConfiguration)

    def handshakeTimeout(self) -> int:  # noqa: N802
        return self._handshake_timeout

    def setHandshakeTimeout(self, timeout: int) -> None:  # noqa: N802
        self._handshake_timeout = int(timeout)

    # -- accepting -------------------------------------------------------------------------------
    def incomingConnection(self, handle: int) -> None:  # noqa: N802
        sock = QSslSocket(self)
        if self._config is None:
            self._config = QSslConfiguration.defaultConfiguration()
        sock._config = QSslConfiguration(self._config)
        fd, family = self._accepted
        eng = self._engine
        if fd == handle and eng is not None and sock._td is self._td:
            sock._adopt_accepted(handle, family, eng.hub)
        elif not sock.setSocketDescriptor(handle):
            sock._destroy()
            return
        sock._server = self
        self._handshaking[sock] = self._arm_timer(sock)
        sock.readyRead.connect(self._client_hello_check)
        self._check_capacity()

    def _arm_timer(self, sock: QSslSocket) -> Any:
        if self._handshake_timeout < 0:
            return None
        return self._td.loop().call_later(self._handshake_timeout / 1000.0, self._timed_out, sock)

    def _client_hello_check(self) -> None:
        sock = self.sender()
        if not isinstance(sock, QSslSocket) or sock not in self._handshaking:
            return
        head = sock.peek(1)
        if not head:
            return
        sock.readyRead.disconnect(self._client_hello_check)
        if bytes(head)[0] != _TLS_HANDSHAKE_RECORD:
            self._forget(sock)
            sock._server = None
            sock.disconnectFromHost()
            sock.deleteLater()
            return
        timer = self._handshaking.get(sock)
        if timer is not None:
            timer.cancel()
            self._handshaking[sock] = self._arm_timer(sock)
        sock.startServerEncryption()
        if sock in self._handshaking:
            self.startedEncryptionHandshake.emit(sock)

    def _timed_out(self, sock: QSslSocket) -> None:
        if sock not in self._handshaking:
            return
        self._handshaking[sock] = None
        self._forget(sock)
        sock._server = None
        sock.disconnectFromHost()
        self.errorOccurred.emit(sock, SocketError.SocketTimeoutError)
        sock.deleteLater()

    # -- hooks called by the socket ----------------------------------------------------------
    def _socket_encrypted(self, sock: QSslSocket) -> None:
        if sock not in self._handshaking:
            return
        self._forget(sock)
        sock._server = None
        self.addPendingConnection(sock)

    def _socket_failed(self, sock: QSslSocket, code: int) -> None:
        if sock not in self._handshaking:
            return
        self._forget(sock)
        sock._server = None
        self.errorOccurred.emit(sock, socket_error(code))
        sock.deleteLater()

    def _forget(self, sock: QSslSocket) -> None:
        timer = self._handshaking.pop(sock, None)
        if timer is not None:
            timer.cancel()
        self._check_capacity()

    # -- maxPendingConnections counts handshakes too ------------------------------------------
    def _check_capacity(self) -> None:
        eng = self._engine
        if eng is None:
            return
        total = len(self._pending or ()) + len(self._handshaking)
        if total >= self._max_pending:
            if not self._full:
                self._full = True
                eng.disable_read()
        elif self._full:
            self._full = False
            if not self._paused:
                eng.enable_read()

    def nextPendingConnection(self) -> QSslSocket | None:  # noqa: N802
        sock = super().nextPendingConnection()
        self._check_capacity()
        return sock  # type: ignore[return-value]

    def _on_delete(self) -> None:
        for timer in self._handshaking.values():
            if timer is not None:
                timer.cancel()
        self._handshaking.clear()
        super()._on_delete()
