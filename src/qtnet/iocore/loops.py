"""Per-thread event loops: the one place that knows about asyncio loops and threads.

Qt gives every thread its own event queue (QThreadData); objects live in a thread
("thread affinity") and queued signal deliveries, timers and deleteLater run on
that thread's loop.  qtnet maps this onto one asyncio loop per thread:

* A thread's loop is created lazily, by whoever first needs it (a timer started
  in the thread, or another thread posting an event to it).  If the thread
  already runs an asyncio loop (``asyncio.run``, qasync, ...) that loop is
  adopted instead, so qtnet objects work inside an existing asyncio program.
* uvloop is used where installed unless ``QTNET_LOOP=asyncio``.
* ``ThreadData`` is created with its QThread object, before the OS thread
  exists, because Qt lets programs ``moveToThread`` a worker before ``start()``.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from typing import Any

_get_running_loop = asyncio._get_running_loop  # C-level, returns None when no loop runs


def loop_implementation() -> str:
    """'uvloop' or 'asyncio': what new qtnet loops are made of."""
    if os.environ.get("QTNET_LOOP", "").lower() == "asyncio":
        return "asyncio"
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def new_event_loop() -> asyncio.AbstractEventLoop:
    if loop_implementation() == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


class ThreadData:
    """The event-loop state of one thread (Qt: QThreadData)."""

    __slots__ = (
        "ident",
        "qthread",
        "_loop",
        "_lock",
        "deferred_deletes",
        "_flush_scheduled",
        "_spinning",
        "loop_level",
        "quit_now",
        "exit_code",
        "finished",
        "__weakref__",
    )

    def __init__(self, qthread: Any = None) -> None:
        self.ident: int | None = None  # OS thread id once the thread runs
        self.qthread = qthread
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self.deferred_deletes: list[Any] = []
        self._flush_scheduled = False
        self._spinning = False  # inside process_events()
        self.loop_level = 0  # how many QEventLoop/exec levels are running here
        self.quit_now = False  # QThread.exit() before exec(): next exec returns at once
        self.exit_code = 0
        self.finished = False  # the QThread ended: events posted to it are dropped

    # -- the loop -----------------------------------------------------------
    def loop(self) -> asyncio.AbstractEventLoop:
        """This thread's asyncio loop, created or adopted on first use."""
        if self.ident == threading.get_ident():
            running = _get_running_loop()
            if running is not None and running is not self._loop:
                # The program runs its own loop here (asyncio.run, qasync): use it.
                self._loop = running
                return running
        loop = self._loop
        if loop is None or loop.is_closed():
            with self._lock:
                loop = self._loop
                if loop is None or loop.is_closed():
                    loop = new_event_loop()
                    self._loop = loop
        return loop

    def has_loop(self) -> bool:
        return self._loop is not None and not self._loop.is_closed()

    def is_current(self) -> bool:
        return self.ident == threading.get_ident()

    def post(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback(*args)`` on this thread's loop, from any thread."""
        if self.finished:
            return  # as in Qt, a finished thread processes no more events
        if self.ident == threading.get_ident():
            self.loop().call_soon(callback, *args)
            return
        # Another thread.  The lock orders this against close_loop(): without
        # it a post racing with the thread's end could create a fresh loop
        # after the old one was closed, and leak its file descriptors.
        with self._lock:
            if self.finished:
                return
            loop = self._loop
            if loop is None or loop.is_closed():
                loop = self._loop = new_event_loop()
            try:
                loop.call_soon_threadsafe(callback, *args)
            except RuntimeError:
                # The loop was closed under us (thread ended): like Qt, events for
                # a finished thread's objects are dropped.
                pass

    # -- deleteLater --------------------------------------------------------
    # Qt runs deferred deletes from an event loop (exec(), or a running asyncio
    # loop here), after the code that called deleteLater() returned to it; a
    # bare processEvents() outside any exec() never deletes (checked against Qt
    # 6.12).  So the posted flush is skipped while process_events() spins and
    # re-posted when an exec() level starts.
    def defer_delete(self, obj: Any) -> None:
        with self._lock:
            self.deferred_deletes.append(obj)
            if self._flush_scheduled:
                return
            self._flush_scheduled = True
        self.post(self._flush_from_loop)

    def _flush_from_loop(self) -> None:
        if self._spinning:
            with self._lock:
                self._flush_scheduled = False
            return
        self.flush_deferred_deletes()

    def _schedule_pending_deletes(self) -> None:
        with self._lock:
            if not self.deferred_deletes or self._flush_scheduled:
                return
            self._flush_scheduled = True
        self.post(self._flush_from_loop)

    def flush_deferred_deletes(self) -> None:
        """Delete every object whose deleteLater() is pending, now (Qt:
        sendPostedEvents(nullptr, DeferredDelete); also run at thread end)."""
        with self._lock:
            batch = self.deferred_deletes
            self.deferred_deletes = []
            self._flush_scheduled = False
        for obj in batch:
            obj._destroy()


    # -- running the loop (QEventLoop::exec and friends) ---------------------
    def run_level(self) -> None:
        """Run this thread's loop until ``stop_level`` (one exec() level)."""
        loop = self.loop()
        if loop.is_running():
            raise RuntimeError(
                "qtnet: this thread's asyncio loop is already running, and asyncio loops "
                "cannot nest; use waitFor*() (which never needs the loop), an async "
                "method with await, or signals instead of a nested exec()"
            )
        self._schedule_pending_deletes()
        self.loop_level += 1
        try:
            loop.run_forever()
        finally:
            self.loop_level -= 1

    def stop_level(self) -> None:
        """Make the innermost running exec() level return (from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if self.ident == threading.get_ident():
            loop.stop()
        else:
            try:
                loop.call_soon_threadsafe(loop.stop)
            except RuntimeError:
                pass

    def process_events(self) -> None:
        """Run one loop iteration: ready callbacks plus a non-blocking poll."""
        loop = self.loop()
        if loop.is_running():
            return  # called from a slot: the running loop will get there itself
        loop.call_soon(loop.stop)
        # Not an exec() level (Qt's loopLevel() does not count processEvents).
        self._spinning = True
        try:
            loop.run_forever()
        finally:
            self._spinning = False

    def is_running(self) -> bool:
        loop = self._loop
        return loop is not None and loop.is_running()

    def close_loop(self) -> None:
        """Release the loop's fds when its thread ends (threads can be many)."""
        with self._lock:  # see post()
            loop = self._loop
            self._loop = None
        if loop is not None and not loop.is_running() and not loop.is_closed():
            try:
                loop.close()
            except Exception:
                pass
        # The thread's socket notifier hub (an epoll descriptor) goes with it.
        from .notifier import release_hub

        release_hub(self)


_tls = threading.local()
_registry_lock = threading.Lock()
_main_ident = threading.main_thread().ident


def current_thread_data() -> ThreadData:
    """ThreadData of the calling thread (adopting a foreign thread on first use)."""
    try:
        return _tls.data  # type: ignore[no-any-return]
    except AttributeError:
        pass
    td = ThreadData()
    bind_current_thread(td)
    running = _get_running_loop()
    if running is not None:
        # First qtnet use inside a running asyncio loop (asyncio.run, another
        # thread's loop): adopt it now, so other threads posting here reach it.
        td._loop = running
    return td


def bind_current_thread(td: ThreadData) -> None:
    """Make ``td`` the calling thread's data (QThread start does this)."""
    td.ident = threading.get_ident()
    _tls.data = td


def unbind_current_thread() -> None:
    try:
        del _tls.data
    except AttributeError:
        pass


def is_main_thread() -> bool:
    return threading.get_ident() == _main_ident
