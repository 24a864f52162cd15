"""The API reference's "Qt version" lines (tools/qt_versions.py) are complete and true.

* every documented object has a table entry, and every entry is documented;
* every member an entry names exists on the qtnet class;
* every public member that PySide6's class does not have (asked of the
  PySide6 peer in a subprocess) has an explicit entry: a qtnet extension
  cannot silently claim "follows Qt"; an entry saying "extension" or "C++
  only" names a member PySide6 really lacks, and a "since" entry names one it
  has;
* the hook (tools/mkdocs_hooks.py) puts a line under every heading of a page,
  including members inherited from a base's entry; the site build
  (tests/test_docs.py, --strict) fails if any heading is left without one.
"""

from __future__ import annotations

import enum
import importlib
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest

from peers import pyside6_json
from tool_loader import load_tool

REPO = Path(__file__).resolve().parent.parent


qv = load_tool("qt_versions")
hooks = load_tool("mkdocs_hooks")


def _documented() -> dict[str, Any]:
    """name -> object, for every ``:::`` object of docs/api/*.md (modules excluded)."""
    found: dict[str, Any] = {}
    for page in sorted((REPO / "docs" / "api").glob("*.md")):
        for path in re.findall(r"^:::\s+(\S+)", page.read_text(), re.MULTILINE):
            try:
                importlib.import_module(path)
                continue  # a module directive: no heading of its own
            except ImportError:
                pass
            module_name, _, name = path.rpartition(".")
            found[name] = getattr(importlib.import_module(module_name), name)
    return found


DOCUMENTED = _documented()
CLASSES = {name: obj for name, obj in DOCUMENTED.items() if isinstance(obj, type)}


def _explicit(cls: type, member: str) -> str | None:
    """The table value naming ``member`` on ``cls`` or a base (no class default)."""
    for klass in cls.__mro__:
        entry = qv.VERSIONS.get(klass.__name__, {})
        if member in entry:
            return str(entry[member])
    return None


def _from_builtin(cls: type, member: str) -> bool:
    """Whether ``member`` comes from a builtin base (QByteArray is a bytearray):
    Python's own methods, which the reference does not list."""
    owner = next((k for k in cls.__mro__ if member in vars(k)), None)
    return owner is not None and owner.__module__ == "builtins"


def _enum_names(cls: type, value: Any) -> set[str] | None:
    """For an enum member or enum class exported on a Qt class: the names
    its enum type has on that class (Qt's C++ unscoped names, and QFlags
    typedefs such as ``OpenMode``, are spelled on the class itself; the type
    may be an alias, as QDataStream.Version is)."""
    if isinstance(value, enum.Enum):
        kind: type = type(value)
    elif isinstance(value, type) and issubclass(value, enum.Enum):
        kind = value
    else:
        return None
    return {n for n in dir(cls) if getattr(cls, n, None) is kind} | {kind.__name__}


@pytest.fixture(scope="module")
def pyside_members() -> dict[str, list[str]]:
    """dir() of each documented class's PySide6 6.12 counterpart."""
    script = """
import json, sys
from PySide6 import QtCore, QtNetwork, QtWebSockets
out = {}
for name in json.load(sys.stdin):
    for module in (QtCore, QtNetwork, QtWebSockets):
        cls = getattr(module, name, None)
        if cls is not None:
            out[name] = sorted(dir(cls))
            break
print(json.dumps(out))
"""
    found: dict[str, list[str]] = pyside6_json(script, sorted(DOCUMENTED))
    return found


def test_every_documented_object_has_an_entry_and_no_entry_is_stale() -> None:
    assert len(DOCUMENTED) > 40
    assert set(DOCUMENTED) == set(qv.VERSIONS), (
        set(DOCUMENTED) ^ set(qv.VERSIONS)
    )


def test_every_entry_names_an_existing_member() -> None:
    missing = []
    for name, entry in qv.VERSIONS.items():
        obj = DOCUMENTED[name]
        for member in entry:
            if member == qv.CLASS:
                continue
            target = obj
            for part in member.split("."):
                target = getattr(target, part, None)
            if target is None:
                missing.append(f"{name}.{member}")
    assert not missing, missing


def test_values_are_well_formed_and_the_reference_is_the_pinned_peer() -> None:
    pinned = re.search(r"PySide6-Essentials==(\d+\.\d+)", (REPO / "tools" / "peers.py").read_text())
    assert pinned is not None
    assert qv.REFERENCE == pinned[1]
    ref = tuple(int(x) for x in qv.REFERENCE.split("."))
    for name, entry in qv.VERSIONS.items():
        for member, value in entry.items():
            assert value, (name, member)
            if value[:1].isdigit():
                version = tuple(int(x) for x in value.split("."))
                # Only what came after 6.0 is stated; nothing newer than the reference.
                assert (6, 0) < version <= ref, (name, member, value)


def test_members_pyside6_lacks_have_entries_and_entries_are_true(
    pyside_members: dict[str, list[str]],
) -> None:
    unlisted, false_claims = [], []
    for name, obj in DOCUMENTED.items():
        if name not in pyside_members:
            # No PySide6 counterpart at all: the object must say so.
            if qv.VERSIONS[name].get(qv.CLASS) != qv.EXTENSION:
                false_claims.append(f"{name}: not in PySide6 but not marked an extension")
            continue
        theirs = set(pyside_members[name])
        if not isinstance(obj, type):
            continue
        for member in dir(obj):
            if member.startswith("_") or member in theirs or _from_builtin(obj, member):
                continue
            kinds = _enum_names(obj, getattr(obj, member))
            if kinds is not None:
                if not kinds & theirs:
                    false_claims.append(f"{name}.{member}: enum {sorted(kinds)} is not Qt's")
                continue
            if _explicit(obj, member) is None:
                unlisted.append(f"{name}.{member}")
        for member, value in qv.VERSIONS[name].items():
            if member == qv.CLASS:
                continue
            top = member.split(".", 1)[0]
            if value[:1].isdigit():
                if top not in theirs:
                    false_claims.append(f"{name}.{member}: a Qt {value} member PySide6 lacks")
            elif top in theirs:
                false_claims.append(f"{name}.{member}: marked {value!r} but PySide6 has it")
    assert not unlisted, f"public members with no Qt counterpart and no entry: {unlisted}"
    assert not false_claims, false_claims


# -- the hook ------------------------------------------------------------------------
def _heading(ident: str, level: int = 3) -> str:
    # The shape mkdocstrings gives every object (checked against a real build).
    return (
        f'<div class="doc doc-object">\n<h{level} id="{ident}" class="doc doc-heading">'
        f'<span>{ident.rsplit(".", 1)[1]}</span></h{level}>\n'
        '<div class="doc-signature highlight"><pre><code>x()</code></pre></div>\n'
        '    <div class="doc doc-contents ">\n<p>Docstring.</p>\n    </div>\n</div>\n'
    )


def _lines(html: str) -> list[str]:
    return re.findall(r'<p class="qt-version"><em>([^<]*)</em></p>', html)


def test_hook_puts_a_line_under_every_heading_with_the_table_value() -> None:
    udp = "qtnet.qt.udpsocket.QUdpSocket"
    html = (
        _heading(udp, 2)
        + _heading(f"{udp}.writeDatagram")
        + _heading(f"{udp}.read_async")  # inherited: the QAbstractSocket entry answers
        + _heading(f"{udp}.SocketError.HostNotFoundError", 4)
        + _heading("qtnet.qt.tcpserver.QTcpServer.pendingConnectionAvailable")
        + _heading("qtnet.qt.sslserver.QSslServer.handshakeTimeout")
    )
    out, problems = hooks.annotate_versions(
        html,
        [udp, "qtnet.qt.tcpserver.QTcpServer", "qtnet.qt.sslserver.QSslServer"],
    )
    assert problems == []
    default = qv.note_text(None)
    assert _lines(out) == [
        default,
        default,
        qv.note_text(qv.EXTENSION),
        default,
        qv.note_text("6.4"),
        qv.note_text("6.4"),
    ]
    assert "since 6.4" in _lines(out)[-1] and "extension" in _lines(out)[2]
    # The line is the first thing inside the object's contents, docstring after it.
    assert out.count('<div class="doc doc-contents ">\n<p class="qt-version">') == 6


def test_hook_reports_headings_it_cannot_answer_for() -> None:
    html = _heading("qtnet.qt.tcpserver.QTcpServer.listen") + _heading("qtnet.qt.nowhere.QNope.x")
    out, problems = hooks.annotate_versions(
        html, ["qtnet.qt.tcpserver.QTcpServer", "qtnet.qt.timer.QNotInTable"]
    )
    assert len(_lines(out)) == 1
    assert any("QNotInTable" in p for p in problems)
    assert any("qtnet.qt.nowhere.QNope.x" in p for p in problems)
