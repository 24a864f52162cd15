"""QDataStream: Qt's binary serialization over a QIODevice, with PySide6's Python API.

The wire format lives in :mod:`qtnet.codecs.datastream`; QDataStream *is* that
codec (through :class:`.datastream_io.StreamIO`, which answers its input hooks
from in-memory bytes or a QIODevice) and works through Qt's public QIODevice
API, so any device works: QBuffer, sockets, user subclasses.

Speed (a stream is often made per message, and values are small):

* ``QDataStream(QByteArray)`` and ``QDataStream(ba, ReadOnly | WriteOnly |
  Append | Truncate)`` use the bytes directly -- reading with the codec's
  buffer reader, writing by appending to ``ba`` -- and build the QBuffer Qt
  would have made only when something needs a real device: ``device()``,
  writing into a read-only stream, reading a write-only one, a write that is
  not at the end of the array (someone else changed it), a transaction on a
  write-only stream.  From then on the stream runs on that QBuffer, which is in
  exactly the state the direct work left (position, transaction, bytes written).
* Over a qtnet QIODevice whose buffer already holds a whole value, the common
  reads decode it in place (``QIODevice._read_window``/``_consume``) instead of
  ``read(n)`` copies; anything else goes through ``read()``.
* The hot methods check one status and one input each; everything that depends
  on version, byte order or precision was resolved when those were set.

Python-level behaviour follows PySide6 6.12 as observed, not only the C++ docs:

* ``writeString``/``readString`` stream a **QString** in PySide6 (not ``char*``).
* ``readQString`` returns ``''`` for a null string; ``readBytes`` returns
  ``None`` for size 0; ``readQVariant`` returns plain Python values
  (``QByteArray`` for byte arrays, ``None`` for an invalid variant).
* ``stream << x`` accepts str (QString), None (null QString), bytes-like and
  QByteArray (QByteArray), list/tuple (a QVariant, as PySide6 does); other Qt
  classes (QHostAddress) stream themselves through ``__rlshift__`` /
  ``__rrshift__``, for which ``<<``/``>>`` here return NotImplemented.  PySide6
  turns an int or bool into a QBitArray of that many zero bits and a dict into
  JSON text; qtnet refuses those with TypeError instead of writing surprising
  bytes.  ``stream >> ba`` fills a QByteArray in place; ``>> str``/``>> bytes``
  consume a value and discard it, exactly like PySide6 (Python strings are
  immutable).

Deliberate differences: ``writeQVariant(bytes)`` writes a QByteArray (PySide6
pickles ``bytes`` into a type no C++ peer can read); ``writeQChar`` writes the
character's UTF-16 unit (PySide6 6.12 writes the sign-extended first UTF-8
byte for non-ASCII characters).  A lazily built QBuffer belongs to the thread
that first needs it, not necessarily the one that made the stream.
"""

from __future__ import annotations

import codecs
import operator
import struct
from typing import Any, TypeVar

from ..codecs.datastream_types import (
    ByteOrder,
    FloatingPointPrecision,
    Status,
    variant_from_python,
    variant_to_python,
)
from ..codecs.datastream_writer import _BE, _PK_BE, _SIZES_BE, _UF_BE
from .buffer import QBuffer
from .bytearray import QByteArray
from .datastream_enums import DataStreamEnums
from .datastream_io import (
    BYTES_AT,
    LIVE,
    StreamIO,
    as_bytes,
    fill_qbytearray,
    int_reader,
    int_writer,
    make_qbytearray,
    qbytearray_payload,
)
from .iodevice import QIODevice, QIODeviceBase

__all__ = ["QDataStream"]

# The enums are also class attributes of QDataStream (QDataStream.Status ...);
# these aliases keep method annotations pointing at the types, not the attributes.
_Status = Status
_ByteOrder = ByteOrder
_Precision = FloatingPointPrecision

_of = QByteArray._of
_extend = bytearray.extend  # QByteArray's += is a Python method; this is not
_STRUCT_ERROR = struct.error
_OK = Status.Ok
_PAST_END = Status.ReadPastEnd
_WRITE_FAILED = Status.WriteFailed
_T = TypeVar("_T")
_NO_ARG: Any = object()  # "not given", where None means something (no device)
_COPY = ("copy",)  # _lazy of QDataStream(bytes): ReadOnly over _data, from 0


class QDataStream(QIODeviceBase, StreamIO, DataStreamEnums):
    """Serializes Qt types to and from a QIODevice (Qt's QDataStream).

    Like Qt 6 it derives from QIODeviceBase, so ``QDataStream.ReadOnly`` and
    ``QDataStream.OpenModeFlag`` exist; its own enums (``QDataStream.Qt_5_10``,
    ``QDataStream.Status.Ok``) come from DataStreamEnums.
    """

    # The codec's state is in StreamIO's slots.  _wba/_wpos: the QByteArray an
    # in-memory stream appends to and its write position (None: not writing in
    # memory); _lazy: (array, open mode, start position) of the QBuffer not built
    # yet (_COPY: a copy of _data, ReadOnly, from 0), None once there is a real
    # device (or none at all).
    # The hot paths' gates, each None unless the status is Ok and the version is
    # Qt 3.3 or later (older formats differ for strings and 64-bit integers):
    # _rmem the immutable in-memory input, _rdev the device's _read_window (or
    # LIVE for a caller's array read in place), _wmem the array to append to.
    # _refresh() recomputes them after anything that may change the status,
    # version or input; hot paths never change those.
    __slots__ = ("_wba", "_wpos", "_lazy", "_rmem", "_rdev", "_wmem")
    _wba: QByteArray | None
    _wpos: int
    _lazy: tuple[Any, ...] | None
    _rmem: bytes | None
    _rdev: Any
    _wmem: QByteArray | None

    def __init__(self, source: Any = _NO_ARG, mode: Any = _NO_ARG) -> None:
        """QDataStream() | QDataStream(device) | QDataStream(bytes-like: read a copy)
        | QDataStream(QByteArray, OpenMode: read and/or write that very array)."""
        if mode is _NO_ARG:
            a = source
            if isinstance(a, (bytes, bytearray, memoryview)):
                # QDataStream(const QByteArray &): read-only over a copy of the data.
                # The per-message constructor: StreamIO._init_stream inline.
                self._data = data = a if type(a) is bytes else bytes(a)
                self.end = n = len(data)
                self.pos = self.tx_depth = 0
                self._version = 24
                self._order = 0
                self._precision = 1
                self._status = _OK
                self._uf = _UF_BE
                self._pk = _PK_BE
                self._sizes = _SIZES_BE
                self._u16enc = codecs.utf_16_be_encode
                self._u16dec = codecs.utf_16_be_decode
                self._fs = self._ds = _BE[9]
                self._tx_pos = self.buffer = None  # type: ignore[assignment]
                self._dev = self._dev_window = self._dev_consume = None
                self._lazy = _COPY  # a QBuffer over ``_data`` when one is needed
                self._rmem = data if n < 0xFFFFFFFE else None
                self._rdev = self._wmem = self._wba = None
                return
            if isinstance(a, QIODevice) or a is None or a is _NO_ARG:
                self._start(None)
                if a is not _NO_ARG:
                    self._set_device(a)
                self._refresh()
                return
        elif isinstance(source, QByteArray):
            self._open_array(source, mode)
            return
        args = (source,) if mode is _NO_ARG else (source, mode)
        names = ", ".join(type(a).__name__ for a in args)
        raise TypeError(f"QDataStream({names}): unsupported arguments")

    def _start(self, data: Any) -> None:
        self._init_stream(data)
        self._wba = None
        self._lazy = None

    def _open_array(self, ba: QByteArray, mode: Any) -> None:
        """QDataStream(QByteArray *, OpenMode): Qt opens a QBuffer on that very array."""
        om = operator.index(mode)  # an int (enum flag arithmetic is slow)
        if om & 0x0C:  # QBuffer: Append/Truncate imply WriteOnly
            om |= 0x02
        if om & 0x1F == 0x01:  # ReadOnly (not Text): read the array as it grows
            self._start(ba)
            self._lazy = (ba, om, 0)
        elif om & 0x13 == 0x02:  # writing only (not Text): append to the array
            if om & 0x08:
                del ba[:]  # QBuffer::open truncates at once
            self._start(None)
            self._wba = ba
            self._wpos = pos = len(ba) if om & 0x04 else 0
            self._lazy = (ba, om, pos)
        else:  # read-write, Text or no access: the real QBuffer from the start
            buf = QBuffer(ba)
            buf.open(mode)
            self._start(None)
            self._set_device(buf)
        self._refresh()

    def _refresh(self) -> None:
        """Recompute the hot paths' gates (see __slots__)."""
        if self._status or self._version < 6:
            self._rmem = self._rdev = self._wmem = None
        else:
            d = self._data
            if d is None:
                self._rmem = None
                self._rdev = self._dev_window
            elif type(d) is bytes and len(d) < 0xFFFFFFFE:
                # Immutable input (the copy constructor): the inline paths check
                # against ``end``; below 4 GiB no size marker can look in range.
                self._rmem = d
                self._rdev = None
            else:  # a caller's array that may change: read like a device buffer
                self._rmem = None
                self._rdev = LIVE
            self._wmem = self._wba

    def _materialize(self) -> None:
        """Build the QBuffer the in-memory stream stands for and continue on it."""
        lazy = self._lazy
        if lazy is None:
            return
        data, om, start = (self._data, 1, 0) if lazy is _COPY else lazy
        if self._wba is not None:
            pos, written, tx = self._wpos, self._wpos - start, -1
        else:
            pos, written = self.pos, 0
            tx = -1 if self._tx_pos is None else self._tx_pos
        if type(data) is bytes:
            data = _of(data)  # the stream's own copy of the constructor's array
        self._set_device(QBuffer._resumed(data, om, pos, written, tx))
        self._lazy = self._wba = None
        self._refresh()

    def _prepare_read(self) -> None:
        """Before a read the hot paths did not take: reading a write-only array is
        for its QBuffer to answer; a caller's array may have grown since."""
        if self._wba is not None:
            self._materialize()
        elif self._lazy is not None:
            self.end = len(self._data)

    def _read_done(self, value: _T) -> _T:
        """After a read the hot paths did not take: an error closes the gates."""
        if self._status:
            self._refresh()
        return value

    def _scratch(self) -> bytearray | None:
        """The emptied encode buffer, or None: Qt writes nothing without a
        device or while any error status is set."""
        if self._status or (self._dev is None and self._lazy is None):
            return None
        buf = self.buffer
        if buf is None:
            buf = self.buffer = bytearray()
        else:
            del buf[:]  # also drops what an encoder that raised left behind
        return buf

    def _put(self, data: bytes | bytearray) -> int:
        """Hand one encoded value to the device (Qt's writeBlock); the count written."""
        if self._status:  # the encoder refused (part of) it: SizeLimitExceeded
            self._refresh()
            if not data:
                return 0
        # Otherwise even no bytes go to the device, as in Qt (b"" makes a null array empty).
        ba = self._wba
        if ba is not None and self._wpos == len(ba):
            _extend(ba, data)
            ba._null = False
            self._wpos += len(data)
            return len(data)
        if self._lazy is not None:
            self._materialize()
        dev: Any = self._dev
        n = int(dev.write(bytes(data)))
        if n != len(data):
            self._status = _WRITE_FAILED
            self._refresh()
        return n

    # -- device and settings ------------------------------------------------------
    def device(self) -> Any:
        if self._lazy is not None:
            self._materialize()
        return self._dev

    def setDevice(self, device: Any) -> None:  # noqa: N802
        self._set_device(device)  # settings, status and transaction depth stay, as in Qt
        self._lazy = self._wba = None
        self._refresh()

    def atEnd(self) -> bool:  # noqa: N802
        ba = self._wba
        if ba is not None:
            return self._wpos >= len(ba)  # QBuffer::atEnd of the write-only buffer
        self._prepare_read()
        return self.at_end()

    def status(self) -> _Status:  # type: ignore[override]
        return Status(self._status)

    def setStatus(self, status: int) -> None:  # noqa: N802
        """Only an Ok status changes: the first error is kept until resetStatus()."""
        self.set_status(status)
        self._refresh()

    def resetStatus(self) -> None:  # noqa: N802
        self._status = _OK
        self._refresh()

    def version(self) -> int:  # type: ignore[override]
        return self._version

    def setVersion(self, version: int) -> None:  # noqa: N802
        self._version = int(version)
        self._resolve()
        self._refresh()

    def byteOrder(self) -> _ByteOrder:  # noqa: N802
        return ByteOrder(self._order)

    def setByteOrder(self, order: int) -> None:  # noqa: N802
        self._order = int(order)
        self._resolve()

    def floatingPointPrecision(self) -> _Precision:  # noqa: N802
        return FloatingPointPrecision(self._precision)

    def setFloatingPointPrecision(self, precision: int) -> None:  # noqa: N802
        self._precision = int(precision)
        self._resolve()

    # -- transactions ---------------------------------------------------------------
    def startTransaction(self) -> None:  # noqa: N802
        if self._wba is not None:  # a write-only array gets its QBuffer: Qt starts one on it
            self._materialize()
        dev = self._dev
        if dev is None and self._lazy is None:
            return  # Qt ignores it without a device
        depth = self.tx_depth = self.tx_depth + 1
        if depth == 1:  # the outermost one starts the device's and resets the status
            if dev is not None:
                dev.startTransaction()
            else:
                self._tx_pos = self.pos
            if self._status:
                self._status = _OK
                self._refresh()

    def commitTransaction(self) -> bool:  # noqa: N802
        dev = self._dev
        if self.tx_depth != 1 or dev is None:
            return self.commit_transaction()
        self.tx_depth = 0  # the outermost commit of a device transaction, inline
        if self._status == _PAST_END:
            dev.rollbackTransaction()  # incomplete: keep the data for the next try
            return False
        dev.commitTransaction()
        return not self._status

    def rollbackTransaction(self) -> None:  # noqa: N802
        self.rollback_transaction()
        self._refresh()

    def abortTransaction(self) -> None:  # noqa: N802
        self.abort_transaction()
        self._refresh()

    def isDeviceTransactionStarted(self) -> bool:  # noqa: N802
        return self._tx_started()

    # -- writing ----------------------------------------------------------------------
    writeInt8 = int_writer(0)
    writeUInt8 = int_writer(1)
    writeInt16 = int_writer(2)
    writeUInt16 = int_writer(3)
    writeInt32 = int_writer(4)
    writeUInt32 = int_writer(5)
    writeInt64 = int_writer(6)
    writeUInt64 = int_writer(7)

    def writeBool(self, v: bool) -> None:  # noqa: N802
        self.writeUInt8(1 if v else 0)

    def writeFloat(self, v: float) -> None:  # noqa: N802
        if (buf := self._scratch()) is not None:
            self.write_float(float(v))
            self._put(buf)

    def writeDouble(self, v: float) -> None:  # noqa: N802
        if (buf := self._scratch()) is not None:
            self.write_double(float(v))
            self._put(buf)

    def writeQChar(self, ch: str | int) -> None:  # noqa: N802
        if (buf := self._scratch()) is not None:
            self.write_qchar(ch)
            self._put(buf)

    def writeQString(self, s: str | None) -> None:  # noqa: N802
        ba = self._wmem
        if ba is not None:
            try:  # in memory: size field and UTF-16 appended to the array
                data = self._u16enc(s, "surrogatepass")[0]  # type: ignore[arg-type]
            except TypeError:
                pass  # None (a null string) or not a str: below
            else:
                n = len(data)
                p = self._wpos
                if p == len(ba):
                    try:
                        size = self._sizes[n]
                    except IndexError:
                        pass  # a long string: the general path
                    else:
                        _extend(ba, size)
                        _extend(ba, data)
                        ba._null = False
                        self._wpos = p + 4 + n
                        return
        if s is not None and not isinstance(s, str):
            raise TypeError(f"writeQString() takes a str, not {type(s).__name__}")
        if (buf := self._scratch()) is not None:
            self.write_qstring(s)
            self._put(buf)

    writeString = writeQString  # PySide6 maps writeString(const char*) to a QString

    def writeQStringList(self, items: list[str]) -> None:  # noqa: N802
        if (buf := self._scratch()) is not None:
            self.write_qstringlist(list(items))
            self._put(buf)

    def writeQVariant(self, value: Any) -> None:  # noqa: N802
        if (buf := self._scratch()) is not None:
            self.write_variant(variant_from_python(value))
            self._put(buf)

    def writeBytes(self, data: bytes | bytearray | memoryview) -> QDataStream:  # noqa: N802
        if isinstance(data, str):
            raise TypeError("writeBytes() takes bytes, not str")
        if (buf := self._scratch()) is not None:
            self.write_bytes(bytes(data))
            self._put(buf)
        return self

    def writeRawData(self, data: bytes | bytearray | memoryview | str) -> int:  # noqa: N802
        """The bytes alone; returns the count written, -1 on error (Qt's contract)."""
        if self._scratch() is None:
            return -1
        raw = as_bytes(data)
        n = self._put(raw)
        return n if n == len(raw) else -1

    # -- reading -------------------------------------------------------------------------
    readInt8 = int_reader(0)
    readUInt8 = int_reader(1)
    readInt16 = int_reader(2)
    readUInt16 = int_reader(3)
    readInt32 = int_reader(4)
    readUInt32 = int_reader(5)
    readInt64 = int_reader(6)
    readUInt64 = int_reader(7)

    def readBool(self) -> bool:  # noqa: N802
        return self.readInt8() != 0  # any non-zero byte is true

    def readFloat(self) -> float:  # noqa: N802
        self._prepare_read()
        return self._read_done(self.read_float())

    def readDouble(self) -> float:  # noqa: N802
        self._prepare_read()
        return self._read_done(self.read_double())

    def readQChar(self) -> str:  # noqa: N802
        return chr(self.readUInt16())

    def readQString(self) -> str:  # noqa: N802
        d = self._rmem
        if d is not None:  # in memory: the common case inline
            p = self.pos
            try:
                n = self._uf[5](d, p)[0]
            except _STRUCT_ERROR:
                pass  # no size field left: the general path below
            else:
                e = p + 4
                end = e + n
                if end <= self.end:  # markers are never in range: _rmem data is < 4 GiB
                    try:
                        s: str = self._u16dec(d[e:end], "surrogatepass", True)[0]
                    except UnicodeDecodeError:
                        pass  # an odd size, i.e. corrupt data: the general path reports it
                    else:
                        self.pos = end
                        return s
        else:
            window = self._rdev
            if window is not None:  # a qtnet device's buffer, or a caller's live array
                w = (self._data, self.pos, True) if window is LIVE else window(4)
                if w is not None:
                    buf, off, whole = w
                    avail = len(buf) - off
                    try:
                        n = self._uf[5](buf, off)[0]
                    except _STRUCT_ERROR:
                        n = -1  # not even the size field yet
                    else:
                        if n + 4 > avail and not whole and n < 0x10000:
                            # Ask readData() for the rest as read() would -- bounded,
                            # so an untrusted size never sizes a request.
                            buf, off, whole = window(n + 4)
                            avail = len(buf) - off
                        if n + 4 <= avail and n < 0xFFFFFFFE:
                            try:
                                chunk = BYTES_AT[n](buf, off + 4)[0]
                                s = self._u16dec(chunk, "surrogatepass", True)[0]
                            except UnicodeDecodeError:
                                pass  # an odd size: the general path reports it
                            else:
                                if window is LIVE:
                                    self.pos = off + 4 + n
                                else:
                                    self._dev_consume(n + 4)
                                return s
                    if whole and (n < 0 or (n < 0xFFFFFFFE and not n & 1)):
                        # Incomplete, and no more to come for now: Qt reads what
                        # there is and reports ReadPastEnd (a transaction rolls back).
                        if window is LIVE:
                            self.pos = len(buf)
                        elif avail:
                            self._dev_consume(avail)
                        self._status = _PAST_END
                        self._refresh()
                        return ""
        self._prepare_read()
        got = self._read_done(self.read_qstring())
        return "" if got is None else got

    readString = readQString

    def readQStringList(self) -> list[str]:  # noqa: N802
        self._prepare_read()
        return ["" if s is None else s for s in self._read_done(self.read_qstringlist())]

    def readQVariant(self) -> Any:  # noqa: N802
        self._prepare_read()
        return variant_to_python(self._read_done(self.read_variant()), make_qbytearray)

    def readBytes(self, maxlen: int = 0) -> bytes | None:  # noqa: N802
        """The payload of a writeBytes() record; None for size 0.  ``maxlen`` is
        accepted for PySide6 compatibility and ignored, as PySide6 does."""
        self._prepare_read()
        return self._read_done(self.read_bytes())

    def readRawData(self, length: int) -> bytes:  # noqa: N802
        self._prepare_read()
        return self._read_done(self.read_raw(int(length)))

    def skipRawData(self, length: int) -> int:  # noqa: N802
        n = int(length)
        if n < 0 and self._lazy is not None:
            self._materialize()  # QIODevice::skip's warning and -1, from the real QBuffer
        self._prepare_read()
        return self._read_done(self.skip_raw(n))

    # -- operators (where PySide6 has a meaningful overload) --------------------------
    def __lshift__(self, value: Any) -> QDataStream:
        if value is None or isinstance(value, str):
            self.writeQString(value)
        elif isinstance(value, (bytes, bytearray, memoryview)):
            if (buf := self._scratch()) is not None:
                self.write_qbytearray(qbytearray_payload(value))
                self._put(buf)
        elif isinstance(value, (list, tuple)):
            self.writeQVariant(list(value))
        elif isinstance(value, (int, float, dict)):
            raise TypeError(
                f"QDataStream << {type(value).__name__}: use the typed write methods "
                "(writeInt32, writeBool, writeDouble, ...); PySide6 would stream an int "
                "or bool as a QBitArray and a dict as JSON text"
            )
        else:
            return NotImplemented  # other Qt classes stream themselves (__rlshift__)
        return self

    def __rshift__(self, target: Any) -> QDataStream:
        if isinstance(target, QByteArray):
            self._prepare_read()
            fill_qbytearray(target, self._read_done(self.read_qbytearray()))
        elif isinstance(target, str):
            self.readQString()  # consumed and dropped, as in PySide6
        elif isinstance(target, (bytes, bytearray)):
            self._prepare_read()
            self._read_done(self.read_qbytearray())  # likewise
        elif isinstance(target, (int, float, list, dict)) or target is None:
            raise TypeError(
                f"QDataStream >> {type(target).__name__} is not supported; use the read methods"
            )
        else:
            return NotImplemented  # other Qt classes read themselves (__rrshift__)
        return self
