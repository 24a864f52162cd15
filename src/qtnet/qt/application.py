"""QCoreApplication and QEventLoop over the main thread's asyncio loop.

qtnet objects need no QCoreApplication: every thread gets a loop on demand, so
library code and asyncio programs can use QTcpServer directly.  The class is
there for programs written for Qt (``app = QCoreApplication(sys.argv)``,
``sys.exit(app.exec())``) and for ``aboutToQuit``.  Inside an asyncio program
that already runs a loop, ``await app.exec_async()`` plays the part of exec().
"""

from __future__ import annotations

import asyncio
import enum
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ..iocore.loops import current_thread_data
from .enums import export_enums
from .qobject import QObject
from .signals import Signal


class QEventLoop(QObject):
    class ProcessEventsFlag(enum.IntFlag):
        AllEvents = 0x00
        ExcludeUserInputEvents = 0x01
        ExcludeSocketNotifiers = 0x02
        WaitForMoreEvents = 0x04
        X11ExcludeTimers = 0x08
        EventLoopExec = 0x20
        DialogExec = 0x40

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        AllEvents: ClassVar[QEventLoop.ProcessEventsFlag]
        ExcludeUserInputEvents: ClassVar[QEventLoop.ProcessEventsFlag]
        ExcludeSocketNotifiers: ClassVar[QEventLoop.ProcessEventsFlag]
        WaitForMoreEvents: ClassVar[QEventLoop.ProcessEventsFlag]
        X11ExcludeTimers: ClassVar[QEventLoop.ProcessEventsFlag]
        EventLoopExec: ClassVar[QEventLoop.ProcessEventsFlag]
        DialogExec: ClassVar[QEventLoop.ProcessEventsFlag]

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._code = 0
        self._running = False
        self._exit_requested = False

    def exec(self, flags: int = 0) -> int:
        td = self._td
        if not td.is_current():
            import warnings

            warnings.warn(
                "QEventLoop::exec: Cannot be called from a thread other than its own",
                RuntimeWarning,
                stacklevel=2,
            )
            return -1
        self._code = 0
        self._exit_requested = False
        td.loop()  # exists before exit() from another thread needs it
        self._running = True
        try:
            td.run_level()
        finally:
            self._running = False
        return self._code

    exec_ = exec

    def exit(self, returnCode: int = 0) -> None:  # noqa: N803
        self._code = returnCode
        if self._running:
            self._td.stop_level()

    def quit(self) -> None:
        self.exit(0)

    def isRunning(self) -> bool:  # noqa: N802
        return self._running

    def wakeUp(self) -> None:  # noqa: N802
        self._td.post(lambda: None)

    def processEvents(self, flags: int = 0, maxTime: int | None = None) -> bool:  # noqa: N802,N803
        self._td.process_events()
        return True


export_enums(QEventLoop, QEventLoop.ProcessEventsFlag)


class QCoreApplication(QObject):
    aboutToQuit = Signal()
    applicationNameChanged = Signal()
    applicationVersionChanged = Signal()
    organizationNameChanged = Signal()
    organizationDomainChanged = Signal()

    _instance: QCoreApplication | None = None
    _app_name = ""
    _app_version = ""
    _org_name = ""
    _org_domain = ""

    def __init__(self, argv: Sequence[str] | None = None) -> None:
        if QCoreApplication._instance is not None and not QCoreApplication._instance._deleted:
            raise RuntimeError(
                "Please destroy the QCoreApplication singleton before creating a new "
                "QCoreApplication instance."
            )
        super().__init__()
        self._argv = list(sys.argv if argv is None else argv)
        if not QCoreApplication._app_name and self._argv:
            QCoreApplication._app_name = os.path.splitext(os.path.basename(self._argv[0]))[0]
        self._code = 0
        self._running = False
        self._async_future: asyncio.Future[int] | None = None
        QCoreApplication._instance = self

    @staticmethod
    def instance() -> QCoreApplication | None:
        inst = QCoreApplication._instance
        return inst if inst is not None and not inst._deleted else None

    # -- the main loop ------------------------------------------------------
    def _exec(self) -> int:
        td = self._td
        self._code = 0
        td.loop()  # exists before exit() from another thread needs it
        self._running = True
        try:
            td.run_level()
        finally:
            self._running = False
        self.aboutToQuit.emit()
        td.flush_deferred_deletes()
        return self._code

    @staticmethod
    def exec() -> int:
        app = QCoreApplication._require()
        return app._exec()

    exec_ = exec

    async def exec_async(self) -> int:
        """Wait until quit()/exit() inside a running asyncio loop (qtnet extension)."""
        loop = asyncio.get_running_loop()
        self._td.loop()  # adopt the running loop so other threads' posts reach it
        self._async_future = loop.create_future()
        self._running = True
        try:
            code = await self._async_future
        finally:
            self._running = False
            self._async_future = None
        self.aboutToQuit.emit()
        return code

    @staticmethod
    def exit(returnCode: int = 0) -> None:  # noqa: N803
        app = QCoreApplication.instance()
        if app is None or not app._running:
            return  # Qt 6: exit() does nothing while no event loop runs
        app._code = returnCode
        fut = app._async_future
        if fut is not None:

            def resolve() -> None:
                if not fut.done():
                    fut.set_result(returnCode)

            app._td.post(resolve)
        else:
            app._td.stop_level()

    @staticmethod
    def quit() -> None:
        QCoreApplication.exit(0)

    @staticmethod
    def processEvents(flags: int = 0, maxtime: int | None = None) -> None:  # noqa: N802
        current_thread_data().process_events()

    @staticmethod
    def sendPostedEvents(receiver: Any = None, event_type: int = 0) -> None:  # noqa: N802
        td = current_thread_data()
        td.flush_deferred_deletes()
        td.process_events()

    @staticmethod
    def _require() -> QCoreApplication:
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError(
                "QCoreApplication::exec: Please instantiate the QApplication object first"
            )
        return app

    # -- application facts --------------------------------------------------
    @staticmethod
    def arguments() -> list[str]:
        app = QCoreApplication.instance()
        return list(app._argv) if app is not None else list(sys.argv)

    @staticmethod
    def applicationPid() -> int:  # noqa: N802
        return os.getpid()

    @staticmethod
    def applicationFilePath() -> str:  # noqa: N802
        return os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""

    @staticmethod
    def applicationDirPath() -> str:  # noqa: N802
        return os.path.dirname(QCoreApplication.applicationFilePath())

    @staticmethod
    def applicationName() -> str:  # noqa: N802
        return QCoreApplication._app_name

    @staticmethod
    def setApplicationName(name: str) -> None:  # noqa: N802
        QCoreApplication._app_name = name

    @staticmethod
    def applicationVersion() -> str:  # noqa: N802
        return QCoreApplication._app_version

    @staticmethod
    def setApplicationVersion(v: str) -> None:  # noqa: N802
        QCoreApplication._app_version = v

    @staticmethod
    def organizationName() -> str:  # noqa: N802
        return QCoreApplication._org_name

    @staticmethod
    def setOrganizationName(name: str) -> None:  # noqa: N802
        QCoreApplication._org_name = name

    @staticmethod
    def organizationDomain() -> str:  # noqa: N802
        return QCoreApplication._org_domain

    @staticmethod
    def setOrganizationDomain(d: str) -> None:  # noqa: N802
        QCoreApplication._org_domain = d

    @staticmethod
    def closingDown() -> bool:  # noqa: N802
        return False

    def _on_delete(self) -> None:
        if QCoreApplication._instance is self:
            QCoreApplication._instance = None

    def shutdown(self) -> None:
        """Delete the singleton (PySide6's ``app.shutdown()``), e.g. between tests."""
        self._destroy()
