"""QCoreApplication and QEventLoop: exec/quit/exit, the singleton, processEvents."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from qt_helpers import qapp_fixture, wait_until  # noqa: F401 - the qapp fixture
from qtnet import QCoreApplication, QEventLoop, QObject, Qt, QTimer, Signal


def test_exec_returns_the_exit_code_and_can_run_again(qapp: Any) -> None:
    QTimer.singleShot(0, lambda: QCoreApplication.exit(5))
    assert QCoreApplication.exec() == 5
    QTimer.singleShot(0, QCoreApplication.quit)
    assert qapp.exec() == 0  # instance spelling, and a second run
    QTimer.singleShot(0, lambda: qapp.exit(-2))
    assert qapp.exec_() == -2


def _no_application() -> None:
    leftover = QCoreApplication.instance()
    if leftover is not None:
        leftover.shutdown()


def test_instance_and_shutdown() -> None:
    _no_application()
    app = QCoreApplication(["prog"])
    try:
        assert QCoreApplication.instance() is app
        with pytest.raises(RuntimeError, match="destroy the QCoreApplication singleton"):
            QCoreApplication([])
    finally:
        app.shutdown()
    assert QCoreApplication.instance() is None
    again = QCoreApplication([])  # a new one may be made after shutdown()
    assert QCoreApplication.instance() is again
    again.shutdown()


def test_exec_without_an_application_raises() -> None:
    _no_application()
    with pytest.raises(RuntimeError, match="instantiate"):
        QCoreApplication.exec()


def test_about_to_quit_is_emitted_when_exec_ends(qapp: Any) -> None:
    seen: list[bool] = []
    qapp.aboutToQuit.connect(lambda: seen.append(qapp.instance() is qapp))
    QTimer.singleShot(0, QCoreApplication.quit)
    qapp.exec()
    assert seen == [True]
    QTimer.singleShot(0, QCoreApplication.quit)
    qapp.exec()
    assert seen == [True, True]  # once per exec(), as in PySide6 6.12


def test_quit_before_exec_does_nothing(qapp: Any) -> None:
    # Qt 6 (checked in PySide6 6.12): quit()/exit() while no loop runs are ignored.
    QCoreApplication.quit()
    QCoreApplication.exit(9)
    ran: list[int] = []
    QTimer.singleShot(20, lambda: ran.append(1))
    QTimer.singleShot(40, lambda: QCoreApplication.exit(3))
    assert qapp.exec() == 3
    assert ran == [1]


def test_exit_from_another_thread_stops_exec(qapp: Any) -> None:
    def later() -> None:
        time.sleep(0.05)
        QCoreApplication.exit(11)

    th = threading.Thread(target=later)
    th.start()
    QTimer.singleShot(10_000, lambda: QCoreApplication.exit(-1))  # safety net
    assert qapp.exec() == 11
    th.join(10)


def test_process_events_runs_pending_queued_calls(qapp: Any) -> None:
    class Src(QObject):
        sig = Signal(int)

    s = Src()
    got: list[int] = []
    s.sig.connect(got.append, Qt.QueuedConnection)
    s.sig.emit(1)
    s.sig.emit(2)
    assert got == []
    QCoreApplication.processEvents()
    assert got == [1, 2]
    s.sig.emit(3)
    QCoreApplication.sendPostedEvents()
    assert got == [1, 2, 3]


def test_process_events_inside_a_slot_is_harmless(qapp: Any) -> None:
    order: list[str] = []

    def slot() -> None:
        order.append("slot")
        QCoreApplication.processEvents()
        order.append("after processEvents")
        QCoreApplication.quit()

    QTimer.singleShot(0, slot)
    assert qapp.exec() == 0
    assert order == ["slot", "after processEvents"]


def test_exec_runs_pending_deferred_deletes(qapp: Any) -> None:
    o = QObject()
    o.deleteLater()
    QCoreApplication.processEvents()
    assert not o.isDeleted()  # Qt: only an event loop deletes
    QTimer.singleShot(0, QCoreApplication.quit)
    qapp.exec()
    assert o.isDeleted()


def test_application_facts(qapp: Any) -> None:
    assert isinstance(QCoreApplication.arguments(), list)
    assert QCoreApplication.applicationPid() > 0
    QCoreApplication.setApplicationName("qtnet-test")
    QCoreApplication.setOrganizationName("org")
    QCoreApplication.setApplicationVersion("1.2")
    QCoreApplication.setOrganizationDomain("example.org")
    assert QCoreApplication.applicationName() == "qtnet-test"
    assert QCoreApplication.organizationName() == "org"
    assert QCoreApplication.applicationVersion() == "1.2"
    assert QCoreApplication.organizationDomain() == "example.org"


# -- QEventLoop -------------------------------------------------------------------------------


def test_event_loop_exec_exit_and_is_running(qapp: Any) -> None:
    loop = QEventLoop()
    inside: list[bool] = []
    assert not loop.isRunning()

    def stop() -> None:
        inside.append(loop.isRunning())
        loop.exit(4)

    QTimer.singleShot(0, stop)
    assert loop.exec() == 4
    assert inside == [True] and not loop.isRunning()
    QTimer.singleShot(0, loop.quit)
    assert loop.exec() == 0


def test_event_loop_exit_before_exec_is_forgotten(qapp: Any) -> None:
    # Qt: exec() starts afresh; an earlier exit() does not end it.
    loop = QEventLoop()
    loop.exit(8)
    QTimer.singleShot(20, lambda: loop.exit(2))
    assert loop.exec() == 2


def test_event_loop_exit_from_another_thread(qapp: Any) -> None:
    loop = QEventLoop()
    th = threading.Thread(target=lambda: (time.sleep(0.05), loop.exit(6)))
    th.start()
    QTimer.singleShot(10_000, lambda: loop.exit(-1))  # safety net
    assert loop.exec() == 6
    th.join(10)


def test_nested_exec_inside_a_running_loop_raises_a_clear_error(qapp: Any) -> None:
    # Documented limitation: asyncio loops cannot nest.
    errors: list[str] = []

    def nested() -> None:
        inner = QEventLoop()
        try:
            inner.exec()
        except RuntimeError as e:
            errors.append(str(e))
        assert not inner.isRunning()
        QCoreApplication.quit()

    QTimer.singleShot(0, nested)
    assert qapp.exec() == 0
    assert len(errors) == 1
    assert "already running" in errors[0] and "cannot nest" in errors[0]


def test_event_loop_process_events(qapp: Any) -> None:
    got: list[int] = []
    QTimer.singleShot(0, lambda: got.append(1))
    loop = QEventLoop()
    assert wait_until(lambda: loop.processEvents() and got == [1])


def test_event_loop_exec_from_the_wrong_thread_warns(qapp: Any) -> None:
    loop = QEventLoop()
    result: list[Any] = []

    def run() -> None:
        import warnings

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result.append(loop.exec())
        result.append(len(caught))

    th = threading.Thread(target=run)
    th.start()
    th.join(10)
    assert result == [-1, 1]
