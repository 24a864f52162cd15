"""QByteArray: Qt's byte array with PySide6's Python API, as a ``bytearray``.

Being a real ``bytearray`` subclass means a QByteArray goes everywhere a
bytes-like object goes (``socket.send``, ``memoryview``, ``struct``, ``b"".join``,
``==`` with bytes) at C speed; the Qt methods are added on top.  Where Qt and
``bytearray`` use the same method name differently, Qt's meaning wins and the
bytearray meaning is kept where the call forms do not clash:

* ``append``/``insert``/``replace``/``remove(pos, n)`` modify in place and
  return ``self`` (Qt); ``remove(value)`` with one argument is bytearray's.
* ``count()`` with no argument is the size (Qt); ``count(sub[, start, end])``
  counts occurrences.  ``split(sep)`` returns a list of QByteArray; ``split()``
  with no separator splits on whitespace as bytearray does.
* Indexing and iteration give 1-byte ``bytes`` and slices give QByteArray, as
  in PySide6 (negative indexes work, Python style; PySide6 rejects them).

Null versus empty: ``QByteArray()`` is null, ``QByteArray(b"")`` is empty but
not null.  Any Qt-style modification makes a null array non-null, ``clear()``
makes it null again; a null array is always empty.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Any, SupportsIndex

from ..codecs import bytes_text
from .enums import export_enums

__all__ = ["QByteArray"]

_BYTES = [bytes((i,)) for i in range(256)]
_new = bytearray.__new__  # bound once: _of() is on every read path
_init = bytearray.__init__  # index/iteration results, no allocation


def _b(data: Any) -> bytes | bytearray | memoryview:
    """Qt accepts QByteArray/bytes/str (UTF-8) wherever it takes byte data."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, int):  # a single char given as its code
        return _BYTES[data & 0xFF]
    raise TypeError(f"expected bytes, bytearray, QByteArray or str, not {type(data).__name__}")


def _char(c: Any) -> int:
    """A Qt ``char`` argument: a 1-char str/bytes or an int code."""
    if isinstance(c, int):
        return c & 0xFF
    b = _b(c)
    if len(b) != 1:
        raise ValueError(f"expected a single character, got {c!r}")
    return b[0]


class QByteArray(bytearray):
    """Qt's byte array (see the module docstring for how it maps onto bytearray)."""

    __slots__ = ("_null",)

    class Base64Option(enum.IntFlag):
        Base64Encoding = 0
        KeepTrailingEquals = 0
        IgnoreBase64DecodingErrors = 0
        Base64UrlEncoding = 1
        OmitTrailingEquals = 2
        AbortOnBase64DecodingErrors = 4

    class Base64DecodingStatus(enum.IntEnum):
        Ok = 0
        IllegalInputLength = 1
        IllegalCharacter = 2
        IllegalPadding = 3

    class FromBase64Result:
        """Result of ``fromBase64Encoding``: ``decoded`` and ``decodingStatus``."""

        __slots__ = ("decoded", "decodingStatus")

        def __init__(self, decoded: QByteArray, status: QByteArray.Base64DecodingStatus) -> None:
            self.decoded = decoded
            self.decodingStatus = status

        def __bool__(self) -> bool:
            return self.decodingStatus == QByteArray.Base64DecodingStatus.Ok

        def __iter__(self) -> Iterator[Any]:
            return iter((self.decoded, self.decodingStatus))

        def __repr__(self) -> str:
            return f"FromBase64Result({self.decoded!r}, {self.decodingStatus!r})"

    def __init__(self, *args: Any) -> None:
        if not args:
            bytearray.__init__(self)
            self._null = True
            return
        self._null = False
        data = args[0]
        if type(data) is bytes or isinstance(data, (bytearray, memoryview)):
            if len(args) > 1 and args[1] >= 0:  # QByteArray(data, size)
                data = data[: args[1]]
            bytearray.__init__(self, data)
        elif isinstance(data, str):
            bytearray.__init__(self, data.encode("utf-8"))
        elif isinstance(data, int):  # QByteArray(size, ch): size copies of ch
            ch = _char(args[1]) if len(args) > 1 else 0
            bytearray.__init__(self, _BYTES[ch] * max(data, 0))
        else:
            bytearray.__init__(self, data)

    @staticmethod
    def _of(data: Any) -> QByteArray:
        """A non-null QByteArray of ``data`` (internal fast constructor: no __init__)."""
        ba: QByteArray = _new(QByteArray)
        _init(ba, data)
        ba._null = False
        return ba

    # -- Python protocol (PySide6 behaviour) ------------------------------------
    def __repr__(self) -> str:
        return f"QByteArray({bytes(self)!r})"

    def __str__(self) -> str:
        return repr(bytes(self))

    def __hash__(self) -> int:  # type: ignore[override]  # PySide6's QByteArray is hashable
        return hash(bytes(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = other.encode("utf-8")
        return bytearray.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        if isinstance(other, str):
            other = other.encode("utf-8")
        return bytearray.__ne__(self, other)

    def __lt__(self, other: Any) -> bool:
        return bytearray.__lt__(self, _b(other))

    def __le__(self, other: Any) -> bool:
        return bytearray.__le__(self, _b(other))

    def __gt__(self, other: Any) -> bool:
        return bytearray.__gt__(self, _b(other))

    def __ge__(self, other: Any) -> bool:
        return bytearray.__ge__(self, _b(other))

    def __add__(self, other: Any) -> QByteArray:
        return QByteArray._of(bytes(self) + _b(other))

    def __radd__(self, other: Any) -> QByteArray:
        return QByteArray._of(bytes(_b(other)) + bytes(self))

    def __iadd__(self, other: Any) -> QByteArray:
        self._null = False
        bytearray.__iadd__(self, _b(other))
        return self

    def __mul__(self, n: SupportsIndex) -> QByteArray:
        return QByteArray._of(bytearray.__mul__(self, n))

    __rmul__ = __mul__

    def __contains__(self, item: Any) -> bool:
        if isinstance(item, str):
            item = item.encode("utf-8")
        return bytearray.__contains__(self, item)

    def __getitem__(self, key: Any) -> Any:
        value = bytearray.__getitem__(self, key)
        if type(value) is int:
            return _BYTES[value]
        return QByteArray._of(value)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._null = False
        if isinstance(key, slice):
            bytearray.__setitem__(self, key, _b(value) if isinstance(value, str) else value)
        else:
            bytearray.__setitem__(self, key, _char(value))

    def __iter__(self) -> Iterator[bytes]:  # type: ignore[override]
        return map(_BYTES.__getitem__, bytearray.__iter__(self))

    def __copy__(self) -> QByteArray:
        return QByteArray() if self._null else QByteArray._of(self)

    def __deepcopy__(self, memo: Any) -> QByteArray:
        return self.__copy__()

    def __reduce__(self) -> tuple[Any, ...]:
        return (QByteArray, () if self.isNull() else (bytes(self),))

    # -- size and state ------------------------------------------------------------
    def size(self) -> int:
        return len(self)

    length = size

    def count(self, *args: Any) -> int:
        if not args:
            return len(self)
        sub = args[0]
        return bytearray.count(self, sub if isinstance(sub, int) else _b(sub), *args[1:])

    def isEmpty(self) -> bool:  # noqa: N802
        return not self

    def isNull(self) -> bool:  # noqa: N802
        return self._null and not self

    def data(self) -> bytes:
        return bytes(self)

    constData = data

    def toStdString(self) -> str:  # noqa: N802
        return self.decode("utf-8", "replace")

    @staticmethod
    def fromStdString(s: str) -> QByteArray:  # noqa: N802
        return QByteArray._of(s.encode("utf-8"))

    @staticmethod
    def fromRawData(data: Any, size: int = -1) -> QByteArray:  # noqa: N802
        return QByteArray(_b(data), size)

    def setRawData(self, data: Any, size: int = -1) -> QByteArray:  # noqa: N802
        b = _b(data)
        self._null = False
        self[:] = b if size < 0 else b[:size]
        return self

    def capacity(self) -> int:
        return len(self)

    def reserve(self, size: int) -> None:
        pass  # CPython's bytearray manages its own capacity

    def squeeze(self) -> None:
        pass

    def isSharedWith(self, other: Any) -> bool:  # noqa: N802
        return self is other

    def isDetached(self) -> bool:  # noqa: N802
        return True

    def swap(self, other: QByteArray) -> None:
        mine, theirs = bytes(self), bytes(other)
        mine_null, theirs_null = self.isNull(), other.isNull()
        bytearray.__setitem__(self, slice(None), theirs)
        bytearray.__setitem__(other, slice(None), mine)
        self._null, other._null = theirs_null, mine_null

    # -- element access -----------------------------------------------------------------
    def at(self, i: int) -> str:
        """The byte at ``i`` as a 1-char str; '\\0' outside the array (PySide6)."""
        return chr(bytearray.__getitem__(self, i)) if 0 <= i < len(self) else "\0"

    def front(self) -> str:
        return self.at(0)

    def back(self) -> str:
        return self.at(len(self) - 1)

    # -- modification (in place, returning self like Qt) -------------------------------
    def append(self, *args: Any) -> QByteArray:  # type: ignore[override]
        """append(data) | append(count, ch) | append(byte_value)."""
        self._null = False
        if len(args) == 2:
            bytearray.__iadd__(self, _BYTES[_char(args[1])] * int(args[0]))
        else:
            bytearray.__iadd__(self, _b(args[0]))
        return self

    push_back = append

    def prepend(self, *args: Any) -> QByteArray:
        """prepend(data) | prepend(count, ch)."""
        self._null = False
        data = _BYTES[_char(args[1])] * int(args[0]) if len(args) == 2 else _b(args[0])
        bytearray.__setitem__(self, slice(0, 0), data)
        return self

    push_front = prepend

    def insert(self, i: SupportsIndex, *args: Any) -> QByteArray:  # type: ignore[override]
        """insert(i, data) | insert(i, count, ch); past the end pads with spaces (Qt)."""
        self._null = False
        data = _BYTES[_char(args[1])] * int(args[0]) if len(args) == 2 else _b(args[0])
        pos = int(i)
        if pos < 0:
            return self
        if pos > len(self):
            bytearray.__iadd__(self, b" " * (pos - len(self)))
        bytearray.__setitem__(self, slice(pos, pos), data)
        return self

    def remove(self, *args: Any) -> Any:
        """Qt's remove(pos, len); bytearray's remove(value) with one argument."""
        if len(args) == 1:
            return bytearray.remove(self, args[0])
        pos, n = int(args[0]), int(args[1])
        self._null = False
        if 0 <= pos < len(self) and n > 0:
            bytearray.__delitem__(self, slice(pos, pos + n))
        return self

    def removeAt(self, pos: int) -> QByteArray:  # noqa: N802
        return self.remove(pos, 1)  # type: ignore[no-any-return]

    def removeFirst(self) -> QByteArray:  # noqa: N802
        return self.remove(0, 1)  # type: ignore[no-any-return]

    def removeLast(self) -> QByteArray:  # noqa: N802
        return self.remove(len(self) - 1, 1)  # type: ignore[no-any-return]

    def replace(self, *args: Any) -> QByteArray:
        """replace(before, after) | replace(pos, len, after), in place."""
        self._null = False
        if len(args) == 3 and isinstance(args[0], int) and isinstance(args[1], int):
            pos, n = args[0], args[1]
            if 0 <= pos <= len(self):
                bytearray.__setitem__(self, slice(pos, pos + max(n, 0)), _b(args[2]))
            return self
        before, after = _b(args[0]), _b(args[-1])
        bytearray.__setitem__(self, slice(None), bytes(self).replace(before, after))
        return self

    def assign(self, data: Any) -> QByteArray:
        self._null = False
        bytearray.__setitem__(self, slice(None), _b(data))
        return self

    def chop(self, n: int) -> None:
        self._null = False
        if n > 0:
            bytearray.__delitem__(self, slice(max(len(self) - n, 0), None))

    def truncate(self, pos: int) -> None:
        self._null = False
        if pos < len(self):
            bytearray.__delitem__(self, slice(max(pos, 0), None))

    def clear(self) -> None:
        bytearray.clear(self)
        self._null = True

    def resize(self, size: int, ch: Any = 0) -> None:
        self._null = False
        size = max(int(size), 0)
        n = len(self)
        if size < n:
            bytearray.__delitem__(self, slice(size, None))
        elif size > n:
            bytearray.__iadd__(self, _BYTES[_char(ch)] * (size - n))

    def fill(self, ch: Any, size: int = -1) -> QByteArray:
        self._null = False
        n = len(self) if size < 0 else size
        bytearray.__setitem__(self, slice(None), _BYTES[_char(ch)] * n)
        return self

    # -- substrings (new arrays; null in, null out as in Qt) ----------------------------
    def _sub(self, start: int, stop: int) -> QByteArray:
        if self._null and not self:
            return QByteArray()
        return QByteArray._of(bytearray.__getitem__(self, slice(start, stop)))

    def left(self, n: int) -> QByteArray:
        return self._sub(0, max(n, 0))

    def right(self, n: int) -> QByteArray:
        return self._sub(len(self) - n, len(self)) if n > 0 else self._sub(0, 0)

    def mid(self, pos: int, n: int = -1) -> QByteArray:
        size = len(self)
        if pos > size:
            return QByteArray()
        end = size if n < 0 or pos + n > size else pos + n
        return self._sub(min(max(pos, 0), size), max(end, 0))

    def sliced(self, pos: int, n: int | None = None) -> QByteArray:
        return self._sub(pos, len(self) if n is None else pos + n)

    def first(self, n: int) -> QByteArray:
        return self._sub(0, n)

    def last(self, n: int) -> QByteArray:
        return self._sub(max(len(self) - n, 0), len(self))

    def chopped(self, n: int) -> QByteArray:
        return self._sub(0, max(len(self) - n, 0))

    # -- searching ---------------------------------------------------------------------------
    def startsWith(self, prefix: Any) -> bool:  # noqa: N802
        if isinstance(prefix, int):
            return bool(self) and bytearray.__getitem__(self, 0) == prefix
        return self.startswith(_b(prefix))

    def endsWith(self, suffix: Any) -> bool:  # noqa: N802
        if isinstance(suffix, int):
            return bool(self) and bytearray.__getitem__(self, -1) == suffix
        return self.endswith(_b(suffix))

    def contains(self, sub: Any) -> bool:
        return bytearray.find(self, sub if isinstance(sub, int) else _b(sub)) >= 0

    def indexOf(self, sub: Any, start: int = 0) -> int:  # noqa: N802
        if start < 0:
            start = max(start + len(self), 0)
        if start > len(self):
            return -1
        return self.find(sub if isinstance(sub, int) else _b(sub), start)

    def lastIndexOf(self, sub: Any, start: int | None = None) -> int:  # noqa: N802
        """Last match beginning at or before ``start`` (negative counts from the end)."""
        size = len(self)
        if start is None:
            start = size
        elif start < 0:
            start += size
            if start < 0:
                return -1
        if isinstance(sub, int):
            return self.rfind(sub, 0, start + 1)
        needle = _b(sub)
        return self.rfind(needle, 0, start + len(needle))

    def compare(self, other: Any, cs: int = 1) -> int:
        a, b = bytes(self), bytes(_b(other))
        if int(cs) == 0:
            a, b = a.lower(), b.lower()
        return (a > b) - (a < b)

    # -- transformed copies ----------------------------------------------------------
    def _like_self(self, data: Any) -> QByteArray:
        """A copy-derived result: null when this array is null (Qt)."""
        return QByteArray() if self._null and not self else QByteArray._of(data)

    def toUpper(self) -> QByteArray:  # noqa: N802
        return self._like_self(self.upper())

    def toLower(self) -> QByteArray:  # noqa: N802
        return self._like_self(self.lower())

    def isUpper(self) -> bool:  # noqa: N802
        return bytearray.__eq__(self, self.upper())

    def isLower(self) -> bool:  # noqa: N802
        return bytearray.__eq__(self, self.lower())

    def isValidUtf8(self) -> bool:  # noqa: N802
        try:
            self.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True

    def trimmed(self) -> QByteArray:
        return self._like_self(self.strip(bytes_text.ASCII_SPACES))

    def simplified(self) -> QByteArray:
        return QByteArray._of(b" ".join(bytearray.split(self)))

    def split(self, sep: Any = None, maxsplit: int = -1) -> list[Any]:  # type: ignore[override]
        if sep is None:
            return bytearray.split(self, None, maxsplit)
        if self._null and not self:
            return [QByteArray()]
        of = QByteArray._of
        return [of(p) for p in bytes(self).split(_b(sep), maxsplit)]

    def repeated(self, times: int) -> QByteArray:
        return QByteArray._of(bytes(self) * times) if times > 0 else QByteArray()

    def leftJustified(self, width: int, fill: Any = " ", truncate: bool = False) -> QByteArray:  # noqa: N802
        data = bytes(self)[:width] if truncate else bytes(self)
        return QByteArray._of(data.ljust(width, _BYTES[_char(fill)]))

    def rightJustified(self, width: int, fill: Any = " ", truncate: bool = False) -> QByteArray:  # noqa: N802
        data = bytes(self)[:width] if truncate else bytes(self)
        return QByteArray._of(data.rjust(width, _BYTES[_char(fill)]))

    # -- encodings ---------------------------------------------------------------------------
    def toHex(self, separator: Any = 0) -> QByteArray:  # noqa: N802
        if not self:
            return QByteArray()
        sep = _char(separator)
        text = self.hex(chr(sep)) if sep else self.hex()
        return QByteArray._of(text.encode("ascii"))

    @staticmethod
    def fromHex(data: Any) -> QByteArray:  # noqa: N802
        return QByteArray._of(bytes_text.from_hex(_b(data)))

    def toBase64(self, options: int = 0) -> QByteArray:  # noqa: N802
        return QByteArray._of(bytes_text.to_base64(self, int(options)))

    @staticmethod
    def fromBase64Encoding(data: Any, options: int = 0) -> QByteArray.FromBase64Result:  # noqa: N802
        decoded, status = bytes_text.from_base64(_b(data), int(options))
        return QByteArray.FromBase64Result(
            QByteArray() if decoded is None else QByteArray._of(decoded),
            QByteArray.Base64DecodingStatus(status),
        )

    @staticmethod
    def fromBase64(data: Any, options: int = 0) -> QByteArray:  # noqa: N802
        return QByteArray.fromBase64Encoding(data, options).decoded

    def toPercentEncoding(  # noqa: N802
        self, exclude: Any = b"", include: Any = b"", percent: Any = "%"
    ) -> QByteArray:
        return QByteArray._of(
            bytes_text.to_percent_encoding(self, _b(exclude), _b(include), _char(percent))
        )

    @staticmethod
    def fromPercentEncoding(data: Any, percent: Any = "%") -> QByteArray:  # noqa: N802
        return QByteArray._of(bytes_text.from_percent_encoding(_b(data), _char(percent)))

    def percentDecoded(self, percent: Any = "%") -> QByteArray:  # noqa: N802
        return QByteArray.fromPercentEncoding(self, percent)

    # -- numbers -----------------------------------------------------------------------------
    def toShort(self, base: int = 10) -> tuple[int, bool]:  # noqa: N802
        return bytes_text.parse_int(self, base, "short")

    def toUShort(self, base: int = 10) -> tuple[int, bool]:  # noqa: N802
        return bytes_text.parse_int(self, base, "ushort")

    def toInt(self, base: int = 10) -> tuple[int, bool]:  # noqa: N802
        return bytes_text.parse_int(self, base, "int")

    def toUInt(self, base: int = 10) -> tuple[int, bool]:  # noqa: N802
        return bytes_text.parse_int(self, base, "uint")

    def toLong(self, base: int = 10) -> tuple[int, bool]:  # noqa: N802
        return bytes_text.parse_int(self, base, "long")

    def toULong(self, base: int = 10) -> tuple[int, bool]:  # noqa: N802
        return bytes_text.parse_int(self, base, "ulong")

    toLongLong = toLong
    toULongLong = toULong

    def toDouble(self) -> tuple[float, bool]:  # noqa: N802
        return bytes_text.parse_double(self)

    def toFloat(self) -> tuple[float, bool]:  # noqa: N802
        value, ok = bytes_text.parse_double(self)
        if not ok:
            return value, ok
        return bytes_text.to_float32(value)

    @staticmethod
    def number(value: Any, fmt_or_base: Any = None, precision: int = 6) -> QByteArray:
        """number(int, base=10) | number(float, format='g', precision=6)."""
        return QByteArray._of(bytes_text.format_number(value, fmt_or_base, precision))

    def setNum(self, value: Any, fmt_or_base: Any = None, precision: int = 6) -> QByteArray:  # noqa: N802
        self._null = False
        text = bytes_text.format_number(value, fmt_or_base, precision)
        bytearray.__setitem__(self, slice(None), text)
        return self


export_enums(QByteArray, QByteArray.Base64Option, QByteArray.Base64DecodingStatus)
