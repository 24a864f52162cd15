"""permessage-deflate (RFC 7692): negotiation and the per-connection codec.

Negotiation works on parsed ``Sec-WebSocket-Extensions`` values, a list of
``(name, [(param, value or None), ...])`` as produced by
:func:`qtnet.codecs.ws_handshake.parse_extensions`.

* Server: :func:`negotiate_server` picks the first acceptable
  ``permessage-deflate`` offer (RFC 7692 §5.1: offers are in the client's order
  of preference); an offer with an unknown, repeated or out-of-range parameter is
  declined and the next one tried, so a bad offer costs compression, never the
  connection.
* Client: :func:`client_offer` builds the offer, :func:`accept_response` checks
  the server's answer (anything RFC 7692 forbids raises
  :class:`DeflateNegotiationError`, and the client must fail the handshake).

Window bits 8: zlib refuses to *compress* with a 256-byte raw window.  When a
peer limits our window to 8 bits we compress with a 9-bit window and the
``Z_RLE`` strategy, whose matches all have distance 1, so the stream is valid
for any window.  Decompression uses at least 9 bits because old zlib versions
silently compressed with 9 when asked for 8.

:class:`PerMessageDeflate` compresses whole messages and decompresses frame by
frame with a hard output bound, so a decompression bomb stops at the message
size limit (:class:`~qtnet.codecs.ws_frames.TooMuchData`, close 1009) without
inflating past it.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Final

from .ws_frames import InvalidPayload, TooMuchData

Buffer = bytes | bytearray | memoryview
ExtensionParams = list[tuple[str, str | None]]
ExtensionList = list[tuple[str, ExtensionParams]]

EXTENSION_NAME: Final = "permessage-deflate"
_TAIL: Final = b"\x00\x00\xff\xff"
_BITS_RE = re.compile(r"(?:[89]|1[0-5])\Z")  # RFC 7692 §7.1.2: 8-15, no leading zero
_PARAMS = frozenset(
    (
        "server_no_context_takeover",
        "client_no_context_takeover",
        "server_max_window_bits",
        "client_max_window_bits",
    )
)


class DeflateNegotiationError(Exception):
    """The peer's permessage-deflate parameters break RFC 7692."""


@dataclass(frozen=True)
class DeflateConfig:
    """What this endpoint is willing to negotiate (both sides use the same fields).

    * ``server_no_context_takeover`` / ``client_no_context_takeover``: ask for
      (client) or impose (server) a fresh compression context per message.
    * ``server_max_window_bits`` / ``client_max_window_bits``: limits (8-15) to
      request; ``None`` leaves the window at 15.  A client always advertises
      ``client_max_window_bits`` so the server may lower it.
    * ``level``, ``mem_level``: zlib settings for our compressor.
    """

    server_no_context_takeover: bool = False
    client_no_context_takeover: bool = False
    server_max_window_bits: int | None = None
    client_max_window_bits: int | None = None
    level: int = 6
    mem_level: int = 8

    def __post_init__(self) -> None:
        for bits in (self.server_max_window_bits, self.client_max_window_bits):
            if bits is not None and not 8 <= bits <= 15:
                raise ValueError("max_window_bits must be between 8 and 15")


@dataclass(frozen=True)
class DeflateParams:
    """The agreed parameters of one connection."""

    server_no_context_takeover: bool = False
    client_no_context_takeover: bool = False
    server_max_window_bits: int = 15
    client_max_window_bits: int = 15
    #: Include ``client_max_window_bits`` in the response (only when offered).
    send_client_bits: bool = False
    #: Include ``server_max_window_bits`` in the response.
    send_server_bits: bool = False

    def response_header(self) -> str:
        """The ``Sec-WebSocket-Extensions`` value the server answers with."""
        parts = [EXTENSION_NAME]
        if self.server_no_context_takeover:
            parts.append("server_no_context_takeover")
        if self.client_no_context_takeover:
            parts.append("client_no_context_takeover")
        if self.send_server_bits:
            parts.append(f"server_max_window_bits={self.server_max_window_bits}")
        if self.send_client_bits:
            parts.append(f"client_max_window_bits={self.client_max_window_bits}")
        return "; ".join(parts)


def _read_params(params: ExtensionParams) -> dict[str, str | None]:
    """Validate one offer's or response's parameters (RFC 7692 §7.1)."""
    seen: dict[str, str | None] = {}
    for name, value in params:
        key = name.lower()
        if key not in _PARAMS:
            raise DeflateNegotiationError(f"unknown parameter {name!r}")
        if key in seen:
            raise DeflateNegotiationError(f"repeated parameter {name!r}")
        if key.endswith("no_context_takeover"):
            if value is not None:
                raise DeflateNegotiationError(f"{name} takes no value")
        elif value is None:
            if key == "server_max_window_bits":
                raise DeflateNegotiationError("server_max_window_bits needs a value")
        elif not _BITS_RE.match(value):
            raise DeflateNegotiationError(f"{name}={value!r} is not 8..15")
        seen[key] = value
    return seen


def _offer_params(params: ExtensionParams, config: DeflateConfig) -> DeflateParams:
    offer = _read_params(params)
    server_bits = 15
    send_server_bits = False
    if "server_max_window_bits" in offer:  # offered: must answer with a value <= it
        server_bits = int(offer["server_max_window_bits"] or 15)
        send_server_bits = True
    if config.server_max_window_bits is not None and config.server_max_window_bits < server_bits:
        server_bits = config.server_max_window_bits
        send_server_bits = True
    client_bits = 15
    send_client_bits = False
    if "client_max_window_bits" in offer:  # only then may the response name it
        value = offer["client_max_window_bits"]
        client_bits = int(value) if value is not None else 15
        limit = config.client_max_window_bits
        if limit is not None and limit < client_bits:
            client_bits = limit
            send_client_bits = True
    return DeflateParams(
        server_no_context_takeover=(
            "server_no_context_takeover" in offer or config.server_no_context_takeover
        ),
        client_no_context_takeover=(
            "client_no_context_takeover" in offer or config.client_no_context_takeover
        ),
        server_max_window_bits=server_bits,
        client_max_window_bits=client_bits,
        send_client_bits=send_client_bits,
        send_server_bits=send_server_bits,
    )


def negotiate_server(offers: ExtensionList, config: DeflateConfig) -> DeflateParams | None:
    """The parameters to accept, or ``None`` when no offer is acceptable."""
    for name, params in offers:
        if name.lower() != EXTENSION_NAME:
            continue
        try:
            return _offer_params(params, config)
        except DeflateNegotiationError:
            continue  # decline this offer, try the client's next one
    return None


def client_offer(config: DeflateConfig) -> str:
    """The ``Sec-WebSocket-Extensions`` value a client sends."""
    parts = [EXTENSION_NAME]
    if config.server_no_context_takeover:
        parts.append("server_no_context_takeover")
    if config.client_no_context_takeover:
        parts.append("client_no_context_takeover")
    if config.server_max_window_bits is not None:
        parts.append(f"server_max_window_bits={config.server_max_window_bits}")
    if config.client_max_window_bits is not None:
        parts.append(f"client_max_window_bits={config.client_max_window_bits}")
    else:
        parts.append("client_max_window_bits")
    return "; ".join(parts)


def accept_response(response: ExtensionList, config: DeflateConfig) -> DeflateParams | None:
    """Check the server's extension answer to :func:`client_offer`.

    ``None`` when the server declined compression.  Raises
    :class:`DeflateNegotiationError` for anything the client must refuse.
    """
    if not response:
        return None
    if len(response) > 1:
        raise DeflateNegotiationError("server accepted more than one extension")
    name, params = response[0]
    if name.lower() != EXTENSION_NAME:
        raise DeflateNegotiationError(f"server accepted an extension not offered: {name}")
    got = _read_params(params)
    if config.server_no_context_takeover and "server_no_context_takeover" not in got:
        raise DeflateNegotiationError("server ignored server_no_context_takeover")
    server_bits = int(got.get("server_max_window_bits") or 15)
    if config.server_max_window_bits is not None:
        if "server_max_window_bits" not in got:
            raise DeflateNegotiationError("server ignored server_max_window_bits")
        if server_bits > config.server_max_window_bits:
            raise DeflateNegotiationError("server_max_window_bits larger than offered")
    client_bits = 15
    if "client_max_window_bits" in got:
        value = got["client_max_window_bits"]
        if value is None:
            raise DeflateNegotiationError("client_max_window_bits needs a value in a response")
        client_bits = int(value)
    if config.client_max_window_bits is not None:
        client_bits = min(client_bits, config.client_max_window_bits)
    return DeflateParams(
        server_no_context_takeover="server_no_context_takeover" in got,
        client_no_context_takeover=(
            "client_no_context_takeover" in got or config.client_no_context_takeover
        ),
        server_max_window_bits=server_bits,
        client_max_window_bits=client_bits,
    )


class PerMessageDeflate:
    """Compressor and decompressor for one connection, per RFC 7692 §7.2.

    Contexts are created lazily (an idle connection holds no zlib state) and
    dropped after each message when the agreed parameters forbid context
    takeover in that direction.
    """

    __slots__ = (
        "_compressor",
        "_decompressor",
        "_local_bits",
        "_remote_bits",
        "_local_reset",
        "_remote_reset",
        "_level",
        "_mem_level",
    )

    def __init__(
        self, params: DeflateParams, *, is_server: bool, level: int = 6, mem_level: int = 8
    ) -> None:
        if is_server:
            self._local_bits = params.server_max_window_bits
            self._remote_bits = params.client_max_window_bits
            self._local_reset = params.server_no_context_takeover
            self._remote_reset = params.client_no_context_takeover
        else:
            self._local_bits = params.client_max_window_bits
            self._remote_bits = params.server_max_window_bits
            self._local_reset = params.client_no_context_takeover
            self._remote_reset = params.server_no_context_takeover
        self._level = level
        self._mem_level = mem_level
        self._compressor: zlib._Compress | None = None
        self._decompressor: zlib._Decompress | None = None

    def compress(self, data: Buffer) -> bytes:
        """Compress one whole message; the result goes out with RSV1 set."""
        comp = self._compressor
        if comp is None:
            if self._local_bits == 8:
                comp = zlib.compressobj(self._level, zlib.DEFLATED, -9, self._mem_level, zlib.Z_RLE)
            else:
                comp = zlib.compressobj(
                    self._level, zlib.DEFLATED, -self._local_bits, self._mem_level
                )
            if not self._local_reset:
                self._compressor = comp
        out = comp.compress(data) + comp.flush(zlib.Z_SYNC_FLUSH)
        # A sync flush always ends with the empty stored block 00 00 ff ff, which
        # RFC 7692 §7.2.1 says to remove.
        return out[:-4] if out.endswith(_TAIL) else out

    def decompress(self, data: Buffer, final: bool, max_length: int) -> bytes:
        """Inflate one frame's payload of a compressed message.

        ``max_length`` is how many more bytes the message may grow by; more
        output raises :class:`TooMuchData` after inflating at most one byte past
        it.  ``final`` marks the message's last frame (the tail is restored).
        """
        dec = self._decompressor
        if dec is None:
            dec = self._decompressor = zlib.decompressobj(wbits=-max(self._remote_bits, 9))
        if final:
            data = bytes(data) + _TAIL
        try:
            # zlib treats max_length 0 as "unbounded"; +1 detects "over the limit".
            out = dec.decompress(data, max_length + 1)
        except zlib.error as exc:
            self._decompressor = None
            raise InvalidPayload(f"invalid compressed data: {exc}") from None
        if len(out) > max_length:
            self._decompressor = None
            raise TooMuchData("Received message is too big.")
        if final and self._remote_reset:
            self._decompressor = None
        return out

    def reset(self) -> None:
        """Forget both contexts (after the connection failed)."""
        self._compressor = None
        self._decompressor = None
