"""QSslSocket's static backend queries: one backend, Python's ``ssl`` (OpenSSL).

Qt 6 can have several TLS backends (OpenSSL, Schannel, Secure Transport);
qtnet has exactly one, so these answer for it.  A base class of QSslSocket,
kept apart so sslsocket.py holds the socket itself.
"""

from __future__ import annotations

from .ssl import QSsl

__all__ = ["SslBackendQueries"]


class SslBackendQueries:
    """``QSslSocket.activeBackend()`` and friends (all static)."""

    __slots__ = ()

    @staticmethod
    def activeBackend() -> str:  # noqa: N802
        return "openssl"

    @staticmethod
    def availableBackends() -> list[str]:  # noqa: N802
        return ["openssl"]

    @staticmethod
    def setActiveBackend(backendName: str) -> bool:  # noqa: N802,N803
        return backendName == "openssl"

    @staticmethod
    def supportedProtocols(backendName: str = "") -> list[QSsl.SslProtocol]:  # noqa: N802,N803
        P = QSsl.SslProtocol  # noqa: N806
        return [
            P.TlsV1_2,
            P.TlsV1_2OrLater,
            P.TlsV1_3,
            P.TlsV1_3OrLater,
            P.SecureProtocols,
            P.AnyProtocol,
        ]

    @staticmethod
    def isProtocolSupported(protocol: int, backendName: str = "") -> bool:  # noqa: N802,N803
        return int(protocol) in [int(p) for p in SslBackendQueries.supportedProtocols()]

    @staticmethod
    def implementedClasses(backendName: str = "") -> list[QSsl.ImplementedClass]:  # noqa: N802,N803
        C = QSsl.ImplementedClass  # noqa: N806
        return [C.Key, C.Certificate, C.Socket]

    @staticmethod
    def isClassImplemented(cl: int, backendName: str = "") -> bool:  # noqa: N802,N803
        return int(cl) in [int(c) for c in SslBackendQueries.implementedClasses()]

    @staticmethod
    def supportedFeatures(backendName: str = "") -> list[QSsl.SupportedFeature]:  # noqa: N802,N803
        F = QSsl.SupportedFeature  # noqa: N806
        return [F.CertificateVerification, F.ClientSideAlpn, F.ServerSideAlpn]

    @staticmethod
    def isFeatureSupported(feat: int, backendName: str = "") -> bool:  # noqa: N802,N803
        return int(feat) in [int(f) for f in SslBackendQueries.supportedFeatures()]
