"""Value types and constants of Qt's QDataStream wire format (sans-I/O).

This module holds what the encoder/decoder in :mod:`qtnet.codecs.datastream`
and the Qt API class share: the Qt enums (with Qt's numeric values, so they
compare equal to the ints a peer sends), the QVariant model, the mapping of
QMetaType ids to the ids older stream versions use, and the conversion between
plain Python values and QVariants that PySide6 applies.

Codec-level value conventions (no Qt classes here):

* QString  -> ``str``; a *null* QString is ``None`` (Qt distinguishes null from empty).
* QByteArray -> ``bytes``; a null QByteArray is ``None``.
* QVariant -> :class:`Variant` (type id + value + Qt's is-null flag).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple


class DataStreamVersion(enum.IntEnum):
    """``QDataStream::Version``: the serialization format number.

    Several Qt releases share one format; IntEnum turns those into aliases
    (``Qt_4_1 is Qt_4_0``), exactly as the C++ enum has equal values.
    """

    Qt_1_0 = 1
    Qt_2_0 = 2
    Qt_2_1 = 3
    Qt_3_0 = 4
    Qt_3_1 = 5
    Qt_3_3 = 6
    Qt_4_0 = 7
    Qt_4_1 = 7
    Qt_4_2 = 8
    Qt_4_3 = 9
    Qt_4_4 = 10
    Qt_4_5 = 11
    Qt_4_6 = 12
    Qt_4_7 = 12
    Qt_4_8 = 12
    Qt_4_9 = 12
    Qt_5_0 = 13
    Qt_5_1 = 14
    Qt_5_2 = 15
    Qt_5_3 = 15
    Qt_5_4 = 16
    Qt_5_5 = 16
    Qt_5_6 = 17
    Qt_5_7 = 17
    Qt_5_8 = 17
    Qt_5_9 = 17
    Qt_5_10 = 17
    Qt_5_11 = 17
    Qt_5_12 = 18
    Qt_5_13 = 19
    Qt_5_14 = 19
    Qt_5_15 = 19
    Qt_6_0 = 20
    Qt_6_1 = 20
    Qt_6_2 = 20
    Qt_6_3 = 20
    Qt_6_4 = 20
    Qt_6_5 = 20
    Qt_6_6 = 21
    Qt_6_7 = 22
    Qt_6_8 = 22
    Qt_6_9 = 22
    Qt_6_10 = 23
    Qt_6_11 = 24
    Qt_6_12 = 24  # present in PySide6 6.12 with the same number as 6.11
    Qt_DefaultCompiledVersion = 24


class ByteOrder(enum.IntEnum):
    BigEndian = 0
    LittleEndian = 1


class FloatingPointPrecision(enum.IntEnum):
    SinglePrecision = 0
    DoublePrecision = 1


class Status(enum.IntEnum):
    Ok = 0
    ReadPastEnd = 1
    ReadCorruptData = 2
    WriteFailed = 3
    SizeLimitExceeded = 4


# Version thresholds the format depends on (named so the rules read like Qt's docs).
V_QT_2_1 = 3  # QString null marker 0xffffffff from here on
V_QT_3_3 = 6  # 64-bit ints as one field; QByteArray null marker from here on
V_QT_4_0 = 7  # QVariant ids of Qt 4 instead of Qt 3's table
V_QT_4_2 = 8  # QVariant carries an is-null byte
V_QT_4_6 = 12  # floating point precision setting applies
V_QT_5_0 = 13  # invalid QVariant no longer followed by a dummy QString
V_QT_6_0 = 20  # QVariant ids are Qt 6's own
V_QT_6_7 = 22  # 0xfffffffe marks a following 64-bit size

NULL_MARKER = 0xFFFFFFFF
EXTENDED_SIZE = 0xFFFFFFFE

# Deepest nesting of QVariantList/Map/Hash that is decoded or encoded.  Qt has no
# limit (it recurses on the C stack); Python's recursion limit needs one, and a
# peer that nests this deep is hostile anyway.  Deeper data -> ReadCorruptData.
MAX_VARIANT_DEPTH = 100


class MetaType(enum.IntEnum):
    """The QMetaType ids (Qt 6 numbering) that qtnet can stream inside a QVariant."""

    UnknownType = 0
    Bool = 1
    Int = 2
    UInt = 3
    LongLong = 4
    ULongLong = 5
    Double = 6
    QChar = 7
    QVariantMap = 8
    QVariantList = 9
    QString = 10
    QStringList = 11
    QByteArray = 12
    QVariantHash = 28
    Long = 32
    Short = 33
    Char = 34
    ULong = 35
    UShort = 36
    UChar = 37
    Float = 38
    SChar = 40
    Nullptr = 51
    User = 65536


SUPPORTED_TYPES = frozenset(int(m) for m in MetaType) - {0, MetaType.User}

# Qt 3 numbered QVariant types differently (stream versions 1-6).  Index = Qt 3 id,
# value = Qt 6 id; -1 marks Qt 3 types qtnet cannot decode (GUI types, colour
# groups), 0 is Qt 3's own "invalid" slots.
_QT3_TO_QT6: tuple[int, ...] = (
    0, 8, 9, 10, 11, -1, -1, -1, -1, -1, -1, -1, 0, -1, -1, -1,
    2, 3, 1, 6, 0, -1, -1, -1, -1, -1, -1, -1, -1, 12, 13, -1,
    -1, 4, 5, -1,
)  # fmt: skip
QT3_TYPE_COUNT = len(_QT3_TO_QT6)  # 36; a Qt 3 id at or above this ends the variant
_QT6_TO_QT3 = {t: i for i, t in reversed(list(enumerate(_QT3_TO_QT6))) if t > 0}

_QT5_USER_TYPE = 1024
_QT4_USER_TYPE = 127


def wire_type_id(type_id: int, version: int) -> int | None:
    """The id Qt writes for ``type_id`` at stream ``version``; None if Qt 3 has none.

    Only the core types qtnet supports are mapped; their ids are equal in Qt 5
    and Qt 6, and Qt 4 added 97 to every core id from 31 (Long) upwards.
    """
    if version < V_QT_4_0:
        return 0 if type_id == 0 else _QT6_TO_QT3.get(type_id)
    if version < V_QT_5_0 and 31 <= type_id <= 55:
        return type_id + 97
    return type_id


def type_id_from_wire(wire: int, version: int) -> int | None:
    """Inverse of :func:`wire_type_id`; None means Qt 3 'no such type: stop here'.

    Unsupported ids come back unchanged (or -1) and the reader reports them as corrupt.
    """
    if version < V_QT_4_0:
        if wire >= QT3_TYPE_COUNT:
            return None
        return _QT3_TO_QT6[wire]
    tid = wire
    if version < V_QT_5_0:
        if wire == _QT4_USER_TYPE:
            tid = _QT5_USER_TYPE
        elif wire >= 128 and wire != _QT5_USER_TYPE:
            tid = wire - 97
    if version < V_QT_6_0 and tid == _QT5_USER_TYPE:
        tid = MetaType.User
    return tid


@dataclass(frozen=True)
class Variant:
    """A QVariant: a QMetaType id, the value and Qt's is-null flag.

    Values by type: Bool -> bool; the integer types -> int; Double/Float -> float;
    QChar -> a 1-character str; QString -> str | None; QByteArray -> bytes | None;
    QStringList -> list[str | None]; QVariantList -> list[Variant];
    QVariantMap/QVariantHash -> dict[str, Variant]; Nullptr/invalid -> None.

    ``is_null`` is the flag Qt streams from version Qt_4_2 on.  It is True for an
    invalid variant; Qt keeps it when re-streaming, so it is preserved here.
    """

    type_id: int
    value: object = None
    is_null: bool = False

    @property
    def is_valid(self) -> bool:
        return self.type_id != 0


INVALID = Variant(0, None, True)

_INT32 = (-(1 << 31), (1 << 31) - 1)
_INT64 = (-(1 << 63), (1 << 63) - 1)


def variant_from_python(obj: object) -> Variant:
    """The QVariant PySide6's ``writeQVariant`` makes from a Python value.

    Found by experiment with PySide6 6.12: None -> invalid; bool -> Bool; int ->
    Int when it fits 32 bits, else LongLong; float -> Double; str -> QString; a
    list of only str (non-empty) -> QStringList, any other list -> QVariantList;
    dict -> QVariantMap.  Where PySide6 is unhelpful qtnet deliberately differs:
    bytes-like -> QByteArray (PySide6 pickles ``bytes`` into a private user type
    no C++ peer can read), tuples stream like lists (PySide6 pickles them too),
    and ints beyond qint64 but within quint64 -> ULongLong (PySide6 overflows).
    """
    if isinstance(obj, Variant):
        return obj
    if obj is None:
        return INVALID
    if isinstance(obj, bool):
        return Variant(MetaType.Bool, obj)
    if isinstance(obj, int):
        v = int(obj)
        if _INT32[0] <= v <= _INT32[1]:
            return Variant(MetaType.Int, v)
        if _INT64[0] <= v <= _INT64[1]:
            return Variant(MetaType.LongLong, v)
        if 0 <= v < (1 << 64):
            return Variant(MetaType.ULongLong, v)
        raise OverflowError(f"int {v} does not fit any QVariant integer type")
    if isinstance(obj, float):
        return Variant(MetaType.Double, obj)
    if isinstance(obj, str):
        return Variant(MetaType.QString, obj)
    if isinstance(obj, (bytes, bytearray, memoryview)):
        # A QByteArray (bytearray subclass with isNull()) keeps Qt's null state.
        is_null = getattr(obj, "isNull", None)
        return Variant(MetaType.QByteArray, None if is_null and is_null() else bytes(obj))
    if isinstance(obj, (list, tuple)):
        if obj and all(isinstance(x, str) for x in obj):
            return Variant(MetaType.QStringList, list(obj))
        return Variant(MetaType.QVariantList, [variant_from_python(x) for x in obj])
    if isinstance(obj, Mapping):
        items: dict[str, Variant] = {}
        for k, val in obj.items():
            if not isinstance(k, str):
                raise TypeError(f"QVariantMap keys must be str, not {type(k).__name__}")
            items[k] = variant_from_python(val)
        return Variant(MetaType.QVariantMap, items)
    raise TypeError(f"cannot convert {type(obj).__name__} to a QVariant")


def variant_to_python(
    v: Variant, make_bytes: Callable[[bytes | None], object] | None = None
) -> object:
    """The Python value PySide6's ``readQVariant`` returns for ``v``.

    Null strings become ``''`` (Python has no null str), QStringList entries
    likewise; invalid and Nullptr variants become None.  ``make_bytes`` turns a
    QByteArray payload (None = null) into the caller's byte-array type; the
    default gives ``bytes`` (``b''`` for null).
    """
    t = v.type_id
    val: Any = v.value  # its type follows type_id (see Variant)
    if t == MetaType.QString:
        return "" if val is None else val
    if t == MetaType.QByteArray:
        b = None if val is None else bytes(val)
        return make_bytes(b) if make_bytes is not None else (b or b"")
    if t == MetaType.QStringList:
        return ["" if s is None else s for s in val]
    if t == MetaType.QVariantList:
        return [variant_to_python(x, make_bytes) for x in val]
    if t in (MetaType.QVariantMap, MetaType.QVariantHash):
        return {k: variant_to_python(x, make_bytes) for k, x in val.items()}
    return val


def qstring_sort_key(s: str) -> bytes:
    """QString's ``operator<`` order (UTF-16 code units), which QMap iterates in.

    Python compares code points, which differs for characters above U+FFFF
    versus U+E000..U+FFFF; big-endian UTF-16 bytes compare like code units.
    """
    return s.encode("utf-16-be", "surrogatepass")


class HostAddressWire(NamedTuple):
    """A QHostAddress as streamed: a qint8 protocol tag then its payload.

    protocol: -1 null/unknown (nothing follows), 0 IPv4 (``ipv4`` as a quint32),
    1 IPv6 (16 raw address bytes, then the scope id as a QString, null = none),
    2 ``QHostAddress::Any`` (nothing follows).  ``QHostAddress::AnyIPv4`` is an
    ordinary IPv4 0.0.0.0 on the wire.
    """

    protocol: int
    ipv4: int = 0
    ipv6: bytes = bytes(16)
    scope_id: str | None = None


HOST_NULL = -1
HOST_IPV4 = 0
HOST_IPV6 = 1
HOST_ANY = 2
