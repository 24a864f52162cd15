"""The one-message-per-read fast path (codecs/ws_fastpath.py) against the general path.

The fast path may only answer when ``WebSocketConnection.receive_data`` would
report exactly the same single message and change nothing; whenever it says
``None`` it must have consumed nothing.  Checked over random frames (valid and
broken ones, every length form, wrong mask bits, limits, bad UTF-8), over
random frame streams split at random and at every byte boundary, and end to
end through a QWebSocket server on loopback.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qt_helpers import qapp_fixture, wait_until  # noqa: F401
from qtnet.codecs.ws_fastpath import take_single_message
from qtnet.codecs.ws_frames import FrameReader, mask_pure
from qtnet.codecs.ws_protocol import (
    BinaryMessage,
    Event,
    State,
    TextMessage,
    WebSocketConnection,
)
from ws_helpers import RawPeer, client_frame, echo_server, handshake_request, parse_server_frames

SIDES = ("server", "client")


# -- building frames by hand (any header form, valid or not) ------------------------------------
def raw_frame(
    b0: int, payload: bytes, *, masked: bool, form: str = "min", key: bytes = b""
) -> bytes:
    """A frame with first byte ``b0``; ``form`` picks the length encoding
    ("min" shortest, "16" or "64" forced, possibly non-minimal)."""
    n = len(payload)
    mask_bit = 0x80 if masked else 0
    if form == "min":
        form = "7" if n < 126 else ("16" if n < 0x10000 else "64")
    if form == "7":
        head = bytes((b0, mask_bit | n))
    elif form == "16":
        head = bytes((b0, mask_bit | 126)) + struct.pack("!H", n)
    else:
        head = bytes((b0, mask_bit | 127)) + struct.pack("!Q", n)
    if not masked:
        return head + payload
    key = key or os.urandom(4)
    return head + key + mask_pure(payload, key)


@st.composite
def frames(draw: st.DrawFn, side: str) -> bytes:
    """One frame as the peer of ``side`` would send it, mostly valid, sometimes not."""
    opcode = draw(st.sampled_from([0x1, 0x2, 0x1, 0x2, 0x0, 0x8, 0x9, 0xA, 0x3, 0xB]))
    fin = draw(st.booleans()) if draw(st.integers(0, 3)) == 0 else True
    rsv = draw(st.sampled_from([0, 0, 0, 0, 0x40, 0x20, 0x10]))
    b0 = (0x80 if fin else 0) | rsv | opcode
    kind = draw(st.sampled_from(["ascii", "utf8", "bytes"]))
    size = draw(st.one_of(st.integers(0, 130), st.integers(120, 400)))
    if kind == "ascii":
        payload = b"a" * size
    elif kind == "utf8":
        payload = draw(st.text(min_size=0, max_size=size // 2 + 1)).encode("utf-8", "surrogatepass")
    else:
        payload = draw(st.binary(min_size=size, max_size=size))
    form = draw(st.sampled_from(["min", "min", "min", "16", "64"]))
    correct_mask = side == "server"
    masked = correct_mask if draw(st.integers(0, 9)) else not correct_mask
    return raw_frame(b0, payload, masked=masked, form=form)


def new_conn(
    side: str, limit: int | None = None, *, frame_events: bool = False
) -> WebSocketConnection:
    kwargs = {} if limit is None else {"max_frame_size": limit, "max_message_size": limit}
    return WebSocketConnection(side, frame_events=frame_events, **kwargs)  # type: ignore[arg-type]


def snapshot(conn: WebSocketConnection) -> dict[str, object]:
    """Every slot of the connection (copies of the mutable ones)."""
    out: dict[str, object] = {}
    for name in WebSocketConnection.__slots__:
        val = getattr(conn, name, None)
        out[name] = bytes(val) if isinstance(val, bytearray) else (
            list(val) if isinstance(val, list) else val
        )
    return out


def as_event(msg: bytes | str) -> Event:
    return BinaryMessage(msg) if type(msg) is bytes else TextMessage(msg)  # type: ignore[arg-type]


def drive(conn: WebSocketConnection, chunks: Iterable[bytes], fast: bool) -> list[object]:
    """Feed ``chunks`` as the Qt layer does (fast path first when ``fast``);
    returns the events, the output and the final state for comparison."""
    events: list[Event] = []
    for chunk in chunks:
        msg = take_single_message(conn, chunk) if fast else None
        if msg is not None:
            events.append(as_event(msg))
        else:
            events.extend(conn.receive_data(chunk))
    # Output decoded: a client masks with random keys, so compare frames, not bytes.
    out = FrameReader(masked=not conn.is_server).feed(conn.data_to_send())
    return [events, out, conn.state, conn.close_code, conn.close_reason,
            conn.has_partial_frame, conn.awaiting_data]


def split_at(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    points = sorted({c for c in cuts if 0 < c < len(data)})
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


# -- one buffer --------------------------------------------------------------------------------
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    side=st.sampled_from(SIDES),
    limit=st.sampled_from([None, 0, 60, 125, 126, 300]),
    trailing=st.sampled_from([b"", b"\x82", b"\x81\x80"]),
)
def test_single_buffer_matches_the_general_path(
    data: st.DataObject, side: str, limit: int | None, trailing: bytes
) -> None:
    buf = data.draw(frames(side)) + trailing
    conn = new_conn(side, limit)
    before = snapshot(conn)
    msg = take_single_message(conn, buf)
    reference = new_conn(side, limit)
    events = reference.receive_data(buf)
    if msg is None:
        assert snapshot(conn) == before  # nothing consumed, nothing changed
        return
    assert events == [as_event(msg)]
    assert type(events[0].data) is type(msg)  # type: ignore[union-attr]
    assert reference.data_to_send() == b"" and reference.state is State.OPEN
    assert not reference.awaiting_data
    assert snapshot(conn) == before


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("size", [0, 1, 64, 125, 126, 127, 1000, 65535 - 8])
@pytest.mark.parametrize("opcode", [1, 2])
def test_simple_frames_take_the_fast_path(side: str, size: int, opcode: int) -> None:
    payload = b"x" * size
    buf = raw_frame(0x80 | opcode, payload, masked=side == "server")
    msg = take_single_message(new_conn(side), buf)
    assert msg == (payload if opcode == 2 else payload.decode())
    assert type(msg) is (bytes if opcode == 2 else str)


@pytest.mark.parametrize(
    "buf, why",
    [
        (raw_frame(0x82, b"x" * 10, masked=True, form="16"), "non-minimal 16-bit length"),
        (raw_frame(0x82, b"x" * 200, masked=True, form="64"), "64-bit length"),
        (raw_frame(0x82, b"x" * 10, masked=False), "unmasked client frame"),
        (raw_frame(0x02, b"x" * 10, masked=True), "not FIN"),
        (raw_frame(0xC2, b"x" * 10, masked=True), "RSV1"),
        (raw_frame(0x89, b"x" * 10, masked=True), "ping"),
        (raw_frame(0x88, b"\x03\xe8", masked=True), "close"),
        (raw_frame(0x81, b"\xff\xfe", masked=True), "invalid UTF-8"),
        (raw_frame(0x81, "é".encode()[:1], masked=True), "truncated UTF-8"),
        (raw_frame(0x82, b"x" * 10, masked=True)[:-1], "incomplete"),
        (raw_frame(0x82, b"x" * 10, masked=True) * 2, "two frames"),
        (raw_frame(0x82, b"x" * 200, masked=True)[:5], "incomplete 16-bit header"),
        (b"\x82", "one byte"),
    ],
)
def test_everything_else_is_left_to_the_general_path(buf: bytes, why: str) -> None:
    conn = new_conn("server")
    before = snapshot(conn)
    assert take_single_message(conn, buf) is None, why
    assert snapshot(conn) == before


def test_connection_state_disables_the_fast_path() -> None:
    frame = raw_frame(0x82, b"abc", masked=True)
    assert take_single_message(new_conn("server", frame_events=True), frame) is None
    assert take_single_message(new_conn("server", 2), frame) is None  # over the limits
    partial = new_conn("server")
    partial.receive_data(frame[:3])
    assert take_single_message(partial, frame) is None
    fragmented = new_conn("server")
    fragmented.receive_data(raw_frame(0x02, b"ab", masked=True))
    assert take_single_message(fragmented, frame) is None
    closed = new_conn("server")
    closed.receive_data(raw_frame(0x88, b"\x03\xe8", masked=True))
    assert take_single_message(closed, frame) is None
    eof = new_conn("server")
    eof.receive_data(b"")
    assert take_single_message(eof, frame) is None


# -- streams -----------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), side=st.sampled_from(SIDES), limit=st.sampled_from([None, 100, 300]))
def test_random_streams_split_at_random(data: st.DataObject, side: str, limit: int | None) -> None:
    stream = b"".join(data.draw(st.lists(frames(side), min_size=1, max_size=6)))
    cuts = data.draw(st.lists(st.integers(0, len(stream)), max_size=8))
    chunks = split_at(stream, cuts)
    assert drive(new_conn(side, limit), chunks, fast=True) == drive(
        new_conn(side, limit), chunks, fast=False
    )


def valid_stream(side: str) -> bytes:
    """A conversation exercising every rule the fast path must not break."""
    masked = side == "server"
    parts = [
        raw_frame(0x82, b"bin", masked=masked),
        raw_frame(0x81, "héllo".encode(), masked=masked),
        raw_frame(0x01, "€".encode()[:2], masked=masked),  # a character split across
        raw_frame(0x89, b"ping", masked=masked),  # a control frame in between
        raw_frame(0x80, "€".encode()[2:] + b"!", masked=masked),
        raw_frame(0x82, bytes(range(200)), masked=masked),  # 16-bit length
        raw_frame(0x02, b"ab", masked=masked),
        raw_frame(0x80, b"cd", masked=masked),
        raw_frame(0x81, b"", masked=masked),
        raw_frame(0x88, b"\x03\xe8bye", masked=masked),
        raw_frame(0x82, b"after close", masked=masked),
    ]
    return b"".join(parts)


@pytest.mark.parametrize("side", SIDES)
def test_every_split_point(side: str) -> None:
    stream = valid_stream(side)
    reference = drive(new_conn(side), [stream], fast=False)
    names = [type(e).__name__ for e in reference[0]]  # type: ignore[attr-defined]
    assert names == ["BinaryMessage", "TextMessage", "Ping", "TextMessage", "BinaryMessage",
                     "BinaryMessage", "TextMessage", "CloseReceived"]
    one_byte = [stream[i : i + 1] for i in range(len(stream))]
    # Frame by frame: here the fast path answers for every simple message.
    per_frame = split_at(stream, frame_boundaries(stream, masked=side == "server"))
    splits = [split_at(stream, [k]) for k in range(len(stream) + 1)] + [one_byte, per_frame]
    for chunks in splits:
        fast = drive(new_conn(side), chunks, fast=True)
        assert fast == drive(new_conn(side), chunks, fast=False), len(chunks[0])
        assert fast[:2] == reference[:2]  # the same events and output however it is cut


def frame_boundaries(stream: bytes, masked: bool) -> list[int]:
    cuts = []
    pos = 0
    while pos < len(stream):
        n = stream[pos + 1] & 0x7F
        head = 2
        if n == 126:
            n = struct.unpack_from("!H", stream, pos + 2)[0]
            head = 4
        pos += head + (4 if masked else 0) + n
        cuts.append(pos)
    return cuts


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), side=st.sampled_from(SIDES))
def test_random_streams_split_at_every_byte_boundary(data: st.DataObject, side: str) -> None:
    stream = b"".join(data.draw(st.lists(frames(side), min_size=1, max_size=4)))[:600]
    reference = drive(new_conn(side), [stream], fast=False)
    for k in range(len(stream) + 1):
        chunks = split_at(stream, [k])
        fast = drive(new_conn(side), chunks, fast=True)
        assert fast == drive(new_conn(side), chunks, fast=False), k
        if fast[2] is State.OPEN:  # a failure's reason may name where it stopped
            assert fast[:2] == reference[:2], k


# -- end to end --------------------------------------------------------------------------------
def test_server_echo_through_the_fast_path_keeps_frame_signals(qapp: object) -> None:
    """Single-frame messages on a real connection: echoed, and frame signals
    still fire (with them connected the fast path steps aside)."""
    server, sockets = echo_server()
    port = server.serverPort()
    raw = RawPeer(port)
    raw.send(handshake_request(port))
    assert raw.wait_data(b"\r\n\r\n")
    assert wait_until(lambda: len(sockets) == 1)
    head_len = len(raw.head_and_rest()[0])

    def echoed() -> list[tuple[int, bytes]]:
        raw.poll()
        return parse_server_frames(raw.data[head_len:])

    messages = [(2, b"\x00\x01"), (1, "grüße".encode()), (2, b"z" * 300), (1, b"")]
    for i, (opcode, payload) in enumerate(messages):
        raw.send(client_frame(opcode, payload))  # one frame per read: the fast path
        count = i + 1
        assert wait_until(lambda: len(echoed()) == count)  # noqa: B023 (used at once)
    assert echoed() == [(0x80 | op, p) for op, p in messages]
    frames_seen: list[tuple[str, bool]] = []
    sockets[0].textFrameReceived.connect(lambda f, last: frames_seen.append((f, last)))
    raw.send(client_frame(1, b"framed"))
    assert wait_until(lambda: frames_seen == [("framed", True)])
    assert wait_until(lambda: len(echoed()) == 5)
    # Invalid UTF-8 in a simple-looking frame still fails the connection with 1007.
    raw.send(client_frame(1, b"\xff"))
    assert raw.wait_closed()
    last = parse_server_frames(raw.data[head_len:])[-1]
    assert last[0] == 0x88 and struct.unpack("!H", last[1][:2])[0] == 1007
    raw.close()
    server.close()
