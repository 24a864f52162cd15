"""QSslError: one certificate-verification problem (value type), with Qt's codes and texts.

Codes and ``errorString()`` texts are Qt 6's (read from PySide6 6.12).  Two
errors are equal when both the code and the certificate are (Qt's rule, which
is what ``ignoreSslErrors(list)`` matches with).  ``OPENSSL_TO_QT`` maps
OpenSSL's X509_V_ERR codes (``ssl.SSLCertVerificationError.verify_code``) the
way Qt's OpenSSL backend does.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, ClassVar

from .enums import export_enums

if TYPE_CHECKING:
    from .sslcertificate import QSslCertificate

__all__ = ["QSslError", "OPENSSL_TO_QT"]


class SslError(enum.IntEnum):
    NoError = 0
    UnableToGetIssuerCertificate = 1
    UnableToDecryptCertificateSignature = 2
    UnableToDecodeIssuerPublicKey = 3
    CertificateSignatureFailed = 4
    CertificateNotYetValid = 5
    CertificateExpired = 6
    InvalidNotBeforeField = 7
    InvalidNotAfterField = 8
    SelfSignedCertificate = 9
    SelfSignedCertificateInChain = 10
    UnableToGetLocalIssuerCertificate = 11
    UnableToVerifyFirstCertificate = 12
    CertificateRevoked = 13
    InvalidCaCertificate = 14
    PathLengthExceeded = 15
    InvalidPurpose = 16
    CertificateUntrusted = 17
    CertificateRejected = 18
    SubjectIssuerMismatch = 19
    AuthorityIssuerSerialNumberMismatch = 20
    NoPeerCertificate = 21
    HostNameMismatch = 22
    NoSslSupport = 23
    CertificateBlacklisted = 24
    CertificateStatusUnknown = 25
    OcspNoResponseFound = 26
    OcspMalformedRequest = 27
    OcspMalformedResponse = 28
    OcspInternalError = 29
    OcspTryLater = 30
    OcspSigRequred = 31
    OcspUnauthorized = 32
    OcspResponseCannotBeTrusted = 33
    OcspResponseCertIdUnknown = 34
    OcspResponseExpired = 35
    OcspStatusUnknown = 36
    UnspecifiedError = -1


_E = SslError
_TEXTS: dict[int, str] = {
    _E.NoError: "No error",
    _E.UnableToGetIssuerCertificate: "The issuer certificate could not be found",
    _E.UnableToDecryptCertificateSignature: "The certificate signature could not be decrypted",
    _E.UnableToDecodeIssuerPublicKey: "The public key in the certificate could not be read",
    _E.CertificateSignatureFailed: "The signature of the certificate is invalid",
    _E.CertificateNotYetValid: "The certificate is not yet valid",
    _E.CertificateExpired: "The certificate has expired",
    _E.InvalidNotBeforeField: "The certificate's notBefore field contains an invalid time",
    _E.InvalidNotAfterField: "The certificate's notAfter field contains an invalid time",
    _E.SelfSignedCertificate: "The certificate is self-signed, and untrusted",
    _E.SelfSignedCertificateInChain:
        "The root certificate of the certificate chain is self-signed, and untrusted",
    _E.UnableToGetLocalIssuerCertificate:
        "The issuer certificate of a locally looked up certificate could not be found",
    _E.UnableToVerifyFirstCertificate: "No certificates could be verified",
    _E.InvalidCaCertificate: "One of the CA certificates is invalid",
    _E.PathLengthExceeded: "The basicConstraints path length parameter has been exceeded",
    _E.InvalidPurpose: "The supplied certificate is unsuitable for this purpose",
    _E.CertificateUntrusted: "The root CA certificate is not trusted for this purpose",
    _E.CertificateRejected: "The root CA certificate is marked to reject the specified purpose",
    _E.SubjectIssuerMismatch:
        "The current candidate issuer certificate was rejected because its "
        "subject name did not match the issuer name of the current certificate",
    _E.AuthorityIssuerSerialNumberMismatch:
        "The current candidate issuer certificate was rejected because its issuer name and serial "
        "number was present and did not match the authority key identifier of the current "
        "certificate",
    _E.NoPeerCertificate: "The peer did not present any certificate",
    _E.HostNameMismatch: "The host name did not match any of the valid hosts for this certificate",
    _E.NoSslSupport: "",
    _E.CertificateBlacklisted: "The peer certificate is blacklisted",
    _E.OcspNoResponseFound: "No OCSP status response found",
    _E.OcspMalformedRequest: "The OCSP status request had invalid syntax",
    _E.OcspMalformedResponse:
        "OCSP response contains an unexpected number of SingleResponse structures",
    _E.OcspInternalError: "OCSP responder reached an inconsistent internal state",
    _E.OcspTryLater: "OCSP responder was unable to return a status for the requested certificate",
    _E.OcspSigRequred: "The server requires the client to sign the OCSP request in order to "
                       "construct a response",
    _E.OcspUnauthorized: "The client is not authorized to request OCSP status from this server",
    _E.OcspResponseCannotBeTrusted: "OCSP responder's identity cannot be verified",
    _E.OcspResponseCertIdUnknown:
        "The identity of a certificate in an OCSP response cannot be established",
    _E.OcspResponseExpired: "The certificate status response has expired",
    _E.OcspStatusUnknown: "The certificate's status is unknown",
}

# OpenSSL X509_V_ERR_* -> QSslError::SslError (as Qt's OpenSSL backend translates them)
OPENSSL_TO_QT: dict[int, SslError] = {
    2: _E.UnableToGetIssuerCertificate,
    4: _E.UnableToDecryptCertificateSignature,
    6: _E.UnableToDecodeIssuerPublicKey,
    7: _E.CertificateSignatureFailed,
    9: _E.CertificateNotYetValid,
    10: _E.CertificateExpired,
    13: _E.InvalidNotBeforeField,
    14: _E.InvalidNotAfterField,
    18: _E.SelfSignedCertificate,
    19: _E.SelfSignedCertificateInChain,
    20: _E.UnableToGetLocalIssuerCertificate,
    21: _E.UnableToVerifyFirstCertificate,
    23: _E.CertificateRevoked,
    24: _E.InvalidCaCertificate,
    25: _E.PathLengthExceeded,
    26: _E.InvalidPurpose,
    27: _E.CertificateUntrusted,
    28: _E.CertificateRejected,
    29: _E.SubjectIssuerMismatch,
    31: _E.AuthorityIssuerSerialNumberMismatch,
    62: _E.HostNameMismatch,
}


_Code = SslError


class QSslError:
    """``QSslError(error=NoError, certificate=QSslCertificate())``."""

    SslError = SslError
    __slots__ = ("_error", "_cert")
    _error: _Code
    _cert: QSslCertificate | None

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        NoError: ClassVar[_E]
        UnableToGetIssuerCertificate: ClassVar[_E]
        UnableToDecryptCertificateSignature: ClassVar[_E]
        UnableToDecodeIssuerPublicKey: ClassVar[_E]
        CertificateSignatureFailed: ClassVar[_E]
        CertificateNotYetValid: ClassVar[_E]
        CertificateExpired: ClassVar[_E]
        InvalidNotBeforeField: ClassVar[_E]
        InvalidNotAfterField: ClassVar[_E]
        SelfSignedCertificate: ClassVar[_E]
        SelfSignedCertificateInChain: ClassVar[_E]
        UnableToGetLocalIssuerCertificate: ClassVar[_E]
        UnableToVerifyFirstCertificate: ClassVar[_E]
        CertificateRevoked: ClassVar[_E]
        InvalidCaCertificate: ClassVar[_E]
        PathLengthExceeded: ClassVar[_E]
        InvalidPurpose: ClassVar[_E]
        CertificateUntrusted: ClassVar[_E]
        CertificateRejected: ClassVar[_E]
        SubjectIssuerMismatch: ClassVar[_E]
        AuthorityIssuerSerialNumberMismatch: ClassVar[_E]
        NoPeerCertificate: ClassVar[_E]
        HostNameMismatch: ClassVar[_E]
        NoSslSupport: ClassVar[_E]
        CertificateBlacklisted: ClassVar[_E]
        CertificateStatusUnknown: ClassVar[_E]
        OcspNoResponseFound: ClassVar[_E]
        OcspMalformedRequest: ClassVar[_E]
        OcspMalformedResponse: ClassVar[_E]
        OcspInternalError: ClassVar[_E]
        OcspTryLater: ClassVar[_E]
        OcspSigRequred: ClassVar[_E]
        OcspUnauthorized: ClassVar[_E]
        OcspResponseCannotBeTrusted: ClassVar[_E]
        OcspResponseCertIdUnknown: ClassVar[_E]
        OcspResponseExpired: ClassVar[_E]
        OcspStatusUnknown: ClassVar[_E]
        UnspecifiedError: ClassVar[_E]

    def __init__(self, error: Any = SslError.NoError,
                 certificate: QSslCertificate | None = None) -> None:
        if isinstance(error, QSslError):
            self._error, self._cert = error._error, error._cert
            return
        self._error = SslError(int(error))
        self._cert = certificate

    def error(self) -> _Code:
        return self._error

    def errorString(self) -> str:  # noqa: N802
        return _TEXTS.get(self._error, "Unknown error")

    def certificate(self) -> QSslCertificate:
        if self._cert is None:
            from .sslcertificate import QSslCertificate

            null: QSslCertificate = QSslCertificate()
            return null
        return self._cert

    def _cert_key(self) -> bytes:
        c = self._cert
        return c._der if c is not None else b""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslError):
            return NotImplemented
        return self._error == other._error and self._cert_key() == other._cert_key()

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash((int(self._error), self._cert_key()))

    def swap(self, other: QSslError) -> None:
        self._error, other._error = other._error, self._error
        self._cert, other._cert = other._cert, self._cert

    def __repr__(self) -> str:
        return f"<QSslError {self._error.name}: {self.errorString()!r}>"


export_enums(QSslError, SslError)
