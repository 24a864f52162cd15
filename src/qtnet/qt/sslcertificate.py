"""QSslCertificate: an X.509 certificate (value type) with Qt's accessors.

A certificate is kept as its DER bytes (what equality, hashing, ``toDer`` and
the TLS layer use) and parsed on first use with the ``cryptography`` package,
which qtnet needs for its TLS classes anyway (peer verification, see
``sslverify.py``).  Behaviour follows Qt 6 / PySide6 6.12:

* ``QSslCertificate(data, format=Pem)`` takes the first certificate of the
  data; ``fromData`` all of them; ``fromPath(path, format, syntax)`` reads
  files (``syntax``: FixedString, Wildcard (glob) or RegularExpression).
  Unparsable input gives a null certificate / an empty list, never an error.
* ``serialNumber()`` is lower-case hex, colon separated (``b"58:53:..."``);
  ``version()`` is ``b"3"``; ``digest()`` defaults to MD5 (Qt's default).
* ``subjectInfo``/``issuerInfo`` take a ``SubjectInfo`` value or an attribute
  short name (``b"CN"``) and return lists of str; dates are aware UTC
  ``datetime`` objects (``None`` for a null certificate).
* ``subjectAlternativeNames()`` is ``{AlternativeNameEntryType: [str, ...]}``
  with each list newest first, as PySide6 returns Qt's QMultiMap.
"""

from __future__ import annotations

import base64
import datetime as _dt
import enum
import fnmatch
import hashlib
import os
import re
import warnings
from typing import Any

from .bytearray import QByteArray
from .enums import export_enums
from .ssl import QSsl

__all__ = ["QSslCertificate", "crypto_x509"]

_PEM_BLOCK = re.compile(rb"-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----(.+?)-----END "
                        rb"(?:X509 |TRUSTED )?CERTIFICATE-----", re.S)
_of = QByteArray._of

# QCryptographicHash::Algorithm values Qt's digest() accepts -> hashlib names
_HASHES = {0: "md4", 1: "md5", 2: "sha1", 3: "sha224", 4: "sha256", 5: "sha384", 6: "sha512",
           10: "sha3_224", 11: "sha3_256", 12: "sha3_384", 13: "sha3_512",
           14: "sha3_224", 15: "sha3_256", 16: "sha3_384", 17: "sha3_512",
           18: "blake2b", 19: "blake2b", 20: "blake2b", 21: "blake2b",
           22: "blake2s", 23: "blake2s", 24: "blake2s", 25: "blake2s"}


def crypto_x509() -> Any:
    """``cryptography.x509`` (imported on first use, with a clear message when missing)."""
    try:
        from cryptography import x509
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise ImportError("qtnet's TLS classes need the 'cryptography' package "
                          "(pip install cryptography)") from e
    return x509


class SubjectInfo(enum.IntEnum):
    Organization = 0
    CommonName = 1
    LocalityName = 2
    OrganizationalUnitName = 3
    CountryName = 4
    StateOrProvinceName = 5
    DistinguishedNameQualifier = 6
    SerialNumber = 7
    EmailAddress = 8


class PatternSyntax(enum.IntEnum):
    RegularExpression = 0
    Wildcard = 1
    FixedString = 2


# SubjectInfo -> (OID dotted string, short name as Qt prints it)
_INFO = {
    SubjectInfo.Organization: ("2.5.4.10", b"O"),
    SubjectInfo.CommonName: ("2.5.4.3", b"CN"),
    SubjectInfo.LocalityName: ("2.5.4.7", b"L"),
    SubjectInfo.OrganizationalUnitName: ("2.5.4.11", b"OU"),
    SubjectInfo.CountryName: ("2.5.4.6", b"C"),
    SubjectInfo.StateOrProvinceName: ("2.5.4.8", b"ST"),
    SubjectInfo.DistinguishedNameQualifier: ("2.5.4.46", b"dnQualifier"),
    SubjectInfo.SerialNumber: ("2.5.4.5", b"serialNumber"),
    SubjectInfo.EmailAddress: ("1.2.840.113549.1.9.1", b"emailAddress"),
}
_SHORT_TO_OID = {short: oid for oid, short in _INFO.values()}
_OID_TO_SHORT = {oid: short for oid, short in _INFO.values()}


def _pem_blocks(data: bytes) -> list[bytes]:
    out = []
    for m in _PEM_BLOCK.finditer(data):
        try:
            out.append(base64.b64decode(b"".join(m.group(1).split()), validate=True))
        except ValueError:
            continue
    return out


def _as_bytes(data: Any) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    if hasattr(data, "readAll"):  # a QIODevice
        return bytes(data.readAll())
    return bytes(data)


class QSslCertificate:
    """An X.509 certificate (see the module docstring)."""

    SubjectInfo = SubjectInfo
    PatternSyntax = PatternSyntax
    __slots__ = ("_der", "_x509", "__weakref__")

    def __init__(self, data: Any = b"", format: int = QSsl.EncodingFormat.Pem) -> None:  # noqa: A002
        self._x509: Any = None
        self._der = b""
        if isinstance(data, QSslCertificate):
            self._der, self._x509 = data._der, data._x509
            return
        if data is None:
            return
        raw = _as_bytes(data)
        if not raw:
            return
        ders = _pem_blocks(raw) if int(format) == QSsl.EncodingFormat.Pem else [raw]
        for der in ders:
            if self._load(der):
                return

    def _load(self, der: bytes) -> bool:
        try:
            with warnings.catch_warnings():  # e.g. a system root with a negative serial number
                warnings.simplefilter("ignore")
                self._x509 = crypto_x509().load_der_x509_certificate(der)
        except ValueError:
            return False
        self._der = der
        return True

    @classmethod
    def _from_der(cls, der: bytes) -> QSslCertificate:
        c = cls()
        c._load(der)
        return c

    @classmethod
    def _from_x509(cls, cert: Any) -> QSslCertificate:
        from cryptography.hazmat.primitives.serialization import Encoding

        c = cls()
        c._x509 = cert
        c._der = cert.public_bytes(Encoding.DER)
        return c

    # -- construction helpers -----------------------------------------------------------
    @staticmethod
    def fromData(data: Any, format: int = QSsl.EncodingFormat.Pem) -> list[QSslCertificate]:  # noqa: N802,A002
        raw = _as_bytes(data)
        ders = _pem_blocks(raw) if int(format) == QSsl.EncodingFormat.Pem else [raw]
        out = []
        for der in ders:
            c = QSslCertificate()
            if c._load(der):
                out.append(c)
        return out

    @staticmethod
    def fromDevice(device: Any, format: int = QSsl.EncodingFormat.Pem) -> list[QSslCertificate]:  # noqa: N802,A002
        return QSslCertificate.fromData(bytes(device.readAll()), format)

    @staticmethod
    def fromFile(filePath: str, format: int = QSsl.EncodingFormat.Pem) -> list[QSslCertificate]:  # noqa: N802,N803,A002
        try:
            with open(filePath, "rb") as f:
                return QSslCertificate.fromData(f.read(), format)
        except OSError:
            return []

    @staticmethod
    def fromPath(path: str, format: int = QSsl.EncodingFormat.Pem,  # noqa: N802,A002
                 syntax: int = PatternSyntax.FixedString) -> list[QSslCertificate]:
        path = os.fspath(path)
        if int(syntax) == PatternSyntax.FixedString:
            files = [path] if os.path.isfile(path) else []
        else:
            folder, pattern = os.path.split(path)
            folder = folder or "."
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                return []
            if int(syntax) == PatternSyntax.Wildcard:
                files = [os.path.join(folder, n) for n in names if fnmatch.fnmatchcase(n, pattern)]
            else:
                try:
                    rx = re.compile(pattern)
                except re.error:
                    return []
                files = [os.path.join(folder, n) for n in names if rx.fullmatch(n)]
        out: list[QSslCertificate] = []
        for f in files:
            if os.path.isfile(f):
                out.extend(QSslCertificate.fromFile(f, format))
        return out

    # -- queries ------------------------------------------------------------------------------
    def isNull(self) -> bool:  # noqa: N802
        return self._x509 is None

    def clear(self) -> None:
        self._der, self._x509 = b"", None

    def toDer(self) -> QByteArray:  # noqa: N802
        return _of(self._der) if self._der else QByteArray()

    def toPem(self) -> QByteArray:  # noqa: N802
        if not self._der:
            return QByteArray()
        b64 = base64.b64encode(self._der)
        lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
        body = b"\n".join(lines)
        return _of(b"-----BEGIN CERTIFICATE-----\n" + body + b"\n-----END CERTIFICATE-----\n")

    def version(self) -> QByteArray:
        x = self._x509
        if x is None:
            return QByteArray()
        return _of(str(x.version.value + 1).encode())

    def serialNumber(self) -> QByteArray:  # noqa: N802
        x = self._x509
        if x is None:
            return QByteArray()
        n = x.serial_number
        raw = n.to_bytes(max(1, (n.bit_length() + 7) // 8), "big", signed=False)
        return _of(b":".join(b"%02x" % b for b in raw))

    def digest(self, algorithm: Any = 1) -> QByteArray:
        if not self._der:
            return QByteArray()
        name = algorithm if isinstance(algorithm, str) else _HASHES.get(int(algorithm), "md5")
        try:
            h = hashlib.new(name, self._der)
        except ValueError:
            return QByteArray()
        return _of(h.digest())

    def _name_values(self, name: Any, attribute: Any) -> list[str]:
        if isinstance(attribute, (bytes, bytearray, str)):
            key = attribute.encode() if isinstance(attribute, str) else bytes(attribute)
            oid = _SHORT_TO_OID.get(key, key.decode("ascii", "replace"))
        else:
            oid = _INFO[SubjectInfo(int(attribute))][0]
        return [str(a.value) for a in name if a.oid.dotted_string == oid]

    def subjectInfo(self, subject: Any) -> list[str]:  # noqa: N802
        x = self._x509
        return [] if x is None else self._name_values(x.subject, subject)

    def issuerInfo(self, subject: Any) -> list[str]:  # noqa: N802
        x = self._x509
        return [] if x is None else self._name_values(x.issuer, subject)

    @staticmethod
    def _attributes(name: Any) -> list[QByteArray]:
        out: list[QByteArray] = []
        for a in name:
            oid = a.oid.dotted_string
            short = _OID_TO_SHORT.get(oid, oid.encode())
            if not any(bytes(s) == short for s in out):
                out.append(_of(short))
        return sorted(out, key=bytes)  # Qt returns its QMultiMap's keys: sorted

    def subjectInfoAttributes(self) -> list[QByteArray]:  # noqa: N802
        x = self._x509
        return [] if x is None else self._attributes(x.subject)

    def issuerInfoAttributes(self) -> list[QByteArray]:  # noqa: N802
        x = self._x509
        return [] if x is None else self._attributes(x.issuer)

    @staticmethod
    def _display(values: Any) -> str:
        for info in (SubjectInfo.CommonName, SubjectInfo.Organization,
                     SubjectInfo.OrganizationalUnitName):
            oid = _INFO[info][0]
            found = [str(a.value) for a in values if a.oid.dotted_string == oid]
            if found:
                return found[0]
        return ""

    def subjectDisplayName(self) -> str:  # noqa: N802
        x = self._x509
        return "" if x is None else self._display(x.subject)

    def issuerDisplayName(self) -> str:  # noqa: N802
        x = self._x509
        return "" if x is None else self._display(x.issuer)

    def effectiveDate(self) -> _dt.datetime | None:  # noqa: N802
        x = self._x509
        return None if x is None else x.not_valid_before_utc

    def expiryDate(self) -> _dt.datetime | None:  # noqa: N802
        x = self._x509
        return None if x is None else x.not_valid_after_utc

    def isSelfSigned(self) -> bool:  # noqa: N802
        """Subject equals issuer and the certificate's own key verifies its signature."""
        x = self._x509
        if x is None or x.subject != x.issuer:
            return False
        try:
            x.verify_directly_issued_by(x)
        except Exception:  # noqa: BLE001 - InvalidSignature, unsupported key types
            return False
        return True

    def isBlacklisted(self) -> bool:  # noqa: N802
        return False

    def subjectAlternativeNames(self) -> dict[QSsl.AlternativeNameEntryType, list[str]]:  # noqa: N802
        x509 = crypto_x509()
        x = self._x509
        out: dict[QSsl.AlternativeNameEntryType, list[str]] = {}
        if x is None:
            return out
        try:
            san = x.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            return out
        kinds = ((x509.RFC822Name, QSsl.AlternativeNameEntryType.EmailEntry),
                 (x509.DNSName, QSsl.AlternativeNameEntryType.DnsEntry),
                 (x509.IPAddress, QSsl.AlternativeNameEntryType.IpAddressEntry))
        for cls, kind in kinds:
            values = [str(v) for v in san.get_values_for_type(cls)]
            if values:
                out[kind] = values[::-1]
        return out

    def publicKey(self) -> Any:  # noqa: N802
        from .sslkey import QSslKey

        x = self._x509
        if x is None:
            return QSslKey()
        return QSslKey._from_crypto(x.public_key(), QSsl.KeyType.PublicKey)

    def toText(self) -> str:  # noqa: N802
        """A short human-readable summary (not OpenSSL's full dump)."""
        x = self._x509
        if x is None:
            return ""
        return (f"Certificate:\n    Version: {bytes(self.version()).decode()}\n"
                f"    Serial Number: {bytes(self.serialNumber()).decode()}\n"
                f"    Issuer: {x.issuer.rfc4514_string()}\n"
                f"    Not Before: {x.not_valid_before_utc}\n"
                f"    Not After: {x.not_valid_after_utc}\n"
                f"    Subject: {x.subject.rfc4514_string()}\n")

    def handle(self) -> Any:
        """The parsed ``cryptography.x509.Certificate`` (Qt: the native handle)."""
        return self._x509

    # -- value semantics --------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslCertificate):
            return NotImplemented
        return self._der == other._der

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self._der)

    def swap(self, other: QSslCertificate) -> None:
        self._der, other._der = other._der, self._der
        self._x509, other._x509 = other._x509, self._x509

    def __repr__(self) -> str:
        if self._x509 is None:
            return "<QSslCertificate null>"
        subject, issuer = self.subjectDisplayName(), self.issuerDisplayName()
        return f"<QSslCertificate {subject!r} issued by {issuer!r}>"


export_enums(QSslCertificate, SubjectInfo, PatternSyntax)
