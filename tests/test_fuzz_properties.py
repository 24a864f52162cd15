"""Property tests (hypothesis) for the hostile-input parsers, driving the same
invariant checks as the atheris targets in fuzz/ (see each target's docstring):
the QDataStream decoder, the WebSocket frame parser and state machine, the
opening-handshake parsers and the permessage-deflate path.

Also replays every seed in fuzz/corpus/ (and anything copied there from a
fuzzing run), so an input that once crashed stays a regression test.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ_DIR = Path(__file__).resolve().parent.parent / "fuzz"
TARGETS = ["datastream", "ws_protocol", "ws_handshake", "ws_deflate"]

_PROPS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _target(name: str) -> ModuleType:
    if str(FUZZ_DIR) not in sys.path:
        sys.path.insert(0, str(FUZZ_DIR))
    return importlib.import_module(f"fuzz_{name}")


def _corpus() -> list[tuple[str, Path]]:
    return [
        (name, path)
        for name in TARGETS
        for path in sorted((FUZZ_DIR / "corpus" / name).iterdir())
    ]


def test_every_target_has_a_seed_corpus() -> None:
    for name in TARGETS:
        files = list((FUZZ_DIR / "corpus" / name).iterdir())
        assert len(files) >= 4, name
        assert all(f.stat().st_size <= 16384 for f in files), name


@pytest.mark.parametrize(("name", "path"), _corpus(), ids=lambda v: getattr(v, "name", v))
def test_corpus_replays_cleanly(name: str, path: Path) -> None:
    _target(name).check(path.read_bytes())


# -- QDataStream ---------------------------------------------------------------
@_PROPS
@given(st.binary(max_size=400))
def test_datastream_arbitrary_bytes(data: bytes) -> None:
    _target("datastream").check(data)


@_PROPS
@given(st.integers(1, 24), st.integers(0, 1), st.binary(max_size=300))
def test_datastream_variants_in_a_transaction(version: int, order: int, body: bytes) -> None:
    # Every read a QVariant, inside a transaction: exercises rollback + round trip.
    _target("datastream").check(bytes([version - 1, order, 0, 1, 5]) + bytes([18] * 6) + body)


# -- WebSocket frames ------------------------------------------------------------
@_PROPS
@given(st.binary(max_size=400))
def test_ws_protocol_raw_bytes(data: bytes) -> None:
    _target("ws_protocol").check(b"\x00" + data)


@_PROPS
@given(st.binary(min_size=8, max_size=400))
def test_ws_protocol_scripted_round_trip(data: bytes) -> None:
    _target("ws_protocol").check(b"\x01" + data)


# -- handshake -------------------------------------------------------------------
@_PROPS
@given(st.sampled_from([0, 1, 2]), st.binary(max_size=400))
def test_ws_handshake_parsers(mode: int, data: bytes) -> None:
    _target("ws_handshake").check(bytes([mode]) + data)


@_PROPS
@given(
    st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20),
    st.lists(st.sampled_from(["chat", "v2.proto", "bad name", "x"]), max_size=3),
)
def test_ws_handshake_header_fields_round_trip(resource: str, protocols: list[str]) -> None:
    mod = _target("ws_handshake")
    data = b"\x02" + b"k" * 16 + bytes([9]) + b"127.0.0.1" + bytes([len(resource)])
    data += resource.encode() + b"\x00" + bytes([len(protocols)])
    for p in protocols:
        data += bytes([len(p)]) + p.encode()
    mod.check(data)


# -- permessage-deflate ------------------------------------------------------------
@_PROPS
@given(st.sampled_from([0, 1, 2]), st.binary(max_size=400))
def test_ws_deflate_paths(mode: int, data: bytes) -> None:
    _target("ws_deflate").check(bytes([mode]) + data)


def test_fuzz_targets_run_without_atheris() -> None:
    # The targets import atheris only in main(), so the checks work in plain pytest.
    for name in TARGETS:
        mod = _target(name)
        assert callable(mod.check) and "atheris" not in vars(mod)
    assert os.path.isfile(FUZZ_DIR / "run_all.py")


@_PROPS
@given(
    st.one_of(st.binary(max_size=300), st.text(max_size=200)),
    st.booleans(),
    st.sampled_from([10, 125, 126, 65535, 2_147_483_646]),
)
def test_ws_single_frame_fast_path_agrees_with_receive_data(
    message: bytes | str, server_side: bool, limit: int
) -> None:
    # One whole frame per read: the fuzz target's check compares the I/O layer's
    # fast path with the general path on exactly the reads it is built for.
    from qtnet.codecs.ws_protocol import WebSocketConnection

    peer = WebSocketConnection("client" if server_side else "server")
    if isinstance(message, str):
        peer.send_text(message)
    else:
        peer.send_binary(message)
    wire = peer.data_to_send()
    _target("ws_protocol")  # puts fuzz/ on sys.path
    from fuzz_ws_protocol import _feed, take_single_message

    conn = WebSocketConnection(
        "server" if server_side else "client", max_frame_size=limit, max_message_size=limit
    )
    size = len(message.encode("utf-8", "surrogatepass") if isinstance(message, str) else message)
    fast = take_single_message(conn, wire) if take_single_message else None
    if take_single_message is not None and size <= limit and size < 65536:
        assert fast == message
    events, _ = _feed(conn, [wire])
    assert len(events) == 1
