"""QHostAddress: an IPv4 or IPv6 address with Qt's parsing, printing and comparison rules.

Behaviour follows Qt 6 (checked against PySide6 6.12, see tests/test_hostaddress.py):

* Parsing: IPv4 text is read the way ``inet_aton`` reads it (``"127.1"``,
  ``"0x7f.0.0.1"``, octal ``"0177.0.0.1"``); IPv6 text is strict RFC 4291 and may
  end in a dotted quad and a ``%scope``.  Surrounding whitespace is ignored.
  Anything else gives a null address.
* Printing: IPv6 per RFC 5952, except that Qt prints v4-mapped (``::ffff:1.2.3.4``)
  and v4-compatible (``::1.2.3.4``) addresses with a dotted quad.
* ``QHostAddress.Any`` is the dual-stack any-address: a third kind, equal (``==``)
  to neither ``AnyIPv4`` nor ``AnyIPv6``, printed as ``"0.0.0.0"``.
* ``==`` is strict (``isEqual(other, StrictConversion)``): 127.0.0.1 differs from
  ::ffff:127.0.0.1.  ``isEqual`` defaults to ``TolerantConversion``.  The scope id
  takes part in neither, as in Qt.

PySide6 return forms kept here: ``toIPv4Address()`` returns an int (0 when the
address has no IPv4 form), ``toIPv6Address()`` a 16-byte ``QIPv6Address``,
``parseSubnet()`` a ``(QHostAddress, int)`` tuple, ``(QHostAddress(), -1)`` on
failure.  Deviation: ``QHostAddress`` also accepts 16 bytes (any bytes-like
object) for an IPv6 address, which PySide6 only takes as a ``QIPv6Address``.

``stream << address`` and ``stream >> address`` use Qt's QDataStream format (a
qint8 protocol tag, then a quint32 or 16 bytes and the scope id as a QString).
The private helpers ``_from_sockaddr``/``_to_sockaddr`` translate to and from
Python socket addresses for the socket engine.
"""

from __future__ import annotations

import enum
import socket
import typing
from typing import TYPE_CHECKING, Any, ClassVar

from ..codecs.hostaddress_text import (
    C_BROADCAST,
    C_LINKLOCAL,
    C_LOOPBACK,
    C_MULTICAST,
    C_PRIVATE,
    C_SITELOCAL,
    C_ULA,
    LOCALHOST4,
    MAPPED_PREFIX,
    ZERO16,
    classify,
    convert_to_ipv4,
    format_ipv6,
    is_global_class,
    is_plain_ipv4,
    mapped_ipv6,
    parse_ipv4,
    parse_ipv6,
    prefix_length_of,
    qt_to_uint,
)
from ..iocore.scopes import scope_index as _scope_index
from ..iocore.scopes import scope_name as _scope_name
from .enums import export_enums
from .ipv6address import QIPv6Address
from .netenums import NetworkLayerProtocol

__all__ = ["QHostAddress", "QIPv6Address"]

_IPv4 = NetworkLayerProtocol.IPv4Protocol
_IPv6 = NetworkLayerProtocol.IPv6Protocol
_ANY = NetworkLayerProtocol.AnyIPProtocol
_UNKNOWN = NetworkLayerProtocol.UnknownNetworkLayerProtocol

_inet_ntoa = socket.inet_ntoa
_inet_aton = socket.inet_aton
_inet_pton = socket.inet_pton
_AF_INET = socket.AF_INET
_AF_INET6 = socket.AF_INET6


class QHostAddress:
    """An IP address (see the module docstring for Qt's rules)."""

    class SpecialAddress(enum.IntEnum):
        Null = 0
        Broadcast = 1
        LocalHost = 2
        LocalHostIPv6 = 3
        Any = 4
        AnyIPv6 = 5
        AnyIPv4 = 6

    class ConversionModeFlag(enum.IntFlag):
        StrictConversion = 0
        ConvertV4MappedToIPv4 = 1
        ConvertV4CompatToIPv4 = 2
        ConvertUnspecifiedAddress = 4
        ConvertLocalHost = 8
        TolerantConversion = 0xFF

    ConversionMode = ConversionModeFlag

    # export_enums() at the end of the module copies every member onto the
    # class (QHostAddress.Any); these declarations tell type checkers so.  As
    # ``Any`` is then a class attribute, annotations in the class body spell
    # the type ``typing.Any``.
    if TYPE_CHECKING:
        Null: ClassVar[QHostAddress.SpecialAddress]
        Broadcast: ClassVar[QHostAddress.SpecialAddress]
        LocalHost: ClassVar[QHostAddress.SpecialAddress]
        LocalHostIPv6: ClassVar[QHostAddress.SpecialAddress]
        Any: ClassVar[QHostAddress.SpecialAddress]
        AnyIPv6: ClassVar[QHostAddress.SpecialAddress]
        AnyIPv4: ClassVar[QHostAddress.SpecialAddress]
        StrictConversion: ClassVar[QHostAddress.ConversionModeFlag]
        ConvertV4MappedToIPv4: ClassVar[QHostAddress.ConversionModeFlag]
        ConvertV4CompatToIPv4: ClassVar[QHostAddress.ConversionModeFlag]
        ConvertUnspecifiedAddress: ClassVar[QHostAddress.ConversionModeFlag]
        ConvertLocalHost: ClassVar[QHostAddress.ConversionModeFlag]
        TolerantConversion: ClassVar[QHostAddress.ConversionModeFlag]
        IPv4Protocol: ClassVar[NetworkLayerProtocol]
        IPv6Protocol: ClassVar[NetworkLayerProtocol]
        AnyIPProtocol: ClassVar[NetworkLayerProtocol]
        UnknownNetworkLayerProtocol: ClassVar[NetworkLayerProtocol]

    # _proto: the NetworkLayerProtocol member; _a4: the IPv4 value (for IPv6, the
    # v4-mapped one or 0); _a6: 16 bytes, the IPv6 form (v4-mapped for IPv4 but
    # :: for 0.0.0.0, Any and Null); _scope: the IPv6 scope id text, None when there
    # is none (Qt's null QString, which streams differently from an empty one).
    __slots__ = ("_proto", "_a4", "_a6", "_scope")

    def __init__(self, address: typing.Any = None) -> None:
        if type(address) is str:  # the common case first
            if is_plain_ipv4(address):
                a4 = int.from_bytes(_inet_aton(address), "big")
                self._set(_IPv4, a4, mapped_ipv6(a4))
            else:
                self._parse(address)
        elif address is None:
            self._set(_UNKNOWN, 0, ZERO16)
        elif isinstance(address, QHostAddress):
            self._set(address._proto, address._a4, address._a6, address._scope)
        elif isinstance(address, QHostAddress.SpecialAddress):
            self._set_special(address)
        elif isinstance(address, str):
            self._parse(str(address))
        elif isinstance(address, int):
            self._set_ipv4(address)
        elif isinstance(address, (bytes, bytearray, memoryview, list, tuple)):
            self._set_ipv6(address)
        else:
            raise TypeError(
                "QHostAddress() takes a str, an int (IPv4), 16 bytes (IPv6), a "
                f"QHostAddress or a QHostAddress.SpecialAddress, not {type(address).__name__}"
            )

    # -- state changes --------------------------------------------------------------
    def _set(
        self, proto: NetworkLayerProtocol, a4: int, a6: bytes, scope: str | None = None
    ) -> None:
        self._proto = proto
        self._a4 = a4
        self._a6 = a6
        self._scope = scope

    def _set_ipv4(self, value: int) -> None:
        a4 = int(value)
        if not 0 <= a4 <= 0xFFFFFFFF:
            raise OverflowError(f"IPv4 address {a4} does not fit in 32 unsigned bits")
        self._set(_IPv4, a4, mapped_ipv6(a4))

    def _set_ipv6(self, value: typing.Any, scope: str | None = None) -> None:
        a6 = bytes(value)
        if len(a6) != 16:
            raise ValueError(f"an IPv6 address has 16 bytes, not {len(a6)}")
        a4 = int.from_bytes(a6[12:], "big") if a6[:12] == MAPPED_PREFIX else 0
        self._set(_IPv6, a4, a6, scope)

    def _set_special(self, special: int) -> None:
        src = _SPECIALS[special]
        self._set(src._proto, src._a4, src._a6)

    def _parse(self, text: str) -> bool:
        nul = text.find("\0")
        s = (text if nul < 0 else text[:nul]).strip()  # Qt reads up to a NUL
        if not s:
            self._set(_UNKNOWN, 0, ZERO16)
            return False
        if " " in s or "\t" in s or not s.isprintable():
            s = " ".join(s.split())  # Qt parses QString::simplified()
        if ":" in s:
            pct = s.rfind("%")
            a6 = parse_ipv6(s if pct < 0 else s[:pct])
            if a6 is not None:
                self._set_ipv6(a6, None if pct < 0 else s[pct + 1 :])
                return True
        a4 = parse_ipv4(s)
        if a4 is not None:
            self._set(_IPv4, a4, mapped_ipv6(a4))
            return True
        self._set(_UNKNOWN, 0, ZERO16)
        return False

    def setAddress(self, address: typing.Any) -> bool | None:  # noqa: N802
        """Like the constructor; returns the parse result for a str (None otherwise,
        as PySide6)."""
        if isinstance(address, str):
            return self._parse(str(address))
        if isinstance(address, QHostAddress.SpecialAddress):
            self._set_special(address)
        elif isinstance(address, QHostAddress):
            self._set(address._proto, address._a4, address._a6, address._scope)
        elif isinstance(address, int):
            self._set_ipv4(address)
        elif isinstance(address, (bytes, bytearray, memoryview, list, tuple)):
            self._set_ipv6(address)
        else:
            raise TypeError(f"setAddress() cannot take {type(address).__name__}")
        return None

    def clear(self) -> None:
        self._set(_UNKNOWN, 0, ZERO16)

    def swap(self, other: QHostAddress) -> None:
        mine = (self._proto, self._a4, self._a6, self._scope)
        self._set(other._proto, other._a4, other._a6, other._scope)
        other._set(*mine)

    def setScopeId(self, id: str) -> None:  # noqa: N802,A002
        if self._proto is _IPv6:
            self._scope = str(id)

    # -- queries --------------------------------------------------------------------
    def protocol(self) -> NetworkLayerProtocol:
        return self._proto

    def isNull(self) -> bool:  # noqa: N802
        return self._proto is _UNKNOWN

    def scopeId(self) -> str:  # noqa: N802
        return (self._scope or "") if self._proto is _IPv6 else ""

    def toIPv4Address(self) -> int:  # noqa: N802
        """The IPv4 address as a quint32 (IPv4 or v4-mapped IPv6); 0 otherwise."""
        return self._a4

    def toIPv6Address(self) -> QIPv6Address:  # noqa: N802
        """16 bytes; an IPv4 address comes back v4-mapped (0.0.0.0 as ::)."""
        return QIPv6Address(self._a6)

    def toString(self) -> str:  # noqa: N802
        proto = self._proto
        if proto is _IPv4 or proto is _ANY:
            return _inet_ntoa(self._a4.to_bytes(4, "big"))
        if proto is _IPv6:
            text = format_ipv6(self._a6)
            return f"{text}%{self._scope}" if self._scope else text
        return ""

    def _ipv4_ok(self) -> tuple[int, bool]:
        """Qt's ``toIPv4Address(bool *ok)``: the value and whether it is an IPv4 one."""
        proto = self._proto
        if proto is _IPv4 or proto is _ANY:
            return self._a4, True
        if proto is _IPv6:
            return self._a4, convert_to_ipv4(self._a6, 5) is not None
        return 0, False

    def isLoopback(self) -> bool:  # noqa: N802
        return classify(self._proto, self._a4, self._a6) == C_LOOPBACK

    def isMulticast(self) -> bool:  # noqa: N802
        return classify(self._proto, self._a4, self._a6) == C_MULTICAST

    def isLinkLocal(self) -> bool:  # noqa: N802
        return classify(self._proto, self._a4, self._a6) == C_LINKLOCAL

    def isSiteLocal(self) -> bool:  # noqa: N802
        return classify(self._proto, self._a4, self._a6) == C_SITELOCAL

    def isUniqueLocalUnicast(self) -> bool:  # noqa: N802
        return classify(self._proto, self._a4, self._a6) == C_ULA

    def isBroadcast(self) -> bool:  # noqa: N802
        return classify(self._proto, self._a4, self._a6) == C_BROADCAST

    def isGlobal(self) -> bool:  # noqa: N802
        return is_global_class(classify(self._proto, self._a4, self._a6))

    def isPrivateUse(self) -> bool:  # noqa: N802
        return classify(self._proto, self._a4, self._a6) in (C_PRIVATE, C_ULA)

    # -- comparison -----------------------------------------------------------------
    def isEqual(  # noqa: N802
        self, other: QHostAddress | SpecialAddress, mode: int = 0xFF
    ) -> bool:
        """Equality with the v4/v6 conversions of ``mode`` (default TolerantConversion)."""
        if not isinstance(other, QHostAddress):
            other = _as_address(other)
        return self._equal(other, int(mode))

    def _equal(self, other: QHostAddress, mode: int) -> bool:
        p, q = self._proto, other._proto
        if p is _IPv4:
            if q is _IPv4:
                return self._a4 == other._a4
            if q is _IPv6:
                return convert_to_ipv4(other._a6, mode) == self._a4
            if q is _ANY:
                return bool(mode & 4) and self._a4 == 0
            return False
        if p is _IPv6:
            if q is _IPv6:
                return self._a6 == other._a6
            if q is _IPv4:
                return convert_to_ipv4(self._a6, mode) == other._a4
            if q is _ANY:
                return bool(mode & 4) and self._a6 == ZERO16
            return False
        if p is _ANY and mode & 4:
            if q is _IPv4:
                return other._a4 == 0
            if q is _IPv6:
                return other._a6 == ZERO16
        return p is q

    def __eq__(self, other: object) -> bool:
        if isinstance(other, QHostAddress):
            return self._equal(other, 0)
        if isinstance(other, QHostAddress.SpecialAddress):
            return self._equal(_SPECIALS[other], 0)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        if isinstance(other, QHostAddress):
            return not self._equal(other, 0)
        if isinstance(other, QHostAddress.SpecialAddress):
            return not self._equal(_SPECIALS[other], 0)
        return NotImplemented

    def __hash__(self) -> int:
        # Qt hashes the 16-byte form: equal addresses (strictly) share it.
        return hash(self._a6)

    def __bool__(self) -> bool:
        return self._proto is not _UNKNOWN

    # -- subnets --------------------------------------------------------------------
    def isInSubnet(self, subnet: typing.Any, netmask: int | None = None) -> bool:  # noqa: N802
        """``isInSubnet(address, prefixLength)`` or ``isInSubnet((address, prefixLength))``."""
        if netmask is None:
            subnet, netmask = subnet
        net = _as_address(subnet)
        n = int(netmask)
        proto = self._proto
        if net._proto is not proto or n < 0:
            return False
        mine: int
        theirs: int
        if proto is _IPv4:
            width, mine, theirs = 32, self._a4, net._a4
        elif proto is _IPv6:
            width = 128
            mine = int.from_bytes(self._a6, "big")
            theirs = int.from_bytes(net._a6, "big")
        else:
            return False
        n = min(n, width)
        return (mine ^ theirs) >> (width - n) == 0

    @staticmethod
    def parseSubnet(subnet: str) -> tuple[QHostAddress, int]:  # noqa: N802
        """``"10.0.0.0/8"``, ``"10.1"``, ``"1.2.3.4/255.255.0.0"`` or ``"fe80::/10"`` to
        (network address, prefix length); ``(QHostAddress(), -1)`` if invalid."""
        invalid = (QHostAddress(), -1)
        if not subnet:
            return invalid
        net_str, slash, mask_str = subnet.partition("/")
        is_v6 = ":" in net_str
        length = -1
        if slash:
            if not is_v6 and "." in mask_str:
                mask = QHostAddress()
                parsed = _prefix_length(mask) if mask.setAddress(mask_str) else None
                if parsed is None:
                    return invalid
                length = parsed
            else:
                parsed = qt_to_uint(mask_str)
                if parsed is None:
                    return invalid
                length = parsed
        if is_v6:
            if length > 128:
                return invalid
            if length < 0:
                length = 128
            net = QHostAddress()
            if not net.setAddress(net_str):
                return invalid
            if net._proto is _IPv6:
                keep = int.from_bytes(net._a6, "big") >> (128 - length) << (128 - length)
                net._set_ipv6(keep.to_bytes(16, "big"), net._scope)
            return net, length
        if length > 32:
            return invalid
        parts = net_str.split(".")
        if len(parts) > 4:
            return invalid
        if parts[-1] == "":
            parts.pop()
        value = 0
        for part in parts:
            octet = qt_to_uint(part)
            if octet is None or octet > 255:
                return invalid
            value = (value << 8) | octet
        value <<= 8 * (4 - len(parts))
        if length < 0:
            length = 8 * len(parts)
        else:
            value = value >> (32 - length) << (32 - length)
        return QHostAddress(value), length

    # -- Python protocol ------------------------------------------------------------
    def __copy__(self) -> QHostAddress:
        clone = type(self).__new__(type(self))
        clone._set(self._proto, self._a4, self._a6, self._scope)
        return clone

    def __deepcopy__(self, memo: dict[int, typing.Any]) -> QHostAddress:
        return self.__copy__()

    def __reduce__(self) -> tuple[typing.Any, ...]:
        return (_restore, (int(self._proto), self._a6, self._scope))

    def __repr__(self) -> str:
        if self._proto is _ANY:
            return "QHostAddress(QHostAddress::Any)"
        return f'QHostAddress("{self.toString()}")'

    __str__ = __repr__  # as PySide6

    # -- QDataStream (Qt's wire format: qint8 protocol tag, then the address) --------
    def _write_to(self, stream: typing.Any) -> None:
        """``stream << address`` through the public QDataStream API."""
        proto = self._proto
        stream.writeInt8(int(proto))
        if proto is _IPv4:
            stream.writeUInt32(self._a4)
        elif proto is _IPv6:
            stream.writeRawData(self._a6)
            stream.writeQString(self._scope)  # no scope: a null QString

    def _read_from(self, stream: typing.Any) -> None:
        """``stream >> address``; an unknown tag clears it and sets ReadCorruptData."""
        tag = stream.readInt8()
        if tag == 0:
            self._set_ipv4(stream.readUInt32())
        elif tag == 1:
            raw = bytes(stream.readRawData(16)).ljust(16, b"\0")  # Qt reads bytewise: 0s
            self._set_ipv6(raw)
            scope = stream.readQString()
            if scope:
                self._scope = scope
        elif tag == 2:
            self._set_special(QHostAddress.SpecialAddress.Any)
        else:
            self.clear()
            if tag != -1:
                stream.setStatus(stream.ReadCorruptData)

    def __rlshift__(self, stream: typing.Any) -> typing.Any:
        self._write_to(stream)
        return stream

    def __rrshift__(self, stream: typing.Any) -> typing.Any:
        self._read_from(stream)
        return stream

    # -- Python sockets (for the socket engine) --------------------------------------
    @classmethod
    def _from_sockaddr(cls, family: int, sockaddr: tuple[typing.Any, ...]) -> QHostAddress:
        """The address part of a Python socket address (``getpeername()`` etc.).

        IPv4 peers of a dual-stack socket arrive v4-mapped and stay so
        (``"::ffff:127.0.0.1"``), as in Qt.  A non-zero IPv6 scope id becomes the
        interface name.  Unknown families give a null address.
        """
        self = cls.__new__(cls)
        host = sockaddr[0]
        if family == _AF_INET:
            a4 = int.from_bytes(_inet_pton(_AF_INET, host), "big")
            self._set(_IPv4, a4, mapped_ipv6(a4))
        elif family == _AF_INET6:
            pct = host.find("%")
            a6 = _inet_pton(_AF_INET6, host if pct < 0 else host[:pct])
            index = sockaddr[3] if len(sockaddr) > 3 else 0
            self._set_ipv6(a6, _scope_name(index) if index else None)
        else:
            self._set(_UNKNOWN, 0, ZERO16)
        return self

    def _to_sockaddr(self, port: int) -> tuple[int, tuple[typing.Any, ...], bool | None]:
        """``(family, sockaddr, v6only)`` for bind()/connect() to this address.

        ``v6only`` is the IPV6_V6ONLY value Qt sets when binding: False for ``Any``
        (one dual-stack socket) and for v4-mapped addresses, True for other IPv6
        addresses (``AnyIPv6`` listens on IPv6 only), None for IPv4 (not an IPv6
        socket).  Raises ValueError for a null address.
        """
        proto = self._proto
        if proto is _IPv4:
            return _AF_INET, (_inet_ntoa(self._a4.to_bytes(4, "big")), port), None
        if proto is _IPv6:
            host = socket.inet_ntop(_AF_INET6, self._a6)
            mapped = self._a6[:12] == MAPPED_PREFIX
            return _AF_INET6, (host, port, 0, _scope_index(self._scope)), not mapped
        if proto is _ANY:
            return _AF_INET6, ("::", port, 0, 0), False
        raise ValueError("a null QHostAddress has no socket address")


SpecialAddress = QHostAddress.SpecialAddress
export_enums(QHostAddress, SpecialAddress, QHostAddress.ConversionModeFlag, NetworkLayerProtocol)


def _special(proto: NetworkLayerProtocol, a4: int, a6: bytes) -> QHostAddress:
    addr = QHostAddress.__new__(QHostAddress)
    addr._set(proto, a4, a6)
    return addr


# Private instances, never handed out (QHostAddress is mutable).
_SPECIALS: dict[int, QHostAddress] = {
    SpecialAddress.Null: _special(_UNKNOWN, 0, ZERO16),
    SpecialAddress.Broadcast: _special(_IPv4, 0xFFFFFFFF, mapped_ipv6(0xFFFFFFFF)),
    SpecialAddress.LocalHost: _special(_IPv4, LOCALHOST4, mapped_ipv6(LOCALHOST4)),
    SpecialAddress.LocalHostIPv6: _special(_IPv6, 0, bytes(15) + b"\x01"),
    SpecialAddress.Any: _special(_ANY, 0, ZERO16),
    SpecialAddress.AnyIPv6: _special(_IPv6, 0, ZERO16),
    SpecialAddress.AnyIPv4: _special(_IPv4, 0, ZERO16),
}


def _as_address(value: Any) -> QHostAddress:
    """An argument that may be a QHostAddress or a SpecialAddress."""
    if isinstance(value, QHostAddress):
        return value
    if isinstance(value, SpecialAddress):
        return _SPECIALS[value]
    raise TypeError(f"expected a QHostAddress or QHostAddress.SpecialAddress, not {value!r}")


def _restore(proto: int, a6: bytes, scope: str | None) -> QHostAddress:
    addr = QHostAddress.__new__(QHostAddress)
    if proto == _IPv4:
        addr._set_ipv4(int.from_bytes(a6[12:], "big"))
    elif proto == _IPv6:
        addr._set_ipv6(a6, scope)
    else:
        addr._set(NetworkLayerProtocol(proto), 0, ZERO16)
    return addr


def _prefix_length(mask: QHostAddress) -> int | None:
    """The prefix length a netmask address stands for (contiguous ones), or None."""
    if mask._proto is _IPv4:
        width, value = 32, mask._a4
    elif mask._proto is _IPv6:
        width, value = 128, int.from_bytes(mask._a6, "big")
    else:
        return None
    return prefix_length_of(width, value)


def _netmask_address(proto: NetworkLayerProtocol, length: int) -> QHostAddress:
    """The netmask address for a prefix length (null if out of range for ``proto``)."""
    width = 32 if proto is _IPv4 else 128 if proto is _IPv6 else -1
    if not 0 <= length <= width:
        return QHostAddress()
    value = ((1 << length) - 1) << (width - length)
    if proto is _IPv4:
        return QHostAddress(value)
    return QHostAddress(value.to_bytes(16, "big"))
