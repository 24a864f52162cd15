"""Fuzz target: the WebSocket frame parser and connection state machine
(``qtnet.codecs.ws_protocol.WebSocketConnection.receive_data``), both sides,
with and without permessage-deflate.

Two kinds of input, chosen by the first byte:

* raw: arbitrary bytes fed as received data;
* scripted: the input is a script of messages, pings and a close that a peer
  ``WebSocketConnection`` (the other side, same deflate parameters) encodes;
  optionally one byte of the result is corrupted.  Uncorrupted, every message
  within the limits must arrive intact and in order (round trip).

Invariants on every input:

* ``receive_data`` never raises: protocol errors become ``ProtocolError``
  events with a close code in {1002, 1007, 1009};
* memory is bounded by the configured limits: no message event is larger than
  ``max_message_size``, buffered input never exceeds one frame header plus
  ``max_frame_size``, control payloads are <= 125 bytes;
* feeding the same bytes in fuzzer-chosen chunks gives exactly the same events
  and the same reply bytes as feeding them at once;
* after a failure or the peer's close frame nothing further is processed;
* ``ws_fastpath.take_single_message`` (the I/O layer's shortcut for a read that
  holds exactly one simple frame) answers only what ``receive_data`` would.

Run: ``python fuzz/fuzz_ws_protocol.py fuzz/corpus/ws_protocol -max_total_time=600``.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fuzzbytes import FuzzBytes, instrumented, run_fuzzer  # noqa: E402

# Coverage instrumentation only for qtnet, and only when fuzzing (not under pytest).
with instrumented(__name__ == "__main__"):
    from qtnet.codecs.ws_deflate import DeflateParams  # noqa: E402
    from qtnet.codecs.ws_events import (  # noqa: E402
        BinaryFrame,
        BinaryMessage,
        CloseReceived,
        ConnectionLost,
        Event,
        Ping,
        Pong,
        ProtocolError,
        TextFrame,
        TextMessage,
    )
    from qtnet.codecs.ws_protocol import State, WebSocketConnection  # noqa: E402

    try:  # the I/O layer's fast path, when this checkout has it
        from qtnet.codecs.ws_fastpath import take_single_message  # noqa: E402
    except ImportError:
        take_single_message = None  # type: ignore[assignment]

_FRAME_LIMITS = (125, 1000, 70_000, 2_147_483_646)
_MESSAGE_LIMITS = (0, 200, 5000, 100_000, 2_147_483_646)
_FAIL_CODES = {1002, 1007, 1009}
_MAX_HEADER = 14


def _params(fb: FuzzBytes) -> DeflateParams | None:
    if not fb.flag():
        return None
    return DeflateParams(
        server_no_context_takeover=fb.flag(),
        client_no_context_takeover=fb.flag(),
        server_max_window_bits=fb.int_in(8, 15),
        client_max_window_bits=fb.int_in(8, 15),
    )


def _new(side: str, params: DeflateParams | None, max_frame: int, max_msg: int,
         frame_events: bool) -> WebSocketConnection:
    return WebSocketConnection(
        side,  # type: ignore[arg-type]
        deflate=params, max_frame_size=max_frame, max_message_size=max_msg,
        frame_events=frame_events,
    )


def _message_size(ev: Event) -> int:
    if isinstance(ev, TextMessage):
        return len(ev.data.encode("utf-8", "surrogatepass"))
    if isinstance(ev, BinaryMessage):
        return len(ev.data)
    return 0


def _feed(conn: WebSocketConnection, chunks: list[bytes]) -> tuple[list[Event], bytes]:
    events: list[Event] = []
    out = bytearray()
    closed_input = False
    for chunk in chunks:
        if not chunk:
            continue  # b"" would mean EOF; tested separately below
        # The I/O layer's one-frame fast path must agree with the general path.
        fast = take_single_message(conn, chunk) if take_single_message else None
        got = conn.receive_data(chunk)
        if fast is not None:
            want = TextMessage(fast) if isinstance(fast, str) else BinaryMessage(fast)
            assert got == [want], (fast, got)
        if closed_input:
            assert got == [], got  # nothing counts after a failure or the peer's close
        events += got
        for ev in got:
            assert _message_size(ev) <= conn.max_message_size, (ev, conn.max_message_size)
            if isinstance(ev, (Ping, Pong)):
                assert len(ev.payload) <= 125
            if isinstance(ev, (TextFrame, BinaryFrame)):
                frame = ev.data
                if isinstance(frame, str):
                    frame = frame.encode("utf-8", "surrogatepass")
                assert len(frame) <= conn.max_message_size
            if isinstance(ev, ProtocolError):
                assert ev.code in _FAIL_CODES, ev
                assert conn.state is State.CLOSED
                closed_input = True
            if isinstance(ev, CloseReceived):
                assert conn.state in (State.CLOSED, State.CLOSING)
                closed_input = True
        # Bounded buffering: at most one incomplete frame (header + payload).
        # (Once input is closed the last chunk may stay referenced; nothing is added.)
        buffered = len(conn._buf)
        assert conn._input_closed or buffered <= _MAX_HEADER + conn.max_frame_size, buffered
        out += conn.data_to_send()
    return events, bytes(out)


def _script(fb: FuzzBytes, peer: WebSocketConnection) -> list[Event]:
    """Let the peer encode a fuzzer-chosen sequence; returns the events expected."""
    expected: list[Event] = []
    for _ in range(fb.int_in(1, 8)):
        kind = fb.byte() % 5
        size = fb.int_in(0, 3000)
        frame_size = fb.int_in(1, 4096)
        if kind == 0:
            data = (fb.take(16) or b"x") * (size // 16 + 1)
            data = data[:size]
            peer.send_binary(data, frame_size)
            expected.append(BinaryMessage(data))
        elif kind == 1:
            text = (fb.take(16).decode("utf-8", "replace") or "\u00e9") * (size // 16 + 1)
            text = text[:size]
            peer.send_text(text, frame_size)
            expected.append(TextMessage(text))
        elif kind == 2:
            payload = fb.take(fb.int_in(0, 125))
            peer.send_ping(payload)
            expected.append(Ping(payload))
        elif kind == 3:
            payload = fb.take(fb.int_in(0, 125))
            peer.send_pong(payload)
            expected.append(Pong(payload))
        else:
            code = (1000, 1001, 1003, 3000, 4999)[fb.byte() % 5]
            peer.send_close(code, "bye")
            expected.append(CloseReceived(code, "bye"))
            break
    return expected


def check(data: bytes) -> None:
    fb = FuzzBytes(data)
    scripted = fb.flag()
    side = "server" if fb.flag() else "client"
    params = _params(fb)
    max_frame = _FRAME_LIMITS[fb.byte() % len(_FRAME_LIMITS)]
    max_msg = _MESSAGE_LIMITS[fb.byte() % len(_MESSAGE_LIMITS)]
    frame_events = fb.flag()
    expected: list[Event] | None = None
    if scripted:
        peer = _new("client" if side == "server" else "server", params, max_frame, max_msg, False)
        expected = _script(fb, peer)
        wire = peer.data_to_send()
        corrupt_at = fb.int_in(0, 65535)
        if fb.flag() and corrupt_at < len(wire):
            flip = fb.byte() or 1
            wire = wire[:corrupt_at] + bytes([wire[corrupt_at] ^ flip]) + wire[corrupt_at + 1:]
            expected = None
    split = fb.rest() if scripted else b""
    if not scripted:
        wire = fb.rest()
    whole_events, whole_out = _feed(_new(side, params, max_frame, max_msg, frame_events), [wire])
    chunker = FuzzBytes(split if scripted else wire[:8])
    chunks = chunker.chunks(wire)
    chunk_events, chunk_out = _feed(_new(side, params, max_frame, max_msg, frame_events), chunks)
    assert whole_events == chunk_events, (whole_events, chunk_events)
    if side == "server":  # a client masks with random keys: its bytes differ per run
        assert whole_out == chunk_out
    if expected is not None:
        got = [
            ev for ev in whole_events
            if not isinstance(ev, (TextFrame, BinaryFrame, ConnectionLost))
        ]
        fits = all(_message_size(ev) <= max_msg for ev in expected) and max_frame >= 4096 + 125
        if fits:
            assert got == expected, (got, expected)
        else:
            # Within limits up to the first oversized message, then a 1009 failure.
            assert any(isinstance(ev, ProtocolError) for ev in got) or got == expected, got
    # EOF after everything: a connection still open reports ConnectionLost once.
    conn = _new(side, params, max_frame, max_msg, frame_events)
    events = conn.receive_data(wire) if wire else []
    tail = conn.receive_data(b"")
    if any(isinstance(ev, (ProtocolError, CloseReceived)) for ev in events):
        assert tail == []
    else:
        assert len(tail) == 1 and isinstance(tail[0], ConnectionLost)


if __name__ == "__main__":
    run_fuzzer(check)
