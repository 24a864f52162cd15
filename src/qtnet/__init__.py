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
    "QIPv6Address": ".qt.ipv6address",
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
    # ``X as X``: explicit re-exports, so type checkers accept ``from qtnet import X``
    # (``__all__`` is computed, which they cannot read).
    from .iocore.workers import (
        WorkerError as WorkerError,
    )
    from .iocore.workers import (
        bound_sockets as bound_sockets,
    )
    from .iocore.workers import (
        serve_workers as serve_workers,
    )
    from .iocore.workers import (
        systemd_listen_fds as systemd_listen_fds,
    )
    from .qt.abstractsocket import QAbstractSocket as QAbstractSocket
    from .qt.application import QCoreApplication as QCoreApplication
    from .qt.application import QEventLoop as QEventLoop
    from .qt.buffer import QBuffer as QBuffer
    from .qt.bytearray import QByteArray as QByteArray
    from .qt.datastream import QDataStream as QDataStream
    from .qt.hostaddress import QHostAddress as QHostAddress
    from .qt.hostinfo import QHostInfo as QHostInfo
    from .qt.iodevice import QIODevice as QIODevice
    from .qt.iodevicebase import QIODeviceBase as QIODeviceBase
    from .qt.ipv6address import QIPv6Address as QIPv6Address
    from .qt.namespace import Qt as Qt
    from .qt.networkdatagram import QNetworkDatagram as QNetworkDatagram
    from .qt.networkinterface import (
        QNetworkAddressEntry as QNetworkAddressEntry,
    )
    from .qt.networkinterface import (
        QNetworkInterface as QNetworkInterface,
    )
    from .qt.networkproxy import QNetworkProxy as QNetworkProxy
    from .qt.networkrequest import QNetworkRequest as QNetworkRequest
    from .qt.qobject import QObject as QObject
    from .qt.signals import Signal as Signal
    from .qt.signals import SignalInstance as SignalInstance
    from .qt.signals import Slot as Slot
    from .qt.ssl import QSsl as QSsl
    from .qt.sslcertificate import QSslCertificate as QSslCertificate
    from .qt.sslconfiguration import (
        QSslCipher as QSslCipher,
    )
    from .qt.sslconfiguration import (
        QSslConfiguration as QSslConfiguration,
    )
    from .qt.sslerror import QSslError as QSslError
    from .qt.sslkey import QSslKey as QSslKey
    from .qt.sslserver import QSslServer as QSslServer
    from .qt.sslsocket import QSslSocket as QSslSocket
    from .qt.tcpserver import QTcpServer as QTcpServer
    from .qt.tcpsocket import QTcpSocket as QTcpSocket
    from .qt.thread import QThread as QThread
    from .qt.timer import QTimer as QTimer
    from .qt.timer import QTimerEvent as QTimerEvent
    from .qt.udpsocket import QUdpSocket as QUdpSocket
    from .qt.url import QUrl as QUrl
    from .qt.websocket import QWebSocket as QWebSocket
    from .qt.websocketcors import QWebSocketCorsAuthenticator as QWebSocketCorsAuthenticator
    from .qt.websockethandshakeoptions import (
        QWebSocketHandshakeOptions as QWebSocketHandshakeOptions,
    )
    from .qt.websocketprotocol import QWebSocketProtocol as QWebSocketProtocol
    from .qt.websocketserver import QWebSocketServer as QWebSocketServer
