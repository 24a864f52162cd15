"""qtnet's WebSockets against the ``websockets`` package (an independent RFC 6455/7692 implementation).

The ``websockets`` end runs its threaded (sync) API in a helper thread while
the test's thread spins qtnet's loop.  Covered: text, binary, ping/pong, close
codes and reasons in both directions, and permessage-deflate both ways with
the default parameters, with small window sizes and with no context takeover.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    ServerPerMessageDeflateFactory,
)
from websockets.sync.client import connect
from websockets.sync.server import serve

from qt_helpers import qapp_fixture, wait_until  # noqa: F401
from qtnet import (
    QHostAddress,
    QUrl,
    QWebSocket,
    QWebSocketHandshakeOptions,
    QWebSocketProtocol,
    QWebSocketServer,
)
from qtnet.codecs.ws_deflate import DeflateConfig

CloseCode = QWebSocketProtocol.CloseCode
TEXT = "naïve café " * 3000  # compressible, non-ASCII
BINARY = bytes(range(256)) * 1000


class Worker(threading.Thread):
    """Runs ``func`` in a thread; the result (or exception) is kept for the test."""

    def __init__(self, func: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.func = func
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.func()
        except BaseException as e:  # noqa: BLE001 - reported by finish()
            self.error = e

    def finish(self, timeout_ms: int = 20000) -> Any:
        assert wait_until(lambda: not self.is_alive(), timeout_ms), "the websockets side hung"
        if self.error is not None:
            raise self.error
        return self.result


def qtnet_echo_server(deflate: DeflateConfig | None) -> tuple[QWebSocketServer, dict[str, Any]]:
    server = QWebSocketServer("qtnet", QWebSocketServer.NonSecureMode)
    if deflate is not None:
        server.setPerMessageDeflate(True, deflate)
    seen: dict[str, Any] = {"closes": [], "extensions": []}

    def on_new() -> None:
        ws = server.nextPendingConnection()
        seen["extensions"].append(ws.extension())

        def on_text(m: str, ws: QWebSocket = ws) -> None:
            if m == "close-me":
                ws.close(CloseCode.CloseCodePolicyViolated, "qtnet closes")
            else:
                ws.sendTextMessage(m)

        ws.textMessageReceived.connect(on_text)
        ws.binaryMessageReceived.connect(ws.sendBinaryMessage)
        ws.disconnected.connect(
            lambda ws=ws: seen["closes"].append((int(ws.closeCode()), ws.closeReason()))
        )

    server.newConnection.connect(on_new)
    assert server.listen(QHostAddress("127.0.0.1"), 0)
    return server, seen


CLIENT_OFFERS = {
    "none": None,
    "default": [ClientPerMessageDeflateFactory()],
    "small-windows": [
        ClientPerMessageDeflateFactory(server_max_window_bits=9, client_max_window_bits=10)
    ],
    "no-context-takeover": [
        ClientPerMessageDeflateFactory(
            server_no_context_takeover=True, client_no_context_takeover=True
        )
    ],
}


@pytest.mark.parametrize("offer", list(CLIENT_OFFERS))
@pytest.mark.parametrize("server_deflate", [True, False])
def test_websockets_client_against_qtnet_server(
    qapp: object, offer: str, server_deflate: bool
) -> None:
    server, seen = qtnet_echo_server(DeflateConfig() if server_deflate else None)
    url = f"ws://127.0.0.1:{server.serverPort()}/path"
    extensions = CLIENT_OFFERS[offer]

    def client() -> dict[str, Any]:
        kwargs: dict[str, Any] = {"compression": None}
        if extensions is not None:
            kwargs["extensions"] = extensions
        out: dict[str, Any] = {}
        with connect(url, max_size=None, **kwargs) as ws:
            out["extensions"] = ws.response.headers.get("Sec-WebSocket-Extensions")
            for _ in range(3):  # context takeover: later messages reuse the window
                ws.send(TEXT)
                assert ws.recv(timeout=10) == TEXT
                ws.send(BINARY)
                assert ws.recv(timeout=10) == BINARY
            ws.send("")
            assert ws.recv(timeout=10) == ""
            pong = ws.ping(b"are you there")
            out["pong"] = pong.wait(10)
            ws.close(4000, "websockets closes")
            out["close"] = (
                (ws.protocol.close_rcvd.code, ws.protocol.close_rcvd.reason)
                if ws.protocol.close_rcvd
                else None
            )
        with connect(url, **kwargs) as ws2:
            ws2.send("close-me")
            try:
                ws2.recv(timeout=10)
            except Exception as e:  # ConnectionClosedOK
                out["closed_by_server"] = (e.rcvd.code, e.rcvd.reason)  # type: ignore[attr-defined]
        return out

    worker = Worker(client)
    worker.start()
    result = worker.finish()
    negotiated = server_deflate and extensions is not None
    assert (result["extensions"] or "").startswith("permessage-deflate") == negotiated
    assert bool(seen["extensions"][0]) == negotiated
    if offer == "no-context-takeover" and negotiated:
        assert "server_no_context_takeover" in result["extensions"]
    assert result["pong"] is not None
    assert result["close"] == (4000, "websockets closes")
    assert result["closed_by_server"] == (1008, "qtnet closes")
    assert wait_until(lambda: len(seen["closes"]) == 2)
    assert seen["closes"][0] == (4000, "websockets closes")


SERVER_FACTORIES = {
    "none": None,
    "default": [ServerPerMessageDeflateFactory()],
    "no-context-takeover": [
        ServerPerMessageDeflateFactory(
            server_no_context_takeover=True, client_no_context_takeover=True
        )
    ],
    "small-windows": [
        ServerPerMessageDeflateFactory(server_max_window_bits=9, client_max_window_bits=9)
    ],
}


@pytest.mark.parametrize("server_ext", list(SERVER_FACTORIES))
@pytest.mark.parametrize("client_deflate", [True, False])
def test_qtnet_client_against_websockets_server(
    qapp: object, server_ext: str, client_deflate: bool
) -> None:
    closes: list[tuple[int, str]] = []

    def handler(conn: Any) -> None:
        for message in conn:
            if message == "close-me":
                conn.close(4001, "websockets says bye")
                break
            conn.send(message)
        rcvd = conn.protocol.close_rcvd
        if rcvd is not None:
            closes.append((rcvd.code, rcvd.reason))

    extensions = SERVER_FACTORIES[server_ext]
    with serve(
        handler, "127.0.0.1", 0, compression=None, extensions=extensions, max_size=None
    ) as srv:
        thread = threading.Thread(target=srv.serve_forever, daemon=True)
        thread.start()
        port = srv.socket.getsockname()[1]
        opts = QWebSocketHandshakeOptions()
        opts.setPerMessageDeflate(client_deflate)
        ws = QWebSocket()
        texts: list[str] = []
        binaries: list[bytes] = []
        pongs: list[bytes] = []
        ws.textMessageReceived.connect(texts.append)
        ws.binaryMessageReceived.connect(lambda b: binaries.append(bytes(b)))
        ws.pong.connect(lambda _ms, p: pongs.append(bytes(p)))
        ws.open(QUrl(f"ws://127.0.0.1:{port}/x"), opts)
        assert wait_until(ws.isValid, 10000)
        negotiated = client_deflate and extensions is not None
        assert ws.extension().startswith("permessage-deflate") == negotiated
        for _ in range(3):
            ws.sendTextMessage(TEXT)
            ws.sendBinaryMessage(BINARY)
        ws.ping(b"qtnet")
        assert wait_until(lambda: len(texts) == 3 and len(binaries) == 3 and pongs, 10000)
        assert texts == [TEXT] * 3 and binaries == [BINARY] * 3 and pongs == [b"qtnet"]
        ws.close(CloseCode.CloseCodeGoingAway, "qtnet leaves")
        assert wait_until(lambda: not ws.isValid() and int(ws.state()) == 0, 10000)
        second = QWebSocket()
        second.open(QUrl(f"ws://127.0.0.1:{port}/y"), opts)
        assert wait_until(second.isValid, 10000)
        second.sendTextMessage("close-me")
        assert wait_until(lambda: int(second.state()) == 0, 10000)
        assert int(second.closeCode()) == 4001 and second.closeReason() == "websockets says bye"
        assert wait_until(lambda: len(closes) == 2, 10000)
        srv.shutdown()
        thread.join(10)
    assert closes[0] == (1001, "qtnet leaves")
