"""Fuzz target: the permessage-deflate path (``qtnet.codecs.ws_deflate``).

Modes (first byte):

* inflate: arbitrary bytes as compressed frame payloads, with a fuzzer-chosen
  output limit; output never exceeds the limit (a decompression bomb costs at
  most ``max_length + 1`` bytes), and only ``InvalidPayload`` / ``TooMuchData``
  escape;
* round trip: messages compressed by one side's ``PerMessageDeflate`` inflate
  to the same bytes on the other side, for every parameter combination
  (context takeover on/off, window bits 8-15), split across frames anywhere;
* negotiation: arbitrary ``Sec-WebSocket-Extensions`` text through
  ``parse_extensions`` / ``negotiate_server`` / ``accept_response``: only
  ``ValueError`` / ``DeflateNegotiationError``; an accepted offer's response
  header is accepted by a client that made that offer.

Run: ``python fuzz/fuzz_ws_deflate.py fuzz/corpus/ws_deflate -max_total_time=600``.
"""

from __future__ import annotations

import os
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fuzzbytes import FuzzBytes, instrumented, run_fuzzer  # noqa: E402

# Coverage instrumentation only for qtnet, and only when fuzzing (not under pytest).
with instrumented(__name__ == "__main__"):
    from qtnet.codecs.ws_deflate import (  # noqa: E402
        DeflateConfig,
        DeflateNegotiationError,
        DeflateParams,
        PerMessageDeflate,
        accept_response,
        client_offer,
        negotiate_server,
    )
    from qtnet.codecs.ws_frames import InvalidPayload, TooMuchData  # noqa: E402
    from qtnet.codecs.ws_http import parse_extensions  # noqa: E402


def _params(fb: FuzzBytes) -> DeflateParams:
    return DeflateParams(
        server_no_context_takeover=fb.flag(),
        client_no_context_takeover=fb.flag(),
        server_max_window_bits=fb.int_in(8, 15),
        client_max_window_bits=fb.int_in(8, 15),
    )


def _check_inflate(fb: FuzzBytes) -> None:
    inflater = PerMessageDeflate(_params(fb), is_server=fb.flag())
    limit = (0, 1, 100, 4096, 1 << 20)[fb.byte() % 5]
    frames = fb.chunks(fb.rest())
    total = 0
    for i, frame in enumerate(frames):
        final = i == len(frames) - 1
        try:
            out = inflater.decompress(frame, final, limit - total)
        except (InvalidPayload, TooMuchData):
            return
        total += len(out)
        assert total <= limit, (total, limit)


def _check_round_trip(fb: FuzzBytes) -> None:
    params = _params(fb)
    server = PerMessageDeflate(params, is_server=True, level=fb.int_in(0, 9))
    client = PerMessageDeflate(params, is_server=False, level=fb.int_in(0, 9))
    for _ in range(fb.int_in(1, 4)):
        sender, receiver = (server, client) if fb.flag() else (client, server)
        size = fb.int_in(0, 20000)
        unit = fb.take(fb.int_in(1, 32)) or b"\x00"
        message = (unit * (size // len(unit) + 1))[:size]
        wire = sender.compress(message)
        parts = fb.chunks(wire) or [b""]
        got = b""
        for i, part in enumerate(parts):
            got += receiver.decompress(part, i == len(parts) - 1, size - len(got))
        assert got == message, (len(got), len(message))
        # A bomb: the same message against a limit one byte short fails with 1009.
        if size:
            probe = PerMessageDeflate(params, is_server=receiver is server)
            try:
                probe.decompress(PerMessageDeflate(params, is_server=sender is server)
                                 .compress(message), True, size - 1)
            except TooMuchData:
                pass
            else:
                raise AssertionError("output over the limit was accepted")


def _check_negotiation(fb: FuzzBytes) -> None:
    config = DeflateConfig(
        server_no_context_takeover=fb.flag(),
        client_no_context_takeover=fb.flag(),
        server_max_window_bits=(None, 8, 10, 15)[fb.byte() % 4],
        client_max_window_bits=(None, 9, 12, 15)[fb.byte() % 4],
    )
    text = fb.rest().decode("latin-1")
    try:
        offers = parse_extensions(text)
    except ValueError:
        return
    params = negotiate_server(offers, config)
    try:
        accept_response(offers, config)  # the same text as if a server had sent it
    except DeflateNegotiationError:
        pass
    if params is not None:
        header = params.response_header()
        agreed = parse_extensions(header)
        assert agreed and agreed[0][0] == "permessage-deflate", header
    # A client's own offer is always acceptable to a default server, and the
    # server's answer to it is accepted by that client.
    offer = parse_extensions(client_offer(config))
    answer = negotiate_server(offer, DeflateConfig())
    assert answer is not None
    accept_response(parse_extensions(answer.response_header()), config)


def check(data: bytes) -> None:
    fb = FuzzBytes(data)
    mode = fb.byte() % 3
    try:
        if mode == 0:
            _check_inflate(fb)
        elif mode == 1:
            _check_round_trip(fb)
        else:
            _check_negotiation(fb)
    except zlib.error as exc:  # must have been mapped to InvalidPayload
        raise AssertionError(f"raw zlib.error escaped: {exc}") from exc


if __name__ == "__main__":
    run_fuzzer(check)
