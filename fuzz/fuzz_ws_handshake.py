"""Fuzz target: the WebSocket opening-handshake parsers
(``qtnet.codecs.ws_handshake.ServerHandshake`` / ``ClientHandshake`` and the
header helpers of ``ws_http``).

The first byte picks the mode:

* server: arbitrary bytes, in fuzzer-chosen chunks, as a client's request;
* client: arbitrary bytes as a server's reply to a known key;
* round trip: a request built by ``build_request`` from fuzzer-chosen fields.

Invariants:

* only ``HandshakeError`` (with a close code 1002/1009) ever escapes a parser;
* buffered input never exceeds the configured ``max_total`` (1 MB of headers
  costs at most ``max_total`` bytes of memory), and an over-long head fails;
* a request the server accepts gets a 101 reply that a ``ClientHandshake``
  with the same key and protocols accepts (same subprotocol); a request built by
  ``build_request`` is accepted with the same host, key, origin and protocols;
* splitting the input into chunks never changes the outcome (accepted, the
  same request, or refused; the close code of a refusal may differ, see below).

Run: ``python fuzz/fuzz_ws_handshake.py fuzz/corpus/ws_handshake -max_total_time=600``.
"""

from __future__ import annotations

import base64
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fuzzbytes import FuzzBytes, instrumented, run_fuzzer  # noqa: E402

# Coverage instrumentation only for qtnet, and only when fuzzing (not under pytest).
with instrumented(__name__ == "__main__"):
    from qtnet.codecs.ws_deflate import DeflateConfig  # noqa: E402
    from qtnet.codecs.ws_handshake import (  # noqa: E402
        ClientHandshake,
        HandshakeError,
        HandshakeRequest,
        HandshakeResponse,
        ServerHandshake,
        accept,
        build_request,
        is_valid_subprotocol_name,
    )

_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
_LIMITS = ((8192, 100, 65536), (64, 8, 256), (200, 20, 1024))


def _outcome(parser: ServerHandshake | ClientHandshake, chunks: list[bytes]) -> object:
    max_total = parser._reader.max_total
    for chunk in chunks:
        try:
            got = parser.receive_data(chunk)
        except HandshakeError as exc:
            assert exc.code in (1002, 1009), exc.code
            return ("error", exc.message, exc.code)
        assert len(parser._reader._buf) <= max_total, len(parser._reader._buf)
        if got is not None:
            return got
    return None


def _server_round_trip(request: HandshakeRequest, fb: FuzzBytes) -> None:
    # A server application only lists valid names (a client drops invalid ones
    # from its offer, so it would refuse a server that picked one).
    supported = [p for p in request.protocols if fb.flag() and is_valid_subprotocol_name(p)]
    deflate = DeflateConfig() if fb.flag() else None
    reply, agreed = accept(request, subprotocols=supported, deflate=deflate)
    client = ClientHandshake(request.key, protocols=request.protocols, deflate=None)
    response = client.receive_data(reply)
    assert isinstance(response, HandshakeResponse) and response.status == 101
    if agreed.deflate is None:
        result = client.check(response)
        assert result.subprotocol == agreed.subprotocol


def _check_server(fb: FuzzBytes) -> None:
    max_line, max_headers, max_total = _LIMITS[fb.byte() % len(_LIMITS)]
    chunker_seed = fb.take(8)
    payload = fb.rest()
    whole = _outcome(ServerHandshake(max_line=max_line, max_headers=max_headers,
                                     max_total=max_total), [payload])
    chunks = FuzzBytes(chunker_seed).chunks(payload)
    parts = _outcome(ServerHandshake(max_line=max_line, max_headers=max_headers,
                                     max_total=max_total), chunks)
    if isinstance(whole, tuple) and isinstance(parts, tuple):
        # Both refused.  Which limit trips first may depend on segmentation: a
        # line over max_line seen whole (1002) can arrive as chunks that first
        # pass max_total (1009 "Header is too large.").  Both close the connection.
        assert {whole[2], parts[2]} <= {1002, 1009}, (whole, parts)
    else:
        assert repr(whole) == repr(parts), (whole, parts)  # (Headers has no __eq__)
    if isinstance(whole, HandshakeRequest):
        _server_round_trip(whole, FuzzBytes(chunker_seed))


def _check_client(fb: FuzzBytes) -> None:
    protocols = ["chat", "superchat"] if fb.flag() else []
    deflate = DeflateConfig() if fb.flag() else None
    payload = fb.rest()
    client = ClientHandshake(_KEY, protocols=protocols, deflate=deflate)
    response = _outcome(client, [payload])
    if isinstance(response, HandshakeResponse):
        try:
            client.check(response)
        except HandshakeError as exc:
            assert exc.code in (1002, 1009, 1010), exc.code


def _text(fb: FuzzBytes, n: int) -> str:
    return fb.take(fb.int_in(0, n)).decode("latin-1")


def _check_round_trip(fb: FuzzBytes) -> None:
    key = base64.b64encode(fb.take(16).ljust(16, b"\x00")).decode()
    host = _text(fb, 30)
    resource = "/" + _text(fb, 30)
    origin = _text(fb, 30)
    protocols = [_text(fb, 10) for _ in range(fb.int_in(0, 3))]
    try:
        raw = build_request(host=host, resource=resource, key=key, origin=origin,
                            protocols=protocols)
    except ValueError:
        assert any("\r" in t or "\n" in t for t in (host, resource, origin))
        return
    result = _outcome(ServerHandshake(), [raw])
    if isinstance(result, HandshakeRequest):
        assert result.key == key and result.origin == origin.strip(" \t"), (result, origin)
        assert result.protocols == [p for p in protocols if is_valid_subprotocol_name(p)]
        _server_round_trip(result, fb)
    else:
        # Only a host, resource or origin outside HTTP's grammar may be refused.
        assert isinstance(result, tuple) and result[0] == "error", result


def check(data: bytes) -> None:
    fb = FuzzBytes(data)
    mode = fb.byte() % 3
    if mode == 0:
        _check_server(fb)
    elif mode == 1:
        _check_client(fb)
    else:
        _check_round_trip(fb)


if __name__ == "__main__":
    run_fuzzer(check)
