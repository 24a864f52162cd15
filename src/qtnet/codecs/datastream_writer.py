"""The encoding half of the QDataStream codec (sans-I/O): settings and :class:`Writer`.

:class:`StreamSettings` is the state Qt keeps per stream (version, byte order,
floating point precision, status); :class:`Writer` appends encoded values to a
``bytearray``.  The decoder is :class:`qtnet.codecs.datastream.Reader`, which
also re-exports everything here.  Output is byte-identical to Qt 6.12 for
stream versions 1 (Qt 1.0) to 24 (Qt 6.11/6.12).
"""

from __future__ import annotations

import codecs
import struct
from collections.abc import Callable
from typing import TypeVar

from .datastream_types import (
    EXTENDED_SIZE,
    HOST_IPV4,
    HOST_IPV6,
    INVALID,
    MAX_VARIANT_DEPTH,
    NULL_MARKER,
    V_QT_2_1,
    V_QT_3_3,
    V_QT_4_2,
    V_QT_4_6,
    V_QT_5_0,
    V_QT_6_7,
    ByteOrder,
    DataStreamVersion,
    FloatingPointPrecision,
    HostAddressWire,
    MetaType,
    Status,
    Variant,
    qstring_sort_key,
    wire_type_id,
)

__all__ = ["StreamSettings", "Writer"]

T = TypeVar("T")
K = TypeVar("K")

_OK = Status.Ok
_PAST_END = Status.ReadPastEnd
_CORRUPT = Status.ReadCorruptData
_SIZE_LIMIT = Status.SizeLimitExceeded
_DEFAULT_VERSION = int(DataStreamVersion.Qt_DefaultCompiledVersion)


def _structs(prefix: str) -> tuple[struct.Struct, ...]:
    return tuple(struct.Struct(prefix + c) for c in "bBhHiIqQfd")


# Precompiled per byte order: i8 u8 i16 u16 i32 u32 i64 u64 f32 f64.
_BE = _structs(">")
_LE = _structs("<")
# Their bound unpack_from/pack methods, shared by every stream: a hot path then
# costs one slot load and one index instead of three attribute lookups.
_UF_BE = tuple(s.unpack_from for s in _BE)
_UF_LE = tuple(s.unpack_from for s in _LE)
_PK_BE = tuple(s.pack for s in _BE)
_PK_LE = tuple(s.pack for s in _LE)
# Size fields for the common small sizes, ready-made: a tuple index instead of a pack().
SMALL_SIZES = 1024
_SIZES_BE = tuple(_BE[5].pack(n) for n in range(SMALL_SIZES))
_SIZES_LE = tuple(_LE[5].pack(n) for n in range(SMALL_SIZES))
_F32 = struct.Struct("<f")
_DOUBLE = FloatingPointPrecision.DoublePrecision
_SINGLE = FloatingPointPrecision.SinglePrecision


def _to_f32(x: float) -> float:
    """Round to the nearest float32 as C++'s double->float conversion does (inf on overflow)."""
    try:
        return float(_F32.unpack(_F32.pack(x))[0])
    except OverflowError:
        return float("inf") if x > 0 else float("-inf")


class StreamSettings:
    """State shared by reading and writing: version, byte order, precision, status.

    Everything the encoders/decoders would otherwise work out per value from the
    settings (struct table, UTF-16 codec, float/double wire sizes) is resolved
    once in :meth:`_resolve` whenever a setting changes.
    """

    __slots__ = (
        "_version", "_order", "_precision", "_status", "_uf", "_pk", "_sizes", "_u16enc",
        "_u16dec", "_fs", "_ds", "_data", "pos", "end", "_tx_pos", "tx_depth", "buffer",
    )  # fmt: skip

    def __init__(
        self,
        version: int = _DEFAULT_VERSION,
        byte_order: int = ByteOrder.BigEndian,
        precision: int = FloatingPointPrecision.DoublePrecision,
    ) -> None:
        self._defaults()
        if version != _DEFAULT_VERSION or byte_order or precision != _DOUBLE:
            self._version = int(version)
            self._order = int(byte_order)
            self._precision = int(precision)
            self._resolve()

    def _defaults(self) -> None:
        """Qt's defaults (current version, big endian, double precision), status Ok."""
        self._version = _DEFAULT_VERSION
        self._order = 0
        self._precision = 1
        self._status = _OK
        self.tx_depth = 0
        self._uf = _UF_BE
        self._pk = _PK_BE
        self._sizes = _SIZES_BE
        # The codec functions themselves: str.encode("utf-16-be") looks the codec
        # up by name on every call and is 3-4x slower for fortune-sized strings.
        self._u16enc = codecs.utf_16_be_encode
        self._u16dec = codecs.utf_16_be_decode
        self._fs = self._ds = _BE[9]  # from Qt 4.6 on, both travel as 8-byte doubles

    def _resolve(self) -> None:
        little = self._order == ByteOrder.LittleEndian
        s = _LE if little else _BE
        self._uf = _UF_LE if little else _UF_BE
        self._pk = _PK_LE if little else _PK_BE
        self._sizes = _SIZES_LE if little else _SIZES_BE
        self._u16enc = codecs.utf_16_le_encode if little else codecs.utf_16_be_encode
        self._u16dec = codecs.utf_16_le_decode if little else codecs.utf_16_be_decode
        if self._version < V_QT_4_6:  # the precision setting does not apply yet
            self._fs, self._ds = s[8], s[9]
        elif self._precision == _SINGLE:
            self._fs = self._ds = s[8]
        else:
            self._fs = self._ds = s[9]

    @property
    def version(self) -> int:
        return self._version

    @version.setter
    def version(self, v: int) -> None:
        self._version = int(v)
        self._resolve()

    @property
    def status(self) -> Status:
        """The Qt status: Ok, or the first error since the last reset."""
        return self._status

    @status.setter
    def status(self, value: int) -> None:
        self._status = Status(value)

    @property
    def byte_order(self) -> int:
        return self._order

    @byte_order.setter
    def byte_order(self, bo: int) -> None:
        self._order = int(bo)
        self._resolve()

    @property
    def precision(self) -> int:
        return self._precision

    @precision.setter
    def precision(self, p: int) -> None:
        self._precision = int(p)
        self._resolve()

    def set_status(self, status: int) -> None:
        """Qt's ``setStatus``: only an Ok status changes; the first error is kept."""
        if self._status == _OK:
            self._status = Status(status)


class Writer(StreamSettings):
    """Encodes values onto ``self.buffer`` (a bytearray you may pass in and reuse).

    Integer methods raise OverflowError for values outside the Qt type's range,
    before anything is appended.  ``status`` becomes ``SizeLimitExceeded`` only
    when a length cannot be represented in the chosen version (>= 4 GiB before
    Qt 6.7); the value is then not written.
    """

    __slots__ = ()

    def __init__(
        self,
        buffer: bytearray | None = None,
        *,
        version: int = _DEFAULT_VERSION,
        byte_order: int = ByteOrder.BigEndian,
        precision: int = FloatingPointPrecision.DoublePrecision,
    ) -> None:
        StreamSettings.__init__(self, version, byte_order, precision)  # explicit: cooperative MI
        self.buffer = bytearray() if buffer is None else buffer

    def _pack(self, idx: int, v: int, name: str) -> None:
        try:
            self.buffer += self._pk[idx](v)
        except struct.error:
            raise OverflowError(f"{v!r} is out of range for {name}") from None

    # -- fixed-size values --------------------------------------------------------
    def write_i8(self, v: int) -> None:
        self._pack(0, v, "qint8")

    def write_u8(self, v: int) -> None:
        self._pack(1, v, "quint8")

    def write_i16(self, v: int) -> None:
        self._pack(2, v, "qint16")

    def write_u16(self, v: int) -> None:
        self._pack(3, v, "quint16")

    def write_i32(self, v: int) -> None:
        self._pack(4, v, "qint32")

    def write_u32(self, v: int) -> None:
        self._pack(5, v, "quint32")

    def write_i64(self, v: int) -> None:
        self._write_64(v, 6, "qint64")

    def write_u64(self, v: int) -> None:
        self._write_64(v, 7, "quint64")

    def _write_64(self, v: int, idx: int, name: str) -> None:
        try:
            packed = self._pk[idx](v)
        except struct.error:
            raise OverflowError(f"{v!r} is out of range for {name}") from None
        if self._version >= V_QT_3_3:
            self.buffer += packed
            return
        # Before Qt 3.3 a 64-bit value is two quint32s, the high word first.  (Qt's
        # reader of that era takes the first word as the LOW one; see Reader.)
        u = v & 0xFFFFFFFFFFFFFFFF
        self.buffer += self._pk[5](u >> 32) + self._pk[5](u & 0xFFFFFFFF)

    def write_bool(self, v: bool) -> None:
        self.buffer += b"\x01" if v else b"\x00"

    def write_float(self, v: float) -> None:
        """A C++ ``float``: 8 bytes by default (DoublePrecision), else 4; always float32-rounded."""
        self.buffer += self._fs.pack(_to_f32(float(v)))

    def write_double(self, v: float) -> None:
        """A C++ ``double``: 8 bytes, or a float32 with SinglePrecision from Qt 4.6 on."""
        ds = self._ds
        self.buffer += ds.pack(_to_f32(float(v)) if ds.size == 4 else float(v))

    def write_qchar(self, ch: str | int) -> None:
        """A QChar: one UTF-16 code unit (a str of one BMP character or an int)."""
        code = ord(ch) if isinstance(ch, str) else int(ch)
        if code > 0xFFFF:
            raise ValueError("a QChar holds one UTF-16 code unit; this character needs two")
        self.write_u16(code)

    # -- sizes and byte strings ---------------------------------------------------
    def write_size(self, n: int) -> bool:
        """Qt's size field: quint32, or the 0xfffffffe marker + qint64 from Qt 6.7 on."""
        if n < EXTENDED_SIZE:
            self.buffer += self._pk[5](n)
        elif self._version >= V_QT_6_7:
            self.buffer += self._pk[5](EXTENDED_SIZE) + self._pk[6](n)
        elif n == EXTENDED_SIZE:
            self.buffer += self._pk[5](EXTENDED_SIZE)
        else:
            self.set_status(_SIZE_LIMIT)  # too big for the old format: write nothing
            return False
        return True

    def write_raw(self, data: bytes | bytearray | memoryview) -> None:
        """``writeRawData``: the bytes alone."""
        self.buffer += data

    def write_bytes(self, data: bytes | bytearray | memoryview | None) -> None:
        """``writeBytes``: a size then the bytes (no terminator).  None writes size 0."""
        if data is None:
            self.buffer += self._pk[5](0)
        elif self.write_size(len(data)):
            self.buffer += data

    def write_qbytearray(self, data: bytes | bytearray | memoryview | None) -> None:
        """A QByteArray; None is a null array (0xffffffff, or size 0 before Qt 3.3)."""
        if data is None:
            self.buffer += self._pk[5](NULL_MARKER if self._version >= V_QT_3_3 else 0)
        elif self.write_size(len(data)):
            self.buffer += data

    def write_charptr(self, data: bytes | None) -> None:
        """A ``const char*``: size including the NUL, the bytes, the NUL; None -> size 0."""
        if data is None:
            self.buffer += self._pk[5](0)
            return
        nul = data.find(b"\x00")
        if nul >= 0:  # C's strlen stops at the first NUL
            data = data[:nul]
        if self.write_size(len(data) + 1):
            self.buffer += data + b"\x00"

    def write_qstring(self, s: str | None) -> None:
        """A QString: byte size then UTF-16 units in the stream's byte order; None is null."""
        v = self._version
        if s is not None and v != 1:
            data = self._u16enc(s, "surrogatepass")[0]
            n = len(data)
            if n < SMALL_SIZES:  # the common case, inline
                buf = self.buffer
                buf += self._sizes[n]
                buf += data
            elif n < EXTENDED_SIZE:
                buf = self.buffer
                buf += self._pk[5](n)
                buf += data
            elif self.write_size(len(data)):
                self.buffer += data
        elif v == 1:
            # Qt 1 streamed strings as Latin-1 QByteArrays; other UTF-16 units become '?'.
            self.write_qbytearray(None if s is None else _to_latin1(s))
        else:
            self.buffer += self._pk[5](NULL_MARKER if v >= V_QT_2_1 else 0)

    # -- containers ---------------------------------------------------------------
    def write_list(self, items: list[T], write_item: Callable[[T], None]) -> None:
        """A QList<T>: element count then each element."""
        if self.write_size(len(items)):
            for item in items:
                write_item(item)

    def write_map(
        self, items: dict[K, T], write_key: Callable[[K], None], write_value: Callable[[T], None]
    ) -> None:
        """A QMap/QHash<K, V>: count then key/value pairs, in the mapping's iteration order.

        Qt 6 writes a QMap in key order and a QHash in its bucket order; pass a
        mapping already in the order you want on the wire.
        """
        if self.write_size(len(items)):
            for k, val in items.items():
                write_key(k)
                write_value(val)

    def write_qstringlist(self, items: list[str | None]) -> None:
        self.write_list(items, self.write_qstring)

    # -- QVariant -----------------------------------------------------------------
    def write_variant(self, v: Variant, _depth: int = 0) -> None:
        """A QVariant: type id (mapped for old versions), is-null flag from Qt 4.2, value."""
        if _depth > MAX_VARIANT_DEPTH:
            raise ValueError(f"QVariant nesting deeper than {MAX_VARIANT_DEPTH} levels")
        tid = int(v.type_id)
        wire = wire_type_id(tid, self._version)
        if wire is None:  # no such type in Qt 3's numbering: Qt writes an invalid variant
            v, tid, wire = INVALID, 0, 0
        elif tid != 0 and tid not in _VARIANT_WRITERS:
            raise TypeError(f"qtnet cannot stream QVariant type id {tid}")
        self.write_u32(wire)
        if self._version >= V_QT_4_2:
            self.buffer += b"\x01" if (v.is_null or tid == 0) else b"\x00"
        if tid == 0:
            if self._version < V_QT_5_0:
                self.write_qstring(None)  # old readers expect a (null) string here
            return
        _VARIANT_WRITERS[tid](self, v.value, _depth)

    def write_host_address(self, a: HostAddressWire) -> None:
        """A QHostAddress: qint8 protocol tag, then the address for IPv4/IPv6."""
        self.write_i8(a.protocol)
        if a.protocol == HOST_IPV4:
            self.write_u32(a.ipv4)
        elif a.protocol == HOST_IPV6:
            if len(a.ipv6) != 16:
                raise ValueError("an IPv6 address has 16 bytes")
            self.buffer += a.ipv6
            self.write_qstring(a.scope_id)


def _to_latin1(s: str) -> bytes:
    units = s.encode("utf-16-le", "surrogatepass")
    out = bytearray(len(units) // 2)
    for i in range(len(out)):
        lo, hi = units[2 * i], units[2 * i + 1]
        out[i] = lo if hi == 0 else 0x3F  # '?'
    return bytes(out)


def _w_list(w: Writer, val: object, depth: int) -> None:
    items = list(val)  # type: ignore[call-overload]
    if w.write_size(len(items)):
        for x in items:
            w.write_variant(x, depth + 1)


def _w_map(w: Writer, val: object, depth: int, *, sort: bool) -> None:
    items = dict(val)  # type: ignore[call-overload]
    keys = sorted(items, key=qstring_sort_key) if sort else list(items)
    if w.write_size(len(keys)):
        for k in keys:
            w.write_qstring(k)
            w.write_variant(items[k], depth + 1)


_VARIANT_WRITERS: dict[int, Callable[[Writer, object, int], None]] = {
    MetaType.Bool: lambda w, x, d: w.write_bool(bool(x)),
    MetaType.Int: lambda w, x, d: w.write_i32(x),  # type: ignore[arg-type]
    MetaType.UInt: lambda w, x, d: w.write_u32(x),  # type: ignore[arg-type]
    MetaType.LongLong: lambda w, x, d: w.write_i64(x),  # type: ignore[arg-type]
    MetaType.ULongLong: lambda w, x, d: w.write_u64(x),  # type: ignore[arg-type]
    MetaType.Long: lambda w, x, d: w.write_i64(x),  # type: ignore[arg-type]
    MetaType.ULong: lambda w, x, d: w.write_u64(x),  # type: ignore[arg-type]
    MetaType.Short: lambda w, x, d: w.write_i16(x),  # type: ignore[arg-type]
    MetaType.UShort: lambda w, x, d: w.write_u16(x),  # type: ignore[arg-type]
    MetaType.Char: lambda w, x, d: w.write_i8(x),  # type: ignore[arg-type]
    MetaType.SChar: lambda w, x, d: w.write_i8(x),  # type: ignore[arg-type]
    MetaType.UChar: lambda w, x, d: w.write_u8(x),  # type: ignore[arg-type]
    MetaType.Double: lambda w, x, d: w.write_double(x),  # type: ignore[arg-type]
    MetaType.Float: lambda w, x, d: w.write_float(x),  # type: ignore[arg-type]
    MetaType.QChar: lambda w, x, d: w.write_qchar(x),  # type: ignore[arg-type]
    MetaType.QString: lambda w, x, d: w.write_qstring(x),  # type: ignore[arg-type]
    MetaType.QByteArray: lambda w, x, d: w.write_qbytearray(x),  # type: ignore[arg-type]
    MetaType.QStringList: lambda w, x, d: w.write_qstringlist(list(x)),  # type: ignore[call-overload]
    MetaType.QVariantList: _w_list,
    MetaType.QVariantMap: lambda w, x, d: _w_map(w, x, d, sort=True),
    MetaType.QVariantHash: lambda w, x, d: _w_map(w, x, d, sort=False),
    MetaType.Nullptr: lambda w, x, d: None,
}
