"""Certificates and servers for the TLS tests (tests/test_ssl_*.py).

``Pki`` makes, with ``trustme``, a test CA and the certificates the tests
need (a server certificate for localhost/127.0.0.1/::1, one for another host,
an expired one, one issued by an intermediate CA, a self-signed one for
127.0.0.1, a client certificate) and writes them to a directory so PySide6
peers can read them too.  ``echo_server`` is a QSslServer that echoes every
byte back on each encrypted connection.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from qtnet import (
    QHostAddress,
    QSsl,
    QSslCertificate,
    QSslConfiguration,
    QSslKey,
    QSslServer,
    QSslSocket,
)

UTC = dt.timezone.utc


@dataclass
class Identity:
    """A certificate chain (leaf first) and its private key, as PEM and as Qt objects."""

    chain_pem: bytes
    key_pem: bytes
    name: str
    chain: list[QSslCertificate] = field(default_factory=list)
    key: QSslKey = field(default_factory=QSslKey)

    @property
    def cert(self) -> QSslCertificate:
        return self.chain[0]

    def write(self, folder: Path) -> tuple[str, str]:
        cert_path = folder / f"{self.name}.pem"
        key_path = folder / f"{self.name}.key"
        cert_path.write_bytes(self.chain_pem)
        key_path.write_bytes(self.key_pem)
        return str(cert_path), str(key_path)


def _identity(name: str, issued: Any) -> Identity:
    chain_pem = b"".join(p.bytes() for p in issued.cert_chain_pems)
    key_pem = issued.private_key_pem.bytes()
    ident = Identity(chain_pem, key_pem, name)
    ident.chain = QSslCertificate.fromData(chain_pem)
    ident.key = QSslKey(key_pem, QSsl.KeyAlgorithm.Ec)
    assert not ident.key.isNull() and ident.chain
    return ident


def _self_signed(name: str) -> Identity:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "qtnet self-signed")])
    now = dt.datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .sign(key, hashes.SHA256())
    )
    chain_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    ident = Identity(chain_pem, key_pem, name)
    ident.chain = QSslCertificate.fromData(chain_pem)
    ident.key = QSslKey(key_pem, QSsl.KeyAlgorithm.Ec)
    return ident


class Pki:
    """The test CA and every certificate the TLS tests use."""

    def __init__(self) -> None:
        self.ca = trustme.CA(organization_name="qtnet tests")
        self.ca_cert = QSslCertificate(self.ca.cert_pem.bytes())
        self.server = _identity("server", self.ca.issue_cert("localhost", "127.0.0.1", "::1"))
        self.other_host = _identity("other", self.ca.issue_cert("example.org"))
        self.expired = _identity("expired", self.ca.issue_cert(
            "127.0.0.1", not_before=dt.datetime(2000, 1, 1, tzinfo=UTC),
            not_after=dt.datetime(2001, 1, 1, tzinfo=UTC)))
        self.intermediate_ca = self.ca.create_child_ca()
        self.via_intermediate = _identity(
            "inter", self.intermediate_ca.issue_cert("127.0.0.1", "localhost"))
        self.self_signed = _identity("selfsigned", _SelfSignedIssue())
        self.client = _identity("client", self.ca.issue_cert("client@example.org"))
        self.unknown_ca = trustme.CA(organization_name="someone else")
        self.untrusted = _identity(
            "untrusted", self.unknown_ca.issue_cert("127.0.0.1", "localhost"))

    def write_all(self, folder: Path) -> Path:
        (folder / "ca.pem").write_bytes(self.ca.cert_pem.bytes())
        for ident in (self.server, self.other_host, self.expired, self.via_intermediate,
                      self.self_signed, self.client, self.untrusted):
            ident.write(folder)
        return folder


class _SelfSignedIssue:
    """Looks like a trustme LeafCert for ``_identity`` (a self-signed certificate)."""

    def __init__(self) -> None:
        made = _self_signed("selfsigned")
        self.cert_chain_pems = [_Blob(made.chain_pem)]
        self.private_key_pem = _Blob(made.key_pem)


class _Blob:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def bytes(self) -> bytes:
        return self._data


def server_config(ident: Identity) -> QSslConfiguration:
    cfg = QSslConfiguration.defaultConfiguration()
    cfg.setLocalCertificateChain(ident.chain)
    cfg.setPrivateKey(ident.key)
    return cfg


def client_socket(pki: Pki | None, trust: list[QSslCertificate] | None = None) -> QSslSocket:
    """A QSslSocket trusting ``trust`` (default: the test CA; [] trusts nothing)."""
    sock = QSslSocket()
    cfg = sock.sslConfiguration()
    if trust is None:
        assert pki is not None
        trust = [pki.ca_cert]
    cfg.setCaCertificates(trust)
    sock.setSslConfiguration(cfg)
    return sock


class EchoServer:
    """A QSslServer on 127.0.0.1 that echoes on every encrypted connection."""

    def __init__(self, ident: Identity, config: QSslConfiguration | None = None) -> None:
        self.server = QSslServer()
        self.server.setSslConfiguration(config if config is not None else server_config(ident))
        assert self.server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
        self.port = self.server.serverPort()
        self.sockets: list[QSslSocket] = []
        self.errors: list[tuple[QSslSocket, Any, str]] = []
        self.server.pendingConnectionAvailable.connect(self._take)
        self.server.errorOccurred.connect(
            lambda s, e: self.errors.append((s, e, s.errorString())))

    def _take(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            assert isinstance(sock, QSslSocket)
            self.sockets.append(sock)
            sock.readyRead.connect(lambda s=sock: s.write(s.readAll()))

    def close(self) -> None:
        self.server.close()
