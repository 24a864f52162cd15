"""HTTP/1.1 pieces of the WebSocket handshake: header block reading with limits,
header fields, token lists, ``Sec-WebSocket-Extensions`` and ``Host`` parsing.

Sans-I/O; used by :mod:`.ws_handshake` for both sides.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from email.utils import formatdate

from .ws_deflate import ExtensionList, ExtensionParams

TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
# Control characters a header line may not hold (RFC 9110 5.5: field values are
# visible characters, spaces, tabs and obs-text; CR, LF and NUL above all).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_PORT_RE = re.compile(r"\d{1,5}\Z")
_HOST_BAD = frozenset(" \t@/\\?#[]")
_TOKEN_AT = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_QUOTED_AT = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(.)")


_date_cache: tuple[int, str] = (-1, "")


def http_date() -> str:
    """The ``Date`` header value for now (RFC 9110 5.6.7), computed once a second.

    Every 101 reply carries it; formatting it per handshake cost ~3 us and left
    small objects from each call scattered through the heap, which kept pages
    resident after a burst of connections had closed.
    """
    global _date_cache
    second = int(time.time())
    cached_second, text = _date_cache
    if second != cached_second:
        text = formatdate(second, usegmt=True)
        _date_cache = (second, text)
    return text


class HandshakeError(Exception):
    """The handshake failed.

    ``response``: bytes to send before closing (``b""``: close silently).
    ``code``: the close code Qt reports through ``serverError`` (1002 or 1009).
    ``status``: the HTTP status received (client side), else 0.
    """

    def __init__(
        self, message: str, *, code: int = 1002, response: bytes = b"", status: int = 0
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.response = response
        self.status = status


class Headers:
    """Header fields in arrival order; names compare case-insensitively."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self.items: list[tuple[str, str]] = list(items)

    def get_all(self, name: str) -> list[str]:
        key = name.lower()
        return [v for k, v in self.items if k.lower() == key]

    def get(self, name: str, default: str | None = None) -> str | None:
        """All values of ``name`` joined by ", " (HTTP's combination rule)."""
        values = self.get_all(name)
        return ", ".join(values) if values else default

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and bool(self.get_all(name))

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"Headers({self.items!r})"


def parse_list(values: Iterable[str]) -> list[str]:
    """Elements of comma-separated header values, trimmed, empties skipped."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def has_token(values: Iterable[str], token: str) -> bool:
    return any(item.lower() == token for item in parse_list(values))


def parse_extensions(value: str) -> ExtensionList:
    """Parse ``Sec-WebSocket-Extensions`` (RFC 6455 §9.1); ``ValueError`` if malformed.

    ``"a; x=1; y, b"`` -> ``[("a", [("x", "1"), ("y", None)]), ("b", [])]``;
    quoted-string values are unquoted.
    """
    result: ExtensionList = []
    pos = 0
    n = len(value)

    def skip_ws(p: int) -> int:
        while p < n and value[p] in " \t":
            p += 1
        return p

    def token(p: int) -> tuple[str, int]:
        m = _TOKEN_AT.match(value, p)
        if not m:
            raise ValueError(f"expected a token at {p} in {value!r}")
        return m.group(), m.end()

    while True:
        pos = skip_ws(pos)
        if pos < n and value[pos] == ",":  # empty list elements are allowed
            pos += 1
            continue
        if pos >= n:
            break
        name, pos = token(pos)
        params: ExtensionParams = []
        pos = skip_ws(pos)
        while pos < n and value[pos] == ";":
            pos = skip_ws(pos + 1)
            pname, pos = token(pos)
            pos = skip_ws(pos)
            pvalue: str | None = None
            if pos < n and value[pos] == "=":
                pos = skip_ws(pos + 1)
                if pos < n and value[pos] == '"':
                    m = _QUOTED_AT.match(value, pos)
                    if not m:
                        raise ValueError(f"unterminated quoted string in {value!r}")
                    pvalue = _ESCAPE.sub(r"\1", m.group(1))
                    if not TOKEN_RE.match(pvalue):  # RFC 6455 §9.1: must be a token
                        raise ValueError(f"quoted value is not a token in {value!r}")
                    pos = m.end()
                else:
                    pvalue, pos = token(pos)
                pos = skip_ws(pos)
            params.append((pname, pvalue))
        result.append((name, params))
        if pos < n:
            if value[pos] != ",":
                raise ValueError(f"unexpected {value[pos]!r} in {value!r}")
            pos += 1
    return result


def parse_host(value: str) -> tuple[str, int | None]:
    """``Host`` header -> (host without brackets, port or None); ``ValueError`` if bad."""
    value = value.strip()
    if not value or any(ord(c) > 0x7E or ord(c) < 0x21 for c in value):
        raise ValueError("bad Host")
    if value.startswith("["):
        close = value.find("]")
        if close < 0:
            raise ValueError("bad Host")
        host, rest = value[1:close], value[close + 1 :]
        if not host or any(c in _HOST_BAD for c in host):
            raise ValueError("bad Host")
    else:
        host, sep, port_text = value.partition(":")
        rest = sep + port_text
        if not host or any(c in _HOST_BAD for c in host):
            raise ValueError("bad Host")
    if not rest:
        return host, None
    if rest[0] != ":" or not _PORT_RE.match(rest[1:]) or int(rest[1:]) > 65535:
        raise ValueError("bad Host port")
    return host, int(rest[1:])


def format_host(host: str, port: int | None = None) -> str:
    """A ``Host`` value: IPv6 literals bracketed, ``:port`` when given."""
    text = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return text if port is None else f"{text}:{port}"


# -- incremental header-block reader -------------------------------------------
class HeadReader:
    """Collects the lines of an HTTP head up to the empty line, enforcing limits."""

    __slots__ = ("_buf", "_scan", "lines", "max_line", "max_lines", "max_total", "leftover")

    def __init__(self, max_line: int, max_lines: int, max_total: int) -> None:
        self._buf = bytearray()
        self._scan = 0
        self.lines: list[bytes] = []
        self.max_line = max_line
        self.max_lines = max_lines
        self.max_total = max_total
        self.leftover = b""

    def feed(self, data: bytes, too_large: str, invalid: str) -> bool:
        buf = self._buf
        buf += data
        while True:
            eol = buf.find(b"\r\n", self._scan)
            if eol < 0:
                # +1: the partial line may end with the CR of its CRLF.
                if len(buf) - self._scan > self.max_line + 1:
                    raise HandshakeError(invalid)
                break
            if eol - self._scan > self.max_line:
                raise HandshakeError(invalid)
            line = bytes(buf[self._scan : eol])
            self._scan = eol + 2
            if self._scan > self.max_total:
                raise HandshakeError(too_large, code=1009)
            if not line:
                if not self.lines:
                    raise HandshakeError(invalid)
                self.leftover = bytes(buf[self._scan :])
                self._buf = bytearray()
                return True
            self.lines.append(line)
            if len(self.lines) > self.max_lines + 1:  # + the request or status line
                raise HandshakeError(invalid)
        if len(buf) > self.max_total:
            raise HandshakeError(too_large, code=1009)
        return False


def parse_fields(lines: list[bytes]) -> Headers:
    """Header lines -> Headers; obsolete line folding is joined with one space."""
    items: list[tuple[str, str]] = []
    for raw in lines:
        line = raw.decode("latin-1")
        if _CONTROL_RE.search(line):
            raise ValueError("control character in a header line")
        if line[0] in " \t":
            if not items:
                raise ValueError("first header line starts with whitespace")
            name, value = items[-1]
            items[-1] = (name, f"{value} {line.strip()}".strip())
            continue
        name, colon, value = line.partition(":")
        if not colon or not TOKEN_RE.match(name):
            raise ValueError(f"malformed header line {line!r}")
        items.append((name, value.strip(" \t")))
    return Headers(items)
