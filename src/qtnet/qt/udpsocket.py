"""QUdpSocket: UDP datagrams with Qt's API over the iocore UDP engine.

Behaviour follows Qt 6, checked call by call against PySide6 (tests/test_udp*.py):

* **Binding.**  ``bind()`` forms as in PySide6: ``bind()``, ``bind(port[, mode])``,
  ``bind(address[, port[, mode]])``.  A bound socket is in BoundState with
  ``openMode()`` NotOpen (``read()``/``write()`` need ``connectToHost``).  A
  second bind warns and fails.  The first ``writeDatagram`` of an unbound socket
  binds it to ``Any`` (dual stack).  Deliberate difference: after a *failed*
  bind the OS socket is dropped, so the next attempt starts clean; Qt keeps it,
  and with it SO_REUSEADDR from a failed ShareAddress attempt (the reason Qt's
  own bindMode test passes on Linux, qt-autotests.md Surprise 7).
* **Reading.**  On a read notification up to 64 datagrams are read into a
  small queue and ``readyRead`` is emitted once.  It is not emitted again
  until the program reads a datagram (Qt switches its read notifier off
  meanwhile; so does qtnet, the kernel queue then holds the rest).  After a
  read, datagrams still queued trigger the next ``readyRead`` on the next loop
  pass, as in Qt.  The queue never holds more than 64 datagrams.  Deliberate
  difference: inside ``readyRead``, once that batch is read,
  ``hasPendingDatagrams()`` is False (``pendingDatagramSize()`` -1) even if
  more arrived meanwhile; they come with the next ``readyRead``.  Qt asks the
  kernel again, so a ``while hasPendingDatagrams()`` slot never returns under
  a flood and the thread's other sockets starve.
* **readDatagram(maxSize)** returns PySide6's ``(QByteArray, QHostAddress,
  port)``; extra bytes of a longer datagram are lost, ``maxSize`` 0 discards
  it.  With nothing to read it returns ``(QByteArray(), QHostAddress(), 0)``
  and emits TemporaryError ("No datagram available for reading") like Qt 6
  (PySide6 returns uninitialised bytes there).  ``receiveDatagram`` adds the
  destination address/port, hop limit and interface index.  Deliberate
  difference: once a program has taken 256 datagrams, none of them with
  ``receiveDatagram``, qtnet stops asking the kernel for that metadata (it
  costs ~1 µs per datagram in Python).  The first ``receiveDatagram`` turns it
  back on; the few datagrams already read ahead at that moment (at most one
  batch of 64) report it as unknown: null destination, hop limit -1,
  interface 0, as Qt does on platforms without packet information.
* **Writing.**  ``writeDatagram`` sends at once (no queue): the byte count, or
  -1 with DatagramTooLargeError / NetworkError ("Unable to send a message") /
  TemporaryError (kernel buffer full; Qt reports NetworkError there) emitted.
  ``bytesWritten`` is emitted once per datagram sent.
* **Connected mode** (``connectToHost``): ``read``/``write`` move one datagram
  each; a "port unreachable" ICMP answer makes the next ``write`` (or read)
  fail with ConnectionRefusedError while the socket stays connected — the
  behaviour Qt's own (skipped) writeToNonExistingPeer test describes.  Qt 6
  actually returns -1 from that write with no error set.
* **Multicast**: join/leave (optionally on one interface), the outgoing
  interface, TTL and loopback options, with Qt's warnings.  A failed join sets
  ``error()`` (Qt's docs say so; Qt itself leaves it unchanged) but emits
  nothing.
"""

from __future__ import annotations

import socket
from typing import Any

from ..iocore import socket_errors as se
from ..iocore.socket_errors import EngineError
from .hostaddress import QHostAddress
from .networkinterface import QNetworkInterface
from .socketerrors import NetworkLayerProtocol
from .udp_connected import UdpConnectedSocket
from .udp_conversions import address_arg
from .udp_datagrams import not_bound, warn

__all__ = ["QUdpSocket"]

_BOUND = 4  # SocketState.BoundState
_AF_INET6 = socket.AF_INET6
_IPV4 = NetworkLayerProtocol.IPv4Protocol
_IPV6 = NetworkLayerProtocol.IPv6Protocol
_DUAL_STACK_V4_GROUP = (
    "QAbstractSocket: cannot bind to QHostAddress::Any (or an IPv6 address) and join an IPv4 "
    "multicast group; bind to QHostAddress::AnyIPv4 instead if you want to do this"
)


class QUdpSocket(UdpConnectedSocket):
    """A UDP socket with Qt's API (see the module docstring).

    The class is assembled in layers: datagrams (``udp_datagrams.py``),
    connected mode (``udp_connected.py``) and, here, multicast.
    """

    def joinMulticastGroup(
        self,
        groupAddress: Any,  # noqa: N802,N803
        iface: QNetworkInterface | None = None,
    ) -> bool:
        return self._membership(True, groupAddress, iface, "joinMulticastGroup")

    def leaveMulticastGroup(
        self,
        groupAddress: Any,  # noqa: N802,N803
        iface: QNetworkInterface | None = None,
    ) -> bool:
        return self._membership(False, groupAddress, iface, "leaveMulticastGroup")

    def _membership(
        self, join: bool, group: Any, iface: QNetworkInterface | None, name: str
    ) -> bool:
        eng = self._engine
        if eng is None:
            not_bound(name, 5)
            return False
        if self._state != _BOUND:
            warn(f"QNativeSocketEngine::{name}() was not called in QAbstractSocket::BoundState", 4)
            return False
        addr = address_arg(group)
        proto = addr.protocol()
        if proto == _IPV4 and eng.family == _AF_INET6:
            warn(_DUAL_STACK_V4_GROUP, 4)
            return False
        if proto not in (_IPV4, _IPV6):
            self._set_error(se.UNSUPPORTED_OPERATION, se.T_PROTOCOL_UNSUPPORTED)
            return False
        valid = iface is not None and iface.isValid()
        ifindex = iface.index() if iface is not None and valid else 0
        if_addr4 = _first_ipv4(iface) if iface is not None and valid else None
        group_bytes = addr._a6 if proto == _IPV6 else addr._a4.to_bytes(4, "big")
        try:
            eng.membership(join, proto == _IPV6, group_bytes, ifindex, if_addr4)
        except EngineError as e:
            self._set_error(e.code, e.text)
            return False
        return True

    def multicastInterface(self) -> QNetworkInterface:  # noqa: N802
        eng = self._engine
        if eng is None:
            not_bound("multicastInterface")
            return QNetworkInterface()
        value = eng.multicast_interface()
        if isinstance(value, int):
            return QNetworkInterface.interfaceFromIndex(value) if value else QNetworkInterface()
        if not value or value == bytes(4):
            return QNetworkInterface()
        wanted = QHostAddress(int.from_bytes(value, "big"))
        for iface in QNetworkInterface.allInterfaces():
            if any(e.ip() == wanted for e in iface.addressEntries()):
                return iface
        return QNetworkInterface()

    def setMulticastInterface(self, iface: QNetworkInterface) -> None:  # noqa: N802
        eng = self._engine
        if eng is None:
            not_bound("setMulticastInterface")
            return
        valid = iface.isValid()
        if eng.family == _AF_INET6:
            eng.set_multicast_interface(iface.index() if valid else 0, None)
            return
        addr4 = _first_ipv4(iface) if valid else bytes(4)
        if addr4 is not None:  # an interface without IPv4 address cannot be chosen (as in Qt)
            eng.set_multicast_interface(0, addr4)


def _first_ipv4(iface: QNetworkInterface) -> bytes | None:
    """The interface's first IPv4 address (Qt picks the outgoing interface by it)."""
    for entry in iface.addressEntries():
        ip = entry.ip()
        if ip.protocol() == _IPV4:
            return int(ip.toIPv4Address()).to_bytes(4, "big")
    return None
