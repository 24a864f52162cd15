"""QDataStream: Qt's binary serialization over a QIODevice, with PySide6's Python API.

The wire format lives in :mod:`qtnet.codecs.datastream`; this class only feeds
it from / flushes it to a QIODevice through Qt's public QIODevice API
(``read``, ``write``, ``bytesAvailable``, ``atEnd``, ``startTransaction`` ...),
so any device works: QBuffer, sockets, user subclasses.

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
byte for non-ASCII characters).
"""

from __future__ import annotations

import operator
from typing import Any

from ..codecs.datastream import Reader, Writer
from ..codecs.datastream_types import (
    ByteOrder,
    DataStreamVersion,
    FloatingPointPrecision,
    Status,
    variant_from_python,
    variant_to_python,
)
from .buffer import QBuffer
from .bytearray import QByteArray
from .enums import export_enums
from .iodevice import QIODevice, QIODeviceBase

__all__ = ["QDataStream"]

# The enums are also class attributes of QDataStream (QDataStream.Status ...);
# these aliases keep method annotations pointing at the types, not the attributes.
_Status = Status
_ByteOrder = ByteOrder
_Precision = FloatingPointPrecision

_CHUNK = 64 * 1024  # bounded device reads when a size field claims more than is buffered


class _DeviceCodec(Reader, Writer):
    """The codec with a QIODevice instead of a buffer behind it."""

    __slots__ = ("device",)
    _BUFFER_INPUT = False  # input comes from the device, never from ``_data``

    def __init__(self) -> None:
        Reader.__init__(self)
        self.buffer = bytearray()
        self.device: Any = None

    def _suspended(self) -> bool:
        dev = self.device
        return dev is None or (self.status != Status.Ok and bool(dev.isTransactionStarted()))

    def _read(self, n: int) -> bytes | None:
        dev = self.device
        if dev is None:
            return None  # Qt: no device -> reads return 0 and leave the status alone
        if self.status and dev.isTransactionStarted():
            return None
        if n <= 0:
            return b""
        return bytes(dev.read(n))

    def _available(self) -> int:
        dev = self.device
        return 0 if dev is None else max(int(dev.bytesAvailable()), 0)

    def _read_beyond(self, n: int) -> bytes | None:
        # The size field claims more than bytesAvailable().  A device may still
        # deliver more (bytesAvailable is a hint for some devices), so read in
        # bounded chunks: memory grows only with data that really arrives.
        parts: list[bytes] = []
        got = 0
        while got < n:
            want = min(n - got, _CHUNK)
            b = self._read(want)
            if not b:
                break
            parts.append(b)
            got += len(b)
            if len(b) < want:
                break
        return b"".join(parts)

    def read_raw(self, n: int) -> bytes:
        if n <= self._available():
            return super().read_raw(n)
        b = self._read_beyond(n)
        if b is None:
            return b""
        if len(b) != n:
            self.set_status(Status.ReadPastEnd)
        return b

    def skip_raw(self, n: int) -> int:
        if self._suspended():
            return -1
        skip = getattr(self.device, "skip", None)  # QIODevice::skip (Qt >= 5.10)
        if skip is not None:
            got = int(skip(n))
        else:  # a device without skip(): read and drop, in bounded chunks
            got = 0
            while got < n:
                b = self._read(min(n - got, _CHUNK))
                if not b:
                    break
                got += len(b)
        if got != n:
            self.set_status(Status.ReadPastEnd)
        return got

    def _tx_started(self) -> bool:
        return self.device is not None and bool(self.device.isTransactionStarted())

    def _tx_begin(self) -> None:
        self.device.startTransaction()

    def _tx_commit(self) -> None:
        self.device.commitTransaction()

    def _tx_rollback(self) -> None:
        self.device.rollbackTransaction()

    def at_end(self) -> bool:
        return self.device is None or bool(self.device.atEnd())


def _int(v: Any) -> int:
    """PySide6 accepts ints, bools and integral floats where Qt takes an integer."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return operator.index(v)


def _as_bytes(data: Any) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")  # PySide6 accepts str for raw data (UTF-8)
    return bytes(data)


class QDataStream(QIODeviceBase):
    """Serializes Qt types to and from a QIODevice (Qt's QDataStream).

    Like Qt 6 it derives from QIODeviceBase, so ``QDataStream.ReadOnly`` and
    ``QDataStream.OpenModeFlag`` exist.
    """

    Version = DataStreamVersion
    ByteOrder = ByteOrder
    FloatingPointPrecision = FloatingPointPrecision
    Status = Status

    def __init__(self, *args: Any) -> None:
        self._c = _DeviceCodec()
        self._owned: Any = None  # the QBuffer made for the QByteArray constructors
        if not args:
            return
        if len(args) == 1 and isinstance(args[0], QIODevice):
            self._c.device = args[0]
        elif len(args) == 1 and isinstance(args[0], (bytes, bytearray, memoryview)):
            # QDataStream(const QByteArray &): read-only over a copy of the data.
            buf = QBuffer()
            buf.setData(bytes(args[0]))
            buf.open(QIODeviceBase.OpenModeFlag.ReadOnly)
            self._owned = self._c.device = buf
        elif len(args) == 2 and isinstance(args[0], QByteArray):
            # QDataStream(QByteArray *, OpenMode): writes land in that very object.
            buf = QBuffer(args[0])
            buf.open(args[1])
            self._owned = self._c.device = buf
        elif len(args) == 1 and args[0] is None:
            pass
        else:
            names = ", ".join(type(a).__name__ for a in args)
            raise TypeError(f"QDataStream({names}): unsupported arguments")

    # -- device and settings ------------------------------------------------------
    def device(self) -> Any:
        return self._c.device

    def setDevice(self, device: Any) -> None:
        self._owned = None
        self._c.device = device

    def atEnd(self) -> bool:
        return self._c.at_end()

    def status(self) -> _Status:
        return Status(self._c.status)

    def setStatus(self, status: int) -> None:
        """Only an Ok status changes: the first error is kept until resetStatus()."""
        self._c.set_status(status)

    def resetStatus(self) -> None:
        self._c.status = Status.Ok

    def version(self) -> int:
        return self._c.version

    def setVersion(self, version: int) -> None:
        self._c.version = int(version)

    def byteOrder(self) -> _ByteOrder:
        return ByteOrder(self._c.byte_order)

    def setByteOrder(self, order: int) -> None:
        self._c.byte_order = int(order)

    def floatingPointPrecision(self) -> _Precision:
        return FloatingPointPrecision(self._c.precision)

    def setFloatingPointPrecision(self, precision: int) -> None:
        self._c.precision = int(precision)

    # -- transactions ---------------------------------------------------------------
    def startTransaction(self) -> None:
        if self._c.device is not None:  # Qt ignores the call without a device
            self._c.start_transaction()

    def commitTransaction(self) -> bool:
        return self._c.commit_transaction()

    def rollbackTransaction(self) -> None:
        self._c.rollback_transaction()

    def abortTransaction(self) -> None:
        self._c.abort_transaction()

    def isDeviceTransactionStarted(self) -> bool:
        return self._c._tx_started()

    # -- writing ----------------------------------------------------------------------
    def _ready(self) -> _DeviceCodec | None:
        """Qt writes nothing without a device or while any error status is set."""
        c = self._c
        if c.device is None or c.status:
            return None
        return c

    def _flush(self, c: _DeviceCodec) -> int:
        data = bytes(c.buffer)
        c.buffer.clear()
        if not data:
            return 0
        n = int(c.device.write(data))
        if n != len(data):
            c.status = Status.WriteFailed
        return n

    def writeBool(self, v: bool) -> None:
        if c := self._ready():
            c.write_bool(bool(v))
            self._flush(c)

    def writeInt8(self, v: int) -> None:
        if c := self._ready():
            c.write_i8(_int(v))
            self._flush(c)

    def writeUInt8(self, v: int) -> None:
        if c := self._ready():
            c.write_u8(_int(v))
            self._flush(c)

    def writeInt16(self, v: int) -> None:
        if c := self._ready():
            c.write_i16(_int(v))
            self._flush(c)

    def writeUInt16(self, v: int) -> None:
        if c := self._ready():
            c.write_u16(_int(v))
            self._flush(c)

    def writeInt32(self, v: int) -> None:
        if c := self._ready():
            c.write_i32(_int(v))
            self._flush(c)

    def writeUInt32(self, v: int) -> None:
        if c := self._ready():
            c.write_u32(_int(v))
            self._flush(c)

    def writeInt64(self, v: int) -> None:
        if c := self._ready():
            c.write_i64(_int(v))
            self._flush(c)

    def writeUInt64(self, v: int) -> None:
        if c := self._ready():
            c.write_u64(_int(v))
            self._flush(c)

    def writeFloat(self, v: float) -> None:
        if c := self._ready():
            c.write_float(float(v))
            self._flush(c)

    def writeDouble(self, v: float) -> None:
        if c := self._ready():
            c.write_double(float(v))
            self._flush(c)

    def writeQChar(self, ch: str | int) -> None:
        if c := self._ready():
            c.write_qchar(ch)
            self._flush(c)

    def writeQString(self, s: str | None) -> None:
        if s is not None and not isinstance(s, str):
            raise TypeError(f"writeQString() takes a str, not {type(s).__name__}")
        if c := self._ready():
            c.write_qstring(s)
            self._flush(c)

    writeString = writeQString  # PySide6 maps writeString(const char*) to a QString

    def writeQStringList(self, items: list[str]) -> None:
        if c := self._ready():
            c.write_qstringlist(list(items))
            self._flush(c)

    def writeQVariant(self, value: Any) -> None:
        if c := self._ready():
            c.write_variant(variant_from_python(value))
            self._flush(c)

    def writeBytes(self, data: bytes | bytearray | memoryview) -> QDataStream:
        if isinstance(data, str):
            raise TypeError("writeBytes() takes bytes, not str")
        if c := self._ready():
            c.write_bytes(bytes(data))
            self._flush(c)
        return self

    def writeRawData(self, data: bytes | bytearray | memoryview | str) -> int:
        """The bytes alone; returns the count written, -1 on error (Qt's contract)."""
        c = self._ready()
        if c is None:
            return -1
        raw = _as_bytes(data)
        c.write_raw(raw)
        n = self._flush(c)
        return n if n == len(raw) else -1

    # -- reading -------------------------------------------------------------------------
    def readBool(self) -> bool:
        return self._c.read_bool()

    def readInt8(self) -> int:
        return self._c.read_i8()

    def readUInt8(self) -> int:
        return self._c.read_u8()

    def readInt16(self) -> int:
        return self._c.read_i16()

    def readUInt16(self) -> int:
        return self._c.read_u16()

    def readInt32(self) -> int:
        return self._c.read_i32()

    def readUInt32(self) -> int:
        return self._c.read_u32()

    def readInt64(self) -> int:
        return self._c.read_i64()

    def readUInt64(self) -> int:
        return self._c.read_u64()

    def readFloat(self) -> float:
        return self._c.read_float()

    def readDouble(self) -> float:
        return self._c.read_double()

    def readQChar(self) -> str:
        return self._c.read_qchar()

    def readQString(self) -> str:
        s = self._c.read_qstring()
        return "" if s is None else s

    readString = readQString

    def readQStringList(self) -> list[str]:
        return ["" if s is None else s for s in self._c.read_qstringlist()]

    def readQVariant(self) -> Any:
        return variant_to_python(self._c.read_variant(), _make_qbytearray)

    def readBytes(self, maxlen: int = 0) -> bytes | None:
        """The payload of a writeBytes() record; None for size 0.  ``maxlen`` is
        accepted for PySide6 compatibility and ignored, as PySide6 does."""
        return self._c.read_bytes()

    def readRawData(self, length: int) -> bytes:
        return self._c.read_raw(int(length))

    def skipRawData(self, length: int) -> int:
        return self._c.skip_raw(int(length))

    # -- operators (where PySide6 has a meaningful overload) --------------------------
    def __lshift__(self, value: Any) -> QDataStream:
        if value is None or isinstance(value, str):
            self.writeQString(value)
        elif isinstance(value, (bytes, bytearray, memoryview)):
            if c := self._ready():
                c.write_qbytearray(_qbytearray_payload(value))
                self._flush(c)
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
            _fill_qbytearray(target, self._c.read_qbytearray())
        elif isinstance(target, str):
            self._c.read_qstring()  # consumed and dropped, as in PySide6
        elif isinstance(target, (bytes, bytearray)):
            self._c.read_qbytearray()  # likewise
        elif isinstance(target, (int, float, list, dict)) or target is None:
            raise TypeError(
                f"QDataStream >> {type(target).__name__} is not supported; use the read methods"
            )
        else:
            return NotImplemented  # other Qt classes read themselves (__rrshift__)
        return self


def _qbytearray_payload(value: bytes | bytearray | memoryview) -> bytes | None:
    if isinstance(value, QByteArray) and value.isNull():
        return None
    return bytes(value)


def _make_qbytearray(data: bytes | None) -> QByteArray:
    return QByteArray() if data is None else QByteArray(data)


def _fill_qbytearray(target: QByteArray, data: bytes | None) -> None:
    """Give ``target`` the value read (QByteArray is mutable; Qt reads in place)."""
    if data is None:
        target.clear()  # Qt's clear() leaves a null array
    else:
        target[:] = data


export_enums(
    QDataStream,
    DataStreamVersion,
    ByteOrder,
    FloatingPointPrecision,
    Status,
)
