"""QSslSocket: a QTcpSocket that speaks TLS (Qt 6 semantics, PySide6 spelling).

How it sits on the TCP classes: the socket connects (or adopts a descriptor)
as a plain QTcpSocket; when encryption starts (``connectToHostEncrypted`` once
connected, ``startClientEncryption``, ``startServerEncryption``) its engine is
swapped for a :class:`~qtnet.iocore.tls_engine.TlsEngine` on the same
descriptor, and QAbstractSocket's read/write paths, buffers, signals and
``waitFor*`` keep working on plaintext.  Bytes received before the switch
(STARTTLS) are handed to TLS first.

The handshake, as Qt does it:

1. ``connected``, then ``modeChanged(SslClientMode)`` (server:
   ``modeChanged(SslServerMode)``), then the TLS handshake.
2. The handshake completes without verification in OpenSSL; then the peer is
   checked here (``sslverify.py``): each problem is emitted as
   ``peerVerifyError(QSslError)``; then ``sslErrors(list)`` with all of them
   (HostNameMismatch first, then the chain's, Qt's order).
3. With VerifyPeer (a client's AutoVerifyPeer) the connection continues only
   if the program called ``ignoreSslErrors()`` - before, or from a slot of
   ``sslErrors``/``peerVerifyError`` - or ``ignoreSslErrors(list)`` with every
   error (code and certificate) listed.  Otherwise ``errorOccurred(
   SslHandshakeFailedError)`` with the first error's text, and the socket
   closes without sending application data.  With ``PauseOnSslErrors`` the
   socket waits for ``ignoreSslErrors()`` + ``resume()`` instead.
4. ``encrypted``; data written before it is sent now; ``readyRead`` follows
   for data that came with the handshake.

Peer closes: close_notify gives RemoteHostClosedError "The TLS/SSL connection
has been closed", a bare FIN or a reset "The remote host closed the
connection" (during the handshake too, as in Qt).  ``disconnectFromHost``
sends close_notify after the queued data; ``abort`` does not.
``waitForEncrypted`` polls the descriptor (no event loop needed), like the
other ``waitFor*``.  Not available from Python's ``ssl`` module: PSK (the
signal exists, never emitted), alert signals, OCSP, session tickets and
``continueInterruptedHandshake`` (handshakeMustInterruptOnError).
"""

from __future__ import annotations

import ssl as _ssl
import time
import warnings
from typing import TYPE_CHECKING, Any, ClassVar

from ..iocore import socket_errors as se
from ..iocore.notifier import hub_for
from ..iocore.socket_errors import EngineError
from ..iocore.tls_engine import (
    HANDSHAKING,
    SSL_HANDSHAKE_FAILED,
    T_TLS_CLOSED,
    VERIFYING,
    TlsEngine,
)
from .enums import export_enums
from .hostaddress import QHostAddress
from .qobject import QObject
from .signals import Signal
from .ssl import PeerVerifyMode, QSsl, SslMode
from .sslbackend import SslBackendQueries
from .sslcertificate import QSslCertificate
from .sslconfiguration import QSslCipher, QSslConfiguration
from .sslerror import OPENSSL_TO_QT, QSslError, SslError
from .sslkey import QSslKey
from .sslverify import matches_hostname, verify_chain
from .tcpsocket import QTcpSocket

if TYPE_CHECKING:
    from .sslserver import QSslServer

__all__ = ["QSslSocket"]

_UNCONNECTED, _HOSTLOOKUP, _CONNECTING, _CONNECTED, _BOUND, _LISTENING, _CLOSING = range(7)


_Mode = SslMode
_VerifyMode = PeerVerifyMode


def _warn(text: str) -> None:
    warnings.warn(text, RuntimeWarning, stacklevel=3)


class QSslSocket(QTcpSocket, SslBackendQueries):
    """A TLS client or server socket (see the module docstring)."""

    SslMode = SslMode
    PeerVerifyMode = PeerVerifyMode

    encrypted = Signal()
    encryptedBytesWritten = Signal(int)
    modeChanged = Signal(SslMode)
    peerVerifyError = Signal(QSslError)
    sslErrors = Signal(list)
    preSharedKeyAuthenticationRequired = Signal(object)
    newSessionTicketReceived = Signal()
    alertSent = Signal(QSsl.AlertLevel, QSsl.AlertType, str)
    alertReceived = Signal(QSsl.AlertLevel, QSsl.AlertType, str)
    handshakeInterruptedOnError = Signal(QSslError)

    _mode = SslMode.UnencryptedMode
    _encrypted = False
    _config: QSslConfiguration | None = None
    _ignore_all = False
    _ignore_list: list[QSslError] | None = None
    _handshake_errors: list[QSslError] | tuple[()] = ()
    _auto_handshake = False
    _initialized = False
    _close_when_encrypted = False
    _verify_name = ""
    _tls_paused = False
    _server: QSslServer | None = None  # set while a QSslServer handshakes this socket

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        UnencryptedMode: ClassVar[_Mode]
        SslClientMode: ClassVar[_Mode]
        SslServerMode: ClassVar[_Mode]
        VerifyNone: ClassVar[_VerifyMode]
        QueryPeer: ClassVar[_VerifyMode]
        VerifyPeer: ClassVar[_VerifyMode]
        AutoVerifyPeer: ClassVar[_VerifyMode]

    def __init__(self, parent: QObject | None = None, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)

    # -- configuration ----------------------------------------------------------------------
    def _cfg(self) -> QSslConfiguration:
        cfg = self._config
        if cfg is None:
            self._config = cfg = QSslConfiguration.defaultConfiguration()
        return cfg

    def sslConfiguration(self) -> QSslConfiguration:  # noqa: N802
        return QSslConfiguration(self._cfg())

    def setSslConfiguration(self, configuration: QSslConfiguration) -> None:  # noqa: N802
        self._config = QSslConfiguration(configuration)

    def localCertificate(self) -> QSslCertificate:  # noqa: N802
        return self._cfg().localCertificate()

    def setLocalCertificate(self, certificate: Any, format: int = QSsl.EncodingFormat.Pem) -> None:  # noqa: N802,A002
        if isinstance(certificate, str):
            found = QSslCertificate.fromPath(certificate, format)
            certificate = found[0] if found else QSslCertificate()
        self._cfg().setLocalCertificate(certificate)

    def localCertificateChain(self) -> list[QSslCertificate]:  # noqa: N802
        return self._cfg().localCertificateChain()

    def setLocalCertificateChain(self, localChain: list[QSslCertificate]) -> None:  # noqa: N802,N803
        self._cfg().setLocalCertificateChain(localChain)

    def privateKey(self) -> QSslKey:  # noqa: N802
        return self._cfg().privateKey()

    def setPrivateKey(self, key: Any, algorithm: int = QSsl.KeyAlgorithm.Rsa,  # noqa: N802
                      format: int = QSsl.EncodingFormat.Pem, passPhrase: Any = b"") -> None:  # noqa: A002,N803
        if isinstance(key, str):  # setPrivateKey(fileName, algorithm, format, passPhrase)
            try:
                with open(key, "rb") as f:
                    key = QSslKey(f.read(), algorithm, format, QSsl.KeyType.PrivateKey, passPhrase)
            except OSError:
                key = QSslKey()
        self._cfg().setPrivateKey(key)

    def protocol(self) -> QSsl.SslProtocol:
        return self._cfg().protocol()

    def setProtocol(self, protocol: int) -> None:  # noqa: N802
        self._cfg().setProtocol(protocol)

    def peerVerifyMode(self) -> _VerifyMode:  # noqa: N802
        return self._cfg().peerVerifyMode()

    def setPeerVerifyMode(self, mode: int) -> None:  # noqa: N802
        self._cfg().setPeerVerifyMode(mode)

    def peerVerifyDepth(self) -> int:  # noqa: N802
        return self._cfg().peerVerifyDepth()

    def setPeerVerifyDepth(self, depth: int) -> None:  # noqa: N802
        self._cfg().setPeerVerifyDepth(depth)

    def peerVerifyName(self) -> str:  # noqa: N802
        return self._verify_name

    def setPeerVerifyName(self, hostName: str) -> None:  # noqa: N802,N803
        self._verify_name = hostName

    # -- session facts ---------------------------------------------------------------------
    def mode(self) -> _Mode:
        return self._mode

    def isEncrypted(self) -> bool:  # noqa: N802
        return self._encrypted

    def peerCertificate(self) -> QSslCertificate:  # noqa: N802
        return self._cfg().peerCertificate()

    def peerCertificateChain(self) -> list[QSslCertificate]:  # noqa: N802
        return self._cfg().peerCertificateChain()

    def sessionCipher(self) -> QSslCipher:  # noqa: N802
        return self._cfg().sessionCipher()

    def sessionProtocol(self) -> QSsl.SslProtocol:  # noqa: N802
        return self._cfg().sessionProtocol()

    def sslHandshakeErrors(self) -> list[QSslError]:  # noqa: N802
        return list(self._handshake_errors)

    def ocspResponses(self) -> list[Any]:  # noqa: N802
        return []

    def encryptedBytesAvailable(self) -> int:  # noqa: N802
        eng = self._engine
        return eng._in.pending if isinstance(eng, TlsEngine) else 0

    def encryptedBytesToWrite(self) -> int:  # noqa: N802
        eng = self._engine
        return len(eng._cout) if isinstance(eng, TlsEngine) else 0

    # -- errors the program accepts ------------------------------------------------------------
    def ignoreSslErrors(self, errors: list[QSslError] | None = None) -> None:  # noqa: N802
        """All errors (no argument), or exactly these (each code with its certificate)."""
        if errors is None:
            self._ignore_all = True
        else:
            self._ignore_list = list(errors)

    def _errors_ignored(self) -> bool:
        wanted = self._ignore_list
        if wanted:
            return all(e in wanted for e in self._handshake_errors)
        return self._ignore_all

    # -- starting encryption -----------------------------------------------------------------
    def _init_tls(self) -> None:
        """Qt's QSslSocketPrivate::init (the ignore list survives, as in Qt)."""
        self._mode = SslMode.UnencryptedMode
        self._auto_handshake = False
        self._encrypted = False
        self._ignore_all = False
        self._close_when_encrypted = False
        self._tls_paused = False
        self._handshake_errors = ()
        if self._config is not None:
            self._config._clear_session()

    def connectToHost(self, hostName: Any, port: int, openMode: int = 3,  # noqa: N802,N803
                      protocol: int = 2) -> None:
        if not self._initialized:
            self._init_tls()
        self._initialized = False
        super().connectToHost(hostName, port, openMode, protocol)

    def setSocketDescriptor(self, socketDescriptor: int, state: int = _CONNECTED,  # noqa: N802,N803
                            openMode: int = 3) -> bool:  # noqa: N803
        self._init_tls()
        return super().setSocketDescriptor(socketDescriptor, state, openMode)

    def connectToHostEncrypted(self, hostName: Any, port: int, *args: Any) -> None:  # noqa: N802,N803
        """``(host, port, mode=ReadWrite, protocol=AnyIP)`` or
        ``(host, port, sslPeerName, mode, protocol)``."""
        if self._state != _UNCONNECTED:
            _warn("QSslSocket::connectToHostEncrypted() called when already connecting/connected")
            return
        rest = list(args)
        if rest and isinstance(rest[0], str):
            self._verify_name = rest.pop(0)
        open_mode = int(rest[0]) if rest else 3
        protocol = int(rest[1]) if len(rest) > 1 else 2
        self._init_tls()
        self._initialized = True
        self._auto_handshake = True
        self.connectToHost(hostName, port, open_mode, protocol)

    def _connection_established(self) -> None:
        if not self._auto_handshake:
            super()._connection_established()
            return
        # Qt keeps a close requested while connecting until the handshake is over.
        self._close_when_encrypted, self._pending_close = self._pending_close, False
        super()._connection_established()
        if self._state == _CONNECTED and self._mode == SslMode.UnencryptedMode:
            self.startClientEncryption()

    def startClientEncryption(self) -> None:  # noqa: N802
        if self._mode != SslMode.UnencryptedMode:
            _warn("QSslSocket::startClientEncryption: "
                  "cannot start handshake on non-plain connection")
            return
        if self._state != _CONNECTED:
            _warn("QSslSocket::startClientEncryption: cannot start handshake when not connected")
            return
        self._mode = SslMode.SslClientMode
        self.modeChanged.emit(self._mode)
        self._start_tls(False)

    def startServerEncryption(self) -> None:  # noqa: N802
        if self._mode != SslMode.UnencryptedMode:
            _warn("QSslSocket::startServerEncryption: "
                  "cannot start handshake on non-plain connection")
            return
        self._mode = SslMode.SslServerMode
        self.modeChanged.emit(self._mode)
        self._start_tls(True)

    def _start_tls(self, server_side: bool) -> None:
        plain = self._engine
        if plain is None or self._state not in (_CONNECTED, _CLOSING):
            return
        cfg = self._cfg()
        try:
            ctx = cfg._to_ssl_context(server_side)
        except EngineError as e:
            self._tls_failed(e)
            return
        hub = plain.hub if plain.hub is not None else hub_for(self._td)
        tls = TlsEngine.take_over(plain)
        self._engine = tls
        tls.attach(hub, self._read_ready, self._write_ready)
        if self._rbuf and len(self._rbuf) > self._roff:  # received before TLS started
            tls.feed(bytes(self._rbuf[self._roff:]))
            self._reset_read_state()
        hostname = None
        if not server_side and not cfg.testSslOption(
                QSsl.SslOption.SslOptionDisableServerNameIndication):
            name = self._verify_name or self._peer_name
            if name and QHostAddress(name).isNull():
                hostname = name
        try:
            tls.start(ctx, server_side, self._tls_done, server_hostname=hostname)
        except EngineError as e:
            self._tls_failed(e)

    def _tls_failed(self, e: EngineError) -> None:
        self._set_error_emit(e.code, e.text)
        eng = self._engine
        if isinstance(eng, TlsEngine):
            eng.abortive = True
        if self._state != _UNCONNECTED:
            self.abort()

    # -- the handshake's end -------------------------------------------------------------------
    def _tls_done(self, err: EngineError | None) -> None:
        eng = self._engine
        if not isinstance(eng, TlsEngine):
            return
        if err is not None:
            self._handshake_failed(eng, err)
            return
        cfg = self._cfg()
        cfg._set_session(eng.ssl, eng.peer_chain_der())
        errors = self._check_peer(cfg)
        if errors is None or self._state != _CONNECTED:
            return  # a slot closed the socket
        self._handshake_errors = errors
        if errors:
            srv = self._server
            if srv is not None:
                srv.sslErrors.emit(self, list(errors))
            self.sslErrors.emit(list(errors))
            if self._state != _CONNECTED or self._engine is not eng:
                return
            if self._must_verify() and not self._errors_ignored():
                if self._pause_mode & 1:  # PauseOnSslErrors: wait for resume()
                    self._tls_paused = True
                    return
                self._reject_peer(eng)
                return
        self._go_encrypted(eng)

    def _must_verify(self) -> bool:
        vm = self._cfg()._verify_mode
        return vm == PeerVerifyMode.VerifyPeer or (
            vm == PeerVerifyMode.AutoVerifyPeer and self._mode == SslMode.SslClientMode)

    def _emit_verify_error(self, error: QSslError) -> bool:
        """peerVerifyError (and the server's); False if a slot closed the socket."""
        srv = self._server
        if srv is not None:
            srv.peerVerifyError.emit(self, error)
        self.peerVerifyError.emit(error)
        return self._state == _CONNECTED

    def _check_peer(self, cfg: QSslConfiguration) -> list[QSslError] | None:
        client = self._mode == SslMode.SslClientMode
        peer = cfg._peer_cert
        chain_errors: list[QSslError] = []
        if client and not peer.isNull() and cfg._verify_mode != PeerVerifyMode.VerifyNone:
            chain_errors = verify_chain(cfg._peer_chain, cfg._trusted(), True, cfg._verify_depth)
        for e in chain_errors:
            if not self._emit_verify_error(e):
                return None
        errors: list[QSslError] = []
        if not peer.isNull():
            if client and not matches_hostname(peer, self._verify_name or self._peer_name):
                e = QSslError(SslError.HostNameMismatch, peer)
                errors.append(e)
                if not self._emit_verify_error(e):
                    return None
        elif self._must_verify():
            e = QSslError(SslError.NoPeerCertificate)
            errors.append(e)
            if not self._emit_verify_error(e):
                return None
        return errors + chain_errors

    def _reject_peer(self, eng: TlsEngine) -> None:
        first = list(self._handshake_errors)[0]
        self._set_error_emit(SSL_HANDSHAKE_FAILED, first.errorString())
        if self._engine is eng and self._state != _UNCONNECTED:
            eng.abortive = True
            self.abort()

    def _handshake_failed(self, eng: TlsEngine, err: EngineError) -> None:
        if eng.verify_error is not None:  # a server's VerifyPeer, checked by OpenSSL
            code = OPENSSL_TO_QT.get(eng.verify_error.verify_code, SslError.UnspecifiedError)
            error = QSslError(code)
            self._handshake_errors = [error]
            if not self._emit_verify_error(error):
                return
            srv = self._server
            if srv is not None:
                srv.sslErrors.emit(self, [error])
            self.sslErrors.emit([error])
            if self._state != _CONNECTED or self._engine is not eng:
                return
        if err.code == se.REMOTE_HOST_CLOSED:
            self._set_error_emit(err.code, err.text)
            if self._engine is eng:
                self._reset_socket_layer()
                self.disconnectFromHost()
            return
        self._tls_failed(err)

    def _go_encrypted(self, eng: TlsEngine) -> None:
        eng.open_data()
        self._encrypted = True
        self.encrypted.emit()
        srv = self._server
        if srv is not None:
            srv._socket_encrypted(self)
        if self._engine is not eng or self._state not in (_CONNECTED, _CLOSING):
            return
        if self._wbuf:
            self._flush()
        if self._close_when_encrypted:
            self._close_when_encrypted = False
            self.disconnectFromHost()

    def resume(self) -> None:
        """Continue a handshake paused on sslErrors (PauseOnSslErrors)."""
        if not self._tls_paused:
            return
        self._tls_paused = False
        eng = self._engine
        if not isinstance(eng, TlsEngine) or eng.state != VERIFYING:
            return
        if self._errors_ignored():
            self._go_encrypted(eng)
        else:
            self._reject_peer(eng)

    def continueInterruptedHandshake(self) -> None:  # noqa: N802
        """Nothing interrupts a handshake here (handshakeMustInterruptOnError is not supported)."""

    # -- closing ---------------------------------------------------------------------------------
    def abort(self) -> None:
        eng = self._engine
        if isinstance(eng, TlsEngine):
            eng.abortive = True
        super().abort()

    def _remote_closed(self) -> None:
        eng = self._engine
        if isinstance(eng, TlsEngine) and eng.close_notify_received:
            self._set_error_emit(se.REMOTE_HOST_CLOSED, T_TLS_CLOSED)
            self._reset_socket_layer()
            self.disconnectFromHost()
            return
        super()._remote_closed()

    def _set_error_emit(self, code: int, text: str) -> None:
        super()._set_error_emit(code, text)
        srv = self._server
        if srv is not None and not self._encrypted:
            srv._socket_failed(self, code)

    # -- blocking waits ----------------------------------------------------------------------------
    def waitForEncrypted(self, msecs: int = 30000) -> bool:  # noqa: N802
        if self._encrypted:
            return True
        if self._mode == SslMode.UnencryptedMode and not self._auto_handshake:
            return False
        end = None if msecs < 0 else time.monotonic() + msecs / 1000.0

        def left() -> int:
            return -1 if end is None else max(0, int((end - time.monotonic()) * 1000))

        if self._state in (_HOSTLOOKUP, _CONNECTING) and not self.waitForConnected(msecs):
            return False
        while not self._encrypted:
            if self._state != _CONNECTED:
                return False
            if self._mode == SslMode.UnencryptedMode:
                self.startClientEncryption()
                continue
            eng = self._engine
            if not isinstance(eng, TlsEngine) or eng.state != HANDSHAKING:
                return self._encrypted
            if not eng.handshake_wait(left()):
                self._set_error_emit(se.SOCKET_TIMEOUT, se.T_TIMEOUT)
                return False
        return True

    def _handshaking(self) -> bool:
        eng = self._engine
        return isinstance(eng, TlsEngine) and eng.state in (HANDSHAKING, VERIFYING) and \
            self._state == _CONNECTED

    def _handshake_pending(self) -> bool:
        connecting = self._auto_handshake and self._state in (_HOSTLOOKUP, _CONNECTING)
        return connecting or self._handshaking()

    def waitForReadyRead(self, msecs: int = 30000) -> bool:  # noqa: N802
        start = time.monotonic()
        if self._handshake_pending():
            if not self.waitForEncrypted(msecs):
                return False
            if msecs >= 0:
                msecs = max(0, msecs - int((time.monotonic() - start) * 1000))
        return super().waitForReadyRead(msecs)

    def waitForBytesWritten(self, msecs: int = 30000) -> bool:  # noqa: N802
        start = time.monotonic()
        if self._handshake_pending():
            if not self.waitForEncrypted(msecs):
                return False
            if msecs >= 0:
                msecs = max(0, msecs - int((time.monotonic() - start) * 1000))
        return super().waitForBytesWritten(msecs)

    # -- what this build supports (static, as in Qt) ----------------------------------------
    @staticmethod
    def supportsSsl() -> bool:  # noqa: N802
        try:
            import cryptography  # noqa: F401
        except ImportError:
            return False
        return True

    @staticmethod
    def sslLibraryVersionString() -> str:  # noqa: N802
        return _ssl.OPENSSL_VERSION

    @staticmethod
    def sslLibraryVersionNumber() -> int:  # noqa: N802
        return _ssl.OPENSSL_VERSION_NUMBER

    sslLibraryBuildVersionString = sslLibraryVersionString
    sslLibraryBuildVersionNumber = sslLibraryVersionNumber


export_enums(QSslSocket, SslMode, PeerVerifyMode)
