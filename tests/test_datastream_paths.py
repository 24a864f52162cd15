"""QDataStream's shortcuts agree with the general paths and with Qt.

QDataStream reads a QByteArray directly (building the QBuffer Qt would use only
when needed) and decodes values in place from a qtnet device's buffer
(``QIODevice._read_window``/``_consume``).  These tests hold those shortcuts to
what they stand for:

* the same scenarios on QByteArray-backed streams run here and in PySide6
  must log the same values, statuses, bytes and device states;
* reading the same bytes (whole, truncated at every length, corrupt), with and
  without a transaction, through every kind of input -- in-memory copy, live
  array, QBuffer, fed sequential device, readData() device (buffered and
  unbuffered), and a foreign device only reachable through ``read()`` -- must
  give the same values, statuses, consumption and end state;
* writing through the in-memory shortcut must give the bytes a QBuffer gets.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
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
UNBUFFERED = QIODevice.OpenModeFlag.Unbuffered

# -- in-memory streams: the same scenarios in PySide6 and here ---------------------------------

MEMORY_SCENARIOS = r"""
log = []

def rec(label, value):
    if type(value).__name__ == "QByteArray":
        value = "ba:" + bytes(value).hex()
    elif isinstance(value, bytes):
        value = "b:" + value.hex()
    elif isinstance(value, float):
        value = "f:" + value.hex()
    elif not isinstance(value, (bool, int, str, type(None))):
        value = int(getattr(value, "value", value))  # enums (PySide6's are not ints)
    log.append([label, value])

WO, RO = QIODevice.WriteOnly, QIODevice.ReadOnly
AP, TR = QIODevice.Append, QIODevice.Truncate

def device_state(label, s):
    d = s.device()
    rec(label + ".pos", d.pos()); rec(label + ".size", d.size())
    rec(label + ".openMode", d.openMode()); rec(label + ".tx", d.isTransactionStarted())

# Append: writes land after what is there; the device shows up afterwards.
ba = QByteArray(b"head")
s = QDataStream(ba, AP)
s.writeUInt16(0x4142); s.writeQString("hi"); rec("append.ba", ba); rec("append.atEnd", s.atEnd())
device_state("append", s)
s.writeInt8(-1); s << "x"; rec("append.ba2", ba); device_state("append2", s)

# WriteOnly on a non-empty array: QBuffer writes over it from the start, then extends.
ba = QByteArray(b"0123456789")
s = QDataStream(ba, WO)
rec("over.atEnd0", s.atEnd())
s.writeUInt16(0x4142); rec("over.ba", ba); rec("over.atEnd1", s.atEnd())
s.writeQString("xyz"); rec("over.ba2", ba); rec("over.atEnd2", s.atEnd())
s.writeInt64(-2); rec("over.ba3", ba); device_state("over", s)

# Truncate empties the array when the stream is made.
ba = QByteArray(b"0123")
s = QDataStream(ba, WO | TR)
rec("trunc.ba0", ba); s.writeUInt8(7); rec("trunc.ba", ba); device_state("trunc", s)

# ReadOnly on an array: reads see what the owner appends later.
ba = QByteArray(b"")
s = QDataStream(ba, RO)
rec("live.atEnd0", s.atEnd())
ba.append(QByteArray(bytes.fromhex("00000002 0061")))
rec("live.atEnd1", s.atEnd()); rec("live.str", s.readQString()); rec("live.status", s.status())
ba.append(QByteArray(bytes.fromhex("00000007 0102")))
rec("live.u32", s.readUInt32()); rec("live.i16", s.readInt16()); rec("live.u8", s.readUInt8())
rec("live.status2", s.status()); rec("live.atEnd2", s.atEnd()); device_state("live", s)

# The one-argument constructor reads a copy: later changes to the array do not show.
ba = QByteArray(bytes.fromhex("0001 0002"))
s = QDataStream(ba)
ba.clear()
rec("copy.u16", s.readUInt16()); rec("copy.i16", s.readInt16()); rec("copy.atEnd", s.atEnd())
rec("copy.more", s.readUInt8()); rec("copy.status", s.status()); device_state("copy", s)

# Reading a write-only stream, writing a read-only one.
ba = QByteArray(bytes.fromhex("0005"))
s = QDataStream(ba, WO)
rec("wo.read", s.readUInt16()); rec("wo.status", s.status())
s.resetStatus(); s.writeUInt8(1); rec("wo.ba", ba); device_state("wo", s)
s = QDataStream(QByteArray(b"ab"))
s.writeUInt8(1); rec("ro.status", s.status()); rec("ro.read", s.readUInt8())
rec("ro.status2", s.status())

# Transactions on an in-memory stream, and the device appearing in the middle of one.
s = QDataStream(QByteArray(bytes.fromhex("00000004 0061")))
s.startTransaction(); rec("tx.str", s.readQString()); rec("tx.commit", s.commitTransaction())
rec("tx.status", s.status()); device_state("tx", s)
s = QDataStream(QByteArray(bytes.fromhex("0001 0002 0003")))
s.readUInt16(); s.startTransaction(); rec("tx2.u16", s.readUInt16())
rec("tx2.started", s.isDeviceTransactionStarted()); device_state("tx2", s)
s.rollbackTransaction(); rec("tx2.status", s.status()); device_state("tx2b", s)
s.resetStatus(); rec("tx2.again", s.readUInt16())
ba = QByteArray(bytes.fromhex("0001 0002"))
s = QDataStream(ba, RO)
s.startTransaction(); s.readUInt16(); s.startTransaction(); s.readUInt16(); s.readUInt16()
rec("tx3.inner", s.commitTransaction()); rec("tx3.outer", s.commitTransaction())
rec("tx3.status", s.status()); device_state("tx3", s)

# The legacy fortune block: size placeholder, device().seek(0), the size.
ba = QByteArray()
s = QDataStream(ba, WO)
s.setVersion(QDataStream.Qt_4_0)
s.writeUInt16(0); s.writeQString("You might have mail."); s.device().seek(0)
s.writeUInt16(ba.size() - 2); rec("fortune.ba", ba); s.writeUInt8(9); rec("fortune.ba2", ba)

# Raw data and skipping.
s = QDataStream(QByteArray(b"abcdef"))
rec("raw.skip2", s.skipRawData(2)); rec("raw.read2", s.readRawData(2))
rec("raw.skip10", s.skipRawData(10)); rec("raw.status", s.status()); rec("raw.atEnd", s.atEnd())
s = QDataStream(QByteArray(b"ab"))
rec("raw.skipneg", s.skipRawData(-1)); rec("raw.status2", s.status())

# A latched status blocks writes until it is reset.
ba = QByteArray()
s = QDataStream(ba, WO)
s.setStatus(QDataStream.ReadPastEnd); s.writeQString("x"); s.writeInt32(1); rec("latch.ba", ba)
s.resetStatus(); s.writeQString("x"); s.writeInt32(1); rec("latch.ba2", ba)

# Old versions and the other byte order go through the codec's general paths.
ba = QByteArray()
s = QDataStream(ba, WO)
s.setVersion(QDataStream.Qt_3_0); s.setByteOrder(QDataStream.LittleEndian)
s.writeInt64(-2); s.writeQString("h\u00e9"); s.writeQString(None); s.writeUInt32(7)
rec("old.ba", ba)
r = QDataStream(QByteArray(ba))
r.setVersion(QDataStream.Qt_3_0); r.setByteOrder(QDataStream.LittleEndian)
rec("old.i64", r.readInt64()); rec("old.s", r.readQString()); rec("old.null", r.readQString())
rec("old.u32", r.readUInt32()); rec("old.status", r.status())
ba = QByteArray()
s = QDataStream(ba, WO)
s.setByteOrder(QDataStream.LittleEndian); s.writeQString("le"); s.writeUInt16(3); s.writeDouble(0.5)
rec("le.ba", ba)
r = QDataStream(QByteArray(ba)); r.setByteOrder(QDataStream.LittleEndian)
rec("le.s", r.readQString()); rec("le.u16", r.readUInt16()); rec("le.d", r.readDouble())

# Null and empty arrays as targets.
ba = QByteArray()
s = QDataStream(ba, WO)
rec("null.0", ba.isNull()); s.writeRawData(b""); rec("null.1", ba.isNull())
s.writeUInt8(1); rec("null.2", ba.isNull()); rec("null.ba", ba)
"""

PEER = r"""
import json, sys
from PySide6.QtCore import QByteArray, QDataStream, QIODevice
exec(sys.stdin.read())
print(json.dumps(log))
"""


def test_in_memory_streams_match_pyside6() -> None:
    qt_log = pyside6_json(PEER.replace("exec(sys.stdin.read())", MEMORY_SCENARIOS), None)
    namespace: dict[str, Any] = {
        "QByteArray": QByteArray,
        "QDataStream": QDataStream,
        "QIODevice": QIODevice,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Qt prints the same warnings
        exec(MEMORY_SCENARIOS, namespace)
    mine = namespace["log"]
    assert [x[0] for x in mine] == [x[0] for x in qt_log]
    diffs = [(t, m) for t, m in zip(qt_log, mine, strict=True) if t != m]
    assert not diffs, "\n".join(f"{t[0]}: Qt={t[1]!r} qtnet={m[1]!r}" for t, m in diffs)


# -- every input kind reads the same ------------------------------------------------------------


class FedDevice(QIODevice):
    """The socket read side: bytes arrive in the QIODevice buffer (_feed)."""

    def isSequential(self) -> bool:  # noqa: N802
        return True


class PullDevice(QIODevice):
    """A sequential device serving readData() from a Python buffer."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.pending = bytearray(data)

    def isSequential(self) -> bool:  # noqa: N802
        return True

    def bytesAvailable(self) -> int:  # noqa: N802
        return len(self.pending) + super().bytesAvailable()

    def readData(self, maxlen: int) -> bytes:  # noqa: N802
        chunk = bytes(self.pending[:maxlen])
        del self.pending[:maxlen]
        return chunk


class ForeignDevice:
    """A device QDataStream can only use through the public QIODevice API
    (read, bytesAvailable, transactions ...): the general path, as reference."""

    def __init__(self, inner: QIODevice) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)  # no _read_window/_consume: no shortcuts
        return getattr(self.inner, name)


def _fed(data: bytes) -> QIODevice:
    dev = FedDevice()
    dev.open(RO)
    dev._feed(data)
    return dev


def _pulling(data: bytes, unbuffered: bool) -> QIODevice:
    dev = PullDevice(data)
    dev.open(RO | UNBUFFERED if unbuffered else RO)
    return dev


def _buffer(data: bytes) -> QIODevice:
    buf = QBuffer(QByteArray(data))
    buf.open(RO)
    return buf


def _on_foreign_device(data: bytes) -> QDataStream:
    s = QDataStream()
    s.setDevice(ForeignDevice(_fed(data)))  # the constructor takes QIODevices only
    return s


INPUTS: dict[str, Callable[[bytes], QDataStream]] = {
    "reference": _on_foreign_device,
    "copy": lambda d: QDataStream(d),
    "live": lambda d: QDataStream(QByteArray(d), RO),
    "qbuffer": lambda d: QDataStream(_buffer(d)),
    "fed": lambda d: QDataStream(_fed(d)),
    "pulled": lambda d: QDataStream(_pulling(d, False)),
    "pulled-unbuffered": lambda d: QDataStream(_pulling(d, True)),
}

READS: dict[str, Callable[[QDataStream], Any]] = {
    "i8": QDataStream.readInt8, "u8": QDataStream.readUInt8, "i16": QDataStream.readInt16,
    "u16": QDataStream.readUInt16, "i32": QDataStream.readInt32, "u32": QDataStream.readUInt32,
    "i64": QDataStream.readInt64, "u64": QDataStream.readUInt64, "bool": QDataStream.readBool,
    "float": QDataStream.readFloat, "double": QDataStream.readDouble,
    "qchar": QDataStream.readQChar, "qstring": QDataStream.readQString,
    "qstringlist": QDataStream.readQStringList, "variant": QDataStream.readQVariant,
    "bytes": QDataStream.readBytes, "raw3": lambda s: s.readRawData(3),
    "skip2": lambda s: s.skipRawData(2),
}  # fmt: skip


def _plain(v: Any) -> Any:
    """A comparable form of a read result (bytes-likes as hex, floats exactly)."""
    if isinstance(v, (bytes, bytearray)):
        return ("b", bytes(v).hex(), getattr(v, "isNull", lambda: None)())
    if isinstance(v, float):
        return ("f", "nan" if math.isnan(v) else v.hex())
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


def _read_all(
    make: Callable[[bytes], QDataStream],
    data: bytes,
    ops: list[str],
    version: int,
    order: int,
    tx: bool,
) -> list[Any]:
    s = make(data)
    s.setVersion(version)
    s.setByteOrder(order)
    out: list[Any] = []
    if tx:
        s.startTransaction()
    for op in ops:
        out.append((op, _plain(READS[op](s)), int(s.status())))
    if tx:
        out.append(("commit", s.commitTransaction(), int(s.status())))
    out.append(("atEnd", s.atEnd()))
    dev = s.device()
    out.append(("left", int(dev.bytesAvailable()), bool(dev.isTransactionStarted())))
    return out


def _all_inputs_agree(data: bytes, ops: list[str], version: int, order: int, tx: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        results = {
            name: _read_all(make, data, ops, version, order, tx) for name, make in INPUTS.items()
        }
    ref = results.pop("reference")
    for name, got in results.items():
        assert got == ref, f"{name} differs for {data.hex()} {ops} v{version} o{order} tx={tx}"


def _message(version: int, order: int) -> bytes:
    ba = QByteArray()
    s = QDataStream(ba, WO)
    s.setVersion(version)
    s.setByteOrder(order)
    s.writeInt8(-1)
    s.writeQString("Hello, fortune!")
    s.writeUInt16(0xBEEF)
    s.writeInt64(-(1 << 40))
    s.writeQString("")
    s.writeQString(None)
    s.writeDouble(0.1)
    s.writeQVariant({"k": [1, "x"]})
    s.writeBytes(b"raw")
    s.writeQString("é€😀")
    s.writeUInt32(7)
    return bytes(ba)


MESSAGE_OPS = ["i8", "qstring", "u16", "i64", "qstring", "qstring", "double", "variant",
               "bytes", "qstring", "u32", "qstring"]  # fmt: skip


@pytest.mark.parametrize("version, order", [(24, 0), (17, 1), (4, 0), (1, 1)])
@pytest.mark.parametrize("tx", [False, True])
def test_every_input_reads_every_truncation_alike(version: int, order: int, tx: bool) -> None:
    full = _message(version, order)
    for cut in range(len(full) + 1):
        _all_inputs_agree(full[:cut], MESSAGE_OPS, version, order, tx)


CORRUPT = [
    bytes.fromhex("00000003 006100 07"),  # odd QString size
    bytes.fromhex("ffffffff 0001"),  # null QString, then a value
    bytes.fromhex("fffffffe 00000000 00000002 0061"),  # 64-bit size marker (Qt 6.7+)
    bytes.fromhex("fffffff0 6162636465666768"),  # huge size, few bytes
    bytes.fromhex("00000004 d800 dc00 00000002 dc00"),  # surrogate pair, lone low surrogate
    bytes.fromhex("00000002 d800"),  # lone high surrogate at the end
    bytes.fromhex("00000000 00000006 00610062"),  # empty string, short string
]


@pytest.mark.parametrize("data", CORRUPT, ids=lambda d: d.hex())
@pytest.mark.parametrize("tx", [False, True])
def test_odd_sizes_markers_and_surrogates_read_alike(data: bytes, tx: bool) -> None:
    for version in (24, 21, 6):
        for ops in (["qstring", "u8", "qstring", "qstring"], ["qstring", "u16", "u32", "qstring"]):
            _all_inputs_agree(data, ops, version, 0, tx)


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=40),
    ops=st.lists(st.sampled_from(sorted(READS)), min_size=1, max_size=6),
    version=st.sampled_from([24, 22, 17, 6, 3]),
    order=st.sampled_from([0, 1]),
    tx=st.booleans(),
)
def test_random_bytes_read_alike(
    data: bytes, ops: list[str], version: int, order: int, tx: bool
) -> None:
    _all_inputs_agree(data, ops, version, order, tx)


def test_errors_inside_a_transaction_stop_the_shortcuts() -> None:
    # After ReadCorruptData inside a transaction Qt reads nothing more; the
    # in-place paths must not either (the byte after the bad size stays put).
    data = bytes.fromhex("00000003 0061 00 0001 00000002 0062")
    for name, make in INPUTS.items():
        s = make(data)
        s.startTransaction()
        assert s.readQString() == "" and s.status() == QDataStream.ReadCorruptData, name
        assert (s.readUInt16(), s.readQString(), s.readInt8()) == (0, "", 0), name
        assert s.status() == QDataStream.ReadCorruptData, name
        s.abortTransaction()
        assert s.device().bytesAvailable() == len(data) - 4, name


# -- the fortune client's loop on a fed device, split at every byte ----------------------------


def test_fed_device_transaction_at_every_split() -> None:
    msgs = ["first fortune", "", "é€😀 second", "third one, a little longer than the others"]
    wire = bytearray()
    for m in msgs:
        ba = QByteArray()
        QDataStream(ba, WO).writeQString(m)
        wire += ba
    for split in range(len(wire) + 1):
        for kind in ("fed", "pulled", "pulled-unbuffered"):
            if kind == "fed":
                dev = _fed(bytes(wire[:split]))
            else:
                dev = _pulling(bytes(wire[:split]), kind.endswith("unbuffered"))
            s = QDataStream(dev)
            got: list[str] = []
            for rest in (bytes(wire[split:]), b""):
                while True:
                    s.startTransaction()
                    text = s.readQString()
                    if not s.commitTransaction():
                        break
                    got.append(text)
                if isinstance(dev, PullDevice):
                    dev.pending += rest
                else:
                    dev._feed(rest)
            assert got == msgs, (kind, split)
            assert s.atEnd() and s.status() == QDataStream.ReadPastEnd


def test_consume_calls_a_wrapped_take() -> None:
    # A socket wraps _take on the instance to resume reading as its buffer
    # drains; in-place reads must go through that wrapper too.
    taken: list[int] = []
    dev = _fed(bytes.fromhex("00000002 0061 0007"))

    def watching_take(n: int) -> QByteArray:
        taken.append(n)
        return QIODevice._take(dev, n)

    dev._take = watching_take  # type: ignore[method-assign]
    s = QDataStream(dev)
    assert s.readQString() == "a" and s.readUInt16() == 7
    assert taken == [6, 2] and dev.bytesAvailable() == 0

    class WrappingDevice(FedDevice):
        def _take(self, n: int) -> QByteArray:
            taken.append(-n)
            return super()._take(n)

    dev2 = WrappingDevice()
    dev2.open(RO)
    dev2._feed(bytes.fromhex("0007"))
    assert QDataStream(dev2).readUInt16() == 7 and taken[-1] == -2


# -- writing: the in-memory shortcut gives what a QBuffer gets ------------------------------------

WRITES: list[tuple[str, Any]] = [
    ("writeInt8", -5), ("writeUInt8", 250), ("writeInt16", -300), ("writeUInt16", 60000),
    ("writeInt32", -70000), ("writeUInt32", 4000000000), ("writeInt64", -(1 << 40)),
    ("writeUInt64", 1 << 63), ("writeBool", True), ("writeFloat", 0.1), ("writeDouble", -2.5),
    ("writeQChar", "é"), ("writeQString", "fortune"), ("writeQString", None),
    ("writeQString", "x" * 600), ("writeQStringList", ["a", "b"]),
    ("writeQVariant", {"k": [1, 2.5]}), ("writeBytes", b"ab"), ("writeRawData", b"cd"),
    ("writeInt32", 3.0), ("writeUInt8", False),
]  # fmt: skip


@pytest.mark.parametrize(
    "version, order, precision", [(24, 0, 1), (17, 1, 0), (4, 0, 1), (1, 1, 1)]
)
def test_in_memory_writes_equal_qbuffer_writes(version: int, order: int, precision: int) -> None:
    def run(s: QDataStream) -> None:
        s.setVersion(version)
        s.setByteOrder(order)
        s.setFloatingPointPrecision(precision)
        for name, value in WRITES:
            getattr(s, name)(value)

    ba = QByteArray()
    run(QDataStream(ba, WO))
    ref = QByteArray()
    buf = QBuffer(ref)
    buf.open(WO)
    run(QDataStream(buf))
    assert bytes(ba) == bytes(ref) and not ba.isNull()


def test_writes_after_the_owner_changes_the_array_follow_qbuffer() -> None:
    def run(s: QDataStream, ba: QByteArray) -> None:
        s.writeUInt32(1)
        ba.clear()  # the position stays at 4, as in a QBuffer
        s.writeUInt16(2)
        ba += b"zzzzzzzz"
        s.writeQString("q")
        s.writeInt8(3)

    mine = QByteArray()
    run(QDataStream(mine, WO), mine)
    ref = QByteArray()
    buf = QBuffer(ref)
    buf.open(WO)
    run(QDataStream(buf), ref)
    assert bytes(mine) == bytes(ref)


def test_out_of_range_and_wrong_types_raise_before_writing() -> None:
    ba = QByteArray()
    s = QDataStream(ba, WO)
    with pytest.raises(OverflowError):
        s.writeInt8(200)
    with pytest.raises(OverflowError):
        s.writeUInt64(-1)
    with pytest.raises(TypeError):
        s.writeInt32("1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        s.writeQString(b"x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        s.writeQVariant(object())
    s.writeUInt8(1)  # nothing half-written before: only this byte
    assert bytes(ba) == b"\x01" and s.status() == QDataStream.Ok


def test_every_constructor_leaves_a_complete_stream() -> None:
    # The per-message constructor sets the codec state inline; every slot of
    # every form must be set, so no later path trips over a missing one.
    slots = [n for cls in QDataStream.__mro__ for n in getattr(cls, "__slots__", ())]
    slots = [n for n in slots if n not in ("__dict__", "__weakref__", "_wpos")]
    forms = [
        QDataStream(), QDataStream(None), QDataStream(b"ab"), QDataStream(QByteArray(b"ab")),
        QDataStream(memoryview(b"ab")), QDataStream(QByteArray(b"ab"), RO),
        QDataStream(QByteArray(b"ab"), WO), QDataStream(QByteArray(b"ab"), RO | WO),
        QDataStream(_fed(b"ab")),
    ]  # fmt: skip
    reference = QDataStream(_fed(b""))
    for s in forms:
        for name in slots:
            getattr(s, name)  # raises AttributeError if never set
        assert (s.version(), s.byteOrder(), s.floatingPointPrecision(), s.status()) == (
            reference.version(), reference.byteOrder(), reference.floatingPointPrecision(),
            reference.status(),
        )  # fmt: skip
