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
    "QIODeviceBase": ".qt.iodevice",
    "QBuffer": ".qt.iodevice",
    "QDataStream": ".qt.datastream",
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
    from .qt.application import QCoreApplication, QEventLoop
    from .qt.namespace import Qt
    from .qt.qobject import QObject
    from .qt.signals import Signal, SignalInstance, Slot
    from .qt.thread import QThread
    from .qt.timer import QTimer, QTimerEvent
