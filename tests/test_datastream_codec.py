"""The sans-I/O QDataStream codec: wire bytes, status rules, transactions, hostile input.

Byte strings here come from Qt 6.11/6.12 (the reference's "Wire format facts" and
experiments with PySide6 6.12); tests/test_datastream_pyside6.py re-checks the
codec against a live PySide6 for every type.
"""

from __future__ import annotations

import math
import struct
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qtnet.codecs.datastream import (
    INVALID,
    ByteOrder,
    DataStreamVersion,
    FloatingPointPrecision,
    HostAddressWire,
    MetaType,
    Reader,
    Status,
    Variant,
    Writer,
    variant_from_python,
    variant_to_python,
)
from qtnet.codecs.datastream_types import MAX_VARIANT_DEPTH

BE, LE = ByteOrder.BigEndian, ByteOrder.LittleEndian
SINGLE, DOUBLE = FloatingPointPrecision.SinglePrecision, FloatingPointPrecision.DoublePrecision
VERSIONS = [7, 12, 17, 19, 20, 21, 22, 24]


def h(s: str) -> bytes:
    return bytes.fromhex(s)


def enc(fn: Callable[[Writer], None], **kw: Any) -> bytes:
    w = Writer(**kw)
    fn(w)
    return bytes(w.buffer)


def f32(x: float) -> float:
    """C++ double -> float: nearest float32, +-inf when out of range."""
    try:
        return float(struct.unpack("<f", struct.pack("<f", x))[0])
    except OverflowError:
        return math.copysign(math.inf, x)


# -- enums ---------------------------------------------------------------------------


def test_version_enum_matches_qt_table() -> None:
    expected = {
        "Qt_1_0": 1, "Qt_2_0": 2, "Qt_2_1": 3, "Qt_3_0": 4, "Qt_3_1": 5, "Qt_3_3": 6,
        "Qt_4_0": 7, "Qt_4_1": 7, "Qt_4_2": 8, "Qt_4_3": 9, "Qt_4_4": 10, "Qt_4_5": 11,
        "Qt_4_6": 12, "Qt_4_7": 12, "Qt_4_8": 12, "Qt_4_9": 12, "Qt_5_0": 13, "Qt_5_1": 14,
        "Qt_5_2": 15, "Qt_5_3": 15, "Qt_5_4": 16, "Qt_5_5": 16, "Qt_5_6": 17, "Qt_5_7": 17,
        "Qt_5_8": 17, "Qt_5_9": 17, "Qt_5_10": 17, "Qt_5_11": 17, "Qt_5_12": 18, "Qt_5_13": 19,
        "Qt_5_14": 19, "Qt_5_15": 19, "Qt_6_0": 20, "Qt_6_1": 20, "Qt_6_2": 20, "Qt_6_3": 20,
        "Qt_6_4": 20, "Qt_6_5": 20, "Qt_6_6": 21, "Qt_6_7": 22, "Qt_6_8": 22, "Qt_6_9": 22,
        "Qt_6_10": 23, "Qt_6_11": 24, "Qt_6_12": 24, "Qt_DefaultCompiledVersion": 24,
    }  # fmt: skip
    assert {n: int(m) for n, m in DataStreamVersion.__members__.items()} == expected
    assert [int(x) for x in (BE, LE, SINGLE, DOUBLE)] == [0, 1, 0, 1]
    assert [s.name for s in Status] == [
        "Ok", "ReadPastEnd", "ReadCorruptData", "WriteFailed", "SizeLimitExceeded"
    ]  # fmt: skip
    assert [int(s) for s in Status] == [0, 1, 2, 3, 4]


def test_defaults() -> None:
    w = Writer()
    assert (w.version, w.byte_order, w.precision, w.status) == (24, BE, DOUBLE, Status.Ok)


# -- exact wire bytes ----------------------------------------------------------------


@pytest.mark.parametrize(
    "fn, be, le",
    [
        (lambda w: w.write_i8(-1), "ff", "ff"),
        (lambda w: w.write_i16(-1), "ffff", "ffff"),
        (lambda w: w.write_i32(1), "00000001", "01000000"),
        (lambda w: w.write_i32(-2), "fffffffe", "feffffff"),
        (lambda w: w.write_u32(0xDEADBEEF), "deadbeef", "efbeadde"),
        (lambda w: w.write_i64(-4), "fffffffffffffffc", "fcffffffffffffff"),
        (lambda w: w.write_u64(2**64 - 1), "ffffffffffffffff", "ffffffffffffffff"),
        (lambda w: w.write_bool(True), "01", "01"),
        (lambda w: w.write_float(1.0), "3ff0000000000000", "000000000000f03f"),
        (lambda w: w.write_double(1.5), "3ff8000000000000", "000000000000f83f"),
        (lambda w: w.write_qchar("é"), "00e9", "e900"),
        (lambda w: w.write_qstring("ab"), "00000004 00610062", "04000000 61006200"),
        (lambda w: w.write_qstring(None), "ffffffff", "ffffffff"),
        (lambda w: w.write_qstring(""), "00000000", "00000000"),
        (lambda w: w.write_qstring("é€😀"), "00000008 00e9 20ac d83d de00", "08000000 e900 ac20 3dd8 00de"),  # noqa: E501
        (lambda w: w.write_qbytearray(b"ab"), "00000002 6162", "02000000 6162"),
        (lambda w: w.write_qbytearray(None), "ffffffff", "ffffffff"),
        (lambda w: w.write_qbytearray(b""), "00000000", "00000000"),
        (lambda w: w.write_charptr(b"ab"), "00000003 616200", "03000000 616200"),
        (lambda w: w.write_charptr(None), "00000000", "00000000"),
        (lambda w: w.write_bytes(b"ab"), "00000002 6162", "02000000 6162"),
        (lambda w: w.write_raw(b"ab"), "6162", "6162"),
        (lambda w: w.write_qstringlist(["a", None]), "00000002 00000002 0061 ffffffff", "02000000 02000000 6100 ffffffff"),  # noqa: E501
    ],
)  # fmt: skip
def test_wire_bytes(fn: Callable[[Writer], None], be: str, le: str) -> None:
    assert enc(fn, byte_order=BE) == h(be)
    assert enc(fn, byte_order=LE) == h(le)


def test_float_precision_and_old_versions() -> None:
    # Default DoublePrecision: a float is 8 bytes; SinglePrecision or version < 12: 4.
    assert enc(lambda w: w.write_float(1.0)) == h("3ff0000000000000")
    assert enc(lambda w: w.write_float(1.0), precision=SINGLE) == h("3f800000")
    assert enc(lambda w: w.write_double(1.0), precision=SINGLE) == h("3f800000")
    assert enc(lambda w: w.write_float(1.0), version=11) == h("3f800000")
    assert enc(lambda w: w.write_double(1.0), version=11, precision=SINGLE) == h("3ff0000000000000")
    # A float is rounded to float32 before it is widened, like C++'s float parameter.
    assert enc(lambda w: w.write_float(0.1)) == struct.pack(">d", f32(0.1))
    assert enc(lambda w: w.write_float(1e300)) == h("7ff0000000000000")
    r = Reader(h("3fb999999999999a"))  # the double 0.1 read into a float
    assert r.read_float() == f32(0.1)


def test_sixty_four_bit_values_before_qt_3_3() -> None:
    # Versions 1-5 write two quint32s high word first, but Qt reads the first as the LOW word.
    data = enc(lambda w: w.write_i64(0x0102030405060708), version=5)
    assert data == h("0102030405060708")
    assert enc(lambda w: w.write_i64(0x0102030405060708), version=5, byte_order=LE) == h(
        "0403020108070605"
    )
    assert Reader(data, version=5).read_i64() == 0x0506070801020304
    assert Reader(data, version=6).read_i64() == 0x0102030405060708


def test_old_string_encodings() -> None:
    # Qt 1 strings are Latin-1 QByteArrays ('?' for anything else); null is size 0 before 3.
    assert enc(lambda w: w.write_qstring("é€"), version=1) == h("00000002 e93f")
    assert enc(lambda w: w.write_qstring(None), version=1) == h("00000000")
    assert enc(lambda w: w.write_qstring(None), version=2) == h("00000000")
    assert enc(lambda w: w.write_qstring(None), version=3) == h("ffffffff")
    assert enc(lambda w: w.write_qbytearray(None), version=5) == h("00000000")
    assert enc(lambda w: w.write_qbytearray(None), version=6) == h("ffffffff")
    assert Reader(h("00000002 e961"), version=1).read_qstring() == "éa"
    assert Reader(h("00000002 e961"), version=2).read_qstring() == "\ue961"


def test_bool_reads_any_nonzero_as_true() -> None:
    r = Reader(h("02 00 ff"))
    assert [r.read_bool(), r.read_bool(), r.read_bool()] == [True, False, True]


def test_host_address_wire() -> None:
    def one(a: HostAddressWire) -> bytes:
        return enc(lambda w: w.write_host_address(a))

    assert one(HostAddressWire(-1)) == h("ff")
    assert one(HostAddressWire(0, ipv4=0x7F000001)) == h("00 7f000001")
    assert one(HostAddressWire(2)) == h("02")
    loop6 = bytes(15) + b"\x01"
    assert one(HostAddressWire(1, ipv6=loop6)) == h("01") + loop6 + h("ffffffff")
    ll = h("fe800000000000000000000000000001")
    scoped = HostAddressWire(1, ipv6=ll, scope_id="eth0")
    assert one(scoped) == h("01") + ll + h("00000008 0065 0074 0068 0030")
    r = Reader(one(scoped) + h("ff 02 00 7f000001 05"))
    assert r.read_host_address() == scoped
    assert r.read_host_address() == HostAddressWire(-1)
    assert r.read_host_address() == HostAddressWire(2)
    assert r.read_host_address() == HostAddressWire(0, ipv4=0x7F000001)
    assert r.status == Status.Ok
    assert r.read_host_address() == HostAddressWire(-1) and r.status == Status.ReadCorruptData
    short = Reader(h("00 7f00"))
    assert short.read_host_address() == HostAddressWire(0, 0) and short.status == Status.ReadPastEnd


# -- QVariant --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, version, wire",
    [
        (None, 24, "00000000 01"),
        (None, 12, "00000000 01 ffffffff"),
        (None, 7, "00000000 ffffffff"),
        (None, 1, "00000000 00000000"),
        (True, 24, "00000001 00 01"),
        (True, 7, "00000001 01"),
        (True, 4, "00000012 01"),
        (-1, 24, "00000002 00 ffffffff"),
        (2**31, 24, "00000004 00 0000000080000000"),
        (2**40, 6, "00000021 0000010000000000"),
        (1.5, 24, "00000006 00 3ff8000000000000"),
        ("a", 24, "0000000a 00 00000002 0061"),
        ("a", 1, "00000003 00000001 61"),
        (["a", "b"], 24, "0000000b 00 00000002 00000002 0061 00000002 0062"),
        ([], 24, "00000009 00 00000000"),
        ([1, "a"], 24, "00000009 00 00000002 00000002 00 00000001 0000000a 00 00000002 0061"),
        ({"b": 1, "a": 2}, 24, "00000008 00 00000002 00000002 0061 00000002 00 00000002 00000002 0062 00000002 00 00000001"),  # noqa: E501
        ({"a": 1}, 1, "00000001 00000001 00000001 61 00000010 00000001"),
        ([None], 24, "00000009 00 00000001 00000000 01"),
    ],
)  # fmt: skip
def test_variant_bytes_as_pyside6_writes_them(value: Any, version: int, wire: str) -> None:
    assert enc(lambda w: w.write_variant(variant_from_python(value)), version=version) == h(wire)
    r = Reader(h(wire), version=version)
    back = variant_to_python(r.read_variant())
    assert r.status == Status.Ok and r.at_end()
    if not (version < 3 and value == "a"):
        assert back == value


@pytest.mark.parametrize(
    "tid, value, version, wire",
    [
        (MetaType.UInt, 0xFFFFFFFE, 24, "00000003 00 fffffffe"),
        (MetaType.ULongLong, 2**64 - 1, 24, "00000005 00 ffffffffffffffff"),
        (MetaType.Float, 1.5, 24, "00000026 00 3ff8000000000000"),
        (MetaType.Float, 1.5, 12, "00000087 00 3ff8000000000000"),
        (MetaType.Float, 1.5, 7, "00000087 3fc00000"),
        (MetaType.Float, 1.5, 6, "00000000 ffffffff"),  # no float in Qt 3: an invalid variant
        (MetaType.QVariantHash, {"a": Variant(2, 5)}, 24, "0000001c 00 00000001 00000002 0061 00000002 00 00000005"),  # noqa: E501
        (MetaType.QChar, "é", 24, "00000007 00 00e9"),
        (MetaType.QByteArray, None, 24, "0000000c 00 ffffffff"),
        (MetaType.QByteArray, b"ab", 6, "0000001d 00000002 6162"),
        (MetaType.Short, -2, 12, "00000082 00 fffe"),
        (MetaType.Long, 2**40, 24, "00000020 00 0000010000000000"),
        (MetaType.UChar, 255, 24, "00000025 00 ff"),
        (MetaType.SChar, -1, 24, "00000028 00 ff"),
        (MetaType.Nullptr, None, 7, "00000094"),
    ],
)  # fmt: skip
def test_typed_variants(tid: int, value: Any, version: int, wire: str) -> None:
    v = Variant(tid, value)
    assert enc(lambda w: w.write_variant(v), version=version) == h(wire)
    r = Reader(h(wire), version=version)
    got = r.read_variant()
    assert r.status == Status.Ok and r.at_end()
    assert got == (INVALID if wire.startswith("00000000") else v)


def test_variant_is_null_flag_is_kept() -> None:
    wire = h("0000000a 01 00000002 0061")
    v = Reader(wire).read_variant()
    assert v == Variant(MetaType.QString, "a", True)
    assert enc(lambda w: w.write_variant(v)) == wire


@pytest.mark.parametrize(
    "wire, version, status, at_end",
    [
        ("0000270f 00 00000000", 24, Status.ReadCorruptData, False),  # an id qtnet cannot decode
        ("00010000 00 00000004 41424300 00000000", 24, Status.ReadCorruptData, False),  # user type
        ("00000030 0000", 3, Status.Ok, False),  # Qt 3 id beyond its table: invalid, stop
        ("0000000a 00 000000", 24, Status.ReadPastEnd, True),
    ],
)
def test_variant_failures(wire: str, version: int, status: Status, at_end: bool) -> None:
    r = Reader(h(wire), version=version)
    assert r.read_variant().type_id in (0, MetaType.QString)
    assert r.status == status and r.at_end() == at_end


def test_variant_from_python_rules() -> None:
    assert variant_from_python(True).type_id == MetaType.Bool
    assert variant_from_python(2**31 - 1).type_id == MetaType.Int
    assert variant_from_python(-(2**31)).type_id == MetaType.Int
    assert variant_from_python(2**31).type_id == MetaType.LongLong
    assert variant_from_python(2**63).type_id == MetaType.ULongLong
    with pytest.raises(OverflowError):
        variant_from_python(2**64)
    assert variant_from_python(b"x") == Variant(MetaType.QByteArray, b"x")

    class NullableBytes(bytearray):  # the shape of QByteArray: a null flag via isNull()
        def isNull(self) -> bool:
            return True

    assert variant_from_python([NullableBytes()]).value == [Variant(MetaType.QByteArray, None)]
    assert variant_from_python(("a",)).type_id == MetaType.QStringList
    with pytest.raises(TypeError):
        variant_from_python({1: 2})
    with pytest.raises(TypeError):
        variant_from_python(object())


def test_variant_depth_limit() -> None:
    v: Any = 1
    for _ in range(MAX_VARIANT_DEPTH):  # the innermost int sits at the deepest allowed level
        v = [v]
    ok = enc(lambda w: w.write_variant(variant_from_python(v)))
    assert variant_to_python(Reader(ok).read_variant()) == v
    with pytest.raises(ValueError):
        enc(lambda w: w.write_variant(variant_from_python([v])))
    deep = h("00000009 00 00000001") * (MAX_VARIANT_DEPTH + 5) + h("00000002 00 00000001")
    r = Reader(deep)
    # The too-deep level is corrupt; every enclosing list is emptied, as Qt does on failure.
    assert r.read_variant() == Variant(MetaType.QVariantList, [])
    assert r.status == Status.ReadCorruptData


# -- status rules (tst_qdatastream status_*) --------------------------------------------


@pytest.mark.parametrize(
    "method, be, value",
    [
        ("read_i8", "25", 37),
        ("read_i16", "0025", 37),
        ("read_i32", "00000025", 37),
        ("read_i64", "0000000000000025", 37),
        ("read_double", "4042800000000000", 37.0),
    ],
)
@pytest.mark.parametrize("order", [BE, LE])
def test_status_fixed_size(method: str, be: str, value: Any, order: ByteOrder) -> None:
    data = h(be) if order == BE else h(be)[::-1]
    r = Reader(data + b"\x77\x88", byte_order=order)  # trailing bytes are ignored
    assert getattr(r, method)() == value and r.status == Status.Ok
    for cut in range(len(data)):
        r = Reader(data[:cut], byte_order=order)
        assert getattr(r, method)() == 0 and r.status == Status.ReadPastEnd
        assert r.at_end()  # a short read consumes what was there


def test_status_float_single_precision() -> None:
    r = Reader(h("42140000"), precision=SINGLE)
    assert r.read_float() == 37.0 and r.status == Status.Ok
    r = Reader(h("421400"), precision=SINGLE)
    assert r.read_float() == 0.0 and r.status == Status.ReadPastEnd


ONE_MB = b"j" * (1 << 20)
THREE_MB = b"j" * (3 << 20)


@pytest.mark.parametrize(
    "data, status, payload",
    [
        (h("00000000"), Status.Ok, None),
        (h("00000004") + b"jklm", Status.Ok, b"jklm"),
        (h("00100000") + ONE_MB, Status.Ok, ONE_MB),
        (h("00300000") + THREE_MB, Status.Ok, THREE_MB),
        (b"", Status.ReadPastEnd, None),
        (h("000000"), Status.ReadPastEnd, None),
        (h("00000004") + b"jkl", Status.ReadPastEnd, None),
        (h("00100000") + ONE_MB[1:], Status.ReadPastEnd, None),
        (h("ffffffff"), Status.SizeLimitExceeded, None),  # Qt 6.4 said ReadPastEnd; 6.12 this
        (h("fffffffe"), Status.ReadPastEnd, None),
    ],
)
def test_status_readbytes_and_charptr(data: bytes, status: Status, payload: bytes | None) -> None:
    r = Reader(data)
    assert r.read_bytes() == payload and r.status == status
    r = Reader(data)
    assert r.read_charptr() == payload and r.status == status  # no NUL in these payloads


@pytest.mark.parametrize(
    "data, status, value",
    [
        (h("ffffffff"), Status.Ok, None),
        (h("00000000"), Status.Ok, b""),
        (h("00000004") + b"jklm", Status.Ok, b"jklm"),
        (h("00000003") + b"ab\x00", Status.Ok, b"ab\x00"),  # odd sizes are fine for bytes
        (h("000000"), Status.ReadPastEnd, b""),  # size unreadable: empty, not null
        (h("00000004") + b"a", Status.ReadPastEnd, None),  # data missing: null
        (h("79797979"), Status.ReadPastEnd, None),
    ],
)
def test_status_qbytearray(data: bytes, status: Status, value: bytes | None) -> None:
    r = Reader(data)
    assert r.read_qbytearray() == value and r.status == status


@pytest.mark.parametrize(
    "data, status, value, next_byte",
    [
        (h("00000002 006a 07"), Status.Ok, "j", 7),
        (h("00000008 006a006b006c006d 07"), Status.Ok, "jklm", 7),
        (h("ffffffff 07"), Status.Ok, None, 7),
        (h("00000000 07"), Status.Ok, "", 7),
        (h("000000"), Status.ReadPastEnd, "", None),
        (h("00000004 006a"), Status.ReadPastEnd, None, None),
        (h("7ffffffe"), Status.ReadPastEnd, None, None),
        # Odd byte size: corrupt, empty result, reading resumes right after the size.
        (b"yyyy" + h("07"), Status.ReadCorruptData, None, 7),
        (h("fffffffd 07"), Status.ReadCorruptData, None, 7),
        (h("00000003 006100 07"), Status.ReadCorruptData, None, 0),
    ],
)
def test_status_qstring(
    data: bytes, status: Status, value: str | None, next_byte: int | None
) -> None:
    r = Reader(data)
    assert r.read_qstring() == value and r.status == status
    if next_byte is not None:
        assert r.read_u8() == next_byte


@pytest.mark.parametrize("size", [1 << 19, 3 << 19])
def test_status_qstring_megabytes(size: int) -> None:
    text = "j" * size
    wire = enc(lambda w: w.write_qstring(text))
    assert Reader(wire).read_qstring() == text
    r = Reader(wire[:-1])
    assert r.read_qstring() is None and r.status == Status.ReadPastEnd


def test_extended_size_marker_from_version_22() -> None:
    wire = h("fffffffe 0000000000000004 00610062 07")
    r = Reader(wire, version=22)
    assert r.read_qstring() == "ab" and r.read_u8() == 7 and r.status == Status.Ok
    r = Reader(wire, version=21)  # before 6.7 the marker is a literal 4 GiB length
    assert r.read_qstring() is None and r.status == Status.ReadPastEnd and r.at_end()
    r = Reader(h("fffffffe 0000000000000002 6162"), version=22)
    assert r.read_qbytearray() == b"ab" and r.status == Status.Ok
    r = Reader(h("fffffffe ffffffffffffffff 07"), version=22)  # 64-bit -1: null
    assert r.read_qstring() is None and r.status == Status.Ok and r.read_u8() == 7
    r = Reader(h("fffffffe 8000000000000000 07"), version=22)
    assert r.read_qstring() is None and r.status == Status.SizeLimitExceeded
    r = Reader(h("fffffffe 00000000"), version=22)
    assert r.read_qbytearray() == b"" and r.status == Status.ReadPastEnd
    w = Writer(version=22)
    assert w.write_size(0xFFFFFFFE) and bytes(w.buffer) == h("fffffffe 00000000fffffffe")
    w = Writer(version=21)
    assert not w.write_size(0xFFFFFFFF) and w.status == Status.SizeLimitExceeded and not w.buffer
    assert Writer(version=21).write_size(0xFFFFFFFE)


@pytest.mark.parametrize(
    "method, wire, version",
    [
        ("read_qstring", "fffffffe 00000000fffffff0 0061", 22),
        ("read_qstring", "fffffff0 0061 0062", 21),
        ("read_qbytearray", "fffffff0 6162636465666768", 24),
        ("read_qbytearray", "fffffffe 7ffffffffffffff0 6162", 22),
        ("read_bytes", "fffffff0 6162636465666768", 24),
        ("read_charptr", "fffffff0 6162636465666768", 24),
        ("read_qstringlist", "fffffff0 00000002 0061", 24),
        ("read_variant", "0000000b 00 fffffff0 00000002 0061", 24),
        ("read_variant", "00000008 00 fffffffe 00000000ffffffff 00000002 0061", 22),
    ],
)
def test_huge_claims_fail_fast_without_allocating(method: str, wire: str, version: int) -> None:
    tracemalloc.start()
    try:
        t0 = time.perf_counter()
        r = Reader(h(wire), version=version)
        getattr(r, method)()
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.status == Status.ReadPastEnd
    assert peak < 1 << 20, f"peak {peak} bytes"
    assert elapsed < 0.5


def test_raw_and_skip() -> None:
    r = Reader(b"abc")
    assert r.read_raw(5) == b"abc" and r.status == Status.ReadPastEnd
    r = Reader(b"abcd")
    assert r.read_raw(2) == b"ab" and r.skip_raw(1) == 1 and r.read_u8() == ord("d")
    r = Reader(b"a")
    assert r.skip_raw(2) == 1 and r.status == Status.ReadPastEnd


def test_set_status_latches_first_error() -> None:
    r = Reader(b"")
    r.set_status(Status.Ok)
    r.set_status(Status.ReadPastEnd)
    assert r.status == Status.ReadPastEnd
    r.set_status(Status.ReadCorruptData)
    assert r.status == Status.ReadPastEnd
    r.status = Status.Ok
    r.set_status(Status.ReadCorruptData)
    assert r.status == Status.ReadCorruptData


def test_reading_continues_after_error_outside_transactions() -> None:
    r = Reader(h("00000003 006100 07 0000000200 6a"))
    assert r.read_qstring() is None and r.status == Status.ReadCorruptData
    assert r.read_u8() == 0 and r.read_u8() == 0x61  # still consuming data
    assert r.status == Status.ReadCorruptData


def test_writer_rejects_out_of_range() -> None:
    for meth, bad in [("write_i8", 128), ("write_u8", -1), ("write_i16", 1 << 15),
                      ("write_u32", 1 << 32), ("write_i64", 1 << 63), ("write_u64", -1)]:  # fmt: skip  # noqa: E501
        w = Writer()
        with pytest.raises(OverflowError):
            getattr(w, meth)(bad)
        assert not w.buffer
    with pytest.raises(ValueError):
        Writer().write_qchar("😀")


# -- containers (tst_qdatastream status_QHash_QMap / status_QList) ------------------------

HASH1 = h("00000001 00000000 00000000")
HASH2 = h("00000002 00000002 004a 00000002 004b 00000002 004c 00000004 004d004e")
CORRUPT2 = h("00000002 00000001 004a 00000001 004b 00000001 004c 00000002 004d004e")


@pytest.mark.parametrize(
    "data, initial, status, expected",
    [
        (h("00000000"), Status.Ok, Status.Ok, {}),
        (HASH1, Status.Ok, Status.Ok, {"": ""}),
        (HASH2, Status.Ok, Status.Ok, {"J": "K", "L": "MN"}),
        (b"", Status.Ok, Status.ReadPastEnd, {}),
        *[(HASH1[:i], Status.Ok, Status.ReadPastEnd, {}) for i in range(1, 12)],
        (h("00000001 00000001"), Status.Ok, Status.ReadCorruptData, {}),
        (CORRUPT2, Status.Ok, Status.ReadCorruptData, {}),
        # An error latched before the read stays, but outside a transaction data still decodes.
        (HASH1, Status.ReadPastEnd, Status.ReadPastEnd, {"": ""}),
        (h("00000001"), Status.ReadCorruptData, Status.ReadCorruptData, {}),
        (h("00000001 00000001"), Status.ReadPastEnd, Status.ReadPastEnd, {}),
    ],
)
@pytest.mark.parametrize("in_transaction", [False, True])
def test_status_map(
    data: bytes, initial: Status, status: Status, expected: dict[str, str], in_transaction: bool
) -> None:
    r = Reader(data)
    if in_transaction:
        r.start_transaction()
    r.set_status(initial)
    got = r.read_map(r._read_key, lambda: r.read_qstring() or "")
    assert r.status == status
    if not in_transaction or r.commit_transaction():
        assert got == expected
    else:
        assert got == {}


@pytest.mark.parametrize(
    "data, initial, status, expected",
    [
        (h("00000000"), Status.Ok, Status.Ok, []),
        (h("00000001 00000000"), Status.Ok, Status.Ok, [""]),
        (h("00000002 00000002 004a 00000004 004d004e"), Status.Ok, Status.Ok, ["J", "MN"]),
        *[(h("00000002 00000002 004a 00000004 004d004e")[:i], Status.Ok, Status.ReadPastEnd, [])
          for i in range(0, 18)],
        (h("00000001 00000001"), Status.Ok, Status.ReadCorruptData, []),
        (h("00000002 00000001 004a"), Status.Ok, Status.ReadCorruptData, []),
        (h("ffffffff"), Status.Ok, Status.SizeLimitExceeded, []),
        (h("00000001 00000000"), Status.ReadPastEnd, Status.ReadPastEnd, [""]),
        (h("00000001 00000001"), Status.ReadPastEnd, Status.ReadPastEnd, []),
    ],
)  # fmt: skip
@pytest.mark.parametrize("in_transaction", [False, True])
def test_status_list(
    data: bytes, initial: Status, status: Status, expected: list[str], in_transaction: bool
) -> None:
    r = Reader(data)
    if in_transaction:
        r.start_transaction()
    r.set_status(initial)
    got = r.read_qstringlist()
    assert r.status == status
    if not in_transaction or r.commit_transaction():
        assert got == expected
    else:
        assert got == []


def test_map_duplicate_keys_keep_last_value() -> None:
    wire = h("00000002 00000002 0061 00000002 00 00000001 00000002 0061 00000002 00 00000002")
    assert Reader(wire).read_map(lambda: 0, lambda: 0) == {0: 0}
    r = Reader(h("00000008 00") + wire)
    assert variant_to_python(r.read_variant()) == {"a": 2}


def test_map_write_order_is_iteration_order_and_variant_map_sorts() -> None:
    w = Writer()
    w.write_map({"b": 1, "a": 2}, w.write_qstring, w.write_i32)
    assert bytes(w.buffer) == h("00000002 00000002 0062 00000001 00000002 0061 00000002")
    # QVariantMap is a QMap: sorted by UTF-16 code units (U+FFFF sorts after U+10000 there).
    keys = ["\uffff", "\U00010000", "a"]
    v = Variant(MetaType.QVariantMap, {k: Variant(2, 0) for k in keys})
    r = Reader(enc(lambda w: w.write_variant(v)))
    assert list(r.read_variant().value) == ["a", "\U00010000", "\uffff"]  # type: ignore[call-overload]


# -- transactions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first, second, success, at_end, status",
    [
        ("abort", "abort", False, True, Status.ReadCorruptData),
        ("abort", "rollback", False, True, Status.ReadCorruptData),
        ("abort", "commit", False, True, Status.ReadCorruptData),
        ("rollback", "abort", False, True, Status.ReadCorruptData),
        ("rollback", "rollback", False, False, Status.ReadPastEnd),
        ("rollback", "commit", False, False, Status.ReadPastEnd),
        ("commit", "abort", False, True, Status.ReadCorruptData),
        ("commit", "rollback", False, False, Status.ReadPastEnd),
        ("commit", "commit", True, True, Status.Ok),
    ],
)
def test_nested_transactions(
    first: str, second: str, success: bool, at_end: bool, status: Status
) -> None:
    r = Reader(b"\x00")
    r.start_transaction()
    r.start_transaction()
    r.read_u8()

    def finish(action: str) -> bool | None:
        if action == "commit":
            return r.commit_transaction()
        getattr(r, f"{action}_transaction")()
        return None

    if first == "commit":
        assert finish(first) is True
    else:
        finish(first)
    r.start_transaction()
    second_result = finish(second)
    if second == "commit":
        assert second_result is (first == "commit")
    assert r.commit_transaction() is success
    assert r.at_end() is at_end
    assert r.status == status


def test_transaction_retry_at_every_split() -> None:
    def write_all(w: Writer) -> None:
        w.write_i8(-1)
        w.write_i16(-2)
        w.write_i32(-3)
        w.write_i64(-4)
        w.write_bool(True)
        w.write_float(-123.0)
        w.write_double(-234.0)
        w.write_qstring("Qt rocks!")
        w.write_variant(variant_from_python({"k": [1, "x"]}))
        w.write_charptr(b"Hello world!")
        w.write_raw(b"raw")

    full = enc(write_all)
    for split in range(len(full) + 1):
        data = full[:split]
        while True:
            r = Reader(data)
            r.start_transaction()
            vals = (r.read_i8(), r.read_i16(), r.read_i32(), r.read_i64(), r.read_bool(),
                    r.read_float(), r.read_double(), r.read_qstring(),
                    variant_to_python(r.read_variant()), r.read_charptr(), r.read_raw(3))  # fmt: skip  # noqa: E501
            if r.commit_transaction():
                break
            assert r.status == Status.ReadPastEnd and r.pos == 0
            assert len(data) < len(full)
            data = full
        assert r.at_end()
        assert vals == (-1, -2, -3, -4, True, -123.0, -234.0, "Qt rocks!", {"k": [1, "x"]},
                        b"Hello world!", b"raw")  # fmt: skip


def test_transaction_suspends_reading_after_error() -> None:
    r = Reader(h("00000003 0061 00000002 0062"))
    r.start_transaction()
    assert r.read_qstring() is None and r.status == Status.ReadCorruptData
    pos = r.pos
    assert r.read_qstring() == "" and r.read_i32() == 0 and r.read_qbytearray() is None
    assert r.pos == pos  # nothing consumed while suspended
    assert r.commit_transaction() is False and r.status == Status.ReadCorruptData
    r.start_transaction()  # a new outermost transaction recovers
    assert r.status == Status.Ok


def test_transaction_calls_without_transaction() -> None:
    r = Reader(b"")
    assert r.commit_transaction() is False and r.status == Status.Ok
    r.rollback_transaction()
    assert r.status == Status.ReadPastEnd
    r.status = Status.Ok
    r.abort_transaction()
    assert r.status == Status.ReadCorruptData


# -- round trips: every type x versions x byte orders x precisions --------------------------

ROUND_TRIP: list[tuple[str, str, Any]] = [
    ("write_bool", "read_bool", True),
    ("write_bool", "read_bool", False),
    ("write_i8", "read_i8", -128),
    ("write_u8", "read_u8", 255),
    ("write_i16", "read_i16", -32768),
    ("write_u16", "read_u16", 65535),
    ("write_i32", "read_i32", -(2**31)),
    ("write_u32", "read_u32", 2**32 - 1),
    ("write_i64", "read_i64", -(2**63)),
    ("write_u64", "read_u64", 2**64 - 1),
    ("write_float", "read_float", -0.25),
    ("write_float", "read_float", 0.1),
    ("write_double", "read_double", 0.1),
    ("write_double", "read_double", -1e300),
    ("write_qchar", "read_qchar", "\u20ac"),
    ("write_qstring", "read_qstring", None),
    ("write_qstring", "read_qstring", ""),
    ("write_qstring", "read_qstring", "Her er det noe tekst\r\n é€😀 \ud800"),
    ("write_qbytearray", "read_qbytearray", None),
    ("write_qbytearray", "read_qbytearray", b""),
    ("write_qbytearray", "read_qbytearray", bytes(range(256))),
    ("write_bytes", "read_bytes", b"\x00abc"),
    ("write_charptr", "read_charptr", b"hello"),
    ("write_qstringlist", "read_qstringlist", ["a", None, "", "ü"]),
    ("write_host_address", "read_host_address", HostAddressWire(1, ipv6=bytes(range(16)), scope_id="x")),  # noqa: E501
    ("write_variant", "read_variant", variant_from_python(None)),
    ("write_variant", "read_variant", variant_from_python([True, 1, -(2**40), 2.5, "s", b"b", ["x", "y"],  # noqa: E501
                                                          {"m": {"n": None}}, []])),
    ("write_variant", "read_variant", Variant(MetaType.QVariantHash, {"h": Variant(MetaType.UInt, 7)})),  # noqa: E501
    ("write_variant", "read_variant", Variant(MetaType.Float, 0.5)),
    ("write_variant", "read_variant", Variant(MetaType.QChar, "x")),
]  # fmt: skip


def _expected(read: str, value: Any, version: int, precision: int) -> Any:
    single = version >= 12 and precision == SINGLE
    if read == "read_float":
        return f32(value)
    if read == "read_double" and single:
        return f32(value)
    return value


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("order", [BE, LE])
@pytest.mark.parametrize("precision", [SINGLE, DOUBLE])
def test_round_trip_all_types(version: int, order: ByteOrder, precision: int) -> None:
    w = Writer(version=version, byte_order=order, precision=precision)
    for write, _, value in ROUND_TRIP:
        getattr(w, write)(value)
        w.write_u32(0xDEADBEEF)  # stream alignment marker, as tst_qdatastream setVersion does
    r = Reader(bytes(w.buffer), version=version, byte_order=order, precision=precision)
    for _, read, value in ROUND_TRIP:
        assert getattr(r, read)() == _expected(read, value, version, precision), read
        assert r.read_u32() == 0xDEADBEEF, read
    assert r.status == Status.Ok and r.at_end()


# -- property tests -------------------------------------------------------------------------

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False),
    st.text(),
    st.binary(max_size=64),
)
_values = st.recursive(
    _scalars,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=5), kids, max_size=4)
    ),
    max_leaves=20,
)


def _normalise(x: Any) -> Any:
    """What a value looks like after a QVariant round trip."""
    if isinstance(x, (bytes, bytearray)):
        return bytes(x)
    if isinstance(x, (list, tuple)):
        return [_normalise(i) for i in x]
    if isinstance(x, dict):
        return {k: _normalise(v) for k, v in x.items()}
    return x


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(value=_values, version=st.sampled_from(VERSIONS), order=st.sampled_from([BE, LE]))
def test_property_variant_round_trip(value: Any, version: int, order: ByteOrder) -> None:
    data = enc(
        lambda w: w.write_variant(variant_from_python(value)), version=version, byte_order=order
    )
    r = Reader(data, version=version, byte_order=order)
    assert variant_to_python(r.read_variant()) == _normalise(value)
    assert r.status == Status.Ok and r.at_end()


@settings(max_examples=300)
@given(text=st.text(), version=st.integers(2, 24), order=st.sampled_from([BE, LE]))
def test_property_qstring_round_trip(text: str, version: int, order: ByteOrder) -> None:
    data = enc(lambda w: w.write_qstring(text), version=version, byte_order=order)
    assert len(data) == 4 + len(text.encode("utf-16-le", "surrogatepass"))
    assert Reader(data, version=version, byte_order=order).read_qstring() == text


READ_METHODS = ["read_i8", "read_u16", "read_i32", "read_u64", "read_i64", "read_bool", "read_float",  # noqa: E501
                "read_double", "read_qchar", "read_qstring", "read_qbytearray", "read_bytes",
                "read_charptr", "read_qstringlist", "read_variant", "read_host_address"]  # fmt: skip  # noqa: E501


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=200),
    methods=st.lists(st.sampled_from(READ_METHODS), min_size=1, max_size=6),
    version=st.integers(1, 25),
    order=st.sampled_from([BE, LE]),
    precision=st.sampled_from([SINGLE, DOUBLE]),
    tx=st.booleans(),
)
def test_property_decoder_never_raises(
    data: bytes, methods: list[str], version: int, order: ByteOrder, precision: int, tx: bool
) -> None:
    r = Reader(data, version=version, byte_order=order, precision=precision)
    if tx:
        r.start_transaction()
    for m in methods:
        getattr(r, m)()
    assert 0 <= r.pos <= len(data)
    assert r.status in set(Status)
    if tx:
        r.commit_transaction()
    assert not math.isnan(float(r.pos))
