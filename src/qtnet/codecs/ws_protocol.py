"""The WebSocket connection state machine (RFC 6455 after the handshake), sans-I/O.

Bytes in, events out, bytes to send::

    conn = WebSocketConnection("server")
    for event in conn.receive_data(chunk):      # b"" signals EOF
        if isinstance(event, BinaryMessage):
            conn.send_binary(event.data)
    transport.write(conn.data_to_send())
    if conn.state is State.CLOSED: ...          # see "Closing" below

Events: :class:`TextMessage`, :class:`BinaryMessage`, :class:`TextFrame` and
:class:`BinaryFrame` (per frame, only with ``frame_events=True``, like Qt's
``textFrameReceived(frame, isLastFrame)``), :class:`Ping`, :class:`Pong`,
:class:`CloseReceived`, :class:`ProtocolError`, :class:`ConnectionLost`.

Pings are answered automatically (``auto_pong``), as Qt does, and a received
close is answered with the same code and reason (``auto_close_reply``).

Closing (RFC 6455 §7): ``send_close`` moves OPEN -> CLOSING; the peer's close
then moves CLOSING -> CLOSED.  A close received while OPEN is echoed and moves
straight to CLOSED.  When ``state`` is CLOSED, the I/O layer flushes
``data_to_send()`` and closes TCP: a server at once, a client after waiting a
little for the server's EOF (§7.1.1).  On a protocol violation the connection
emits :class:`ProtocolError`, decides on a close frame with its code (1002,
1007 or 1009) and moves to CLOSED without reading further input (§7.1.7, "fail
the WebSocket connection").

Ordering: a close frame that ``receive_data`` decides on (the echo of the
peer's close, or a failure) is queued by the next ``data_to_send()`` /
``buffers_to_send()``, after anything the application sends while handling the
events of that same call; so an echo server answers "message, close" with
"echo, close".  Sending is refused (:class:`InvalidState`) once the close frame
is queued or the peer's EOF arrived.

Limits (defaults are Qt's, ``QWebSocket::maxIncomingFrameSize()`` etc.): a frame
whose header claims more than ``max_frame_size`` bytes fails with 1009 before
any of it is buffered; a message is checked against ``max_message_size`` as its
frames (inflated, when compressed) arrive.
"""

from __future__ import annotations

import codecs
from typing import Literal

from .ws_deflate import DeflateParams, PerMessageDeflate
from .ws_events import (
    QT_MAX_INCOMING_SIZE,
    QT_OUTGOING_FRAME_SIZE,
    BinaryFrame,
    BinaryMessage,
    CloseReceived,
    ConnectionLost,
    Event,
    InvalidState,
    Ping,
    Pong,
    ProtocolError,
    State,
    TextFrame,
    TextMessage,
)
from .ws_frames import (
    CLOSE_ABNORMAL,
    CLOSE_NO_STATUS,
    FIN,
    MASK_BIT,
    MAX_CONTROL_PAYLOAD,
    OP_BINARY,
    OP_CLOSE,
    OP_CONTINUATION,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    RSV1,
    Buffer,
    InvalidPayload,
    ProtocolViolation,
    TooMuchData,
    WebSocketProtocolError,
    apply_mask,
    build_close_payload,
    encode_header,
    new_mask_key,
    parse_close_payload,
    parse_header,
)

#: Payloads at least this large are queued as their own buffer (no copy into
#: the header's bytes object); smaller ones are concatenated with the header.
_SEPARATE_BUFFER_MIN = 4096


# Headers of small unmasked frames, precomputed for the server's send path.
_TEXT_HEADERS = [bytes((FIN | OP_TEXT, n)) for n in range(126)]
_BINARY_HEADERS = [bytes((FIN | OP_BINARY, n)) for n in range(126)]
_utf8_decoder = codecs.getincrementaldecoder("utf-8")
_CLOSED = State.CLOSED


class WebSocketConnection:
    """One WebSocket connection after a successful opening handshake.

    ``side`` is ``"server"`` (expects masked frames, sends unmasked) or
    ``"client"``.  ``deflate`` is the negotiated permessage-deflate parameters
    (from the handshake) or ``None``.  Attributes ``max_frame_size``,
    ``max_message_size`` and ``outgoing_frame_size`` may be changed at any time.
    """

    __slots__ = (
        "side",
        "is_server",
        "max_frame_size",
        "max_message_size",
        "_outgoing_frame_size",
        "_fast_send_max",
        "frame_events",
        "auto_pong",
        "auto_close_reply",
        "state",
        "close_code",
        "close_reason",
        "_deflate",
        "_out",
        "_buf",
        "_need",
        "_msg_opcode",
        "_msg_compressed",
        "_msg_size",
        "_msg_parts",
        "_decoder",
        "_close_sent",
        "_deferred_close",
        "_can_send",
        "_input_closed",
    )

    def __init__(
        self,
        side: Literal["server", "client"],
        *,
        max_frame_size: int = QT_MAX_INCOMING_SIZE,
        max_message_size: int = QT_MAX_INCOMING_SIZE,
        outgoing_frame_size: int = QT_OUTGOING_FRAME_SIZE,
        deflate: DeflateParams | None = None,
        deflate_level: int = 6,
        deflate_mem_level: int = 8,
        frame_events: bool = False,
        auto_pong: bool = True,
        auto_close_reply: bool = True,
    ) -> None:
        if side not in ("server", "client"):
            raise ValueError("side must be 'server' or 'client'")
        self.side = side
        self.is_server = side == "server"
        self.max_frame_size = max_frame_size
        self.max_message_size = max_message_size
        self.frame_events = frame_events
        self.auto_pong = auto_pong
        self.auto_close_reply = auto_close_reply
        self.state = State.OPEN
        #: Code and reason of the close frame received (or the failure), once known.
        self.close_code: int | None = None
        self.close_reason = ""
        self._deflate = (
            PerMessageDeflate(
                deflate, is_server=self.is_server, level=deflate_level,
                mem_level=deflate_mem_level,
            )
            if deflate is not None
            else None
        )
        self.outgoing_frame_size = outgoing_frame_size
        self._out: list[bytes] = []
        self._buf: bytes | bytearray = b""  # unparsed input (an incomplete frame)
        self._need = 0  # len(_buf) must reach this before parsing is worth retrying
        self._msg_opcode = 0  # opcode of the fragmented message in progress, or 0
        self._msg_compressed = False
        self._msg_size = 0
        self._msg_parts: list[bytes] | list[str] = []
        self._decoder: codecs.IncrementalDecoder | None = None
        self._close_sent = False  # a close frame is queued or deferred
        # A close decided inside receive_data (echo of the peer's close, or a
        # failure) is queued at the next data_to_send(), after whatever the
        # application sends while handling that call's events: an echo server
        # answers "message, close" with "echo, close" (Autobahn 7.1.x, 3.2).
        self._deferred_close: bytes | None = None
        self._can_send = True
        self._input_closed = False  # True once no further input is processed

    @property
    def outgoing_frame_size(self) -> int:
        """Largest payload per outgoing frame; longer messages are fragmented."""
        return self._outgoing_frame_size

    @outgoing_frame_size.setter
    def outgoing_frame_size(self, size: int) -> None:
        if size < 1:
            raise ValueError("outgoing_frame_size must be positive")
        self._outgoing_frame_size = size
        # Payloads below this go out through the one-line fast path of send_*.
        fast = self.is_server and self._deflate is None
        self._fast_send_max = min(126, size + 1) if fast else 0

    # -- input ---------------------------------------------------------------
    @property
    def has_partial_frame(self) -> bool:
        """Input holds an incomplete frame."""
        return bool(self._buf)

    @property
    def awaiting_data(self) -> bool:
        """An incomplete frame or an unfinished fragmented message is pending.

        Qt fails such a connection with 1001 "Timeout when reading data from
        socket." after 5 s without input; the I/O layer owns that timer and
        calls :meth:`fail`.
        """
        return bool(self._buf) or bool(self._msg_opcode)

    def receive_data(self, data: Buffer) -> list[Event]:
        """Feed received bytes; returns the events they complete.

        ``b""`` means the peer closed its side (EOF).
        """
        events: list[Event] = []
        if self._input_closed:
            # After the peer's close frame (or a failure) nothing it sends
            # counts (RFC 6455 §5.5.1, §7.1.7).
            return events
        if not data:
            self._input_closed = True
            self._can_send = False
            self.state = _CLOSED
            self.close_code = CLOSE_ABNORMAL
            events.append(ConnectionLost(CLOSE_ABNORMAL, ""))
            return events
        pending = self._buf
        if pending:
            # A bytearray grows in place: a large frame arriving in many chunks
            # costs one copy per byte, not one per chunk.
            pending += data  # always a bytearray when non-empty
            if len(pending) < self._need:
                return events
            buf = bytes(pending)
        else:
            buf = data if type(data) is bytes else bytes(data)
        pos = 0
        end = len(buf)
        masked = self.is_server
        mask_bit = MASK_BIT if masked else 0
        try:
            while end - pos >= 2:
                b0 = buf[pos]
                b1 = buf[pos + 1]
                length = b1 & 0x7F
                if length < 126 and (b1 & MASK_BIT) == mask_bit:
                    # parse_header inlined for 7-bit lengths (the common case).
                    if length > self.max_frame_size:
                        raise TooMuchData("Maximum framesize exceeded.")
                    if masked:
                        start = pos + 6
                        stop = start + length
                        if stop > end:
                            break
                        payload = buf[start:stop]
                        if length:
                            payload = apply_mask(payload, buf[pos + 2 : start])
                    else:
                        start = pos + 2
                        stop = start + length
                        if stop > end:
                            break
                        payload = buf[start:stop]
                else:
                    head = parse_header(buf, pos, end, masked, self.max_frame_size)
                    if head is None:
                        break
                    start, length, key = head
                    if not b0 & 0x08 and not (
                        b0 & RSV1 or (b0 & 0x0F == 0 and self._msg_compressed)
                    ):
                        # An uncompressed data frame: its length already tells
                        # whether the message fits, so fail before buffering it.
                        base = self._msg_size if b0 & 0x0F == 0 else 0
                        if base + length > self.max_message_size:
                            raise TooMuchData("Received message is too big.")
                    stop = start + length
                    if stop > end:
                        break
                    if key is None:
                        payload = buf[start:stop]
                    elif length >= _SEPARATE_BUFFER_MIN:
                        payload = apply_mask(memoryview(buf)[start:stop], key)
                    else:
                        payload = apply_mask(buf[start:stop], key)
                pos = stop
                # Fast paths: a whole, uncompressed message in one frame.
                if b0 == 0x82 and not self._msg_opcode:
                    if length > self.max_message_size:
                        raise TooMuchData("Received message is too big.")
                    if self.frame_events:
                        events.append(BinaryFrame(payload, True))
                    events.append(BinaryMessage(payload))
                elif b0 == 0x81 and not self._msg_opcode:
                    if length > self.max_message_size:
                        raise TooMuchData("Received message is too big.")
                    try:
                        text = payload.decode()
                    except UnicodeDecodeError:
                        raise InvalidPayload("Invalid UTF-8 code encountered.") from None
                    if self.frame_events:
                        events.append(TextFrame(text, True))
                    events.append(TextMessage(text))
                else:
                    self._handle_frame(b0, payload, events)
                    if self._input_closed:
                        # Nothing after the peer's close frame counts, and no
                        # partial frame is pending any more.
                        self._buf = b""
                        self._need = 0
                        return events
            if pos < end:
                self._buf = bytearray(memoryview(buf)[pos:])
                head = parse_header(buf, pos, end, masked, self.max_frame_size)
                self._need = end - pos + 1 if head is None else head[0] + head[1] - pos
            elif pending:
                self._buf = b""
        except WebSocketProtocolError as exc:
            self._buf = b""  # the connection has failed: nothing is pending
            self._need = 0
            events.append(ProtocolError(exc.code, exc.reason))
            self._fail(exc.code, exc.reason)  # the close frame follows the app's output
        return events

    def _handle_frame(self, b0: int, payload: bytes, events: list[Event]) -> None:
        opcode = b0 & 0x0F
        if opcode >= 0x8:
            if b0 & 0x70:
                raise ProtocolViolation("Rsv field is non-zero")
            if not b0 & FIN:
                raise ProtocolViolation("Control frames cannot be fragmented")
            if opcode == OP_PING:
                events.append(Ping(payload))
                if self.auto_pong and not self._close_sent:
                    self._queue_control(OP_PONG, payload)
            elif opcode == OP_PONG:
                events.append(Pong(payload))
            elif opcode == OP_CLOSE:
                self._receive_close(payload, events)
            else:
                raise ProtocolViolation("Used reserved opcode")
            return
        if b0 & 0x30 or (b0 & RSV1 and (self._deflate is None or opcode == OP_CONTINUATION)):
            raise ProtocolViolation("Rsv field is non-zero")
        if opcode == OP_CONTINUATION:
            if not self._msg_opcode:
                raise ProtocolViolation(
                    "Received Continuation frame, while there is nothing to continue."
                )
        elif opcode == OP_TEXT or opcode == OP_BINARY:
            if self._msg_opcode:
                raise ProtocolViolation(
                    "All data frames after the initial data frame must have opcode 0 "
                    "(continuation)."
                )
            self._msg_opcode = opcode
            self._msg_compressed = bool(b0 & RSV1)
            self._msg_size = 0
            self._msg_parts = []
            if opcode == OP_TEXT:
                if self._decoder is None:
                    self._decoder = _utf8_decoder()
                else:
                    self._decoder.reset()
        else:
            raise ProtocolViolation("Used reserved opcode")
        fin = bool(b0 & FIN)
        data: bytes = payload
        if self._msg_compressed:
            assert self._deflate is not None
            data = self._deflate.decompress(payload, fin, self.max_message_size - self._msg_size)
        self._msg_size += len(data)
        if self._msg_size > self.max_message_size:
            raise TooMuchData("Received message is too big.")
        if self._msg_opcode == OP_TEXT:
            assert self._decoder is not None
            try:
                # Fails in the frame holding the first invalid byte (fail fast).
                text = self._decoder.decode(data, fin)
            except UnicodeDecodeError:
                raise InvalidPayload("Invalid UTF-8 code encountered.") from None
            if self.frame_events:
                events.append(TextFrame(text, fin))
            self._msg_parts.append(text)  # type: ignore[arg-type]
            if fin:
                events.append(TextMessage("".join(self._msg_parts)))  # type: ignore[arg-type]
        else:
            if self.frame_events:
                events.append(BinaryFrame(data, fin))
            self._msg_parts.append(data)  # type: ignore[arg-type]
            if fin:
                events.append(BinaryMessage(b"".join(self._msg_parts)))  # type: ignore[arg-type]
        if fin:
            self._msg_opcode = 0
            self._msg_parts = []

    def _receive_close(self, payload: bytes, events: list[Event]) -> None:
        code, reason = parse_close_payload(payload)
        self.close_code = code
        self.close_reason = reason
        self._input_closed = True
        events.append(CloseReceived(code, reason))
        if not self._close_sent and self.auto_close_reply:
            self._deferred_close = payload  # echo the code and reason, as Qt does
            self._close_sent = True
        self.state = State.CLOSED if self._close_sent else State.CLOSING

    def fail(self, code: int, reason: str = "") -> None:
        """Fail the connection (RFC 6455 §7.1.7): queue a close frame with
        ``code`` unless one was sent, drop buffered input, move to CLOSED.

        For the I/O layer, e.g. Qt's idle timeout on a partial frame (1001).
        """
        self._fail(code, reason)
        self._flush_deferred_close()

    def _fail(self, code: int, reason: str) -> None:
        if not self._close_sent:
            self._deferred_close = build_close_payload(code, reason)
            self._close_sent = True
        if self.close_code is None:
            self.close_code = code
            self.close_reason = reason
        self.state = _CLOSED
        self._input_closed = True
        self._buf = b""
        self._msg_parts = []
        if self._deflate is not None:
            self._deflate.reset()

    # -- output --------------------------------------------------------------
    def _flush_deferred_close(self) -> None:
        payload = self._deferred_close
        if payload is not None:
            self._deferred_close = None
            self._queue_control(OP_CLOSE, payload)
            self._can_send = False

    def _check_can_send(self) -> None:
        if not self._can_send:
            raise InvalidState("the close frame has been sent or the connection is lost")

    def send_binary(self, data: Buffer, frame_size: int | None = None) -> None:
        """Queue a binary message, split into frames of ``frame_size`` bytes
        (default ``outgoing_frame_size``)."""
        if not self._can_send:
            raise InvalidState("the close frame has been sent or the connection is lost")
        n = len(data)
        if n < self._fast_send_max and frame_size is None:
            self._out.append(_BINARY_HEADERS[n] + data)
            return
        self._send_message(OP_BINARY, data, frame_size)

    def send_text(self, text: str, frame_size: int | None = None) -> None:
        """Queue a text message (UTF-8 encoded), split like :meth:`send_binary`."""
        if not self._can_send:
            raise InvalidState("the close frame has been sent or the connection is lost")
        data = text.encode()
        n = len(data)
        if n < self._fast_send_max and frame_size is None:
            self._out.append(_TEXT_HEADERS[n] + data)
            return
        self._send_message(OP_TEXT, data, frame_size)

    def _send_message(self, opcode: int, data: Buffer, frame_size: int | None) -> None:
        rsv1 = 0
        if self._deflate is not None:
            data = self._deflate.compress(data)
            rsv1 = RSV1
        size = frame_size if frame_size is not None else self._outgoing_frame_size
        if size < 1:
            raise ValueError("frame_size must be positive")
        n = len(data)
        if n <= size:
            self._queue_frame(FIN | rsv1 | opcode, data)
            return
        view = memoryview(data)
        first = rsv1 | opcode
        for offset in range(0, n, size):
            chunk = view[offset : offset + size]
            last = offset + size >= n
            self._queue_frame((FIN if last else 0) | first, chunk)
            first = OP_CONTINUATION

    def _queue_frame(self, first_byte: int, payload: Buffer) -> None:
        n = len(payload)
        if self.is_server:
            head = encode_header(first_byte, n)
        else:
            key = new_mask_key()
            head = encode_header(first_byte, n, key)
            payload = apply_mask(payload, key) if n else b""
        if n >= _SEPARATE_BUFFER_MIN:
            self._out.append(head)
            # Copy anything mutable: the caller may reuse its buffer after sending.
            self._out.append(payload if type(payload) is bytes else bytes(payload))
        else:
            self._out.append(head + payload)

    def _queue_control(self, opcode: int, payload: Buffer) -> None:
        if len(payload) > MAX_CONTROL_PAYLOAD:
            raise ValueError("control frame payload larger than 125 bytes")
        self._queue_frame(FIN | opcode, payload)

    def send_ping(self, payload: Buffer = b"") -> None:
        """Queue a ping (payload at most 125 bytes)."""
        self._check_can_send()
        self._queue_control(OP_PING, payload)

    def send_pong(self, payload: Buffer = b"") -> None:
        """Queue an unsolicited pong (payload at most 125 bytes)."""
        self._check_can_send()
        self._queue_control(OP_PONG, payload)

    def send_close(self, code: int | None = 1000, reason: str = "") -> None:
        """Start (or, with ``auto_close_reply=False``, answer) the close handshake.

        ``reason`` is cut to 123 UTF-8 bytes on a character boundary.  ``code``
        ``None`` or 1005 sends an empty close payload.  A second call is ignored.
        """
        if self._close_sent or not self._can_send:
            return
        payload = build_close_payload(code, reason)
        self._queue_control(OP_CLOSE, payload)
        self._close_sent = True
        self._can_send = False
        if self.state is State.OPEN:
            self.state = State.CLOSING
        elif self.state is State.CLOSING:  # the peer's close came first
            self.state = State.CLOSED

    @property
    def close_sent(self) -> bool:
        """A close frame is queued (or will be, at the next data_to_send)."""
        return self._close_sent

    def data_to_send(self) -> bytes:
        """All queued output as one ``bytes`` (``b""`` when nothing is queued)."""
        if self._deferred_close is not None:
            self._flush_deferred_close()
        out = self._out
        if not out:
            return b""
        self._out = []
        return out[0] if len(out) == 1 else b"".join(out)

    def buffers_to_send(self) -> list[bytes]:
        """All queued output as a list of buffers, for ``writelines``/``sendmsg``
        (large payloads are not copied into one string)."""
        if self._deferred_close is not None:
            self._flush_deferred_close()
        out = self._out
        self._out = []
        return out

    @property
    def bytes_to_send(self) -> int:
        """How many bytes are queued (for Qt's ``bytesToWrite()``)."""
        pending = self._deferred_close
        extra = 0 if pending is None else 2 + len(pending) + (0 if self.is_server else 4)
        return sum(map(len, self._out)) + extra


__all__ = [
    "QT_MAX_INCOMING_SIZE",
    "QT_OUTGOING_FRAME_SIZE",
    "BinaryFrame",
    "BinaryMessage",
    "CloseReceived",
    "ConnectionLost",
    "Event",
    "InvalidState",
    "Ping",
    "Pong",
    "ProtocolError",
    "State",
    "TextFrame",
    "TextMessage",
    "WebSocketConnection",
    "CLOSE_NO_STATUS",
]
