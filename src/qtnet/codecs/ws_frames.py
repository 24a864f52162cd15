"""WebSocket frames (RFC 6455 §5): opcodes, close codes, masking, frame encode/decode.

Sans-I/O: functions over ``bytes``; no sockets.  The connection state machine in
:mod:`.ws_protocol` inlines the hot path of :func:`parse_header` but shares the
checks and the error types defined here.

Errors are types, each carrying the close code the connection must send:
:class:`ProtocolViolation` (1002), :class:`InvalidPayload` (1007),
:class:`TooMuchData` (1009).  Parsing untrusted bytes raises nothing else.

Close codes valid on the wire (decision, differs from Qt on purpose): 1000-1003,
1007-1014 and 3000-4999.  1012-1014 are registered in the IANA "WebSocket Close
Code Number Registry" (Service Restart, Try Again Later, Bad Gateway), servers
send them, and the current Autobahn testsuite counts them valid; Qt rejects them
(its table predates the registrations).  1004-1006 and 1015 are reserved and must
never appear in a close frame (RFC 6455 §7.4.1); 1016-2999 are unassigned and
everything below 1000 or above 4999 is outside the code space.

Masking: :func:`apply_mask` uses ``websockets.speedups.apply_mask`` when that C
helper is importable (optional, like uvloop; set ``QTNET_WS_PURE_MASK=1`` to
disable it), otherwise :func:`mask_pure`, which XORs small payloads as one big
integer and large ones with four strided ``bytes.translate`` passes (measured as
the fastest pure-Python methods; see bench/bench_ws_codec.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Final, cast

Buffer = bytes | bytearray | memoryview

# -- opcodes ------------------------------------------------------------------
OP_CONTINUATION: Final = 0x0
OP_TEXT: Final = 0x1
OP_BINARY: Final = 0x2
OP_CLOSE: Final = 0x8
OP_PING: Final = 0x9
OP_PONG: Final = 0xA

FIN: Final = 0x80
RSV1: Final = 0x40
RSV2: Final = 0x20
RSV3: Final = 0x10
MASK_BIT: Final = 0x80

MAX_CONTROL_PAYLOAD: Final = 125
#: A close reason may use what is left of a control payload after the 2-byte code.
MAX_CLOSE_REASON_BYTES: Final = MAX_CONTROL_PAYLOAD - 2


class Opcode(IntEnum):
    """The opcodes RFC 6455 defines; 0x3-0x7 and 0xB-0xF are reserved."""

    CONTINUATION = OP_CONTINUATION
    TEXT = OP_TEXT
    BINARY = OP_BINARY
    CLOSE = OP_CLOSE
    PING = OP_PING
    PONG = OP_PONG


def is_reserved_opcode(opcode: int) -> bool:
    """True for the opcodes RFC 6455 reserves for future use (3-7, B-F)."""
    return 3 <= opcode <= 7 or opcode >= 0xB


# -- close codes --------------------------------------------------------------
class CloseCode(IntEnum):
    """``QWebSocketProtocol::CloseCode`` with Qt's names and values.

    The Qt layer re-exports this enum; 1012-1014 are not part of Qt's enum, see
    the ``CLOSE_*`` constants below.
    """

    CloseCodeNormal = 1000
    CloseCodeGoingAway = 1001
    CloseCodeProtocolError = 1002
    CloseCodeDatatypeNotSupported = 1003
    CloseCodeReserved1004 = 1004
    CloseCodeMissingStatusCode = 1005
    CloseCodeAbnormalDisconnection = 1006
    CloseCodeWrongDatatype = 1007
    CloseCodePolicyViolated = 1008
    CloseCodeTooMuchData = 1009
    CloseCodeMissingExtension = 1010
    CloseCodeBadOperation = 1011
    CloseCodeTlsHandshakeFailed = 1015


CLOSE_NORMAL: Final = 1000
CLOSE_GOING_AWAY: Final = 1001
CLOSE_PROTOCOL_ERROR: Final = 1002
CLOSE_NO_STATUS: Final = 1005
CLOSE_ABNORMAL: Final = 1006
CLOSE_INVALID_DATA: Final = 1007
CLOSE_TOO_MUCH_DATA: Final = 1009
CLOSE_SERVICE_RESTART: Final = 1012  # IANA registry, not in Qt's enum
CLOSE_TRY_AGAIN_LATER: Final = 1013  # IANA registry, not in Qt's enum
CLOSE_BAD_GATEWAY: Final = 1014  # IANA registry, not in Qt's enum


class Version(IntEnum):
    """``QWebSocketProtocol::Version`` with Qt's names and values."""

    VersionUnknown = -1
    Version0 = 0
    Version4 = 4
    Version5 = 5
    Version6 = 6
    Version7 = 7
    Version8 = 8
    Version13 = 13
    VersionLatest = 13  # an alias of Version13, as in Qt


def is_valid_close_code(code: int) -> bool:
    """May ``code`` appear in a close frame?  (See the module docstring.)"""
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999


# -- errors -------------------------------------------------------------------
class WebSocketProtocolError(Exception):
    """The peer broke RFC 6455; ``code`` is the close code to fail the connection with."""

    code: int = CLOSE_PROTOCOL_ERROR

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProtocolViolation(WebSocketProtocolError):
    """Framing or state error: close code 1002."""

    code = CLOSE_PROTOCOL_ERROR


class InvalidPayload(WebSocketProtocolError):
    """Text or close reason that is not UTF-8, or corrupt compressed data: 1007."""

    code = CLOSE_INVALID_DATA


class TooMuchData(WebSocketProtocolError):
    """A frame or message larger than the configured limit: 1009."""

    code = CLOSE_TOO_MUCH_DATA


# -- masking ------------------------------------------------------------------
# Up to this size one big-integer XOR is fastest; above it the strided translate
# wins (crossover measured at about 2 KiB on CPython 3.11, x86-64).
_INT_XOR_MAX: Final = 2048
_XOR_TABLES: list[bytes | None] = [None] * 256


def _xor_table(k: int) -> bytes:
    table = _XOR_TABLES[k]
    if table is None:
        table = _XOR_TABLES[k] = bytes(b ^ k for b in range(256))
    return table


def mask_pure(data: Buffer, key: bytes) -> bytes:
    """XOR ``data`` with the 4-byte masking ``key`` repeated (RFC 6455 §5.3)."""
    n = len(data)
    if n <= _INT_XOR_MAX:
        stream = (key * ((n >> 2) + 1))[:n]
        return (int.from_bytes(data, "little") ^ int.from_bytes(stream, "little")).to_bytes(
            n, "little"
        )
    buf = bytearray(data)
    # Four lanes: byte i is XORed with key[i % 4], so each lane is one translate.
    buf[0::4] = buf[0::4].translate(_xor_table(key[0]))
    buf[1::4] = buf[1::4].translate(_xor_table(key[1]))
    buf[2::4] = buf[2::4].translate(_xor_table(key[2]))
    buf[3::4] = buf[3::4].translate(_xor_table(key[3]))
    return bytes(buf)


def _load_speedup() -> Callable[[Buffer, bytes], bytes] | None:
    if os.environ.get("QTNET_WS_PURE_MASK"):
        return None
    try:
        from websockets.speedups import apply_mask as c_apply_mask  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    # Verify before trusting it (tst_validMasks' vector).
    probe = c_apply_mask(b"abcdefghi", b"\x12\x34\x56\x78")
    if bytes(probe) != bytes.fromhex("7356351c775231107b"):
        return None
    return cast("Callable[[Buffer, bytes], bytes]", c_apply_mask)


_speedup = _load_speedup()
#: ``apply_mask(data, key) -> bytes``: the fastest masking available here.
apply_mask: Callable[[Buffer, bytes], bytes] = _speedup if _speedup is not None else mask_pure
#: Which implementation :func:`apply_mask` is: ``"websockets.speedups"`` or ``"pure"``.
MASK_IMPLEMENTATION: Final = "websockets.speedups" if _speedup is not None else "pure"

# Masking keys come from the OS CSPRNG (RFC 6455 §5.3 wants unpredictable keys);
# one getrandom() call serves 256 frames instead of one syscall per frame.
_key_pool = b""
_key_pos = 0


def new_mask_key() -> bytes:
    """Return 4 fresh random bytes for a client frame's masking key."""
    global _key_pool, _key_pos
    pos = _key_pos
    if pos >= len(_key_pool):
        _key_pool = os.urandom(1024)
        pos = 0
    _key_pos = pos + 4
    return _key_pool[pos : pos + 4]


# -- encoding -----------------------------------------------------------------
def encode_header(first_byte: int, length: int, mask_key: bytes | None = None) -> bytes:
    """The frame header for ``length`` payload bytes (shortest length form)."""
    if length < 126:
        head = bytes((first_byte, length | (MASK_BIT if mask_key else 0)))
    elif length < 0x10000:
        head = bytes((first_byte, 126 | (MASK_BIT if mask_key else 0))) + length.to_bytes(2, "big")
    else:
        head = bytes((first_byte, 127 | (MASK_BIT if mask_key else 0))) + length.to_bytes(8, "big")
    return head + mask_key if mask_key else head


def encode_frame(
    opcode: int,
    payload: Buffer = b"",
    *,
    fin: bool = True,
    rsv1: bool = False,
    mask_key: bytes | None = None,
) -> bytes:
    """One complete frame.  ``mask_key`` (4 bytes) masks it, as a client must."""
    first = (FIN if fin else 0) | (RSV1 if rsv1 else 0) | opcode
    head = encode_header(first, len(payload), mask_key)
    if mask_key:
        return head + apply_mask(payload, mask_key)
    return head + payload


# -- decoding -----------------------------------------------------------------
def parse_header(
    buf: Buffer, pos: int, end: int, masked: bool, max_size: int
) -> tuple[int, int, bytes | None] | None:
    """Decode the header of the frame at ``buf[pos:end]``.

    Returns ``(payload_start, payload_length, mask_key)``, or ``None`` when the
    header is not complete yet.  Checks everything the header alone decides: the
    shortest length form, the 64-bit length's top bit, control frames' 125-byte
    limit, the mask bit (``masked`` is what this side must receive) and
    ``max_size``, so an absurd length fails before any payload is buffered.
    Opcode and RSV bits are left to the caller (they depend on extensions).
    """
    if end - pos < 2:
        return None
    b0 = buf[pos]
    b1 = buf[pos + 1]
    length = b1 & 0x7F
    start = pos + 2
    if length >= 126:
        if b0 & 0x08:
            raise ProtocolViolation("Control frame is larger than 125 bytes")
        if length == 126:
            if end - start < 2:
                return None
            length = int.from_bytes(buf[start : start + 2], "big")
            start += 2
            if length < 126:
                raise ProtocolViolation("Lengths smaller than 126 must be expressed as one byte.")
        else:
            if end - start < 8:
                return None
            length = int.from_bytes(buf[start : start + 8], "big")
            start += 8
            if length >> 63:
                raise ProtocolViolation("Highest bit of payload length is not 0.")
            if length < 0x10000:
                raise ProtocolViolation(
                    "Lengths smaller than 65536 (2^16) must be expressed as 2 bytes."
                )
    if bool(b1 & MASK_BIT) is not masked:
        raise ProtocolViolation(
            "Unmasked frame received from a client." if masked
            else "Masked frame received from a server."
        )
    if length > max_size:
        raise TooMuchData("Maximum framesize exceeded.")
    if masked:
        if end - start < 4:
            return None
        return start + 4, length, bytes(buf[start : start + 4])
    return start, length, None


@dataclass(frozen=True)
class Frame:
    """One decoded frame (payload already unmasked)."""

    opcode: int
    payload: bytes = b""
    fin: bool = True
    rsv1: bool = False
    rsv2: bool = False
    rsv3: bool = False

    @property
    def is_control(self) -> bool:
        return self.opcode >= 0x8

    def encode(self, mask_key: bytes | None = None) -> bytes:
        first = (
            (FIN if self.fin else 0)
            | (RSV1 if self.rsv1 else 0)
            | (RSV2 if self.rsv2 else 0)
            | (RSV3 if self.rsv3 else 0)
            | self.opcode
        )
        head = encode_header(first, len(self.payload), mask_key)
        return head + (apply_mask(self.payload, mask_key) if mask_key else self.payload)


class FrameReader:
    """Incremental frame decoder: ``feed(bytes)`` returns the complete frames.

    Checks one frame at a time (header rules, reserved opcodes, RSV bits unless
    ``allow_rsv1``, control frames unfragmented); message-level rules
    (continuations, UTF-8, limits across fragments) belong to
    :class:`~qtnet.codecs.ws_protocol.WebSocketConnection`.  After an error the
    reader stays failed and raises the same error again.
    """

    def __init__(
        self, *, masked: bool, max_frame_size: int = 2**31 - 2, allow_rsv1: bool = False
    ) -> None:
        self.masked = masked
        self.max_frame_size = max_frame_size
        self.allow_rsv1 = allow_rsv1
        self._buf = bytearray()
        self._error: WebSocketProtocolError | None = None

    @property
    def buffered(self) -> int:
        """Bytes held back as an incomplete frame."""
        return len(self._buf)

    def feed(self, data: Buffer) -> list[Frame]:
        if self._error is not None:
            raise self._error
        buf = self._buf
        buf += data
        frames: list[Frame] = []
        pos = 0
        end = len(buf)
        try:
            while True:
                head = parse_header(buf, pos, end, self.masked, self.max_frame_size)
                if head is None:
                    break
                start, length, key = head
                stop = start + length
                if stop > end:
                    break
                frames.append(self._check(buf[pos], buf[start:stop], key))
                pos = stop
        except WebSocketProtocolError as exc:
            self._error = exc
            raise
        finally:
            del buf[:pos]
        return frames

    def _check(self, b0: int, raw: bytearray, key: bytes | None) -> Frame:
        opcode = b0 & 0x0F
        if is_reserved_opcode(opcode):
            raise ProtocolViolation("Used reserved opcode")
        if b0 & (RSV2 | RSV3) or (b0 & RSV1 and not self.allow_rsv1):
            raise ProtocolViolation("Rsv field is non-zero")
        if opcode >= 0x8 and not b0 & FIN:
            raise ProtocolViolation("Control frames cannot be fragmented")
        payload = apply_mask(raw, key) if key else bytes(raw)
        return Frame(
            opcode, bytes(payload), bool(b0 & FIN), bool(b0 & RSV1), bool(b0 & RSV2),
            bool(b0 & RSV3),
        )


# -- close frame payload ------------------------------------------------------
def truncate_utf8(text: str, limit: int) -> bytes:
    """``text`` as UTF-8, cut to at most ``limit`` bytes on a character boundary.

    (Qt cuts the bytes wherever 123 falls, which can split a character and make
    the peer fail the connection with 1007; we never split one.)
    """
    raw = text.encode("utf-8", "replace")  # a lone surrogate becomes "?"
    if len(raw) <= limit:
        return raw
    cut = limit
    while cut > 0 and (raw[cut] & 0xC0) == 0x80:  # back up over continuation bytes
        cut -= 1
    return raw[:cut]


def build_close_payload(code: int | None = CLOSE_NORMAL, reason: str = "") -> bytes:
    """Payload of a close frame: 2-byte code plus a reason cut to 123 bytes.

    ``code=None`` (or 1005, "no status") gives an empty payload.  Codes that may
    not be sent raise ``ValueError``.
    """
    if code is None or code == CLOSE_NO_STATUS:
        return b""
    if not is_valid_close_code(code):
        raise ValueError(f"close code {code} may not be sent in a close frame")
    return code.to_bytes(2, "big") + truncate_utf8(reason, MAX_CLOSE_REASON_BYTES)


def parse_close_payload(payload: Buffer) -> tuple[int, str]:
    """``(code, reason)`` from a received close payload.

    An empty payload means "no status code" (1005; Qt's ``closeCode()`` shows
    1000 for it, the Qt layer maps that).
    """
    n = len(payload)
    if n == 0:
        return CLOSE_NO_STATUS, ""
    if n == 1:
        raise ProtocolViolation("Payload of close frame is too small.")
    code = (payload[0] << 8) | payload[1]
    if not is_valid_close_code(code):
        raise ProtocolViolation(f"Invalid close code {code} detected.")
    try:
        reason = bytes(payload[2:]).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidPayload("Invalid UTF-8 code encountered.") from None
    return code, reason
