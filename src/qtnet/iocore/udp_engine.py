"""The UDP socket engine: one non-blocking datagram socket (Qt: QNativeSocketEngine).

Every ``sendto``/``recvmsg``/``setsockopt`` QUdpSocket needs happens here; the
Qt layer (``qt/udpsocket.py``) keeps Qt's state and turns what this module
returns into QHostAddress/QNetworkDatagram objects.  Notifications, blocking
waits and ``close`` are the TCP engine's (same notifier hub, same rules), so
this class only adds what datagrams need.  Why it looks like this:

* **Drained in a bounded loop.**  ``drain`` reads up to ``limit`` datagrams
  per readiness notification.  asyncio's DatagramProtocol reads one per loop
  iteration and is 5x slower under load (perf-anchors §4.2).  The caller
  bounds ``limit`` by the room left in its own queue, so nothing is ever
  buffered without limit.  Knowing that the kernel queue is empty lets the
  program's last ``hasPendingDatagrams()`` of a batch answer without a
  syscall; finding it out by a failing ``recvmsg`` costs ~1.8 µs (Python
  builds a BlockingIOError), a ``poll(0)`` on the descriptor ~0.6 µs.  So
  after a wake-up that brought one datagram (a request/response peer: the
  next one will be alone too) the drain probes with ``poll``; after bigger
  batches it reads until the kernel says EAGAIN (one failure per batch).
* **Metadata when it may be wanted.**  Datagrams are read with ``recvmsg``
  and a control buffer: destination address, interface index (IP_PKTINFO /
  IPV6_PKTINFO) and hop limit (IP_TTL / IPV6_HOPLIMIT), which the options set
  in ``create`` ask the kernel for, as Qt does.  Plain ``recvfrom`` is ~1 µs
  cheaper per datagram (no control messages for Python to turn into a list of
  tuples), so the owner may switch ``metadata`` off: QUdpSocket does for
  programs that only ever read with ``readDatagram`` (see udp_datagrams.py).
* **Sends go straight to the kernel.**  A datagram is sent whole or not at
  all, so there is no write queue: a full send buffer is an error the caller
  reports (Qt's ``writeDatagram`` returns -1 too).
* **ICMP errors.**  On a connected socket, Linux reports "port unreachable" as
  ECONNREFUSED on the next socket call.  An explicit read or send raises it;
  ``drain`` (the read notifier) drops it, as Qt's read notifier does.
"""

from __future__ import annotations

import errno
import select
import socket
import struct
import sys
from collections.abc import Callable
from typing import Any

from . import socket_errors as se
from .socket_errors import EngineError
from .tcp_engine import TcpEngine

# Socket option numbers Python's socket module does not export everywhere (Linux values).
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)
IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)
IP_TTL = socket.IP_TTL
IPV6_RECVPKTINFO = getattr(socket, "IPV6_RECVPKTINFO", 49)
IPV6_PKTINFO = getattr(socket, "IPV6_PKTINFO", 50)
IPV6_RECVHOPLIMIT = getattr(socket, "IPV6_RECVHOPLIMIT", 51)
IPV6_HOPLIMIT = getattr(socket, "IPV6_HOPLIMIT", 52)
_SOL_IP = socket.IPPROTO_IP
_SOL_IPV6 = socket.IPPROTO_IPV6
_AF_INET = socket.AF_INET
_AF_INET6 = socket.AF_INET6
_LINUX = sys.platform.startswith("linux")

MAX_DATAGRAM = 65536  # receive buffer: the largest UDP payload fits whole
# Room for one packet-info and one hop-limit message (IPv6 sizes cover IPv4).
_CMSG_SPACE = socket.CMSG_SPACE(20) + socket.CMSG_SPACE(4)
_RECVMSG_ARGS = (MAX_DATAGRAM, _CMSG_SPACE)
_HAS_POLL = hasattr(select, "poll")  # for the one-datagram probe in drain()
_RECVFROM_ARGS = (MAX_DATAGRAM,)
_PEEK = bytearray(1)
_MSG_PEEK_TRUNC = socket.MSG_PEEK | getattr(socket, "MSG_TRUNC", 0x20)

# Texts of Qt's native socket engine for datagram operations.
T_SEND = "Unable to send a message"
T_RECEIVE = "Unable to receive a message"
T_TOO_LARGE = "Datagram was too large to send"
T_NO_DATAGRAM = "No datagram available for reading"

# A received datagram as queued by drain(), kept as the socket call returned
# it (a tuple is made for every datagram): recvmsg's (payload, ancillary data,
# flags, sender sockaddr), or recvfrom's (payload, sender sockaddr) when the
# metadata was not asked for.  The payload is item[0], the sender item[-1].
Received = tuple[Any, ...]


def send_error(err: int) -> EngineError:
    """A failed send/sendto/sendmsg, as QUdpSocket reports it."""
    if err == errno.EMSGSIZE:
        return EngineError(se.DATAGRAM_TOO_LARGE, T_TOO_LARGE, err)
    if err == errno.ECONNREFUSED:
        return EngineError(se.CONNECTION_REFUSED, se.T_CONNECTION_REFUSED, err)
    if err in (errno.EAGAIN, errno.EWOULDBLOCK, errno.ENOBUFS, errno.EINTR):
        # The kernel could not take the datagram now; trying again may work.
        return EngineError(se.TEMPORARY, se.T_TEMPORARY, err)
    return EngineError(se.NETWORK, T_SEND, err)


def receive_error(err: int) -> EngineError:
    if err == errno.ECONNREFUSED:
        return EngineError(se.CONNECTION_REFUSED, se.T_CONNECTION_REFUSED, err)
    return EngineError(se.NETWORK, T_RECEIVE, err)


def membership_error(err: int) -> EngineError:
    """IP_ADD_MEMBERSHIP & co. failed (Qt's mapping)."""
    if err == errno.ENOPROTOOPT:
        return EngineError(se.UNSUPPORTED_OPERATION, se.T_OP_UNSUPPORTED, err)
    if err == errno.EADDRNOTAVAIL:
        return EngineError(se.ADDRESS_NOT_AVAILABLE, se.T_ADDRESS_NOT_AVAILABLE, err)
    return EngineError(se.UNKNOWN, se.T_UNKNOWN, err)


def _enable_packet_info(sock: socket.socket) -> None:
    """Ask for destination/interface and hop limit with every datagram (as Qt does).

    An IPv6 socket gets the IPv6 options only, also when it is dual-stack:
    IPv4 datagrams then report their destination (v4-mapped) but no hop limit,
    exactly like Qt.
    """
    if sock.family == _AF_INET6:
        opts = ((_SOL_IPV6, IPV6_RECVPKTINFO), (_SOL_IPV6, IPV6_RECVHOPLIMIT))
    else:
        opts = ((_SOL_IP, IP_PKTINFO), (_SOL_IP, IP_RECVTTL))
    for level, name in opts:
        try:
            sock.setsockopt(level, name, 1)
        except OSError:
            pass  # not supported here: the metadata is reported as unknown


class UdpEngine(TcpEngine):
    """One OS UDP socket plus its registration with one event loop.

    Notifier switching, ``wait`` and ``close`` are inherited from the TCP
    engine (the hub only needs ``fd``/``reading``/``writing``).
    """

    __slots__ = ("_probe", "_single", "metadata", "_sendto")

    def __init__(self, sock: socket.socket) -> None:
        super().__init__(sock)
        # drain() reads with recvmsg and the control messages (True) or with
        # plain recvfrom (~1 µs cheaper per datagram, no metadata).
        self.metadata = True
        self._probe: Any = None  # a select.poll on our descriptor, made on first need
        self._single = False  # the last drain brought exactly one datagram
        # Bound once: QUdpSocket.writeDatagram's fast path calls it per
        # datagram (one Python call less than send_to()) and hands failures
        # to sendto_failed().
        self._sendto = sock.sendto

    # -- construction ---------------------------------------------------------
    @classmethod
    def create(cls, family: int) -> UdpEngine:
        """A new non-blocking UDP socket with SO_BROADCAST and packet info on."""
        try:
            sock = socket.socket(family, socket.SOCK_DGRAM)
        except OSError as e:
            raise se.create_error(e.errno or 0) from None
        sock.setblocking(False)
        try:
            # Qt turns broadcast on for every UDP socket: its broadcast examples
            # send to 255.255.255.255 without asking (EACCES otherwise).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        except OSError:
            pass
        _enable_packet_info(sock)
        return cls(sock)

    @classmethod
    def adopt(cls, fd: int, family: int = -1) -> UdpEngine:
        """Take ownership of an open UDP socket descriptor (setSocketDescriptor)."""
        if fd < 0:
            raise EngineError(se.UNSUPPORTED_OPERATION, se.T_INVALID_SOCKET, errno.EBADF)
        try:
            sock = socket.socket(fileno=fd)
        except OSError as e:
            raise EngineError(se.UNSUPPORTED_OPERATION, se.T_INVALID_SOCKET, e.errno or 0) from None
        if sock.type != socket.SOCK_DGRAM or sock.family not in (_AF_INET, _AF_INET6):
            sock.detach()  # not ours: leave the caller's descriptor open
            raise EngineError(se.UNSUPPORTED_OPERATION, se.T_INVALID_SOCKET, errno.ENOTSOCK)
        sock.setblocking(False)
        _enable_packet_info(sock)
        return cls(sock)

    # -- binding -----------------------------------------------------------------
    def set_bind_mode(self, mode: int) -> None:
        """QAbstractSocket::BindMode on Unix.

        DefaultForPlatform (0) sets nothing.  Otherwise ShareAddress (1) or
        ReuseAddressHint (4) turn SO_REUSEADDR on and DontShareAddress alone
        turns it off.  On Linux SO_REUSEADDR is all UDP needs to let several
        sockets (that all ask for it) bind one port, and SO_REUSEPORT would
        also load-balance unicast between them, so it is left alone; the BSDs
        and macOS need SO_REUSEPORT for the same effect.
        """
        if mode == 0:
            return
        share = 1 if mode & 0x5 else 0
        sock = self.sock
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, share)
            if not _LINUX and hasattr(socket, "SO_REUSEPORT"):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, share)
        except OSError:
            pass

    # -- receiving -----------------------------------------------------------------
    def drain(self, append: Callable[[Received], Any], limit: int) -> bool:
        """Read up to ``limit`` datagrams, passing each to ``append``.

        Returns True when the kernel queue was seen empty.  Errors (a
        connected socket's ICMP report) end the drain silently: the read
        notifier is no place to report them.
        """
        recv: Callable[..., Received]
        args: tuple[int, ...]
        if self.metadata:
            recv, args = self.sock.recvmsg, _RECVMSG_ARGS
        else:
            recv, args = self.sock.recvfrom, _RECVFROM_ARGS
        n = 0
        try:
            if self._single and limit > 1:
                # One datagram per wake-up lately: read it, then ask poll()
                # whether another waits (cheaper than a failing recvmsg).
                append(recv(*args))
                n = 1
                probe = self._probe
                if probe is None:
                    probe = self._probe = select.poll()
                    probe.register(self.fd, select.POLLIN)
                if not probe.poll(0):
                    return True
                self._single = False
            while n < limit:
                append(recv(*args))
                n += 1
        except (BlockingIOError, InterruptedError):
            self._single = n == 1 and _HAS_POLL
            return True
        except OSError:
            return False
        self._single = False
        return False

    def receive(self) -> Received | None:
        """One datagram, None when none is queued; errors raise EngineError."""
        try:
            return self.sock.recvmsg(MAX_DATAGRAM, _CMSG_SPACE)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as e:
            raise receive_error(e.errno or 0) from None

    def pending_size(self) -> int:
        """Size of the next queued datagram (0 for an empty one), -1 if none.

        Peeks with MSG_TRUNC, which makes the kernel report the full length.
        A pending socket error is consumed by the peek and raised.
        """
        try:
            return self.sock.recv_into(_PEEK, 1, _MSG_PEEK_TRUNC)
        except (BlockingIOError, InterruptedError):
            return -1
        except OSError as e:
            raise receive_error(e.errno or 0) from None

    # -- sending ---------------------------------------------------------------------
    def send_to(self, data: Any, sockaddr: Any) -> int:
        try:
            return self.sock.sendto(data, sockaddr)
        except OSError as e:
            raise send_error(e.errno or 0) from None

    def sendto_failed(self, e: OSError) -> int:
        """What a failed ``_sendto`` means for QUdpSocket: raise its EngineError."""
        raise send_error(e.errno or 0) from None

    def send(self, data: Any) -> int:
        """Send on a connected socket (QIODevice::write)."""
        try:
            return self.sock.send(data)
        except OSError as e:
            raise send_error(e.errno or 0) from None

    def send_msg(
        self,
        data: Any,
        sockaddr: Any,
        v4: bool,
        hop_limit: int,
        ifindex: int,
        source16: bytes | None,
    ) -> int:
        """sendmsg with a hop limit and/or outgoing interface / source address.

        ``v4`` tells the destination is IPv4 (also when v4-mapped on a
        dual-stack socket: Linux then reads IP-level control messages only).
        ``source16`` is the 16-byte IPv6 source; for IPv4 the source is left
        to the kernel, which is what Qt's request amounts to on Linux (it puts
        the address in a field the kernel ignores on send).
        """
        key = (v4, hop_limit, ifindex, source16)
        anc = _control_messages.get(key)
        if anc is None:
            if len(_control_messages) >= 256:
                _control_messages.clear()
            anc = _control_messages[key] = _control(v4, hop_limit, ifindex, source16)
        try:
            if sockaddr is None:
                return self.sock.sendmsg([data], anc)
            return self.sock.sendmsg([data], anc, 0, sockaddr)
        except OSError as e:
            raise send_error(e.errno or 0) from None

    # -- multicast -------------------------------------------------------------------
    def membership(
        self, join: bool, group_v6: bool, group: bytes, ifindex: int, if_addr4: bytes | None
    ) -> None:
        """Join or leave ``group`` (4 or 16 bytes) on interface ``ifindex`` (0: any).

        IPv4 picks the interface by index (ip_mreqn) on Linux, by its first
        IPv4 address ``if_addr4`` elsewhere, as Qt does.
        """
        if group_v6:
            level = _SOL_IPV6
            name = socket.IPV6_JOIN_GROUP if join else socket.IPV6_LEAVE_GROUP
            arg = group + struct.pack("@I", ifindex)
        else:
            level = _SOL_IP
            name = socket.IP_ADD_MEMBERSHIP if join else socket.IP_DROP_MEMBERSHIP
            if _LINUX:
                arg = group + bytes(4) + struct.pack("@i", ifindex)
            else:
                arg = group + (if_addr4 or bytes(4))
        try:
            self.sock.setsockopt(level, name, arg)
        except OSError as e:
            raise membership_error(e.errno or 0) from None

    def set_multicast_interface(self, ifindex: int, if_addr4: bytes | None) -> bool:
        """IPV6_MULTICAST_IF (index) on IPv6 sockets, IP_MULTICAST_IF (address) on IPv4."""
        try:
            if self.family == _AF_INET6:
                self.sock.setsockopt(_SOL_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
            else:
                self.sock.setsockopt(_SOL_IP, socket.IP_MULTICAST_IF, if_addr4 or bytes(4))
        except OSError:
            return False
        return True

    def multicast_interface(self) -> int | bytes | None:
        """The index (IPv6 socket) or IPv4 address (IPv4 socket) set; None on error."""
        try:
            if self.family == _AF_INET6:
                return self.sock.getsockopt(_SOL_IPV6, socket.IPV6_MULTICAST_IF)
            return self.sock.getsockopt(_SOL_IP, socket.IP_MULTICAST_IF, 4)
        except OSError:
            return None


# (v4, hop limit, interface, source) -> control messages: replies repeat the same few.
_control_messages: dict[Any, list[tuple[int, int, bytes]]] = {}


def _control(
    v4: bool, hop_limit: int, ifindex: int, source16: bytes | None
) -> list[tuple[int, int, bytes]]:
    anc: list[tuple[int, int, bytes]] = []
    if v4:
        if hop_limit != -1:
            anc.append((_SOL_IP, IP_TTL, struct.pack("@i", hop_limit)))
        if ifindex:
            anc.append((_SOL_IP, IP_PKTINFO, struct.pack("@i4s4s", ifindex, bytes(4), bytes(4))))
    else:
        if hop_limit != -1:
            anc.append((_SOL_IPV6, IPV6_HOPLIMIT, struct.pack("@i", hop_limit)))
        if ifindex or source16 is not None:
            anc.append(
                (_SOL_IPV6, IPV6_PKTINFO, struct.pack("@16sI", source16 or bytes(16), ifindex))
            )
    return anc


def parse_ancillary(anc: Any) -> tuple[int, bytes | None, int, int]:
    """(family, destination address bytes, interface index, hop limit) of a datagram.

    ``family`` is 0 when no packet info came (destination unknown); the hop
    limit is -1 when unknown.
    """
    family, dest, ifindex, hop = 0, None, 0, -1
    for level, kind, data in anc:
        if level == _SOL_IP:
            if kind == IP_PKTINFO and len(data) >= 12:
                ifindex = struct.unpack_from("@i", data)[0]
                family, dest = _AF_INET, bytes(data[8:12])  # ipi_addr: the header's destination
            elif kind == IP_TTL and len(data) >= 4:
                hop = struct.unpack_from("@i", data)[0]
        elif level == _SOL_IPV6:
            if kind == IPV6_PKTINFO and len(data) >= 20:
                family, dest = _AF_INET6, bytes(data[:16])
                ifindex = struct.unpack_from("@I", data, 16)[0]
            elif kind == IPV6_HOPLIMIT and len(data) >= 4:
                hop = struct.unpack_from("@i", data)[0]
    return family, dest, ifindex, hop
