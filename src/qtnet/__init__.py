"""qtnet: Qt's network server stack in pure Python.

The public names are a deliberate list (``__all__``); each is imported on first
use so ``import qtnet`` and the ``qtnet`` CLI start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module (relative to qtnet) that defines it
_EXPORTS: dict[str, str] = {
    # QtCore subset
    "Qt": ".qt.namespace",
    "Signal": ".qt.signals",
    "Slot": ".qt.signals",
    "SignalInstance": ".qt.signals",
    "QObject": ".qt.qobject",
    "QCoreApplication": ".qt.application",
    "QEventLoop": ".qt.application",
    "QTimer": ".qt.timer",
    "QTimerEvent": ".qt.timer",
    "QThread": ".qt.thread",
    "QUrl": ".qt.url",
    "QByteArray": ".qt.bytearray",
    "QIODevice": ".qt.iodevice",
    "QIODeviceBase": ".qt.iodevicebase",
    "QBuffer": ".qt.buffer",
    "QDataStream": ".qt.datastream",
    # TCP
    "QAbstractSocket": ".qt.abstractsocket",
    "QTcpSocket": ".qt.tcpsocket",
    "QTcpServer": ".qt.tcpserver",
    "QHostAddress": ".qt.hostaddress",
    "QIPv6Address": ".qt.hostaddress",
    "QHostInfo": ".qt.hostinfo",
    "QNetworkInterface": ".qt.networkinterface",
    "QNetworkAddressEntry": ".qt.networkinterface",
    "QNetworkProxy": ".qt.networkproxy",
    # UDP
    "QUdpSocket": ".qt.udpsocket",
    "QNetworkDatagram": ".qt.networkdatagram",
    # WebSockets
    "QWebSocket": ".qt.websocket",
    "QWebSocketServer": ".qt.websocketserver",
    "QWebSocketProtocol": ".qt.websocketprotocol",
    "QWebSocketCorsAuthenticator": ".qt.websocketcors",
    "QWebSocketHandshakeOptions": ".qt.websockethandshakeoptions",
    "QNetworkRequest": ".qt.networkrequest",
    # TLS
    "QSsl": ".qt.ssl",
    "QSslCertificate": ".qt.sslcertificate",
    "QSslKey": ".qt.sslkey",
    "QSslError": ".qt.sslerror",
    "QSslCipher": ".qt.sslconfiguration",
    "QSslConfiguration": ".qt.sslconfiguration",
    "QSslSocket": ".qt.sslsocket",
    "QSslServer": ".qt.sslserver",
    # Beyond Qt: multi-core serving and socket activation
    "serve_workers": ".iocore.workers",
    "bound_sockets": ".iocore.workers",
    "systemd_listen_fds": ".iocore.workers",
    "WorkerError": ".iocore.workers",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    mod = _EXPORTS.get(name)
    if mod is None:
        raise AttributeError(f"module 'qtnet' has no attribute {name!r}")
    value = getattr(importlib.import_module(mod, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from .iocore.workers import WorkerError, bound_sockets, serve_workers, systemd_listen_fds
    from .qt.networkrequest import QNetworkRequest
    from .qt.websocket import QWebSocket
    from .qt.websocketcors import QWebSocketCorsAuthenticator
    from .qt.websockethandshakeoptions import QWebSocketHandshakeOptions
    from .qt.websocketprotocol import QWebSocketProtocol
    from .qt.websocketserver import QWebSocketServer
    from .qt.application import QCoreApplication, QEventLoop
    from .qt.buffer import QBuffer
    from .qt.bytearray import QByteArray
    from .qt.hostaddress import QHostAddress, QIPv6Address
    from .qt.hostinfo import QHostInfo
    from .qt.iodevice import QIODevice
    from .qt.iodevicebase import QIODeviceBase
    from .qt.networkinterface import QNetworkAddressEntry, QNetworkInterface
    from .qt.networkproxy import QNetworkProxy
    from .qt.namespace import Qt
    from .qt.qobject import QObject
    from .qt.abstractsocket import QAbstractSocket
    from .qt.signals import Signal, SignalInstance, Slot
    from .qt.tcpserver import QTcpServer
    from .qt.tcpsocket import QTcpSocket
    from .qt.udpsocket import QUdpSocket
    from .qt.networkdatagram import QNetworkDatagram
    from .qt.thread import QThread
    from .qt.timer import QTimer, QTimerEvent
    from .qt.url import QUrl
    from .qt.ssl import QSsl
    from .qt.sslcertificate import QSslCertificate
    from .qt.sslconfiguration import QSslCipher, QSslConfiguration
    from .qt.sslerror import QSslError
    from .qt.sslkey import QSslKey
    from .qt.sslserver import QSslServer
    from .qt.sslsocket import QSslSocket
