#!/usr/bin/env python3
"""Type-checker declarations for the enum members ``export_enums`` copies onto a class.

``export_enums(QIODeviceBase, QIODeviceBase.OpenModeFlag)`` puts
``QIODeviceBase.WriteOnly`` on the class at import time, where mypy cannot see
it.  A class makes them visible with a block in its body::

    if TYPE_CHECKING:  # export_enums() below puts these on the class
        WriteOnly: ClassVar[QIODeviceBase.OpenModeFlag]

This prints that block for a class, so nobody types it by hand::

    python tools/enum_declarations.py qtnet.qt.iodevicebase:QIODeviceBase

tests/test_enum_declarations.py checks every such block against the runtime
class: complete, and each name of the declared enum type.
"""

from __future__ import annotations

import enum
import importlib
import sys


def exported_members(cls: type) -> dict[str, enum.Enum]:
    """Members that export_enums put directly on ``cls`` (name -> member)."""
    out: dict[str, enum.Enum] = {}
    for name, value in vars(cls).items():
        # aliases count too: export_enums copies every name in __members__
        if isinstance(value, enum.Enum) and name in type(value).__members__:
            out[name] = value
    return out


def type_name(cls: type, member: enum.Enum) -> str:
    """How the member's enum class is spelled inside ``cls``'s module."""
    etype = type(member)
    qual = etype.__qualname__
    if "." in qual and etype.__module__ == cls.__module__:
        return qual  # nested: QIODeviceBase.OpenModeFlag
    if vars(cls).get(etype.__name__) is not etype:
        return etype.__name__  # module level (imported into the class's module)
    # ``class C: E = E`` makes ``E`` a variable inside the class body, which
    # type checkers reject as a type: use a module-level alias (``_E = E``).
    module = sys.modules[cls.__module__]
    for alias, value in vars(module).items():
        if value is etype and alias != etype.__name__ and alias not in vars(cls):
            return alias
    raise ValueError(
        f"{cls.__name__}.{etype.__name__} shadows the module-level enum and the "
        f"module has no alias for it (add e.g. _{etype.__name__} = {etype.__name__})"
    )


def declarations(cls: type, indent: str = "        ") -> list[str]:
    return [
        f"{indent}{name}: ClassVar[{type_name(cls, m)}]"
        for name, m in exported_members(cls).items()
    ]


def main(argv: list[str]) -> int:
    if len(argv) != 1 or ":" not in argv[0]:
        print("usage: enum_declarations.py package.module:Class", file=sys.stderr)
        return 2
    mod, _, name = argv[0].partition(":")
    cls = getattr(importlib.import_module(mod), name)
    print("    # export_enums() puts these members on the class at import time;")
    print("    # the declarations tell type checkers (tools/enum_declarations.py).")
    print("    if TYPE_CHECKING:")
    print("\n".join(declarations(cls)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
