"""async/await on QWebSocket (a qtnet extension; PySide6 has none).

Thin helpers over the same signals and data path, for coroutines running on
the socket's thread loop::

    ws = QWebSocket()
    await ws.open_async("ws://127.0.0.1:1234/chat")   # ConnectionError on failure
    ws.sendTextMessage("hello")
    reply = await ws.receive()                         # str (text) or bytes (binary)
    async for message in ws:                           # until the connection closes
        ...
    await ws.drained()                                 # bytesToWrite() == 0
    ws.close(); await ws.wait_closed()

Messages are queued for ``receive()`` from the moment ``open_async()``,
``receive()`` or ``QWebSocketServer.accepted()`` is first used; signals keep
firing alongside.  ``receive()`` raises :class:`WebSocketClosed` (carrying
``closeCode()``/``closeReason()``) once the connection is gone and the queue
is empty.
"""

from __future__ import annotations

# The mixin methods declare ``self: QWebSocket`` (the one class they are mixed into);
# mypy flags such self types on non-protocol mixins as [misc], hence:
# mypy: disable-error-code="misc"
import asyncio
from collections import deque
from typing import TYPE_CHECKING, Any

from ..iocore.notifier import hub_for
from .websocket_state import WebSocketState

if TYPE_CHECKING:
    from .websocket import QWebSocket

__all__ = ["WebSocketAsyncMixin", "WebSocketClosed"]

_UNCONNECTED, _CONNECTED = 0, 3


class WebSocketClosed(ConnectionError):
    """The connection is closed; ``code`` and ``reason`` are the close frame's."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"WebSocket closed ({code}{': ' + reason if reason else ''})")
        self.code = code
        self.reason = reason


class MessageQueue:
    """Messages waiting for ``receive()``; filled by the data path."""

    __slots__ = ("items", "closed", "waiter")

    def __init__(self) -> None:
        self.items: deque[str | bytes] = deque()
        self.closed = False
        self.waiter: asyncio.Future[None] | None = None

    def put(self, item: str | bytes) -> None:
        self.items.append(item)
        self._wake()

    def close(self) -> None:
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        w = self.waiter
        if w is not None:
            self.waiter = None
            if not w.done():
                w.set_result(None)


async def _park(owner: Any) -> None:
    """Wait until the owner's handlers call ``_wake_waiters``."""
    hub_for(owner._td)  # bind the thread's notifiers to the running loop
    fut = asyncio.get_running_loop().create_future()
    if owner._waiters is None:
        owner._waiters = []
    owner._waiters.append(fut)
    await fut


class WebSocketAsyncMixin(WebSocketState):
    """Coroutines of QWebSocket (see the module docstring)."""

    def _message_queue(self: QWebSocket) -> MessageQueue:
        aq = self._aq
        if aq is None:
            self._aq = aq = MessageQueue()
            if self._state == _UNCONNECTED and self._eng is None and self._tcp is None:
                aq.closed = self._conn is not None  # a finished connection stays finished
        return aq  # type: ignore[no-any-return]

    async def open_async(self: QWebSocket, target: Any, options: Any = None) -> None:
        """open() and wait for ``connected``; ConnectionError with errorString() on failure."""
        self._aq = MessageQueue()
        self.open(target, options)
        while self._state != _CONNECTED:
            if self._state == _UNCONNECTED:
                raise ConnectionError(self.errorString() or "connection failed")
            await _park(self)

    async def receive(self: QWebSocket) -> str | bytes:
        """The next message: ``str`` for text, ``bytes`` for binary."""
        aq = self._message_queue()
        while not aq.items:
            if aq.closed or (self._state == _UNCONNECTED and self._tcp is None):
                raise WebSocketClosed(int(self._close_code), self._close_reason)
            hub_for(self._td)
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            aq.waiter = fut
            await fut
        return aq.items.popleft()

    def __aiter__(self: QWebSocket) -> QWebSocket:
        return self

    async def __anext__(self: QWebSocket) -> str | bytes:
        try:
            return await self.receive()
        except WebSocketClosed:
            raise StopAsyncIteration from None

    async def drained(self: QWebSocket) -> None:
        """Wait until every queued byte was handed to the kernel (or the connection ended)."""
        while self.bytesToWrite() and self._state != _UNCONNECTED:
            await _park(self)

    async def wait_closed(self: QWebSocket) -> None:
        """Wait until the socket is in UnconnectedState."""
        while self._state != _UNCONNECTED:
            await _park(self)
