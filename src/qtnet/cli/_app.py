"""What every long-running command needs: the application object and clean
stops on SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import Any

from qtnet import QCoreApplication, QTimer

__all__ = ["application", "quit_on_signals"]

_SIGNAL_WAKE_MS = 200


def application() -> QCoreApplication:
    app = QCoreApplication.instance()
    return app if app is not None else QCoreApplication(sys.argv[:1])


def quit_on_signals(app: QCoreApplication, received: list[int] | None = None) -> Callable[[], None]:
    """SIGINT/SIGTERM make exec() return (a clean stop instead of KeyboardInterrupt)
    and are appended to ``received``; returns a function that puts the previous
    handlers back.

    Python runs a signal handler only between bytecodes of the main thread, and
    an event loop blocked in its poll may not come back to Python on its own
    (Qt's C++ loop never does; asyncio's select retries after EINTR), so a
    short timer wakes the loop, as PySide6 programs do, to act on the quit.
    """

    def stop(signum: int, frame: Any) -> None:
        del frame
        if received is not None:
            received.append(signum)
        # Queued, not app.quit() at once: the signal may come before exec() runs.
        QTimer.singleShot(0, app.quit)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(_SIGNAL_WAKE_MS)

    def restore() -> None:
        wake.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
