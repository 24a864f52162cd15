"""Qt-style enums: PySide6 spellings on top of Python's IntEnum / IntFlag.

PySide6 lets a program write both ``QIODevice.OpenModeFlag.WriteOnly`` and the
short ``QIODevice.WriteOnly``; the values compare equal to plain ints and flag
values combine with ``|``.  Qt classes here declare their enums as nested
``IntEnum``/``IntFlag`` classes and call :func:`export_enums` once, which copies
every member onto the owning class (and onto subclasses by inheritance).
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

T = TypeVar("T", bound=type)


def export_enums(owner: T, *enums: type[enum.Enum], overwrite: bool = False) -> T:
    """Copy each enum's members onto ``owner`` as class attributes.

    Existing attributes win unless ``overwrite`` is true, so a method named like
    an enum member is never shadowed by accident.
    """
    for e in enums:
        for name, member in e.__members__.items():
            if overwrite or name not in owner.__dict__:
                setattr(owner, name, member)
    return owner


def enum_value(value: Any) -> int:
    """The int behind an enum member or an int (what Qt stores)."""
    return int(value)
