"""QIODevice and QBuffer: Qt semantics, the subclass contract, and PySide6 agreement.

``SCENARIOS`` is one script body run twice: in a PySide6 subprocess (with
PySide6's classes) and here (with qtnet's).  It drives QBuffer and a small
sequential QIODevice subclass that hands out queued chunks from ``readData``
through reads, peeks, readLine, ungetChar, skip and transactions, logging every
result; the two logs must be equal.  Everything else tests qtnet directly,
including the feeding contract sockets use (``_feed`` + ``_emit_ready_read``).
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from peers import pyside6_json
from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401 - the qapp fixture
from qtnet import QBuffer, QByteArray, QIODevice, QIODeviceBase

SCENARIOS = r'''
log = []

def rec(label, value):
    if type(value).__name__ == "QByteArray":
        value = "ba:" + bytes(value).hex()
    elif isinstance(value, bytes):
        value = "b:" + value.hex()
    elif isinstance(value, tuple):
        value = list(value)
    elif not isinstance(value, (bool, int, str, type(None))):
        value = int(getattr(value, "value", value))  # enums (PySide6's are not ints)
    log.append([label, value])

class Chunks(QIODevice):
    """A sequential device handing out queued chunks from readData()."""
    def __init__(self, chunks):
        super().__init__()
        self.chunks = [bytes(c) for c in chunks]
    def isSequential(self):
        return True
    def readData(self, maxlen):
        if not self.chunks or maxlen == 0:  # Qt calls readData(0) as a "buffer drained" hint
            return b""
        c = self.chunks[0]
        if len(c) > maxlen:
            self.chunks[0] = c[maxlen:]
            return c[:maxlen]
        self.chunks.pop(0)
        return c
    def writeData(self, data, size):  # PySide6's signature
        self.written = size  # PySide6 passes data as a str here
        return size
    def bytesAvailable(self):
        return super().bytesAvailable() + sum(len(c) for c in self.chunks)

def buffer_with(data, mode):
    b = QBuffer()
    b.setData(QByteArray(data))
    rec("open", b.open(mode))
    return b

# -- QBuffer: reading -------------------------------------------------------------
b = buffer_with(b"line1\nline2\r\nrest", QIODevice.ReadOnly)
rec("openMode", b.openMode())
rec("size", b.size())
rec("read3", b.read(3)); rec("pos", b.pos())
rec("peek4", b.peek(4)); rec("pos", b.pos())
rec("readLine", b.readLine()); rec("canReadLine", b.canReadLine())
rec("readLine4", b.readLine(4)); rec("readLine", b.readLine())
rec("readLine", b.readLine()); rec("atEnd", b.atEnd()); rec("readLine", b.readLine())
rec("getChar", b.getChar())
rec("seek2", b.seek(2)); rec("getChar", b.getChar()); rec("bytesAvailable", b.bytesAvailable())
rec("skip4", b.skip(4)); rec("pos", b.pos()); rec("skip100", b.skip(100)); rec("pos", b.pos())
rec("reset", b.reset()); rec("readAll", b.readAll()); rec("read0", b.read(0))
rec("atEnd", b.atEnd())
rec("seek-1", b.seek(-1)); rec("seek99", b.seek(99)); rec("pos", b.pos())
rec("write", b.write(b"x")); rec("isWritable", b.isWritable()); rec("isReadable", b.isReadable())
rec("rcc", b.readChannelCount()); rec("wcc", b.writeChannelCount())
b.close()
rec("closed", b.isOpen()); rec("closedPos", b.pos()); rec("closedRead", b.read(2))
rec("closedAtEnd", b.atEnd()); rec("closedReadLine", b.readLine())
rec("closedGetChar", b.getChar())
rec("closedRcc", b.readChannelCount()); rec("errorString", b.errorString())

# -- QBuffer: text mode -----------------------------------------------------------------
b = buffer_with(b"a\r\nb\rc\n\r\nxyz\r", QIODevice.ReadOnly | QIODevice.Text)
rec("textModeEnabled", b.isTextModeEnabled())
rec("t.readLine", b.readLine()); rec("t.readLine", b.readLine()); rec("t.read3", b.read(3))
rec("t.readAll", b.readAll())
b.seek(0); b.setTextModeEnabled(False); rec("nt.readLine", b.readLine())

# -- QBuffer: writing ---------------------------------------------------------------------
ba = QByteArray(b"abcdef")
b = QBuffer(ba)
rec("w.open", b.open(QIODevice.WriteOnly)); rec("w.size", b.size())
rec("w.write", b.write(b"XY")); rec("w.pos", b.pos()); rec("w.ba", ba)
rec("w.seek10", b.seek(10)); rec("w.ba", ba); rec("w.write", b.write(QByteArray(b"Z")))
rec("w.putChar", b.putChar("!")); rec("w.ba", ba); rec("w.read", b.read(1))
b.close()
rec("a.open", b.open(QIODevice.Append)); rec("a.mode", b.openMode()); rec("a.pos", b.pos())
rec("a.write", b.write(b"++")); rec("a.data", b.data())
b.close()
rec("rw.open", b.open(QIODevice.ReadWrite)); rec("rw.read2", b.read(2))
rec("rw.write", b.write(b"__")); rec("rw.read2", b.read(2)); rec("rw.data", b.data())
b.close()
rec("tr.open", b.open(QIODevice.ReadWrite | QIODevice.Truncate)); rec("tr.size", b.size())
rec("tr.write", b.write(b"new")); rec("tr.seek", b.seek(1)); rec("tr.readAll", b.readAll())
b.close()
rec("notopen.open", b.open(QIODevice.NotOpen))
b2 = QBuffer(); rec("ro.openEmpty", b2.open(QIODevice.ReadOnly)); rec("ro.atEnd", b2.atEnd())
rec("ro.read", b2.read(5)); rec("ro.readAll", b2.readAll()); rec("ro.peek", b2.peek(3))

# -- QBuffer: transactions and ungetChar -------------------------------------------------
b = buffer_with(b"0123456789", QIODevice.ReadOnly)
b.startTransaction(); rec("tx.started", b.isTransactionStarted())
rec("tx.read4", b.read(4)); rec("tx.pos", b.pos())
b.rollbackTransaction(); rec("tx.rolledPos", b.pos()); rec("tx.started", b.isTransactionStarted())
b.startTransaction(); rec("tx.read3", b.read(3)); b.commitTransaction()
rec("tx.committedPos", b.pos())
rec("tx.readAfterCommit", b.read(2))
b.startTransaction(); rec("tx.readLine", b.readLine()); b.rollbackTransaction()
rec("tx.pos", b.pos())
rec("u.getChar", b.getChar()); b.ungetChar("Q"); rec("u.pos", b.pos()); rec("u.read3", b.read(3))
b.startTransaction(); b.ungetChar("W"); rec("u.inTxAtStart", b.read(1)); b.commitTransaction()

# -- a sequential device that reads through readData() -------------------------------------
d = Chunks([b"abc", b"de\nfg", b"h\n", b"", b"tail"])
rec("s.open", d.open(QIODevice.ReadOnly)); rec("s.isSequential", d.isSequential())
rec("s.avail", d.bytesAvailable()); rec("s.pos", d.pos()); rec("s.size", d.size())
rec("s.read2", d.read(2)); rec("s.avail", d.bytesAvailable())
rec("s.peek3", d.peek(3)); rec("s.avail", d.bytesAvailable())
d.startTransaction()
rec("s.tx.read4", d.read(4)); rec("s.tx.avail", d.bytesAvailable())
d.rollbackTransaction(); rec("s.rolledAvail", d.bytesAvailable())
rec("s.readLine", d.readLine()); rec("s.canReadLine", d.canReadLine())
d.startTransaction(); rec("s.tx.readLine", d.readLine()); rec("s.tx.readAll", d.readAll())
d.rollbackTransaction()
rec("s.getChar", d.getChar()); d.ungetChar("Z"); rec("s.read2", d.read(2))
d.startTransaction(); rec("s.tx.read1", d.read(1)); d.commitTransaction()
d.startTransaction(); c = d.getChar(); d.ungetChar(c[1]); rec("s.tx.unget", d.read(2))
d.rollbackTransaction(); rec("s.tx.ungetRolledBack", d.peek(3))
rec("s.seek", d.seek(0)); rec("s.skip2", d.skip(2)); rec("s.readAll", d.readAll())
rec("s.atEnd", d.atEnd()); rec("s.readLine", d.readLine()); rec("s.read", d.read(3))
d.chunks.append(b"more\nlines\n")
rec("s.atEndAfterMore", d.atEnd()); rec("s.readLine", d.readLine())
d.startTransaction(); rec("s.tx.peek", d.peek(3)); rec("s.tx.read", d.read(3))
d.rollbackTransaction()
rec("s.readLine", d.readLine()); rec("s.readLineEmpty", d.readLine())
d1 = Chunks([b"ab", b"cd", b"e", b"", b"f\ng"])
d1.open(QIODevice.ReadOnly)
rec("c.read3", d1.read(3)); rec("c.canReadLine", d1.canReadLine()); rec("c.peek9", d1.peek(9))
rec("c.readAll", d1.readAll()); rec("c.readAll", d1.readAll()); rec("c.readLine", d1.readLine())
rec("c.readLine", d1.readLine()); rec("c.atEnd", d1.atEnd())
d2 = Chunks([b"x" * 40000 + b"\n", b"y"])
d2.open(QIODevice.ReadOnly)
rec("big.readLine", len(d2.readLine())); rec("big.readAll", d2.readAll())
d3 = Chunks([b"abcdef"]); d3.open(QIODevice.ReadOnly | QIODevice.Unbuffered)
rec("unbuf.read2", d3.read(2)); rec("unbuf.canReadLine", d3.canReadLine())
rec("unbuf.readAll", d3.readAll())
d4 = Chunks([b"ab"]); d4.open(QIODevice.WriteOnly)
rec("wo.read", d4.read(1)); rec("wo.write", d4.write(b"xyz")); rec("wo.written", d4.written)

# -- enums ------------------------------------------------------------------------------------
rec("enum.ReadWrite", QIODevice.ReadWrite); rec("enum.Text", QIODevice.OpenModeFlag.Text)
rec("enum.combined", QIODevice.ReadOnly | QIODevice.Unbuffered | QIODevice.Append)
rec("enum.base", QIODeviceBase.ExistingOnly | QIODeviceBase.NewOnly)
'''

PEER = r"""
import json, sys
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QIODeviceBase
exec(sys.stdin.read())
print(json.dumps(log))
"""


def test_matches_pyside6_on_buffer_and_sequential_device_scenarios() -> None:
    proc_log = pyside6_json(PEER.replace("exec(sys.stdin.read())", SCENARIOS), None)
    namespace: dict[str, Any] = {
        "QBuffer": QBuffer,
        "QByteArray": QByteArray,
        "QIODevice": QIODevice,
        "QIODeviceBase": QIODeviceBase,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        exec(SCENARIOS, namespace)
    mine = namespace["log"]
    assert [x[0] for x in mine] == [x[0] for x in proc_log]
    diffs = [(t, m) for t, m in zip(proc_log, mine, strict=True) if t != m]
    assert not diffs, "\n".join(f"{t[0]}: Qt={t[1]!r} qtnet={m[1]!r}" for t, m in diffs)


# -- the feeding contract (how sockets fill the read buffer) ---------------------------------


class FedDevice(QIODevice):
    """Socket-like: bytes arrive through _feed(); readData is not overridden."""

    def isSequential(self) -> bool:  # noqa: N802
        return True

    def arrive(self, data: bytes) -> None:
        self._feed(data)
        self._emit_ready_read()


def fed(*chunks: bytes) -> FedDevice:
    dev = FedDevice()
    dev.open(QIODevice.ReadOnly)
    for c in chunks:
        dev.arrive(c)
    return dev


def test_fed_reads_take_from_the_buffer_and_read_all_hands_it_over() -> None:
    dev = fed(b"hello ", b"world")
    assert dev.bytesAvailable() == 11 and dev.size() == 11 and not dev.atEnd()
    assert dev.read(6) == b"hello " and dev.bytesAvailable() == 5
    internal = dev._rbuf
    everything = dev.readAll()
    assert everything is internal and type(everything) is QByteArray  # no copy
    assert everything == b"world" and dev.bytesAvailable() == 0 and dev.atEnd()
    dev.arrive(b"more")
    assert everything == b"world"  # the handed-over array is the caller's alone
    assert dev.readAll() == b"more" and dev.read(5) == b"" and dev.readAll() == b""


def test_fed_read_line_waits_for_the_newline_across_feeds() -> None:
    dev = fed(b"GET / HT")
    assert not dev.canReadLine()
    assert dev.readLine() == b"GET / HT"  # Qt returns the partial line
    dev.arrive(b"TP/1.1\r")
    dev.arrive(b"\nHost: x\n\n")
    assert dev.canReadLine()
    assert dev.readLine() == b"TP/1.1\r\n"
    assert dev.readLine(5) == b"Host"
    assert dev.readLine() == b": x\n" and dev.readLine() == b"\n" and not dev.canReadLine()


def test_fed_transaction_rollback_restores_and_commit_consumes() -> None:
    dev = fed(b"\x00\x00\x00\x05ab")
    dev.startTransaction()
    assert dev.isTransactionStarted()
    assert dev.read(4) == b"\x00\x00\x00\x05" and dev.read(5) == b"ab"
    assert dev.bytesAvailable() == 0
    dev.rollbackTransaction()  # incomplete message: wait for more
    assert dev.bytesAvailable() == 6 and not dev.isTransactionStarted()
    dev.arrive(b"cde!")
    dev.startTransaction()
    assert dev.read(4) == b"\x00\x00\x00\x05"
    dev.arrive(b"?")  # data arriving during a transaction is kept too
    assert dev.read(5) == b"abcde"
    dev.commitTransaction()
    assert dev.bytesAvailable() == 2 and dev.readAll() == b"!?"
    assert dev._roff == 0 and len(dev._rbuf) == 0


def test_fed_transaction_keeps_data_for_read_all_peek_skip_and_readline() -> None:
    dev = fed(b"line\nrest")
    dev.startTransaction()
    assert dev.peek(3) == b"lin" and dev.readLine() == b"line\n"
    assert dev.skip(2) == 2 and dev.readAll() == b"st" and dev.atEnd()
    with pytest.warns(RuntimeWarning, match="ungetChar .*Called while transaction is in progress"):
        dev.ungetChar("t")
    dev.rollbackTransaction()
    assert dev.readAll() == b"line\nrest"


def test_transaction_misuse_warns_like_qt() -> None:
    dev = fed(b"x")
    with pytest.warns(
        RuntimeWarning,
        match=r"QIODevice::commitTransaction \(FedDevice\): "
        r"Called while no transaction in progress",
    ):
        dev.commitTransaction()
    dev.startTransaction()
    with pytest.warns(RuntimeWarning, match="already in progress"):
        dev.startTransaction()
    dev.setObjectName("dev1")
    with pytest.warns(RuntimeWarning, match=r'\(FedDevice, "dev1"\): Cannot call seek'):
        assert not dev.seek(0)


def test_ready_read_is_not_reemitted_from_its_own_slot() -> None:
    dev = fed()
    seen: list[bytes] = []

    def on_ready_read() -> None:
        seen.append(bytes(dev.readAll()))
        if len(seen) == 1:
            dev.arrive(b"second")  # arrives while the slot runs: no nested readyRead

    channels: list[int] = []
    dev.readyRead.connect(on_ready_read)
    dev.channelReadyRead.connect(channels.append)
    dev.arrive(b"first")
    assert seen == [b"first"] and channels == [0, 0]
    assert dev.bytesAvailable() == 6
    dev.arrive(b"!")
    assert seen == [b"first", b"second!"]


def test_close_emits_about_to_close_and_drops_buffered_data() -> None:
    dev = fed(b"unread")
    events: list[str] = []
    dev.aboutToClose.connect(lambda: events.append(f"about:{dev.isOpen()}"))
    dev.close()
    assert events == ["about:True"] and not dev.isOpen() and dev.bytesAvailable() == 0
    dev.close()
    assert events == ["about:True"]


def test_device_without_hooks_refuses_writes_and_reads_nothing() -> None:
    dev = QIODevice()
    assert dev.errorString() == "Unknown error"
    with pytest.warns(RuntimeWarning, match=r"QIODevice::write \(QIODevice\): device not open"):
        assert dev.write(b"x") == -1
    assert dev.open(QIODevice.ReadWrite)
    assert dev.write(b"x") == -1 and dev.read(3) == b"" and dev.readAll() == b""
    assert not dev.waitForReadyRead(10) and not dev.waitForBytesWritten(10)
    dev.setErrorString("boom")
    assert dev.errorString() == "boom"
    dev.open(QIODevice.ReadOnly)
    assert dev.errorString() == "Unknown error"  # open() clears it, as in Qt
    with pytest.warns(RuntimeWarning, match="ReadOnly device"):
        assert not dev.putChar("a")
    with pytest.warns(RuntimeWarning, match="Called with maxSize < 0"):
        assert dev.read(-1) == b""


class LineDevice(QIODevice):
    """Overrides readLineData: readLine must use it once the buffer has no line."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[int] = []

    def isSequential(self) -> bool:  # noqa: N802
        return True

    def readLineData(self, maxlen: int) -> bytes:  # noqa: N802
        self.calls.append(maxlen)
        return b"custom\n"[:maxlen]


def test_read_line_data_override_is_used_after_the_buffer() -> None:
    dev = LineDevice()
    dev.open(QIODevice.ReadOnly)
    dev._feed(b"buffered\nhalf")
    assert dev.readLine() == b"buffered\n" and dev.calls == []
    assert dev.readLine(10) == b"halfcusto" and dev.calls == [5]


class Memory(QIODevice):
    """A random-access device whose readData/writeData work at pos()."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.data = bytearray(data)

    def size(self) -> int:
        return len(self.data)

    def readData(self, maxlen: int) -> bytes:  # noqa: N802
        return bytes(self.data[self.pos() : self.pos() + maxlen])

    def writeData(self, data: Any) -> int:  # noqa: N802
        self.data[self.pos() : self.pos() + len(data)] = data
        return len(data)


def test_random_access_subclass_reads_and_writes_at_pos() -> None:
    dev = Memory(b"one\ntwo\nthree")
    assert dev.open(QIODevice.ReadWrite)
    assert dev.readLine() == b"one\n" and dev.pos() == 4
    assert dev.peek(3) == b"two" and dev.pos() == 4
    assert dev.readLine() == b"two\n" and dev.pos() == 8
    assert dev.write(b"THR") == 3 and dev.pos() == 11 and dev.data == bytearray(b"one\ntwo\nTHRee")
    dev.startTransaction()
    assert dev.readAll() == b"ee" and dev.atEnd()
    dev.rollbackTransaction()
    assert dev.pos() == 11 and dev.bytesAvailable() == 2
    assert dev.seek(0) and dev.skip(4) == 4 and dev.getChar() == (True, "t")
    dev.ungetChar("T")
    assert dev.pos() == 4 and dev.read(3) == b"Two"
    dev.seek(0)
    assert dev.readAll() == b"one\ntwo\nTHRee"


# -- QBuffer -------------------------------------------------------------------------------


def test_buffer_writes_into_the_callers_array() -> None:
    ba = QByteArray()
    buf = QBuffer(ba)
    assert buf.buffer() is ba
    buf.open(QIODevice.WriteOnly)
    buf.write(b"\x00\x01")
    buf.write(QByteArray(b"xy"))
    assert ba == b"\x00\x01xy" and not ba.isNull()
    snapshot = buf.data()
    buf.write(b"!")
    assert snapshot == b"\x00\x01xy" and ba == b"\x00\x01xy!"  # data() is a copy


def test_buffer_constructor_forms_and_set_buffer() -> None:
    from qtnet import QObject

    parent = QObject()
    assert QBuffer(parent).parent() is parent
    assert QBuffer(QByteArray(b"q"), parent).parent() is parent
    assert QBuffer(b"bytes are copied").data() == b"bytes are copied"
    buf = QBuffer()
    mine = QByteArray(b"zz")
    buf.setBuffer(mine)
    buf.open(QIODevice.ReadWrite)
    with pytest.warns(RuntimeWarning, match="QBuffer::setBuffer: Buffer is open"):
        buf.setBuffer(None)
    assert buf.buffer() is mine
    buf.close()
    buf.setBuffer(None)
    assert buf.buffer() is not mine and buf.size() == 0
    buf.setData(b"abcdef", 3)
    assert buf.data() == b"abc"


def test_buffer_signals_come_from_the_event_loop_coalesced(qapp: Any) -> None:
    buf = QBuffer()
    buf.open(QIODevice.ReadWrite)
    events: list[Any] = []
    buf.bytesWritten.connect(lambda n: events.append(("bytesWritten", n)))
    buf.readyRead.connect(lambda: events.append("readyRead"))
    buf.write(b"abc")
    buf.write(b"de")
    assert events == []  # never from inside write()
    assert wait_until(lambda: len(events) == 2)
    assert events == [("bytesWritten", 5), "readyRead"]
    buf.write(b"f")
    assert wait_until(lambda: len(events) == 4)
    assert events[2:] == [("bytesWritten", 1), "readyRead"]
    settle(20)
    assert len(events) == 4


def test_buffer_round_trip_with_transactions_on_partial_data() -> None:
    ba = QByteArray()
    writer = QBuffer(ba)
    writer.open(QIODevice.WriteOnly)
    reader = QBuffer(ba)
    reader.open(QIODevice.ReadOnly)
    results = []
    for piece in (b"\x00\x00", b"\x00\x03a", b"bc\x00\x00\x00\x01z"):
        writer.write(piece)
        while True:
            reader.startTransaction()
            header = reader.read(4)
            if len(header) == 4:
                body = reader.read(int.from_bytes(header, "big"))
                if len(body) == int.from_bytes(header, "big"):
                    reader.commitTransaction()
                    results.append(bytes(body))
                    continue
            reader.rollbackTransaction()
            break
    assert results == [b"abc", b"z"] and reader.atEnd()


def test_buffer_open_flags_and_line_reading() -> None:
    buf = QBuffer(QByteArray(b"keep"))
    with pytest.warns(RuntimeWarning, match="QBuffer::open: Buffer access not specified"):
        assert not buf.open(QIODevice.NotOpen)
    assert buf.open(QIODevice.WriteOnly)
    assert buf.openMode() == QIODevice.WriteOnly | QIODevice.Unbuffered
    assert buf.data() == b"keep"  # WriteOnly alone does not truncate a QBuffer
    buf.close()
    assert buf.open(QIODevice.Truncate) and buf.data() == b""
    assert buf.openMode() & QIODevice.WriteOnly
    buf.close()
    buf.setData(b"a\nbb\n\nccc")
    buf.open(QIODevice.ReadOnly)
    lines = []
    while buf.canReadLine():
        lines.append(bytes(buf.readLine()))
    assert lines == [b"a\n", b"bb\n", b"\n"] and buf.readLine() == b"ccc"
    with pytest.warns(RuntimeWarning, match="Called with maxSize < 2"):
        assert buf.readLine(1) == b""


def test_open_mode_enum_spellings() -> None:
    assert QIODevice.WriteOnly is QIODevice.OpenModeFlag.WriteOnly
    assert QIODeviceBase.ReadOnly == QIODevice.ReadOnly == 1
    assert QIODevice.ReadWrite == QIODevice.ReadOnly | QIODevice.WriteOnly
    mode = QIODevice.ReadOnly | QIODevice.Text
    assert isinstance(mode, QIODevice.OpenModeFlag) and int(mode) == 0x11
    assert QIODevice.OpenMode is QIODevice.OpenModeFlag
    assert QBuffer.Append == 4 and QIODevice.NotOpen == 0
