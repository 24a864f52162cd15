"""Qt's QDataStream wire format as a sans-I/O codec.

* :class:`Writer` (from :mod:`.datastream_writer`) appends encoded values to a
  ``bytearray``.
* :class:`Reader` decodes values from a bytes-like buffer, keeping a read
  position and a Qt status the way ``QDataStream`` does: a short read consumes
  what is there and sets ``ReadPastEnd``; ``set_status`` never overwrites an
  earlier error; inside a transaction, reading is suspended after the first
  error; containers decode even while an earlier error is latched (outside a
  transaction) and then restore that error.

Both are byte-compatible with Qt 6.12 (checked against PySide6 by the test
suite) for stream versions 1 (Qt 1.0) to 24 (Qt 6.11/6.12).

Untrusted input is safe: no size read from the stream is used to allocate
memory before it has been checked against the bytes actually available, a
container never pre-sizes from its count (each element must decode from real
bytes), and nested QVariants stop at ``MAX_VARIANT_DEPTH`` levels.

The Qt API class ``qtnet.qt.datastream.QDataStream`` is this codec: over a
QIODevice it sets ``_data`` to None (the inline buffer fast paths then stay
off) and overrides the ``_read``, ``_available``, ``_read_beyond``, ``_tx_*``
hooks below.

Example::

    w = Writer(version=DataStreamVersion.Qt_5_10)
    w.write_u16(0)
    w.write_qstring("hello")
    r = Reader(bytes(w.buffer), version=DataStreamVersion.Qt_5_10)
    assert (r.read_u16(), r.read_qstring(), r.status) == (0, "hello", Status.Ok)
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TypeVar

from .datastream_types import (
    EXTENDED_SIZE,
    HOST_ANY,
    HOST_IPV4,
    HOST_IPV6,
    HOST_NULL,
    INVALID,
    MAX_VARIANT_DEPTH,
    NULL_MARKER,
    V_QT_3_3,
    V_QT_4_2,
    V_QT_5_0,
    V_QT_6_7,
    ByteOrder,
    DataStreamVersion,
    FloatingPointPrecision,
    HostAddressWire,
    MetaType,
    Status,
    Variant,
    type_id_from_wire,
    variant_from_python,
    variant_to_python,
)
from .datastream_writer import StreamSettings, Writer, _to_f32

__all__ = [
    "ByteOrder",
    "DataStreamVersion",
    "FloatingPointPrecision",
    "HostAddressWire",
    "INVALID",
    "MetaType",
    "Reader",
    "Status",
    "StreamSettings",
    "Variant",
    "Writer",
    "variant_from_python",
    "variant_to_python",
]

T = TypeVar("T")
K = TypeVar("K")

_OK = Status.Ok
_PAST_END = Status.ReadPastEnd
_CORRUPT = Status.ReadCorruptData
_SIZE_LIMIT = Status.SizeLimitExceeded
_DEFAULT_VERSION = int(DataStreamVersion.Qt_DefaultCompiledVersion)


class Reader(StreamSettings):
    """Decodes QDataStream values from ``data`` starting at ``pos``.

    Every ``read_*`` method returns a value even on failure (0, '' or None, as
    Qt does) and records the problem in ``status``; check ``status`` once after
    a group of reads.  ``pos`` is the read position; ``at_end()`` says whether
    all input was consumed.

    Transactions work as in Qt: :meth:`start_transaction` remembers ``pos``;
    :meth:`commit_transaction` returns False and restores ``pos`` when the data
    was incomplete (``ReadPastEnd``), so the caller can retry with more data.
    """

    __slots__ = ()

    def __init__(
        self,
        data: bytes | bytearray | memoryview = b"",
        pos: int = 0,
        *,
        version: int = _DEFAULT_VERSION,
        byte_order: int = ByteOrder.BigEndian,
        precision: int = FloatingPointPrecision.DoublePrecision,
    ) -> None:
        StreamSettings.__init__(self, version, byte_order, precision)  # explicit: cooperative MI
        self._data = data
        self.pos = pos
        self.end = len(data)
        self._tx_pos: int | None = None

    # -- input hooks (the QIODevice-backed subclass overrides these) ----------
    def _suspended(self) -> bool:
        """Qt stops reading after an error while a (device) transaction is open."""
        return self._status != _OK and self._tx_pos is not None

    def _read(self, n: int) -> bytes | None:
        """Consume and return up to ``n`` bytes; None if reading is suspended."""
        if self._status and self._tx_pos is not None:
            return None
        pos = self.pos
        end = min(pos + n, self.end)
        self.pos = end
        return bytes(self._data[pos:end])

    def _available(self) -> int:
        return self.end - self.pos

    def _read_beyond(self, n: int) -> bytes | None:
        """A size field claims more than ``_available()``: consume what there is.

        Qt reads on until the data runs out.  Returns the bytes read (a device
        subclass may still deliver all ``n``) or None; the caller checks the length.
        """
        self.pos = self.end
        self.set_status(_PAST_END)
        return None

    def _tx_started(self) -> bool:
        return self._tx_pos is not None

    def _tx_begin(self) -> None:
        self._tx_pos = self.pos

    def _tx_commit(self) -> None:
        self._tx_pos = None

    def _tx_rollback(self) -> None:
        if self._tx_pos is not None:
            self.pos = self._tx_pos
        self._tx_pos = None

    def at_end(self) -> bool:
        return self.pos >= self.end

    # -- fixed-size values ----------------------------------------------------
    def _num(self, idx: int, n: int) -> int:
        if self._data is not None and not (self._status and self._tx_pos is not None):
            pos = self.pos
            if pos + n <= self.end:  # fast path: whole value present
                self.pos = pos + n
                return self._uf[idx](self._data, pos)[0]  # type: ignore[no-any-return]
        b = self._read(n)
        if b is None:
            return 0
        if len(b) != n:
            self.set_status(_PAST_END)
            return 0
        return self._uf[idx](b)[0]  # type: ignore[no-any-return]

    def read_i8(self) -> int:
        return self._num(0, 1)

    def read_u8(self) -> int:
        return self._num(1, 1)

    def read_i16(self) -> int:
        return self._num(2, 2)

    def read_u16(self) -> int:
        return self._num(3, 2)

    def read_i32(self) -> int:
        return self._num(4, 4)

    def read_u32(self) -> int:
        return self._num(5, 4)

    def read_i64(self) -> int:
        v = self._read_64()
        return v - (1 << 64) if v >= (1 << 63) else v

    def read_u64(self) -> int:
        return self._read_64()

    def _read_64(self) -> int:
        if self._version >= V_QT_3_3:
            return self._num(7, 8)
        # Before Qt 3.3: two quint32s.  Qt's reader takes the FIRST as the low word
        # although its writer puts the high word first; kept for byte-compatibility.
        lo = self._num(5, 4)
        hi = self._num(5, 4)
        return (hi << 32) | lo

    def read_bool(self) -> bool:
        return self._num(0, 1) != 0  # any non-zero byte is true

    def read_float(self) -> float:
        """A C++ float (rounded to float32 even when it travels as 8 bytes)."""
        fs = self._fs
        if fs.size == 8:
            return _to_f32(self._float(fs))
        return self._float(fs)

    def read_double(self) -> float:
        return self._float(self._ds)

    def _float(self, st: struct.Struct) -> float:
        n = st.size
        if self._data is not None and not (self._status and self._tx_pos is not None):
            pos = self.pos
            if pos + n <= self.end:  # fast path: whole value present
                self.pos = pos + n
                return float(st.unpack_from(self._data, pos)[0])
        b = self._read(n)
        if b is None:
            return 0.0
        if len(b) != n:
            self.set_status(_PAST_END)
            return 0.0
        return float(st.unpack(b)[0])

    def read_qchar(self) -> str:
        return chr(self._num(3, 2))

    # -- sizes and byte strings -----------------------------------------------
    def read_size(self) -> int:
        """Qt's size field: -1 for the null marker; 64-bit after 0xfffffffe from Qt 6.7."""
        first = self._num(5, 4)
        if first == NULL_MARKER:
            return -1
        if first < EXTENDED_SIZE or self._version < V_QT_6_7:
            return first
        return self.read_i64()

    def _payload(self, n: int) -> bytes | None:
        """Exactly ``n`` bytes, or None (ReadPastEnd) -- never allocating from ``n`` alone."""
        if self._suspended():
            return None
        b = self._read_beyond(n) if n > self._available() else self._read(n)
        if b is None:
            return None
        if len(b) != n:
            self.set_status(_PAST_END)
            return None
        return b

    def read_raw(self, n: int) -> bytes:
        """``readRawData``: up to ``n`` bytes; fewer (and ReadPastEnd) at the end of the data."""
        if n < 0:
            return b""
        want = min(n, max(self._available(), 0))
        b = self._read(want)
        if b is None:
            return b""
        if len(b) != n:
            self.set_status(_PAST_END)
        return b

    def skip_raw(self, n: int) -> int:
        """``skipRawData``: bytes skipped, or -1 while reading is suspended."""
        if self._suspended():
            return -1
        k = min(max(n, 0), self._available())
        self.pos += k
        if k != n:
            self.set_status(_PAST_END)
        return k

    def read_bytes(self) -> bytes | None:
        """``readBytes``: size then bytes; None for size 0 (Qt hands back a null pointer)."""
        size = self.read_size()
        if size == 0:
            return None
        if size < 0:
            self.set_status(_SIZE_LIMIT)
            return None
        return self._payload(size)

    def read_charptr(self) -> bytes | None:
        """A ``const char*`` (size includes the NUL): the string without its NUL; None = null."""
        b = self.read_bytes()
        if b is None:
            return None
        return b.split(b"\x00", 1)[0]

    def read_qbytearray(self) -> bytes | None:
        """A QByteArray; None is a null array (also what a failed read leaves, as in Qt)."""
        size = self.read_size()
        if size < -1:
            self.set_status(_SIZE_LIMIT)
            return None
        if size == -1:
            return None
        if size == 0:
            # Qt still asks the device for 0 bytes, which fails (-> null) only when suspended.
            return None if self._suspended() else b""
        return self._payload(size)

    def read_qstring(self) -> str | None:
        """A QString; None is null.  An odd byte size is ReadCorruptData, read stops after it."""
        data = self._data
        if data is not None and not (self._status and self._tx_pos is not None):
            # Fast path: a complete, ordinary string in the buffer.  Failures cost
            # nothing until they happen: a short size field raises struct.error,
            # an odd size (corrupt) UnicodeDecodeError; both go the general way.
            pos = self.pos
            try:
                size = self._uf[5](data, pos)[0]
            except struct.error:
                pass
            else:
                start = pos + 4
                end = start + size
                if end <= self.end and size < EXTENDED_SIZE and self._version != 1:
                    try:
                        s: str = self._u16dec(data[start:end], "surrogatepass", True)[0]
                    except UnicodeDecodeError:
                        pass
                    else:
                        self.pos = end
                        return s
        if self._version == 1:
            b = self.read_qbytearray()
            return None if b is None else b.decode("latin-1")
        size = self.read_size()
        if size < -1:
            self.set_status(_SIZE_LIMIT)
            return None
        if size == -1:
            return None
        if size == 0:
            return ""
        if size & 1:
            self.set_status(_CORRUPT)
            return None
        b = self._payload(size)
        if b is None:
            return None
        # final=True: a lone high surrogate at the end is data, not an incomplete sequence
        return self._u16dec(b, "surrogatepass", True)[0]

    # -- containers -------------------------------------------------------------
    def _container(self, body: Callable[[int], T], empty: Callable[[], T]) -> T:
        """Qt's container read: count, elements; on any failure an empty container.

        An error latched before the read does not stop decoding outside a
        transaction, and is restored afterwards (Qt's StreamStateSaver).
        """
        old = self._status
        if old and not self._tx_started():
            self._status = _OK
        n = self.read_size()
        if n < 0:
            self.set_status(_SIZE_LIMIT)
            result = empty()
        else:
            # No pre-sizing from ``n``: every element must decode from real bytes
            # (each consumes at least one), so a huge count ends at ReadPastEnd.
            result = body(n)
        if old:
            self._status = old
        return result

    def read_list(self, read_item: Callable[[], T]) -> list[T]:
        """A QList<T>: count then elements."""

        def body(n: int) -> list[T]:
            out: list[T] = []
            while n:
                item = read_item()
                if self._status:
                    return []
                out.append(item)
                n -= 1
            return out

        return self._container(body, list)

    def read_map(self, read_key: Callable[[], K], read_value: Callable[[], T]) -> dict[K, T]:
        """A QMap/QHash<K, V>: count then key/value pairs; a repeated key keeps the last value."""

        def body(n: int) -> dict[K, T]:
            out: dict[K, T] = {}
            while n:
                k = read_key()
                v = read_value()
                if self._status:
                    return {}
                out[k] = v
                n -= 1
            return out

        return self._container(body, dict)

    def read_qstringlist(self) -> list[str | None]:
        return self.read_list(self.read_qstring)

    def _read_key(self) -> str:
        k = self.read_qstring()
        return "" if k is None else k  # QString keys: null and empty are the same key

    # -- QVariant ---------------------------------------------------------------
    def read_variant(self, _depth: int = 0) -> Variant:
        """A QVariant.  Types qtnet cannot decode (GUI types, user types) give
        ReadCorruptData and an invalid variant; Qt would decode the ones it knows."""
        ver = self._version
        tid = type_id_from_wire(self._num(5, 4), ver)
        if tid is None:  # Qt 3 id beyond its table: Qt returns an invalid variant here
            return INVALID
        is_null = ver >= V_QT_4_2 and self._num(0, 1) != 0
        if tid == MetaType.User:
            self.read_qbytearray()  # the type's name
            self.set_status(_CORRUPT)
            return INVALID
        if tid == 0:
            if ver < V_QT_5_0:
                self.read_qstring()  # the dummy string old writers put after an invalid variant
            return INVALID
        decode = _VARIANT_READERS.get(tid)
        if decode is None or _depth > MAX_VARIANT_DEPTH:
            self.set_status(_CORRUPT)
            return INVALID
        return Variant(tid, decode(self, _depth), is_null)

    def read_host_address(self) -> HostAddressWire:
        """A QHostAddress (see HostAddressWire); an unknown protocol tag is ReadCorruptData."""
        tag = self.read_i8()
        if tag == HOST_NULL:
            return HostAddressWire(HOST_NULL)
        if tag == HOST_IPV4:
            return HostAddressWire(HOST_IPV4, ipv4=self.read_u32())
        if tag == HOST_IPV6:
            raw = self._read(16) or b""
            if len(raw) != 16:
                if not self._suspended():
                    self.set_status(_PAST_END)
                raw = raw.ljust(16, b"\x00")  # Qt reads byte by byte; missing ones stay 0
            return HostAddressWire(HOST_IPV6, ipv6=raw, scope_id=self.read_qstring())
        if tag == HOST_ANY:
            return HostAddressWire(HOST_ANY)
        self.set_status(_CORRUPT)
        return HostAddressWire(HOST_NULL)

    # -- transactions (Qt 5.7 semantics) ---------------------------------------
    def start_transaction(self) -> None:
        """Open a (possibly nested) transaction; the outermost one resets the status."""
        self.tx_depth += 1
        if self.tx_depth == 1:
            self._tx_begin()
            self._status = _OK

    def commit_transaction(self) -> bool:
        """Inner: report ``status == Ok``.  Outermost: on ReadPastEnd restore the
        position and return False; otherwise keep what was read."""
        if self.tx_depth == 0:
            return False
        self.tx_depth -= 1
        if self.tx_depth == 0:
            if self._status == _PAST_END:
                self._tx_rollback()
                return False
            self._tx_commit()
        return self._status == _OK

    def rollback_transaction(self) -> None:
        """Mark the data incomplete (ReadPastEnd unless another error is set).

        The outermost call restores the position on ReadPastEnd; after corrupt
        data or an aborted inner transaction it commits instead (an abort).
        """
        self.set_status(_PAST_END)
        if self.tx_depth == 0:
            return
        self.tx_depth -= 1
        if self.tx_depth:
            return
        if self._status == _PAST_END:
            self._tx_rollback()
        else:
            self._tx_commit()

    def abort_transaction(self) -> None:
        """Set ReadCorruptData; the outermost call drops the restore point, keeping ``pos``."""
        self._status = _CORRUPT
        if self.tx_depth == 0:
            return
        self.tx_depth -= 1
        if self.tx_depth == 0:
            self._tx_commit()


def _r_list(r: Reader, depth: int) -> list[Variant]:
    return r.read_list(lambda: r.read_variant(depth + 1))


def _r_map(r: Reader, depth: int) -> dict[str, Variant]:
    return r.read_map(r._read_key, lambda: r.read_variant(depth + 1))


_VARIANT_READERS: dict[int, Callable[[Reader, int], object]] = {
    MetaType.Bool: lambda r, d: r.read_bool(),
    MetaType.Int: lambda r, d: r.read_i32(),
    MetaType.UInt: lambda r, d: r.read_u32(),
    MetaType.LongLong: lambda r, d: r.read_i64(),
    MetaType.ULongLong: lambda r, d: r.read_u64(),
    MetaType.Long: lambda r, d: r.read_i64(),
    MetaType.ULong: lambda r, d: r.read_u64(),
    MetaType.Short: lambda r, d: r.read_i16(),
    MetaType.UShort: lambda r, d: r.read_u16(),
    MetaType.Char: lambda r, d: r.read_i8(),
    MetaType.SChar: lambda r, d: r.read_i8(),
    MetaType.UChar: lambda r, d: r.read_u8(),
    MetaType.Double: lambda r, d: r.read_double(),
    MetaType.Float: lambda r, d: r.read_float(),
    MetaType.QChar: lambda r, d: r.read_qchar(),
    MetaType.QString: lambda r, d: r.read_qstring(),
    MetaType.QByteArray: lambda r, d: r.read_qbytearray(),
    MetaType.QStringList: lambda r, d: r.read_qstringlist(),
    MetaType.QVariantList: _r_list,
    MetaType.QVariantMap: _r_map,
    MetaType.QVariantHash: _r_map,
    MetaType.Nullptr: lambda r, d: None,
}
