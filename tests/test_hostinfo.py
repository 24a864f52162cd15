"""QHostInfo: blocking fromName and asynchronous lookupHost compared with real Qt
(PySide6), the IDNA conversion of host names, ids, abort, receivers and threads.

Only "localhost", IP literals of the loopback, "nonexistent.invalid" (RFC 6761:
never resolves) and invalid names are looked up; the conversion table goes
through QUrl.toAce on the Qt side, with no lookup at all.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from peers import pyside6_json
from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401 - the qapp fixture
from qtnet import QObject, QThread, Signal, Slot
from qtnet.iocore.loops import current_thread_data
from qtnet.qt.hostaddress import QHostAddress
from qtnet.qt.hostinfo import QHostInfo, _to_ace

MAIN = threading.get_ident()
NAMES = ["localhost", "127.0.0.1", "::1", "127.1", "nonexistent.invalid", "", "  ", "LOCALHOST",
         "[::1]", "bad name!", "a" * 300, "xn--", "ünïcode.invalid", "a..b.invalid",
         "-a.invalid", "a_b.invalid", "x" * 64 + ".invalid"]  # fmt: skip
ACE_NAMES = [
    "a_b.invalid", "a..b.invalid", ".a.invalid", "-a.invalid", "a-.invalid", "a b", "*", "a:b",
    "a/b", "a@b", "a%b", "a!b", "a+b", "a,b", "a\\b", "a~b", "a\tb", "ABC.INVALID", "123.invalid",
    "x" * 63 + ".invalid", "x" * 64 + ".invalid", ("x" * 62 + ".") * 4 + "invalid",
    "xn--abc.invalid", "xn--zz.invalid", "straße.invalid", "ÄÖÜ.invalid", "a\u200bb.invalid",
    "ａ.invalid", "a。b.invalid", "..", ".", "a.", "localhost..", "é", "a\x00b", "—.invalid",
    "a\u0300.invalid", "ab--cd.invalid", "xn--.invalid", "xn--a.invalid", "-", "ß", "İ.invalid",
    "ﬁ.invalid", "Ⅻ.invalid", "a\u00adb", "a\u200cb.invalid", "a\u200db.invalid", "a｡b",
    "١٢.invalid", "1234", "0x1", "256.1.1.1", "Ab.C", "xn--ABC", "XN--abc", "é.é", "é-.x", "-é.x",
    "éa--b.x", "\u2024.x", "a\u2024b", "a\u00a0b", "a\u3000b", "a\u2028b", "\u0300a.x",
    "\U0001f600.x", "é" * 70, "é" * 20, "xn--" + "a" * 60, "\ufffd.x", "a\x80b", "a\x7fb",
    "ǅ.x", "ς.x", "Σ.x", "ẞ.x", "a.b.", "*.a",
]  # fmt: skip

PEER_SCRIPT = r"""
import json, sys
from PySide6.QtCore import QUrl
from PySide6.QtNetwork import QHostInfo
data = json.load(sys.stdin)
def show(i):
    return [i.hostName(), [a.toString() for a in i.addresses()], int(i.error().value),
            i.errorString(), i.lookupId()]
print(json.dumps({
    "fromName": [show(QHostInfo.fromName(n)) for n in data["names"]],
    "ace": [QUrl.toAce(n).data().decode("latin-1") for n in data["ace"]],
    "local": [QHostInfo.localHostName(), QHostInfo.localDomainName()],
    "default": show(QHostInfo()), "with_id": show(QHostInfo(5)),
}))
"""


def show(info: QHostInfo) -> list[Any]:
    return [info.hostName(), [a.toString() for a in info.addresses()], int(info.error()),
            info.errorString(), info.lookupId()]  # fmt: skip


def test_matches_qt() -> None:
    qt = pyside6_json(PEER_SCRIPT, {"names": NAMES, "ace": ACE_NAMES})
    ours = [show(QHostInfo.fromName(n)) for n in NAMES]
    assert dict(zip(NAMES, ours, strict=True)) == dict(zip(NAMES, qt["fromName"], strict=True))
    aces = [_to_ace(n) for n in ACE_NAMES]
    assert dict(zip(ACE_NAMES, aces, strict=True)) == dict(zip(ACE_NAMES, qt["ace"], strict=True))
    assert [QHostInfo.localHostName(), QHostInfo.localDomainName()] == qt["local"]
    assert show(QHostInfo()) == qt["default"] and show(QHostInfo(5)) == qt["with_id"]


def test_well_known_results() -> None:
    info = QHostInfo.fromName("localhost")
    assert info.error() is QHostInfo.NoError and QHostAddress.LocalHost in info.addresses()
    missing = QHostInfo.fromName("nonexistent.invalid")
    assert missing.error() is QHostInfo.HostNotFound and missing.errorString() == "Host not found"
    assert missing.addresses() == [] and missing.lookupId() == -1
    literal = QHostInfo.fromName("::1")
    assert literal.addresses() == [QHostAddress("::1")]
    assert QHostInfo.localHostName() == socket.gethostname()
    assert (QHostInfo.NoError, QHostInfo.HostNotFound, QHostInfo.UnknownError) == (0, 1, 2)


def test_value_class() -> None:
    assert QHostInfo(lookupId=3).lookupId() == 3  # PySide6's keyword
    info = QHostInfo(7)
    info.setHostName("h")
    info.setAddresses([QHostAddress("10.0.0.1")])
    info.setError(QHostInfo.UnknownError)
    info.setErrorString("boom")
    copy = QHostInfo(info)
    info.setLookupId(8)
    info.addresses()[0].setAddress("1.1.1.1")  # a copy: the result is unchanged
    assert show(copy) == ["h", ["10.0.0.1"], 2, "boom", 7]
    assert show(info) == ["h", ["10.0.0.1"], 2, "boom", 8]
    other = QHostInfo()
    other.swap(copy)
    assert other.hostName() == "h" and copy.hostName() == "" and copy.lookupId() == -1


def test_lookup_host_with_callable(qapp: Any) -> None:
    got: list[tuple[QHostInfo, int]] = []
    ids = [QHostInfo.lookupHost(n, lambda i: got.append((i, threading.get_ident())))
           for n in ("localhost", "127.0.0.1", "", "nonexistent.invalid")]  # fmt: skip
    assert ids == sorted(ids) and len(set(ids)) == 4 and ids[0] >= 1
    assert got == []  # never synchronous, not even for an empty name
    assert wait_until(lambda: len(got) == 4, 20_000)
    by_id = {i.lookupId(): (i, tid) for i, tid in got}
    assert set(by_id) == set(ids) and {tid for _, tid in got} == {MAIN}
    assert QHostAddress.LocalHost in by_id[ids[0]][0].addresses()
    assert by_id[ids[1]][0].hostName() == "localhost"
    assert show(by_id[ids[2]][0])[2:4] == [1, "No host name given"]
    assert show(by_id[ids[3]][0])[2:4] == [1, "Host not found"]


def test_abort_host_lookup(qapp: Any) -> None:
    got: list[int] = []
    aborted = QHostInfo.lookupHost("localhost", lambda i: got.append(i.lookupId()))
    aborted_empty = QHostInfo.lookupHost("", lambda i: got.append(i.lookupId()))
    kept = QHostInfo.lookupHost("localhost", lambda i: got.append(i.lookupId()))
    QHostInfo.abortHostLookup(aborted)
    QHostInfo.abortHostLookup(aborted_empty)
    assert wait_until(lambda: kept in got, 20_000)
    settle(100)
    assert got == [kept]


class Receiver(QObject):
    relay = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.results: list[tuple[str, int, int]] = []

    @Slot(object)
    def on_result(self, info: QHostInfo) -> None:
        self.results.append((info.hostName(), info.lookupId(), threading.get_ident()))


def test_receiver_member_forms(qapp: Any) -> None:
    r = Receiver()
    relayed: list[int] = []
    r.relay.connect(lambda info: relayed.append(info.lookupId()))
    a = QHostInfo.lookupHost("localhost", r, b"1on_result(QHostInfo)")  # SLOT() bytes
    b = QHostInfo.lookupHost("127.0.0.1", r, "on_result")
    c = QHostInfo.lookupHost("localhost", r, r.on_result)  # context + callable
    d = QHostInfo.lookupHost("localhost", r, "2relay(QHostInfo)")  # SIGNAL(): emitted
    assert wait_until(lambda: len(r.results) == 3 and relayed == [d], 20_000)
    assert sorted(x[1] for x in r.results) == [a, b, c]


def test_deleted_receiver_gets_nothing(qapp: Any) -> None:
    r = Receiver()
    QHostInfo.lookupHost("localhost", r, r.on_result)
    r.deleteLater()
    current_thread_data().flush_deferred_deletes()  # deleted before any result can be processed
    assert r.isDeleted()
    witness: list[int] = []
    QHostInfo.lookupHost("localhost", lambda i: witness.append(1))
    assert wait_until(lambda: witness, 20_000)
    settle(50)
    assert r.results == []


def test_result_arrives_in_the_receivers_thread(qapp: Any) -> None:
    r = Receiver()
    th = QThread()
    r.moveToThread(th)
    th.start()
    try:
        QHostInfo.lookupHost("localhost", r, r.on_result)
        assert wait_until(lambda: r.results, 20_000)
        assert r.results[0][2] not in (0, MAIN)
    finally:
        th.quit()
        assert th.wait(10_000)


def test_lookup_from_a_worker_thread_answers_there(qapp: Any) -> None:
    seen: dict[str, Any] = {}

    class Worker(QThread):
        def run(self) -> None:
            seen["thread"] = threading.get_ident()

            def done(info: QHostInfo) -> None:
                seen["answered_in"] = threading.get_ident()
                seen["info"] = info
                self.quit()

            QHostInfo.lookupHost("localhost", done)
            self.exec()

    w = Worker()
    w.start()
    assert w.wait(20_000)
    assert seen["answered_in"] == seen["thread"] != MAIN
    assert QHostAddress.LocalHost in seen["info"].addresses()
