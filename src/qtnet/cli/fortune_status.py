"""What the fortune commands show while they run: a live status line on a
terminal, plain periodic log lines otherwise, and loopback's two progress bars.

Driven by a QTimer / signals on the main thread's loop; the periodic timer also
gives Python regular control, so SIGINT/SIGTERM handlers run promptly.
"""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO

from qtnet import QObject, QTimer

__all__ = ["ProgressBars", "ServerStatus", "is_terminal"]

_CLEAR_LINE = "\r\x1b[2K"
_LINE_UP = "\x1b[1A"
_TTY_REFRESH_MS = 500


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class CountingServer(Protocol):
    served: int

    def activeConnections(self) -> int: ...  # noqa: N802


class ServerStatus(QObject):
    """Connections served, rate and active connections of a fortune server.

    On a terminal one line is redrawn every 0.5 s; otherwise a timestamped line
    is printed every ``log_interval`` seconds when something happened since the
    previous one (0 = never).
    """

    def __init__(self, server: CountingServer, stream: TextIO, log_interval: float) -> None:
        super().__init__()
        self.server = server
        self.stream = stream
        self.interactive = is_terminal(stream)
        self.started = self.last_time = time.monotonic()
        self.last_served = 0
        self.drawn = False
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        period_ms = _TTY_REFRESH_MS if self.interactive else int(log_interval * 1000)
        if period_ms > 0:
            self.timer.start(period_ms)

    def tick(self) -> None:
        now = time.monotonic()
        served = self.server.served
        active = self.server.activeConnections()
        rate = (served - self.last_served) / max(now - self.last_time, 1e-6)
        if self.interactive:
            up = _duration(now - self.started)
            self.stream.write(
                f"{_CLEAR_LINE}served {served:,} | {rate:,.1f}/s | active {active} | up {up}"
            )
            self.drawn = True
        elif served != self.last_served or active:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S")
            self.stream.write(
                f"[{stamp}] served {served} fortunes ({rate:.1f}/s), {active} active\n"
            )
        self.stream.flush()
        self.last_time, self.last_served = now, served

    def finish(self) -> None:
        """Stop updating and clear the live line (the summary replaces it)."""
        self.timer.stop()
        if self.drawn:
            self.stream.write(_CLEAR_LINE)
            self.stream.flush()
            self.drawn = False

    def elapsed(self) -> float:
        return time.monotonic() - self.started


class ProgressBars:
    """Bytes written and bytes received, as two bars on a terminal (redrawn at
    most every 0.1 s) or as a plain line per 10 % received otherwise."""

    WIDTH = 40

    def __init__(self, total: int, stream: TextIO = sys.stdout) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.interactive = is_terminal(stream)
        self.drawn = False
        self.last_draw = 0.0
        self.next_step = 10  # percent, for the plain lines
        self.last_line = ""

    def update(self, written: int, received: int, final: bool = False) -> None:
        if self.interactive:
            now = time.monotonic()
            if not final and now - self.last_draw < 0.1:
                return
            self.last_draw = now
            lines = [self._bar("bytes written ", written), self._bar("bytes received", received)]
            up = _LINE_UP if self.drawn else ""
            self.stream.write(f"{up}{_CLEAR_LINE}{lines[0]}\n{_CLEAR_LINE}{lines[1]}")
            self.drawn = True
            if final:
                self.stream.write("\n")
            self.stream.flush()
            return
        percent = received * 100 // self.total
        line = (
            f"written {self._mb(written)} MB ({written * 100 // self.total}%), "
            f"received {self._mb(received)} MB ({percent}%)\n"
        )
        if percent >= self.next_step or (final and line != self.last_line):
            self.stream.write(line)
            self.stream.flush()
            self.last_line = line
            while self.next_step <= percent:
                self.next_step += 10

    def _bar(self, label: str, value: int) -> str:
        fraction = min(value / self.total, 1.0)
        filled = int(self.WIDTH * fraction)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        return f"{label} [{bar}] {fraction:4.0%} {self._mb(value)}/{self._mb(self.total)} MB"

    @staticmethod
    def _mb(n: int) -> str:
        return f"{n / (1024 * 1024):.1f}"


def _duration(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
