"""QAbstractSocket's enums as class attributes: ``QAbstractSocket.ConnectedState``.

A base class of QAbstractSocket that holds only the enum types and members, so
the declarations type checkers need (one line per member, printed by
tools/enum_declarations.py and checked by tests/test_enum_declarations.py)
live here rather than in abstractsocket.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, TypeAlias

from .enums import export_enums
from .socketerrors import (
    BindFlag,
    NetworkLayerProtocol,
    PauseMode,
    SocketError,
    SocketOption,
    SocketState,
    SocketType,
)

__all__ = ["AbstractSocketEnums"]

# Inside the class body the attributes below shadow these names, so the
# declarations spell the types through these aliases.
_BindFlag = BindFlag
_NetworkLayerProtocol = NetworkLayerProtocol
_PauseMode = PauseMode
_SocketError = SocketError
_SocketOption = SocketOption
_SocketState = SocketState
_SocketType = SocketType


class AbstractSocketEnums:
    """The enum types (PySide6's names and aliases) and every member."""

    __slots__ = ()

    # TypeAlias: ``QAbstractSocket.SocketError`` is also usable as a type.
    SocketError: TypeAlias = _SocketError
    SocketState: TypeAlias = _SocketState
    SocketType: TypeAlias = _SocketType
    NetworkLayerProtocol: TypeAlias = _NetworkLayerProtocol
    BindFlag: TypeAlias = _BindFlag
    BindMode: TypeAlias = _BindFlag
    PauseMode: TypeAlias = _PauseMode
    PauseModes: TypeAlias = _PauseMode
    SocketOption: TypeAlias = _SocketOption

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        UnknownSocketError: ClassVar[_SocketError]
        ConnectionRefusedError: ClassVar[_SocketError]
        RemoteHostClosedError: ClassVar[_SocketError]
        HostNotFoundError: ClassVar[_SocketError]
        SocketAccessError: ClassVar[_SocketError]
        SocketResourceError: ClassVar[_SocketError]
        SocketTimeoutError: ClassVar[_SocketError]
        DatagramTooLargeError: ClassVar[_SocketError]
        NetworkError: ClassVar[_SocketError]
        AddressInUseError: ClassVar[_SocketError]
        SocketAddressNotAvailableError: ClassVar[_SocketError]
        UnsupportedSocketOperationError: ClassVar[_SocketError]
        UnfinishedSocketOperationError: ClassVar[_SocketError]
        ProxyAuthenticationRequiredError: ClassVar[_SocketError]
        SslHandshakeFailedError: ClassVar[_SocketError]
        ProxyConnectionRefusedError: ClassVar[_SocketError]
        ProxyConnectionClosedError: ClassVar[_SocketError]
        ProxyConnectionTimeoutError: ClassVar[_SocketError]
        ProxyNotFoundError: ClassVar[_SocketError]
        ProxyProtocolError: ClassVar[_SocketError]
        OperationError: ClassVar[_SocketError]
        SslInternalError: ClassVar[_SocketError]
        SslInvalidUserDataError: ClassVar[_SocketError]
        TemporaryError: ClassVar[_SocketError]
        UnconnectedState: ClassVar[_SocketState]
        HostLookupState: ClassVar[_SocketState]
        ConnectingState: ClassVar[_SocketState]
        ConnectedState: ClassVar[_SocketState]
        BoundState: ClassVar[_SocketState]
        ListeningState: ClassVar[_SocketState]
        ClosingState: ClassVar[_SocketState]
        TcpSocket: ClassVar[_SocketType]
        UdpSocket: ClassVar[_SocketType]
        SctpSocket: ClassVar[_SocketType]
        UnknownSocketType: ClassVar[_SocketType]
        DefaultForPlatform: ClassVar[_BindFlag]
        ShareAddress: ClassVar[_BindFlag]
        DontShareAddress: ClassVar[_BindFlag]
        ReuseAddressHint: ClassVar[_BindFlag]
        PauseNever: ClassVar[_PauseMode]
        PauseOnSslErrors: ClassVar[_PauseMode]
        LowDelayOption: ClassVar[_SocketOption]
        KeepAliveOption: ClassVar[_SocketOption]
        MulticastTtlOption: ClassVar[_SocketOption]
        MulticastLoopbackOption: ClassVar[_SocketOption]
        TypeOfServiceOption: ClassVar[_SocketOption]
        SendBufferSizeSocketOption: ClassVar[_SocketOption]
        ReceiveBufferSizeSocketOption: ClassVar[_SocketOption]
        PathMtuSocketOption: ClassVar[_SocketOption]
        KeepAliveIdleOption: ClassVar[_SocketOption]
        KeepAliveIntervalOption: ClassVar[_SocketOption]
        KeepAliveCountOption: ClassVar[_SocketOption]
        IPv4Protocol: ClassVar[_NetworkLayerProtocol]
        IPv6Protocol: ClassVar[_NetworkLayerProtocol]
        AnyIPProtocol: ClassVar[_NetworkLayerProtocol]
        UnknownNetworkLayerProtocol: ClassVar[_NetworkLayerProtocol]


export_enums(
    AbstractSocketEnums,
    SocketError,
    SocketState,
    SocketType,
    BindFlag,
    PauseMode,
    SocketOption,
    NetworkLayerProtocol,
)
