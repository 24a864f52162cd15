"""The datagram side of QUdpSocket: binding, reading, writing, waiting.

``UdpDatagramSocket`` is QUdpSocket minus connected mode (``udp_connected.py``)
and multicast (``udpsocket.py``); the behaviour is described in
``udpsocket.py``.  How reading works here:

* A read notification drains up to 64 datagrams (``UdpEngine.drain``) into
  ``_dq`` and emits ``readyRead`` once.  ``_armed`` is Qt's "no readyRead
  pending": it turns False at the emission and True again when the program
  reads (any of readDatagram, receiveDatagram, read).  While it is False the
  read notifier is off, so the kernel holds further datagrams and ``_dq``
  never grows past 64.
* After a read, datagrams still in ``_dq`` get their ``readyRead`` on the next
  loop pass (``_schedule_ready_read``), as Qt's re-enabled notifier would.
* Queries (hasPendingDatagrams, pendingDatagramSize, bytesAvailable) answer
  from ``_dq`` first, else peek at the kernel, except during the readyRead
  that follows a drain which found the kernel queue empty (``_kernel_empty``).
* Queued items are the engine's raw tuples; QHostAddress / QByteArray /
  QNetworkDatagram objects are made only when the program takes a datagram,
  from per-sockaddr and per-control-message caches (an echo loop costs a few
  dict hits and slot copies per datagram, measured with bench/bench_udp.py).
* ``_drained`` counts datagrams drained while the engine reads metadata; once
  the program has taken ``_PLAIN_READS_BEFORE_LEAN`` of them without ever
  calling receiveDatagram, the engine reads with plain ``recvfrom`` until the
  first receiveDatagram (``_want_metadata``).  See udpsocket.py for what the
  program can notice.
"""

from __future__ import annotations

import socket
import warnings
from collections import deque
from typing import Any

from ..iocore import socket_errors as se
from ..iocore.socket_errors import EngineError
from ..iocore.udp_engine import T_NO_DATAGRAM, T_SEND, Received, UdpEngine
from .abstractsocket import QAbstractSocket
from .bytearray import QByteArray
from .hostaddress import QHostAddress, _as_address
from .iodevice import QIODevice
from .networkdatagram import QNetworkDatagram
from .qobject import QObject
from .socketerrors import NetworkLayerProtocol, SocketOption, SocketType
from .udp_conversions import (
    _CACHE_LIMIT,
    _LOOPBACK6,
    _LOOPBACK_INDEX,
    _NO_METADATA,
    Destination,
    _metadata,
    _metadata_of,
    _sender,
    _senders,
    address_arg,
    destination_sockaddr,
    payload,
)

__all__ = ["UdpDatagramSocket"]

_UNCONNECTED, _HOSTLOOKUP, _CONNECTING, _CONNECTED, _BOUND = range(5)  # SocketState values
_AF_INET, _AF_INET6 = socket.AF_INET, socket.AF_INET6
_IPV6 = NetworkLayerProtocol.IPv6Protocol
_UNKNOWN = NetworkLayerProtocol.UnknownNetworkLayerProtocol
_LOOPBACK_OPTION = int(SocketOption.MulticastLoopbackOption)
_ANY = QHostAddress.SpecialAddress.Any
_DRAIN_LIMIT = 64  # datagrams read per read notification
_QUEUE_LIMIT = 64  # datagrams held ahead of the program, at most
# Datagrams a program takes with readDatagram()/read() before the engine stops
# asking the kernel for metadata (only receiveDatagram() reports it).
_PLAIN_READS_BEFORE_LEAN = 256
_new_bytes = bytearray.__new__  # QByteArray._of, inlined on the read path
_extend_bytes = bytearray.extend  # into a fresh array: cheaper than __init__
_new_address = QHostAddress.__new__
_new_datagram = QNetworkDatagram.__new__


def warn(text: str, stacklevel: int = 3) -> None:
    """Qt's qWarning as a RuntimeWarning pointing at the program's call."""
    warnings.warn(text, RuntimeWarning, stacklevel=stacklevel)


def not_bound(function: str, stacklevel: int = 4) -> None:
    warn(
        f"QUdpSocket::{function}() called on a QUdpSocket when not in QUdpSocket::BoundState",
        stacklevel,
    )


class UdpDatagramSocket(QAbstractSocket):
    """QUdpSocket's datagram side (see the module docstring)."""

    _socket_type = int(SocketType.UdpSocket)
    _engine: UdpEngine | None = None  # always a UDP engine here

    # Class-level defaults: most sockets never change most of these.
    _armed = True  # Qt's !hasPendingData: the next datagram may emit readyRead
    _emitting = False  # inside our own readyRead emission
    _rr_scheduled = False  # a readyRead for queued datagrams waits for the next loop pass
    _kernel_empty = False  # the drain just saw the kernel queue empty (valid during readyRead)
    _stash: EngineError | None = None  # a socket error a query consumed; the next read reports it
    _sa_cache: dict[Any, Any] | None = None  # destination address -> sockaddr for this socket
    _wants_metadata = False  # receiveDatagram() was called: always read the metadata
    _drained = 0  # datagrams drained into _dq while the engine read metadata

    def __init__(self, parent: QObject | None = None, **kwargs: Any) -> None:
        # QAbstractSocket.__init__ is skipped: the socket type is a class default.
        super(QAbstractSocket, self).__init__(parent, **kwargs)
        self._dq: deque[Received] = deque()

    # -- engine life ---------------------------------------------------------------------
    def _attach(self, engine: Any) -> None:
        self._sa_cache = None
        super()._attach(engine)

    def _reset_socket_layer(self) -> None:
        super()._reset_socket_layer()
        self._dq.clear()
        self._armed = True
        self._stash = None
        self._kernel_empty = False
        self._sa_cache = None

    def _new_engine(self, family: int) -> UdpEngine | None:
        """A fresh engine of ``family``, attached; None (error emitted) on failure."""
        try:
            eng = UdpEngine.create(family)
        except EngineError as e:
            if family != _AF_INET6:
                self._set_error_emit(e.code, e.text)
                return None
            try:  # no IPv6 on this host: Qt falls back to IPv4 for Any
                eng = UdpEngine.create(_AF_INET)
            except EngineError as e2:
                self._set_error_emit(e2.code, e2.text)
                return None
        self._attach(eng)
        return eng

    # -- binding -----------------------------------------------------------------------------
    def bind(
        self,
        address: Any = _ANY,
        port: int = 0,
        mode: int = QAbstractSocket.BindFlag.DefaultForPlatform,
    ) -> bool:
        """``bind()``, ``bind(port[, mode])`` or ``bind(address[, port[, mode]])``."""
        if isinstance(address, int) and not isinstance(address, QHostAddress.SpecialAddress):
            address, port, mode = _ANY, address, port
        addr = address_arg(address)
        if self._state != _UNCONNECTED:
            warn("QNativeSocketEngine::bind() was not called in QAbstractSocket::UnconnectedState")
            return False
        return self._bind(addr, int(port), int(mode))

    def _bind(self, addr: QHostAddress, port: int, mode: int) -> bool:
        if addr.isNull():
            self._set_error_emit(se.UNSUPPORTED_OPERATION, se.T_OP_UNSUPPORTED)
            return False
        family, sockaddr, v6only = addr._to_sockaddr(port)
        eng = self._engine
        if eng is not None and eng.family != family:
            self._engine = None
            eng.close()
            eng = None
        if eng is None:
            eng = self._new_engine(family)
            if eng is None:
                return False
            if eng.family != family:  # the IPv4 fallback for Any
                sockaddr, v6only = ("0.0.0.0", port), None
        eng.set_bind_mode(mode)
        if v6only is not None:
            eng.set_v6only(v6only)
        try:
            eng.bind(sockaddr)
        except EngineError as e:
            self._engine = None
            eng.close()
            self._set_error_emit(e.code, e.text)
            return False
        self._local = None
        self._state = _BOUND
        self._local_pair()
        self._set_state(_BOUND)
        # A stateChanged slot may have closed the socket already.
        if self._state == _BOUND and self._engine is eng:
            eng.enable_read()
        return True

    def setSocketDescriptor(
        self,
        socketDescriptor: int,  # noqa: N802,N803
        state: int = QAbstractSocket.SocketState.ConnectedState,
        openMode: int = QIODevice.OpenModeFlag.ReadWrite,
    ) -> bool:  # noqa: N803
        self._reset_socket_layer()
        self._bury()
        self._reset_read_state()
        try:
            eng = UdpEngine.adopt(int(socketDescriptor))
        except EngineError as e:
            self._set_error(e.code, e.text)
            return False
        self._adopt(eng, int(state), int(openMode))
        return True

    def setReadBufferSize(self, size: int) -> None:  # noqa: N802
        # Kept for readBufferSize(); UDP is unbuffered in Qt, so it changes nothing.
        self._read_limit = max(0, int(size))

    # -- the read notification -------------------------------------------------------------
    def _read_ready(self) -> bool:
        """Readable: drain into the queue, emit readyRead once; True if datagrams wait."""
        eng = self._engine
        if eng is None:
            return False
        if not self._armed:
            eng.disable_read()  # readyRead waits until the program reads (Qt)
            return bool(self._dq)
        q = self._dq
        room = _QUEUE_LIMIT - len(q)
        if room > 0:
            limit = room if room < _DRAIN_LIMIT else _DRAIN_LIMIT
            if eng.metadata and not self._wants_metadata:
                self._drain_counted(eng, q, limit)
            else:
                self._kernel_empty = eng.drain(q.append, limit)
        if not q:
            self._kernel_empty = False
            return False
        self._emit_ready_read_batch()
        return True

    def _drain_counted(self, eng: UdpEngine, q: deque[Received], limit: int) -> None:
        """Drain while counting: a program that took many datagrams and never
        called receiveDatagram() reads with readDatagram(); the metadata it
        never looks at costs ~1 µs per datagram to receive, so stop asking."""
        before = len(q)
        if self._drained - before >= _PLAIN_READS_BEFORE_LEAN:
            eng.metadata = False
        self._kernel_empty = eng.drain(q.append, limit)
        self._drained += len(q) - before

    def _emit_ready_read_batch(self) -> None:
        # QAbstractSocket._notify_ready_read() inlined: this runs once per
        # wake-up, and with one datagram per wake-up the Python calls around
        # the slot are most of qtnet's own cost.
        self._armed = False
        self._emitting = True
        outer = self._in_ready_read
        try:
            if not outer:
                self._in_ready_read = True
                self.readyRead.emit()
            d = self.__dict__
            if "channelReadyRead" in d or "_waiters" in d:
                self._notify_extra(d)
        finally:
            if not outer:
                self._in_ready_read = False
            self._emitting = False
            self._kernel_empty = False
        eng = self._engine
        if eng is None:
            return
        if not self._armed:
            eng.disable_read()
        elif self._dq:
            self._schedule_ready_read(eng)

    def _schedule_ready_read(self, eng: UdpEngine) -> None:
        """Qt emits readyRead again on the next loop pass while datagrams wait."""
        hub = eng.hub
        if self._rr_scheduled or hub is None or hub.loop is None:
            return
        self._rr_scheduled = True
        hub.loop.call_soon(self._deferred_ready_read, hub)

    def _deferred_ready_read(self, hub: Any) -> None:
        self._rr_scheduled = False
        eng = self._engine
        if eng is None or eng.hub is not hub or not self._armed or not self._dq:
            return
        if self._state in (_BOUND, _CONNECTED):
            self._emit_ready_read_batch()

    def _rearm(self) -> None:
        """The program read: the next datagram may emit readyRead again."""
        self._armed = True
        eng = self._engine
        if eng is None:
            return
        if not eng.reading and self._state in (_BOUND, _CONNECTED):
            eng.enable_read()
        if self._dq and not self._emitting:
            self._schedule_ready_read(eng)

    def _next_datagram(self, report_empty: bool) -> Received | None:
        """The next datagram: queued, else straight from the kernel; None if none/error."""
        q = self._dq
        if q:
            item: Received | None = q.popleft()
        else:
            eng = self._engine
            assert eng is not None
            try:
                stash = self._stash
                if stash is not None:
                    self._stash = None
                    raise stash
                item = eng.receive()
            except EngineError as e:
                self._rearm()
                self._set_error_emit(e.code, e.text)
                return None
            if item is None and report_empty:
                self._rearm()
                self._set_error_emit(se.TEMPORARY, T_NO_DATAGRAM)
                return None
        if not self._armed or not self._emitting:
            self._rearm()
        return item

    # -- datagram API ---------------------------------------------------------------------------
    def hasPendingDatagrams(self) -> bool:  # noqa: N802
        # Queued datagrams exist only while an engine does (_reset_socket_layer
        # clears both): the common answers need no further test.
        if self._dq:
            return True
        if self._kernel_empty or self._emitting:
            # Inside readyRead, once this wake-up's batch is read the answer is
            # False even if more arrived meanwhile: they come with the next
            # readyRead, on the next loop pass.  A `while hasPendingDatagrams()`
            # slot would otherwise never return under a flood, and every other
            # socket of this thread would starve.
            return False
        if self._engine is None:
            not_bound("hasPendingDatagrams")
            return False
        return self._kernel_pending() >= 0

    def pendingDatagramSize(self) -> int:  # noqa: N802
        q = self._dq
        if q:
            return len(q[0][0])
        if self._engine is None:
            not_bound("pendingDatagramSize")
            return -1
        if self._emitting:
            return -1  # as hasPendingDatagrams(): the batch is done
        return self._kernel_pending()

    def _kernel_pending(self) -> int:
        eng = self._engine
        if eng is None or self._kernel_empty or self._stash is not None:
            return -1
        try:
            size: int = eng.pending_size()
        except EngineError as e:
            self._stash = e  # reported by the next read, as a read would have
            return -1
        return size

    def bytesAvailable(self) -> int:  # noqa: N802
        """Buffered bytes plus the size of the next datagram (Qt's FIONREAD)."""
        buffered = len(self._rbuf) - self._roff
        if self._engine is None:
            return buffered
        q = self._dq
        return buffered + (len(q[0][0]) if q else max(self._kernel_pending(), 0))

    def readDatagram(self, maxSize: int) -> tuple[QByteArray, QHostAddress, int]:  # noqa: N802,N803
        """(data, sender address, sender port) of the next datagram (PySide6's form)."""
        q = self._dq
        if q:  # the common case, inside readyRead: the general path inlined
            item = q.popleft()
            if not self._armed or not self._emitting:
                self._rearm()
        else:
            if self._engine is None:
                not_bound("readDatagram")
                return QByteArray(), QHostAddress(), 0
            got = self._next_datagram(report_empty=True)
            if got is None:
                return QByteArray(), QHostAddress(), 0
            item = got
        data = item[0]
        if 0 <= maxSize < len(data):
            data = data[:maxSize]
        sa = item[-1]
        entry = _senders.get(sa)
        if entry is None:
            entry = _sender(sa)
        tmpl = entry[0]
        host: QHostAddress = _new_address(QHostAddress)
        host._proto = tmpl._proto
        host._a4 = tmpl._a4
        host._a6 = tmpl._a6
        host._scope = tmpl._scope
        ba: QByteArray = _new_bytes(QByteArray)
        _extend_bytes(ba, data)
        ba._null = False
        return ba, host, entry[1]

    def receiveDatagram(self, maxSize: int = -1) -> QNetworkDatagram:  # noqa: N802,N803
        """The next datagram with its metadata; invalid if there is none."""
        if not self._wants_metadata:
            self._want_metadata()
        q = self._dq
        if q:  # the common case, inside readyRead (as in readDatagram)
            item = q.popleft()
            if not self._armed or not self._emitting:
                self._rearm()
        else:
            if self._engine is None:
                not_bound("receiveDatagram")
                return QNetworkDatagram()
            got = self._next_datagram(report_empty=maxSize >= 0)
            if got is None:
                return QNetworkDatagram()
            item = got
        data = item[0]
        if 0 <= maxSize < len(data):
            data = data[:maxSize]
        sa = item[-1]
        sender = _senders.get(sa)
        if sender is None:
            sender = _sender(sa)
        if len(item) == 4:
            key = tuple(item[1])  # the raw messages repeat for a given peer and interface
            meta = _metadata.get(key)
            if meta is None:
                meta = _metadata_of(key)
        else:
            meta = _NO_METADATA  # read ahead before the program asked for metadata
        local = self._local
        port = local[1] if local is not None else self.localPort()
        # The cached templates are shared, not copied: QNetworkDatagram never
        # modifies its addresses and its getters return copies.
        dg: QNetworkDatagram = _new_datagram(QNetworkDatagram)
        dg._data = data
        dg._sender = sender[0]
        dg._sport = sender[1]
        dg._dest = meta[0]
        dg._dport = port
        dg._hop = meta[2]
        dg._ifindex = meta[1]
        return dg

    def _want_metadata(self) -> None:
        """The first receiveDatagram(): from now on every datagram is read with its metadata."""
        self._wants_metadata = True
        eng = self._engine
        if eng is not None:
            eng.metadata = True

    def writeDatagram(self, data: Any, host: Any = None, port: int | None = None) -> int:  # noqa: N802
        """``writeDatagram(data, host, port)`` or ``writeDatagram(QNetworkDatagram)``."""
        if type(host) is QHostAddress:
            # The common case (an engine, a QHostAddress, a destination used
            # before): one dict hit and the socket call, nothing else.
            cache = self._sa_cache
            if cache is not None:
                dest = cache.get((host._a6, host._proto, host._scope, port))
                eng = self._engine
                if dest and eng is not None:
                    if type(data) is not QByteArray and type(data) is not bytes:
                        data = payload(data)
                    try:
                        n: int = eng._sendto(data, dest[0])  # UdpEngine.send_to() inlined
                    except OSError as e:
                        try:
                            n = eng.sendto_failed(e)
                        except EngineError as err:
                            self._set_error_emit(err.code, err.text)
                            return -1
                    if "bytesWritten" in self.__dict__:
                        bw = self.bytesWritten
                        if bw._conns:
                            bw.emit(n)
                    return n
        if port is None:
            if host is not None:
                raise TypeError("writeDatagram(data, host, port): the port is missing")
            dg = data if isinstance(data, QNetworkDatagram) else QNetworkDatagram(data)
            return self._write_datagram(dg)
        eng = self._engine
        if eng is None:
            eng = self._implicit_engine()
            if eng is None:
                return -1
        addr = host if type(host) is QHostAddress else address_arg(host)
        cache = self._sa_cache
        key = (addr._a6, addr._proto, addr._scope, port)
        dest = cache.get(key) if cache is not None else None
        if dest is None:
            dest = self._destination(eng, addr, port)
        if not dest:
            self._set_error_emit(se.NETWORK, T_SEND)
            return -1
        if type(data) is not QByteArray and type(data) is not bytes:
            data = payload(data)
        return self._send_to(eng, data, dest[0])

    def _send_to(self, eng: UdpEngine, data: Any, sockaddr: Any) -> int:
        try:
            n = eng.send_to(data, sockaddr)
        except EngineError as e:
            self._set_error_emit(e.code, e.text)
            return -1
        bw = self.__dict__.get("bytesWritten")
        if bw is not None and bw._conns:
            bw.emit(n)
        return n

    def _destination(self, eng: UdpEngine, addr: QHostAddress, port: int) -> Destination:
        """:meth:`_sockaddr`, remembered per address and port (senders repeat themselves)."""
        cache = self._sa_cache
        if cache is None or len(cache) >= _CACHE_LIMIT:
            cache = self._sa_cache = {}
        dest = cache[(addr._a6, addr._proto, addr._scope, port)] = self._sockaddr(
            eng, addr, int(port)
        )
        return dest

    def _write_datagram(self, dg: QNetworkDatagram) -> int:
        eng = self._engine
        if eng is None:
            eng = self._implicit_engine()
            if eng is None:
                return -1
        addr = dg._dest
        if addr._proto is _UNKNOWN:
            # No destination: the connected peer, as Qt documents.
            peer = eng.peer_sockaddr()
            sockaddr, v4 = None, peer is None or len(peer) == 2 or peer[0].startswith("::ffff:")
            loopback = False  # (not worth a lookup: connected sockets rarely send datagrams)
        else:
            cache = self._sa_cache
            dest = (
                cache.get((addr._a6, addr._proto, addr._scope, dg._dport))
                if cache is not None
                else None
            )
            if dest is None:
                dest = self._destination(eng, addr, dg._dport)
            if not dest:
                self._set_error_emit(se.NETWORK, T_SEND)
                return -1
            sockaddr, v4, loopback = dest
        sender = dg._sender
        # An IPv4 source is left to the kernel (see UdpEngine.send_msg).
        source = sender._a6 if sender._proto is _IPV6 and not v4 else None
        ifindex = dg._ifindex
        if loopback and ifindex == _LOOPBACK_INDEX and (source is None or source == _LOOPBACK6):
            # A loopback destination is reached through the loopback interface
            # from the loopback address anyway: naming them (as a makeReply()
            # datagram does) changes nothing, so skip sendmsg's control messages
            # (~1 µs in Python).
            ifindex, source = 0, None
        try:
            if dg._hop == -1 and not ifindex and source is None:
                n = eng.send_to(dg._data, sockaddr) if sockaddr is not None else eng.send(dg._data)
            else:
                n = eng.send_msg(dg._data, sockaddr, v4, dg._hop, ifindex, source)
        except EngineError as e:
            self._set_error_emit(e.code, e.text)
            return -1
        bw = self.__dict__.get("bytesWritten")
        if bw is not None and bw._conns:
            bw.emit(n)
        return n

    _sockaddr = staticmethod(destination_sockaddr)  # udp_conversions.py

    def _implicit_engine(self) -> UdpEngine | None:
        """Qt binds an unbound socket to Any on its first writeDatagram."""
        if self._state == _UNCONNECTED:
            return self._engine if self._bind(_as_address(_ANY), 0, 0) else None
        # A host lookup is under way (connectToHost): send unbound; the connect reuses it.
        eng = self._new_engine(_AF_INET6)
        if eng is not None and eng.family == _AF_INET6:
            eng.set_v6only(False)
        return eng

    # -- options and multicast -----------------------------------------------------------------
    def setSocketOption(self, option: int, value: Any) -> None:  # noqa: N802
        if int(option) == _LOOPBACK_OPTION:
            value = 1 if int(value) else 0  # Linux rejects 2 for IPv6; Qt reads back 1
        super().setSocketOption(option, value)
