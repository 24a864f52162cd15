"""Fuzz target: the QDataStream decoder (``qtnet.codecs.datastream.Reader``).

The input picks a stream version (1-24), byte order, float precision, whether
the reads run inside a transaction, and a sequence of reads; the rest is the
stream.  Invariants checked on every input:

* no exception escapes a ``read_*`` call (errors are reported in ``status``);
* ``pos`` stays within ``[0, end]``, ``status`` is a ``Status``;
* memory is bounded by the input: no string, byte array or container read is
  larger than the bytes it came from (a size field alone allocates nothing);
* a failed (``ReadPastEnd``) outermost transaction rolls ``pos`` back;
* a QVariant that decodes cleanly re-encodes to bytes that decode to the same
  encoding again (write . read is idempotent), and reading those bytes in chunks
  under a transaction gives the same value.

Run: ``python fuzz/fuzz_datastream.py fuzz/corpus/datastream -max_total_time=600``
(or ``make fuzz``).  ``check(data)`` is also replayed by tests/test_fuzz_properties.py.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fuzzbytes import FuzzBytes, instrumented, run_fuzzer  # noqa: E402

# Coverage instrumentation only for qtnet, and only when fuzzing (not under pytest).
with instrumented(__name__ == "__main__"):
    from qtnet.codecs.datastream import MetaType, Reader, Status, Variant, Writer  # noqa: E402
    from qtnet.codecs.datastream_types import V_QT_3_3  # noqa: E402

_READS: list[Callable[[Reader], object]] = [
    Reader.read_i8, Reader.read_u8, Reader.read_i16, Reader.read_u16,
    Reader.read_i32, Reader.read_u32, Reader.read_i64, Reader.read_u64,
    Reader.read_bool, Reader.read_float, Reader.read_double, Reader.read_qchar,
    Reader.read_size, Reader.read_bytes, Reader.read_charptr, Reader.read_qbytearray,
    Reader.read_qstring, Reader.read_qstringlist, Reader.read_variant,
    Reader.read_host_address,
    lambda r: r.read_raw(r.read_u8()),
    lambda r: r.skip_raw(r.read_u8()),
    lambda r: r.read_list(r.read_qbytearray),
    lambda r: r.read_map(r.read_qstring, r.read_i32),
]
_VARIANT_OP = _READS.index(Reader.read_variant)


def _size_of(value: object) -> int:
    """Bytes of decoded payload a value holds (a lower bound on what it cost to read)."""
    if isinstance(value, (bytes, str)):
        return len(value)
    if isinstance(value, Variant):
        return _size_of(value.value)
    if isinstance(value, list):
        return len(value) + sum(_size_of(v) for v in value)
    if isinstance(value, dict):
        return len(value) + sum(_size_of(k) + _size_of(v) for k, v in value.items())
    return 0


def _settings(r: Reader) -> dict[str, int]:
    return {"version": r.version, "byte_order": r.byte_order, "precision": r.precision}


def _encode_variant(v: Variant, settings: dict[str, int]) -> bytes | None:
    w = Writer(**settings)
    w.write_variant(v)
    return None if w.status != Status.Ok else bytes(w.buffer)


_64BIT = {MetaType.LongLong, MetaType.ULongLong, MetaType.Long, MetaType.ULong}


def _has_64bit(value: object) -> bool:
    """Before Qt 3.3 a 64-bit value's two words are read back swapped (Qt's own
    asymmetry, kept for byte compatibility), so such values do not round-trip."""
    if isinstance(value, Variant):
        return value.type_id in _64BIT or _has_64bit(value.value)
    if isinstance(value, list):
        return any(_has_64bit(v) for v in value)
    if isinstance(value, dict):
        return any(_has_64bit(v) for v in value.values())
    return False


def _has_nan(value: object) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Variant):
        return _has_nan(value.value)
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    return False


def _check_variant_round_trip(v: Variant, settings: dict[str, int]) -> None:
    if settings["version"] < V_QT_3_3 and _has_64bit(v):
        return
    first = _encode_variant(v, settings)
    if first is None:
        return  # e.g. a > 4 GiB size in an old version: cannot happen from fuzz input sizes
    r = Reader(first, **settings)
    again = r.read_variant()
    assert r.status == Status.Ok and r.at_end(), (v, r.status)
    second = _encode_variant(again, settings)
    assert second == first, (v, again)
    if not _has_nan(v) and settings["version"] >= V_QT_3_3:
        # (Before Qt 3.3 null and empty strings/byte arrays stream the same.)
        assert again == v, (v, again)
    # The same bytes arriving one at a time under a transaction: rolls back
    # until the last byte, then gives the same value.
    buf = b""
    for i in range(len(first)):
        buf = first[: i + 1]
        rt = Reader(buf, **settings)
        rt.start_transaction()
        value = rt.read_variant()
        if rt.commit_transaction():
            assert i == len(first) - 1, (v, i)
            assert _encode_variant(value, settings) == first
        else:
            assert rt.pos == 0 and i < len(first) - 1, (v, i, rt.pos)
        if i > 64:  # long values: the first bytes exercise the rollback, skip the rest
            break


def check(data: bytes) -> None:
    fb = FuzzBytes(data)
    version = fb.int_in(1, 24)
    byte_order = fb.byte() & 1
    precision = fb.byte() & 1
    use_tx = fb.flag()
    ops = [fb.byte() % len(_READS) for _ in range(fb.int_in(1, 12))]
    payload = fb.rest()
    r = Reader(payload, version=version, byte_order=byte_order, precision=precision)
    if use_tx:
        r.start_transaction()
    for op in ops:
        before = r.status
        value = _READS[op](r)
        assert 0 <= r.pos <= r.end == len(payload), (r.pos, r.end)
        assert isinstance(r.status, Status) or r.status in set(Status), r.status
        # Bounded memory: what was decoded came from real input bytes.
        assert _size_of(value) <= 2 * len(payload) + 2, (op, _size_of(value), len(payload))
        if op == _VARIANT_OP and before == Status.Ok and r.status == Status.Ok:
            assert isinstance(value, Variant)
            _check_variant_round_trip(value, _settings(r))
    if use_tx:
        status = r.status
        committed = r.commit_transaction()
        if status == Status.ReadPastEnd:
            assert not committed and r.pos == 0, (committed, r.pos)
        else:
            assert committed == (status == Status.Ok)


if __name__ == "__main__":
    run_fuzzer(check)
