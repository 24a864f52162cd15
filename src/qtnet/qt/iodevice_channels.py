"""QIODevice's read/write channel accessors (a base class of QIODevice).

Every qtnet device has one read and one write channel (Qt's multi-channel
devices are QProcess and the like), so this is bookkeeping only; kept apart so
iodevice.py holds the buffering logic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["ChannelsMixin"]


class ChannelsMixin:
    """``readChannelCount()``, ``currentReadChannel()`` and the rest."""

    # No __slots__: the attributes live in the device's __dict__ (QObject has one).
    _rcount: int
    _wcount: int
    _rchannel: int
    _wchannel: int
    _tx: int

    if TYPE_CHECKING:

        def _warn(self, function: str, what: str, stacklevel: int = 3) -> None: ...

    def readChannelCount(self) -> int:  # noqa: N802
        return self._rcount

    def writeChannelCount(self) -> int:  # noqa: N802
        return self._wcount

    def currentReadChannel(self) -> int:  # noqa: N802
        return self._rchannel

    def setCurrentReadChannel(self, channel: int) -> None:  # noqa: N802
        if self._tx >= 0:
            self._warn("setReadChannel", "Failed due to read transaction being in progress")
            return
        self._rchannel = channel

    def currentWriteChannel(self) -> int:  # noqa: N802
        return self._wchannel

    def setCurrentWriteChannel(self, channel: int) -> None:  # noqa: N802
        self._wchannel = channel
