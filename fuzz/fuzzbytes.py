"""A tiny consumer of fuzzer bytes, shared by the atheris targets and the
hypothesis tests (so both drive exactly the same checks from raw bytes).

Unlike ``atheris.FuzzedDataProvider`` it is pure Python and deterministic, so a
crash found by atheris replays under plain pytest from the corpus file.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import Any


class FuzzBytes:
    """Takes small control values from the front of ``data``; ``rest()`` is the payload."""

    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        """The next byte, or 0 once the data is used up."""
        if self.pos >= len(self.data):
            return 0
        b = self.data[self.pos]
        self.pos += 1
        return b

    def int_in(self, low: int, high: int) -> int:
        """An integer in ``[low, high]`` from one or two bytes."""
        span = high - low + 1
        value = self.byte() if span <= 256 else (self.byte() << 8) | self.byte()
        return low + value % span

    def flag(self) -> bool:
        return bool(self.byte() & 1)

    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        self.pos += len(chunk)
        return chunk

    def rest(self) -> bytes:
        chunk = self.data[self.pos :]
        self.pos = len(self.data)
        return chunk

    def chunks(self, payload: bytes) -> list[bytes]:
        """Split ``payload`` at fuzzer-chosen points (the last chunk takes the remainder)."""
        out: list[bytes] = []
        pos = 0
        while pos < len(payload) and len(out) < 64:
            n = self.byte()
            if n == 0:
                break
            out.append(payload[pos : pos + n])
            pos += n
        if pos < len(payload):
            out.append(payload[pos:])
        return out


def instrumented(fuzzing: bool) -> contextlib.AbstractContextManager[Any]:
    """Wrap a target's qtnet imports: atheris coverage instrumentation for
    qtnet when ``fuzzing`` (the target runs as a script), nothing under pytest."""
    if not fuzzing:
        return contextlib.nullcontext()
    import atheris

    return atheris.instrument_imports(include=["qtnet"])  # type: ignore[no-any-return]


def run_fuzzer(check: Callable[[bytes], None]) -> None:
    """A target's ``__main__``: hand ``check`` to atheris with the command line's options."""
    import atheris

    atheris.Setup(sys.argv, check)
    atheris.Fuzz()
