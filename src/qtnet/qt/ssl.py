"""The QSsl namespace: TLS enums with Qt 6's values (checked against PySide6 6.12).

The TLS classes live in their own modules (``sslcertificate``, ``sslkey``,
``sslerror``, ``sslconfiguration``, ``sslsocket``, ``sslserver``); this module
holds only what they share.  Members are reachable both ways, as in PySide6:
``QSsl.Pem`` and ``QSsl.EncodingFormat.Pem``.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, ClassVar

from .enums import export_enums

__all__ = ["QSsl", "SslMode", "PeerVerifyMode"]


class QSsl:
    """Qt's ``QSsl`` namespace."""

    class KeyType(enum.IntEnum):
        PrivateKey = 0
        PublicKey = 1

    class EncodingFormat(enum.IntEnum):
        Pem = 0
        Der = 1

    class KeyAlgorithm(enum.IntEnum):
        Opaque = 0
        Rsa = 1
        Dsa = 2
        Ec = 3
        Dh = 4
        MlDsa = 5

    class AlternativeNameEntryType(enum.IntEnum):
        EmailEntry = 0
        DnsEntry = 1
        IpAddressEntry = 2

    class SslProtocol(enum.IntEnum):
        TlsV1_0 = 0
        TlsV1_1 = 1
        TlsV1_2 = 2
        AnyProtocol = 3
        SecureProtocols = 4
        TlsV1_0OrLater = 5
        TlsV1_1OrLater = 6
        TlsV1_2OrLater = 7
        DtlsV1_0 = 8
        DtlsV1_0OrLater = 9
        DtlsV1_2 = 10
        DtlsV1_2OrLater = 11
        TlsV1_3 = 12
        TlsV1_3OrLater = 13
        UnknownProtocol = -1

    class SslOption(enum.IntFlag):
        SslOptionDisableEmptyFragments = 0x01
        SslOptionDisableSessionTickets = 0x02
        SslOptionDisableCompression = 0x04
        SslOptionDisableServerNameIndication = 0x08
        SslOptionDisableLegacyRenegotiation = 0x10
        SslOptionDisableSessionSharing = 0x20
        SslOptionDisableSessionPersistence = 0x40
        SslOptionDisableServerCipherPreference = 0x80

    class AlertLevel(enum.IntEnum):
        Warning = 0
        Fatal = 1
        Unknown = 2

    class AlertType(enum.IntEnum):
        CloseNotify = 0
        UnexpectedMessage = 10
        BadRecordMac = 20
        RecordOverflow = 22
        DecompressionFailure = 30
        HandshakeFailure = 40
        NoCertificate = 41
        BadCertificate = 42
        UnsupportedCertificate = 43
        CertificateRevoked = 44
        CertificateExpired = 45
        CertificateUnknown = 46
        IllegalParameter = 47
        UnknownCa = 48
        AccessDenied = 49
        DecodeError = 50
        DecryptError = 51
        ExportRestriction = 60
        ProtocolVersion = 70
        InsufficientSecurity = 71
        InternalError = 80
        InappropriateFallback = 86
        UserCancelled = 90
        NoRenegotiation = 100
        MissingExtension = 109
        UnsupportedExtension = 110
        CertificateUnobtainable = 111
        UnrecognizedName = 112
        BadCertificateStatusResponse = 113
        BadCertificateHashValue = 114
        UnknownPskIdentity = 115
        CertificateRequired = 116
        NoApplicationProtocol = 120
        UnknownAlertMessage = 255

    class ImplementedClass(enum.IntEnum):
        Key = 0
        Certificate = 1
        Socket = 2
        DiffieHellman = 3
        EllipticCurve = 4
        Dtls = 5
        DtlsCookie = 6

    class SupportedFeature(enum.IntEnum):
        CertificateVerification = 0
        ClientSideAlpn = 1
        ServerSideAlpn = 2
        Ocsp = 3
        Psk = 4
        SessionTicket = 5
        Alerts = 6

    SslOptions = SslOption

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        PrivateKey: ClassVar[QSsl.KeyType]
        PublicKey: ClassVar[QSsl.KeyType]
        Pem: ClassVar[QSsl.EncodingFormat]
        Der: ClassVar[QSsl.EncodingFormat]
        Opaque: ClassVar[QSsl.KeyAlgorithm]
        Rsa: ClassVar[QSsl.KeyAlgorithm]
        Dsa: ClassVar[QSsl.KeyAlgorithm]
        Ec: ClassVar[QSsl.KeyAlgorithm]
        Dh: ClassVar[QSsl.KeyAlgorithm]
        MlDsa: ClassVar[QSsl.KeyAlgorithm]
        EmailEntry: ClassVar[QSsl.AlternativeNameEntryType]
        DnsEntry: ClassVar[QSsl.AlternativeNameEntryType]
        IpAddressEntry: ClassVar[QSsl.AlternativeNameEntryType]
        TlsV1_0: ClassVar[QSsl.SslProtocol]
        TlsV1_1: ClassVar[QSsl.SslProtocol]
        TlsV1_2: ClassVar[QSsl.SslProtocol]
        AnyProtocol: ClassVar[QSsl.SslProtocol]
        SecureProtocols: ClassVar[QSsl.SslProtocol]
        TlsV1_0OrLater: ClassVar[QSsl.SslProtocol]
        TlsV1_1OrLater: ClassVar[QSsl.SslProtocol]
        TlsV1_2OrLater: ClassVar[QSsl.SslProtocol]
        DtlsV1_0: ClassVar[QSsl.SslProtocol]
        DtlsV1_0OrLater: ClassVar[QSsl.SslProtocol]
        DtlsV1_2: ClassVar[QSsl.SslProtocol]
        DtlsV1_2OrLater: ClassVar[QSsl.SslProtocol]
        TlsV1_3: ClassVar[QSsl.SslProtocol]
        TlsV1_3OrLater: ClassVar[QSsl.SslProtocol]
        UnknownProtocol: ClassVar[QSsl.SslProtocol]
        SslOptionDisableEmptyFragments: ClassVar[QSsl.SslOption]
        SslOptionDisableSessionTickets: ClassVar[QSsl.SslOption]
        SslOptionDisableCompression: ClassVar[QSsl.SslOption]
        SslOptionDisableServerNameIndication: ClassVar[QSsl.SslOption]
        SslOptionDisableLegacyRenegotiation: ClassVar[QSsl.SslOption]
        SslOptionDisableSessionSharing: ClassVar[QSsl.SslOption]
        SslOptionDisableSessionPersistence: ClassVar[QSsl.SslOption]
        SslOptionDisableServerCipherPreference: ClassVar[QSsl.SslOption]
        Warning: ClassVar[QSsl.AlertLevel]
        Fatal: ClassVar[QSsl.AlertLevel]
        Unknown: ClassVar[QSsl.AlertLevel]
        CloseNotify: ClassVar[QSsl.AlertType]
        UnexpectedMessage: ClassVar[QSsl.AlertType]
        BadRecordMac: ClassVar[QSsl.AlertType]
        RecordOverflow: ClassVar[QSsl.AlertType]
        DecompressionFailure: ClassVar[QSsl.AlertType]
        HandshakeFailure: ClassVar[QSsl.AlertType]
        NoCertificate: ClassVar[QSsl.AlertType]
        BadCertificate: ClassVar[QSsl.AlertType]
        UnsupportedCertificate: ClassVar[QSsl.AlertType]
        CertificateRevoked: ClassVar[QSsl.AlertType]
        CertificateExpired: ClassVar[QSsl.AlertType]
        CertificateUnknown: ClassVar[QSsl.AlertType]
        IllegalParameter: ClassVar[QSsl.AlertType]
        UnknownCa: ClassVar[QSsl.AlertType]
        AccessDenied: ClassVar[QSsl.AlertType]
        DecodeError: ClassVar[QSsl.AlertType]
        DecryptError: ClassVar[QSsl.AlertType]
        ExportRestriction: ClassVar[QSsl.AlertType]
        ProtocolVersion: ClassVar[QSsl.AlertType]
        InsufficientSecurity: ClassVar[QSsl.AlertType]
        InternalError: ClassVar[QSsl.AlertType]
        InappropriateFallback: ClassVar[QSsl.AlertType]
        UserCancelled: ClassVar[QSsl.AlertType]
        NoRenegotiation: ClassVar[QSsl.AlertType]
        MissingExtension: ClassVar[QSsl.AlertType]
        UnsupportedExtension: ClassVar[QSsl.AlertType]
        CertificateUnobtainable: ClassVar[QSsl.AlertType]
        UnrecognizedName: ClassVar[QSsl.AlertType]
        BadCertificateStatusResponse: ClassVar[QSsl.AlertType]
        BadCertificateHashValue: ClassVar[QSsl.AlertType]
        UnknownPskIdentity: ClassVar[QSsl.AlertType]
        CertificateRequired: ClassVar[QSsl.AlertType]
        NoApplicationProtocol: ClassVar[QSsl.AlertType]
        UnknownAlertMessage: ClassVar[QSsl.AlertType]
        Key: ClassVar[QSsl.ImplementedClass]
        Certificate: ClassVar[QSsl.ImplementedClass]
        Socket: ClassVar[QSsl.ImplementedClass]
        DiffieHellman: ClassVar[QSsl.ImplementedClass]
        EllipticCurve: ClassVar[QSsl.ImplementedClass]
        Dtls: ClassVar[QSsl.ImplementedClass]
        DtlsCookie: ClassVar[QSsl.ImplementedClass]
        CertificateVerification: ClassVar[QSsl.SupportedFeature]
        ClientSideAlpn: ClassVar[QSsl.SupportedFeature]
        ServerSideAlpn: ClassVar[QSsl.SupportedFeature]
        Ocsp: ClassVar[QSsl.SupportedFeature]
        Psk: ClassVar[QSsl.SupportedFeature]
        SessionTicket: ClassVar[QSsl.SupportedFeature]
        Alerts: ClassVar[QSsl.SupportedFeature]


export_enums(QSsl, QSsl.KeyType, QSsl.EncodingFormat, QSsl.KeyAlgorithm,
             QSsl.AlternativeNameEntryType, QSsl.SslProtocol, QSsl.SslOption, QSsl.AlertLevel,
             QSsl.AlertType, QSsl.ImplementedClass, QSsl.SupportedFeature)


class SslMode(enum.IntEnum):
    """QSslSocket::SslMode."""

    UnencryptedMode = 0
    SslClientMode = 1
    SslServerMode = 2


class PeerVerifyMode(enum.IntEnum):
    """QSslSocket::PeerVerifyMode (also used by QSslConfiguration)."""

    VerifyNone = 0
    QueryPeer = 1
    VerifyPeer = 2
    AutoVerifyPeer = 3
