"""The seven fortunes of Qt's Fortune examples and the two wire framings.

Every fortune program sends one QString per connection, serialized by
QDataStream: a big-endian quint32 holding the byte length of the UTF-16
payload (0xFFFFFFFF for a null string), then the UTF-16BE code units.  Two
framings of that string exist in Qt's examples:

* ``qt5``: the QString alone; the client reads it with a QDataStream
  transaction (Qt >= 5.7 C++ examples).
* ``legacy``: a big-endian quint16 block size, then the QString (Qt 4 to 5.6
  C++ examples, and the PySide6 examples to this day).

The example programs build and parse these bytes with QDataStream itself;
the pure helpers here (no Qt objects) exist for the auto-detecting client, for
``--fortunes FILE`` and for tests that check bytes independently of QDataStream.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

__all__ = [
    "FORTUNES",
    "FRAMINGS",
    "FortuneFileError",
    "detect_framing",
    "encode_fortune",
    "encode_qstring",
    "load_fortunes",
]

FORTUNES: tuple[str, ...] = (
    "You've been leading a dog's life. Stay off the furniture.",
    "You've got to think about tomorrow.",
    "You will be surprised by a loud noise.",
    "You will feel hungry again in another hour.",
    "You might have mail.",
    "You cannot kill time without injuring eternity.",
    "Computers are not intelligent. They only think they are.",
)

FRAMINGS: tuple[str, ...] = ("qt5", "legacy")

_NULL_QSTRING = 0xFFFFFFFF
_LEGACY_MAX_BLOCK = 0xFFFF


class FortuneFileError(ValueError):
    """A ``--fortunes`` file that cannot be used (unreadable, not UTF-8, empty)."""


def encode_qstring(text: str) -> bytes:
    """``QDataStream << QString`` for strings below 4 GiB (every stream version)."""
    payload = text.encode("utf-16-be")
    return struct.pack(">I", len(payload)) + payload


def encode_fortune(text: str, framing: str) -> bytes:
    """The bytes a fortune server sends for ``text`` in ``framing``."""
    body = encode_qstring(text)
    if framing == "qt5":
        return body
    if framing == "legacy":
        if len(body) > _LEGACY_MAX_BLOCK:
            raise ValueError(f"fortune too long for the legacy quint16 block size: {text[:40]!r}…")
        return struct.pack(">H", len(body)) + body
    raise ValueError(f"unknown framing {framing!r} (use one of {', '.join(FRAMINGS)})")


def detect_framing(head: bytes) -> str | None:
    """Which framing the first bytes of a fortune reply use; None: need more bytes.

    A legacy reply starts with a quint16 block size equal to the length of the
    QString after it, so its next four bytes (the QString's own length field)
    equal the block size minus 4.  A qt5 reply starts with that quint32 length
    itself, whose high half is 0 for any string under 32 K characters (0xFFFF
    for a null string), while a legacy block size is never below 4: two bytes
    usually decide, six always do.
    """
    if len(head) < 2:
        return None
    (block_size,) = struct.unpack_from(">H", head)
    if block_size < 4 or block_size == 0xFFFF:
        return "qt5"
    if len(head) < 6:
        return None
    (string_size,) = struct.unpack_from(">I", head, 2)
    if string_size == block_size - 4 or (block_size == 4 and string_size == _NULL_QSTRING):
        return "legacy"
    return "qt5"


def load_fortunes(path: str | None, framing: str = "qt5") -> Sequence[str]:
    """The fortunes of a UTF-8 file, one per line (blank lines skipped); the seven
    built-in ones when ``path`` is None."""
    if path is None:
        return FORTUNES
    try:
        with open(path, encoding="utf-8") as fh:
            lines = [line.rstrip("\r\n") for line in fh]
    except OSError as exc:
        raise FortuneFileError(f"Cannot read fortunes file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise FortuneFileError(f"Fortunes file {path} is not UTF-8: {exc}") from None
    fortunes = [line for line in lines if line.strip()]
    if not fortunes:
        raise FortuneFileError(f"Fortunes file {path} has no fortunes")
    for text in fortunes:
        try:
            encode_fortune(text, framing)
        except ValueError as exc:
            raise FortuneFileError(f"Fortunes file {path}: {exc}") from None
    return fortunes
