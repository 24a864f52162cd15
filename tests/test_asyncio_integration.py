"""qtnet inside asyncio programs: the running loop is adopted, not replaced."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
import threading
from typing import Any

import pytest

from qt_helpers import qapp_fixture  # noqa: F401 - the qapp fixture
from qtnet import QCoreApplication, QObject, QThread, QTimer, Signal
from qtnet.iocore.loops import current_thread_data, loop_implementation


class Src(QObject):
    sig = Signal(int)


async def _scenario(app: QCoreApplication) -> dict[str, Any]:
    """Timers, queued signals, a worker thread and deleteLater, all driven by
    the asyncio loop that runs this coroutine; ends with exit(7)."""
    running = asyncio.get_running_loop()
    out: dict[str, Any] = {}
    ticks: list[int] = []
    timer = QTimer(interval=2)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    out["adopted"] = current_thread_data().loop() is running

    s = Src()
    got: list[tuple[int, int]] = []
    s.sig.connect(lambda v: got.append((v, threading.get_ident())))  # queued from the worker

    class Worker(QThread):
        def run(self) -> None:
            for i in range(3):
                s.sig.emit(i)

    w = Worker()
    doomed = QObject()
    doomed.deleteLater()
    about: list[int] = []
    app.aboutToQuit.connect(lambda: about.append(1))

    def finish() -> None:
        if len(ticks) >= 5 and len(got) == 3 and doomed.isDeleted():
            QCoreApplication.exit(7)
        else:
            QTimer.singleShot(5, finish)

    QTimer.singleShot(0, w.start)
    QTimer.singleShot(5, finish)
    await asyncio.sleep(0)  # plain asyncio code keeps working alongside
    code = await asyncio.wait_for(app.exec_async(), 30)
    timer.stop()
    w.wait(10_000)
    out.update(
        code=code,
        ticks=len(ticks) >= 5,
        got=[v for v, _ in got],
        delivered_in_main=all(t == threading.get_ident() for _, t in got),
        deleted=doomed.isDeleted(),
        about_to_quit=about,
    )
    return out


EXPECTED = {
    "adopted": True,
    "code": 7,
    "ticks": True,
    "got": [0, 1, 2],
    "delivered_in_main": True,
    "deleted": True,
    "about_to_quit": [1],
}


def test_inside_asyncio_run(qapp: Any) -> None:
    out = asyncio.run(_scenario(qapp))
    assert out == EXPECTED
    # Afterwards the adopted loop is closed and qtnet makes a fresh one.
    QTimer.singleShot(0, lambda: QCoreApplication.exit(2))
    assert qapp.exec() == 2


def test_inside_a_uvloop_runner(qapp: Any) -> None:
    import uvloop  # a qtnet dependency on CPython/Linux
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        out = runner.run(_scenario(qapp))
        assert type(current_thread_data().loop()).__module__.startswith("uvloop")
    assert out == EXPECTED


def test_default_loop_is_uvloop_where_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QTNET_LOOP", raising=False)
    assert loop_implementation() == "uvloop"
    monkeypatch.setenv("QTNET_LOOP", "AsyncIO")
    assert loop_implementation() == "asyncio"


_ENV_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, threading
    from qtnet import QCoreApplication, QObject, QThread, QTimer, Signal
    from qtnet.iocore.loops import current_thread_data, loop_implementation

    class Src(QObject):
        sig = Signal(int)

    app = QCoreApplication([])
    s = Src()
    got = []
    s.sig.connect(got.append)
    kinds = {}

    class Worker(QThread):
        def run(self):
            kinds["worker"] = type(current_thread_data().loop()).__module__
            s.sig.emit(5)  # queued to main

    w = Worker()
    w.start()
    w.wait()
    QTimer.singleShot(10, lambda: QCoreApplication.exit(len(got) + 40))
    code = app.exec()
    kinds["main"] = type(current_thread_data().loop()).__module__

    async def main():
        return await asyncio.wait_for(
            (QTimer.singleShot(1, lambda: QCoreApplication.exit(3)), app.exec_async())[1], 10)

    print(json.dumps({"impl": loop_implementation(), "code": code, "got": got,
                      "kinds": kinds, "async_code": asyncio.run(main())}))
    """
)


def test_qtnet_loop_env_var_selects_plain_asyncio() -> None:
    env = dict(os.environ, QTNET_LOOP="asyncio")
    proc = subprocess.run(
        [sys.executable, "-c", _ENV_SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = json.loads(proc.stdout)
    assert out == {
        "impl": "asyncio",
        "code": 41,
        "got": [5],
        "kinds": {"worker": "asyncio.unix_events", "main": "asyncio.unix_events"},
        "async_code": 3,
    }
    # And without the variable the same program runs on uvloop.
    env.pop("QTNET_LOOP")
    proc = subprocess.run(
        [sys.executable, "-c", _ENV_SCRIPT], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    out = json.loads(proc.stdout)
    assert out["impl"] == "uvloop" and out["kinds"] == {"worker": "uvloop", "main": "uvloop"}
    assert out["code"] == 41 and out["async_code"] == 3
