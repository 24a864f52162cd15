"""Conversions between what the UDP engine deals in and QUdpSocket's Qt objects.

Received datagrams arrive as raw tuples (sockaddr, control messages); the Qt
layer turns them into QHostAddress / metadata through the caches here, and
turns write() arguments into what the engine sends.  Split out of
udp_datagrams.py (module size); used by every udp_*.py module.
"""

from __future__ import annotations

import socket
from typing import Any

from ..iocore.udp_engine import UdpEngine, parse_ancillary
from .hostaddress import QHostAddress, _as_address
from .netenums import NetworkLayerProtocol

_AF_INET, _AF_INET6 = socket.AF_INET, socket.AF_INET6
_CACHE_LIMIT = 1024  # remembered address conversions (per socket / shared)
# sender sockaddr -> (parsed QHostAddress template, port).  Echo-style servers
# see the same few peers over and over: a dict hit on the sockaddr tuple and a
# four-slot copy of the template are much cheaper than parsing the text again.
# Templates are never handed out (QHostAddress is mutable): readDatagram gives
# copies, QNetworkDatagram keeps them private and its getters copy.
_senders: dict[Any, tuple[QHostAddress, int]] = {}
# raw control messages of a datagram -> (destination, interface index, hop limit), likewise.
_metadata: dict[Any, tuple[QHostAddress, int, int]] = {}


def _sender(sa: Any) -> tuple[QHostAddress, int]:
    """The cached (QHostAddress template, port) of a sockaddr from recvmsg."""
    entry = _senders.get(sa)
    if entry is None:
        if len(_senders) >= _CACHE_LIMIT:
            _senders.clear()
        family = _AF_INET if len(sa) == 2 else _AF_INET6
        entry = _senders[sa] = (QHostAddress._from_sockaddr(family, sa), sa[1])
    return entry


def _metadata_of(key: tuple[Any, ...]) -> tuple[QHostAddress, int, int]:
    """The cached (destination template, interface index, hop limit) of control messages."""
    meta = _metadata.get(key)
    if meta is None:
        if len(_metadata) >= _CACHE_LIMIT:
            _metadata.clear()
        meta = _metadata[key] = _parse_metadata(key)
    return meta


# (sockaddr, destination is IPv4, destination is loopback), or () when unreachable.
Destination = tuple[Any, bool, bool] | tuple[()]
# The loopback interface's index (makeReply() names it for replies to local peers).
try:
    _LOOPBACK_INDEX = socket.if_nametoindex("lo")
except OSError:
    _LOOPBACK_INDEX = -1
_LOOPBACK6 = bytes(15) + b"\x01"  # ::1

_NO_METADATA = (QHostAddress(), 0, -1)  # destination, interface index, hop limit: unknown


def _parse_metadata(anc: Any) -> tuple[QHostAddress, int, int]:
    family, dest, ifindex, hop = parse_ancillary(anc)
    if dest is None:
        return QHostAddress(), ifindex, hop  # the system did not say
    if family == _AF_INET:
        return QHostAddress(int.from_bytes(dest, "big")), ifindex, hop
    addr = QHostAddress(dest)
    if ifindex:
        addr.setScopeId(str(ifindex))  # Qt gives the index as text here
    return addr, ifindex, hop


def address_arg(value: Any) -> QHostAddress:
    """An address argument: QHostAddress, SpecialAddress or (a qtnet extra) text."""
    if isinstance(value, QHostAddress):
        return value
    if isinstance(value, str):
        return QHostAddress(value)
    return _as_address(value)


def payload(data: Any) -> Any:
    """The bytes to send for a write()/writeDatagram() argument."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")  # PySide6 refuses str here; qtnet takes it as UTF-8
    return bytes(data)


def destination_sockaddr(eng: UdpEngine, addr: QHostAddress, port: int) -> Destination:
    """(sockaddr for this socket's family, destination is IPv4, destination is a
    loopback address); () if unreachable."""
    try:
        family, sockaddr, _v6only = addr._to_sockaddr(port)
    except ValueError:
        return ()
    loopback = addr.isLoopback()
    if family == eng.family:
        return sockaddr, family == _AF_INET or sockaddr[0].startswith("::ffff:"), loopback
    if family == _AF_INET:  # IPv4 from an IPv6 socket: v4-mapped (fails if V6ONLY)
        return ("::ffff:" + sockaddr[0], port, 0, 0), True, loopback
    if addr.protocol() == NetworkLayerProtocol.AnyIPProtocol:  # Any from an IPv4 socket
        return ("0.0.0.0", port), True, False
    return ()  # IPv6 from an IPv4 socket
