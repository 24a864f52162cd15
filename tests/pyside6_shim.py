"""Run qtnet programs on real Qt: ``qtnet`` imports served by PySide6.

qtnet's examples claim to be PySide6 programs with only the imports changed.
This proves it: it installs a ``qtnet`` module whose Qt names come from
PySide6, while ``qtnet.examples`` / ``qtnet.cli`` still load from the source
tree, then runs a module as ``-m`` would.  Runs only in the PySide6 peer
interpreter (never import it into the pytest process)::

    .peers/pyside6/bin/python tests/pyside6_shim.py -m qtnet.examples.fortune_server --port 0

Or, from a peer script, ``exec`` :data:`INSTALL` (see :func:`install`).
"""

from __future__ import annotations

import runpy
import sys
import types
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

# Every name qtnet's fortune programs import, by the PySide6 module that has it.
_QTCORE = (
    "QByteArray",
    "QCoreApplication",
    "QDataStream",
    "QIODevice",
    "QObject",
    "QThread",
    "QTimer",
    "Signal",
    "Slot",
)
_QTNETWORK = (
    "QAbstractSocket",
    "QHostAddress",
    "QHostInfo",
    "QNetworkInterface",
    "QTcpServer",
    "QTcpSocket",
)


def install() -> types.ModuleType:
    """Make ``import qtnet`` give PySide6's classes; returns the stand-in module."""
    from PySide6 import QtCore, QtNetwork

    shim = types.ModuleType("qtnet", "qtnet names served by PySide6 (tests/pyside6_shim.py)")
    shim.__path__ = [str(SRC / "qtnet")]  # qtnet.examples, qtnet.cli: the real sources
    for name in _QTCORE:
        setattr(shim, name, getattr(QtCore, name))
    for name in _QTNETWORK:
        setattr(shim, name, getattr(QtNetwork, name))
    sys.modules["qtnet"] = shim
    return shim


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "-m":
        print("usage: pyside6_shim.py -m MODULE [ARGS...]", file=sys.stderr)
        return 2
    install()
    sys.argv = [argv[1], *argv[2:]]
    runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
