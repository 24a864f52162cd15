"""TLS interoperation with real Qt: PySide6's QSslSocket/QSslServer (OpenSSL backend) as the peer.

PySide6 runs in its own process (tests/peers.py).  Three things are checked:
PySide6's client against qtnet's QSslServer, qtnet's client against PySide6's
QSslServer, and - case by case - that qtnet's peer verification reports the
same sslErrors list (codes, order, certificates) as PySide6 does for the same
certificate, trust store and host name.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from peers import peer_env, pyside6_python, run_pyside6
from qt_helpers import qapp_fixture, wait_until  # noqa: F401
from qtnet import QAbstractSocket, QSslCertificate
from ssl_helpers import EchoServer, Pki, client_socket

SS = QAbstractSocket.SocketState


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


_PYSIDE_CLIENT = textwrap.dedent("""
    import json, sys
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtNetwork import QSslCertificate, QSslSocket
    app = QCoreApplication([])
    port, ca = int(sys.argv[1]), sys.argv[2]
    s = QSslSocket()
    cfg = s.sslConfiguration()
    cfg.setCaCertificates(QSslCertificate.fromPath(ca))
    s.setSslConfiguration(cfg)
    out = {"errors": [], "data": b""}
    s.sslErrors.connect(lambda errs: out["errors"].extend(e.error().name for e in errs))
    def got():
        out["data"] += bytes(s.readAll())
        if len(out["data"]) >= 10000:
            app.quit()
    s.readyRead.connect(got)
    s.encrypted.connect(lambda: s.write(b"q" * 10000))
    s.errorOccurred.connect(lambda e: (out.setdefault("error", s.errorString()), app.quit()))
    QTimer.singleShot(10000, app.quit)
    s.connectToHostEncrypted("localhost", port)
    app.exec()
    print(json.dumps({"errors": out["errors"], "ok": out["data"] == b"q" * 10000,
                      "encrypted": s.isEncrypted(), "protocol": s.sessionProtocol().name,
                      "error": out.get("error"),
                      "peer": s.peerCertificate().subjectInfo(QSslCertificate.Organization)}))
""")


def test_pyside6_client_against_qtnet_server(qapp: object, pki: Pki, tmp_path: Path) -> None:
    folder = pki.write_all(tmp_path)
    srv = EchoServer(pki.server)
    argv = [pyside6_python(), "-c", _PYSIDE_CLIENT, str(srv.port), str(folder / "ca.pem")]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=peer_env())
    try:
        assert wait_until(lambda: proc.poll() is not None, 60000)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    result = json.loads(out)
    assert result == {"errors": [], "ok": True, "encrypted": True, "protocol": "TlsV1_3",
                      "error": None,
                      "peer": pki.server.cert.subjectInfo(QSslCertificate.Organization)}
    assert srv.sockets and srv.sockets[0].isEncrypted()
    srv.close()


_PYSIDE_SERVER = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtNetwork import QHostAddress, QSsl, QSslCertificate, QSslKey, QSslServer
    app = QCoreApplication([])
    cert_path, key_path = sys.argv[1], sys.argv[2]
    srv = QSslServer()
    cfg = srv.sslConfiguration()
    cfg.setLocalCertificateChain(QSslCertificate.fromPath(cert_path))
    cfg.setPrivateKey(QSslKey(open(key_path, "rb").read(), QSsl.Ec))
    srv.setSslConfiguration(cfg)
    assert srv.listen(QHostAddress.LocalHost, 0)
    print(srv.serverPort(), flush=True)
    keep = []
    def take():
        s = srv.nextPendingConnection()
        keep.append(s)
        s.readyRead.connect(lambda: s.write(bytes(s.readAll())[::-1]))
        s.disconnected.connect(app.quit)
    srv.pendingConnectionAvailable.connect(take)
    QTimer.singleShot(20000, app.quit)
    app.exec()
""")


def test_qtnet_client_against_pyside6_server(qapp: object, pki: Pki, tmp_path: Path) -> None:
    folder = pki.write_all(tmp_path)
    proc = subprocess.Popen([pyside6_python(), "-c", _PYSIDE_SERVER, str(folder / "server.pem"),
                             str(folder / "server.key")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=peer_env())
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip().isdigit(), proc.stderr.read() if proc.stderr else line
        client = client_socket(pki)
        client.connectToHostEncrypted("localhost", int(line))
        assert wait_until(
            lambda: client.isEncrypted() or client.state() == SS.UnconnectedState, 10000)
        assert client.isEncrypted(), client.errorString()
        assert client.peerCertificate() == pki.server.cert
        client.write(b"qtnet to Qt")
        assert wait_until(lambda: client.bytesAvailable() >= 11, 10000)
        assert bytes(client.readAll()) == b"qtnet to Qt"[::-1]
        client.disconnectFromHost()
        assert wait_until(lambda: proc.poll() is not None, 20000)  # Qt saw the disconnect
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


# (identity, trust the test CA?, host to connect to, peer verify name)
_CASES = [
    ("server", True, "127.0.0.1", ""),
    ("server", False, "127.0.0.1", ""),
    ("untrusted", True, "localhost", ""),
    ("other", True, "127.0.0.1", ""),
    ("other", False, "127.0.0.1", ""),
    ("other", True, "127.0.0.1", "example.org"),
    ("expired", True, "127.0.0.1", ""),
    ("inter", True, "localhost", ""),
    ("inter", False, "127.0.0.1", ""),
    ("selfsigned", False, "127.0.0.1", ""),
    ("selfsigned", False, "localhost", "wrong.example"),
]

_PYSIDE_VERIFY = textwrap.dedent("""
    import json, socket, ssl, sys, threading
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtNetwork import QSslCertificate, QSslSocket
    app = QCoreApplication([])
    folder, cases = sys.argv[1], json.loads(sys.argv[2])
    def serve(name):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(f"{folder}/{name}.pem", f"{folder}/{name}.key")
        ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
        def run():
            c, _ = ls.accept()
            try:
                ctx.wrap_socket(c, server_side=True).recv(10)
            except Exception:
                pass
            ls.close()
        threading.Thread(target=run, daemon=True).start()
        return ls.getsockname()[1]
    results = []
    for name, trust, host, verify_name in cases:
        s = QSslSocket()
        cfg = s.sslConfiguration()
        cfg.setCaCertificates(QSslCertificate.fromPath(f"{folder}/ca.pem") if trust else [])
        s.setSslConfiguration(cfg)
        if verify_name:
            s.setPeerVerifyName(verify_name)
        errors = []
        s.sslErrors.connect(lambda errs: errors.extend(
            [e.error().name, e.certificate().toPem().data().decode()] for e in errs))
        s.connectToHostEncrypted(host, serve(name))
        ok = s.waitForEncrypted(5000)
        results.append({"ok": ok, "errors": errors})
        s.abort()
    print(json.dumps(results))
""")


def test_verification_matches_pyside6(qapp: object, pki: Pki, tmp_path: Path) -> None:
    folder = pki.write_all(tmp_path)
    proc = run_pyside6(_PYSIDE_VERIFY, str(folder), json.dumps(_CASES), timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    expected = json.loads(proc.stdout)
    identities = {"server": pki.server, "untrusted": pki.untrusted, "other": pki.other_host,
                  "expired": pki.expired, "inter": pki.via_intermediate,
                  "selfsigned": pki.self_signed}
    got = []
    for name, trust, host, verify_name in _CASES:
        srv = EchoServer(identities[name])
        client = client_socket(pki, trust=None if trust else [])
        if verify_name:
            client.setPeerVerifyName(verify_name)
        errors: list[list[str]] = []
        client.sslErrors.connect(lambda errs, errors=errors: errors.extend(
            [e.error().name, bytes(e.certificate().toPem()).decode()] for e in errs))
        client.connectToHostEncrypted(host, srv.port)
        wait_until(lambda c=client: c.isEncrypted() or c.state() == SS.UnconnectedState, 5000)
        got.append({"ok": client.isEncrypted(), "errors": errors})
        client.abort()
        srv.close()
    for case, mine, qt in zip(_CASES, got, expected, strict=True):
        assert mine == qt, case
    # The cases cover success, every chain error kind seen here, and host names.
    kinds = {e[0] for r in expected for e in r["errors"]}
    assert kinds >= {"HostNameMismatch", "UnableToGetLocalIssuerCertificate",
                     "UnableToVerifyFirstCertificate", "CertificateExpired",
                     "SelfSignedCertificate"}
    assert any(r["ok"] for r in expected) and not all(r["ok"] for r in expected)
