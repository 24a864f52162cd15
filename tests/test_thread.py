"""QThread: lifecycle, exec/exit codes, per-thread loops, worker objects, leaks."""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
import warnings
from typing import Any

import pytest

from qt_helpers import qapp_fixture, wait_until  # noqa: F401 - the qapp fixture
from qtnet import QObject, Qt, QThread, QTimer, Signal
from qtnet.iocore.loops import current_thread_data

MAIN = threading.get_ident()


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


# -- lifecycle ------------------------------------------------------------------------------


def test_subclass_run_started_and_finished_come_from_the_thread(qapp: Any) -> None:
    seen: dict[str, Any] = {}

    class Worker(QThread):
        def run(self) -> None:
            seen["run"] = threading.get_ident()
            seen["current"] = QThread.currentThread()

    w = Worker()
    w.started.connect(
        lambda: seen.setdefault("started", threading.get_ident()), Qt.DirectConnection
    )

    def on_finished() -> None:
        seen["finished"] = threading.get_ident()
        seen["state_in_finished"] = (w.isRunning(), w.isFinished())

    w.finished.connect(on_finished, Qt.DirectConnection)
    assert not w.isRunning() and not w.isFinished()
    w.start()
    assert w.wait(10_000)
    assert seen["run"] != MAIN
    assert seen["started"] == seen["run"] == seen["finished"]
    assert seen["current"] is w
    assert seen["state_in_finished"] == (False, True)  # Qt: in finish, no longer running
    assert not w.isRunning() and w.isFinished()


def test_finished_to_a_main_thread_lambda_is_queued(qapp: Any) -> None:
    # PySide6 6.12: with AutoConnection a lambda is not called in the worker
    # thread but later in the thread of the QThread object (main).
    t = QThread()
    got: list[int] = []
    t.finished.connect(lambda: got.append(threading.get_ident()))
    t.start()
    t.quit()
    assert t.wait(10_000)
    assert got == []
    assert wait_until(lambda: got == [MAIN])


def test_default_run_is_an_event_loop_and_quit_ends_it(qapp: Any) -> None:
    t = QThread()
    t.start()
    assert wait_until(t.isRunning)
    time.sleep(0.05)
    assert t.isRunning()  # exec() keeps it alive
    assert t.wait(20) is False  # still running: the wait times out
    t.quit()
    assert t.wait(10_000) is True
    assert t.isFinished()


def test_exec_returns_the_exit_code(qapp: Any) -> None:
    codes: list[int] = []

    class Worker(QThread):
        def run(self) -> None:
            codes.append(self.exec())

    w = Worker()
    w.start()
    assert wait_until(lambda: w.loopLevel() == 1)
    w.exit(42)
    assert w.wait(10_000)
    assert codes == [42]


def test_exit_before_exec_makes_exec_return_at_once(qapp: Any) -> None:
    results: list[Any] = []

    class Worker(QThread):
        def run(self) -> None:
            self.exit(7)
            t0 = time.monotonic()
            results.append(self.exec())
            results.append(time.monotonic() - t0)
            results.append(self.exec_ is not None)

    w = Worker()
    w.start()
    assert w.wait(10_000)
    assert results[0] == 7 and results[1] < 1.0


def test_quit_right_after_start_never_hangs(qapp: Any) -> None:
    # quit() may land before, during or after exec() starts; every case ends.
    for i in range(100):
        t = QThread()
        t.start()
        time.sleep(0.0002 * (i % 5))  # vary where in the thread's startup quit() lands
        t.quit()
        assert t.wait(10_000)


def test_wait_on_a_thread_never_started_and_start_twice(qapp: Any) -> None:
    t = QThread()
    assert t.wait(0) is True
    starts: list[int] = []
    t.started.connect(lambda: starts.append(1), Qt.DirectConnection)
    t.start()
    t.start()  # already running: no second thread
    t.quit()
    assert t.wait(10_000)
    assert starts == [1]
    t.start()  # a finished thread can be started again
    t.quit()
    assert t.wait(10_000)
    assert starts == [1, 1]


def test_loop_level(qapp: Any) -> None:
    levels: list[int] = []

    class Worker(QThread):
        def run(self) -> None:
            levels.append(self.loopLevel())
            QTimer.singleShot(0, lambda: (levels.append(self.loopLevel()), self.quit()))
            self.exec()

    w = Worker()
    w.start()
    assert w.wait(10_000)
    assert levels == [0, 1]  # PySide6 6.12


def test_exec_from_the_wrong_thread_and_wait_on_itself(qapp: Any) -> None:
    t = QThread()
    with pytest.warns(RuntimeWarning, match="Must be called from the managed thread"):
        assert t.exec() == -1
    outcome: list[Any] = []

    class SelfWaiter(QThread):
        def run(self) -> None:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                outcome.append(self.wait(10))
            outcome.append([str(w.message) for w in caught])

    s = SelfWaiter()
    s.start()
    assert s.wait(10_000)
    assert outcome[0] is False and "wait on itself" in outcome[1][0]


def test_exception_in_run_is_reported_and_finished_still_emitted(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda t, v, tb: reported.append(v))

    class Broken(QThread):
        def run(self) -> None:
            raise RuntimeError("run failed")

    b = Broken()
    finished: list[int] = []
    b.finished.connect(lambda: finished.append(1), Qt.DirectConnection)
    b.start()
    assert b.wait(10_000)
    assert [str(e) for e in reported] == ["run failed"] and finished == [1]


# -- current thread, sleeping, interruption -------------------------------------------------


def test_current_thread_identity(qapp: Any) -> None:
    main = QThread.currentThread()
    assert main is QThread.currentThread() is qapp.thread()
    assert main.isRunning() and QThread.isMainThread()
    seen: list[Any] = []

    def foreign() -> None:
        a = QThread.currentThread()
        seen.extend([a, a is QThread.currentThread(), QThread.isMainThread(), a.isRunning()])

    th = threading.Thread(target=foreign)
    th.start()
    th.join(10)
    adopted, stable, is_main, running = seen
    assert adopted is not main and stable and not is_main and running
    assert QThread.currentThreadId() == MAIN


def test_sleep_functions_sleep_at_least_that_long(qapp: Any) -> None:
    for func, amount, seconds in (
        (QThread.msleep, 30, 0.030),
        (QThread.usleep, 30_000, 0.030),
        (QThread.sleep, 0.03, 0.030),
    ):
        t0 = time.monotonic()
        func(amount)
        assert time.monotonic() - t0 >= seconds * 0.95


def test_request_interruption(qapp: Any) -> None:
    loops: list[int] = []

    class Spinner(QThread):
        def run(self) -> None:
            while not self.isInterruptionRequested():
                loops.append(1)
                self.msleep(1)

    s = Spinner()
    assert not s.isInterruptionRequested()
    s.start()
    assert wait_until(lambda: len(loops) > 3)
    s.requestInterruption()
    assert s.isInterruptionRequested()
    assert s.wait(10_000)


def test_priority_round_trip(qapp: Any) -> None:
    t = QThread()
    t.setPriority(QThread.Priority.HighPriority)
    assert t.priority() == QThread.HighPriority


# -- worker objects and per-thread loops ----------------------------------------------------


def test_worker_object_pattern_deletes_the_worker_when_the_thread_ends(qapp: Any) -> None:
    class Worker(QObject):
        done = Signal(int)

        def __init__(self) -> None:
            super().__init__()
            self.ran_in = 0

        def work(self) -> None:
            self.ran_in = threading.get_ident()
            self.done.emit(21 * 2)

    results: list[int] = []
    destroyed_in: list[int] = []
    w = Worker()
    th = QThread()
    w.moveToThread(th)
    th.started.connect(w.work)
    w.done.connect(results.append)  # no receiver object: runs in the sender's (worker) thread
    w.done.connect(th.quit, Qt.DirectConnection)  # th lives in main: direct to avoid the queue
    th.finished.connect(w.deleteLater)
    w.destroyed.connect(lambda obj: destroyed_in.append(threading.get_ident()), Qt.DirectConnection)
    th.start()
    assert th.wait(10_000)
    assert w.ran_in not in (0, MAIN)
    assert results == [42]
    assert w.isDeleted()
    assert destroyed_in == [w.ran_in]  # deleted in the worker thread, before it ended


def test_per_thread_event_loops_and_timers(qapp: Any) -> None:
    fired: dict[str, set[int]] = {"A": set(), "B": set()}
    loops: dict[str, Any] = {}
    idents: dict[str, int] = {}

    class Worker(QThread):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

        def run(self) -> None:
            idents[self.name] = threading.get_ident()
            loops[self.name] = current_thread_data().loop()
            t = QTimer()
            t.timeout.connect(lambda: fired[self.name].add(threading.get_ident()))
            t.start(2)
            # A lambda, not self.quit: a bound method of the QThread object
            # would be run by the main thread, where that object lives (Qt).
            QTimer.singleShot(60, lambda: self.quit())
            self.exec()

    a, b = Worker("A"), Worker("B")
    a.start()
    b.start()
    assert a.wait(10_000) and b.wait(10_000)
    assert fired["A"] == {idents["A"]} and fired["B"] == {idents["B"]}
    assert idents["A"] != idents["B"]
    assert loops["A"] is not loops["B"]
    assert loops["A"].is_closed() and loops["B"].is_closed()  # released at thread end


def test_events_posted_before_start_are_delivered_once_the_thread_runs(qapp: Any) -> None:
    class Receiver(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.got: list[tuple[int, int]] = []

        def take(self, v: int) -> None:
            self.got.append((v, threading.get_ident()))

    class Src(QObject):
        sig = Signal(int)

    s, r = Src(), Receiver()
    th = QThread()
    r.moveToThread(th)
    s.sig.connect(r.take)
    s.sig.emit(1)  # queued to a thread that does not run yet
    th.start()
    try:
        assert wait_until(lambda: len(r.got) == 1)
        assert r.got[0][0] == 1 and r.got[0][1] != MAIN
    finally:
        th.quit()
        assert th.wait(10_000)


def test_many_threads_leave_no_file_descriptors_behind(qapp: Any) -> None:
    class Src(QObject):
        sig = Signal(int)

    class Recorder(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.got: list[int] = []

        def take(self, v: int) -> None:
            self.got.append(v)

    # Warm up: the main loop and anything opened lazily once per process.
    t = QThread()
    t.start()
    t.quit()
    assert t.wait(10_000)
    current_thread_data().loop()  # the main thread's own loop is not a leak
    gc.collect()
    before = _open_fds()
    s = Src()
    done = 0
    for batch in range(10):  # 200 threads, at most 20 alive at once (2-core box)
        workers = []
        for _ in range(20):
            th = QThread()
            rec = Recorder()
            rec.moveToThread(th)
            s.sig.connect(rec.take)  # auto: queued into each thread's own loop
            th.start()
            workers.append((th, rec))
        s.sig.emit(batch)
        for th, rec in workers:
            assert wait_until(lambda rec=rec, batch=batch: rec.got == [batch])
            th.quit()
            assert th.wait(10_000)
            done += 1
        s.sig.disconnect()
    gc.collect()
    assert done == 200
    assert _open_fds() == before
