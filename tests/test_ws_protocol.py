"""The sans-I/O WebSocket connection: events, limits, close handshake, output.

Rows adapt Qt's tst_dataprocessor (qt-autotests.md §7) and the size-limit and
close behaviour of tst_qwebsocket (§6).  Qt feeds unmasked frames to its parser;
here each row runs on both sides with the masking RFC 6455 requires (a server
receives masked frames, a client unmasked ones), and the reverse is a 1002.
"""

from __future__ import annotations

import os
import struct

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from qtnet.codecs.ws_frames import (
    Frame,
    FrameReader,
    encode_frame,
    encode_header,
    mask_pure,
    new_mask_key,
)
from qtnet.codecs.ws_protocol import (
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
    WebSocketConnection,
)

SIDES = ["server", "client"]


def wire(side: str, first: int, payload: bytes = b"") -> bytes:
    """A frame as the peer of ``side`` sends it (clients mask)."""
    key = new_mask_key() if side == "server" else None
    return encode_header(first, len(payload), key) + (mask_pure(payload, key) if key else payload)


def raw_header(side: str, first: int, length_bytes: bytes) -> bytes:
    """A header with a hand-made length field (for invalid encodings)."""
    b1 = length_bytes[0] | (0x80 if side == "server" else 0)
    return bytes((first, b1)) + length_bytes[1:] + (b"\0\0\0\0" if side == "server" else b"")


def conn(side: str, **kw: object) -> WebSocketConnection:
    kw.setdefault("frame_events", True)
    return WebSocketConnection(side, **kw)  # type: ignore[arg-type]


def sent_frames(c: WebSocketConnection) -> list[Frame]:
    """Decode what ``c`` queued, as its peer would."""
    return FrameReader(masked=not c.is_server, allow_rsv1=True).feed(c.data_to_send())


def assert_failed(c: WebSocketConnection, events: list[Event], code: int) -> None:
    assert isinstance(events[-1], ProtocolError), events
    assert events[-1].code == code
    assert c.state is State.CLOSED
    [frame] = sent_frames(c)
    assert frame.opcode == 8 and struct.unpack("!H", frame.payload[:2])[0] == code


# -- good frames ------------------------------------------------------------------
@pytest.mark.parametrize("side", SIDES)
def test_good_binary_frames_of_every_length_form(side: str) -> None:
    c = conn(side)
    for size in range(0, 65792, 128):
        payload = os.urandom(size)
        assert c.receive_data(wire(side, 0x82, payload)) == [
            BinaryFrame(payload, True), BinaryMessage(payload)
        ]
    every_byte = bytes(range(256))
    assert c.receive_data(wire(side, 0x82, every_byte))[-1] == BinaryMessage(every_byte)
    assert c.data_to_send() == b""


@pytest.mark.parametrize("side", SIDES)
def test_good_text_frames(side: str) -> None:
    c = conn(side)
    for size in (0, 1, 125, 126, 65535, 65536):
        text = "x" * size
        assert c.receive_data(wire(side, 0x81, text.encode())) == [
            TextFrame(text, True), TextMessage(text)
        ]
    for code in range(128):
        assert c.receive_data(wire(side, 0x81, bytes((code,))))[-1] == TextMessage(chr(code))
    utf8 = "Hello-µ@ßöäüàá-UTF-8!!"
    [_, message] = c.receive_data(wire(side, 0x81, utf8.encode()))
    assert isinstance(message, TextMessage) and len(message.data) == 22


@pytest.mark.parametrize("side", SIDES)
def test_unicode_noncharacters_are_accepted(side: str) -> None:
    payload = bytes.fromhex("efbfbe efbfbf f09fbfbe f09fbfbf f48fbfbe f48fbfbf".replace(" ", ""))
    [_, message] = conn(side).receive_data(wire(side, 0x81, payload))
    assert isinstance(message, TextMessage) and message.data.encode() == payload


@pytest.mark.parametrize("side", SIDES)
def test_good_opcodes_with_empty_payloads(side: str) -> None:
    c = conn(side)
    assert c.receive_data(wire(side, 0x89)) == [Ping(b"")]
    assert c.receive_data(wire(side, 0x8A)) == [Pong(b"")]
    assert c.receive_data(wire(side, 0x81)) == [TextFrame("", True), TextMessage("")]
    assert c.receive_data(wire(side, 0x82)) == [BinaryFrame(b"", True), BinaryMessage(b"")]
    assert c.receive_data(wire(side, 0x88)) == [CloseReceived(1005, "")]


@pytest.mark.parametrize("side", SIDES)
def test_ten_frames_in_one_chunk_give_ten_messages(side: str) -> None:
    events = conn(side, frame_events=False).receive_data(
        b"".join(wire(side, 0x82, b"abc") for _ in range(10))
    )
    assert events == [BinaryMessage(b"abc")] * 10


def test_frame_events_are_off_by_default() -> None:
    c = WebSocketConnection("server")
    assert c.receive_data(wire("server", 0x81, b"hi")) == [TextMessage("hi")]


# -- fragmentation ----------------------------------------------------------------
@pytest.mark.parametrize("side", SIDES)
def test_fragmented_text_with_interleaved_control_frames(side: str) -> None:
    c = conn(side)
    text = "κόσμε €uro"
    raw = text.encode()
    parts = [raw[:3], raw[3:9], raw[9:]]  # cut inside multi-byte characters
    events = c.receive_data(
        wire(side, 0x01, parts[0])
        + wire(side, 0x89, b"ping!")
        + wire(side, 0x00, parts[1])
        + wire(side, 0x8A, b"pong")
        + wire(side, 0x80, parts[2])
    )
    assert events[1] == Ping(b"ping!")
    assert events[3] == Pong(b"pong")
    frames = [e for e in events if isinstance(e, TextFrame)]
    assert "".join(f.data for f in frames) == text
    assert [f.is_last for f in frames] == [False, False, True]
    assert events[-1] == TextMessage(text)
    # the ping was answered at once with the same payload
    assert [(f.opcode, f.payload) for f in sent_frames(c)] == [(0xA, b"ping!")]


@pytest.mark.parametrize("side", SIDES)
def test_fragmented_binary(side: str) -> None:
    c = conn(side)
    chunks = [os.urandom(n) for n in (1, 200, 70000, 0)]
    data = wire(side, 0x02, chunks[0]) + b"".join(wire(side, 0x00, p) for p in chunks[1:-1])
    data += wire(side, 0x80, chunks[-1])
    events = c.receive_data(data)
    assert events[-1] == BinaryMessage(b"".join(chunks))
    assert [e.is_last for e in events if isinstance(e, BinaryFrame)] == [False] * 3 + [True]


@pytest.mark.parametrize("side", SIDES)
def test_continuation_without_a_message_is_1002(side: str) -> None:
    c = conn(side)
    events = c.receive_data(wire(side, 0x80, b"a"))
    assert_failed(c, events, 1002)
    assert "nothing to continue" in events[-1].reason  # type: ignore[union-attr]


@pytest.mark.parametrize("side", SIDES)
def test_new_data_frame_inside_a_message_is_1002(side: str) -> None:
    c = conn(side)
    events = c.receive_data(wire(side, 0x01, b"a") + wire(side, 0x82, b"b"))
    assert events[0] == TextFrame("a", False)
    assert_failed(c, events, 1002)


# -- invalid frames ---------------------------------------------------------------
INVALID_FIRST_BYTES = [0x81 | 0x40, 0x81 | 0x20, 0x81 | 0x10] + [
    0x80 | op for op in (3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF)
]


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("first", INVALID_FIRST_BYTES)
@pytest.mark.parametrize("mid_message", [False, True])
def test_rsv_bits_and_reserved_opcodes_are_1002(side: str, first: int, mid_message: bool) -> None:
    c = conn(side)
    prefix = wire(side, 0x01, b"a") if mid_message else b""
    events = c.receive_data(prefix + wire(side, first, b"x"))
    assert_failed(c, events, 1002)
    assert not any(isinstance(e, TextMessage) for e in events)


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("opcode", [8, 9, 10])
def test_invalid_control_frames_are_1002(side: str, opcode: int) -> None:
    c = conn(side)
    assert_failed(c, c.receive_data(raw_header(side, 0x80 | opcode, b"\x7e\x00\x7e")), 1002)
    c = conn(side)
    assert_failed(c, c.receive_data(wire(side, opcode, b"")), 1002)  # FIN clear


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("first", [0x81, 0x82, 0x80])
def test_non_minimal_lengths_are_1002(side: str, first: int) -> None:
    encodings = [b"\x7e" + struct.pack("!H", v) for v in (0, 64, 125)] + [
        b"\x7f" + struct.pack("!Q", v)
        for v in (0, 64, 125, 126, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65535)
    ]
    for length_bytes in encodings:
        c = conn(side)
        prefix = wire(side, 0x01, b"a") if first == 0x80 else b""
        assert_failed(c, c.receive_data(prefix + raw_header(side, first, length_bytes)), 1002)


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("first", [0x81, 0x82, 0x80])
def test_frame_too_big_is_1009_from_the_header(side: str, first: int) -> None:
    c = conn(side)
    prefix = wire(side, 0x01, b"a") if first == 0x80 else b""
    events = c.receive_data(prefix + raw_header(side, first, b"\x7f" + struct.pack("!Q", 2**31)))
    assert_failed(c, events, 1009)
    assert events[-1].reason == "Maximum framesize exceeded."  # type: ignore[union-attr]


@pytest.mark.parametrize("side", SIDES)
def test_length_with_top_bit_set_is_1002(side: str) -> None:
    c = conn(side)
    head = raw_header(side, 0x82, b"\x7f" + struct.pack("!Q", 1 << 63))
    assert_failed(c, c.receive_data(head), 1002)


def test_masking_rules_follow_the_rfc_not_qt() -> None:
    server = conn("server")  # Qt 6.11 accepts this; RFC 6455 §5.1 says fail
    assert_failed(server, server.receive_data(encode_frame(1, b"hi")), 1002)
    client = conn("client")
    assert_failed(client, client.receive_data(encode_frame(1, b"hi", mask_key=b"abcd")), 1002)


# Autobahn 6.3-6.21 style sequences (qt-autotests.md §7 invalidPayload).
INVALID_UTF8 = [
    "cebae1bdb9cf83cebcceb5eda080656469746564",  # κόσμε + surrogate + "edited"
    "c0af", "e080af", "f08080af", "f8808080af", "fc80808080af",  # overlong
    "eda080", "edbfbf", "eda080edb080",  # surrogates
    "f4908080",  # above U+10FFFF
    "80", "bf", "80bf80bf",  # lone continuation bytes
    "c020", "e020", "f0202020",  # lone start bytes
    "c0", "e080", "f08080",  # truncated sequences
    "fe", "ff", "fefeffff",
]


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("hexdata", INVALID_UTF8)
def test_invalid_utf8_is_1007(side: str, hexdata: str) -> None:
    payload = bytes.fromhex(hexdata)
    c = conn(side)
    assert_failed(c, c.receive_data(wire(side, 0x81, payload)), 1007)
    c = conn(side)  # in a continuation frame
    events = c.receive_data(wire(side, 0x01, b"a") + wire(side, 0x80, payload))
    assert events[0] == TextFrame("a", False)
    assert_failed(c, events, 1007)
    c = conn(side)  # in a close reason
    assert_failed(c, c.receive_data(wire(side, 0x88, b"\x03\xe8" + payload)), 1007)


@pytest.mark.parametrize("side", SIDES)
def test_invalid_utf8_fails_fast_in_the_fragment_where_it_occurs(side: str) -> None:
    # Autobahn 6.4.1/6.4.2: the message is never finished; the bad fragment fails.
    for first, second in [
        (b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", b"\xf4\x90\x80\x80"),
        (b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xf4", b"\x90\x80\x80"),
    ]:
        c = conn(side)
        assert isinstance(c.receive_data(wire(side, 0x01, first))[0], TextFrame)
        assert_failed(c, c.receive_data(wire(side, 0x00, second)), 1007)


@pytest.mark.parametrize("side", SIDES)
def test_truncated_utf8_at_message_end_is_1007(side: str) -> None:
    c = conn(side)
    events = c.receive_data(wire(side, 0x01, b"ok\xe2\x82") + wire(side, 0x80, b""))
    assert_failed(c, events, 1007)


# -- close frames -----------------------------------------------------------------
@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize(
    "code", [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]
)
def test_invalid_close_codes_fail_with_1002(side: str, code: int) -> None:
    c = conn(side)
    assert_failed(c, c.receive_data(wire(side, 0x88, struct.pack("!H", code))), 1002)


@pytest.mark.parametrize("side", SIDES)
def test_close_payload_of_one_byte_is_1002(side: str) -> None:
    c = conn(side)
    assert_failed(c, c.receive_data(wire(side, 0x88, b"\x03")), 1002)


@pytest.mark.parametrize("code", [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011,
                                  1012, 1013, 1014, 3000, 3999, 4000, 4999])
def test_peer_close_is_echoed_and_closes(code: int) -> None:
    c = conn("server")
    payload = struct.pack("!H", code) + b"bye"
    assert c.receive_data(wire("server", 0x88, payload)) == [CloseReceived(code, "bye")]
    assert c.data_to_send() == b"\x88\x05" + payload  # Qt echoes code and reason
    assert c.state is State.CLOSED
    assert (c.close_code, c.close_reason) == (code, "bye")


def test_empty_close_is_answered_with_an_empty_close() -> None:
    c = conn("client")
    assert c.receive_data(b"\x88\x00") == [CloseReceived(1005, "")]
    [frame] = sent_frames(c)
    assert (frame.opcode, frame.payload) == (8, b"")
    assert c.state is State.CLOSED


def test_locally_initiated_close_handshake() -> None:
    c = conn("server")
    c.send_close(1001, "going away")
    assert c.state is State.CLOSING and c.close_sent
    assert c.data_to_send() == b"\x88\x0c\x03\xe9going away"
    # data still flows from the peer until its close arrives; nothing is answered
    assert c.receive_data(wire("server", 0x89, b"p") + wire("server", 0x82, b"late")) == [
        Ping(b"p"), BinaryFrame(b"late", True), BinaryMessage(b"late")
    ]
    assert c.receive_data(wire("server", 0x88, b"\x03\xe9")) == [CloseReceived(1001, "")]
    assert c.state is State.CLOSED
    assert c.data_to_send() == b""  # no pong after our close, no second close
    with pytest.raises(InvalidState):
        c.send_binary(b"x")
    with pytest.raises(InvalidState):
        c.send_ping()
    c.send_close()  # ignored
    assert c.data_to_send() == b""


def test_manual_close_reply() -> None:
    c = conn("server", auto_close_reply=False)
    assert c.receive_data(wire("server", 0x88, b"\x03\xe8")) == [CloseReceived(1000, "")]
    assert c.state is State.CLOSING and c.data_to_send() == b""
    c.send_close(1000, "ok")
    assert c.state is State.CLOSED and c.data_to_send() == b"\x88\x04\x03\xe8ok"


def test_input_after_the_peers_close_is_ignored() -> None:
    c = conn("server")
    events = c.receive_data(wire("server", 0x88, b"\x03\xe8") + wire("server", 0x82, b"x"))
    assert events == [CloseReceived(1000, "")]
    assert c.receive_data(wire("server", 0x82, b"y")) == []
    assert c.receive_data(b"") == []


def test_eof_before_close_is_connection_lost() -> None:
    c = conn("client")
    c.receive_data(b"\x81\x05hel")  # a partial frame is pending
    assert c.has_partial_frame
    assert c.receive_data(b"") == [ConnectionLost(1006, "")]
    assert c.state is State.CLOSED and c.close_code == 1006
    assert c.receive_data(b"lo") == []


def test_eof_after_our_close_is_still_abnormal() -> None:
    c = conn("server")
    c.send_close()
    assert c.receive_data(b"") == [ConnectionLost(1006, "")]


def test_fail_for_the_idle_timeout() -> None:
    # Qt fails a connection whose partial frame stays idle with 1001; the timer
    # lives in the I/O layer, the codec provides fail().
    c = conn("server")
    assert c.receive_data(raw_header("server", 0x81, b"\x7d")) == []
    assert c.has_partial_frame
    c.fail(1001, "Timeout when reading data from socket.")
    assert c.state is State.CLOSED and not c.has_partial_frame
    [frame] = sent_frames(c)
    assert frame.payload == b"\x03\xe9Timeout when reading data from socket."
    assert c.receive_data(wire("server", 0x81, b"x")) == []


def test_send_close_reason_is_cut_to_123_bytes() -> None:
    c = conn("server")
    c.send_close(1001, "a" * 200)
    assert c.data_to_send() == b"\x88\x7d\x03\xe9" + b"a" * 123


# -- ping / pong --------------------------------------------------------------------
@pytest.mark.parametrize("side", SIDES)
def test_pings_are_answered_with_the_same_payload(side: str) -> None:
    c = conn(side)
    assert c.receive_data(wire(side, 0x89, b"pingdata")) == [Ping(b"pingdata")]
    frames = sent_frames(c)
    assert [(f.opcode, f.payload) for f in frames] == [(0xA, b"pingdata")]
    if side == "server":
        assert c.receive_data(wire(side, 0x89, b"pingdata")) == [Ping(b"pingdata")]
        assert c.data_to_send() == b"\x8a\x08pingdata"  # Qt's bytes


def test_auto_pong_can_be_disabled() -> None:
    c = conn("server", auto_pong=False)
    assert c.receive_data(wire("server", 0x89, b"x")) == [Ping(b"x")]
    assert c.data_to_send() == b""
    c.send_pong(b"x")
    assert c.data_to_send() == b"\x8a\x01x"


def test_control_payload_limit_on_send() -> None:
    c = conn("server")
    c.send_ping(b"p" * 125)
    with pytest.raises(ValueError):
        c.send_ping(b"p" * 126)


# -- limits -------------------------------------------------------------------------
def test_qt_default_limits() -> None:
    c = WebSocketConnection("server")
    assert c.max_frame_size == c.max_message_size == QT_MAX_INCOMING_SIZE == 2147483646
    assert c.outgoing_frame_size == QT_OUTGOING_FRAME_SIZE == 524288


@pytest.mark.parametrize("side", SIDES)
def test_message_too_long_is_1009(side: str) -> None:
    c = conn(side, max_message_size=1024)
    assert c.receive_data(wire(side, 0x81, b"x" * 1024))[-1] == TextMessage("x" * 1024)
    events = c.receive_data(wire(side, 0x81, b"x" * 1025))
    assert_failed(c, events, 1009)
    assert events[-1].reason == "Received message is too big."  # type: ignore[union-attr]
    c = conn(side, max_message_size=1024)  # fragmented: fails at the frame crossing it
    events = c.receive_data(wire(side, 0x02, b"x" * 1000) + wire(side, 0x80, b"x" * 25))
    assert_failed(c, events, 1009)


@pytest.mark.parametrize("side", SIDES)
def test_frame_too_long_is_1009_before_its_payload_arrives(side: str) -> None:
    c = conn(side, max_frame_size=1024)
    frame = wire(side, 0x81, b"x" * 1025)
    events = c.receive_data(frame[:8])  # only the header
    assert_failed(c, events, 1009)


@pytest.mark.parametrize("side", SIDES)
def test_big_frame_in_small_chunks(side: str) -> None:
    c = conn(side, frame_events=False)
    payload = os.urandom(3 * 65536 + 7)
    data = wire(side, 0x82, payload) + wire(side, 0x81, b"after")
    events: list[Event] = []
    for i in range(0, len(data), 1000):
        events += c.receive_data(data[i : i + 1000])
    assert events == [BinaryMessage(payload), TextMessage("after")]
    assert not c.has_partial_frame


# -- output -------------------------------------------------------------------------
def test_server_frames_are_unmasked_and_client_frames_masked() -> None:
    server = conn("server")
    server.send_text("hi")
    assert server.data_to_send() == b"\x81\x02hi"
    client = conn("client")
    client.send_text("hi")
    out = client.data_to_send()
    assert out[:2] == b"\x81\x82" and len(out) == 8
    assert bytes(b ^ out[2 + i % 4] for i, b in enumerate(out[6:])) == b"hi"


@pytest.mark.parametrize("side", SIDES)
def test_outgoing_messages_are_split_into_frames(side: str) -> None:
    c = conn(side)
    text = "é" * 0x100000  # 2 MiB of UTF-8: four 512 KiB frames
    c.send_text(text)
    frames = sent_frames(c)
    assert [len(f.payload) for f in frames] == [524288] * 4
    assert [f.opcode for f in frames] == [1, 0, 0, 0]
    assert [f.fin for f in frames] == [False, False, False, True]
    assert b"".join(f.payload for f in frames).decode() == text
    c.send_binary(b"0123456789", frame_size=3)
    frames = sent_frames(c)
    assert [f.payload for f in frames] == [b"012", b"345", b"678", b"9"]
    c.outgoing_frame_size = 5
    c.send_binary(b"0123456789")
    assert [f.payload for f in sent_frames(c)] == [b"01234", b"56789"]


def test_large_payloads_are_queued_without_copying_into_one_buffer() -> None:
    c = conn("server")
    payload = os.urandom(100_000)
    c.send_binary(payload)
    assert c.bytes_to_send == 100_010
    buffers = c.buffers_to_send()
    assert buffers[0] == b"\x82\x7f" + struct.pack("!Q", 100_000)
    assert buffers[1] is payload
    assert c.bytes_to_send == 0
    mutable = bytearray(b"y" * 5000)
    c.send_binary(mutable)
    mutable[:] = b"z" * 5000  # the caller reuses its buffer: the queued copy is intact
    assert c.data_to_send()[4:] == b"y" * 5000


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(st.text(max_size=300), st.binary(max_size=3000), st.just(b"p" * 70_000)),
        max_size=6,
    ),
    st.sampled_from([1, 2, 3, 50, 700, 65536]),
    st.integers(1, 9000),
)
def test_client_to_server_round_trip_any_chunking(
    messages: list[str | bytes], frame_size: int, chunk: int
) -> None:
    # tiny frames of a 70 KB message only cost time; they are covered by small ones
    assume(frame_size >= 50 or sum(map(len, messages)) < 20_000)
    client = WebSocketConnection("client", outgoing_frame_size=frame_size)
    server = WebSocketConnection("server")
    expected: list[Event] = []
    for m in messages:
        if isinstance(m, str):
            client.send_text(m)
            expected.append(TextMessage(m))
        else:
            client.send_binary(m)
            expected.append(BinaryMessage(m))
        client.send_ping(b"k")
        expected.append(Ping(b"k"))
    data = client.data_to_send()
    chunk = max(chunk, len(data) // 2000)  # bound the number of calls
    events: list[Event] = []
    for i in range(0, len(data), chunk):
        events += server.receive_data(data[i : i + chunk])
    assert events == expected
    if messages:
        assert client.receive_data(server.data_to_send()) == [Pong(b"k")] * len(messages)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(SIDES), st.integers(1, 64))
def test_arbitrary_bytes_never_raise(data: bytes, side: str, chunk: int) -> None:
    c = WebSocketConnection(side, frame_events=True, max_message_size=1 << 16)  # type: ignore[arg-type]
    events: list[Event] = []
    for i in range(0, len(data), chunk):
        events += c.receive_data(data[i : i + chunk])
    errors = [e for e in events if isinstance(e, ProtocolError)]
    assert len(errors) <= 1
    if errors:
        assert errors[0].code in (1002, 1007, 1009)
        assert c.state is State.CLOSED
        assert sent_frames(c)[-1].opcode == 8


def test_event_reprs_and_equality() -> None:
    assert repr(TextMessage("a")) == "TextMessage('a')"
    assert repr(BinaryFrame(b"a", False)) == "BinaryFrame(b'a', is_last=False)"
    assert repr(CloseReceived(1000, "x")) == "CloseReceived(1000, 'x')"
    assert TextMessage("a") != BinaryMessage(b"a")
    assert Ping(b"") != Pong(b"")
    assert ProtocolError(1002, "") != CloseReceived(1002, "")


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError):
        WebSocketConnection("peer")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        WebSocketConnection("server", outgoing_frame_size=0)


frame_parts = st.tuples(
    st.integers(0, 255),  # any FIN/RSV/opcode combination
    st.binary(max_size=200),
    st.booleans(),  # masked?
)


@settings(max_examples=400, deadline=None)
@given(st.lists(frame_parts, max_size=8), st.sampled_from(SIDES), st.integers(1, 300))
def test_structured_frame_fuzz(parts: list[tuple[int, bytes, bool]], side: str, chunk: int) -> None:
    """Well-formed headers with random flags reach the message-level rules."""
    data = b"".join(
        encode_header(first, len(p), b"\x01\x02\x03\x04" if masked else None)
        + (mask_pure(p, b"\x01\x02\x03\x04") if masked else p)
        for first, p, masked in parts
    )
    c = WebSocketConnection(side, frame_events=True)  # type: ignore[arg-type]
    events: list[Event] = []
    for i in range(0, len(data), chunk):
        events += c.receive_data(data[i : i + chunk])
    closing = [e for e in events if isinstance(e, (ProtocolError, CloseReceived))]
    assert len(closing) <= 1
    if closing:
        assert events[-1] is closing[0]  # nothing is delivered after a close or failure
        assert c.state in (State.CLOSED, State.CLOSING)
    for e in events:
        if isinstance(e, TextMessage):
            e.data.encode("utf-8")  # only valid text is delivered


def test_awaiting_data_covers_partial_frames_and_unfinished_messages() -> None:
    c = conn("server")
    assert not c.awaiting_data
    c.receive_data(wire("server", 0x01, b"a"))  # a non-final frame: message unfinished
    assert c.awaiting_data and not c.has_partial_frame
    last = wire("server", 0x80, b"b")
    assert c.receive_data(last[:3]) == []
    assert c.awaiting_data and c.has_partial_frame
    assert c.receive_data(last[3:]) == [TextFrame("b", True), TextMessage("ab")]
    assert not c.awaiting_data


def test_sending_after_eof_raises() -> None:
    c = conn("server")
    c.receive_data(b"")
    for send in (lambda: c.send_text("x"), lambda: c.send_binary(b"x"), c.send_ping):
        with pytest.raises(InvalidState):
            send()
    c.send_close()  # ignored: nothing to close any more
    assert c.data_to_send() == b""


def test_replies_to_messages_go_out_before_the_echoed_close() -> None:
    c = conn("server", frame_events=False)
    events = c.receive_data(wire("server", 0x81, b"hello") + wire("server", 0x88, b"\x03\xe8"))
    assert events == [TextMessage("hello"), CloseReceived(1000, "")]
    assert c.state is State.CLOSED and c.close_sent
    c.send_text("hello")  # the application echoes after receive_data returned
    assert c.bytes_to_send == 7 + 4
    assert c.data_to_send() == b"\x81\x05hello\x88\x02\x03\xe8"
    with pytest.raises(InvalidState):
        c.send_text("too late")


def test_replies_to_messages_go_out_before_the_failure_close() -> None:
    c = conn("server", frame_events=False)
    events = c.receive_data(wire("server", 0x82, b"ok") + wire("server", 0xF2, b"bad"))
    assert events == [BinaryMessage(b"ok"), ProtocolError(1002, "Rsv field is non-zero")]
    c.send_binary(b"ok")
    frames = sent_frames(c)
    assert [(f.opcode, f.payload[:2]) for f in frames] == [(2, b"ok"), (8, b"\x03\xea")]


@pytest.mark.parametrize("side", SIDES)
def test_message_limit_fails_from_the_header_of_a_big_frame(side: str) -> None:
    c = conn(side, max_message_size=100_000)  # frame limit left at Qt's 2 GiB
    frame = wire(side, 0x82, b"x" * 100_001)
    events = c.receive_data(frame[:20])  # header and a few payload bytes only
    assert events[-1] == ProtocolError(1009, "Received message is too big.")
    c = conn(side, max_message_size=100_000)  # the same for a continuation frame
    events = c.receive_data(wire(side, 0x02, b"x" * 60_000) + wire(side, 0x80, b"y" * 40_001)[:20])
    assert events[-1] == ProtocolError(1009, "Received message is too big.")



@pytest.mark.parametrize("side", SIDES)
def test_no_partial_frame_pending_after_the_peers_close_frame(side: str) -> None:
    # A read that completes an earlier partial frame and then holds the close
    # frame (and the start of another): afterwards nothing is pending.
    c = conn(side, frame_events=False)
    first = wire(side, 0x82, b"x" * 10)
    assert c.receive_data(first[:5]) == []
    assert c.has_partial_frame
    events = c.receive_data(first[5:] + wire(side, 0x88, b"\x03\xe8") + b"\x81")
    assert isinstance(events[0], BinaryMessage) and isinstance(events[1], CloseReceived)
    assert not c.has_partial_frame
    assert not c.awaiting_data


@pytest.mark.parametrize("side", SIDES)
def test_no_partial_frame_pending_after_a_protocol_error(side: str) -> None:
    c = conn(side, frame_events=False)
    first = wire(side, 0x82, b"x" * 10)
    c.receive_data(first[:5])
    events = c.receive_data(first[5:] + wire(side, 0x83) + b"\x81")  # reserved opcode 3
    assert isinstance(events[-1], ProtocolError)
    assert not c.has_partial_frame
