"""Slowloris after the opening handshake (issue 8; the handshake stage itself
is test_ws_slowloris.py): a peer that stops in the middle of a frame, in the
middle of a fragmented message, or never answers our close frame is dropped
by a timer, and the server keeps serving.  Qt's timers (5 s idle, ~3 s for the
close reply) are shortened for the test.
"""

from __future__ import annotations

import struct

import pytest

import qtnet.qt.websocket_closing as closing
from hostile_helpers import ws_upgrade
from qt_helpers import qapp_fixture, wait_until  # noqa: F401
from qtnet import QUrl, QWebSocket
from ws_helpers import client_frame, echo_server, parse_server_frames

SHORT_S = 0.4


@pytest.fixture(autouse=True)
def short_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(closing, "_IDLE_TIMEOUT_S", SHORT_S)
    monkeypatch.setattr(closing, "_CLOSE_TIMEOUT_S", SHORT_S)


def _close_frame(data: bytes) -> tuple[int, str] | None:
    for b0, payload in parse_server_frames(data):
        if b0 & 0x0F == 0x8 and len(payload) >= 2:
            return int(struct.unpack("!H", payload[:2])[0]), payload[2:].decode()
    return None


def _echo_works(port: int) -> None:
    client = QWebSocket()
    got: list[str] = []
    client.textMessageReceived.connect(got.append)
    client.open(QUrl(f"ws://127.0.0.1:{port}/"))
    assert wait_until(client.isValid, 5000), client.errorString()
    client.sendTextMessage("served")
    assert wait_until(lambda: got == ["served"], 5000)
    client.close()


@pytest.mark.parametrize(
    "stall",
    [
        b"\x81",  # one byte of a frame header
        b"\x82\xfe\x10\x00\x01\x02\x03\x04" + b"x" * 100,  # 100 of 4096 payload bytes
        client_frame(0x1, b"first part", fin=False),  # a message never finished
    ],
    ids=["header", "payload", "fragmented-message"],
)
def test_stalled_frame_is_failed_with_1001(qapp: object, stall: bytes) -> None:
    server, sockets = echo_server()
    port = server.serverPort()
    peer, _ = ws_upgrade(port)
    assert wait_until(lambda: len(sockets) == 1)
    peer.send(stall)
    assert peer.wait_closed(5000)
    assert _close_frame(peer.data) == (1001, "Timeout when reading data from socket.")
    _echo_works(port)
    server.close()


def test_peer_that_never_answers_our_close_is_dropped(qapp: object) -> None:
    server, sockets = echo_server()
    port = server.serverPort()
    peer, _ = ws_upgrade(port)
    assert wait_until(lambda: len(sockets) == 1)
    sockets[0].close()
    assert peer.wait_closed(5000)  # TCP closed although no close reply came
    assert _close_frame(peer.data) == (1000, "")
    _echo_works(port)
    server.close()
