"""The per-message fast path of WebSocket input: one read holding exactly one message.

An echo or RPC peer with one message in flight hands the reader exactly one
whole, unfragmented, uncompressed frame per read.  :func:`take_single_message`
recognises that case with a handful of byte compares and returns the payload
(``bytes`` for binary, ``str`` for text), so the I/O layer can emit the message
signal without going through :meth:`WebSocketConnection.receive_data`'s
general loop, its event list and its event objects.

It is purely an accelerator: whenever it returns ``None`` nothing was consumed
and the caller feeds the same bytes to ``receive_data``, which applies every
rule (and reports every error).  So it answers only when the general path would
produce exactly one ``BinaryMessage``/``TextMessage`` and change no state:

* the connection holds no partial input and no fragmented message, its input is
  open and per-frame events are off (``frame_events``);
* the buffer is one frame, first byte ``0x82`` or ``0x81`` (FIN, no RSV bit, so
  also never compressed), the mask bit as this side must receive it, a 7-bit or
  16-bit length in its shortest form, and nothing after the payload;
* the length is within ``max_frame_size`` and ``max_message_size``;
* for text, the payload is valid UTF-8 (an invalid one is left to the general
  path, which fails the connection with 1007).

Larger frames (64-bit length) gain nothing from it and are left alone.
"""

from __future__ import annotations

from .ws_frames import apply_mask
from .ws_protocol import WebSocketConnection

__all__ = ["take_single_message"]

_FIN_TEXT = 0x81
_FIN_BINARY = 0x82
# Second byte: mask bit + 7-bit length; 0xFE (mask + 126) announces a 16-bit length.
_MASKED_LEN16 = 0xFE
_LEN16 = 0x7E


def take_single_message(conn: WebSocketConnection, data: bytes) -> bytes | str | None:
    """The message ``data`` holds if it is exactly one simple frame, else ``None``.

    ``data`` is what one read returned (``bytes``); see the module docstring
    for when the answer is not ``None`` (and why ``None`` is always safe).
    """
    n = len(data)
    if n < 2 or type(data) is not bytes:  # the payload type must be exactly bytes
        return None
    b0 = data[0]
    if b0 != _FIN_BINARY and b0 != _FIN_TEXT:
        return None
    # Private state of the core, read-only: the cheapest "no pending input" test.
    if conn._buf or conn._msg_opcode or conn._input_closed or conn.frame_events:
        return None
    b1 = data[1]
    if conn.is_server:
        # Client frames are masked: header 6 (7-bit length) or 8 (16-bit) bytes.
        if b1 < _MASKED_LEN16:
            length = b1 - 0x80  # negative when the mask bit is missing
            if length < 0 or n != length + 6:
                return None
            payload = apply_mask(data[6:], data[2:6]) if length else b""
        elif b1 == _MASKED_LEN16:
            if n < 8:
                return None
            length = (data[2] << 8) | data[3]
            if length < 126 or n != length + 8:
                return None
            payload = apply_mask(data[8:], data[4:8])
        else:
            return None
    else:
        # Server frames are unmasked: header 2 or 4 bytes.
        if b1 < _LEN16:
            length = b1
            if n != length + 2:
                return None
            payload = data[2:]
        elif b1 == _LEN16:
            if n < 4:
                return None
            length = (data[2] << 8) | data[3]
            if length < 126 or n != length + 4:
                return None
            payload = data[4:]
        else:
            return None
    if length > conn.max_frame_size or length > conn.max_message_size:
        return None
    if b0 == _FIN_BINARY:
        return payload
    try:
        return payload.decode()
    except UnicodeDecodeError:
        return None
