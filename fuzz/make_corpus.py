"""Writes the seed corpus (fuzz/corpus/<target>/seed-*) from the codecs' own
encoders, so each target starts from well-formed inputs that reach deep states.

Run once after changing a target's input layout: ``python fuzz/make_corpus.py``.
The files are small (a few KB at most) and kept in the repo.
"""

from __future__ import annotations

import hashlib
import os
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))

from qtnet.codecs.datastream import MetaType, Variant, Writer  # noqa: E402
from qtnet.codecs.datastream_types import HostAddressWire  # noqa: E402
from qtnet.codecs.ws_deflate import DeflateConfig, DeflateParams, client_offer  # noqa: E402
from qtnet.codecs.ws_handshake import (  # noqa: E402
    ServerHandshake,
    accept,
    build_request,
)


def _write(target: str, blobs: list[bytes]) -> None:
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    for blob in blobs:
        name = "seed-" + hashlib.sha1(blob).hexdigest()[:16]
        with open(os.path.join(folder, name), "wb") as f:
            f.write(blob)


def datastream_seeds() -> list[bytes]:
    # Layout (see fuzz_datastream.check): version-1, byte order, precision,
    # transaction flag, op count-1, ops..., stream bytes.
    variant_op = 18
    values = [
        Variant(MetaType.Int, -5), Variant(MetaType.LongLong, 1 << 40),
        Variant(MetaType.Double, 1.5), Variant(MetaType.QString, "h\u00e9llo"),
        Variant(MetaType.QByteArray, b"\x00\xff"), Variant(MetaType.QStringList, ["a", None]),
        Variant(MetaType.QVariantList, [Variant(MetaType.Bool, True)]),
        Variant(MetaType.QVariantMap, {"k": Variant(MetaType.UInt, 7)}),
    ]
    seeds = []
    for version in (1, 6, 12, 17, 21, 22, 24):
        for order in (0, 1):
            w = Writer(version=version, byte_order=order)
            for v in values:
                w.write_variant(v)
            head = bytes([version - 1, order, 0, version & 1, len(values) - 1])
            seeds.append(head + bytes([variant_op] * len(values)) + bytes(w.buffer))
    w = Writer(version=21)
    w.write_qstring("x")
    w.write_host_address(HostAddressWire(1, ipv6=b"\x00" * 15 + b"\x01", scope_id="eth0"))
    w.write_u32(0x7FFFFFFF)  # a huge size prefix with nothing behind it
    seeds.append(bytes([20, 0, 0, 1, 2, 16, 19, 15]) + bytes(w.buffer))
    return seeds


def ws_protocol_seeds() -> list[bytes]:
    # Layout: scripted flag, side flag, deflate flag [+4 param bytes], frame
    # limit, message limit, frame_events flag, script..., chunk sizes.
    seeds = []
    script = bytes([0, 200, 0, 0, 50]) + b"binary-payload!!"  # one binary message
    script += bytes([1, 100, 0, 0, 7]) + "t\u00e9xt".encode()[:16].ljust(16, b"-")
    script += bytes([2, 4]) + b"ping"
    script += bytes([4, 0])  # close 1000
    for side in (0, 1):
        for deflate in (b"\x00", b"\x01\x00\x01\x05\x07"):
            for limits in (b"\x03\x04", b"\x01\x01", b"\x02\x02"):
                seeds.append(b"\x01" + bytes([side]) + deflate + limits + b"\x00" +
                             bytes([3]) + script + b"\x00\x00\x00" + bytes([3, 5, 7, 0]))
    # Raw frames: a masked text frame, a 2^63 length, a 64-bit length, a ping.
    raw = [
        b"\x81\x85\x00\x00\x00\x00hello",
        b"\x82\xff\x80\x00\x00\x00\x00\x00\x00\x00",
        b"\x82\xff\x00\x00\x00\x00\x80\x00\x00\x00\x00\x00\x00\x00",
        b"\x89\x80\x01\x02\x03\x04\x88\x82\x00\x00\x00\x00\x03\xe8",
        b"\xc1\x87\x00\x00\x00\x00" + zlib.compress(b"hello")[2:9],
    ]
    for frame in raw:
        seeds.append(b"\x00\x01\x00\x03\x04\x00" + frame)
    return seeds


def ws_handshake_seeds() -> list[bytes]:
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    request = build_request(
        host="127.0.0.1:1234", resource="/chat?x=1", key=key, origin="http://o",
        protocols=["chat", "superchat"], extensions=client_offer(DeflateConfig()),
    )
    seeds = [b"\x00\x00" + bytes([3, 40, 9, 0, 0, 0, 0, 0]) + request]
    seeds.append(b"\x00\x01" + bytes(8) + request)
    parsed = ServerHandshake().receive_data(request)
    assert parsed is not None
    reply, _ = accept(parsed, subprotocols=["chat"], deflate=DeflateConfig(), date="x")
    seeds.append(b"\x01\x01\x01" + reply)
    seeds.append(b"\x01\x00\x00HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 8\r\n\r\n")
    seeds.append(b"\x02" + b"0123456789abcdef" + b"\x05host1\x04/abc\x08http://o" +
                 b"\x02\x04chat\x03x y")
    seeds.append(b"\x00\x01" + bytes(8) + b"GET / HTTP/1.1\r\n" + b"X: " + b"a" * 300 + b"\r\n")
    return seeds


def ws_deflate_seeds() -> list[bytes]:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = comp.compress(b"\x00" * 200_000) + comp.flush(zlib.Z_SYNC_FLUSH)
    seeds = [b"\x00\x00\x00\x07\x07\x00\x03" + bytes([200, 200, 0]) + bomb[:-4]]
    seeds.append(b"\x01\x00\x01\x03\x05\x01\x05\x09" + bytes([40, 0]) + b"\x10abcdefgh" +
                 b"\x00\x00" + bytes([50, 50, 0]))
    offer = client_offer(DeflateConfig(client_no_context_takeover=True, server_max_window_bits=10))
    seeds.append(b"\x02\x01\x00\x01\x02" + offer.encode())
    seeds.append(b"\x02\x00\x00\x00\x00" + DeflateParams(send_client_bits=True)
                 .response_header().encode())
    return seeds


def main() -> None:
    _write("datastream", datastream_seeds())
    _write("ws_protocol", ws_protocol_seeds())
    _write("ws_handshake", ws_handshake_seeds())
    _write("ws_deflate", ws_deflate_seeds())


if __name__ == "__main__":
    main()
