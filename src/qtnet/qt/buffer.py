"""QBuffer: a random-access QIODevice over a QByteArray.

``QBuffer(ba)`` works on that very QByteArray object, so writes show up in the
caller's array (``QDataStream(ba, _OM.WriteOnly)`` relies on it).  As in
Qt 6: ``open()`` adds ``Unbuffered`` to the mode, ``Append``/``Truncate`` imply
``WriteOnly``, seeking past the end of a writable buffer fills the gap with
zero bytes at once, and ``bytesWritten``/``readyRead`` are emitted from the
event loop (once per loop pass, with the bytes written since the last time) and
only when something is connected to them.

``data()`` returns a copy (PySide6 converts Qt's const reference to a new
object); ``buffer()`` returns the live array.
"""

from __future__ import annotations

import warnings
from typing import Any

from .bytearray import QByteArray
from .iodevice import QIODevice, QIODeviceBase
from .qobject import QObject

__all__ = ["QBuffer"]

_of = QByteArray._of
_OM = QIODeviceBase.OpenModeFlag


def _qwarn(text: str) -> None:
    warnings.warn(text, RuntimeWarning, stacklevel=3)


class QBuffer(QIODevice):
    """QIODevice interface for a QByteArray."""

    _owns_read_data = True  # readData() returns fresh arrays
    _written = 0  # bytes written since bytesWritten was last emitted
    _signals_pending = False

    def __init__(self, *args: Any, parent: QObject | None = None, **kwargs: Any) -> None:
        """QBuffer(parent=None) | QBuffer(byteArray, parent=None)."""
        data: Any = None
        if args and not isinstance(args[0], QObject) and args[0] is not None:
            data, args = args[0], args[1:]
        elif args and args[0] is None:
            args = args[1:]
        if args:
            parent = args[0]
        super().__init__(parent, **kwargs)
        if data is None:
            self._data: QByteArray = _of(b"")
        elif isinstance(data, QByteArray):
            self._data = data
        else:  # bytes & co. cannot be written in place: work on a QByteArray copy
            self._data = _of(data)

    # -- the byte array --------------------------------------------------------------
    def buffer(self) -> QByteArray:
        return self._data

    def data(self) -> QByteArray:
        return QByteArray() if self._data.isNull() else _of(self._data)

    def setBuffer(self, byteArray: QByteArray | None) -> None:  # noqa: N802,N803
        if self.isOpen():
            _qwarn("QBuffer::setBuffer: Buffer is open")
            return
        self._data = byteArray if byteArray is not None else _of(b"")

    def setData(self, data: Any, size: int = -1) -> None:  # noqa: N802
        if self.isOpen():
            _qwarn("QBuffer::setData: Buffer is open")
            return
        if isinstance(data, str):
            data = data.encode("utf-8")
        if size >= 0:
            data = data[:size]
        null = isinstance(data, QByteArray) and data.isNull()
        bytearray.__setitem__(self._data, slice(None), data)
        self._data._null = null

    # -- QIODevice overrides --------------------------------------------------------
    def open(self, mode: int) -> bool:
        # Plain ints: arithmetic on the flag enum costs about a microsecond per operator.
        om = int(mode)
        if om & 0x0C:  # Append | Truncate
            om |= 0x02  # WriteOnly
        if not om & 0x03:  # ReadWrite
            _qwarn("QBuffer::open: Buffer access not specified")
            return False
        if om & 0x08:  # Truncate
            del self._data[:]
        return super().open(om | 0x20)  # Unbuffered

    def size(self) -> int:
        return len(self._data)

    def seek(self, pos: int) -> bool:
        size = len(self._data)
        if pos > size and self._om & 2:
            if not super().seek(size):
                return False
            gap = pos - size
            if self.write(bytes(gap)) != gap:
                _qwarn("QBuffer::seek: Unable to fill gap")
                return False
        elif pos > size or pos < 0:
            _qwarn(f"QBuffer::seek: Invalid pos: {pos}")
            return False
        return super().seek(pos)

    def atEnd(self) -> bool:  # noqa: N802
        return self._om == 0 or (not self._rbuf and self._pos >= len(self._data))

    def bytesAvailable(self) -> int:  # noqa: N802
        return max(len(self._data) - self._pos, 0)

    def canReadLine(self) -> bool:  # noqa: N802
        if self._om == 0:
            return False
        return self._data.find(b"\n", self._pos) >= 0 or super().canReadLine()

    def read(self, maxSize: int) -> QByteArray:  # noqa: N803
        # Fast path for QDataStream over a QByteArray: no given-back bytes, not Text.
        if self._om & 0x11 == 1 and maxSize >= 0 and not self._rbuf:
            return self._slice(maxSize)
        return super().read(maxSize)

    def _slice(self, maxlen: int) -> QByteArray:
        """The next ``maxlen`` bytes at pos(), advancing pos()."""
        data = self._data
        p = self._pos
        end = min(len(data), p + maxlen)
        if end <= p:
            return _of(b"")
        view = memoryview(data)
        out = _of(view[p:end])
        view.release()
        self._pos = end
        return out

    def _read_window(self, need: int) -> tuple[QByteArray, int, bool] | None:
        # The array itself from pos(), as read() would slice it (QIODevice docstring).
        if self._om & 0x11 == 1 and not self._rbuf:
            return self._data, self._pos, True
        return None

    def _consume(self, n: int) -> None:
        self._pos += n

    @classmethod
    def _resumed(
        cls, data: QByteArray, mode: int, pos: int, written: int = 0, tx_start: int = -1
    ) -> QBuffer:
        """``QBuffer(data)`` opened with ``mode`` and then used up to ``pos``.

        QDataStream's QByteArray constructors work on the array directly and
        build the QBuffer Qt would have made only when it is needed; this gives
        it the state it would be in by then: ``written`` bytes written so far
        (not yet reported by bytesWritten), a read transaction started at
        ``tx_start`` (-1: none).  A ``Truncate`` in ``mode`` counts as done.
        """
        buf = cls(data)
        om = int(mode)
        if om & 0x0C:  # Append/Truncate imply WriteOnly, as in open()
            om |= 0x02
        buf.open(om & ~0x08)
        if om & 0x08:
            buf.setOpenMode(buf._om | 0x08)
        buf._pos = pos
        buf._written = written
        if tx_start >= 0:
            buf._tx = tx_start
        return buf

    def readData(self, maxlen: int) -> QByteArray:  # noqa: N802
        out = self._slice(maxlen)
        self._pos -= len(out)  # QIODevice.read() advances the position itself
        return out

    def readLineData(self, maxlen: int) -> QByteArray:  # noqa: N802
        data = self._data
        i = data.find(b"\n", self._pos, self._pos + maxlen)
        return self.readData(i + 1 - self._pos if i >= 0 else maxlen)

    def writeData(self, data: bytes | bytearray | memoryview) -> int:  # noqa: N802
        buf = self._data
        p = self._pos
        n = len(data)
        if p == len(buf):
            buf.extend(data)
        else:
            bytearray.__setitem__(buf, slice(p, p + n), data)
        buf._null = False
        if not self._signals_pending and (
            self._has_receivers("bytesWritten") or self._has_receivers("readyRead")
        ):
            self._signals_pending = True
            self._td.post(self._emit_signals)
        self._written += n
        return n

    def _has_receivers(self, signal: str) -> bool:
        inst = self.__dict__.get(signal)  # the SignalInstance exists once connected
        return inst is not None and bool(inst._conns)

    def _emit_signals(self) -> None:
        if self._deleted:
            return
        n, self._written = self._written, 0
        self.bytesWritten.emit(n)
        self.readyRead.emit()
        self._signals_pending = False
