"""QUrl's static members: ``fromUserInput``, percent-encoding, ACE (punycode).

A base class of QUrl, kept apart so url.py holds the URL object itself; the
work is done by the sans-I/O ``codecs.url_syntax`` and QByteArray.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ..codecs.url_syntax import from_ace, to_ace
from .bytearray import QByteArray

if TYPE_CHECKING:
    from .url import QUrl

__all__ = ["UrlStatics"]


class UrlStatics:
    """``QUrl.fromUserInput()``, ``toPercentEncoding()``, ``fromPercentEncoding()``,
    ``toAce()``, ``fromAce()``."""

    __slots__ = ()

    @staticmethod
    def fromUserInput(userInput: str, workingDirectory: str = "", options: int = 0) -> QUrl:  # noqa: N802,N803
        from .url import QUrl  # the subclass: imported late (url.py imports this)

        text = (userInput or "").strip()
        if not text:
            return QUrl()
        if text.startswith("/"):
            return QUrl.fromLocalFile(text)
        try:
            ipaddress.IPv6Address(text)
            return QUrl(f"http://[{text}]")
        except ValueError:
            pass
        url = QUrl(text)
        # "host:1234" parses as scheme "host": only a URL with an authority (or a
        # scheme that never has one) is taken as typed.
        if (
            url.isValid()
            and url._scheme
            and (url._host is not None or url._scheme in ("mailto", "data", "about", "file"))
        ):
            return url
        guess = QUrl(("ftp://" if text.lower().startswith("ftp.") else "http://") + text)
        return guess if guess.isValid() else url

    @staticmethod
    def toPercentEncoding(text: str, exclude: Any = b"", include: Any = b"") -> QByteArray:  # noqa: N802
        return QByteArray(text.encode("utf-8")).toPercentEncoding(exclude, include)

    @staticmethod
    def fromPercentEncoding(data: Any) -> str:  # noqa: N802
        return unquote(bytes(data).decode("latin-1"), errors="replace")

    @staticmethod
    def toAce(domain: str, options: int = 0) -> QByteArray:  # noqa: N802
        return QByteArray._of(to_ace(domain.lower()).encode("ascii", "replace"))

    @staticmethod
    def fromAce(domain: Any, options: int = 0) -> str:  # noqa: N802
        return from_ace(bytes(domain).decode("ascii", "replace"))
