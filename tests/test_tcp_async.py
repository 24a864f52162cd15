"""async/await on QTcpServer/QTcpSocket (qtnet extension, see qt/socket_async.py).

The coroutines run on an asyncio loop the test starts (stock asyncio and
uvloop); qtnet adopts that loop for the thread, and signals keep working
alongside the awaits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
import uvloop

from qt_helpers import qapp_fixture  # noqa: F401
from qtnet import QAbstractSocket, QHostAddress, QTcpServer, QTcpSocket
from tcp_helpers import closed_port

SA = QHostAddress.SpecialAddress
SS = QAbstractSocket.SocketState

RUNNERS: dict[str, Callable[[Coroutine[Any, Any, Any]], Any]] = {
    "asyncio": asyncio.run,
    "uvloop": uvloop.run,
}


@pytest.fixture(params=sorted(RUNNERS))
def run(request: pytest.FixtureRequest, qapp: object) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    runner = RUNNERS[request.param]
    return lambda coro: runner(asyncio.wait_for(coro, 30))


def test_accept_echo_lines(run: Callable[[Coroutine[Any, Any, Any]], Any]) -> None:
    async def main() -> list[bytes]:
        server = QTcpServer()
        assert server.listen(SA.LocalHost, 0)

        async def serve() -> None:
            peer = await server.accepted()
            async for line in peer:
                peer.write(line.upper())
                await peer.drained()
            peer.disconnectFromHost()

        task = asyncio.ensure_future(serve())
        client = QTcpSocket()
        await client.connect_async("127.0.0.1", server.serverPort())
        assert client.state() == SS.ConnectedState
        replies = []
        for word in (b"hello\n", b"qt\n"):
            client.write(word)
            replies.append(bytes(await client.readline_async()))
        client.disconnectFromHost()
        await task
        return replies

    assert run(main()) == [b"HELLO\n", b"QT\n"]


def test_read_async_and_read_exactly(run: Callable[[Coroutine[Any, Any, Any]], Any]) -> None:
    async def main() -> None:
        server = QTcpServer()
        assert server.listen(SA.LocalHost, 0)
        client = QTcpSocket()
        connecting = asyncio.ensure_future(client.connect_async("localhost", server.serverPort()))
        peer = await server.accepted()
        await connecting
        peer.write(b"\x00\x00\x00\x05hello tail")
        head = await client.read_exactly(4)
        assert bytes(head) == b"\x00\x00\x00\x05"
        assert bytes(await client.read_exactly(5)) == b"hello"
        assert bytes(await client.read_async(3)) == b" ta"
        peer.disconnectFromHost()
        assert bytes(await client.read_async()) == b"il"
        assert bytes(await client.read_async()) == b""  # end of stream
        with pytest.raises(asyncio.IncompleteReadError):
            await client.read_exactly(1)
        await client.disconnected_async()
        assert client.state() == SS.UnconnectedState

    run(main())


def test_signals_work_alongside_awaits(run: Callable[[Coroutine[Any, Any, Any]], Any]) -> None:
    async def main() -> list[str]:
        seen: list[str] = []
        server = QTcpServer()
        server.newConnection.connect(lambda: seen.append("newConnection"))
        assert server.listen(SA.LocalHost, 0)
        client = QTcpSocket()
        client.connected.connect(lambda: seen.append("connected"))
        client.readyRead.connect(lambda: seen.append("readyRead"))
        await client.connect_async("127.0.0.1", server.serverPort())
        peer = await server.accepted()
        peer.write(b"x")
        assert bytes(await client.read_async()) == b"x"
        return seen

    seen = run(main())
    assert "connected" in seen and "readyRead" in seen and "newConnection" in seen


def test_connect_async_failures(run: Callable[[Coroutine[Any, Any, Any]], Any]) -> None:
    async def main() -> None:
        s = QTcpSocket()
        with pytest.raises(ConnectionRefusedError, match="Connection refused"):
            await s.connect_async("127.0.0.1", closed_port())
        assert s.error() == QAbstractSocket.SocketError.ConnectionRefusedError
        with pytest.raises(OSError, match="Host not found"):
            await s.connect_async("nonexistent.invalid", 80)

    run(main())


def test_accepted_on_closed_server_raises(run: Callable[[Coroutine[Any, Any, Any]], Any]) -> None:
    async def main() -> None:
        server = QTcpServer()
        with pytest.raises(OSError):
            await server.accepted()
        assert server.listen(SA.LocalHost, 0)
        waiter = asyncio.ensure_future(server.accepted())
        await asyncio.sleep(0.05)
        server.close()  # stops listening while a coroutine waits
        with pytest.raises(OSError):
            await waiter

    run(main())


def test_objects_created_before_the_loop_started(qapp: object) -> None:
    # The server exists (and listens) before asyncio.run starts a new loop: the
    # thread's notifiers move to the running loop on first await.
    server = QTcpServer()
    assert server.listen(SA.LocalHost, 0)

    async def main() -> bytes:
        client = QTcpSocket()
        await client.connect_async("127.0.0.1", server.serverPort())
        peer = await server.accepted()
        client.write(b"late loop")
        await client.drained()
        return bytes(await peer.read_exactly(9))

    assert asyncio.run(asyncio.wait_for(main(), 30)) == b"late loop"


def test_cancelled_read_leaves_socket_usable(
    run: Callable[[Coroutine[Any, Any, Any]], Any],
) -> None:
    async def main() -> None:
        server = QTcpServer()
        assert server.listen(SA.LocalHost, 0)
        client = QTcpSocket()
        await client.connect_async("127.0.0.1", server.serverPort())
        peer = await server.accepted()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.read_async(), 0.05)
        peer.write(b"after")
        assert bytes(await client.read_exactly(5)) == b"after"

    run(main())
