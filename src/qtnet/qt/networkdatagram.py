"""QNetworkDatagram: a UDP payload with its addresses, hop limit and interface.

Behaviour as in Qt 6 (checked against PySide6):

* A default-constructed datagram is *null*: ``isValid()`` is False until a
  sender or destination address is set (``setData`` alone does not make it
  valid; ``QNetworkDatagram(b"x")`` without an address is null too).
* ``senderPort()``/``destinationPort()`` are -1 while the matching address is
  null, ``hopLimit()`` is -1 (unknown / let the system choose) and
  ``interfaceIndex()`` 0 (unknown / any) by default.
* ``makeReply(payload)`` swaps the roles: the reply goes to this datagram's
  sender, keeps its interface index, and is sent *from* this datagram's
  destination unless that was a multicast group; the hop limit is reset.
* There is no ``==`` (PySide6 compares datagrams by identity).
"""

from __future__ import annotations

from typing import Any

from .bytearray import QByteArray
from .hostaddress import QHostAddress, _as_address

__all__ = ["QNetworkDatagram"]

_new_bytes = bytearray.__new__
_extend_bytes = bytearray.extend
_NULL = QHostAddress()  # never handed out (QHostAddress is mutable)


def _address(value: Any) -> QHostAddress:
    """A private copy of an address argument (QHostAddress, SpecialAddress or text)."""
    if isinstance(value, str):
        return QHostAddress(value)
    return QHostAddress(_as_address(value))


def _payload(data: Any) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    return bytes(data)


_new_datagram = object.__new__


class QNetworkDatagram:
    """The data and metadata of one UDP datagram (see the module docstring)."""

    __slots__ = ("_data", "_sender", "_sport", "_dest", "_dport", "_hop", "_ifindex")

    def __init__(
        self,
        data: Any = None,
        destinationAddress: Any = None,  # noqa: N803
        port: int = 0,
    ) -> None:
        if isinstance(data, QNetworkDatagram):
            self._copy_from(data)
            return
        self._data: bytes = b"" if data is None else _payload(data)
        self._sender = _NULL
        self._sport = 0
        self._dest = _NULL if destinationAddress is None else _address(destinationAddress)
        self._dport = int(port)
        self._hop = -1
        self._ifindex = 0

    @classmethod
    def _received(
        cls,
        data: bytes,
        sender: QHostAddress,
        sender_port: int,
        dest: QHostAddress,
        dest_port: int,
        hop: int,
        ifindex: int,
    ) -> QNetworkDatagram:
        """Fast constructor for QUdpSocket (the addresses are fresh objects it owns)."""
        self = cls.__new__(cls)
        self._data = data
        self._sender = sender
        self._sport = sender_port
        self._dest = dest
        self._dport = dest_port
        self._hop = hop
        self._ifindex = ifindex
        return self

    def _copy_from(self, other: QNetworkDatagram) -> None:
        self._data = other._data
        self._sender = other._sender  # addresses are never mutated in place: sharing is safe
        self._sport = other._sport
        self._dest = other._dest
        self._dport = other._dport
        self._hop = other._hop
        self._ifindex = other._ifindex

    # -- validity --------------------------------------------------------------------
    def isValid(self) -> bool:  # noqa: N802
        return not self._sender.isNull() or not self._dest.isNull()

    def isNull(self) -> bool:  # noqa: N802
        return not self.isValid()

    def clear(self) -> None:
        """Back to a null datagram (the ports are kept, as in Qt: they read -1 anyway)."""
        self._data = b""
        self._sender = self._dest = _NULL
        self._hop = -1
        self._ifindex = 0

    def swap(self, other: QNetworkDatagram) -> None:
        mine = QNetworkDatagram(self)
        self._copy_from(other)
        other._copy_from(mine)

    # -- payload -------------------------------------------------------------------------
    def data(self) -> QByteArray:
        ba: QByteArray = _new_bytes(QByteArray)  # QByteArray._of, inlined: on every echo path
        _extend_bytes(ba, self._data)
        ba._null = False
        return ba

    def setData(self, data: Any) -> None:  # noqa: N802
        self._data = _payload(data)

    # -- addresses -----------------------------------------------------------------------
    def senderAddress(self) -> QHostAddress:  # noqa: N802
        return QHostAddress(self._sender)

    def senderPort(self) -> int:  # noqa: N802
        return -1 if self._sender.isNull() else self._sport

    def setSender(self, address: Any, port: int = 0) -> None:  # noqa: N802
        self._sender = _address(address)
        self._sport = int(port)

    def destinationAddress(self) -> QHostAddress:  # noqa: N802
        return QHostAddress(self._dest)

    def destinationPort(self) -> int:  # noqa: N802
        return -1 if self._dest.isNull() else self._dport

    def setDestination(self, address: Any, port: int = 0) -> None:  # noqa: N802
        self._dest = _address(address)
        self._dport = int(port)

    # -- hop limit and interface ---------------------------------------------------------
    def hopLimit(self) -> int:  # noqa: N802
        return self._hop

    def setHopLimit(self, count: int) -> None:  # noqa: N802
        self._hop = int(count)

    def interfaceIndex(self) -> int:  # noqa: N802
        return self._ifindex

    def setInterfaceIndex(self, index: int) -> None:  # noqa: N802
        self._ifindex = int(index)

    # -- replies -----------------------------------------------------------------------------
    def makeReply(self, payload: Any) -> QNetworkDatagram:  # noqa: N802
        """A datagram carrying ``payload`` back to this datagram's sender."""
        reply = _new_datagram(QNetworkDatagram)
        kind = type(payload)
        if kind is bytes:
            reply._data = payload
        elif kind is QByteArray:
            reply._data = bytes(payload)  # a copy: the program may change its array later
        else:
            reply._data = _payload(payload)
        reply._dest = self._sender
        reply._dport = self._sport
        reply._hop = -1
        reply._ifindex = self._ifindex
        dest = self._dest
        # dest.isMulticast(), inlined (QHostAddress keeps IPv4 values, also
        # v4-mapped ones, in _a4, else the 16 bytes in _a6): 224/4 or ff00::/8.
        if (dest._a4 >> 28 == 0xE) if dest._a4 else (dest._a6[0] == 0xFF):
            # A group address cannot be a source: let the system pick one.
            reply._sender, reply._sport = _NULL, 0
        else:
            reply._sender, reply._sport = self._dest, self._dport
        return reply

    # -- Python protocol ---------------------------------------------------------------------
    def __copy__(self) -> QNetworkDatagram:
        return QNetworkDatagram(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> QNetworkDatagram:
        return QNetworkDatagram(self)

    def __repr__(self) -> str:
        if self.isNull():
            return "QNetworkDatagram()"
        return (
            f"QNetworkDatagram({self._data!r}, sender={self._sender.toString()!r}:"
            f"{self.senderPort()}, destination={self._dest.toString()!r}:"
            f"{self.destinationPort()}, hopLimit={self._hop}, interfaceIndex={self._ifindex})"
        )
