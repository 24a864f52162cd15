"""QThread: an OS thread with its own event loop, Qt's way.

The QThread *object* lives in the thread that created it (so its own slots run
there — Qt's well-known rule); the thread it manages has its own ThreadData,
created here in the constructor so workers can be moved to it before start().
"""

from __future__ import annotations

import enum
import os
import threading
import time
from typing import TYPE_CHECKING, Any, ClassVar

from ..iocore.loops import (
    ThreadData,
    bind_current_thread,
    current_thread_data,
    unbind_current_thread,
)
from .enums import export_enums
from .qobject import QObject
from .signals import Signal

_ULONG_MAX = 0xFFFFFFFFFFFFFFFF


class QThread(QObject):
    started = Signal()
    finished = Signal()

    class Priority(enum.IntEnum):
        IdlePriority = 0
        LowestPriority = 1
        LowPriority = 2
        NormalPriority = 3
        HighPriority = 4
        HighestPriority = 5
        TimeCriticalPriority = 6
        InheritPriority = 7

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        IdlePriority: ClassVar[QThread.Priority]
        LowestPriority: ClassVar[QThread.Priority]
        LowPriority: ClassVar[QThread.Priority]
        NormalPriority: ClassVar[QThread.Priority]
        HighPriority: ClassVar[QThread.Priority]
        HighestPriority: ClassVar[QThread.Priority]
        TimeCriticalPriority: ClassVar[QThread.Priority]
        InheritPriority: ClassVar[QThread.Priority]

    def __init__(self, parent: QObject | None = None, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self._thread_data = ThreadData(qthread=self)
        self._os_thread: threading.Thread | None = None
        self._running = False
        self._finished = False
        self._interrupt = False
        self._priority = QThread.Priority.InheritPriority
        self._stack_size = 0
        self._state_lock = threading.Lock()
        self._in_exec = False  # exec() is running or about to (guarded by _state_lock)

    @classmethod
    def _adopt(cls, td: ThreadData) -> QThread:
        """A QThread object for a thread qtnet did not start (main, threading.Thread)."""
        t = cls.__new__(cls)
        QObject.__init__(t)
        t._td = td
        t._thread_data = td
        t._os_thread = threading.current_thread() if td.is_current() else None
        t._running = True
        t._finished = False
        t._interrupt = False
        t._priority = QThread.Priority.NormalPriority
        t._stack_size = 0
        t._state_lock = threading.Lock()
        t._in_exec = False
        td.qthread = t
        return t

    @classmethod
    def _for_thread_data(cls, td: ThreadData) -> QThread:
        q = td.qthread
        if q is None:
            q = cls._adopt(td)
        return q  # type: ignore[no-any-return]

    # -- static helpers -----------------------------------------------------
    @staticmethod
    def currentThread() -> QThread:  # noqa: N802
        return QThread._for_thread_data(current_thread_data())

    @staticmethod
    def currentThreadId() -> int:  # noqa: N802
        return threading.get_ident()

    @staticmethod
    def isMainThread() -> bool:  # noqa: N802
        return threading.current_thread() is threading.main_thread()

    @staticmethod
    def idealThreadCount() -> int:  # noqa: N802
        return os.cpu_count() or 1

    @staticmethod
    def yieldCurrentThread() -> None:  # noqa: N802
        time.sleep(0)

    @staticmethod
    def sleep(secs: float) -> None:
        time.sleep(secs)

    @staticmethod
    def msleep(msecs: int) -> None:
        time.sleep(msecs / 1000.0)

    @staticmethod
    def usleep(usecs: int) -> None:
        time.sleep(usecs / 1_000_000.0)

    # -- lifecycle ----------------------------------------------------------
    def start(self, priority: int = Priority.InheritPriority) -> None:
        with self._state_lock:
            if self._running:
                return  # Qt: start() on a running thread does nothing
            self._running = True
            self._finished = False
        self._priority = QThread.Priority(int(priority))
        td = self._thread_data
        td.finished = False
        td.quit_now = False
        td.exit_code = 0
        self._interrupt = False
        if self._stack_size:
            threading.stack_size(max(self._stack_size, 32768))
        # Daemon: like a C++ program, the process may exit with threads alive
        # (Qt only warns "QThread: Destroyed while thread is still running").
        t = threading.Thread(
            target=self._bootstrap, name=self.objectName() or "QThread", daemon=True
        )
        self._os_thread = t
        t.start()
        if self._stack_size:
            threading.stack_size(0)

    def _bootstrap(self) -> None:
        td = self._thread_data
        bind_current_thread(td)
        try:
            self.started.emit()
            self.run()
        except Exception:
            import sys

            sys.excepthook(*sys.exc_info())
        finally:
            with self._state_lock:
                self._finished = True
                self._running = False
            try:
                self.finished.emit()
                # Qt deletes the objects whose deleteLater was called in this
                # thread (typically finished→worker.deleteLater) before it ends.
                td.flush_deferred_deletes()
            finally:
                td.finished = True
                td.close_loop()
                unbind_current_thread()

    def run(self) -> None:
        """The thread's body; the default runs an event loop (exec)."""
        self.exec()

    def exec(self) -> int:
        td = self._thread_data
        if not td.is_current():
            import warnings

            warnings.warn(
                "QThread::exec: Must be called from the managed thread",
                RuntimeWarning,
                stacklevel=2,
            )
            return -1
        # exit() may come from another thread at any moment: decide under the
        # lock whether it arrived before exec() (return at once) or after (it
        # then stops the loop, even one that has not started spinning yet).
        td.loop()  # exists before exit() can need it
        with self._state_lock:
            if td.quit_now:
                td.quit_now = False
                return td.exit_code
            td.exit_code = 0
            self._in_exec = True
        try:
            td.run_level()
        finally:
            with self._state_lock:
                self._in_exec = False
                td.quit_now = False
        return td.exit_code

    exec_ = exec

    def exit(self, returnCode: int = 0) -> None:  # noqa: N803
        td = self._thread_data
        with self._state_lock:
            td.exit_code = returnCode
            if self._in_exec or td.loop_level > 0:  # exec() or a QEventLoop runs
                td.stop_level()
            else:
                # Qt: exit() before exec() makes the next exec() return at once.
                td.quit_now = True

    def quit(self) -> None:
        self.exit(0)

    def wait(self, deadline: Any = _ULONG_MAX) -> bool:
        """Block until the thread finished (True) or ``deadline`` ms passed (False)."""
        t = self._os_thread
        if t is None or not self._running and self._finished:
            return True
        if t is threading.current_thread():
            import warnings

            warnings.warn(
                "QThread::wait: Thread tried to wait on itself", RuntimeWarning, stacklevel=2
            )
            return False
        if hasattr(deadline, "remainingTime"):  # QDeadlineTimer-like
            deadline = deadline.remainingTime()
        forever = deadline is None or deadline < 0 or deadline >= _ULONG_MAX
        timeout = None if forever else deadline / 1000.0
        t.join(timeout)
        return not t.is_alive()

    def terminate(self) -> None:
        # Python threads cannot be killed; ask the loop to stop instead.
        self._interrupt = True
        self.quit()

    def isRunning(self) -> bool:  # noqa: N802
        return self._running

    def isFinished(self) -> bool:  # noqa: N802
        return self._finished

    def requestInterruption(self) -> None:  # noqa: N802
        self._interrupt = True

    def isInterruptionRequested(self) -> bool:  # noqa: N802
        return self._interrupt

    def loopLevel(self) -> int:  # noqa: N802
        return self._thread_data.loop_level

    def priority(self) -> QThread.Priority:
        return self._priority

    def setPriority(self, priority: int) -> None:  # noqa: N802
        # CPython threads have no priorities; the value is kept for the getter.
        self._priority = QThread.Priority(int(priority))

    def stackSize(self) -> int:  # noqa: N802
        return self._stack_size

    def setStackSize(self, size: int) -> None:  # noqa: N802
        self._stack_size = int(size)


export_enums(QThread, QThread.Priority)
