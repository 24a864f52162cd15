"""Test helpers for driving real Qt (PySide6) as a peer, always in a subprocess.

PySide6 must never be imported into the pytest process: on Python 3.11 it
over-releases ``None`` and aborts the interpreter.  These helpers run snippets
in the peer virtualenv that ``tools/peers.py`` builds (``.peers/pyside6``,
Python 3.12 when pyenv has it).

If the peer cannot be installed, :func:`pyside6_python` raises with pip's
output, so the calling test FAILS with the reason; it is never skipped.

Usage in a test::

    from peers import run_pyside6, pyside6_json

    out = pyside6_json("import json,sys; print(json.dumps(sys.argv[1:]))", args=["x"])
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

_REPO = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=1)
def _tools_peers() -> ModuleType:
    # tools/ is not a package; load the one implementation by path.
    path = _REPO / "tools" / "peers.py"
    spec = importlib.util.spec_from_file_location("qtnet_tools_peers", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses need the module registered
    spec.loader.exec_module(mod)
    return mod


@functools.lru_cache(maxsize=1)
def pyside6_python() -> str:
    """Path of the peer interpreter, installing PySide6 on first use (cached)."""
    return str(_tools_peers().ensure("pyside6"))


def pyside6_python_with(addon: str) -> str:
    """The peer interpreter with an add-on group of tools/peers.py ADDONS installed."""
    return str(_tools_peers().ensure_addon("pyside6", addon))


def peer_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"  # no display on CI
    env.pop("PYTHONPATH", None)  # keep the test venv's packages out of the peer
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_pyside6(
    script: str,
    *args: str,
    input: str | bytes | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[Any]:
    """Run ``script`` (Python source) in the PySide6 peer with ``args`` as argv[1:].

    Text mode unless ``input`` is bytes.  Returns the completed process; the
    caller decides what a non-zero exit means.
    """
    py = pyside6_python()
    return subprocess.run(
        [py, "-c", script, *args],
        input=input,
        capture_output=True,
        text=not isinstance(input, bytes),
        timeout=timeout,
        env=peer_env(),
        cwd=str(_REPO),
        check=False,
    )


def pyside6_json(
    script: str, data: Any = None, *, args: tuple[str, ...] = (), timeout: float = 300
) -> Any:
    """Run ``script`` with ``data`` as JSON on stdin; return its stdout parsed as JSON.

    Raises AssertionError carrying the peer's stderr when it exits non-zero, so a
    broken peer shows up as a test failure with the reason.
    """
    proc = run_pyside6(script, *args, input=json.dumps(data), timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(
            f"PySide6 peer failed (exit {proc.returncode}):\n{proc.stderr[-6000:]}"
        )
    try:
        return json.loads(proc.stdout)
    except ValueError as e:
        raise AssertionError(
            f"PySide6 peer printed no JSON: {proc.stdout[-2000:]!r}\n{proc.stderr[-4000:]}"
        ) from e
