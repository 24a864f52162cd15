"""Shared pytest helpers for tests of qtnet's Qt classes.

* ``qapp``: a fixture giving each test a fresh :class:`QCoreApplication`; on
  teardown it runs the pending deferred deletes, shuts the application down
  and closes the main thread's event loop, so no callback, timer or queued
  call of one test leaks into the next.
* :func:`wait_until`: spin the calling thread's event loop until a predicate
  holds (Qt's ``QTRY_VERIFY`` / ``QTest::qWaitFor``).

Import the fixture into a test module with ``from qt_helpers import
qapp_fixture`` (pytest then finds it under its name, ``qapp``) and use
``assert wait_until(lambda: ...)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from qtnet import QCoreApplication
from qtnet.iocore.loops import current_thread_data


def wait_until(predicate: Callable[[], object], timeout_ms: int = 5000) -> bool:
    """Process the current thread's events until ``predicate()`` is true.

    Returns True as soon as it holds, False after ``timeout_ms``.  Like
    ``QTest::qWait`` it also runs pending ``deleteLater()`` deletions, which a
    bare processEvents() outside exec() leaves alone (as in Qt).  Sleeps 1 ms
    between loop passes so a waiting test does not burn a shared CPU.
    """
    td = current_thread_data()
    deadline = time.monotonic() + timeout_ms / 1000.0
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return bool(predicate())
        td.process_events()
        td.flush_deferred_deletes()
        if predicate():
            return True
        time.sleep(0.001)


def settle(ms: int = 50) -> None:
    """Process events for ``ms`` milliseconds (to show that something does NOT happen)."""
    wait_until(lambda: False, ms)


@pytest.fixture(name="qapp")
def qapp_fixture() -> Iterator[QCoreApplication]:
    existing = QCoreApplication.instance()
    if existing is not None:  # a test that forgot this fixture left one behind
        existing.shutdown()
    app = QCoreApplication([])
    try:
        yield app
    finally:
        td = current_thread_data()
        td.flush_deferred_deletes()
        if QCoreApplication.instance() is app:
            app.shutdown()
        td.process_events()
        td.flush_deferred_deletes()
        td.close_loop()
