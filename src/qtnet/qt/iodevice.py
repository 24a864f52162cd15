"""QIODevice: Qt's I/O device base class (with QIODeviceBase for the open modes).

Semantics follow Qt 6: access checks with Qt's warning texts, readLine including
the newline, Text mode dropping every ``'\\r'`` when reading, peek/skip/ungetChar,
and read transactions (a sequential device keeps the bytes read during a
transaction so a rollback restores them; a random-access device seeks back).

Subclass contract (what socket classes rely on)
-----------------------------------------------
State lives in a few attributes so the hot paths are a handful of operations:

``_rbuf`` (a QByteArray) and ``_roff``
    The read buffer.  Unread bytes are ``_rbuf[_roff:]``.  Outside a
    transaction ``_roff`` is always 0 and consumed bytes are deleted from the
    front (CPython makes ``del ba[:n]`` O(1)); inside a transaction on a
    sequential device the consumed bytes stay before ``_roff`` so a rollback is
    ``_roff = 0``.  ``readAll()`` of the whole buffer outside a transaction
    hands the buffer object itself to the caller and starts a new one: no copy.
``_take(n)``
    The one place bytes leave the buffer (read, readAll, readLine, skip, getChar),
    so a subclass may wrap it, e.g. to resume a paused engine once the buffer
    drains below its read-buffer limit.  ``peek`` and ``canReadLine`` only look.
``_read_window(need)`` / ``_consume(n)``
    In-place reading (QDataStream decodes straight from the buffer): the window
    buffers up to ``need`` bytes from readData() as ``read(need)`` would, then
    is ``(buf, off, whole)``: ``read(k)`` would return ``buf[off:off + k]`` for
    any ``k <= len(buf) - off`` and, if ``whole``, nothing more for now; None
    means "use read()".  ``_consume(k)`` is ``_take(k)`` minus building the
    result (a wrapped ``_take`` is called instead).  Valid until the next call.

Sequential devices (sockets) — return True from ``isSequential()`` and:

* **feed** received bytes with ``self._feed(data)`` (one ``bytearray.extend``),
  then call ``self._emit_ready_read()`` (readyRead then channelReadyRead(0);
  readyRead is not re-emitted while its slots run, as in Qt).  Do not override
  ``readData``: when it is not overridden the read paths never call it.
* ``bytesAvailable()`` of the base is the buffered byte count.  A subclass that
  holds more bytes elsewhere (an engine buffer) overrides it and returns
  ``super().bytesAvailable() + extra``; ``atEnd()`` uses the override.
* **EOF**: nothing to set in the base.  Emit ``readChannelFinished`` (and the
  socket's own signals); reads keep returning what is buffered, then empty.
* **writing**: implement ``writeData(data) -> int`` (queue the bytes, return
  ``len(data)``; -1 on error); ``write()`` has done the open/writable checks.
  Report progress with ``self._emit_bytes_written(n)`` and override
  ``bytesToWrite()``.  ``write()`` may be overridden for speed as long as the
  access checks (``self._write_refused()``) are kept.
* User subclasses that *do* override ``readData(maxlen)`` (Qt's torrent
  example) work as in Qt: the base reads its buffer first, then asks
  ``readData``; during a transaction what ``readData`` returns is kept in the
  buffer so a rollback can restore it.

Random-access devices (QBuffer): ``readData(maxlen)`` and ``writeData(data)``
work at ``self.pos()``; the base advances the position.  Here the read buffer
only holds bytes given back by ``ungetChar``/``peek``, which are the bytes at
``pos()``; ``seek`` drops it and ``write`` drops what it overwrites.

``open()`` / ``setOpenMode()`` cache ``isSequential()`` in ``_seq``.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

from .bytearray import QByteArray
from .iodevice_channels import ChannelsMixin
from .iodevice_lines import CHUNK, LineReadingMixin, got_data
from .iodevicebase import QIODeviceBase
from .qobject import QObject
from .signals import Signal

__all__ = ["QIODevice", "QIODeviceBase"]

_of = QByteArray._of
_CHUNK = CHUNK


def _data(data: Any) -> bytes | bytearray | memoryview:
    if isinstance(data, (bytes, bytearray, memoryview)):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")  # PySide6 refuses str here; qtnet takes it as UTF-8
    raise TypeError(f"write(): expected bytes, bytearray or QByteArray, not {type(data).__name__}")


def _takes_two_arguments(method: Any) -> bool:
    """Does ``method(self, a, b)`` need its second argument (PySide6's writeData)?"""
    try:
        params = list(inspect.signature(method).parameters.values())[1:]
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 and positional[1].default is inspect.Parameter.empty


_OM = QIODeviceBase.OpenModeFlag


class QIODevice(LineReadingMixin, ChannelsMixin, QObject, QIODeviceBase):
    """Base class of all I/O devices (see the module docstring for subclassing)."""

    readyRead = Signal()
    channelReadyRead = Signal(int)
    bytesWritten = Signal(int)
    channelBytesWritten = Signal(int, int)
    aboutToClose = Signal()
    readChannelFinished = Signal()

    # Class-level defaults keep construction cheap (sockets come by the thousand).
    _om = 0  # the open mode as a plain int (bit tests on every read/write)
    _seq = False  # isSequential(), cached by open()/setOpenMode()
    _pos = 0  # random-access position
    _roff = 0
    _tx = -1  # transaction start (position, or 0 for a sequential device); -1: none
    _retain = False  # in a transaction on a sequential device: keep consumed bytes
    _err = ""
    _rcount = 0
    _wcount = 0
    _rchannel = 0
    _wchannel = 0
    _in_ready_read = False
    _in_bytes_written = False
    # Set per subclass: does it implement readData / readLineData itself?
    _pulls = False
    _custom_readline = False
    # True when readData() returns a fresh QByteArray nobody else holds (QBuffer):
    # read() may then return it as is instead of copying it.
    _owns_read_data = False
    _write_data_takes_size = False  # writeData(data, size), PySide6's signature

    def __init__(self, parent: QObject | None = None, **kwargs: Any) -> None:
        self._rbuf: QByteArray = _of(b"")
        super().__init__(parent, **kwargs)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._pulls = cls.readData is not QIODevice.readData
        cls._custom_readline = cls.readLineData is not QIODevice.readLineData
        cls._write_data_takes_size = _takes_two_arguments(cls.writeData)

    # -- warnings (Qt's qWarning texts) ----------------------------------------
    def _warn(self, function: str, what: str, stacklevel: int = 3) -> None:
        """Qt's qWarning as a RuntimeWarning pointing at the caller's code."""
        name = f', "{self._name}"' if self._name else ""
        warnings.warn(
            f"QIODevice::{function} ({type(self).__name__}{name}): {what}",
            RuntimeWarning,
            stacklevel=stacklevel,
        )

    def _read_refused(self, function: str = "read") -> bool:
        """True (after Qt's warning) when the device is not open for reading."""
        if self._om & 1:
            return False
        self._warn(function, "device not open" if self._om == 0 else "WriteOnly device", 4)
        return True

    def _write_refused(self, function: str = "write") -> bool:
        if self._om & 2:
            return False
        self._warn(function, "device not open" if self._om == 0 else "ReadOnly device", 4)
        return True

    # -- subclass helpers (see the module docstring) ---------------------------
    def _feed(self, data: bytes | bytearray | memoryview) -> None:
        """Append received bytes to the read buffer (sequential devices)."""
        self._rbuf.extend(data)

    def _emit_ready_read(self, channel: int = 0) -> None:
        if not self._in_ready_read and channel == self._rchannel:
            self._in_ready_read = True
            try:
                self.readyRead.emit()
            finally:
                self._in_ready_read = False
        self.channelReadyRead.emit(channel)

    def _emit_bytes_written(self, n: int, channel: int = 0) -> None:
        if not self._in_bytes_written and channel == self._wchannel:
            self._in_bytes_written = True
            try:
                self.bytesWritten.emit(n)
            finally:
                self._in_bytes_written = False
        self.channelBytesWritten.emit(channel, n)

    def _take(self, n: int) -> QByteArray:
        """Consume and return ``n`` (<= available) bytes from the read buffer."""
        buf = self._rbuf
        if n <= 0:
            return _of(b"")
        if self._retain:
            off = self._roff
            view = memoryview(buf)  # one copy, straight into the result
            out = _of(view[off : off + n])
            view.release()
            self._roff = off + n
            return out
        if n == len(buf):  # everything: hand the buffer itself over
            self._rbuf = _of(b"")
            return buf
        view = memoryview(buf)
        out = _of(view[:n])
        view.release()  # before resizing buf
        del buf[:n]
        return out

    def _read_window(self, need: int) -> tuple[QByteArray, int, bool] | None:
        """In-place reading (module docstring).  Sequential devices only: a random-access
        device's bytes are behind readData() (QBuffer has its own); Text mode edits them."""
        if self._om & 0x11 == 1 and self._seq:
            if not self._pulls:
                return self._rbuf, self._roff, True
            short = need - (len(self._rbuf) - self._roff)
            if short > 0:  # what read(need) would ask readData() for
                return self._rbuf, self._roff, self._pull(short) < short
            return self._rbuf, self._roff, False
        return None

    def _consume(self, n: int) -> None:
        """Mark ``n`` bytes of the read window as read (see the module docstring)."""
        take = self._take
        try:  # wrapped (by a subclass or on the instance), e.g. to resume a paused engine?
            wrapped = take.__func__ is not _BASE_TAKE  # type: ignore[attr-defined]
        except AttributeError:  # a plain function
            wrapped = True
        if wrapped:
            take(n)
        elif self._retain:
            self._roff += n
        else:
            buf = self._rbuf
            if n == len(buf):
                _clear(buf)  # in place: cheaper than deleting a QByteArray slice
            else:
                del buf[:n]

    def _pull(self, need: int) -> int:
        """Append at least ``need`` bytes from readData() to the read buffer if it has them.

        Like Qt, a buffered device asks for a whole chunk (read-ahead) and keeps
        asking while readData() fills each request; a short read means "no more
        for now".  Returns the count added.
        """
        total = 0
        buffered = not self._om & 0x20
        while need > 0:
            ask = _CHUNK if buffered and need < _CHUNK else need
            data = got_data(self.readData(ask))
            n = len(data)
            if n:
                self._rbuf.extend(data)
                total += n
                need -= n
            if n < ask:
                break
        return total

    def _unread(self, data: bytes | bytearray | memoryview) -> None:
        """Give bytes back: they become the next bytes read (at pos() - len)."""
        if data:
            self._rbuf[self._roff : self._roff] = data
            if not self._seq:
                self._pos -= len(data)

    # -- open / close / mode -------------------------------------------------------
    def open(self, mode: int) -> bool:
        om = int(mode)
        self._om = om
        self._seq = seq = bool(self.isSequential())
        self._pos = 0  # size() below may depend on it
        if om & 4 and not seq:
            self._pos = int(self.size())
        self._reset_read_state()
        self._rcount = 1 if om & 1 else 0
        self._wcount = 1 if om & 2 else 0
        self._err = ""
        return True

    def _reset_read_state(self) -> None:
        if self._rbuf:
            self._rbuf = _of(b"")
        self._roff = 0
        self._tx = -1
        self._retain = False

    def close(self) -> None:
        if self._om == 0:
            return
        self.aboutToClose.emit()
        self._om = 0
        self._pos = 0
        self._reset_read_state()
        self._rcount = self._wcount = 0

    def openMode(self) -> QIODeviceBase.OpenModeFlag:  # noqa: N802
        return _OM(self._om)

    def setOpenMode(self, mode: int) -> None:  # noqa: N802
        om = int(mode)
        self._om = om
        self._seq = bool(self.isSequential())
        self._rcount = max(self._rcount, 1) if om & 1 else 0
        self._wcount = max(self._wcount, 1) if om & 2 else 0

    def isOpen(self) -> bool:  # noqa: N802
        return self._om != 0

    def isReadable(self) -> bool:  # noqa: N802
        return bool(self._om & 1)

    def isWritable(self) -> bool:  # noqa: N802
        return bool(self._om & 2)

    def isSequential(self) -> bool:  # noqa: N802
        return False

    def isTextModeEnabled(self) -> bool:  # noqa: N802
        return bool(self._om & 0x10)

    def setTextModeEnabled(self, enabled: bool) -> None:  # noqa: N802
        if self._om == 0:
            self._warn("setTextModeEnabled", "The device is not open")
            return
        self._om = (self._om | 0x10) if enabled else (self._om & ~0x10)

    def errorString(self) -> str:  # noqa: N802
        return self._err or "Unknown error"

    def setErrorString(self, text: str) -> None:  # noqa: N802
        self._err = text

    # -- sizes and positions -------------------------------------------------------
    def bytesAvailable(self) -> int:  # noqa: N802
        if self._seq:
            return len(self._rbuf) - self._roff
        return max(int(self.size()) - self._pos, 0)

    def bytesToWrite(self) -> int:  # noqa: N802
        return 0

    def size(self) -> int:
        return int(self.bytesAvailable()) if self._seq else 0

    def pos(self) -> int:
        return self._pos

    def atEnd(self) -> bool:  # noqa: N802
        return self._om == 0 or (len(self._rbuf) == self._roff and self.bytesAvailable() == 0)

    def seek(self, pos: int) -> bool:
        if self._om == 0:
            self._warn("seek", "The device is not open")
            return False
        if pos < 0:
            self._warn("seek", f"Invalid pos: {pos}")
            return False
        if self._seq:
            self._warn("seek", "Cannot call seek on a sequential device")
            return False
        ahead = pos - self._pos
        if 0 <= ahead < len(self._rbuf):  # inside the given-back bytes: skip them
            del self._rbuf[:ahead]
        elif self._rbuf:
            self._rbuf = _of(b"")
        self._pos = pos
        return True

    def reset(self) -> bool:
        return self.seek(0)

    # -- reading -------------------------------------------------------------------------
    def readData(self, maxlen: int) -> Any:  # noqa: N802
        """Subclass hook: return up to ``maxlen`` bytes (bytes-like; b"" for none)."""
        return b""

    def read(self, maxSize: int) -> QByteArray:  # noqa: N803
        if self._om & 0x11 == 1 and maxSize >= 0 and self._seq:  # the socket fast path
            avail = len(self._rbuf) - self._roff
            if avail < maxSize and self._pulls:
                avail += self._pull(maxSize - avail)
            return self._take(maxSize if maxSize < avail else avail)
        if not self._om & 1:
            self._read_refused()
            return QByteArray()
        if maxSize < 0:
            self._warn("read", "Called with maxSize < 0")
            return QByteArray()
        if self._om & 0x10:
            return self._read_text(maxSize)
        return self._read(maxSize)

    def _read(self, n: int) -> QByteArray:
        avail = len(self._rbuf) - self._roff
        if self._seq:
            if avail < n and self._pulls:
                avail += self._pull(n - avail)
            return self._take(n if n < avail else avail)
        if avail >= n:
            out = self._take(n)
            self._pos += n
            return out
        head = None
        if avail:  # bytes given back by ungetChar/peek come first
            head = self._take(avail)
            self._pos += avail
        data = got_data(self.readData(n - avail))
        self._pos += len(data)
        if head is not None:
            head.extend(data)
            return head
        return data if self._owns_read_data and type(data) is QByteArray else _of(data)

    def _read_text(self, n: int) -> QByteArray:
        out = _of(b"")
        while len(out) < n:
            chunk = self._read(n - len(out))
            if not chunk:
                break
            out.extend(chunk.replace(b"\r", b""))
        return out

    def readAll(self) -> QByteArray:  # noqa: N802
        if not self._om & 1:
            self._read_refused()
            return QByteArray()
        if self._seq:
            if self._pulls:
                while self._pull(_CHUNK) > 0:
                    pass
            out = self._take(len(self._rbuf) - self._roff)
        else:
            out = self._read(max(int(self.size()) - self._pos, 0))
            while True:
                more = got_data(self.readData(_CHUNK))
                if not more:
                    break
                self._pos += len(more)
                out.extend(more)
        if self._om & 0x10:
            out.replace(b"\r", b"")  # in place (Qt's replace)
        return out

    def peek(self, maxSize: int) -> QByteArray:  # noqa: N803
        if not self._om & 1:
            self._read_refused("peek")
            return QByteArray()
        if maxSize < 0:
            self._warn("peek", "Called with maxSize < 0")
            return QByteArray()
        off = self._roff
        avail = len(self._rbuf) - off
        if self._seq:
            if avail < maxSize and self._pulls:
                avail += self._pull(maxSize - avail)
        elif avail < maxSize:
            # Read, then give it all back: it becomes the buffered data at pos().
            data = self._read(maxSize)
            self._unread(data)
            return data
        n = maxSize if maxSize < avail else avail
        with memoryview(self._rbuf) as mv:
            return _of(mv[off : off + n])

    def skip(self, maxSize: int) -> int:  # noqa: N803
        if not self._om & 1:
            self._read_refused("skip")
            return -1
        if maxSize < 0:
            self._warn("skip", "Called with maxSize < 0")
            return -1
        if self._om & 0x10 or (self._seq and self._pulls):
            skipped = 0
            while skipped < maxSize:
                got = len(self.read(min(maxSize - skipped, _CHUNK)))
                if not got:
                    break
                skipped += got
            return skipped
        n = min(maxSize, len(self._rbuf) - self._roff)
        self._finish_take(n)  # via _take(): subclasses may watch the buffer drain
        if self._seq or n == maxSize:
            return n
        rest = min(max(int(self.size()) - self._pos, 0), maxSize - n)
        if rest and not self.seek(self._pos + rest):
            return -1
        return n + rest

    def getChar(self) -> tuple[bool, str]:  # noqa: N802
        """(True, the next byte as a 1-char str), or (False, '\\0') (PySide6's form)."""
        data = self.read(1)
        return (True, chr(data[0][0])) if data else (False, "\0")

    def putChar(self, c: Any) -> bool:  # noqa: N802
        ch = bytes((c & 0xFF,)) if isinstance(c, int) else _data(c)[:1]
        return self.write(ch) == 1

    def ungetChar(self, c: Any) -> None:  # noqa: N802
        if self._read_refused():
            return
        if self._tx >= 0:
            self._warn("ungetChar", "Called while transaction is in progress")
            return
        self._unread(bytes((c & 0xFF,)) if isinstance(c, int) else _data(c)[:1])

    # -- writing ---------------------------------------------------------------------------
    def writeData(self, data: bytes | bytearray | memoryview) -> int:  # noqa: N802
        """Subclass hook: write ``data``; return the count written or -1.

        Subclasses written for PySide6 declare ``writeData(self, data, size)``;
        write() detects that per class and passes the size to them.
        """
        return -1

    def write(self, data: Any) -> int:
        if not self._om & 2:
            self._write_refused()
            return -1
        b = _data(data)
        write_data: Any = self.writeData
        n = write_data(b, len(b)) if self._write_data_takes_size else write_data(b)
        n = -1 if n is None else int(n)
        if n > 0 and not self._seq:
            self._pos += n
            if self._rbuf:  # the bytes given back were overwritten
                del self._rbuf[:n]
        return n

    # -- transactions ---------------------------------------------------------------------
    def startTransaction(self) -> None:  # noqa: N802
        if self._tx >= 0:
            self._warn("startTransaction", "Called while transaction already in progress")
            return
        self._tx = 0 if self._seq else self._pos
        self._retain = self._seq

    def commitTransaction(self) -> None:  # noqa: N802
        if self._tx < 0:
            self._warn("commitTransaction", "Called while no transaction in progress")
            return
        off = self._roff
        if off:
            buf = self._rbuf
            if off == len(buf):
                _clear(buf)  # all of it was read (the common case): in place, cheaply
            else:
                del buf[:off]
            self._roff = 0
        self._tx = -1
        self._retain = False

    def rollbackTransaction(self) -> None:  # noqa: N802
        if self._tx < 0:
            self._warn("rollbackTransaction", "Called while no transaction in progress")
            return
        start = self._tx
        self._tx = -1
        self._retain = False
        if self._seq:
            self._roff = 0
        else:
            self.seek(start)

    def isTransactionStarted(self) -> bool:  # noqa: N802
        return self._tx >= 0

    # -- waiting and channels ---------------------------------------------------------
    def waitForReadyRead(self, msecs: int = 30000) -> bool:  # noqa: N802
        return False

    def waitForBytesWritten(self, msecs: int = 30000) -> bool:  # noqa: N802
        return False


_BASE_TAKE = QIODevice._take
_clear = bytearray.clear  # not QByteArray.clear(), which would make the buffer null


# QBuffer lives in its own module; ``from .iodevice import QBuffer`` keeps working.
def __getattr__(name: str) -> Any:
    if name == "QBuffer":
        from .buffer import QBuffer

        return QBuffer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
