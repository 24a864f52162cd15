"""Peer verification the Qt way: collect every problem, let the program decide.

Qt's OpenSSL backend verifies the peer's chain with a callback that records
each error and continues, finishes the TLS handshake, adds its own host-name
check, and only then emits ``sslErrors``: the program may call
``ignoreSslErrors()`` from the slot and the connection proceeds.  Python's
``ssl`` module has no such callback (a failed verification aborts the
handshake), so qtnet does the handshake without OpenSSL verification and
verifies the presented chain here, with ``cryptography`` for the signature
checks.  The rules and the order of the errors reproduce what OpenSSL + Qt
report; tests/test_ssl_verify.py compares them with PySide6 case by case:

1. **Path building** from the leaf through the presented intermediates to a
   trusted certificate.  A trusted certificate ends the path when it is
   self-signed (a root, or a trusted self-signed leaf as in Qt's
   sslechoclient example).  No issuer found: SelfSignedCertificate (the leaf
   itself is self-signed), SelfSignedCertificateInChain (an untrusted root was
   presented), otherwise UnableToGetLocalIssuerCertificate, plus
   UnableToVerifyFirstCertificate when the leaf stands alone.
2. **Extensions**: issuers must be CAs (basicConstraints, keyCertSign) -
   InvalidCaCertificate; pathLenConstraint - PathLengthExceeded; the leaf's
   extended key usage must allow the purpose - InvalidPurpose.
3. **Signatures and validity periods**, from the root down:
   CertificateSignatureFailed, CertificateNotYetValid, CertificateExpired.

The host name check (``matches_hostname``) follows Qt: an IP address
matches IP SAN entries; otherwise the CN and the DNS SAN entries are compared
case-insensitively, a wildcard only as the whole leftmost label of a name with
at least three labels, never for an IP address nor inside an IDN A-label.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import os
import ssl
import threading
from typing import Any

from .sslcertificate import QSslCertificate, crypto_x509
from .sslerror import QSslError, SslError

__all__ = ["verify_chain", "matches_hostname", "system_ca_certificates"]

_SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"
_ANY_EKU = "2.5.29.37.0"
_MAX_PATH = 32


def _is_self_signed(cert: Any) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:  # noqa: BLE001 - bad signature or unsupported key type
        return False
    return True


def _signed_by(cert: Any, issuer: Any) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # noqa: BLE001
        return False
    return True


def _key_ids_match(cert: Any, issuer: Any) -> bool:
    """The certificate's authority key id names ``issuer``'s subject key id (or one is absent)."""
    x509 = crypto_x509()
    akid = _ext(cert, x509.AuthorityKeyIdentifier)
    skid = _ext(issuer, x509.SubjectKeyIdentifier)
    if akid is None or skid is None or akid.key_identifier is None:
        return True
    return bool(akid.key_identifier == skid.digest)


def _ext(cert: Any, cls: Any) -> Any:
    x509 = crypto_x509()
    try:
        return cert.extensions.get_extension_for_class(cls).value
    except x509.ExtensionNotFound:
        return None


def verify_chain(presented: list[QSslCertificate], trusted: list[QSslCertificate],
                 server_purpose: bool = True, max_depth: int = 0,
                 now: _dt.datetime | None = None) -> list[QSslError]:
    """Problems with ``presented`` (leaf first) against ``trusted``, in Qt's order.

    ``server_purpose``: the peer is a server (a client verifying it) - the
    leaf's extended key usage must allow serverAuth, else clientAuth.
    ``max_depth`` > 0 limits the number of certificates above the leaf.
    """
    x509 = crypto_x509()
    if not presented:
        return []
    now = now or _dt.datetime.now(_dt.timezone.utc)
    leaf = presented[0]
    trusted_ders = {c._der for c in trusted}
    anchors_by_subject: dict[Any, list[Any]] = {}
    for c in trusted:
        if c._x509 is not None:
            anchors_by_subject.setdefault(c._x509.subject, []).append(c)
    untrusted = [c for c in presented[1:] if c._x509 is not None]
    errors: list[QSslError] = []

    # 1. path building
    path: list[QSslCertificate] = [leaf]
    anchored = False
    while len(path) < _MAX_PATH:
        cur = path[-1]
        cx = cur._x509
        if cur._der in trusted_ders and _is_self_signed(cx):
            anchored = True
            break
        candidates = [c for c in anchors_by_subject.get(cx.issuer, ()) if c._der != cur._der]
        issuer = next((c for c in candidates if _signed_by(cx, c._x509)), None)
        if issuer is None:
            # As OpenSSL: an issuer found by name (and key identifier) whose signature
            # does not check out is still the issuer; step 3 reports the bad signature.
            issuer = next((c for c in candidates if _key_ids_match(cx, c._x509)), None)
        if issuer is not None:
            path.append(issuer)
            if _is_self_signed(issuer._x509):
                anchored = True
                break
            continue
        if _is_self_signed(cx):
            code = (SslError.SelfSignedCertificate if len(path) == 1
                    else SslError.SelfSignedCertificateInChain)
            errors.append(QSslError(code, cur))
            break
        nxt = None
        for cand in untrusted:
            if cand._x509.subject == cx.issuer and all(cand._der != p._der for p in path):
                nxt = cand
                break
        if nxt is not None:
            path.append(nxt)
            continue
        errors.append(QSslError(SslError.UnableToGetLocalIssuerCertificate, cur))
        if len(path) == 1:
            errors.append(QSslError(SslError.UnableToVerifyFirstCertificate, cur))
        break
    if max_depth > 0 and len(path) - 1 > max_depth:
        errors.append(QSslError(SslError.UnspecifiedError, path[max_depth]))

    # 2. extensions
    for i, cert in enumerate(path):
        cx = cert._x509
        if i == 0:
            eku = _ext(cx, x509.ExtendedKeyUsage)
            if eku is not None:
                oids = {o.dotted_string for o in eku}
                want = _SERVER_AUTH if server_purpose else _CLIENT_AUTH
                if want not in oids and _ANY_EKU not in oids:
                    errors.append(QSslError(SslError.InvalidPurpose, cert))
            continue
        if anchored and i == len(path) - 1 and cx.version.value == 0:
            continue  # a v1 root in the trust store is accepted as it is (OpenSSL does too)
        bc = _ext(cx, x509.BasicConstraints)
        ku = _ext(cx, x509.KeyUsage)
        if bc is None or not bc.ca or (ku is not None and not ku.key_cert_sign):
            errors.append(QSslError(SslError.InvalidCaCertificate, cert))
        elif bc.path_length is not None and i - 1 > bc.path_length:
            errors.append(QSslError(SslError.PathLengthExceeded, cert))

    # 3. signatures and validity, from the top down
    for i in range(len(path) - 1, -1, -1):
        cert = path[i]
        cx = cert._x509
        if i + 1 < len(path) and not _signed_by(cx, path[i + 1]._x509):
            errors.append(QSslError(SslError.CertificateSignatureFailed, cert))
        if cx.not_valid_before_utc > now:
            errors.append(QSslError(SslError.CertificateNotYetValid, cert))
        if cx.not_valid_after_utc < now:
            errors.append(QSslError(SslError.CertificateExpired, cert))
    return errors


def _to_ace(name: str) -> str:
    try:
        return name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return name.lower()


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0].strip("[]"))
    except ValueError:
        return None


def _name_matches(pattern: str, host: str) -> bool:
    """One CN/DNS entry against an ACE, lower-case host name (Qt's wildcard rules)."""
    star = pattern.find("*")
    if star < 0:
        return _to_ace(pattern) == host
    first_dot = pattern.find(".")
    second_dot = pattern.find(".", first_dot + 1)
    if second_dot < 0 or second_dot + 1 >= len(pattern):
        return False  # fewer than three labels
    if star + 1 != first_dot or pattern.rfind("*") != star:
        return False  # the star must end the first label, and be the only one
    if pattern.lower().startswith("xn--"):
        return False
    if star and host[:star] != pattern[:star].lower():
        return False
    host_dot = host.find(".")
    if host_dot < 0 or host[host_dot + 1:] != _to_ace(pattern[first_dot + 1:]):
        return False
    return _ip(host) is None


def matches_hostname(cert: QSslCertificate, peer_name: str) -> bool:
    """Does ``cert`` name ``peer_name`` (Qt's QTlsBackend::isMatchingHostname)?"""
    from .ssl import QSsl

    sans = cert.subjectAlternativeNames()
    addr = _ip(peer_name)
    if addr is not None:
        for entry in sans.get(QSsl.AlternativeNameEntryType.IpAddressEntry, []):
            if _ip(entry) == addr:
                return True
    host = _to_ace(peer_name)
    for cn in cert.subjectInfo(QSslCertificate.SubjectInfo.CommonName):
        if _name_matches(cn, host):
            return True
    return any(_name_matches(n, host) for n in sans.get(QSsl.AlternativeNameEntryType.DnsEntry, []))


_system_lock = threading.Lock()
_system_cas: list[QSslCertificate] | None = None


def system_ca_certificates() -> list[QSslCertificate]:
    """The platform's trusted roots (OpenSSL's default file and directory), read once."""
    global _system_cas
    with _system_lock:
        if _system_cas is None:
            paths = ssl.get_default_verify_paths()
            files: list[str] = []
            for f in (os.environ.get(paths.openssl_cafile_env or "") or paths.cafile,
                      paths.openssl_cafile):
                if f and os.path.isfile(f) and f not in files:
                    files.append(f)
            seen: set[bytes] = set()
            found: list[QSslCertificate] = []
            for f in files:
                for c in QSslCertificate.fromFile(f):
                    if c._der not in seen:
                        seen.add(c._der)
                        found.append(c)
            if not found:  # no bundle file: read the hashed directory
                d = os.environ.get(paths.openssl_capath_env or "") or paths.capath
                if d and os.path.isdir(d):
                    for name in sorted(os.listdir(d)):
                        for c in QSslCertificate.fromFile(os.path.join(d, name)):
                            if c._der not in seen:
                                seen.add(c._der)
                                found.append(c)
            _system_cas = found
        return list(_system_cas)
