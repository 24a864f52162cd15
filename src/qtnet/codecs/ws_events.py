"""What a :class:`~qtnet.codecs.ws_protocol.WebSocketConnection` reports: its
events, its states, the error of a send it refuses, and Qt's default limits.

Events are plain slotted classes (not dataclasses): they are created on the hot
path, and a two-line ``__init__`` is the cheapest Python-level constructor.
"""

from __future__ import annotations

from enum import IntEnum

#: Qt's ``QWebSocket::maxIncomingFrameSize()`` / ``maxIncomingMessageSize()``
#: (INT_MAX - 1), also the defaults of the ``maxAllowedIncoming*`` setters.
QT_MAX_INCOMING_SIZE = 2_147_483_646
#: Qt's default ``outgoingFrameSize()``: 512 KiB.
QT_OUTGOING_FRAME_SIZE = 524_288


class State(IntEnum):
    OPEN = 1
    CLOSING = 2
    CLOSED = 3


class InvalidState(Exception):
    """A send after this side's close frame was queued or the peer's EOF."""


def _short(value: str | bytes) -> str:
    """repr() cut to a readable length (messages may be megabytes)."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}...<{len(value)} long>"


class TextMessage:
    __slots__ = ("data",)

    def __init__(self, data: str) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"TextMessage({_short(self.data)})"

    def __eq__(self, other: object) -> bool:
        return type(other) is TextMessage and other.data == self.data

    __hash__ = None  # type: ignore[assignment]


class BinaryMessage:
    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"BinaryMessage({_short(self.data)})"

    def __eq__(self, other: object) -> bool:
        return type(other) is BinaryMessage and other.data == self.data

    __hash__ = None  # type: ignore[assignment]


class _FrameEvent:
    __slots__ = ("data", "is_last")

    def __init__(self, data: str | bytes, is_last: bool) -> None:
        self.data = data
        self.is_last = is_last

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_short(self.data)}, is_last={self.is_last})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, _FrameEvent)
            and (other.data, other.is_last) == (self.data, self.is_last)
        )

    __hash__ = None  # type: ignore[assignment]


class TextFrame(_FrameEvent):
    """One frame of a text message, decoded as far as complete characters go."""

    data: str


class BinaryFrame(_FrameEvent):
    """One frame of a binary message (after decompression)."""

    data: bytes


class _PayloadEvent:
    __slots__ = ("payload",)

    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_short(self.payload)})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and getattr(other, "payload", None) == self.payload

    __hash__ = None  # type: ignore[assignment]


class Ping(_PayloadEvent):
    """A ping arrived (already answered when ``auto_pong`` is on)."""


class Pong(_PayloadEvent):
    """A pong arrived (solicited or not)."""


class _CodeEvent:
    __slots__ = ("code", "reason")

    def __init__(self, code: int, reason: str = "") -> None:
        self.code = code
        self.reason = reason

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}, {self.reason!r})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and isinstance(other, _CodeEvent)
            and (other.code, other.reason) == (self.code, self.reason)
        )

    __hash__ = None  # type: ignore[assignment]


class CloseReceived(_CodeEvent):
    """The peer's close frame; ``code`` 1005 means it carried no status code."""


class ProtocolError(_CodeEvent):
    """The peer broke the protocol; a close frame with ``code`` has been queued."""


class ConnectionLost(_CodeEvent):
    """EOF before the close handshake finished (``code`` is 1006)."""


Event = (
    TextMessage | BinaryMessage | TextFrame | BinaryFrame | Ping | Pong | CloseReceived
    | ProtocolError | ConnectionLost
)
