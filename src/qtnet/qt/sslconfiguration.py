"""QSslConfiguration (value type) and QSslCipher, and how they become an ``ssl.SSLContext``.

Defaults are Qt 6's: protocol SecureProtocols (TLS 1.2 or later), peer verify
mode AutoVerifyPeer (VerifyPeer for clients, QueryPeer for servers), depth 0
(no limit), the system's CA certificates, loaded on first use.

``_to_ssl_context(server_side)`` builds the context once per configuration
and per side; copies of a configuration (every ``sslConfiguration()``, every
socket a QSslServer makes) share it until one of them is changed, so a server
builds one context for all its connections.  How verification maps onto it:

* a **client** context never verifies in OpenSSL (CERT_NONE, no host name
  check): QSslSocket verifies the presented chain itself after the handshake
  (``sslverify.py``) so that ``sslErrors``/``ignoreSslErrors`` work as in Qt;
* a **server** context with VerifyPeer requests and verifies the client's
  certificate in OpenSSL (CERT_REQUIRED against ``caCertificates``): Python's
  ``ssl`` cannot request a certificate without verifying it, so a failure
  there ends the handshake and cannot be ignored; QueryPeer (the server
  default) does not request a client certificate at all.

Certificates and keys reach OpenSSL through anonymous in-memory files
(``memfd``) where the platform has them, never through the file system.
Unusable settings raise ``EngineError`` with SslInvalidUserDataError and
Qt's texts ("Cannot provide a certificate with no key", ...).
"""

from __future__ import annotations

import contextlib
import os
import ssl
import tempfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from ..iocore.socket_errors import EngineError
from ..iocore.tls_engine import SSL_INVALID_USER_DATA, describe_ssl_error
from .enums import export_enums
from .ssl import PeerVerifyMode, QSsl
from .sslcertificate import QSslCertificate
from .sslkey import QSslKey

__all__ = ["QSslConfiguration", "QSslCipher"]

_P = QSsl.SslProtocol
_V = ssl.TLSVersion
# SslProtocol -> (minimum, maximum) TLS version; None: OpenSSL's own bound
_VERSIONS: dict[int, tuple[Any, Any]] = {
    _P.TlsV1_0: (_V.TLSv1, _V.TLSv1), _P.TlsV1_1: (_V.TLSv1_1, _V.TLSv1_1),
    _P.TlsV1_2: (_V.TLSv1_2, _V.TLSv1_2), _P.TlsV1_3: (_V.TLSv1_3, _V.TLSv1_3),
    _P.AnyProtocol: (_V.TLSv1, None), _P.TlsV1_0OrLater: (_V.TLSv1, None),
    _P.TlsV1_1OrLater: (_V.TLSv1_1, None), _P.SecureProtocols: (_V.TLSv1_2, None),
    _P.TlsV1_2OrLater: (_V.TLSv1_2, None), _P.TlsV1_3OrLater: (_V.TLSv1_3, None),
}
_SESSION_PROTOCOLS = {"TLSv1": _P.TlsV1_0, "TLSv1.1": _P.TlsV1_1, "TLSv1.2": _P.TlsV1_2,
                      "TLSv1.3": _P.TlsV1_3}
_DEFAULT_OPTIONS = int(QSsl.SslOption.SslOptionDisableEmptyFragments
                       | QSsl.SslOption.SslOptionDisableLegacyRenegotiation
                       | QSsl.SslOption.SslOptionDisableCompression
                       | QSsl.SslOption.SslOptionDisableSessionPersistence)


class QSslCipher:
    """A negotiated cipher suite: ``QSslCipher(name, protocol=UnknownProtocol)``."""

    __slots__ = ("_name", "_protocol", "_bits", "_protocol_string")

    def __init__(self, name: str = "", protocol: int = _P.UnknownProtocol) -> None:
        self._name = name
        self._protocol = _P(int(protocol))
        self._bits = 0
        self._protocol_string = ""

    @classmethod
    def _from_ssl(cls, info: tuple[str, str, int] | None) -> QSslCipher:
        if not info:
            return cls()
        c = cls(info[0], _SESSION_PROTOCOLS.get(info[1], _P.UnknownProtocol))
        c._protocol_string = info[1]
        c._bits = int(info[2] or 0)
        return c

    def isNull(self) -> bool:  # noqa: N802
        return not self._name

    def name(self) -> str:
        return self._name

    def protocol(self) -> QSsl.SslProtocol:
        return self._protocol

    def protocolString(self) -> str:  # noqa: N802
        return self._protocol_string

    def usedBits(self) -> int:  # noqa: N802
        return self._bits

    def supportedBits(self) -> int:  # noqa: N802
        return self._bits

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslCipher):
            return NotImplemented
        return self._name == other._name and self._protocol == other._protocol

    def __hash__(self) -> int:
        return hash((self._name, int(self._protocol)))

    def __repr__(self) -> str:
        return f"<QSslCipher {self._name!r} {self._protocol_string}>"


class QSslConfiguration:
    """TLS settings of a socket or server, and the facts of an established session."""

    NextProtocolNegotiationStatus = None  # set below (an enum)
    NextProtocolHttp1_1 = b"http/1.1"
    ALPNProtocolHTTP2 = b"h2"

    _default: QSslConfiguration | None = None
    _local_chain: list[QSslCertificate]
    _ca: list[QSslCertificate] | None  # None: the system's (on demand)
    _alpn: list[bytes]
    _peer_chain: list[QSslCertificate]
    _ctx: dict[bool, ssl.SSLContext]

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        NextProtocolNegotiationNone: ClassVar[_NpnStatus]
        NextProtocolNegotiationNegotiated: ClassVar[_NpnStatus]
        NextProtocolNegotiationUnsupported: ClassVar[_NpnStatus]

    def __init__(self, other: QSslConfiguration | None = None) -> None:
        if other is not None:
            self.__dict__.update(other.__dict__)
            self._ca = None if other._ca is None else list(other._ca)
            self._local_chain = list(other._local_chain)
            self._alpn = list(other._alpn)
            self._peer_chain = list(other._peer_chain)
            return
        self._null = True
        self._local_chain = []
        self._key = QSslKey()
        self._ca = None
        self._protocol = _P.SecureProtocols
        self._verify_mode = PeerVerifyMode.AutoVerifyPeer
        self._verify_depth = 0
        self._alpn = []
        self._options = _DEFAULT_OPTIONS
        self._ciphers: list[Any] = []
        self._interrupt_on_error = False
        self._missing_cert_fatal = False
        self._peer_cert = QSslCertificate()
        self._peer_chain = []
        self._cipher = QSslCipher()
        self._session_protocol = _P.UnknownProtocol
        self._negotiated = b""
        self._alpn_status = 0
        self._ctx = {}

    def _changed(self) -> None:
        self._null = False
        self._ctx = {}

    def __copy__(self) -> QSslConfiguration:
        return QSslConfiguration(self)

    # -- defaults ---------------------------------------------------------------------------
    @staticmethod
    def defaultConfiguration() -> QSslConfiguration:  # noqa: N802
        d = QSslConfiguration._default
        if d is None:
            d = QSslConfiguration()
            d._null = False
            QSslConfiguration._default = d
        return QSslConfiguration(d)

    @staticmethod
    def setDefaultConfiguration(configuration: QSslConfiguration) -> None:  # noqa: N802
        QSslConfiguration._default = QSslConfiguration(configuration)

    @staticmethod
    def systemCaCertificates() -> list[QSslCertificate]:  # noqa: N802
        from .sslverify import system_ca_certificates

        return system_ca_certificates()

    def isNull(self) -> bool:  # noqa: N802
        return self._null

    # -- local identity -----------------------------------------------------------------------
    def localCertificate(self) -> QSslCertificate:  # noqa: N802
        return self._local_chain[0] if self._local_chain else QSslCertificate()

    def setLocalCertificate(self, certificate: QSslCertificate) -> None:  # noqa: N802
        self._local_chain = [certificate] + self._local_chain[1:]
        self._changed()

    def localCertificateChain(self) -> list[QSslCertificate]:  # noqa: N802
        return list(self._local_chain)

    def setLocalCertificateChain(self, localChain: list[QSslCertificate]) -> None:  # noqa: N802,N803
        self._local_chain = list(localChain)
        self._changed()

    def privateKey(self) -> QSslKey:  # noqa: N802
        return self._key

    def setPrivateKey(self, key: QSslKey) -> None:  # noqa: N802
        self._key = key
        self._changed()

    # -- trust ----------------------------------------------------------------------------------
    def caCertificates(self) -> list[QSslCertificate]:  # noqa: N802
        if self._ca is None:
            return self.systemCaCertificates()
        return list(self._ca)

    def setCaCertificates(self, certificates: list[QSslCertificate]) -> None:  # noqa: N802
        self._ca = list(certificates)
        self._changed()

    def addCaCertificate(self, certificate: QSslCertificate) -> None:  # noqa: N802
        self._ca = self.caCertificates() + [certificate]
        self._changed()

    def addCaCertificates(self, certificates: Any, format: int = QSsl.EncodingFormat.Pem,  # noqa: N802,A002
                          syntax: int = QSslCertificate.PatternSyntax.FixedString) -> bool:
        """A list of certificates, or a path (``format``/``syntax`` as ``fromPath``)."""
        if isinstance(certificates, (str, os.PathLike)):
            found = QSslCertificate.fromPath(os.fspath(certificates), format, syntax)
            if not found:
                return False
            certificates = found
        self._ca = self.caCertificates() + list(certificates)
        self._changed()
        return True

    def _trusted(self) -> list[QSslCertificate]:
        return self.caCertificates()

    # -- verification and protocol -----------------------------------------------------------
    def peerVerifyMode(self) -> PeerVerifyMode:  # noqa: N802
        return self._verify_mode

    def setPeerVerifyMode(self, mode: int) -> None:  # noqa: N802
        self._verify_mode = PeerVerifyMode(int(mode))
        self._changed()

    def peerVerifyDepth(self) -> int:  # noqa: N802
        return self._verify_depth

    def setPeerVerifyDepth(self, depth: int) -> None:  # noqa: N802
        if depth < 0:
            return  # Qt warns and ignores a negative depth
        self._verify_depth = int(depth)
        self._changed()

    def protocol(self) -> QSsl.SslProtocol:
        return self._protocol

    def setProtocol(self, protocol: int) -> None:  # noqa: N802
        self._protocol = _P(int(protocol))
        self._changed()

    def setSslOption(self, option: int, on: bool) -> None:  # noqa: N802
        self._options = (self._options | int(option)) if on else (self._options & ~int(option))
        self._changed()

    def testSslOption(self, option: int) -> bool:  # noqa: N802
        return bool(self._options & int(option))

    def ciphers(self) -> list[Any]:
        return list(self._ciphers)

    def setCiphers(self, ciphers: Any) -> None:  # noqa: N802
        """A list of QSslCipher, or Qt's string form ``"ECDHE-RSA-AES128-GCM-SHA256:..."``."""
        if isinstance(ciphers, str):
            ciphers = [QSslCipher(n) for n in ciphers.split(":") if n]
        self._ciphers = list(ciphers)
        self._changed()

    def allowedNextProtocols(self) -> list[bytes]:  # noqa: N802
        return list(self._alpn)

    def setAllowedNextProtocols(self, protocols: list[Any]) -> None:  # noqa: N802
        self._alpn = [p.encode() if isinstance(p, str) else bytes(p) for p in protocols]
        self._changed()

    def handshakeMustInterruptOnError(self) -> bool:  # noqa: N802
        return self._interrupt_on_error

    def setHandshakeMustInterruptOnError(self, interrupt: bool) -> None:  # noqa: N802
        self._interrupt_on_error = bool(interrupt)
        self._changed()

    def missingCertificateIsFatal(self) -> bool:  # noqa: N802
        return self._missing_cert_fatal

    def setMissingCertificateIsFatal(self, cannotRecover: bool) -> None:  # noqa: N802,N803
        self._missing_cert_fatal = bool(cannotRecover)
        self._changed()

    # -- session facts (filled in by QSslSocket) -----------------------------------------------
    def peerCertificate(self) -> QSslCertificate:  # noqa: N802
        return self._peer_cert

    def peerCertificateChain(self) -> list[QSslCertificate]:  # noqa: N802
        return list(self._peer_chain)

    def sessionCipher(self) -> QSslCipher:  # noqa: N802
        return self._cipher

    def sessionProtocol(self) -> QSsl.SslProtocol:  # noqa: N802
        return self._session_protocol

    def nextNegotiatedProtocol(self) -> bytes:  # noqa: N802
        return self._negotiated

    def nextProtocolNegotiationStatus(self) -> Any:  # noqa: N802
        return _NpnStatus(self._alpn_status)

    def _set_session(self, sslobj: Any, chain_der: list[bytes]) -> None:
        self._peer_chain = [QSslCertificate._from_der(d) for d in chain_der]
        self._peer_cert = self._peer_chain[0] if self._peer_chain else QSslCertificate()
        self._cipher = QSslCipher._from_ssl(sslobj.cipher())
        self._session_protocol = _SESSION_PROTOCOLS.get(sslobj.version() or "", _P.UnknownProtocol)
        proto = sslobj.selected_alpn_protocol()
        self._negotiated = proto.encode() if proto else b""
        self._alpn_status = 1 if proto else (2 if self._alpn else 0)

    def _clear_session(self) -> None:
        self._peer_cert = QSslCertificate()
        self._peer_chain = []
        self._cipher = QSslCipher()
        self._session_protocol = _P.UnknownProtocol
        self._negotiated = b""
        self._alpn_status = 0

    # -- the ssl.SSLContext ---------------------------------------------------------------------
    def _to_ssl_context(self, server_side: bool) -> ssl.SSLContext:
        ctx = self._ctx.get(server_side)
        if ctx is None:
            ctx = self._build_context(server_side)
            self._ctx[server_side] = ctx
        return ctx

    def _build_context(self, server_side: bool) -> ssl.SSLContext:
        bounds = _VERSIONS.get(int(self._protocol))
        if bounds is None:
            raise EngineError(SSL_INVALID_USER_DATA,
                              "Error creating SSL context (unsupported protocol)")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server_side else ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        try:
            ctx.minimum_version = bounds[0]
            if bounds[1] is not None:
                ctx.maximum_version = bounds[1]
        except (ValueError, ssl.SSLError):
            raise EngineError(SSL_INVALID_USER_DATA,
                              "Error while setting the minimal protocol version") from None
        if self._options & QSsl.SslOption.SslOptionDisableSessionTickets:
            ctx.options |= ssl.OP_NO_TICKET
            if server_side:
                ctx.num_tickets = 0
        if not self._options & QSsl.SslOption.SslOptionDisableCompression:
            ctx.options &= ~ssl.OP_NO_COMPRESSION
        if self._ciphers:
            names = ":".join(c.name() if isinstance(c, QSslCipher) else str(c)
                             for c in self._ciphers)
            try:
                ctx.set_ciphers(names)
            except ssl.SSLError as e:
                text = f"Invalid or empty cipher list ({describe_ssl_error(e)})"
                raise EngineError(SSL_INVALID_USER_DATA, text) from None
        if self._alpn:
            ctx.set_alpn_protocols([p.decode("latin-1") for p in self._alpn])
        if self._local_chain and not self._local_chain[0].isNull():
            if self._key.isNull():
                raise EngineError(SSL_INVALID_USER_DATA, "Cannot provide a certificate with no key")
            chain_pem = b"".join(bytes(c.toPem()) for c in self._local_chain if not c.isNull())
            _load_cert_chain(ctx, chain_pem, self._key._pkcs8_pem())
        mode = self._verify_mode
        if server_side and mode == PeerVerifyMode.VerifyPeer:
            ctx.verify_mode = ssl.CERT_REQUIRED
            if self._verify_depth > 0:
                pass  # OpenSSL's depth is not exposed by the ssl module; the default (100) applies
            if self._ca is None:
                ctx.load_default_certs(ssl.Purpose.CLIENT_AUTH)
            elif self._ca:
                ctx.load_verify_locations(cadata=b"".join(c._der for c in self._ca))
        return ctx


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


@contextlib.contextmanager
def _private_files(*blobs: bytes) -> Iterator[list[str]]:
    """Paths OpenSSL can open holding ``blobs``: memfds, else a private temp dir."""
    if hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd"):
        fds: list[int] = []
        try:
            for blob in blobs:
                fd = os.memfd_create("qtnet-tls", getattr(os, "MFD_CLOEXEC", 1))
                fds.append(fd)
                _write_all(fd, blob)
            yield [f"/proc/self/fd/{fd}" for fd in fds]
        finally:
            for fd in fds:
                os.close(fd)
        return
    with tempfile.TemporaryDirectory(prefix="qtnet-tls-") as d:  # created 0700
        paths = []
        for i, blob in enumerate(blobs):
            p = os.path.join(d, f"{i}.pem")
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                _write_all(fd, blob)
            finally:
                os.close(fd)
            paths.append(p)
        yield paths


def _load_cert_chain(ctx: ssl.SSLContext, chain_pem: bytes, key_pem: bytes) -> None:
    with _private_files(chain_pem, key_pem) as (cert_path, key_path):
        try:
            ctx.load_cert_chain(cert_path, key_path)
        except ssl.SSLError as e:
            text = describe_ssl_error(e)
            if "mismatch" in text:
                raise EngineError(SSL_INVALID_USER_DATA,
                                  f"Private key does not certify public key, {text}") from None
            raise EngineError(SSL_INVALID_USER_DATA,
                              f"Error loading local certificate, {text}") from None


import enum as _enum  # noqa: E402


class _NpnStatus(_enum.IntEnum):
    NextProtocolNegotiationNone = 0
    NextProtocolNegotiationNegotiated = 1
    NextProtocolNegotiationUnsupported = 2


QSslConfiguration.NextProtocolNegotiationStatus = _NpnStatus  # type: ignore[assignment]
export_enums(QSslConfiguration, _NpnStatus)
