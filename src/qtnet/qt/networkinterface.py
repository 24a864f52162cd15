"""QNetworkInterface and QNetworkAddressEntry: the host's interfaces and their addresses.

Every query scans the system again, as Qt does.  Interfaces come in index order
(``socket.if_nameindex``); their addresses from ``ifaddr`` (getifaddrs), IPv4
before IPv6 as the kernel lists them.  On Linux the rest is read from
``/sys/class/net/<name>/``, giving the same values Qt reads over netlink:

* flags: IFF_UP, IFF_BROADCAST, IFF_LOOPBACK, IFF_POINTOPOINT, IFF_MULTICAST from
  ``flags``; IsRunning when the interface is up and its ``operstate`` is "up" or
  "unknown" (the kernel's IFF_RUNNING); IsUp follows ``operstate`` when known.
* type from the ARPHRD number in ``type`` (Ethernet is reported as Wifi when the
  interface has a ``wireless`` or ``phy80211`` entry), the MTU from ``mtu``, the
  hardware address from ``address`` in upper case.

Elsewhere only names, indexes and addresses are known (flags are derived from the
addresses, the type is Unknown).  Address entries: IPv6 link-local addresses get
the interface name as scope id; an IPv4 entry without a broadcast address gets
``ip | ~netmask`` (Qt does the same); loopback and link-local addresses are
DnsIneligible, others DnsEligible.  Address lifetimes are not read: an entry
reports its lifetime as known and permanent only for IPv4 and for IPv6 addresses
the kernel marks permanent (``/proc/net/if_inet6``); ``preferredLifetime`` and
``validityLifetime`` (QDeadlineTimer) are not provided.
"""

from __future__ import annotations

import enum
import os
import socket
from typing import TYPE_CHECKING, Any, ClassVar

import ifaddr

from .enums import export_enums
from .hostaddress import QHostAddress, _netmask_address, _prefix_length
from .netenums import NetworkLayerProtocol

__all__ = ["QNetworkAddressEntry", "QNetworkInterface"]

_SYSFS = "/sys/class/net"
_IFF_UP, _IFF_BROADCAST, _IFF_LOOPBACK, _IFF_POINTOPOINT = 0x1, 0x2, 0x8, 0x10
_IFF_MULTICAST = 0x1000
_IFA_F_PERMANENT = 0x80


class QNetworkAddressEntry:
    """One address of an interface with its netmask (prefix length) and broadcast."""

    class DnsEligibilityStatus(enum.IntEnum):
        DnsEligibilityUnknown = -1
        DnsIneligible = 0
        DnsEligible = 1

    __slots__ = ("_ip", "_prefix", "_broadcast", "_dns", "_lifetime_known")
    _ip: QHostAddress
    _prefix: int  # Qt keeps the prefix length; the netmask is derived from it
    _broadcast: QHostAddress
    _dns: QNetworkAddressEntry.DnsEligibilityStatus
    _lifetime_known: bool

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        DnsEligibilityUnknown: ClassVar[QNetworkAddressEntry.DnsEligibilityStatus]
        DnsIneligible: ClassVar[QNetworkAddressEntry.DnsEligibilityStatus]
        DnsEligible: ClassVar[QNetworkAddressEntry.DnsEligibilityStatus]

    def __init__(self, other: QNetworkAddressEntry | None = None) -> None:
        if other is not None:
            self._ip = QHostAddress(other._ip)
            self._prefix = other._prefix
            self._broadcast = QHostAddress(other._broadcast)
            self._dns = other._dns
            self._lifetime_known = other._lifetime_known
            return
        self._ip = QHostAddress()
        self._prefix = -1
        self._broadcast = QHostAddress()
        self._dns = QNetworkAddressEntry.DnsEligibilityStatus.DnsEligibilityUnknown
        self._lifetime_known = False

    def ip(self) -> QHostAddress:
        return QHostAddress(self._ip)

    def setIp(self, newIp: Any) -> None:  # noqa: N802,N803
        self._ip = QHostAddress(newIp)

    def netmask(self) -> QHostAddress:
        """The prefix length as an address of the IP's protocol (null when unknown)."""
        return _netmask_address(self._ip.protocol(), self._prefix)

    def setNetmask(self, newNetmask: Any) -> None:  # noqa: N802,N803
        """Also sets the prefix length; a mask of another protocol than the IP, or
        with non-contiguous ones, leaves no netmask (prefix length -1)."""
        mask = QHostAddress(newNetmask)
        if mask.protocol() != self._ip.protocol():
            self._prefix = -1
            return
        length = _prefix_length(mask)
        self._prefix = -1 if length is None else length

    def prefixLength(self) -> int:  # noqa: N802
        width = _width(self._ip.protocol())
        return self._prefix if 0 <= self._prefix <= width else -1

    def setPrefixLength(self, length: int) -> None:  # noqa: N802
        """Out of range for the IP's protocol (0-32, 0-128) means "none" (-1)."""
        n = int(length)
        self._prefix = n if 0 <= n <= _width(self._ip.protocol()) else -1

    def broadcast(self) -> QHostAddress:
        return QHostAddress(self._broadcast)

    def setBroadcast(self, newBroadcast: Any) -> None:  # noqa: N802,N803
        self._broadcast = QHostAddress(newBroadcast)

    def dnsEligibility(self) -> QNetworkAddressEntry.DnsEligibilityStatus:  # noqa: N802
        return self._dns

    def setDnsEligibility(self, status: int) -> None:  # noqa: N802
        self._dns = QNetworkAddressEntry.DnsEligibilityStatus(status)

    def isLifetimeKnown(self) -> bool:  # noqa: N802
        return self._lifetime_known

    def isPermanent(self) -> bool:  # noqa: N802
        return True  # no expiry is known (Qt: validity lifetime "forever")

    def isTemporary(self) -> bool:  # noqa: N802
        return False

    def clearAddressLifetime(self) -> None:  # noqa: N802
        self._lifetime_known = False

    def swap(self, other: QNetworkAddressEntry) -> None:
        for name in QNetworkAddressEntry.__slots__:
            mine = getattr(self, name)
            setattr(self, name, getattr(other, name))
            setattr(other, name, mine)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QNetworkAddressEntry):
            return NotImplemented
        return (
            self._ip == other._ip
            and self.prefixLength() == other.prefixLength()
            and self._broadcast == other._broadcast
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, as in PySide6

    def __copy__(self) -> QNetworkAddressEntry:
        return QNetworkAddressEntry(self)

    def __repr__(self) -> str:
        text = f'QNetworkAddressEntry("{self._ip.toString()}"'
        mask = self.netmask()
        if not mask.isNull():
            text += f', netmask = "{mask.toString()}"'
        if not self._broadcast.isNull():
            text += f', broadcast = "{self._broadcast.toString()}"'
        return text + ")"


class QNetworkInterface:
    """A network interface of this host (a snapshot taken when it was looked up)."""

    class InterfaceFlag(enum.IntFlag):
        IsUp = 0x1
        IsRunning = 0x2
        CanBroadcast = 0x4
        IsLoopBack = 0x8
        IsPointToPoint = 0x10
        CanMulticast = 0x20

    InterfaceFlags = InterfaceFlag

    class InterfaceType(enum.IntEnum):
        Unknown = 0
        Loopback = 1
        Virtual = 2
        Ethernet = 3
        Slip = 4
        CanBus = 5
        Ppp = 6
        Fddi = 7
        Ieee80211 = 8
        Wifi = 8
        Phonet = 9
        Ieee802154 = 10
        SixLoWPAN = 11
        Ieee80216 = 12
        Ieee1394 = 13

    __slots__ = ("_name", "_index", "_flags", "_type", "_hw", "_mtu", "_entries")
    _name: str
    _index: int
    _flags: QNetworkInterface.InterfaceFlag
    _type: QNetworkInterface.InterfaceType
    _hw: str
    _mtu: int
    _entries: list[QNetworkAddressEntry]

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        IsUp: ClassVar[QNetworkInterface.InterfaceFlag]
        IsRunning: ClassVar[QNetworkInterface.InterfaceFlag]
        CanBroadcast: ClassVar[QNetworkInterface.InterfaceFlag]
        IsLoopBack: ClassVar[QNetworkInterface.InterfaceFlag]
        IsPointToPoint: ClassVar[QNetworkInterface.InterfaceFlag]
        CanMulticast: ClassVar[QNetworkInterface.InterfaceFlag]
        Unknown: ClassVar[QNetworkInterface.InterfaceType]
        Loopback: ClassVar[QNetworkInterface.InterfaceType]
        Virtual: ClassVar[QNetworkInterface.InterfaceType]
        Ethernet: ClassVar[QNetworkInterface.InterfaceType]
        Slip: ClassVar[QNetworkInterface.InterfaceType]
        CanBus: ClassVar[QNetworkInterface.InterfaceType]
        Ppp: ClassVar[QNetworkInterface.InterfaceType]
        Fddi: ClassVar[QNetworkInterface.InterfaceType]
        Ieee80211: ClassVar[QNetworkInterface.InterfaceType]
        Wifi: ClassVar[QNetworkInterface.InterfaceType]
        Phonet: ClassVar[QNetworkInterface.InterfaceType]
        Ieee802154: ClassVar[QNetworkInterface.InterfaceType]
        SixLoWPAN: ClassVar[QNetworkInterface.InterfaceType]
        Ieee80216: ClassVar[QNetworkInterface.InterfaceType]
        Ieee1394: ClassVar[QNetworkInterface.InterfaceType]

    def __init__(self, other: QNetworkInterface | None = None) -> None:
        if other is not None:
            self._name = other._name
            self._index = other._index
            self._flags = other._flags
            self._type = other._type
            self._hw = other._hw
            self._mtu = other._mtu
            self._entries = [QNetworkAddressEntry(e) for e in other._entries]
            return
        self._name = ""
        self._index = 0
        self._flags = QNetworkInterface.InterfaceFlag(0)
        self._type = QNetworkInterface.InterfaceType.Unknown
        self._hw = ""
        self._mtu = 0
        self._entries = []

    def isValid(self) -> bool:  # noqa: N802
        return bool(self._name)

    def name(self) -> str:
        return self._name

    def humanReadableName(self) -> str:  # noqa: N802
        return self._name  # Unix has no separate display names

    def index(self) -> int:
        return self._index

    def flags(self) -> QNetworkInterface.InterfaceFlag:
        return self._flags

    def type(self) -> QNetworkInterface.InterfaceType:
        return self._type

    def hardwareAddress(self) -> str:  # noqa: N802
        return self._hw

    def maximumTransmissionUnit(self) -> int:  # noqa: N802
        return self._mtu

    def addressEntries(self) -> list[QNetworkAddressEntry]:  # noqa: N802
        return [QNetworkAddressEntry(e) for e in self._entries]

    def swap(self, other: QNetworkInterface) -> None:
        for name in QNetworkInterface.__slots__:
            mine = getattr(self, name)
            setattr(self, name, getattr(other, name))
            setattr(other, name, mine)

    def __copy__(self) -> QNetworkInterface:
        return QNetworkInterface(self)

    def __repr__(self) -> str:
        flags = " ".join(f.name or "" for f in QNetworkInterface.InterfaceFlag if f in self._flags)
        entries = ", ".join(repr(e) for e in self._entries)
        return (
            f'QNetworkInterface(name = "{self._name}", hardware address = "{self._hw}", '
            f"flags = {flags}, entries = [{entries}])"
        )

    # -- lookups ------------------------------------------------------------------
    @staticmethod
    def allInterfaces() -> list[QNetworkInterface]:  # noqa: N802
        return _scan()

    @staticmethod
    def allAddresses() -> list[QHostAddress]:  # noqa: N802
        """The addresses of every interface that is up, in interface order."""
        return [
            e.ip()
            for iface in _scan()
            if iface._flags & QNetworkInterface.InterfaceFlag.IsUp
            for e in iface._entries
        ]

    @staticmethod
    def interfaceFromName(name: str) -> QNetworkInterface:  # noqa: N802
        """By name, or by index given as text ("1"); invalid if there is none."""
        index = int(name) if name.isascii() and name.isdigit() else -1
        for iface in _scan():
            if iface._index == index or iface._name == name:
                return iface
        return QNetworkInterface()

    @staticmethod
    def interfaceFromIndex(index: int) -> QNetworkInterface:  # noqa: N802
        for iface in _scan():
            if iface._index == index:
                return iface
        return QNetworkInterface()

    @staticmethod
    def interfaceIndexFromName(name: str) -> int:  # noqa: N802
        """0 when there is no such interface; a number given as text is taken as is."""
        if not name:
            return 0
        if name.isascii() and name.isdigit():
            return int(name)
        try:
            return socket.if_nametoindex(name)
        except (OSError, ValueError):
            return 0

    @staticmethod
    def interfaceNameFromIndex(index: int) -> str:  # noqa: N802
        if not index:
            return ""
        try:
            return socket.if_indextoname(index)
        except (OSError, ValueError, OverflowError):
            return ""


export_enums(QNetworkAddressEntry, QNetworkAddressEntry.DnsEligibilityStatus)
export_enums(QNetworkInterface, QNetworkInterface.InterfaceFlag, QNetworkInterface.InterfaceType)

_Flag = QNetworkInterface.InterfaceFlag
_Type = QNetworkInterface.InterfaceType

# Linux ARPHRD_* numbers (if_arp.h) -> Qt's interface types.
_ARPHRD_TYPES = {
    772: _Type.Loopback,
    1: _Type.Ethernet,
    256: _Type.Slip,
    257: _Type.Slip,
    258: _Type.Slip,
    259: _Type.Slip,
    280: _Type.CanBus,
    512: _Type.Ppp,
    774: _Type.Fddi,
    801: _Type.Ieee80211,
    802: _Type.Ieee80211,
    803: _Type.Ieee80211,
    804: _Type.Ieee802154,
    820: _Type.Phonet,
    821: _Type.Phonet,
    825: _Type.SixLoWPAN,
    768: _Type.Virtual,  # IPIP tunnel
    769: _Type.Virtual,  # IPv6-in-IPv6 tunnel
    0xFFFE: _Type.Virtual,  # ARPHRD_NONE (tun, wireguard)
    0xFFFF: _Type.Virtual,  # ARPHRD_VOID
}


def _width(proto: NetworkLayerProtocol) -> int:
    if proto == NetworkLayerProtocol.IPv4Protocol:
        return 32
    return 128 if proto == NetworkLayerProtocol.IPv6Protocol else -1


def _read_sysfs(name: str, item: str) -> str | None:
    try:
        with open(os.path.join(_SYSFS, name, item), encoding="ascii", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return None


def _permanent_ipv6() -> set[bytes] | None:
    """The IPv6 addresses the kernel marks permanent; None if it cannot tell."""
    try:
        with open("/proc/net/if_inet6", encoding="ascii") as f:
            rows = [line.split() for line in f]
    except OSError:
        return None
    return {
        bytes.fromhex(row[0])
        for row in rows
        if len(row) >= 5 and int(row[4], 16) & _IFA_F_PERMANENT
    }


def _scan() -> list[QNetworkInterface]:
    try:
        names = sorted(socket.if_nameindex())
    except OSError:
        names = []
    adapters = {a.name: a for a in ifaddr.get_adapters(include_unconfigured=True)}
    for found in adapters.values():  # an OS without if_nameindex: ifaddr's list
        if found.index is not None and (found.index, found.name) not in names:
            names.append((found.index, found.name))
    permanent = _permanent_ipv6()
    result = []
    for index, name in names:
        iface = QNetworkInterface()
        iface._name = name
        iface._index = index
        adapter = adapters.get(name)
        if adapter is not None:
            iface._entries = _entries(name, adapter, permanent)
        _read_link(iface)
        result.append(iface)
    return result


def _entries(
    name: str, adapter: ifaddr.Adapter, permanent: set[bytes] | None
) -> list[QNetworkAddressEntry]:
    entries = []
    for ip in adapter.ips:
        entry = QNetworkAddressEntry()
        if isinstance(ip.ip, tuple):  # IPv6: (address, flowinfo, scope id)
            addr = QHostAddress(ip.ip[0].partition("%")[0])
            if addr.isLinkLocal():
                addr.setScopeId(name)
            known = permanent is not None and bytes(addr.toIPv6Address()) in permanent
        else:
            addr = QHostAddress(ip.ip)
            known = True  # the kernel keeps no IPv4 lifetime we can read here
        entry._ip = addr
        entry.setPrefixLength(ip.network_prefix)
        if addr.protocol() == NetworkLayerProtocol.IPv4Protocol and entry._prefix >= 0:
            host_bits = (1 << (32 - entry._prefix)) - 1
            entry._broadcast = QHostAddress(addr.toIPv4Address() | host_bits)
        ineligible = addr.isLoopback() or addr.isLinkLocal()
        entry._dns = QNetworkAddressEntry.DnsEligibilityStatus(0 if ineligible else 1)
        entry._lifetime_known = known
        entries.append(entry)
    return entries


def _read_link(iface: QNetworkInterface) -> None:
    """Flags, type, MTU and hardware address (Linux sysfs; a guess elsewhere)."""
    name = iface._name
    raw_flags = _read_sysfs(name, "flags")
    if raw_flags is None:
        loopback = any(e._ip.isLoopback() for e in iface._entries)
        flags = _Flag.IsUp | _Flag.IsRunning if iface._entries else _Flag(0)
        if loopback:
            flags |= _Flag.IsLoopBack
            iface._type = _Type.Loopback
        iface._flags = flags
        return
    bits = int(raw_flags, 16)
    operstate = _read_sysfs(name, "operstate") or "unknown"
    flags = _Flag(0)
    up = bool(bits & _IFF_UP)
    if up and operstate in ("up", "unknown"):
        flags |= _Flag.IsRunning
    if operstate != "unknown":
        up = operstate == "up"
    if up:
        flags |= _Flag.IsUp
    if bits & _IFF_BROADCAST:
        flags |= _Flag.CanBroadcast
    if bits & _IFF_LOOPBACK:
        flags |= _Flag.IsLoopBack
    if bits & _IFF_POINTOPOINT:
        flags |= _Flag.IsPointToPoint
    if bits & _IFF_MULTICAST:
        flags |= _Flag.CanMulticast
    iface._flags = flags
    arphrd = int(_read_sysfs(name, "type") or -1)
    kind = _ARPHRD_TYPES.get(arphrd, _Type.Unknown)
    if kind == _Type.Ethernet and (
        os.path.exists(os.path.join(_SYSFS, name, "wireless"))
        or os.path.exists(os.path.join(_SYSFS, name, "phy80211"))
    ):
        kind = _Type.Wifi
    iface._type = kind
    iface._mtu = int(_read_sysfs(name, "mtu") or 0)
    iface._hw = (_read_sysfs(name, "address") or "").upper()
