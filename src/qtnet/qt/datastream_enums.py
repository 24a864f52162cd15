"""QDataStream's enums as class attributes: ``QDataStream.Qt_5_10``, ``QDataStream.Ok``.

A base class of QDataStream that holds only the enum attributes, so the
declarations type checkers need (one line per member, printed by
tools/enum_declarations.py and checked by tests/test_enum_declarations.py)
live here rather than in datastream.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ..codecs.datastream_types import ByteOrder, DataStreamVersion, FloatingPointPrecision, Status
from .enums import export_enums

__all__ = ["DataStreamEnums"]

# Inside the class body the attributes below shadow these names, so the
# declarations spell the types through these aliases.
_ByteOrder = ByteOrder
_Precision = FloatingPointPrecision
_Status = Status


class DataStreamEnums:
    """The enum types and every member, as attributes (PySide6's spellings)."""

    __slots__ = ()

    Version = DataStreamVersion
    ByteOrder = ByteOrder
    FloatingPointPrecision = FloatingPointPrecision
    Status = Status

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        Qt_1_0: ClassVar[DataStreamVersion]
        Qt_2_0: ClassVar[DataStreamVersion]
        Qt_2_1: ClassVar[DataStreamVersion]
        Qt_3_0: ClassVar[DataStreamVersion]
        Qt_3_1: ClassVar[DataStreamVersion]
        Qt_3_3: ClassVar[DataStreamVersion]
        Qt_4_0: ClassVar[DataStreamVersion]
        Qt_4_1: ClassVar[DataStreamVersion]
        Qt_4_2: ClassVar[DataStreamVersion]
        Qt_4_3: ClassVar[DataStreamVersion]
        Qt_4_4: ClassVar[DataStreamVersion]
        Qt_4_5: ClassVar[DataStreamVersion]
        Qt_4_6: ClassVar[DataStreamVersion]
        Qt_4_7: ClassVar[DataStreamVersion]
        Qt_4_8: ClassVar[DataStreamVersion]
        Qt_4_9: ClassVar[DataStreamVersion]
        Qt_5_0: ClassVar[DataStreamVersion]
        Qt_5_1: ClassVar[DataStreamVersion]
        Qt_5_2: ClassVar[DataStreamVersion]
        Qt_5_3: ClassVar[DataStreamVersion]
        Qt_5_4: ClassVar[DataStreamVersion]
        Qt_5_5: ClassVar[DataStreamVersion]
        Qt_5_6: ClassVar[DataStreamVersion]
        Qt_5_7: ClassVar[DataStreamVersion]
        Qt_5_8: ClassVar[DataStreamVersion]
        Qt_5_9: ClassVar[DataStreamVersion]
        Qt_5_10: ClassVar[DataStreamVersion]
        Qt_5_11: ClassVar[DataStreamVersion]
        Qt_5_12: ClassVar[DataStreamVersion]
        Qt_5_13: ClassVar[DataStreamVersion]
        Qt_5_14: ClassVar[DataStreamVersion]
        Qt_5_15: ClassVar[DataStreamVersion]
        Qt_6_0: ClassVar[DataStreamVersion]
        Qt_6_1: ClassVar[DataStreamVersion]
        Qt_6_2: ClassVar[DataStreamVersion]
        Qt_6_3: ClassVar[DataStreamVersion]
        Qt_6_4: ClassVar[DataStreamVersion]
        Qt_6_5: ClassVar[DataStreamVersion]
        Qt_6_6: ClassVar[DataStreamVersion]
        Qt_6_7: ClassVar[DataStreamVersion]
        Qt_6_8: ClassVar[DataStreamVersion]
        Qt_6_9: ClassVar[DataStreamVersion]
        Qt_6_10: ClassVar[DataStreamVersion]
        Qt_6_11: ClassVar[DataStreamVersion]
        Qt_6_12: ClassVar[DataStreamVersion]
        Qt_DefaultCompiledVersion: ClassVar[DataStreamVersion]
        BigEndian: ClassVar[_ByteOrder]
        LittleEndian: ClassVar[_ByteOrder]
        SinglePrecision: ClassVar[_Precision]
        DoublePrecision: ClassVar[_Precision]
        Ok: ClassVar[_Status]
        ReadPastEnd: ClassVar[_Status]
        ReadCorruptData: ClassVar[_Status]
        WriteFailed: ClassVar[_Status]
        SizeLimitExceeded: ClassVar[_Status]


export_enums(DataStreamEnums, DataStreamVersion, ByteOrder, FloatingPointPrecision, Status)
