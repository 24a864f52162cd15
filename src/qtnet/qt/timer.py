"""QTimer on the owning thread's asyncio loop.

A repeating timer is re-armed from its previous deadline, not from "now", so a
slow slot does not make the period drift (Qt's PreciseTimer/CoarseTimer both
aim at that); if the loop fell behind by more than one period the next deadline
is taken from "now" instead of firing a burst of catch-up timeouts, as Qt does.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from .namespace import Qt
from .qobject import QObject
from .signals import Signal, SignalInstance

_ids = itertools.count(1)
_ids_lock = threading.Lock()


class QTimerEvent:
    def __init__(self, timer_id: int) -> None:
        self._id = timer_id

    def timerId(self) -> int:  # noqa: N802
        return self._id


class QTimer(QObject):
    timeout = Signal()

    _interval = 0
    _single = False
    _handle: Any = None
    _deadline = 0.0
    _id = -1
    _type = Qt.TimerType.CoarseTimer

    def __init__(self, parent: QObject | None = None, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)

    def _allocate_id(self) -> int:
        with _ids_lock:
            return next(_ids)

    # -- properties ---------------------------------------------------------
    def interval(self) -> int:
        return self._interval

    def setInterval(self, msec: int) -> None:  # noqa: N802
        self._interval = max(0, int(msec))
        if self._handle is not None:
            self.start()

    def isSingleShot(self) -> bool:  # noqa: N802
        return self._single

    def setSingleShot(self, single: bool) -> None:  # noqa: N802
        self._single = bool(single)

    def timerType(self) -> Qt.TimerType:  # noqa: N802
        return Qt.TimerType(self._type)

    def setTimerType(self, t: int) -> None:  # noqa: N802
        self._type = Qt.TimerType(int(t))

    def isActive(self) -> bool:  # noqa: N802
        return self._handle is not None

    def timerId(self) -> int:  # noqa: N802
        return self._id if self._handle is not None else -1

    def id(self) -> int:  # noqa: A003
        return self.timerId()

    def remainingTime(self) -> int:  # noqa: N802
        """Milliseconds until the next timeout; 0 if overdue, -1 if inactive."""
        if self._handle is None:
            return -1
        left = self._deadline - self._td.loop().time()
        return max(0, int(left * 1000 + 0.5))

    # -- start / stop -------------------------------------------------------
    def start(self, msec: int | None = None) -> None:
        if msec is not None:
            self._interval = max(0, int(msec))
        self.stop()
        if self._deleted:
            return
        if self._id < 0:
            self._id = self._allocate_id()
        td = self._td
        if td.ident is not None and not td.is_current():
            # Qt refuses timers started from another thread; we hand it over.
            td.post(self.start)
            return
        loop = td.loop()
        self._deadline = loop.time() + self._interval / 1000.0
        self._handle = loop.call_at(self._deadline, self._fire)

    def stop(self) -> None:
        h = self._handle
        if h is not None:
            self._handle = None
            h.cancel()

    def callOnTimeout(self, slot: Callable[..., Any], type: int = 0) -> Any:  # noqa: N802,A002
        return self.timeout.connect(slot, type)

    def _fire(self) -> None:
        if self._handle is None or self._deleted:
            return
        if self._single:
            self._handle = None
        else:
            loop = self._td.loop()
            period = self._interval / 1000.0
            nxt = self._deadline + period
            now = loop.time()
            if nxt <= now:
                nxt = now + period
            self._deadline = nxt
            self._handle = loop.call_at(nxt, self._fire)
        self.timeout.emit()

    def _on_delete(self) -> None:
        self.stop()

    def _moved_thread(self, old: Any, new: Any) -> None:
        if self._handle is not None:
            self.stop()
            new.post(self.start)

    # -- QTimer.singleShot ----------------------------------------------------
    @staticmethod
    def singleShot(msec: int, *args: Any) -> None:  # noqa: N802
        """``singleShot(msec, callable)``, ``singleShot(msec, receiver, slot)``,
        ``singleShot(msec, timerType, ...)`` as in PySide6."""
        if args and isinstance(args[0], (Qt.TimerType,)):
            args = args[1:]
        if len(args) == 1:
            receiver, target = None, args[0]
        elif len(args) == 2:
            receiver, target = args
        else:
            raise TypeError(
                "singleShot(msec, [timerType,] callable) or singleShot(msec, receiver, slot)"
            )
        if isinstance(target, (bytes, bytearray)):
            target = target.decode()
        if isinstance(target, str):
            # A member name: "name", or SLOT()'s spelling "1name()".
            target = getattr(receiver, target.lstrip("0123456789").split("(", 1)[0])
        if isinstance(target, SignalInstance):
            if receiver is None:
                receiver = target._owner
            target = target.emit
        elif receiver is None and isinstance(getattr(target, "__self__", None), QObject):
            # PySide6 6.12: a QObject's bound method is its own context (the
            # call is dropped once that object is deleted).
            receiver = target.__self__
        from ..iocore.loops import current_thread_data

        td = receiver._td if isinstance(receiver, QObject) else current_thread_data()

        def fire() -> None:
            if isinstance(receiver, QObject) and receiver._deleted:
                return
            try:
                target()
            except Exception:
                import sys

                sys.excepthook(*sys.exc_info())

        delay = max(0, int(msec)) / 1000.0
        if td.ident is not None and not td.is_current():
            td.post(lambda: td.loop().call_later(delay, fire))
        else:
            td.loop().call_later(delay, fire)
