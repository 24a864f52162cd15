"""QNetworkProxy: proxy settings (minimal; qtnet itself only connects directly).

qtnet's sockets honour ``NoProxy`` and ``DefaultProxy`` while no application
proxy is set, i.e. they connect directly; for any other proxy type they report
UnsupportedSocketOperationError.  This class keeps the settings with Qt's
semantics: per-type default capabilities (until ``setCapabilities`` is called),
``==`` over type, host, port, user, password and capabilities, and an
application-wide proxy that defaults to ``NoProxy``.

Deviation: ``QNetworkProxy()`` equals ``QNetworkProxy(QNetworkProxy.DefaultProxy)``
(in Qt 6 a default-constructed proxy compares unequal to an explicit DefaultProxy).
Header accessors (QNetworkRequest headers) are not provided.
"""

from __future__ import annotations

import enum
import threading
from typing import TYPE_CHECKING, Any, ClassVar

from .enums import export_enums

__all__ = ["QNetworkProxy"]


class QNetworkProxy:
    """A proxy: its type, host, port, credentials and capabilities."""

    class ProxyType(enum.IntEnum):
        DefaultProxy = 0
        Socks5Proxy = 1
        NoProxy = 2
        HttpProxy = 3
        HttpCachingProxy = 4
        FtpCachingProxy = 5

    class Capability(enum.IntFlag):
        TunnelingCapability = 0x1
        ListeningCapability = 0x2
        UdpTunnelingCapability = 0x4
        CachingCapability = 0x8
        HostNameLookupCapability = 0x10
        SctpTunnelingCapability = 0x20
        SctpListeningCapability = 0x40

    Capabilities = Capability

    __slots__ = ("_type", "_host", "_port", "_user", "_password", "_caps", "_caps_set")

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        DefaultProxy: ClassVar[QNetworkProxy.ProxyType]
        Socks5Proxy: ClassVar[QNetworkProxy.ProxyType]
        NoProxy: ClassVar[QNetworkProxy.ProxyType]
        HttpProxy: ClassVar[QNetworkProxy.ProxyType]
        HttpCachingProxy: ClassVar[QNetworkProxy.ProxyType]
        FtpCachingProxy: ClassVar[QNetworkProxy.ProxyType]
        TunnelingCapability: ClassVar[QNetworkProxy.Capability]
        ListeningCapability: ClassVar[QNetworkProxy.Capability]
        UdpTunnelingCapability: ClassVar[QNetworkProxy.Capability]
        CachingCapability: ClassVar[QNetworkProxy.Capability]
        HostNameLookupCapability: ClassVar[QNetworkProxy.Capability]
        SctpTunnelingCapability: ClassVar[QNetworkProxy.Capability]
        SctpListeningCapability: ClassVar[QNetworkProxy.Capability]

    def __init__(
        self,
        type: Any = 0,  # noqa: A002 - Qt's parameter name
        hostName: str = "",  # noqa: N803
        port: int = 0,
        user: str = "",
        password: str = "",
    ) -> None:
        if isinstance(type, QNetworkProxy):
            self._copy_from(type)
            return
        self._type = QNetworkProxy.ProxyType(type)
        self._host = str(hostName)
        self._port = _check_port(port)
        self._user = str(user)
        self._password = str(password)
        self._caps = _DEFAULT_CAPABILITIES[self._type]
        self._caps_set = False

    def _copy_from(self, other: QNetworkProxy) -> None:
        for name in QNetworkProxy.__slots__:
            setattr(self, name, getattr(other, name))

    def type(self) -> QNetworkProxy.ProxyType:
        return self._type

    def setType(self, type: int) -> None:  # noqa: N802,A002
        """Changes the capabilities to the type's defaults unless they were set."""
        self._type = QNetworkProxy.ProxyType(type)
        if not self._caps_set:
            self._caps = _DEFAULT_CAPABILITIES[self._type]

    def hostName(self) -> str:  # noqa: N802
        return self._host

    def setHostName(self, hostName: str) -> None:  # noqa: N802,N803
        self._host = str(hostName)

    def port(self) -> int:
        return self._port

    def setPort(self, port: int) -> None:  # noqa: N802
        self._port = _check_port(port)

    def user(self) -> str:
        return self._user

    def setUser(self, userName: str) -> None:  # noqa: N802,N803
        self._user = str(userName)

    def password(self) -> str:
        return self._password

    def setPassword(self, password: str) -> None:  # noqa: N802
        self._password = str(password)

    def capabilities(self) -> QNetworkProxy.Capability:
        return self._caps

    def setCapabilities(self, capab: int) -> None:  # noqa: N802
        self._caps = QNetworkProxy.Capability(capab)
        self._caps_set = True

    def isCachingProxy(self) -> bool:  # noqa: N802
        return bool(self._caps & QNetworkProxy.Capability.CachingCapability)

    def isTransparentProxy(self) -> bool:  # noqa: N802
        return bool(self._caps & QNetworkProxy.Capability.TunnelingCapability)

    def swap(self, other: QNetworkProxy) -> None:
        mine = QNetworkProxy(self)
        self._copy_from(other)
        other._copy_from(mine)

    def _key(self) -> tuple[Any, ...]:
        return (self._type, self._host, self._port, self._user, self._password, self._caps)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, QNetworkProxy.ProxyType):
            other = QNetworkProxy(other)
        if not isinstance(other, QNetworkProxy):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # mutable and unhashable, as in PySide6

    def __copy__(self) -> QNetworkProxy:
        return QNetworkProxy(self)

    def __repr__(self) -> str:
        caps = " ".join(_CAPABILITY_NAMES[c] for c in QNetworkProxy.Capability if c in self._caps)
        return f'<QNetworkProxy {self._type.name} "{self._host}":{self._port} [{caps}]>'

    # -- the application proxy -------------------------------------------------------
    @staticmethod
    def applicationProxy() -> QNetworkProxy:  # noqa: N802
        """The proxy set with setApplicationProxy(); NoProxy if none was set."""
        with _app_lock:
            return QNetworkProxy(_app_proxy)

    @staticmethod
    def setApplicationProxy(proxy: Any) -> None:  # noqa: N802
        """Set the application-wide proxy (``DefaultProxy`` means "none": NoProxy)."""
        global _app_proxy
        chosen = QNetworkProxy(proxy)
        if chosen._type == QNetworkProxy.ProxyType.DefaultProxy:
            chosen = QNetworkProxy(QNetworkProxy.ProxyType.NoProxy)
        with _app_lock:
            _app_proxy = chosen


export_enums(QNetworkProxy, QNetworkProxy.ProxyType, QNetworkProxy.Capability)

_C = QNetworkProxy.Capability
_DIRECT = (
    _C.TunnelingCapability
    | _C.ListeningCapability
    | _C.UdpTunnelingCapability
    | _C.SctpTunnelingCapability
    | _C.SctpListeningCapability
)
_DEFAULT_CAPABILITIES = {
    QNetworkProxy.ProxyType.DefaultProxy: _DIRECT,
    QNetworkProxy.ProxyType.NoProxy: _DIRECT,
    QNetworkProxy.ProxyType.Socks5Proxy: _C.TunnelingCapability
    | _C.ListeningCapability
    | _C.UdpTunnelingCapability
    | _C.HostNameLookupCapability,
    QNetworkProxy.ProxyType.HttpProxy: _C.TunnelingCapability
    | _C.CachingCapability
    | _C.HostNameLookupCapability,
    QNetworkProxy.ProxyType.HttpCachingProxy: _C.CachingCapability | _C.HostNameLookupCapability,
    QNetworkProxy.ProxyType.FtpCachingProxy: _C.CachingCapability | _C.HostNameLookupCapability,
}
_CAPABILITY_NAMES = {
    _C.TunnelingCapability: "Tunnel",
    _C.ListeningCapability: "Listen",
    _C.UdpTunnelingCapability: "UDP",
    _C.CachingCapability: "Caching",
    _C.HostNameLookupCapability: "NameLookup",
    _C.SctpTunnelingCapability: "SctpTunnel",
    _C.SctpListeningCapability: "SctpListen",
}


def _check_port(port: int) -> int:
    value = int(port)
    if not 0 <= value <= 0xFFFF:
        raise OverflowError(f"port {value} does not fit in 16 unsigned bits")
    return value


_app_lock = threading.Lock()
_app_proxy = QNetworkProxy(QNetworkProxy.ProxyType.NoProxy)


def _proxy_is_direct(proxy: QNetworkProxy) -> bool:
    """Whether a socket with this proxy setting connects directly (all qtnet can do):
    NoProxy, or DefaultProxy while the application proxy is NoProxy."""
    kind = proxy._type
    if kind == QNetworkProxy.ProxyType.NoProxy:
        return True
    if kind == QNetworkProxy.ProxyType.DefaultProxy:
        with _app_lock:
            return _app_proxy._type == QNetworkProxy.ProxyType.NoProxy
    return False
