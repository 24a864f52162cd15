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
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO, cast

from qtnet import QCoreApplication, QHostAddress, QHostInfo, QTimer
from qtnet.cli._app import application as _application
from qtnet.cli._app import quit_on_signals as _quit_on_signals
from qtnet.cli._stream_versions import DEFAULT_STREAM_VERSION
from qtnet.cli.fortune_status import ProgressBars, ServerStatus
from qtnet.examples.fortunes import FortuneFileError, load_fortunes
from qtnet.iocore.workers import systemd_listen_fds

__all__ = [
    "run_blocking_client",
    "run_client",
    "run_loopback",
    "run_server",
    "run_threaded_server",
]

_ANY_ADDRESSES = ("", "0.0.0.0", "::", "*", "any")


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
    inherited = systemd_listen_fds()
    if inherited:
        # Socket activation: systemd made (and keeps) the listening socket.
        return _serve_one(args, threaded, fortunes, version, None, inherited[0], announce=True)
    if args.workers > 1:
        return _serve_workers(args, threaded, fortunes, version)
    address = _listen_address(args.host)
    if address is None:
        print(f"Unable to start the server: cannot resolve {args.host!r}.", file=sys.stderr)
        return 1
    return _serve_one(args, threaded, fortunes, version, address, None, announce=True)


def _make_server(threaded: bool, fortunes: Sequence[str], framing: str, version: int) -> Any:
    if threaded:
        from qtnet.examples.threaded_fortune_server import ThreadedFortuneServer

        server = ThreadedFortuneServer(fortunes, framing, version)
        server.connectionError.connect(
            lambda error: print(f"A connection failed: {error!r}", file=sys.stderr, flush=True)
        )
        return server
    from qtnet.examples.fortune_server import FortuneServer

    return FortuneServer(fortunes, framing, version)


def _shown_address(address: QHostAddress) -> str:
    """The address for "The server is running on IP: ...": for a server on all
    addresses, the seed's choice (first non-localhost IPv4 address)."""
    if address in (QHostAddress.Any, QHostAddress.AnyIPv4, QHostAddress.AnyIPv6):
        from qtnet.examples.fortune_server import displayAddress

        return displayAddress()
    return address.toString()


def _is_any(host: str | None) -> bool:
    return host is None or host.strip("[] ").lower() in _ANY_ADDRESSES


def _serve_one(
    args: argparse.Namespace,
    threaded: bool,
    fortunes: Sequence[str],
    version: int,
    address: QHostAddress | None,
    descriptor: int | None,
    announce: bool,
    stream: TextIO = sys.stdout,
    served: list[int] | None = None,
) -> int:
    """One server process: listen on ``address``, or adopt the listening
    ``descriptor`` (socket activation, a worker's socket); serve until stopped."""
    app = _application()
    server = _make_server(threaded, fortunes, args.framing, version)
    ok = (
        server.listen(address, args.port)
        if descriptor is None
        else (server.setSocketDescriptor(descriptor))
    )
    if not ok:
        print(f"Unable to start the server: {server.errorString()}.", file=sys.stderr)
        server.deleteLater()
        return 1
    # Handlers first: a client may signal as soon as it has read the line below.
    # They stay until the summary is out, so a second Ctrl-C is ignored.
    restore = _quit_on_signals(app)
    try:
        if announce:
            shown = _shown_address(address if address is not None else server.serverAddress())
            print(f"The server is running on IP: {shown} port: {server.serverPort()}", flush=True)
        status = ServerStatus(server, stream, args.log_interval)
        app.exec()
        server.close()
        status.finish()
        elapsed = status.elapsed()
        if args.log_interval or status.interactive:
            rate = server.served / elapsed if elapsed > 0 else 0.0
            print(f"Stopped after {elapsed:.1f} s ({rate:.1f} fortunes/s on average)", file=stream)
        print(f"Served {server.served} fortunes", file=stream, flush=True)
        if served is not None:
            served.append(server.served)
    finally:
        restore()
    return 0


class _WorkerLog:
    """A worker's stdout: each line prefixed with the worker's number, never a
    terminal (N live status lines on one terminal would overwrite each other)."""

    def __init__(self, index: int, out: TextIO) -> None:
        self.prefix = f"[worker {index}] "
        self.out = out
        self.line_start = True  # print() writes the text and its "\n" separately

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        parts = []
        for line in text.splitlines(keepends=True):
            parts.append(self.prefix + line if self.line_start else line)
            self.line_start = line.endswith("\n")
        self.out.write("".join(parts))
        return len(text)

    def flush(self) -> None:
        self.out.flush()


def _serve_workers(
    args: argparse.Namespace, threaded: bool, fortunes: Sequence[str], version: int
) -> int:
    """``--workers N``: N processes, one SO_REUSEPORT socket each (iocore.workers)."""
    from qtnet.iocore.workers import WorkerError, serve_workers

    # Each worker writes its count here when it stops; the parent adds them up.
    served_read, served_write = os.pipe()

    def worker(fd: int, index: int) -> int:
        os.close(served_read)
        served: list[int] = []
        log = cast(TextIO, _WorkerLog(index, sys.stdout))
        code = _serve_one(args, threaded, fortunes, version, None, fd, False, log, served)
        os.write(served_write, f"{sum(served)}\n".encode())
        return code

    def announce(address: str, port: int) -> None:
        shown = _shown_address(QHostAddress(address))
        print(
            f"The server is running on IP: {shown} port: {port} ({args.workers} workers)",
            flush=True,
        )

    try:
        code = serve_workers(
            worker,
            args.workers,
            host=None if _is_any(args.host) else args.host,
            port=args.port,
            on_bound=announce,
        )
    except WorkerError as exc:
        print(f"Unable to start the server: {exc}.", file=sys.stderr)
        return 1
    finally:
        os.close(served_write)
    with os.fdopen(served_read, "rb") as counts:
        total = sum(int(line) for line in counts.read().split())
    print(f"Served {total} fortunes in {args.workers} workers", flush=True)
    return code


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
