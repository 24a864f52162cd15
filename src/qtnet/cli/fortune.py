"""The fortune commands: ``fortune-server`` (the project's main job),
``threaded-fortune-server``, ``fortune-client``, ``blocking-fortune-client``
and ``loopback``.

Each one runs the matching program of :mod:`qtnet.examples` under a
QCoreApplication and adds what a command line needs: options, a live status
(or log lines), a summary, clean stops on SIGINT/SIGTERM and exit codes
(0 ok, 1 failure, 2 bad usage — argparse).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

from qtnet import QCoreApplication, QHostAddress, QHostInfo, QTimer
from qtnet.cli._stream_versions import DEFAULT_STREAM_VERSION
from qtnet.cli.fortune_status import ProgressBars, ServerStatus
from qtnet.examples.fortunes import FortuneFileError, load_fortunes

__all__ = [
    "run_blocking_client",
    "run_client",
    "run_loopback",
    "run_server",
    "run_threaded_server",
]

_ANY_ADDRESSES = ("", "0.0.0.0", "::", "*", "any")
_SIGNAL_WAKE_MS = 200


def _application() -> QCoreApplication:
    app = QCoreApplication.instance()
    return app if app is not None else QCoreApplication(sys.argv[:1])


def _quit_on_signals(
    app: QCoreApplication, received: list[int] | None = None
) -> Callable[[], None]:
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


def _listen_address(host: str | None) -> QHostAddress | None:
    """QHostAddress.Any for "all addresses", an address literal, or the first
    address a host name resolves to; None if the name does not resolve."""
    if host is None or host.strip("[] ").lower() in _ANY_ADDRESSES:
        return QHostAddress(QHostAddress.Any)
    address = QHostAddress(host.strip("[]"))
    if not address.isNull():
        return address
    found = QHostInfo.fromName(host).addresses()
    return QHostAddress(found[0]) if found else None


# -- the servers ------------------------------------------------------------------------------
def run_server(args: argparse.Namespace) -> int:
    """``qtnet fortune-server``: the Fortune Server example."""
    return _serve(args, threaded=False)


def run_threaded_server(args: argparse.Namespace) -> int:
    """``qtnet threaded-fortune-server``: one QThread per connection."""
    return _serve(args, threaded=True)


def _serve(args: argparse.Namespace, threaded: bool) -> int:
    version = args.stream_version or DEFAULT_STREAM_VERSION
    try:
        fortunes = load_fortunes(args.fortunes, args.framing)
    except FortuneFileError as exc:
        print(exc, file=sys.stderr)
        return 1
    address = _listen_address(args.host)
    if address is None:
        print(f"Unable to start the server: cannot resolve {args.host!r}.", file=sys.stderr)
        return 1

    app = _application()
    server: Any
    if threaded:
        from qtnet.examples.threaded_fortune_server import ThreadedFortuneServer

        server = ThreadedFortuneServer(fortunes, args.framing, version)
        server.connectionError.connect(
            lambda error: print(f"A connection failed: {error!r}", file=sys.stderr, flush=True)
        )
    else:
        from qtnet.examples.fortune_server import FortuneServer

        server = FortuneServer(fortunes, args.framing, version)
    if not server.listen(address, args.port):
        print(f"Unable to start the server: {server.errorString()}.", file=sys.stderr)
        server.deleteLater()
        return 1

    if address == QHostAddress.Any:
        from qtnet.examples.fortune_server import displayAddress

        shown = displayAddress()
    else:
        shown = address.toString()
    # Handlers first: a client may signal as soon as it has read the line below.
    # They stay until the summary is out, so a second Ctrl-C is ignored.
    restore = _quit_on_signals(app)
    try:
        print(f"The server is running on IP: {shown} port: {server.serverPort()}", flush=True)
        status = ServerStatus(server, sys.stdout, args.log_interval)
        app.exec()
        server.close()
        status.finish()
        elapsed = status.elapsed()
        if args.log_interval or status.interactive:
            rate = server.served / elapsed if elapsed > 0 else 0.0
            print(f"Stopped after {elapsed:.1f} s ({rate:.1f} fortunes/s on average)")
        print(f"Served {server.served} fortunes", flush=True)
    finally:
        restore()
    return 0


# -- the clients ------------------------------------------------------------------------------
class _Outcome:
    """What a client run ended with: fortunes printed, or an error."""

    def __init__(self, app: QCoreApplication, count: int) -> None:
        self.app = app
        self.count = count
        self.received = 0
        self.failed = False

    def fortune(self, text: str) -> bool:
        """Print one; True while more are wanted."""
        print(text, flush=True)
        self.received += 1
        if self.received >= self.count:
            self.app.quit()
            return False
        return True

    def error(self, code: object, message: str) -> None:
        del code
        if not self.failed:
            print(message, file=sys.stderr, flush=True)
        self.failed = True
        self.app.quit()

    def timed_out(self, seconds: float) -> None:
        self.error(
            None, f"No answer within {seconds:g} s ({self.received} of {self.count} fortunes)."
        )

    def exit_code(self) -> int:
        return 1 if self.failed or self.received < self.count else 0


def _run_client_app(
    app: QCoreApplication, outcome: _Outcome, timeout: float, start: Callable[[], None]
) -> int:
    if timeout > 0:
        QTimer.singleShot(int(timeout * 1000), lambda: outcome.timed_out(timeout))
    signals: list[int] = []
    restore = _quit_on_signals(app, signals)  # before start(): a Ctrl-C may come at once
    try:
        start()
        app.exec()
    finally:
        restore()
    if signals and outcome.exit_code():
        print(f"Interrupted ({outcome.received} of {outcome.count} fortunes).", file=sys.stderr)
        return 128 + signals[0]  # the shell's convention for "killed by a signal"
    return outcome.exit_code()


def run_client(args: argparse.Namespace) -> int:
    """``qtnet fortune-client HOST PORT``: the event-driven client."""
    from qtnet.examples.fortune_client import FortuneClient

    app = _application()
    outcome = _Outcome(app, args.count)
    client = FortuneClient(args.host, args.port, args.framing)

    def show(fortune: str) -> None:
        if outcome.fortune(fortune):
            QTimer.singleShot(0, client.requestNewFortune)

    client.newFortune.connect(show)
    client.error.connect(outcome.error)
    return _run_client_app(app, outcome, args.timeout, client.requestNewFortune)


def run_blocking_client(args: argparse.Namespace) -> int:
    """``qtnet blocking-fortune-client HOST PORT``: QThread + waitFor*()."""
    from qtnet.examples.blocking_fortune_client import TIMEOUT_MS, BlockingFortuneThread
    from qtnet.examples.fortune_client import describeError

    app = _application()
    outcome = _Outcome(app, args.count)
    thread = BlockingFortuneThread(args.host, args.port, args.count, args.framing)
    where = f"{args.host} port {args.port}"
    # The thread object lives in this (main) thread: its signals are queued here.
    thread.newFortune.connect(outcome.fortune)
    thread.error.connect(lambda code, text: outcome.error(code, describeError(code, text, where)))
    thread.finished.connect(app.quit)
    code = _run_client_app(app, outcome, args.timeout, thread.start)
    # Stopped early (timeout, Ctrl-C): the thread ends after its current blocking call.
    thread.requestInterruption()
    if not thread.wait(TIMEOUT_MS + 5000):
        print("The fortune thread did not finish.", file=sys.stderr)
        return 1
    return code


# -- loopback ----------------------------------------------------------------------------------
def run_loopback(args: argparse.Namespace) -> int:
    """``qtnet loopback``: N MB from a client to a server in this process."""
    from qtnet.examples.loopback import Loopback

    total = int(args.mb * 1024 * 1024)
    if total <= 0:
        print("loopback: --mb must be above 0", file=sys.stderr)
        return 2
    app = _application()
    loopback = Loopback(total)
    bars = ProgressBars(total, sys.stdout)
    result: list[tuple[bool, str]] = []

    def done(ok: bool, message: str) -> None:
        result.append((ok, message))
        app.quit()

    loopback.progress.connect(bars.update)
    loopback.done.connect(done)
    if args.timeout > 0:
        QTimer.singleShot(
            int(args.timeout * 1000), lambda: done(False, f"Not finished within {args.timeout:g} s")
        )
    restore = _quit_on_signals(app)
    try:
        started = time.monotonic()
        loopback.start()
        if not result:  # else it failed at once
            app.exec()
    finally:
        restore()
    elapsed = time.monotonic() - started
    bars.update(loopback.bytesWritten, loopback.bytesReceived, final=True)
    ok, message = result[0] if result else (False, "Interrupted")
    if not ok:
        print(message, file=sys.stderr)
        return 1
    speed = total / (1024 * 1024) / elapsed if elapsed > 0 else 0.0
    print(f"{message}: {args.mb:g} MB in {elapsed:.2f} s ({speed:.1f} MB/s)", flush=True)
    return 0
