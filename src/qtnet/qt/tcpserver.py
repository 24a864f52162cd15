"""QTcpServer: Qt's TCP server over the iocore TCP engine.

Behaviour follows Qt 6, checked against PySide6 6.12 (tests/test_tcpserver.py):

* ``listen(Any)`` is one dual-stack IPv6 socket (IPV6_V6ONLY off; plain IPv4
  when the host has no IPv6, reported as AnyIPv4), ``AnyIPv6`` is IPv6-only,
  SO_REUSEADDR is set (Unix), the backlog is ``listenBacklogSize()`` (50).
* **Accepting**: on a read notification the server accepts until the kernel
  queue is empty (at most 256 per wake-up, to stay fair to other sockets) or
  until ``maxPendingConnections()`` (30) sockets wait; then it stops reading
  the listening descriptor (the kernel keeps completing handshakes, as with
  Qt) until ``nextPendingConnection()`` takes one.  Each descriptor goes to the
  virtual ``incomingConnection(handle)``; the default one wraps it in a
  QTcpSocket child of the server and calls ``addPendingConnection`` (which
  emits ``pendingConnectionAvailable``); ``newConnection`` follows.
* **Accept errors**: EAGAIN, ECONNABORTED (a client that gave up in the
  queue), EINTR and EPROTO are transient and skipped (Qt pauses on
  ECONNABORTED; one impatient client should not stop a server).  Any other
  error — typically EMFILE/ENFILE, out of descriptors — does what Qt does:
  ``pauseAccepting()``, store the error, emit ``acceptError(error)``.  The
  server stays listening; the application resumes with ``resumeAccepting()``
  once it has descriptors again (e.g. from the acceptError slot with a
  QTimer), because resuming at once would spin on the same error.
* ``pauseAccepting()`` is kept until ``resumeAccepting()``;
  ``nextPendingConnection()`` re-enables accepting after the pending limit but
  not after an explicit pause (Qt re-enables both; qtnet keeps the pause the
  program asked for).
* ``waitForNewConnection(msec)`` polls the listening descriptor like Qt and
  returns PySide6's ``(bool, timedOut)``; it needs no event loop.
"""

from __future__ import annotations

import warnings
from collections import deque
from typing import Any

from ..iocore import socket_errors as se
from ..iocore.notifier import hub_for
from ..iocore.socket_errors import EngineError
from ..iocore.tcp_engine import TcpEngine
from . import socket_async
from .hostaddress import QHostAddress, _as_address
from .qobject import QObject
from .signals import Signal
from .socketerrors import (
    NetworkLayerProtocol,
    SocketError,
    check_port,
    proxy_unsupported,
    socket_error,
)
from .tcpsocket import QTcpSocket, _accepted_socket, register_deferred

__all__ = ["QTcpServer"]

_UNCONNECTED, _LISTENING = 0, 5
_ACCEPTS_PER_WAKEUP = 256
_AF_INET, _AF_INET6 = 2, 10


class QTcpServer(QObject):
    """A TCP server (see the module docstring)."""

    newConnection = Signal()
    pendingConnectionAvailable = Signal()
    acceptError = Signal(SocketError)

    accepted = socket_async.accepted  # ``await server.accepted()``: see socket_async.py

    _engine: TcpEngine | None = None
    _state = _UNCONNECTED
    _error = -1
    _error_string = ""
    _max_pending = 30
    _backlog = 50
    _address: QHostAddress | None = None
    _port = 0
    _pending: deque[QTcpSocket] | None = None
    _paused = False
    _full = False  # reading paused because maxPendingConnections is reached
    _proxy: Any = None
    _accepted: tuple[int, int] = (-1, 0)  # (fd, family) of the descriptor being handed out
    _deferred: list[Any] | None = None  # engines to register after newConnection (accept loop)

    def __init__(self, parent: QObject | None = None, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)

    def _wake_waiters(self) -> None:
        socket_async.wake(self)

    # -- listening -------------------------------------------------------------------------
    def listen(self, address: Any = QHostAddress.SpecialAddress.Any, port: int = 0) -> bool:
        if self._state == _LISTENING:
            warnings.warn(
                "QTcpServer::listen() called when already listening", RuntimeWarning, stacklevel=2
            )
            return False
        addr = QHostAddress(address) if isinstance(address, str) else _as_address(address)
        port = check_port(port)
        if self._proxy_unsupported():
            self._set_error(se.UNSUPPORTED_OPERATION, se.T_OPERATION_NOT_SUPPORTED)
            return False
        try:
            family, sockaddr, v6only = addr._to_sockaddr(int(port))
        except ValueError:
            self._set_error(se.ADDRESS_NOT_AVAILABLE, se.T_ADDRESS_NOT_AVAILABLE)
            return False
        try:
            eng = TcpEngine.create(family)
        except EngineError as e:
            if family != _AF_INET6 or v6only is not False:
                self._set_error(e.code, e.text)
                return False
            # No IPv6 on this host: Any falls back to IPv4 (Qt reports AnyIPv4).
            addr = QHostAddress(QHostAddress.SpecialAddress.AnyIPv4)
            family, sockaddr, v6only = addr._to_sockaddr(int(port))
            try:
                eng = TcpEngine.create(family)
            except EngineError as e2:
                self._set_error(e2.code, e2.text)
                return False
        eng.set_reuse_address(True)
        if v6only is not None:
            eng.set_v6only(v6only)
        try:
            eng.bind(sockaddr)
            eng.listen(self._backlog)
        except EngineError as e:
            eng.close()
            self._set_error(e.code, e.text)
            return False
        self._start(eng, addr if addr.protocol() == NetworkLayerProtocol.AnyIPProtocol else None)
        return True

    def _start(self, eng: TcpEngine, reported: QHostAddress | None) -> None:
        self._engine = eng
        eng.attach(hub_for(self._td), self._read_ready, _ignore)
        sa = eng.local_sockaddr()
        if reported is None and sa is not None:
            reported = QHostAddress._from_sockaddr(eng.family, sa)
            if sa[0] == "::" and eng.is_dual_stack():
                reported = QHostAddress(QHostAddress.SpecialAddress.Any)
        self._address = reported
        self._port = sa[1] if sa else 0
        self._state = _LISTENING
        self._paused = self._full = False
        eng.enable_read()

    def _proxy_unsupported(self) -> bool:
        return proxy_unsupported(self._proxy)

    def _set_error(self, code: int, text: str) -> None:
        self._error = code
        self._error_string = text

    def close(self) -> None:
        """Stop listening; pending (never taken) connections are deleted."""
        pending = self._pending
        if pending:
            self._pending = None
            for sock in pending:
                sock._destroy()
        eng = self._engine
        if eng is not None:
            self._engine = None
            eng.close()
        self._state = _UNCONNECTED
        self._paused = self._full = False
        if self.__dict__.get("_waiters") is not None:
            self._wake_waiters()

    def isListening(self) -> bool:  # noqa: N802
        return self._state == _LISTENING

    def serverAddress(self) -> QHostAddress:  # noqa: N802
        if self._state != _LISTENING or self._address is None:
            return QHostAddress()
        return QHostAddress(self._address)

    def serverPort(self) -> int:  # noqa: N802
        return self._port if self._state == _LISTENING else 0

    def serverError(self) -> SocketError:  # noqa: N802
        return socket_error(self._error)

    def errorString(self) -> str:  # noqa: N802
        return self._error_string

    def socketDescriptor(self) -> int:  # noqa: N802
        eng = self._engine
        return eng.fd if eng is not None else -1

    def setSocketDescriptor(self, socketDescriptor: int) -> bool:  # noqa: N802,N803
        """Adopt a descriptor that is already bound and listening (e.g. from systemd)."""
        if self._state == _LISTENING:
            warnings.warn(
                "QTcpServer::setSocketDescriptor() called when already listening",
                RuntimeWarning,
                stacklevel=2,
            )
            return False
        fd = int(socketDescriptor)
        if fd < 0:
            self._set_error(se.UNKNOWN, se.T_UNKNOWN)
            return False
        try:
            eng = TcpEngine.adopt(fd)
        except EngineError as e:
            self._set_error(e.code, e.text)
            return False
        if self._engine is not None:
            self._engine.close()
        self._start(eng, None)
        return True

    # -- limits -----------------------------------------------------------------------------
    def maxPendingConnections(self) -> int:  # noqa: N802
        return self._max_pending

    def setMaxPendingConnections(self, numConnections: int) -> None:  # noqa: N802,N803
        self._max_pending = int(numConnections)

    def listenBacklogSize(self) -> int:  # noqa: N802
        return self._backlog

    def setListenBacklogSize(self, size: int) -> None:  # noqa: N802
        """Takes effect at the next listen() (as in Qt)."""
        self._backlog = int(size)

    def proxy(self) -> Any:
        if self._proxy is None:
            from .networkproxy import QNetworkProxy

            return QNetworkProxy()
        return self._proxy

    def setProxy(self, networkProxy: Any) -> None:  # noqa: N802,N803
        self._proxy = networkProxy

    # -- pending connections ----------------------------------------------------------------
    def hasPendingConnections(self) -> bool:  # noqa: N802
        return bool(self._pending)

    def nextPendingConnection(self) -> QTcpSocket | None:  # noqa: N802
        pending = self._pending
        if not pending:
            return None
        if self._engine is None:
            warnings.warn(
                "QTcpServer::nextPendingConnection() called while not listening",
                RuntimeWarning,
                stacklevel=2,
            )
        sock = pending.popleft()
        if self._full:
            self._full = False
            eng = self._engine
            if eng is not None and not self._paused:
                eng.enable_read()
        return sock

    def addPendingConnection(self, socket: QTcpSocket) -> None:  # noqa: N802
        pending = self._pending
        if pending is None:
            self._pending = pending = deque()
        pending.append(socket)
        d = self.__dict__
        si = d.get("pendingConnectionAvailable")  # no instance yet: nobody connected
        if si is not None:
            si.emit()
        if d.get("_waiters") is not None:
            self._wake_waiters()

    def incomingConnection(self, handle: int) -> None:  # noqa: N802
        """Virtual: wrap the accepted descriptor in a QTcpSocket and queue it."""
        fd, family = self._accepted
        eng = self._engine
        if fd == handle and eng is not None:
            # Fresh from our own accept(): the fast path (same result as below).
            try:
                sock = _accepted_socket(self, handle, family, eng.hub, self._deferred)
                self.addPendingConnection(sock)
                return
            except EngineError:
                pass
        sock = QTcpSocket(self)
        if not sock.setSocketDescriptor(handle):
            sock._destroy()
            return
        self.addPendingConnection(sock)

    def pauseAccepting(self) -> None:  # noqa: N802
        self._paused = True
        if self._engine is not None:
            self._engine.disable_read()

    def resumeAccepting(self) -> None:  # noqa: N802
        self._paused = False
        if self._engine is not None and not self._full:
            self._engine.enable_read()

    # -- accepting ---------------------------------------------------------------------------
    def _read_ready(self) -> None:
        """The listening descriptor is readable (Qt: QTcpServerPrivate::readNotification)."""
        eng = self._engine
        if eng is None:
            return
        family = eng.family
        hub = eng.hub
        deferred: list[Any] = []
        self._deferred = deferred
        try:
            self._accept_batch(eng, family, hub, deferred)
        finally:
            self._deferred = None
            if deferred:
                register_deferred(deferred, hub)

    def _accept_batch(self, eng: TcpEngine, family: int, hub: Any, deferred: list[Any]) -> None:
        for _ in range(_ACCEPTS_PER_WAKEUP):
            pending = self._pending
            if (
                pending is not None and len(pending) >= self._max_pending
            ) or self._max_pending <= 0:
                self._full = True
                eng.disable_read()
                return
            try:
                got = eng.accept()
            except EngineError as e:
                if e.code == se.TEMPORARY:
                    continue
                self.pauseAccepting()
                self._set_error(e.code, e.text)
                self.acceptError.emit(socket_error(e.code))
                return
            if got is None:
                return
            fd = got[0]
            self._accepted = (fd, family)
            self.incomingConnection(fd)
            self._accepted = (-1, 0)
            if self._deleted:
                return
            self.newConnection.emit()
            if deferred:
                register_deferred(deferred, hub)
            if self._engine is not eng or self._deleted:
                return  # closed (or deleted) from a slot

    def waitForNewConnection(self, msec: int = 0) -> tuple[bool, bool]:  # noqa: N802
        """Block up to ``msec`` ms (-1: forever) for a connection: (accepted, timedOut)."""
        eng = self._engine
        if self._state != _LISTENING or eng is None:
            return False, False
        readable, _ = eng.wait(True, False, -1 if msec < 0 else msec)
        if not readable:
            self._set_error(se.SOCKET_TIMEOUT, se.T_TIMEOUT)
            return False, True
        self._read_ready()
        return True, False

    # -- life cycle ----------------------------------------------------------------------------
    def _on_delete(self) -> None:
        self.close()
        super()._on_delete()

    def _moved_thread(self, old: Any, new: Any) -> None:
        super()._moved_thread(old, new)
        eng = self._engine
        if eng is None:
            return
        reading, _ = eng.detach()

        if new.qthread is None and new.ident is None:
            return  # moveToThread(None): waitForNewConnection() still works

        def reattach() -> None:
            if self._engine is eng:
                eng.attach(hub_for(new), self._read_ready, _ignore)
                if reading:
                    eng.enable_read()

        new.post(reattach)


def _ignore() -> None:
    pass
