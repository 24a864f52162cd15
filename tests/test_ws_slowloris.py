"""Slowloris: connections that never finish the opening handshake are dropped at
``handshakeTimeoutMS()`` while real clients keep being served (qt-autotests.md §5,
``tst_handshakeTimeout``).

200 raw connections: half never send a byte, half trickle a handshake one byte
at a time (each byte resets nothing: the timer runs from the accept, as in
Qt).  The timeout is shortened to 600 ms for the test.
"""

from __future__ import annotations

import time

from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401
from qtnet import QUrl, QWebSocket
from ws_helpers import RawPeer, echo_server, handshake_request

SLOW = 200
TIMEOUT_MS = 600


def test_slowloris_connections_are_dropped_while_a_client_works(qapp: object) -> None:
    server, sockets = echo_server()
    server.setHandshakeTimeout(TIMEOUT_MS)
    errors: list[object] = []
    server.serverError.connect(errors.append)
    port = server.serverPort()
    request = handshake_request(port)
    t0 = time.monotonic()
    peers: list[RawPeer] = []
    while len(peers) < SLOW:  # in batches below the listen backlog (50), accepted in between
        peers += [RawPeer(port) for _ in range(min(40, SLOW - len(peers)))]
        settle(10)
    trickling = peers[SLOW // 2 :]
    sent = 0

    def trickle() -> None:
        nonlocal sent
        if sent < len(request) - 1:  # never the final byte
            for p in trickling:
                if not p.poll():
                    try:
                        p.send(request[sent : sent + 1])
                    except OSError:
                        pass
            sent += 1

    closed_at: dict[int, float] = {}  # peer -> seconds from t0 until it was seen closed

    def watch() -> None:
        for i, p in enumerate(peers):
            if i not in closed_at and p.poll():
                closed_at[i] = time.monotonic() - t0

    # A real client connects, talks and stays connected during the attack.
    client = QWebSocket()
    echoes: list[str] = []
    client.textMessageReceived.connect(echoes.append)
    client.open(QUrl(f"ws://127.0.0.1:{port}/"))
    assert wait_until(lambda: (watch(), client.isValid())[1], 5000)
    client.sendTextMessage("still served")
    assert wait_until(lambda: (watch(), echoes == ["still served"])[1], 5000)
    # Every slow connection is dropped at the timeout: not before, and not long after.
    deadline = time.monotonic() + 10
    while len(closed_at) < SLOW and time.monotonic() < deadline:
        trickle()
        settle(20)
        watch()
    assert len(closed_at) == SLOW, f"{SLOW - len(closed_at)} still open"
    assert min(closed_at.values()) >= TIMEOUT_MS / 1000 * 0.9
    assert max(closed_at.values()) < TIMEOUT_MS / 1000 + 4.0
    assert all(p.data == b"" for p in peers)  # dropped silently, no HTTP reply
    assert errors == []  # the timer is not an error (Qt)
    assert len(sockets) == 1
    # The real client was not touched by the timer and still works.
    assert client.isValid()
    client.sendTextMessage("after the attack")
    assert wait_until(lambda: echoes == ["still served", "after the attack"], 5000)
    for p in peers:
        p.close()
