"""WebSocket frame codec: masking, headers, frame reader, close payloads, enums.

Rows follow qt-autotests.md §7, §10, §11 (tst_websocketframe, tst_websocketprotocol,
tst_dataprocessor) where they concern single frames, with RFC 6455 where Qt
deviates (RSV2 is 0x20, ≥ 5000 really tested, 1012-1014 valid by IANA).
"""

from __future__ import annotations

import os
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qtnet.codecs import ws_frames
from qtnet.codecs.ws_frames import (
    CloseCode,
    Frame,
    FrameReader,
    InvalidPayload,
    ProtocolViolation,
    TooMuchData,
    Version,
    WebSocketProtocolError,
    apply_mask,
    build_close_payload,
    encode_frame,
    encode_header,
    is_reserved_opcode,
    is_valid_close_code,
    mask_pure,
    new_mask_key,
    parse_close_payload,
    parse_header,
    truncate_utf8,
)


def reference_mask(data: bytes, key: bytes) -> bytes:
    return bytes(b ^ key[i % 4] for i, b in enumerate(data))


# -- masking --------------------------------------------------------------------
@pytest.mark.parametrize("fn", [mask_pure, apply_mask])
def test_qt_mask_vectors(fn: object) -> None:
    key = bytes.fromhex("12345678")  # tst_validMasks: mask 0x12345678, read big-endian
    assert bytes(fn(b"abcdefgh", key)) == bytes.fromhex("7356351c77523110")  # type: ignore[operator]
    assert bytes(fn(b"abcdefghi", key)) == bytes.fromhex("7356351c775231107b")  # type: ignore[operator]
    assert bytes(fn(b"", key)) == b""  # type: ignore[operator]


@pytest.mark.parametrize(
    "size", [1, 2, 3, 4, 5, 63, 64, 125, 126, 1023, 2047, 2048, 2049, 4097, 65536, 65539]
)
def test_mask_pure_matches_reference_on_both_sides_of_the_switch(size: int) -> None:
    data = os.urandom(size)
    key = os.urandom(4)
    assert mask_pure(data, key) == reference_mask(data, key)
    assert mask_pure(bytearray(data), key) == reference_mask(data, key)
    assert mask_pure(memoryview(data), key) == reference_mask(data, key)
    assert bytes(apply_mask(data, key)) == reference_mask(data, key)


@given(st.binary(max_size=3000), st.binary(min_size=4, max_size=4))
def test_mask_is_an_involution(data: bytes, key: bytes) -> None:
    masked = mask_pure(data, key)
    assert len(masked) == len(data)
    assert mask_pure(masked, key) == data


def test_mask_keys_are_fresh() -> None:
    keys = [new_mask_key() for _ in range(1000)]
    assert all(len(k) == 4 for k in keys)
    # 1000 draws of 32 random bits: a collision is very unlikely, a bad
    # generator (constant, counter over few bytes) collides massively.
    assert len(set(keys)) >= 995
    assert keys[:500] != keys[500:]


def test_mask_implementation_is_reported() -> None:
    assert ws_frames.MASK_IMPLEMENTATION in ("pure", "websockets.speedups")
    if ws_frames.MASK_IMPLEMENTATION == "pure":
        assert ws_frames.apply_mask is mask_pure


# -- header encoding ------------------------------------------------------------
@pytest.mark.parametrize(
    ("length", "expected"),
    [
        (0, "8200"),
        (125, "827d"),
        (126, "827e007e"),
        (65535, "827effff"),
        (65536, "827f0000000000010000"),
    ],
)
def test_encode_header_uses_shortest_length_form(length: int, expected: str) -> None:
    assert encode_header(0x82, length).hex() == expected


def test_encode_frame_server_and_client() -> None:
    assert encode_frame(1, b"hi") == b"\x81\x02hi"  # Qt server sends `81 02 "hi"`
    assert encode_frame(9, b"p") == b"\x89\x01p"
    masked = encode_frame(2, b"abcd", mask_key=b"\x01\x02\x03\x04")
    assert masked == b"\x82\x84\x01\x02\x03\x04" + reference_mask(b"abcd", b"\x01\x02\x03\x04")
    assert encode_frame(1, b"x", fin=False, rsv1=True) == b"\x41\x01x"


# -- header decoding ------------------------------------------------------------
def test_parse_header_incomplete_prefixes_return_none() -> None:
    frame = encode_frame(2, b"z" * 70000, mask_key=b"abcd")
    header_len = 2 + 8 + 4
    for cut in range(header_len):
        assert parse_header(frame, 0, cut, True, 2**31) is None
    assert parse_header(frame, 0, header_len, True, 2**31) == (14, 70000, b"abcd")


@pytest.mark.parametrize("value", [0, 64, 125])
def test_16bit_length_must_be_minimal(value: int) -> None:
    head = b"\x82\x7e" + struct.pack("!H", value)
    with pytest.raises(ProtocolViolation, match="126"):
        parse_header(head, 0, len(head), False, 2**31)


@pytest.mark.parametrize(
    "value", [0, 64, 120, 125, 126, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65535]
)
def test_64bit_length_must_be_minimal(value: int) -> None:
    head = b"\x82\x7f" + struct.pack("!Q", value)
    with pytest.raises(ProtocolViolation) as info:
        parse_header(head, 0, len(head), False, 2**31)
    assert info.value.code == 1002


def test_64bit_length_with_top_bit_fails_1002_before_the_size_check() -> None:
    head = b"\x82\x7f" + struct.pack("!Q", 1 << 63 | 5)
    with pytest.raises(ProtocolViolation, match="Highest bit"):
        parse_header(head, 0, len(head), False, 10)


@pytest.mark.parametrize("claim", [2**31 - 1, 2**63 - 1])
def test_huge_length_claim_fails_1009_from_the_header_alone(claim: int) -> None:
    head = b"\x82\xff" + struct.pack("!Q", claim) + b"mask"
    with pytest.raises(TooMuchData, match="Maximum framesize exceeded.") as info:
        parse_header(head, 0, len(head), True, 2**31 - 2)
    assert info.value.code == 1009


@pytest.mark.parametrize("opcode", [0x8, 0x9, 0xA])
def test_control_frame_with_extended_length_is_1002(opcode: int) -> None:
    head = bytes((0x80 | opcode, 126)) + struct.pack("!H", 126)
    with pytest.raises(ProtocolViolation, match="125"):
        parse_header(head, 0, len(head), False, 2**31)


def test_mask_bit_rules() -> None:
    unmasked = encode_frame(1, b"a")
    masked = encode_frame(1, b"a", mask_key=b"abcd")
    with pytest.raises(ProtocolViolation, match="Unmasked frame"):
        parse_header(unmasked, 0, len(unmasked), True, 100)  # server receiving
    with pytest.raises(ProtocolViolation, match="Masked frame"):
        parse_header(masked, 0, len(masked), False, 100)  # client receiving


# -- FrameReader ----------------------------------------------------------------
frames_strategy = st.lists(
    st.one_of(
        st.builds(
            Frame,
            st.sampled_from([0, 1, 2]),
            st.binary(max_size=70000) | st.binary(max_size=200),
            st.booleans(),
        ),
        st.builds(Frame, st.sampled_from([8, 9, 10]), st.binary(max_size=125)),
    ),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(frames_strategy, st.booleans(), st.integers(1, 5000))
def test_encode_decode_round_trip_in_any_chunking(
    frames: list[Frame], masked: bool, chunk: int
) -> None:
    wire = b"".join(f.encode(new_mask_key() if masked else None) for f in frames)
    reader = FrameReader(masked=masked)
    out: list[Frame] = []
    for i in range(0, len(wire), chunk):
        out += reader.feed(wire[i : i + chunk])
    assert out == frames
    assert reader.buffered == 0


@pytest.mark.parametrize("opcode", [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF])
def test_reserved_opcodes_are_1002(opcode: int) -> None:
    assert is_reserved_opcode(opcode)
    with pytest.raises(ProtocolViolation, match="reserved opcode") as info:
        FrameReader(masked=False).feed(encode_frame(opcode, b""))
    assert info.value.code == 1002


@pytest.mark.parametrize("opcode", [0, 1, 2, 8, 9, 0xA])
def test_defined_opcodes_are_not_reserved(opcode: int) -> None:
    assert not is_reserved_opcode(opcode)


@pytest.mark.parametrize("rsv", [0x40, 0x20, 0x10])  # RSV1, RSV2 (really 0x20), RSV3
def test_rsv_bits_without_extension_are_1002(rsv: int) -> None:
    with pytest.raises(ProtocolViolation, match="Rsv field"):
        FrameReader(masked=False).feed(bytes((0x81 | rsv, 1)) + b"a")


def test_rsv1_allowed_when_an_extension_uses_it() -> None:
    [frame] = FrameReader(masked=False, allow_rsv1=True).feed(b"\xc1\x01a")
    assert frame.rsv1 and frame.opcode == 1


@pytest.mark.parametrize("opcode", [8, 9, 10])
def test_fragmented_control_frame_is_1002(opcode: int) -> None:
    with pytest.raises(ProtocolViolation, match="fragmented"):
        FrameReader(masked=False).feed(bytes((opcode, 0)))


def test_frame_reader_stays_failed() -> None:
    reader = FrameReader(masked=False)
    with pytest.raises(ProtocolViolation):
        reader.feed(b"\x83\x00")
    with pytest.raises(ProtocolViolation):
        reader.feed(encode_frame(1, b"fine"))


def test_frame_kinds() -> None:
    assert Frame(8).is_control and Frame(9).is_control and Frame(10).is_control
    assert not Frame(0).is_control and not Frame(1).is_control and not Frame(2).is_control


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.booleans())
def test_frame_reader_raises_only_protocol_errors_on_garbage(data: bytes, masked: bool) -> None:
    reader = FrameReader(masked=masked, max_frame_size=1 << 20)
    try:
        for frame in reader.feed(data):
            assert len(frame.payload) <= 1 << 20
    except WebSocketProtocolError as exc:
        assert exc.code in (1002, 1009)
    assert reader.buffered <= len(data)


# -- close codes and payloads -------------------------------------------------
VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]
IANA_CODES = [1012, 1013, 1014]  # valid here by decision (Qt rejects them)
INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 6000, 7000, 65535]


@pytest.mark.parametrize("code", VALID_CODES + IANA_CODES)
def test_valid_close_codes(code: int) -> None:
    assert is_valid_close_code(code)
    assert parse_close_payload(struct.pack("!H", code) + b"why") == (code, "why")


@pytest.mark.parametrize("code", INVALID_CODES)
def test_invalid_close_codes_are_1002(code: int) -> None:
    assert not is_valid_close_code(code)
    with pytest.raises(ProtocolViolation, match=f"Invalid close code {code} detected."):
        parse_close_payload(struct.pack("!H", code))
    if code != 1005:  # 1005 ("no status") builds an empty payload instead
        with pytest.raises(ValueError):
            build_close_payload(code, "")


def test_close_payload_edge_cases() -> None:
    assert parse_close_payload(b"") == (1005, "")  # no status code
    with pytest.raises(ProtocolViolation, match="too small"):
        parse_close_payload(b"\x03")
    with pytest.raises(InvalidPayload) as info:
        parse_close_payload(b"\x03\xe8\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80")
    assert info.value.code == 1007
    assert build_close_payload(None) == b"" == build_close_payload(1005, "ignored")


def test_qt_good_close_frame_rows() -> None:
    for n in range(124):  # reasons of 0..123 ASCII characters with code 1000
        assert parse_close_payload(b"\x03\xe8" + b"x" * n) == (1000, "x" * n)
    for c in range(126):  # a 1-character reason for every code point 0..125
        assert parse_close_payload(b"\x03\xe8" + bytes((c,))) == (1000, chr(c))


def test_overlong_close_reason_is_cut_to_123_bytes() -> None:
    payload = build_close_payload(CloseCode.CloseCodeGoingAway, "a" * 200)
    assert payload == b"\x03\xe9" + b"a" * 123
    assert encode_frame(8, payload)[:4] == bytes.fromhex("887d03e9")  # Qt's wire frame


@pytest.mark.parametrize("char", ["é", "€", "😀"])
def test_reason_is_never_cut_inside_a_character(char: str) -> None:
    payload = build_close_payload(1000, char * 100)
    reason = payload[2:].decode("utf-8")  # would raise if a character were split
    assert len(payload) <= 125
    assert len(payload[2:]) > 123 - len(char.encode())
    assert set(reason) == {char}


def test_truncate_utf8() -> None:
    assert truncate_utf8("abc", 10) == b"abc"
    assert truncate_utf8("ab€", 4) == b"ab"
    assert truncate_utf8("ab€", 5) == b"ab\xe2\x82\xac"
    assert truncate_utf8("\ud800x", 10) == b"?x"  # lone surrogate replaced, not raised


# -- enums ----------------------------------------------------------------------
def test_close_code_values_match_qt() -> None:
    expected = {
        "CloseCodeNormal": 1000,
        "CloseCodeGoingAway": 1001,
        "CloseCodeProtocolError": 1002,
        "CloseCodeDatatypeNotSupported": 1003,
        "CloseCodeReserved1004": 1004,
        "CloseCodeMissingStatusCode": 1005,
        "CloseCodeAbnormalDisconnection": 1006,
        "CloseCodeWrongDatatype": 1007,
        "CloseCodePolicyViolated": 1008,
        "CloseCodeTooMuchData": 1009,
        "CloseCodeMissingExtension": 1010,
        "CloseCodeBadOperation": 1011,
        "CloseCodeTlsHandshakeFailed": 1015,
    }
    assert {m.name: m.value for m in CloseCode} == expected


def test_version_values_match_qt() -> None:
    assert Version.VersionUnknown == -1
    assert [Version[f"Version{v}"] for v in (0, 4, 5, 6, 7, 8, 13)] == [0, 4, 5, 6, 7, 8, 13]
    assert Version.VersionLatest is Version.Version13


def test_error_types_carry_codes() -> None:
    assert ProtocolViolation("x").code == 1002
    assert InvalidPayload("x").code == 1007
    assert TooMuchData("x").code == 1009
    assert TooMuchData("why").reason == "why"
