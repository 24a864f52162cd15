"""QIODeviceBase: Qt 6's common base of QIODevice and QDataStream (the open modes).

``QIODevice.WriteOnly``, ``QIODevice.OpenModeFlag.WriteOnly`` and
``QIODeviceBase.ReadOnly`` all name the same IntFlag member, and members combine
with ``|`` (``QIODevice.ReadOnly | QIODevice.Text``).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, ClassVar

from .enums import export_enums

__all__ = ["QIODeviceBase"]


class QIODeviceBase:
    """Qt 6's base of QIODevice and QDataStream: the open-mode enum."""

    class OpenModeFlag(enum.IntFlag):
        NotOpen = 0x0000
        ReadOnly = 0x0001
        WriteOnly = 0x0002
        ReadWrite = 0x0003
        Append = 0x0004
        Truncate = 0x0008
        Text = 0x0010
        Unbuffered = 0x0020
        NewOnly = 0x0040
        ExistingOnly = 0x0080

    OpenMode = OpenModeFlag

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        NotOpen: ClassVar[QIODeviceBase.OpenModeFlag]
        ReadOnly: ClassVar[QIODeviceBase.OpenModeFlag]
        WriteOnly: ClassVar[QIODeviceBase.OpenModeFlag]
        ReadWrite: ClassVar[QIODeviceBase.OpenModeFlag]
        Append: ClassVar[QIODeviceBase.OpenModeFlag]
        Truncate: ClassVar[QIODeviceBase.OpenModeFlag]
        Text: ClassVar[QIODeviceBase.OpenModeFlag]
        Unbuffered: ClassVar[QIODeviceBase.OpenModeFlag]
        NewOnly: ClassVar[QIODeviceBase.OpenModeFlag]
        ExistingOnly: ClassVar[QIODeviceBase.OpenModeFlag]


export_enums(QIODeviceBase, QIODeviceBase.OpenModeFlag)
