"""The ``Qt`` namespace: the enums of Qt's global namespace that qtnet uses."""

from __future__ import annotations

import enum

from .enums import export_enums


class Qt:
    """Qt's global namespace (``Qt.QueuedConnection``, ``Qt.ConnectionType.QueuedConnection``)."""

    class ConnectionType(enum.IntFlag):
        AutoConnection = 0
        DirectConnection = 1
        QueuedConnection = 2
        BlockingQueuedConnection = 3
        UniqueConnection = 0x80
        SingleShotConnection = 0x100

    class TimerType(enum.IntEnum):
        PreciseTimer = 0
        CoarseTimer = 1
        VeryCoarseTimer = 2

    class CaseSensitivity(enum.IntEnum):
        CaseInsensitive = 0
        CaseSensitive = 1

    class FindChildOption(enum.IntFlag):
        FindDirectChildrenOnly = 0x0
        FindChildrenRecursively = 0x1


export_enums(Qt, Qt.ConnectionType, Qt.TimerType, Qt.CaseSensitivity, Qt.FindChildOption)
