"""QNetworkRequest: a URL plus raw HTTP headers (the subset QWebSocket uses).

``QWebSocket.open(request)`` sends the request's raw headers with the opening
handshake, and the server side's ``QWebSocket.request()`` returns one built
from the client's handshake.  Header names compare case-insensitively and
``setRawHeader`` replaces an existing value (an empty value removes it), as
in Qt.  QNetworkAccessManager attributes and known-header parsing are out of
scope.
"""

from __future__ import annotations

from typing import Any

from .bytearray import QByteArray
from .url import QUrl

__all__ = ["QNetworkRequest"]


def _latin1(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode("latin-1", "replace")
    return bytes(value)


class QNetworkRequest:
    __slots__ = ("_url", "_headers", "_transfer_timeout")

    def __init__(self, url: Any = None) -> None:
        if isinstance(url, QNetworkRequest):
            self._url: QUrl = QUrl(url._url)
            self._headers: list[tuple[bytes, bytes]] = list(url._headers)
            self._transfer_timeout: int = url._transfer_timeout
            return
        self._url = QUrl(url) if url is not None else QUrl()
        self._headers = []
        self._transfer_timeout = 0

    def url(self) -> QUrl:
        return QUrl(self._url)

    def setUrl(self, url: Any) -> None:  # noqa: N802
        self._url = QUrl(url)

    # -- raw headers -------------------------------------------------------------------
    def _find(self, name: bytes) -> int:
        key = name.lower()
        for i, (n, _v) in enumerate(self._headers):
            if n.lower() == key:
                return i
        return -1

    def hasRawHeader(self, headerName: Any) -> bool:  # noqa: N802,N803
        return self._find(_latin1(headerName)) >= 0

    def rawHeader(self, headerName: Any) -> QByteArray:  # noqa: N802,N803
        i = self._find(_latin1(headerName))
        return QByteArray(self._headers[i][1]) if i >= 0 else QByteArray()

    def rawHeaderList(self) -> list[QByteArray]:  # noqa: N802
        return [QByteArray(n) for n, _v in self._headers]

    def setRawHeader(self, headerName: Any, value: Any) -> None:  # noqa: N802,N803
        name = _latin1(headerName)
        data = _latin1(value)
        i = self._find(name)
        if i >= 0:
            del self._headers[i]
            # Later duplicates (from a parsed request) go too: one value per name.
            while (j := self._find(name)) >= 0:
                del self._headers[j]
            if data:
                self._headers.insert(i, (name, data))
        elif data:
            self._headers.append((name, data))

    def _raw_pairs(self) -> list[tuple[str, str]]:
        """Headers as text pairs, in order (what the handshake writer needs)."""
        return [(n.decode("latin-1"), v.decode("latin-1")) for n, v in self._headers]

    @classmethod
    def _from_pairs(cls, url: Any, pairs: list[tuple[str, str]]) -> QNetworkRequest:
        req = cls(url)
        req._headers = [(_latin1(n), _latin1(v)) for n, v in pairs]
        return req

    # -- misc ----------------------------------------------------------------------------
    def transferTimeout(self) -> int:  # noqa: N802
        return self._transfer_timeout

    def setTransferTimeout(self, timeout: int) -> None:  # noqa: N802
        self._transfer_timeout = int(timeout)

    def swap(self, other: QNetworkRequest) -> None:
        self._url, other._url = other._url, self._url
        self._headers, other._headers = other._headers, self._headers

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, QNetworkRequest)
            and other._url == self._url
            and other._headers == self._headers
        )

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __copy__(self) -> QNetworkRequest:
        return QNetworkRequest(self)

    def __repr__(self) -> str:
        return f"<QNetworkRequest url={self._url.toString()!r} headers={len(self._headers)}>"
