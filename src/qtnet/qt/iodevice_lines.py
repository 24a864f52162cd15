"""Line reading for QIODevice (readLine, canReadLine, readLineData), as a mixin.

Kept apart from iodevice.py only for size; it works on QIODevice's read buffer
(see the contract in iodevice.py).  Qt's rules: a line includes its '\\n';
``readLine(maxSize)`` returns at most ``maxSize - 1`` bytes; the buffer is
searched first, then a subclass's ``readLineData`` (not during a transaction
on a sequential device, where the base reading keeps the bytes for rollback).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .bytearray import QByteArray

_of = QByteArray._of
CHUNK = 16384  # readData() request size (Qt's read buffer chunk)


def got_data(data: Any) -> Any:
    """Normalize a readData()/readLineData() result: None or -1 (error) mean nothing."""
    if data is None or isinstance(data, int):
        return b""
    return data


class LineReadingMixin:
    """readLine and friends; QIODevice provides the state and helpers named below."""

    _rbuf: QByteArray
    _roff: int
    _om: int
    _pos: int
    _seq: bool
    _pulls: bool
    _retain: bool
    _custom_readline: bool

    if TYPE_CHECKING:

        def _take(self, n: int) -> QByteArray: ...
        def _pull(self, need: int) -> int: ...
        def _unread(self, data: bytes | bytearray | memoryview) -> None: ...
        def _read_refused(self, function: str = "read") -> bool: ...
        def _warn(self, function: str, what: str, stacklevel: int = 3) -> None: ...
        def readData(self, maxlen: int) -> Any: ...  # noqa: N802

    def readLineData(self, maxlen: int) -> Any:  # noqa: N802
        """Subclass hook: return one line of at most ``maxlen`` bytes (with its '\\n')."""
        return b"".join(self._read_line_default(maxlen))

    def readLine(self, maxSize: int = 0) -> QByteArray:  # noqa: N802,N803
        """One line including its '\\n'; at most ``maxSize - 1`` bytes if maxSize > 0."""
        if self._om & 0x11 == 1 and maxSize == 0 and self._seq:  # a buffered line: fast path
            i = self._rbuf.find(b"\n", self._roff)
            if i >= 0:
                return self._take(i + 1 - self._roff)
        if not self._om & 1:
            self._read_refused("readLine")
            return QByteArray()
        if maxSize < 0:
            self._warn("readLine", "Called with maxSize < 0")
            return QByteArray()
        if maxSize == 1:
            self._warn("readLine", "Called with maxSize < 2")
            return QByteArray()
        limit = maxSize - 1 if maxSize else 1 << 62
        out = self._read_line(limit)
        if self._om & 0x10:
            out.replace(b"\r", b"")  # in place (Qt's replace)
        return out

    def _read_line(self, limit: int) -> QByteArray:
        buf = self._rbuf
        off = self._roff
        size = len(buf)
        stop = size if limit >= size - off else off + limit
        i = buf.find(b"\n", off, stop)
        if i >= 0:
            return self._finish_take(i + 1 - off)
        if stop < size or stop - off == limit:
            return self._finish_take(stop - off)
        if self._custom_readline and not self._retain:  # Qt: base reading in a transaction
            head = self._finish_take(size - off)
            data = got_data(self.readLineData(limit - len(head)))
            if data and not self._seq:
                self._pos += len(data)
            head.extend(data)
            return head
        if self._seq and not self._pulls:
            return self._take(size - off)  # a partial line: what there is
        parts = self._read_line_default(limit)
        if len(parts) == 1 and type(parts[0]) is QByteArray:
            return parts[0]
        return _of(b"".join(parts))

    def _finish_take(self, n: int) -> QByteArray:
        out = self._take(n)
        if not self._seq:
            self._pos += n
        return out

    def _read_line_default(self, limit: int) -> list[Any]:
        """Read up to and including '\\n' (at most ``limit`` bytes) via readData()."""
        if self._seq:
            buf = self._rbuf
            searched = len(buf)
            while len(buf) - self._roff < limit:
                if self._pull(limit - (len(buf) - self._roff)) <= 0:
                    break
                i = buf.find(b"\n", searched)
                if i >= 0:
                    return [self._take(min(i + 1 - self._roff, limit))]
                searched = len(buf)
            return [self._take(min(len(buf) - self._roff, limit))]
        # Random access: the buffered bytes first, then readData() chunks; what is
        # read past the newline is given back (it is the data at the new pos()).
        parts: list[Any] = []
        got = 0
        avail = len(self._rbuf) - self._roff
        if avail:
            parts.append(self._finish_take(min(avail, limit)))
            got = len(parts[0])
            if parts[0].endswith(b"\n"):
                return parts
        while got < limit:
            chunk = got_data(self.readData(min(CHUNK, limit - got)))
            if not chunk:
                break
            i = chunk.find(b"\n")
            if i >= 0 and i + 1 < len(chunk):
                self._pos += len(chunk)
                self._unread(chunk[i + 1 :])
                chunk = chunk[: i + 1]
            else:
                self._pos += len(chunk)
            parts.append(chunk)
            got += len(chunk)
            if i >= 0:
                break
        return parts

    def canReadLine(self) -> bool:  # noqa: N802
        return self._om != 0 and self._rbuf.find(b"\n", self._roff) >= 0
