"""The ``if TYPE_CHECKING:`` enum declarations in qt/ classes match the runtime classes.

``export_enums`` copies enum members onto a class at import time
(``QHostAddress.Any``); type checkers only see them through a declaration
block in the class body (tools/enum_declarations.py prints one).  A class that
has such a block must declare every member export_enums put on it, each with
its real enum type, or mypy would accept a name that does not exist or reject
one that does.
"""

from __future__ import annotations

import ast
import enum
import importlib
import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QT = REPO / "src" / "qtnet" / "qt"

_spec = importlib.util.spec_from_file_location(
    "qtnet_tools_enum_declarations", REPO / "tools" / "enum_declarations.py"
)
assert _spec is not None and _spec.loader is not None
tool = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = tool
_spec.loader.exec_module(tool)


def _declared(cls_node: ast.ClassDef) -> dict[str, str]:
    """name -> annotation text of ``X: ClassVar[T]`` inside ``if TYPE_CHECKING:``."""
    out: dict[str, str] = {}
    for stmt in cls_node.body:
        if not (isinstance(stmt, ast.If) and ast.unparse(stmt.test) == "TYPE_CHECKING"):
            continue
        for item in stmt.body:
            ann = getattr(item, "annotation", None)
            if (
                isinstance(item, ast.AnnAssign)
                and isinstance(item.target, ast.Name)
                and isinstance(ann, ast.Subscript)
                and ast.unparse(ann.value) == "ClassVar"
            ):
                out[item.target.id] = ast.unparse(ann.slice)
    return out


def _classes_with_enum_declarations() -> list[tuple[type, dict[str, str]]]:
    found: list[tuple[type, dict[str, str]]] = []
    for path in sorted(QT.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = None
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            declared = _declared(node)
            if not declared:
                continue
            module = module or importlib.import_module(f"qtnet.qt.{path.stem}")
            cls = getattr(module, node.name)
            if any(isinstance(getattr(cls, n, None), enum.Enum) for n in declared):
                found.append((cls, declared))
    return found


def test_declaration_blocks_exist() -> None:
    names = {cls.__name__ for cls, _ in _classes_with_enum_declarations()}
    assert {"QHostAddress", "QIODeviceBase", "DataStreamEnums", "QNetworkProxy", "Qt"} <= names


def test_declarations_match_the_members_export_enums_put_on_the_class() -> None:
    for cls, declared in _classes_with_enum_declarations():
        exported = tool.exported_members(cls)
        missing = sorted(set(exported) - set(declared))
        assert missing == [], f"{cls.__name__}: not declared (run tools/enum_declarations.py)"
        for name, annotation in declared.items():
            member = getattr(cls, name, None)
            assert isinstance(member, enum.Enum), f"{cls.__name__}.{name} is not an enum member"
            assert annotation == tool.type_name(cls, member), f"{cls.__name__}.{name}"


def test_the_tool_sees_exported_members_and_aliases() -> None:
    class Color(enum.IntEnum):
        Red = 1
        Crimson = 1  # an alias
        Blue = 2

    class Owner:
        pass

    from qtnet.qt.enums import export_enums

    export_enums(Owner, Color)
    assert set(tool.exported_members(Owner)) == {"Red", "Crimson", "Blue"}
