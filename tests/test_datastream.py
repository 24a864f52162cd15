"""QDataStream (the Qt API class) over QByteArray, QBuffer and custom QIODevices.

Mirrors the in-scope rows of Qt's tst_qdatastream (see the reference's section 12)
plus PySide6's Python-level behaviour (constructors, return values, ``<<``/``>>``).
"""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peers import pyside6_json
from qtnet.qt.buffer import QBuffer
from qtnet.qt.bytearray import QByteArray
from qtnet.qt.datastream import QDataStream
from qtnet.qt.iodevice import QIODevice

RO = QIODevice.OpenModeFlag.ReadOnly
WO = QIODevice.OpenModeFlag.WriteOnly
RW = QIODevice.OpenModeFlag.ReadWrite


class SequentialBuffer(QIODevice):
    """A sequential device over a growing byte buffer (like a socket's read side)."""

    def __init__(self, data: bytes = b"") -> None:
        super().__init__()
        self.data = bytearray(data)

    def isSequential(self) -> bool:
        return True

    def bytesAvailable(self) -> int:
        return len(self.data) + super().bytesAvailable()

    def readData(self, maxlen: int) -> bytes:
        chunk = bytes(self.data[:maxlen])
        del self.data[:maxlen]
        return chunk

    def writeData(self, data: bytes) -> int:
        self.data += data
        return len(data)


class RefusingDevice(QIODevice):
    """Accepts writes only while ``accept`` is true (tst_qdatastream stream_writeError)."""

    def __init__(self) -> None:
        super().__init__()
        self.accept = False
        self.written = bytearray()

    def isSequential(self) -> bool:
        return True

    def readData(self, maxlen: int) -> bytes:
        return b""

    def writeData(self, data: bytes) -> int:
        if not self.accept:
            return -1
        self.written += data
        return len(data)


def written(fn: Any, **settings: Any) -> bytes:
    ba = QByteArray()
    s = QDataStream(ba, WO)
    if "version" in settings:
        s.setVersion(settings["version"])
    if "order" in settings:
        s.setByteOrder(settings["order"])
    fn(s)
    return bytes(ba)


# -- enums and basic accessors --------------------------------------------------------------


def test_enums_like_pyside6() -> None:
    assert QDataStream.ReadOnly == QIODevice.ReadOnly == 1  # QDataStream is a QIODeviceBase
    assert QDataStream.Qt_5_10 == 17 and QDataStream.Version.Qt_5_10 == 17
    assert QDataStream.Qt_4_0 == 7 and QDataStream.Qt_DefaultCompiledVersion == 24
    assert QDataStream.ReadPastEnd == QDataStream.Status.ReadPastEnd == 1
    assert QDataStream.SizeLimitExceeded == 4 and QDataStream.WriteFailed == 3
    assert QDataStream.BigEndian == 0 and QDataStream.ByteOrder.LittleEndian == 1
    assert (
        QDataStream.SinglePrecision == 0 and QDataStream.FloatingPointPrecision.DoublePrecision == 1
    )
    s = QDataStream()
    assert s.version() == 24 and s.byteOrder() == QDataStream.BigEndian
    assert s.floatingPointPrecision() == QDataStream.DoublePrecision
    assert s.status() == QDataStream.Ok


def test_get_set_check() -> None:
    s = QDataStream()
    buf = QBuffer()
    s.setDevice(buf)
    assert s.device() is buf
    s.setDevice(None)
    assert s.device() is None
    s.setStatus(QDataStream.Ok)
    s.setStatus(QDataStream.ReadPastEnd)
    assert s.status() == QDataStream.ReadPastEnd
    s.setStatus(QDataStream.ReadCorruptData)  # only an Ok status changes
    assert s.status() == QDataStream.ReadPastEnd
    s.resetStatus()
    s.setStatus(QDataStream.ReadCorruptData)
    assert s.status() == QDataStream.ReadCorruptData
    s.setVersion(QDataStream.Qt_5_15)
    assert s.version() == 19


def test_no_device() -> None:
    s = QDataStream()
    assert s.atEnd()
    assert s.readInt32() == 0 and s.readQString() == "" and s.status() == QDataStream.Ok
    s.writeInt32(1)
    assert s.status() == QDataStream.Ok
    s.startTransaction()
    assert s.commitTransaction() is False


# -- constructors -----------------------------------------------------------------------------


def test_bytearray_constructors() -> None:
    ba = QByteArray(b"xyz")
    QDataStream(ba, WO).writeUInt8(65)
    assert bytes(ba) == b"Ayz"  # QBuffer without Truncate writes over the start
    ba = QByteArray(b"xyz")
    QDataStream(ba, QIODevice.OpenModeFlag.Append).writeUInt8(65)
    assert bytes(ba) == b"xyzA"
    ba = QByteArray(b"xyz")
    s = QDataStream(ba)  # read-only over a copy
    assert s.readUInt8() == ord("x")
    with pytest.warns(RuntimeWarning, match="ReadOnly device"):  # Qt prints the same warning
        s.writeUInt8(65)
    assert s.status() == QDataStream.WriteFailed and bytes(ba) == b"xyz"
    for data in (b"\x00\x07", bytearray(b"\x00\x07"), memoryview(b"\x00\x07")):
        assert QDataStream(data).readUInt16() == 7


def test_stream_to_and_from_same_bytearray() -> None:
    ba = QByteArray()
    QDataStream(ba, WO).writeUInt32(0xDEADBEEF)
    assert QDataStream(ba, RO).readUInt32() == 0xDEADBEEF


# -- tst_qdatastream stream_* -------------------------------------------------------------------

STRINGS = [
    "A",
    "",
    "text\nCRLF\r\nmore",
    "This is a long line of ASCII text, with punctuation: ;.!?-()[]{}<>*&^%$#@~",
    "Her er det noe tekst",
    "é€😀",
]


@pytest.mark.parametrize("order", [QDataStream.BigEndian, QDataStream.LittleEndian])
@pytest.mark.parametrize("device", ["bytearray", "buffer"])
def test_stream_qstring(order: int, device: str) -> None:
    ba = QByteArray()
    buf = QBuffer(ba)
    if device == "buffer":
        buf.open(WO)
        out = QDataStream(buf)
    else:
        out = QDataStream(ba, WO)
    out.setByteOrder(order)
    for text in STRINGS + [None]:
        out.writeQString("test")
        out.writeQString(text)
    out.writeQString("test")
    if device == "buffer":
        buf.close()
    inp = QDataStream(ba)
    inp.setByteOrder(order)
    for text in STRINGS + [None]:
        assert inp.readQString() == "test"
        assert inp.readQString() == (text or "")
    assert inp.readQString() == "test"
    assert inp.status() == QDataStream.Ok and inp.atEnd()
    # Null and empty differ on the wire even though both read back as ''.
    assert written(lambda s: s.writeQString(None)) == b"\xff\xff\xff\xff"
    assert written(lambda s: s.writeQString("")) == b"\x00\x00\x00\x00"


def test_stream_qbytearray_null_and_empty() -> None:
    ba = QByteArray()
    s = QDataStream(ba, WO)
    s << QByteArray(b"hallo") << QByteArray(b"") << QByteArray()
    assert bytes(ba) == bytes.fromhex("00000005 68616c6c6f 00000000 ffffffff")
    r = QDataStream(ba)
    a, b, c = QByteArray(b"x"), QByteArray(b"x"), QByteArray(b"x")
    r >> a >> b >> c
    assert bytes(a) == b"hallo" and not a.isNull()
    assert bytes(b) == b"" and not b.isNull()
    assert bytes(c) == b"" and c.isNull()
    assert r.status() == QDataStream.Ok and r.atEnd()


def test_stream_at_end_on_presized_truncated_buffer() -> None:
    ba = QByteArray(b"\x00" * 10000)
    buf = QBuffer(ba)
    buf.open(WO | QIODevice.OpenModeFlag.Truncate)
    s = QDataStream(buf)
    s.writeInt32(5)
    s.writeQString("end")
    buf.close()
    buf.open(RO)
    r = QDataStream(buf)
    assert r.readInt32() == 5 and r.readQString() == "end"
    assert r.atEnd() and r.status() == QDataStream.Ok


def test_write_error_is_sticky() -> None:
    dev = RefusingDevice()
    dev.open(WO)
    s = QDataStream(dev)
    writes = [
        lambda: s.writeBool(True), lambda: s.writeInt8(1), lambda: s.writeUInt8(1),
        lambda: s.writeInt16(1), lambda: s.writeUInt16(1), lambda: s.writeInt32(1),
        lambda: s.writeUInt32(1), lambda: s.writeInt64(1), lambda: s.writeUInt64(1),
        lambda: s.writeFloat(1.0), lambda: s.writeDouble(1.0), lambda: s.writeQString("x"),
        lambda: s.writeBytes(b"x"), lambda: s.writeRawData(b"x"),
    ]  # fmt: skip
    for w in writes:
        s.resetStatus()
        w()
        assert s.status() == QDataStream.WriteFailed
        assert bytes(dev.written) == b""
    dev.accept = True
    for w in writes:
        w()  # the status is still WriteFailed: nothing reaches the device
    assert bytes(dev.written) == b"" and s.status() == QDataStream.WriteFailed
    assert s.writeRawData(b"abc") == -1
    s.resetStatus()
    assert s.writeRawData(b"abc") == 3 and bytes(dev.written) == b"abc"


def test_read_error_blocks_writes_too() -> None:
    ba = QByteArray()
    s = QDataStream(ba, RW)
    s.readInt32()
    assert s.status() == QDataStream.ReadPastEnd
    s.writeInt32(7)  # Qt writes nothing while any error status is set
    assert bytes(ba) == b""


def test_floating_point_precision_sizes() -> None:
    def body(s: QDataStream) -> None:
        s.writeFloat(123.0)
        s.writeDouble(234.0)
        s.setFloatingPointPrecision(QDataStream.SinglePrecision)
        s.writeFloat(123.0)
        s.writeDouble(234.0)

    data = written(body)
    assert len(data) == 8 + 8 + 4 + 4
    r = QDataStream(QByteArray(data))
    assert (r.readFloat(), r.readDouble()) == (123.0, 234.0)
    r.setFloatingPointPrecision(QDataStream.SinglePrecision)
    assert (r.readFloat(), r.readDouble()) == (123.0, 234.0)


def test_status_reads_through_the_api() -> None:
    for data, expected in [(b"\x00\x00\x00\x25", 37), (b"\x25\x00\x00\x00", 37)]:
        s = QDataStream(QByteArray(data + b"zz"))
        s.setByteOrder(QDataStream.BigEndian if data[0] == 0 else QDataStream.LittleEndian)
        assert s.readInt32() == expected and s.status() == QDataStream.Ok
    for cut in range(4):
        s = QDataStream(QByteArray(b"\x00\x00\x00\x25"[:cut]))
        assert s.readInt32() == 0 and s.status() == QDataStream.ReadPastEnd
    s = QDataStream(QByteArray(bytes.fromhex("00000003 006100 07")))
    assert s.readQString() == "" and s.status() == QDataStream.ReadCorruptData
    assert s.readUInt8() == 0  # resumes right after the length field
    s = QDataStream(QByteArray(bytes.fromhex("00000001 00000000")))
    s.setStatus(QDataStream.ReadPastEnd)
    assert s.readQStringList() == [""] and s.status() == QDataStream.ReadPastEnd


def test_raw_bytes_and_skip() -> None:
    def body(s: QDataStream) -> None:
        assert s.writeBytes(b"ab") is s
        assert s.writeRawData(b"cd") == 2
        assert s.writeRawData("é") == 2  # PySide6 takes str as UTF-8
        s.writeBytes(b"")

    data = written(body)
    assert data == bytes.fromhex("00000002 6162 6364 c3a9 00000000")
    r = QDataStream(QByteArray(data))
    assert r.readBytes(0) == b"ab"
    assert r.skipRawData(1) == 1 and r.readRawData(3) == b"d\xc3\xa9"
    assert r.readBytes() is None and r.status() == QDataStream.Ok
    assert r.readRawData(5) == b"" and r.status() == QDataStream.ReadPastEnd


def test_qvariant_and_qchar_api() -> None:
    def body(s: QDataStream) -> None:
        s.writeQVariant({"k": [1, "x", QByteArray(b"b"), None]})
        s.writeQVariant(None)
        s.writeQChar("€")
        s.writeQStringList(["a", "é"])

    r = QDataStream(QByteArray(written(body)))
    v = r.readQVariant()
    assert v == {"k": [1, "x", b"b", None]}
    assert isinstance(v["k"][2], QByteArray)
    assert r.readQVariant() is None
    assert r.readQChar() == "€"
    assert r.readQStringList() == ["a", "é"]
    assert r.atEnd() and r.status() == QDataStream.Ok


def test_shift_operators() -> None:
    data = written(lambda s: s << "ab" << None << b"cd" << QByteArray() << ["x"])
    assert data == bytes.fromhex(
        "00000004 00610062 ffffffff 00000002 6364 ffffffff 0000000b 00 00000001 00000002 0078"
    )
    for bad in (5, True, 1.5, {"a": 1}):
        with pytest.raises(TypeError):
            QDataStream(QByteArray(), WO) << bad
    r = QDataStream(QByteArray(data))
    target = QByteArray(b"zz")
    r >> "" >> QByteArray() >> target  # '' consumes and drops a QString, like PySide6
    assert bytes(target) == b"cd"
    with pytest.raises(TypeError):
        r >> 0


def test_host_addresses_stream_through_the_operators() -> None:
    from qtnet.codecs.datastream import HostAddressWire, Writer
    from qtnet.qt.hostaddress import QHostAddress

    addrs = [QHostAddress(), QHostAddress("127.0.0.1"), QHostAddress("fe80::1%eth0"),
             QHostAddress(QHostAddress.SpecialAddress.Any)]  # fmt: skip
    data = written(lambda s: [s << a for a in addrs])
    w = Writer()
    for wire in (HostAddressWire(-1), HostAddressWire(0, 0x7F000001),
                 HostAddressWire(1, ipv6=bytes.fromhex("fe80" + "00" * 13 + "01"), scope_id="eth0"),
                 HostAddressWire(2)):  # fmt: skip
        w.write_host_address(wire)
    assert data == bytes(w.buffer)  # the class and the codec agree on the wire format
    r = QDataStream(QByteArray(data))
    back = [QHostAddress("9.9.9.9") for _ in addrs]
    for b in back:
        r >> b
    assert [b.toString() for b in back] == [a.toString() for a in addrs]
    assert r.atEnd() and r.status() == QDataStream.Ok


def test_huge_length_over_a_buffer_allocates_nothing() -> None:
    ba = QByteArray(bytes.fromhex("fffffff0 6162636465666768"))
    tracemalloc.start()
    try:
        s = QDataStream(ba)
        s.readQString()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert s.status() == QDataStream.ReadPastEnd and peak < 1 << 20


# -- transactions --------------------------------------------------------------------------------


def _write_everything(s: QDataStream) -> None:
    s.writeInt8(-1)
    s.writeInt16(-2)
    s.writeInt32(-3)
    s.writeInt64(-4)
    s.writeBool(True)
    s.writeFloat(-123.0)
    s.writeDouble(-234.0)
    s.writeQVariant({"a": [1, 2.5, "x"]})
    s.writeQString("Hello world!")
    s.writeBytes(b"bytes")
    s.writeRawData(b"Qt rocks!")


def test_transaction_at_every_split_of_a_sequential_device() -> None:
    full = written(_write_everything)
    for split in range(len(full) + 1):
        dev = SequentialBuffer(full[:split])
        dev.open(RO)
        s = QDataStream(dev)
        while True:
            s.startTransaction()
            vals = (s.readInt8(), s.readInt16(), s.readInt32(), s.readInt64(), s.readBool(),
                    s.readFloat(), s.readDouble(), s.readQVariant(), s.readQString(),
                    s.readBytes(), s.readRawData(9))  # fmt: skip
            if s.commitTransaction():
                break
            assert s.status() == QDataStream.ReadPastEnd
            assert split == 0 or not s.atEnd()
            dev.data += full[split:]
            split = len(full)
        assert s.atEnd()
        assert vals == (-1, -2, -3, -4, True, -123.0, -234.0, {"a": [1, 2.5, "x"]},
                        "Hello world!", b"bytes", b"Qt rocks!")  # fmt: skip


@pytest.mark.parametrize(
    "first, second, success, at_end, status",
    [
        ("abort", "abort", False, True, QDataStream.ReadCorruptData),
        ("abort", "rollback", False, True, QDataStream.ReadCorruptData),
        ("abort", "commit", False, True, QDataStream.ReadCorruptData),
        ("rollback", "abort", False, True, QDataStream.ReadCorruptData),
        ("rollback", "rollback", False, False, QDataStream.ReadPastEnd),
        ("rollback", "commit", False, False, QDataStream.ReadPastEnd),
        ("commit", "abort", False, True, QDataStream.ReadCorruptData),
        ("commit", "rollback", False, False, QDataStream.ReadPastEnd),
        ("commit", "commit", True, True, QDataStream.Ok),
    ],
)
def test_nested_transactions(
    first: str, second: str, success: bool, at_end: bool, status: int
) -> None:
    s = QDataStream(QByteArray(b"\x00"), RO)
    s.startTransaction()
    s.startTransaction()
    assert s.isDeviceTransactionStarted()
    s.readUInt8()
    if first == "commit":
        assert s.commitTransaction() is True
    else:
        getattr(s, f"{first}Transaction")()
    s.startTransaction()
    if second == "commit":
        assert s.commitTransaction() is (first == "commit")
    else:
        getattr(s, f"{second}Transaction")()
    assert s.commitTransaction() is success
    assert s.atEnd() is at_end
    assert s.status() == status
    assert not s.isDeviceTransactionStarted()


def test_transaction_on_random_access_buffer_restores_position() -> None:
    ba = QByteArray(bytes.fromhex("00000004 0061"))
    buf = QBuffer(ba)
    buf.open(RO)
    s = QDataStream(buf)
    s.startTransaction()
    assert s.readQString() == ""
    assert s.commitTransaction() is False and s.status() == QDataStream.ReadPastEnd
    assert buf.pos() == 0
    ba += b"\x00\x62"
    s.startTransaction()
    assert s.readQString() == "ab" and s.commitTransaction() is True


@settings(max_examples=100)
@given(
    st.lists(st.text(), max_size=8),
    st.sampled_from([QDataStream.BigEndian, QDataStream.LittleEndian]),
)
def test_property_strings_round_trip_through_the_api(texts: list[str], order: int) -> None:
    data = written(lambda s: [s.writeQString(t) for t in texts], order=order)
    r = QDataStream(QByteArray(data))
    r.setByteOrder(order)
    assert [r.readQString() for _ in texts] == texts
    assert r.atEnd() and r.status() == QDataStream.Ok


# -- the same API calls in PySide6 give the same bytes and results --------------------------------

API_SCRIPT = r"""
import json, sys
from PySide6.QtCore import QDataStream, QByteArray, QIODevice, QBuffer
out = {}
ba = QByteArray()
s = QDataStream(ba, QIODevice.WriteOnly)
s.setVersion(QDataStream.Qt_4_0)
s.writeUInt16(0)
s.writeString("You might have mail.")
s.device().seek(0)
s.writeUInt16(ba.size() - 2)
out["fortune"] = bytes(ba).hex()
ba = QByteArray()
s = QDataStream(ba, QIODevice.WriteOnly)
s << "ab" << None << b"cd" << QByteArray() << ["x"]
s.writeQVariant({"k": [1, "x", None], "a": 2.5})
s.setByteOrder(QDataStream.LittleEndian)
s.writeQStringList(["a", "é"]); s.writeBytes(b"ab"); s.writeRawData(b"cd"); s.writeInt64(-5)
s.setFloatingPointPrecision(QDataStream.SinglePrecision); s.writeFloat(0.1); s.writeDouble(0.1)
out["mixed"] = bytes(ba).hex()
r = QDataStream(QByteArray(bytes.fromhex("00000004 0061")))
r.startTransaction(); v1 = r.readQString(); c1 = r.commitTransaction(); st1 = r.status().value
r.rollbackTransaction(); st2 = r.status().value
out["tx"] = [v1, c1, st1, st2, r.device().pos()]
print(json.dumps(out))
"""


def test_api_matches_pyside6() -> None:
    qt = pyside6_json(API_SCRIPT)
    ba = QByteArray()
    s = QDataStream(ba, WO)
    s.setVersion(QDataStream.Qt_4_0)
    s.writeUInt16(0)
    s.writeString("You might have mail.")
    s.device().seek(0)
    s.writeUInt16(len(ba) - 2)
    assert bytes(ba).hex() == qt["fortune"]
    assert bytes(ba)[:6] == bytes.fromhex("002c 00000028")

    def mixed(s: QDataStream) -> None:
        s << "ab" << None << b"cd" << QByteArray() << ["x"]
        s.writeQVariant({"k": [1, "x", None], "a": 2.5})
        s.setByteOrder(QDataStream.LittleEndian)
        s.writeQStringList(["a", "é"])
        s.writeBytes(b"ab")
        s.writeRawData(b"cd")
        s.writeInt64(-5)
        s.setFloatingPointPrecision(QDataStream.SinglePrecision)
        s.writeFloat(0.1)
        s.writeDouble(0.1)

    assert written(mixed).hex() == qt["mixed"]
    r = QDataStream(QByteArray(bytes.fromhex("00000004 0061")))
    r.startTransaction()
    v1 = r.readQString()
    c1 = r.commitTransaction()
    st1 = int(r.status())
    r.rollbackTransaction()
    assert [v1, c1, st1, int(r.status()), r.device().pos()] == qt["tx"]
