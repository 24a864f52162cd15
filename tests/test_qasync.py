"""qtnet inside a real PySide6 GUI application, on a qasync event loop.

Runs docs/tutorial/qasync_fortune_gui.py (the program the asyncio page shows)
in the PySide6 peer environment, with qasync installed there and qtnet taken
from this source tree; PySide6 is never imported into the pytest process.
The program serves a qtnet Fortune server, fetches the fortune with a qtnet
client (await) and a PySide6 QTcpSocket (signals), shows it in a QLabel and
reports, as JSON, what happened.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from peers import peer_env, pyside6_python_with

REPO = Path(__file__).resolve().parent.parent
PROGRAM = REPO / "docs" / "tutorial" / "qasync_fortune_gui.py"
FORTUNE = "You've got to think about tomorrow."


@pytest.mark.timeout(900)  # the first run pip-installs qasync into the peer
def test_qtnet_runs_inside_a_pyside6_gui_on_qasync() -> None:
    python = pyside6_python_with("qasync")
    env = peer_env()  # QT_QPA_PLATFORM=offscreen
    env["PYTHONPATH"] = str(REPO / "src")
    proc = subprocess.run(
        [python, str(PROGRAM)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=str(REPO),
        check=False,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr[-6000:]}"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["loop"].startswith("qasync.")  # QSelectorEventLoop on Linux
    assert result["qtnet_adopted_loop"] is True
    assert result["fortune_via_qtnet_client"] == FORTUNE
    assert result["fortune_via_qt_client"] == FORTUNE
    assert result["label_text"] == FORTUNE
    assert result["gui_timer_ticks"] >= 3
