"""Where a QDataStream's bytes come from: in-memory data or a QIODevice.

:class:`StreamIO` is the QDataStream codec (:mod:`qtnet.codecs.datastream`)
with its input hooks answering for either source, so that QDataStream can be
the codec itself -- one object per stream, no per-call indirection:

* in memory (``_data`` is the bytes, or the caller's QByteArray, whose length
  ``end`` follows): the codec's own buffer reading.  Reading
  a QBuffer is exactly that (the PySide6 comparison tests check it, with and
  without transactions), which is why ``QDataStream(QByteArray)`` needs no
  QBuffer until someone asks for ``device()``;
* on a device (``_data`` is None, ``_dev`` the QIODevice or None): Qt's public
  device API (``read``, ``bytesAvailable``, ``skip``, ``startTransaction`` ...).

For qtnet devices it also keeps the device's ``_read_window``/``_consume``
pair (see ``QIODevice``), with which QDataStream's hot paths decode a value in
place when the device already buffers all of it.

:func:`int_reader` / :func:`int_writer` build QDataStream's integer methods:
one gate check, then the value straight from / onto the bytes.  The last few
helpers are PySide6's conversions between Python values and Qt arguments.
"""

from __future__ import annotations

import codecs
import operator
import struct
from collections.abc import Callable
from typing import Any

from ..codecs.datastream import Reader, Status, Writer
from ..codecs.datastream_writer import _BE, _PK_BE, _SIZES_BE, _UF_BE
from .bytearray import QByteArray

__all__ = [
    "BYTES_AT",
    "LIVE",
    "StreamIO",
    "as_bytes",
    "fill_qbytearray",
    "int_reader",
    "int_writer",
    "make_qbytearray",
    "qbytearray_payload",
    "qt_int",
]

_CHUNK = 64 * 1024  # bounded device reads when a size field claims more than is buffered
_OK = Status.Ok
_PAST_END = Status.ReadPastEnd
_STRUCT_ERROR = struct.error
_F64_BE = _BE[9]
_ENC_BE = codecs.utf_16_be_encode
_DEC_BE = codecs.utf_16_be_decode


# QDataStream's _rdev gate for a caller's QByteArray read in place (not a device
# method: a bound method of the stream kept on the stream would be a cycle).
LIVE: Any = object()


class StreamIO(Reader, Writer):
    """The codec over in-memory bytes or a QIODevice (see the module docstring)."""

    # _dev: the QIODevice (None: none, or in memory); _dev_window/_dev_consume:
    # its in-place reading pair, None for devices that do not offer it.
    __slots__ = ("_dev", "_dev_window", "_dev_consume")
    _dev: Any
    _dev_window: Any
    _dev_consume: Any

    def _init_stream(self, data: Any) -> None:
        """Qt's default settings, status Ok, reading ``data`` (None: a device or
        nothing).  Flat on purpose: streams are often made per message."""
        self._version = 24  # Qt_DefaultCompiledVersion
        self._order = 0
        self._precision = 1
        self._status = _OK
        self.tx_depth = 0
        self._uf = _UF_BE
        self._pk = _PK_BE
        self._sizes = _SIZES_BE
        self._u16enc = _ENC_BE
        self._u16dec = _DEC_BE
        self._fs = self._ds = _F64_BE
        self._data = data
        self.pos = 0
        self.end = 0 if data is None else len(data)
        self._tx_pos = None
        self.buffer = None  # type: ignore[assignment]  # the write scratch, made on first use
        self._dev = self._dev_window = self._dev_consume = None

    def _set_device(self, device: Any) -> None:
        """Read from (and write to) ``device`` from now on."""
        self._data = None  # type: ignore[assignment]
        self._tx_pos = None
        self.pos = self.end = 0
        self._dev = device
        # qtnet devices expose their buffered bytes for in-place decoding; others
        # (None, foreign objects) are read through the public API only.
        win = self._dev_window = getattr(device, "_read_window", None)
        self._dev_consume = None if win is None else getattr(device, "_consume", None)

    # -- input hooks ------------------------------------------------------------
    def _suspended(self) -> bool:
        if self._data is not None:
            return Reader._suspended(self)
        dev = self._dev
        return dev is None or (self._status != _OK and bool(dev.isTransactionStarted()))

    def _read(self, n: int) -> bytes | None:
        if self._data is not None:
            return Reader._read(self, n)
        dev = self._dev
        if dev is None:
            return None  # Qt: no device -> reads return 0 and leave the status alone
        if self._status and dev.isTransactionStarted():
            return None
        if n <= 0:
            return b""
        return bytes(dev.read(n))

    def _available(self) -> int:
        if self._data is not None:
            return Reader._available(self)
        dev = self._dev
        return 0 if dev is None else max(int(dev.bytesAvailable()), 0)

    def _read_beyond(self, n: int) -> bytes | None:
        if self._data is not None:
            return Reader._read_beyond(self, n)
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
        if self._data is not None or n <= self._available():
            return Reader.read_raw(self, n)
        b = self._read_beyond(n)
        if b is None:
            return b""
        if len(b) != n:
            self.set_status(_PAST_END)
        return b

    def skip_raw(self, n: int) -> int:
        if self._data is not None:
            return Reader.skip_raw(self, n)
        if self._suspended():
            return -1
        skip = getattr(self._dev, "skip", None)  # QIODevice::skip (Qt >= 5.10)
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
            self.set_status(_PAST_END)
        return got

    def _tx_started(self) -> bool:
        if self._data is not None:
            return Reader._tx_started(self)
        return self._dev is not None and bool(self._dev.isTransactionStarted())

    def _tx_begin(self) -> None:
        if self._data is not None:
            Reader._tx_begin(self)
        else:
            self._dev.startTransaction()

    def _tx_commit(self) -> None:
        if self._data is not None:
            Reader._tx_commit(self)
        else:
            self._dev.commitTransaction()

    def _tx_rollback(self) -> None:
        if self._data is not None:
            Reader._tx_rollback(self)
        else:
            self._dev.rollbackTransaction()

    def at_end(self) -> bool:
        if self._data is not None:
            return Reader.at_end(self)
        return self._dev is None or bool(self._dev.atEnd())


def qt_int(v: Any) -> int:
    """PySide6 accepts ints, bools and integral floats where Qt takes an integer."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return operator.index(v)


class _Slicers(dict[int, Callable[[Any, int], tuple[bytes]]]):
    """``BYTES_AT[n](buf, i) -> (bytes(buf[i:i + n]),)`` without going through the
    buffer's type (QByteArray slicing is a Python method): ``Struct('<n>s')``."""

    def __missing__(self, n: int) -> Callable[[Any, int], tuple[bytes]]:
        f = struct.Struct(f"{n}s").unpack_from
        if n <= 4096:  # fortune-sized values recur; bigger ones are rare and costly anyway
            self[n] = f
        return f


BYTES_AT = _Slicers()


_QT_INT_NAMES = ("Int8", "UInt8", "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64")
_CODEC_INT_NAMES = ("i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64")


def int_reader(idx: int) -> Callable[[Any], int]:
    """QDataStream.readInt8 ... readUInt64 (``idx`` indexes the codec's struct tables).

    The whole value at hand -- in memory, or in a qtnet device's buffer -- is
    unpacked in place; anything else (short data, an error status, an old
    stream version) goes to the codec, which does what Qt does.
    """
    size = 1 << (idx >> 1)
    slow = "read_" + _CODEC_INT_NAMES[idx]

    def read(self: Any) -> int:
        d = self._rmem
        if d is not None:  # in memory
            p = self.pos
            try:
                v: int = self._uf[idx](d, p)[0]
            except _STRUCT_ERROR:
                pass  # not all there: the codec reads what there is
            else:
                self.pos = p + size
                return v
        else:
            window = self._rdev
            if window is LIVE:  # a caller's array: unpack_from checks its current size
                p = self.pos
                try:
                    v = self._uf[idx](self._data, p)[0]
                except _STRUCT_ERROR:
                    pass
                else:
                    self.pos = p + size
                    return v
            elif window is not None:  # a qtnet device: maybe buffered already
                w = window(size)
                if w is not None:
                    try:
                        v = self._uf[idx](w[0], w[1])[0]
                    except _STRUCT_ERROR:
                        if w[2]:  # short, and no more to come for now: Qt takes what
                            avail = len(w[0]) - w[1]  # there is and reports ReadPastEnd
                            if avail:
                                self._dev_consume(avail)
                            self._status = _PAST_END
                            self._refresh()
                            return 0
                    else:
                        self._dev_consume(size)
                        return v
        self._prepare_read()
        return self._read_done(getattr(self, slow)())  # type: ignore[no-any-return]

    read.__name__ = "read" + _QT_INT_NAMES[idx]
    read.__qualname__ = "QDataStream." + read.__name__
    return read


def int_writer(idx: int) -> Callable[[Any, int], None]:
    """QDataStream.writeInt8 ... writeUInt64: appended to an in-memory QByteArray
    directly when possible, else encoded by the codec and handed to the device."""
    size = 1 << (idx >> 1)
    slow = "write_" + _CODEC_INT_NAMES[idx]
    extend = bytearray.extend

    def write(self: Any, v: int) -> None:
        ba = self._wmem
        if ba is not None and self._wpos == len(ba):
            try:
                b = self._pk[idx](v)
            except _STRUCT_ERROR:
                pass  # not a plain in-range int: the general path converts or raises
            else:
                extend(ba, b)
                ba._null = False
                self._wpos += size
                return
        buf = self._scratch()
        if buf is not None:
            getattr(self, slow)(qt_int(v))
            self._put(buf)

    write.__name__ = "write" + _QT_INT_NAMES[idx]
    write.__qualname__ = "QDataStream." + write.__name__
    return write


# -- PySide6's Python-level conversions ----------------------------------------


def as_bytes(data: Any) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")  # PySide6 accepts str for raw data (UTF-8)
    return bytes(data)


def qbytearray_payload(value: bytes | bytearray | memoryview) -> bytes | None:
    if isinstance(value, QByteArray) and value.isNull():
        return None
    return bytes(value)


def make_qbytearray(data: bytes | None) -> QByteArray:
    return QByteArray() if data is None else QByteArray(data)


def fill_qbytearray(target: QByteArray, data: bytes | None) -> None:
    """Give ``target`` the value read (QByteArray is mutable; Qt reads in place)."""
    if data is None:
        target.clear()  # Qt's clear() leaves a null array
    else:
        target[:] = data
