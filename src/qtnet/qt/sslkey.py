"""QSslKey: a private or public key (value type), parsed with ``cryptography``.

``QSslKey(data, algorithm=Rsa, encoding=Pem, type=PrivateKey, passPhrase=b"")``
gives a null key when the data does not hold a key of that algorithm and type,
or when the pass phrase is wrong (Qt's behaviour, checked against PySide6:
an EC key read as ``QSsl.Rsa`` is null).  ``toPem()`` writes private keys in
OpenSSL's traditional form (``-----BEGIN EC PRIVATE KEY-----``), encrypted
with AES-256 when a pass phrase is given, and public keys as SubjectPublicKeyInfo.
"""

from __future__ import annotations

from typing import Any

from .bytearray import QByteArray
from .ssl import QSsl

__all__ = ["QSslKey"]

_of = QByteArray._of


def _algorithm_of(key: Any) -> QSsl.KeyAlgorithm:
    from cryptography.hazmat.primitives.asymmetric import dh, dsa, ec, rsa

    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return QSsl.KeyAlgorithm.Rsa
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return QSsl.KeyAlgorithm.Ec
    if isinstance(key, (dsa.DSAPrivateKey, dsa.DSAPublicKey)):
        return QSsl.KeyAlgorithm.Dsa
    if isinstance(key, (dh.DHPrivateKey, dh.DHPublicKey)):
        return QSsl.KeyAlgorithm.Dh
    return QSsl.KeyAlgorithm.Opaque


class QSslKey:
    """A key usable as ``QSslConfiguration.setPrivateKey`` (see the module docstring)."""

    __slots__ = ("_key", "_type", "_algorithm")

    def __init__(self, encoded: Any = None, algorithm: int = QSsl.KeyAlgorithm.Rsa,
                 encoding: int = QSsl.EncodingFormat.Pem, type: int = QSsl.KeyType.PrivateKey,  # noqa: A002
                 passPhrase: Any = b"") -> None:  # noqa: N803
        self._key: Any = None
        self._type = QSsl.KeyType(int(type))
        self._algorithm = QSsl.KeyAlgorithm(int(algorithm))
        if isinstance(encoded, QSslKey):
            self._key, self._type, self._algorithm = encoded._key, encoded._type, encoded._algorithm
            return
        if encoded is None:
            return
        data = encoded.encode() if isinstance(encoded, str) else bytes(
            encoded.readAll() if hasattr(encoded, "readAll") else encoded)
        if not data:
            return
        password = passPhrase.encode() if isinstance(passPhrase, str) else bytes(passPhrase or b"")
        key = self._parse(data, int(encoding), self._type, password or None)
        if key is not None and _algorithm_of(key) == self._algorithm:
            self._key = key

    @staticmethod
    def _parse(data: bytes, encoding: int, kind: QSsl.KeyType, password: bytes | None) -> Any:
        from cryptography.hazmat.primitives import serialization as ser

        pem = encoding == QSsl.EncodingFormat.Pem
        try:
            if kind == QSsl.KeyType.PrivateKey:
                load = ser.load_pem_private_key if pem else ser.load_der_private_key
                try:
                    return load(data, password=password)
                except TypeError:  # encrypted without a pass phrase, or not encrypted with one
                    return None
            load_pub = ser.load_pem_public_key if pem else ser.load_der_public_key
            return load_pub(data)
        except (ValueError, TypeError):
            return None
        except Exception:  # noqa: BLE001 - UnsupportedAlgorithm and friends: a null key
            return None

    @classmethod
    def _from_crypto(cls, key: Any, kind: QSsl.KeyType) -> QSslKey:
        k = cls()
        k._key = key
        k._type = kind
        k._algorithm = _algorithm_of(key)
        return k

    def isNull(self) -> bool:  # noqa: N802
        return self._key is None

    def clear(self) -> None:
        self._key = None

    def type(self) -> QSsl.KeyType:
        return self._type

    def algorithm(self) -> QSsl.KeyAlgorithm:
        return self._algorithm

    def length(self) -> int:
        key = self._key
        if key is None:
            return -1
        return int(getattr(key, "key_size", -1))

    def _encode(self, pem: bool, password: bytes) -> bytes:
        from cryptography.hazmat.primitives import serialization as ser

        key = self._key
        if key is None:
            return b""
        enc = ser.Encoding.PEM if pem else ser.Encoding.DER
        if self._type == QSsl.KeyType.PublicKey:
            return bytes(key.public_bytes(enc, ser.PublicFormat.SubjectPublicKeyInfo))
        crypt: Any = (ser.BestAvailableEncryption(password) if password
                      else ser.NoEncryption())
        fmt = ser.PrivateFormat.TraditionalOpenSSL
        if self._algorithm not in (QSsl.KeyAlgorithm.Rsa, QSsl.KeyAlgorithm.Ec,
                                   QSsl.KeyAlgorithm.Dsa) or (password and not pem):
            fmt = ser.PrivateFormat.PKCS8
        return bytes(key.private_bytes(enc, fmt, crypt))

    def toPem(self, passPhrase: Any = b"") -> QByteArray:  # noqa: N802,N803
        pw = passPhrase.encode() if isinstance(passPhrase, str) else bytes(passPhrase or b"")
        data = self._encode(True, pw)
        return _of(data) if data else QByteArray()

    def toDer(self, passPhrase: Any = b"") -> QByteArray:  # noqa: N802,N803
        pw = passPhrase.encode() if isinstance(passPhrase, str) else bytes(passPhrase or b"")
        data = self._encode(False, pw)
        return _of(data) if data else QByteArray()

    def handle(self) -> Any:
        """The ``cryptography`` key object (Qt: the native handle)."""
        return self._key

    def _pkcs8_pem(self) -> bytes:
        """Unencrypted PKCS#8 PEM, what the TLS layer hands to OpenSSL."""
        from cryptography.hazmat.primitives import serialization as ser

        return bytes(self._key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8,
                                             ser.NoEncryption()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QSslKey):
            return NotImplemented
        if self._key is None or other._key is None:
            return self._key is None and other._key is None
        return (self._type == other._type and self._algorithm == other._algorithm
                and self._encode(False, b"") == other._encode(False, b""))

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self._encode(False, b"")) if self._key is not None else 0

    def swap(self, other: QSslKey) -> None:
        for name in ("_key", "_type", "_algorithm"):
            a, b = getattr(self, name), getattr(other, name)
            setattr(self, name, b)
            setattr(other, name, a)

    def __repr__(self) -> str:
        if self._key is None:
            return "<QSslKey null>"
        return f"<QSslKey {self._algorithm.name} {self._type.name} {self.length()} bits>"
