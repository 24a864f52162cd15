"""permessage-deflate (RFC 7692): negotiation tables, codec, limits, and the connection."""

from __future__ import annotations

import os
import struct
import tracemalloc
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qtnet.codecs.ws_deflate import (
    DeflateConfig,
    DeflateNegotiationError,
    DeflateParams,
    PerMessageDeflate,
    accept_response,
    client_offer,
    negotiate_server,
)
from qtnet.codecs.ws_frames import FrameReader, InvalidPayload, TooMuchData, encode_header
from qtnet.codecs.ws_handshake import parse_extensions
from qtnet.codecs.ws_protocol import (
    BinaryMessage,
    Event,
    Ping,
    ProtocolError,
    State,
    TextFrame,
    TextMessage,
    WebSocketConnection,
)


def server_answer(offer: str, config: DeflateConfig | None = None) -> str | None:
    params = negotiate_server(parse_extensions(offer), config or DeflateConfig())
    return params.response_header() if params is not None else None


# -- server negotiation -----------------------------------------------------------
@pytest.mark.parametrize(
    ("offer", "answer"),
    [
        ("permessage-deflate", "permessage-deflate"),
        ("permessage-deflate; client_max_window_bits", "permessage-deflate"),
        (
            "permessage-deflate; server_no_context_takeover",
            "permessage-deflate; server_no_context_takeover",
        ),
        (
            "permessage-deflate; client_no_context_takeover",
            "permessage-deflate; client_no_context_takeover",
        ),
        (
            "permessage-deflate; server_max_window_bits=10",
            "permessage-deflate; server_max_window_bits=10",
        ),
        (
            'permessage-deflate; server_max_window_bits="8"',
            "permessage-deflate; server_max_window_bits=8",
        ),
        ("x-webkit-deflate-frame, permessage-deflate", "permessage-deflate"),
        ("foo", None),
        ("", None),
        # declined offers: the next one is tried
        ("permessage-deflate; foo=1, permessage-deflate", "permessage-deflate"),
        ("permessage-deflate; server_max_window_bits", None),  # needs a value
        ("permessage-deflate; server_max_window_bits=7", None),
        ("permessage-deflate; server_max_window_bits=16", None),
        ("permessage-deflate; server_max_window_bits=08", None),  # leading zero
        ("permessage-deflate; client_max_window_bits=abc", None),
        ("permessage-deflate; server_no_context_takeover=1", None),
        ("permessage-deflate; client_max_window_bits; client_max_window_bits", None),
        (
            "permessage-deflate; server_max_window_bits=16, "
            "permessage-deflate; server_max_window_bits=9",
            "permessage-deflate; server_max_window_bits=9",
        ),
    ],
)
def test_server_negotiation(offer: str, answer: str | None) -> None:
    assert server_answer(offer) == answer


def test_server_configuration_limits() -> None:
    config = DeflateConfig(
        server_max_window_bits=12, client_max_window_bits=10, server_no_context_takeover=True
    )
    # client allows client_max_window_bits: the server may lower it
    assert server_answer("permessage-deflate; client_max_window_bits", config) == (
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=12; "
        "client_max_window_bits=10"
    )
    # the client did not offer client_max_window_bits: the server must not send it
    assert server_answer("permessage-deflate", config) == (
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=12"
    )
    # an offered limit below the server's wins
    assert server_answer("permessage-deflate; server_max_window_bits=9", config) == (
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=9"
    )
    params = negotiate_server(parse_extensions("permessage-deflate; client_max_window_bits=9"),
                              DeflateConfig(client_max_window_bits=12))
    assert params == DeflateParams(client_max_window_bits=9)  # client's own limit, unanswered


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        DeflateConfig(server_max_window_bits=7)
    with pytest.raises(ValueError):
        DeflateConfig(client_max_window_bits=16)


# -- client negotiation -------------------------------------------------------------
def test_client_offer() -> None:
    assert client_offer(DeflateConfig()) == "permessage-deflate; client_max_window_bits"
    assert client_offer(
        DeflateConfig(
            server_no_context_takeover=True,
            client_no_context_takeover=True,
            server_max_window_bits=10,
            client_max_window_bits=11,
        )
    ) == (
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
        "server_max_window_bits=10; client_max_window_bits=11"
    )


@pytest.mark.parametrize(
    ("response", "config", "expected"),
    [
        ("", DeflateConfig(), None),
        ("permessage-deflate", DeflateConfig(), DeflateParams()),
        (
            "permessage-deflate; client_max_window_bits=9; server_max_window_bits=10",
            DeflateConfig(),
            DeflateParams(client_max_window_bits=9, server_max_window_bits=10),
        ),
        (
            "permessage-deflate; client_no_context_takeover",
            DeflateConfig(),
            DeflateParams(client_no_context_takeover=True),
        ),
        (
            "permessage-deflate; server_no_context_takeover",
            DeflateConfig(server_no_context_takeover=True),
            DeflateParams(server_no_context_takeover=True),
        ),
        (
            "permessage-deflate",
            DeflateConfig(client_max_window_bits=10),
            DeflateParams(client_max_window_bits=10),  # we limit ourselves anyway
        ),
    ],
)
def test_client_accepts(
    response: str, config: DeflateConfig, expected: DeflateParams | None
) -> None:
    assert accept_response(parse_extensions(response), config) == expected


@pytest.mark.parametrize(
    ("response", "config"),
    [
        ("permessage-deflate, permessage-deflate", DeflateConfig()),
        ("x-other", DeflateConfig()),
        ("permessage-deflate; unknown", DeflateConfig()),
        ("permessage-deflate; client_max_window_bits", DeflateConfig()),  # needs a value here
        ("permessage-deflate; server_max_window_bits=20", DeflateConfig()),
        ("permessage-deflate", DeflateConfig(server_no_context_takeover=True)),
        ("permessage-deflate", DeflateConfig(server_max_window_bits=10)),
        ("permessage-deflate; server_max_window_bits=12", DeflateConfig(server_max_window_bits=10)),
    ],
)
def test_client_refuses(response: str, config: DeflateConfig) -> None:
    with pytest.raises(DeflateNegotiationError):
        accept_response(parse_extensions(response), config)


# -- the codec --------------------------------------------------------------------
def pair(**kw: object) -> tuple[PerMessageDeflate, PerMessageDeflate]:
    params = DeflateParams(**kw)  # type: ignore[arg-type]
    return PerMessageDeflate(params, is_server=True), PerMessageDeflate(params, is_server=False)


def test_rfc7692_examples_decode() -> None:
    _, client = pair()
    # §7.2.3.1: "Hello" in one compressed frame
    assert client.decompress(bytes.fromhex("f248cdc9c90700"), True, 100) == b"Hello"
    # §7.2.3.2 with context takeover: the second "Hello" refers to the first
    assert client.decompress(bytes.fromhex("f200110000"), True, 100) == b"Hello"
    # §7.2.3.3: a stored (uncompressed) block
    _, fresh = pair()
    assert fresh.decompress(bytes.fromhex("000500faff48656c6c6f"), True, 100) == b"Hello"


def test_compress_strips_the_tail_and_empty_message_is_one_byte() -> None:
    server, client = pair()
    out = server.compress(b"Hello")
    assert not out.endswith(b"\x00\x00\xff\xff")
    assert client.decompress(out, True, 100) == b"Hello"
    assert server.compress(b"") == b"\x00"
    assert client.decompress(b"\x00", True, 100) == b""


def test_context_takeover_shrinks_repeats_and_no_takeover_resets() -> None:
    server, client = pair()
    msg = os.urandom(200)
    first, second = server.compress(msg), server.compress(msg)
    assert len(second) < len(first) // 4  # the second refers back into the window
    assert client.decompress(first, True, 1000) == msg
    assert client.decompress(second, True, 1000) == msg
    server, client = pair(server_no_context_takeover=True)
    assert server.compress(msg) == server.compress(msg)  # independent each time


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.binary(max_size=2000) | st.text(max_size=500).map(str.encode), max_size=6),
    st.integers(8, 15),
    st.integers(8, 15),
    st.booleans(),
    st.booleans(),
)
def test_round_trip_all_window_sizes(
    messages: list[bytes], sbits: int, cbits: int, s_reset: bool, c_reset: bool
) -> None:
    server, client = pair(
        server_max_window_bits=sbits,
        client_max_window_bits=cbits,
        server_no_context_takeover=s_reset,
        client_no_context_takeover=c_reset,
    )
    for m in messages:
        assert client.decompress(server.compress(m), True, 1 << 20) == m
        assert server.decompress(client.compress(m), True, 1 << 20) == m


def test_window_bits_8_output_fits_a_256_byte_window() -> None:
    server, _ = pair(server_max_window_bits=8)
    data = (b"abcdefghij" * 50 + os.urandom(300)) * 20
    out = server.compress(data)
    assert len(out) < len(data)  # still compresses (runs)
    strict = zlib.decompressobj(wbits=-8)
    assert strict.decompress(out + b"\x00\x00\xff\xff") == data


def test_decompression_bomb_stops_at_the_limit() -> None:
    bomb_source = b"\0" * (50 << 20)  # 50 MiB of zeros -> ~50 KiB compressed
    comp = zlib.compressobj(wbits=-15)
    bomb = comp.compress(bomb_source) + comp.flush(zlib.Z_SYNC_FLUSH)
    del bomb_source
    _, client = pair()
    tracemalloc.start()
    try:
        with pytest.raises(TooMuchData) as info:
            client.decompress(bomb[:-4], True, 1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.code == 1009
    assert peak < 8 << 20  # never inflated much past the 1 MiB limit


def test_corrupt_stream_is_1007() -> None:
    _, client = pair()
    with pytest.raises(InvalidPayload) as info:
        client.decompress(b"\xff\xff\xff\xff", True, 100)
    assert info.value.code == 1007


# -- through the connection ---------------------------------------------------------
KEY = b"\x11\x22\x33\x44"


def client_wire(first: int, payload: bytes) -> bytes:
    return encode_header(first, len(payload), KEY) + bytes(
        b ^ KEY[i % 4] for i, b in enumerate(payload)
    )


def compressed(data: bytes, bits: int = 15) -> bytes:
    comp = zlib.compressobj(wbits=-bits)
    out = comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH)
    return out[:-4]


def server_conn(**kw: object) -> WebSocketConnection:
    return WebSocketConnection("server", deflate=DeflateParams(), **kw)  # type: ignore[arg-type]


def test_compressed_messages_through_the_connection() -> None:
    c = server_conn(frame_events=True)
    body = compressed("héllo wörld".encode() * 20)
    events = c.receive_data(
        client_wire(0x41, body[:5])  # RSV1 on the first frame only
        + client_wire(0x89, b"ping")
        + client_wire(0x80, body[5:])
        + client_wire(0x82, b"plain")  # an uncompressed message is allowed too
    )
    assert events[1] == Ping(b"ping")
    assert events[-3] == TextMessage("héllo wörld" * 20)
    assert "".join(e.data for e in events if isinstance(e, TextFrame)) == "héllo wörld" * 20
    assert events[-1] == BinaryMessage(b"plain")
    frames = FrameReader(masked=False, allow_rsv1=True).feed(c.data_to_send())
    assert [(f.opcode, f.rsv1) for f in frames] == [(0xA, False)]  # control: never compressed


def test_outgoing_compressed_and_fragmented() -> None:
    c = server_conn(outgoing_frame_size=50)
    text = os.urandom(400).hex()  # compresses to about half: several frames
    c.send_text(text)
    c.send_ping(b"x")
    frames = FrameReader(masked=False, allow_rsv1=True).feed(c.data_to_send())
    assert frames[0].rsv1 and frames[0].opcode == 1 and not frames[0].fin
    assert all(not f.rsv1 for f in frames[1:])
    assert frames[-2].fin and frames[-1].opcode == 9
    body = b"".join(f.payload for f in frames[:-1])
    assert zlib.decompressobj(wbits=-15).decompress(body + b"\x00\x00\xff\xff") == text.encode()


@pytest.mark.parametrize(
    "data",
    [
        client_wire(0x41, b"x") + client_wire(0xC0, b"y"),  # RSV1 on a continuation
        client_wire(0xC9, b""),  # RSV1 on a control frame
        client_wire(0xE1, b"x"),  # RSV2 is still reserved
    ],
)
def test_rsv_misuse_with_deflate_is_1002(data: bytes) -> None:
    c = server_conn()
    events = c.receive_data(data)
    assert events[-1] == ProtocolError(1002, "Rsv field is non-zero")


def test_rsv1_without_deflate_is_1002() -> None:
    c = WebSocketConnection("server")
    assert c.receive_data(client_wire(0xC1, compressed(b"x")))[-1].code == 1002  # type: ignore[union-attr]


def test_bomb_through_the_connection_is_1009() -> None:
    c = server_conn(max_message_size=1 << 20)
    bomb = compressed(b"\0" * (20 << 20))
    events: list[Event] = c.receive_data(client_wire(0xC2, bomb))
    assert events == [ProtocolError(1009, "Received message is too big.")]
    assert c.state is State.CLOSED
    assert struct.unpack("!H", c.data_to_send()[2:4])[0] == 1009


def test_invalid_utf8_inside_compressed_text_is_1007() -> None:
    c = server_conn()
    events = c.receive_data(client_wire(0xC1, compressed(b"ok \xed\xa0\x80")))
    assert events[-1].code == 1007  # type: ignore[union-attr]


def test_client_side_with_negotiated_windows() -> None:
    params = DeflateParams(server_max_window_bits=9, client_max_window_bits=8,
                           client_no_context_takeover=True)
    client = WebSocketConnection("client", deflate=params)
    server = WebSocketConnection("server", deflate=params)
    for size in (0, 10, 5000, 70000):
        msg = os.urandom(size // 2) + b"a" * (size - size // 2)
        client.send_binary(msg)
        assert server.receive_data(client.data_to_send()) == [BinaryMessage(msg)]
        server.send_binary(msg)
        assert client.receive_data(server.data_to_send()) == [BinaryMessage(msg)]
