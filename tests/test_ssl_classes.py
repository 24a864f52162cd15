"""QSsl enums, QSslCertificate, QSslKey, QSslError, QSslConfiguration and peer verification rules.

Expected values come from Qt 6 (read from PySide6 6.12 with the same inputs)
or are computed independently with ``cryptography``.
"""

from __future__ import annotations

import datetime as dt
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from qtnet import QSsl, QSslCertificate, QSslConfiguration, QSslError, QSslKey, QSslSocket
from qtnet.iocore.socket_errors import EngineError
from qtnet.qt.sslverify import matches_hostname, verify_chain
from ssl_helpers import Pki

E = QSslError.SslError
UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


def test_enum_values() -> None:
    assert (int(QSsl.Pem), int(QSsl.Der)) == (0, 1)
    assert int(QSsl.SslProtocol.TlsV1_2OrLater) == 7 and int(QSsl.TlsV1_3OrLater) == 13
    assert int(QSsl.SecureProtocols) == 4 and int(QSsl.UnknownProtocol) == -1
    algorithms = [QSsl.Opaque, QSsl.Rsa, QSsl.Dsa, QSsl.Ec, QSsl.Dh]
    assert [int(a) for a in algorithms] == [0, 1, 2, 3, 4]
    assert (int(QSsl.EmailEntry), int(QSsl.DnsEntry), int(QSsl.IpAddressEntry)) == (0, 1, 2)
    assert int(QSslSocket.VerifyNone) == 0 and int(QSslSocket.AutoVerifyPeer) == 3
    assert int(QSslSocket.SslServerMode) == 2
    assert int(E.NoError) == 0 and int(E.UnableToGetIssuerCertificate) == 1
    assert int(E.CertificateExpired) == 6 and int(E.SelfSignedCertificate) == 9
    assert int(E.SelfSignedCertificateInChain) == 10 and int(E.HostNameMismatch) == 22
    assert int(E.OcspStatusUnknown) == 36 and int(E.UnspecifiedError) == -1


def test_certificate_fields(pki: Pki) -> None:
    cert = pki.server.cert
    parsed = x509.load_pem_x509_certificate(pki.server.chain_pem)
    assert not cert.isNull()
    assert bytes(cert.version()) == b"3"
    serial = parsed.serial_number.to_bytes((parsed.serial_number.bit_length() + 7) // 8, "big")
    assert bytes(cert.serialNumber()) == serial.hex(":").encode()
    assert cert.subjectInfo(QSslCertificate.SubjectInfo.CommonName) == [
        a.value for a in parsed.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    assert cert.subjectInfo(b"CN") == cert.subjectInfo(QSslCertificate.CommonName)
    assert cert.issuerInfo(QSslCertificate.Organization) == ["qtnet tests"]
    assert [bytes(a) for a in cert.issuerInfoAttributes()] == [b"O", b"OU"]  # sorted, as Qt
    assert cert.issuerDisplayName() == "qtnet tests"
    sans = cert.subjectAlternativeNames()
    assert sans[QSsl.DnsEntry] == ["localhost"]
    assert sorted(sans[QSsl.IpAddressEntry]) == ["127.0.0.1", "::1"]
    assert cert.effectiveDate() == parsed.not_valid_before_utc
    assert cert.expiryDate() == parsed.not_valid_after_utc
    assert bytes(cert.digest()) == parsed.fingerprint(hashes.MD5())  # Qt's default is MD5
    assert bytes(cert.digest(4)) == parsed.fingerprint(hashes.SHA256())  # QCryptographicHash.Sha256
    assert not cert.isSelfSigned() and pki.ca_cert.isSelfSigned()
    assert bytes(cert.toDer()) == parsed.public_bytes(serialization.Encoding.DER)
    assert QSslCertificate(cert.toPem()) == cert
    assert QSslCertificate(cert.toDer(), QSsl.Der) == cert
    assert cert != pki.ca_cert and hash(cert) == hash(QSslCertificate(cert))
    key = cert.publicKey()
    assert (key.algorithm(), key.type(), key.length()) == (QSsl.Ec, QSsl.PublicKey, 256)


def test_null_certificate_and_bad_input() -> None:
    null = QSslCertificate()
    assert null.isNull() and bytes(null.serialNumber()) == b"" and null.subjectInfo(1) == []
    assert null.effectiveDate() is None and null.toPem().isEmpty()
    bad_pem = b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----"
    assert QSslCertificate(bad_pem).isNull()
    assert QSslCertificate(b"\x30\x03\x02\x01\x00", QSsl.Der).isNull()
    assert QSslCertificate.fromPath("/nonexistent/cert.pem") == []


def test_from_data_and_from_path(pki: Pki, tmp_path: object) -> None:
    folder = pki.write_all(tmp_path)  # type: ignore[arg-type]
    both = pki.server.chain_pem + pki.ca.cert_pem.bytes()
    assert QSslCertificate.fromData(both) == [pki.server.cert, pki.ca_cert]
    assert QSslCertificate.fromPath(str(folder / "ca.pem")) == [pki.ca_cert]
    wild = QSslCertificate.fromPath(str(folder / "s*.pem"), QSsl.Pem,
                                    QSslCertificate.PatternSyntax.Wildcard)
    assert wild == [pki.self_signed.cert, pki.server.cert]  # selfsigned.pem, server.pem (sorted)
    rx = QSslCertificate.fromPath(str(folder / "(ca|client)\\.pem"), QSsl.Pem,
                                  QSslCertificate.PatternSyntax.RegularExpression)
    assert rx == [pki.ca_cert, pki.client.cert]


def test_keys() -> None:
    ec_key = ec.generate_private_key(ec.SECP384R1())
    pem = ec_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())
    key = QSslKey(pem, QSsl.Ec)
    assert (key.algorithm(), key.type(), key.length()) == (QSsl.Ec, QSsl.PrivateKey, 384)
    assert bytes(key.toPem()).startswith(b"-----BEGIN EC PRIVATE KEY-----")
    assert QSslKey(pem, QSsl.Rsa).isNull()  # wrong algorithm: null, as in Qt
    assert QSslKey(key.toDer(), QSsl.Ec, QSsl.Der) == key
    locked = key.toPem(b"secret")
    assert b"ENCRYPTED" in bytes(locked)
    assert QSslKey(locked, QSsl.Ec, QSsl.Pem, QSsl.PrivateKey, b"secret") == key
    assert QSslKey(locked, QSsl.Ec, QSsl.Pem, QSsl.PrivateKey, b"wrong").isNull()
    assert QSslKey(locked, QSsl.Ec).isNull()
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pub = rsa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    pk = QSslKey(pub, QSsl.Rsa, QSsl.Pem, QSsl.PublicKey)
    assert (pk.type(), pk.length()) == (QSsl.PublicKey, 2048)
    assert bytes(pk.toPem()) == pub
    assert QSslKey().isNull() and QSslKey().length() == -1


def test_ssl_error_values(pki: Pki) -> None:
    e = QSslError(E.HostNameMismatch, pki.server.cert)
    assert e.errorString() == \
        "The host name did not match any of the valid hosts for this certificate"
    assert QSslError(E.SelfSignedCertificate).errorString() == \
        "The certificate is self-signed, and untrusted"
    assert QSslError().error() == E.NoError and QSslError().errorString() == "No error"
    assert QSslError().certificate().isNull()
    assert QSslError(E.CertificateRevoked).errorString() == "Unknown error"  # Qt has no text
    # Equality compares the code and the certificate (what ignoreSslErrors(list) uses).
    assert e == QSslError(E.HostNameMismatch, pki.server.cert)
    assert e != QSslError(E.HostNameMismatch)
    assert QSslError(E.HostNameMismatch) == QSslError(E.HostNameMismatch)
    assert len({e, QSslError(E.HostNameMismatch, pki.server.cert)}) == 1


def test_configuration_defaults_and_copies(pki: Pki) -> None:
    null = QSslConfiguration()
    assert null.isNull()
    cfg = QSslConfiguration.defaultConfiguration()
    assert not cfg.isNull()
    assert cfg.protocol() == QSsl.SecureProtocols
    assert cfg.peerVerifyMode() == QSslSocket.AutoVerifyPeer and cfg.peerVerifyDepth() == 0
    assert len(cfg.caCertificates()) == len(QSslConfiguration.systemCaCertificates())
    system = QSslConfiguration.systemCaCertificates()
    assert system and all(not c.isNull() for c in system)
    copy = QSslConfiguration(cfg)
    copy.setCaCertificates([pki.ca_cert])
    copy.setAllowedNextProtocols([b"h2", "http/1.1"])
    assert copy.caCertificates() == [pki.ca_cert] and cfg.caCertificates() != [pki.ca_cert]
    assert copy.allowedNextProtocols() == [b"h2", b"http/1.1"]
    copy.addCaCertificate(pki.client.cert)
    assert len(copy.caCertificates()) == 2
    sock = QSslSocket()
    sock.setSslConfiguration(copy)
    got = sock.sslConfiguration()
    got.setPeerVerifyDepth(3)
    assert sock.peerVerifyDepth() == 0  # sslConfiguration() hands out a copy
    assert sock.sslConfiguration().caCertificates() == copy.caCertificates()


def test_configuration_errors(pki: Pki) -> None:
    cfg = QSslConfiguration.defaultConfiguration()
    cfg.setLocalCertificate(pki.server.cert)
    with pytest.raises(EngineError) as no_key:
        cfg._to_ssl_context(True)
    assert no_key.value.code == 21
    assert no_key.value.text == "Cannot provide a certificate with no key"
    cfg.setPrivateKey(pki.client.key)  # somebody else's key
    with pytest.raises(EngineError) as mismatch:
        cfg._to_ssl_context(True)
    assert mismatch.value.code == 21
    assert mismatch.value.text.startswith("Private key does not certify public key, ")
    cfg.setPrivateKey(pki.server.key)
    ctx = cfg._to_ssl_context(True)
    assert isinstance(ctx, ssl.SSLContext)
    assert cfg._to_ssl_context(True) is ctx  # built once, shared by copies
    assert QSslConfiguration(cfg)._to_ssl_context(True) is ctx
    cfg.setProtocol(QSsl.TlsV1_3)
    assert cfg._to_ssl_context(True) is not ctx
    assert cfg._to_ssl_context(True).minimum_version == ssl.TLSVersion.TLSv1_3
    cfg.setProtocol(QSsl.DtlsV1_2)
    with pytest.raises(EngineError) as dtls:
        cfg._to_ssl_context(False)
    assert dtls.value.code == 21


@pytest.mark.parametrize(
    ("names", "ips", "peer", "expected"),
    [
        (["www.example.org"], [], "www.example.org", True),
        (["WWW.Example.ORG"], [], "www.example.org", True),
        (["*.example.org"], [], "www.example.org", True),
        (["*.example.org"], [], "a.b.example.org", False),
        (["*.example.org"], [], "example.org", False),
        (["*.org"], [], "example.org", False),  # fewer than three labels
        (["w*.example.org"], [], "www.example.org", True),
        (["*w.example.org"], [], "www.example.org", False),  # the star must end the label
        (["xn--*.example.org"], [], "xn--abc.example.org", False),
        (["*.0.0.1"], [], "127.0.0.1", False),  # no wildcards for addresses
        ([], ["127.0.0.1"], "127.0.0.1", True),
        ([], ["::1"], "::1", True),
        ([], ["::1"], "0:0:0:0:0:0:0:1", True),
        ([], ["127.0.0.1"], "127.0.0.2", False),
        (["localhost"], ["127.0.0.1"], "localhost", True),
        (["xn--bcher-kva.example"], [], "bücher.example", True),
    ],
)
def test_host_name_matching(names: list[str], ips: list[str], peer: str, expected: bool) -> None:
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "qtnet")])
    alt = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    now = dt.datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .sign(key, hashes.SHA256()))
    q = QSslCertificate(cert.public_bytes(serialization.Encoding.DER), QSsl.Der)
    assert matches_hostname(q, peer) is expected


def _issue(issuer_name: x509.Name, issuer_key: object, subject: str, *, ca: bool = False,
           path_len: int | None = None, eku: list[x509.ObjectIdentifier] | None = None,
           key: object = None) -> tuple[QSslCertificate, object, x509.Name]:
    key = key or ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = dt.datetime.now(UTC)
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer_name)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())  # type: ignore[attr-defined]
         .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=path_len), critical=True))
    if eku is not None:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    signer = issuer_key if issuer_key is not None else key
    cert = b.sign(signer, hashes.SHA256())  # type: ignore[arg-type]
    return QSslCertificate(cert.public_bytes(serialization.Encoding.DER), QSsl.Der), key, name


def test_chain_rules() -> None:
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "root")])
    root, _, _ = _issue(root_name, root_key, "root", ca=True, path_len=0, key=root_key)
    inter, inter_key, inter_name = _issue(root_name, root_key, "inter", ca=True)
    leaf, _, _ = _issue(inter_name, inter_key, "leaf")
    # pathLenConstraint 0 on the root forbids the intermediate below it.
    errs = verify_chain([leaf, inter], [root])
    assert [e.error() for e in errs] == [E.PathLengthExceeded]
    assert errs[0].certificate() == root
    # An issuer that is no CA.
    not_ca, not_ca_key, not_ca_name = _issue(root_name, root_key, "not a CA", ca=False)
    leaf2, _, _ = _issue(not_ca_name, not_ca_key, "leaf2")
    root2, _, _ = _issue(root_name, root_key, "root", ca=True, key=root_key)
    assert [e.error() for e in verify_chain([leaf2, not_ca], [root2])] == [E.InvalidCaCertificate]
    # Extended key usage: a client-only certificate is no server.
    client_only, _, _ = _issue(root_name, root_key, "c", eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
    assert [e.error() for e in verify_chain([client_only], [root2])] == [E.InvalidPurpose]
    assert verify_chain([client_only], [root2], server_purpose=False) == []
    # A forged certificate naming the trusted root as issuer: the signature fails.
    forger = ec.generate_private_key(ec.SECP256R1())
    forged, _, _ = _issue(root_name, forger, "forged")
    assert [e.error() for e in verify_chain([forged], [root2])] == [E.CertificateSignatureFailed]
    assert verify_chain([leaf2, not_ca], []) != []
