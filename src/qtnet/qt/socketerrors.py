"""QAbstractSocket's enums, with Qt 6's values and PySide6's names.

They live apart from ``abstractsocket.py`` so QTcpServer, QUdpSocket and the
WebSocket classes can use them without importing the socket class.  The error
texts programs compare against are in ``iocore/socket_errors.py`` (the engine
produces them).
"""

from __future__ import annotations

import enum
from typing import Any

from .netenums import NetworkLayerProtocol

__all__ = [
    "BindFlag",
    "NetworkLayerProtocol",
    "PauseMode",
    "SocketError",
    "SocketOption",
    "SocketState",
    "SocketType",
]


class SocketError(enum.IntEnum):
    UnknownSocketError = -1
    ConnectionRefusedError = 0
    RemoteHostClosedError = 1
    HostNotFoundError = 2
    SocketAccessError = 3
    SocketResourceError = 4
    SocketTimeoutError = 5
    DatagramTooLargeError = 6
    NetworkError = 7
    AddressInUseError = 8
    SocketAddressNotAvailableError = 9
    UnsupportedSocketOperationError = 10
    UnfinishedSocketOperationError = 11
    ProxyAuthenticationRequiredError = 12
    SslHandshakeFailedError = 13
    ProxyConnectionRefusedError = 14
    ProxyConnectionClosedError = 15
    ProxyConnectionTimeoutError = 16
    ProxyNotFoundError = 17
    ProxyProtocolError = 18
    OperationError = 19
    SslInternalError = 20
    SslInvalidUserDataError = 21
    TemporaryError = 22


class SocketState(enum.IntEnum):
    UnconnectedState = 0
    HostLookupState = 1
    ConnectingState = 2
    ConnectedState = 3
    BoundState = 4
    ListeningState = 5
    ClosingState = 6


class SocketType(enum.IntEnum):
    TcpSocket = 0
    UdpSocket = 1
    SctpSocket = 2
    UnknownSocketType = -1


class BindFlag(enum.IntFlag):
    """QAbstractSocket::BindFlag; ``BindMode`` is the flags type (an alias here)."""

    DefaultForPlatform = 0x0
    ShareAddress = 0x1
    DontShareAddress = 0x2
    ReuseAddressHint = 0x4


class PauseMode(enum.IntFlag):
    """QAbstractSocket::PauseMode; ``PauseModes`` is the flags type (an alias)."""

    PauseNever = 0x0
    PauseOnSslErrors = 0x1


class SocketOption(enum.IntEnum):
    LowDelayOption = 0
    KeepAliveOption = 1
    MulticastTtlOption = 2
    MulticastLoopbackOption = 3
    TypeOfServiceOption = 4
    SendBufferSizeSocketOption = 5
    ReceiveBufferSizeSocketOption = 6
    PathMtuSocketOption = 7
    KeepAliveIdleOption = 8
    KeepAliveIntervalOption = 9
    KeepAliveCountOption = 10


# Plain-int → enum lookups used on paths where enum construction would cost
# (state changes and errors are emitted with the enum member, as PySide6 does).
STATE = tuple(SocketState(i) for i in range(7))
_ERRORS = {int(e): e for e in SocketError}


def socket_error(code: int) -> SocketError:
    return _ERRORS.get(code, SocketError.UnknownSocketError)


_NO_PROXY, _DEFAULT_PROXY = 2, 0  # QNetworkProxy.ProxyType values


def proxy_unsupported(proxy: Any) -> bool:
    """True when ``proxy`` (None: DefaultProxy) means going through a real proxy.

    qtnet connects directly only: NoProxy, and DefaultProxy while the
    application proxy is NoProxy; anything else gives Qt's
    UnsupportedSocketOperationError.
    """
    kind = _DEFAULT_PROXY if proxy is None else int(proxy.type())
    if kind == _NO_PROXY:
        return False
    if kind != _DEFAULT_PROXY:
        return True
    from .networkproxy import QNetworkProxy

    return int(QNetworkProxy.applicationProxy().type()) not in (_NO_PROXY, _DEFAULT_PROXY)


def check_port(port: Any) -> int:
    """A quint16 port; out of range raises OverflowError, as PySide6's conversion does."""
    value = int(port)
    if not 0 <= value <= 0xFFFF:
        raise OverflowError(f"port {value} is not a quint16 (0-65535)")
    return value
