"""Connecting and binding for QAbstractSocket (Qt's connect state machine).

``connectToHost`` passes through HostLookupState even for an IP literal (which
skips DNS), then ConnectingState + ``hostFound``, then tries each resolved
address in order with a non-blocking connect (Qt: _q_connectToNextAddress);
the write notifier reports the outcome.  With an event loop each attempt gets
Qt's 30 s timer.  A name is resolved by QHostInfo.lookupHost without blocking;
``waitForConnected`` replaces a pending lookup by a blocking one, as Qt does.
A socket bound before connecting keeps its descriptor and port.
``setSocketDescriptor`` adopts a descriptor made elsewhere (any thread), and
``_adopt_accepted`` is QTcpServer's fast path for a descriptor fresh from
accept().  These are QAbstractSocket methods, bound in its class body.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from ..iocore import socket_errors as se
from ..iocore.notifier import hub_for
from ..iocore.socket_errors import EngineError
from ..iocore.tcp_engine import TcpEngine
from .hostaddress import QHostAddress, _as_address
from .iodevice import QIODevice
from .socketerrors import (
    STATE,
    BindFlag,
    NetworkLayerProtocol,
    SocketState,
    check_port,
    socket_error,
)

if TYPE_CHECKING:
    from .abstractsocket import QAbstractSocket

_UNCONNECTED, _HOSTLOOKUP, _CONNECTING, _CONNECTED, _BOUND, _LISTENING, _CLOSING = range(
    7
)  # SocketState
_CONNECT_TIMEOUT = 30.0  # Qt's DefaultConnectTimeout, per address, with an event loop
_AF_INET, _AF_INET6 = 2, 10


def _warn(text: str) -> None:
    warnings.warn(text, RuntimeWarning, stacklevel=3)


# -- bind -----------------------------------------------------------------------------------
def bind(
    sock: QAbstractSocket,
    address: Any = QHostAddress.SpecialAddress.Any,
    port: int = 0,
    mode: int = BindFlag.DefaultForPlatform,
) -> bool:
    """``bind(address, port=0, mode)`` or ``bind(port=0, mode)`` (PySide6 forms)."""
    if isinstance(address, int) and not isinstance(address, QHostAddress.SpecialAddress):
        address, port, mode = QHostAddress.SpecialAddress.Any, address, port
    addr = _as_address(address) if not isinstance(address, str) else QHostAddress(address)
    if sock._state != _UNCONNECTED:
        _warn("QNativeSocketEngine::bind() was not called in QAbstractSocket::UnconnectedState")
        return False
    try:
        family, sockaddr, v6only = addr._to_sockaddr(check_port(port))
    except ValueError:
        sock._set_error_emit(se.ADDRESS_NOT_AVAILABLE, se.T_ADDRESS_NOT_AVAILABLE)
        return False
    eng = sock._engine
    if eng is None or eng.family != family:
        if eng is not None:
            eng.close()
            sock._engine = None
        try:
            eng = TcpEngine.create(family)
        except EngineError as e:
            sock._set_error_emit(e.code, e.text)
            return False
        sock._attach(eng)
    if int(mode) != BindFlag.DefaultForPlatform:
        eng.set_reuse_address(bool(int(mode) & (BindFlag.ShareAddress | BindFlag.ReuseAddressHint)))
    if v6only is not None:
        eng.set_v6only(v6only)
    try:
        eng.bind(sockaddr)
    except EngineError as e:
        sock._set_error_emit(e.code, e.text)
        return False
    sock._state = _BOUND
    sock._local = None
    sock._local_pair()
    sock._set_state(_BOUND)
    return True


# -- connecting -------------------------------------------------------------------------
def connectToHost(
    sock: QAbstractSocket,
    hostName: Any,
    port: int,  # noqa: N802,N803
    openMode: int = QIODevice.OpenModeFlag.ReadWrite,  # noqa: N803
    protocol: int = NetworkLayerProtocol.AnyIPProtocol,
) -> None:
    if isinstance(hostName, (QHostAddress, QHostAddress.SpecialAddress)):
        hostName = _as_address(hostName).toString()  # noqa: N806
    port = check_port(port)
    st = sock._state
    if st in (_CONNECTED, _CONNECTING, _CLOSING, _HOSTLOOKUP):
        _warn(
            "QAbstractSocket::connectToHost() called when already looking up or "
            f'connecting/connected to "{hostName}"'
        )
        sock._set_error_emit(se.OPERATION, se.T_CONNECT_IN_PROGRESS)
        return
    sock._preferred = NetworkLayerProtocol(int(protocol))
    sock._host_name = hostName
    sock._port = int(port)
    sock._abort_called = sock._pending_close = False
    if st != _BOUND:
        sock._state = _UNCONNECTED
        sock._local = None
    sock._peer = None
    sock._peer_name = hostName
    sock._abort_lookup()
    if sock._proxy_unsupported():
        sock._set_error_emit(se.UNSUPPORTED_OPERATION, se.T_OPERATION_NOT_SUPPORTED)
        return
    sock._error = -1
    sock._wbuf = None
    QIODevice.open(sock, int(openMode))
    sock._rcount = sock._wcount = 0  # channels exist once connected (Qt)
    sock._set_state(_HOSTLOOKUP)
    literal = QHostAddress(hostName)
    if not literal.isNull():
        sock._start_connecting([literal])
        return
    from .hostinfo import QHostInfo

    sock._lookup_id = QHostInfo.lookupHost(hostName, sock, sock._lookup_done)


def _abort_lookup(sock: QAbstractSocket) -> None:
    if sock._lookup_id != -1:
        from .hostinfo import QHostInfo

        QHostInfo.abortHostLookup(sock._lookup_id)
        sock._lookup_id = -1


def _lookup_done(sock: QAbstractSocket, info: Any) -> None:
    if sock._lookup_id != info.lookupId() or sock._deleted:
        return
    sock._lookup_id = -1
    sock._start_connecting(list(info.addresses()))


def _start_connecting(sock: QAbstractSocket, addresses: list[QHostAddress]) -> None:
    """Qt's _q_startConnecting: filter by protocol, then try each address."""
    if sock._state != _HOSTLOOKUP:
        return
    pref = sock._preferred
    if pref in (NetworkLayerProtocol.IPv4Protocol, NetworkLayerProtocol.IPv6Protocol):
        addresses = [a for a in addresses if a.protocol() == pref]
    if not addresses:
        sock._set_state(_UNCONNECTED)
        sock._set_error_emit(se.HOST_NOT_FOUND, se.T_HOST_NOT_FOUND)
        return
    sock._addresses = addresses
    sock._last_connect_error = None
    sock._set_state(_CONNECTING)
    sock._signal("hostFound")
    # A hostFound slot may have connected already (waitForConnected) or stopped.
    if sock._state == _CONNECTING and not sock._attempting:
        sock._connect_next()


def _connect_next(sock: QAbstractSocket) -> None:
    """Qt's _q_connectToNextAddress."""
    sock._attempting = False
    while True:
        if sock._state != _CONNECTING:
            return
        if not sock._addresses:
            err = sock._last_connect_error
            sock._reset_socket_layer()
            sock._bury()
            sock._state = _UNCONNECTED
            if err is None:
                sock._set_error(se.CONNECTION_REFUSED, se.T_CONNECTION_REFUSED)
            else:
                sock._set_error(err.code, err.text)
            sock._signal("stateChanged", STATE[_UNCONNECTED])
            sock._signal("errorOccurred", socket_error(sock._error))
            if sock.__dict__.get("_waiters") is not None:
                sock._wake_waiters()
            return
        host = sock._addresses.pop(0)
        try:
            family, sockaddr, v6only = host._to_sockaddr(sock._port)
        except ValueError:
            continue
        eng = sock._engine
        if (
            eng is not None
            and eng.family == _AF_INET6
            and family == _AF_INET
            and eng.is_dual_stack()
        ):
            # A socket bound to Any (dual stack) reaches IPv4 peers v4-mapped.
            family, sockaddr = _AF_INET6, ("::ffff:" + sockaddr[0], sockaddr[1], 0, 0)
        if eng is None or eng.family != family:
            if eng is not None:
                sock._engine = None
                eng.close()
            try:
                eng = TcpEngine.create(family)
            except EngineError as e:
                sock._last_connect_error = e
                continue
            if v6only is False:
                eng.set_v6only(False)
            sock._attach(eng)
        try:
            done = eng.connect(sockaddr)
        except EngineError as e:
            sock._last_connect_error = e
            sock._engine = None
            eng.close()
            continue
        if done:
            sock._connection_established()
            return
        sock._attempting = True
        loop = eng.loop
        if loop is not None:
            sock._cancel_connect_timer()
            sock._connect_timer = loop.call_later(_CONNECT_TIMEOUT, sock._connect_timed_out)
        eng.enable_write()
        return


def _connect_timed_out(sock: QAbstractSocket) -> None:
    """Qt's _q_abortConnectionAttempt (30 s per address with an event loop)."""
    sock._connect_timer = None
    if sock._state != _CONNECTING:
        return
    sock._attempting = False
    eng = sock._engine
    if eng is not None:
        eng.disable_write()
    if sock._addresses:
        sock._engine = None
        if eng is not None:
            eng.close()
        sock._connect_next()
        return
    sock._reset_socket_layer()
    sock._bury()
    sock._set_state(_UNCONNECTED)
    sock._set_error_emit(se.SOCKET_TIMEOUT, se.T_CONNECTION_TIMEOUT)


def _test_connection(sock: QAbstractSocket) -> None:
    """Qt's _q_testConnection: the write notifier fired while connecting."""
    eng = sock._engine
    if eng is None:
        return
    try:
        done = eng.finish_connect()
    except EngineError as e:
        sock._cancel_connect_timer()
        sock._last_connect_error = e
        eng.disable_write()
        sock._engine = None
        eng.close()
        sock._connect_next()
        return
    if done:
        sock._cancel_connect_timer()
        sock._connection_established()


def _connection_established(sock: QAbstractSocket) -> None:
    """Qt's fetchConnectionParameters."""
    eng = sock._engine
    assert eng is not None
    sock._attempting = False
    sock._addresses = None
    sock._local = sock._peer = None
    sock._peer_name = sock._host_name
    sock._rcount = 1 if sock._om & 1 else 0
    sock._wcount = 1 if sock._om & 2 else 0
    if not sock._read_paused:
        eng.enable_read()
    if sock._wbuf:
        eng.enable_write()
    else:
        eng.disable_write()
    sock._set_state(_CONNECTED)
    sock._signal("connected")
    if sock._pending_close:
        sock._pending_close = False
        sock.disconnectFromHost()


# -- adopting a descriptor (QTcpServer's accept fast path too) -------------------------
def setSocketDescriptor(
    sock: QAbstractSocket,
    socketDescriptor: int,  # noqa: N802,N803
    state: int = SocketState.ConnectedState,
    openMode: int = QIODevice.OpenModeFlag.ReadWrite,
) -> bool:  # noqa: N803
    sock._reset_socket_layer()
    sock._bury()
    sock._reset_read_state()
    sock._wbuf = None
    try:
        eng = TcpEngine.adopt(int(socketDescriptor))
    except EngineError as e:
        sock._set_error(e.code, e.text)
        return False
    sock._adopt(eng, int(state), int(openMode))
    return True


def _adopt(sock: QAbstractSocket, eng: TcpEngine, state: int, open_mode: int) -> None:
    sock._error = -1
    sock._attach(eng)
    QIODevice.open(sock, open_mode)
    sock._local = sock._peer = None
    sock._pending_close = sock._abort_called = False
    if sock._state != state:
        sock._set_state(state)
    if state == _CONNECTED or state == _BOUND:
        eng.enable_read()


def _adopt_accepted(sock: QAbstractSocket, fd: int, family: int, hub: Any) -> None:
    """The fast path of QTcpServer's default incomingConnection (fd fresh from
    accept, socket in the server's thread, so the server's hub)."""
    eng = TcpEngine.adopt(fd, family)
    sock._engine = eng
    eng.attach(hub, sock._read_ready, sock._write_ready)
    sock._om = 3
    sock._seq = True
    sock._rcount = sock._wcount = 1
    sock._state = _CONNECTED
    eng.enable_read()


# -- moveToThread ----------------------------------------------------------------------
def _moved_thread(sock: QAbstractSocket, old: Any, new: Any) -> None:
    QIODevice._moved_thread(sock, old, new)
    eng = sock._engine
    if eng is None:
        return
    reading, writing = eng.detach()  # we are still in the old thread
    sock._flush_scheduled = False
    if new.qthread is None and new.ident is None:
        return  # moveToThread(None): no thread, no notifications; waitFor*() still work

    def reattach() -> None:  # runs in the new thread
        if sock._engine is not eng:
            return
        eng.attach(hub_for(new), sock._read_ready, sock._write_ready)
        if reading:
            eng.enable_read()
        if writing or sock._wbuf:
            eng.enable_write()

    new.post(reattach)
