"""The ``Qt`` namespace: the enums of Qt's global namespace that qtnet uses."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, ClassVar

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

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        AutoConnection: ClassVar[Qt.ConnectionType]
        DirectConnection: ClassVar[Qt.ConnectionType]
        QueuedConnection: ClassVar[Qt.ConnectionType]
        BlockingQueuedConnection: ClassVar[Qt.ConnectionType]
        UniqueConnection: ClassVar[Qt.ConnectionType]
        SingleShotConnection: ClassVar[Qt.ConnectionType]
        PreciseTimer: ClassVar[Qt.TimerType]
        CoarseTimer: ClassVar[Qt.TimerType]
        VeryCoarseTimer: ClassVar[Qt.TimerType]
        CaseInsensitive: ClassVar[Qt.CaseSensitivity]
        CaseSensitive: ClassVar[Qt.CaseSensitivity]
        FindDirectChildrenOnly: ClassVar[Qt.FindChildOption]
        FindChildrenRecursively: ClassVar[Qt.FindChildOption]


export_enums(Qt, Qt.ConnectionType, Qt.TimerType, Qt.CaseSensitivity, Qt.FindChildOption)
