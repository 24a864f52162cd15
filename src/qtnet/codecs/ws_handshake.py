"""The WebSocket opening handshake (RFC 6455 §4): HTTP/1.1 Upgrade, both sides, sans-I/O.

Server::

    hs = ServerHandshake()
    request = hs.receive_data(chunk)        # None until the header block is complete
    # HandshakeError: send e.response (b"" = close silently), report e.code/e.message
    reply, accepted = accept(request, subprotocols=["chat"], deflate=DeflateConfig())
    # write reply; WebSocketConnection("server", deflate=accepted.deflate);
    # feed it hs.leftover first

Client::

    key = generate_key()
    request = build_request(host="example.com:8080", resource="/chat", key=key, ...)
    hs = ClientHandshake(key, protocols=["chat"], deflate=DeflateConfig())
    response = hs.receive_data(chunk)       # None until complete
    accepted = hs.check(response)           # HandshakeError with Qt's error texts

Failures follow Qt's server (qt-autotests.md §5, §9): a malformed request is
closed without any HTTP reply (code 1002 "Invalid handshake request."), an
unsupported ``Sec-WebSocket-Version`` gets ``400 Bad Request`` plus
``Sec-WebSocket-Version: 13`` (1002 "Unsupported version requested."), an
oversized header block is dropped (1009 "Header is too large."); a refused
origin gets :func:`build_forbidden_response` from the Qt layer.  Where Qt is
stricter or laxer than RFC 6455 we follow the RFC: ``Upgrade`` and
``Connection`` are token lists, and ``Sec-WebSocket-Key`` must decode to 16
bytes.

Limits: 8192 bytes per header line and 100 header lines (Qt's), plus 64 KiB for
the whole block (ours), all checked as bytes arrive so a huge header is never
buffered whole.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .ws_deflate import (
    DeflateConfig,
    DeflateNegotiationError,
    DeflateParams,
    ExtensionList,
    accept_response,
    client_offer,
    negotiate_server,
)
from .ws_http import (
    TOKEN_RE,
    HandshakeError,
    Headers,
    HeadReader,
    format_host,
    has_token,
    http_date,
    parse_extensions,
    parse_fields,
    parse_host,
    parse_list,
)

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_HEADER_LINE = 8192
MAX_HEADER_LINES = 100
MAX_HEADER_BYTES = 65536
SUPPORTED_VERSION = 13

_HTTP_VERSION_RE = re.compile(r"HTTP/(\d)\.(\d)\Z")
_ABSOLUTE_TARGET = re.compile(r"(?i)(wss?|https?)://[^/]")


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a ``Sec-WebSocket-Key`` (RFC 6455 §4.2.2)."""
    digest = hashlib.sha1((key + GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def generate_key() -> str:
    """A fresh ``Sec-WebSocket-Key``: 16 random bytes, base64."""
    return base64.b64encode(os.urandom(16)).decode("ascii")


def is_valid_subprotocol_name(name: str) -> bool:
    """Subprotocol names are HTTP tokens (RFC 6455 §4.1)."""
    return bool(TOKEN_RE.match(name))


# -- header values ----------------------------------------------------------------
# -- server side ----------------------------------------------------------------
@dataclass
class HandshakeRequest:
    """A parsed, validated client handshake."""

    method: str
    target: str  # the request-target as sent: path and query (or an absolute URL)
    http_version: tuple[int, int]
    headers: Headers
    host: str  # from the Host header, IPv6 without brackets
    port: int | None  # from the Host header
    key: str
    versions: list[int]  # Sec-WebSocket-Version values, highest first (like Qt)
    origin: str = ""
    protocols: list[str] = field(default_factory=list)  # in the client's order
    extensions: ExtensionList = field(default_factory=list)

    @property
    def path(self) -> str:
        return self._split()[0]

    @property
    def query(self) -> str:
        return self._split()[1]

    def _split(self) -> tuple[str, str]:
        target = self.target
        if not target.startswith("/"):  # absolute-form: drop scheme://authority
            slash = target.find("/", target.find("://") + 3)
            target = target[slash:] if slash >= 0 else "/"
        path, _, query = target.partition("?")
        return path, query

    def request_url(self, secure: bool = False) -> str:
        """``ws[s]://host[:port]/path?query`` built from Host and the target (as Qt)."""
        path, query = self._split()
        url = f"{'wss' if secure else 'ws'}://{format_host(self.host, self.port)}{path}"
        return f"{url}?{query}" if query else url


class ServerHandshake:
    """Reads and validates one client handshake, incrementally."""

    INVALID = "Invalid handshake request."
    TOO_LARGE = "Header is too large."
    BAD_VERSION = "Unsupported version requested."

    def __init__(
        self,
        *,
        max_line: int = MAX_HEADER_LINE,
        max_headers: int = MAX_HEADER_LINES,
        max_total: int = MAX_HEADER_BYTES,
    ) -> None:
        self._reader = HeadReader(max_line, max_headers, max_total)
        self.request: HandshakeRequest | None = None

    @property
    def leftover(self) -> bytes:
        """Bytes received after the header block (already WebSocket frames)."""
        return self._reader.leftover

    def receive_data(self, data: bytes) -> HandshakeRequest | None:
        """Returns the request once complete; raises :class:`HandshakeError`."""
        if self.request is not None:
            raise RuntimeError("the handshake request is already complete")
        if not self._reader.feed(data, self.TOO_LARGE, self.INVALID):
            return None
        self.request = parse_request(self._reader.lines)
        return self.request


def parse_request(lines: list[bytes]) -> HandshakeRequest:
    """Validate a request head (request line + header lines)."""
    invalid = ServerHandshake.INVALID
    try:
        parts = lines[0].decode("ascii").split(" ")
        headers = parse_fields(lines[1:])
    except (UnicodeDecodeError, ValueError):
        raise HandshakeError(invalid) from None
    if len(parts) != 3 or parts[0] != "GET":
        raise HandshakeError(invalid)
    method, target, version_text = parts
    m = _HTTP_VERSION_RE.match(version_text)
    if not m or (int(m.group(1)), int(m.group(2))) < (1, 1):
        raise HandshakeError(invalid)
    if any(not 0x21 <= ord(c) <= 0x7E for c in target) or not (
        target.startswith("/") or _ABSOLUTE_TARGET.match(target)
    ):
        raise HandshakeError(invalid)
    hosts = headers.get_all("host")
    keys = headers.get_all("sec-websocket-key")
    version_values = headers.get_all("sec-websocket-version")
    if (
        len(hosts) != 1
        or len(keys) != 1
        or not version_values
        or not has_token(headers.get_all("upgrade"), "websocket")
        or not has_token(headers.get_all("connection"), "upgrade")
    ):
        raise HandshakeError(invalid)
    try:
        host, port = parse_host(hosts[0])
        key = keys[0].strip()
        if len(base64.b64decode(key, validate=True)) != 16:
            raise ValueError("Sec-WebSocket-Key is not 16 bytes")
    except (ValueError, binascii.Error):
        raise HandshakeError(invalid) from None
    items = parse_list(version_values)
    if not items or not all(item.isdigit() and item.isascii() for item in items):
        raise HandshakeError(invalid)
    versions = sorted((int(item) for item in items), reverse=True)
    if SUPPORTED_VERSION not in versions:
        raise HandshakeError(ServerHandshake.BAD_VERSION, response=build_bad_version_response())
    try:
        extensions = parse_extensions(", ".join(headers.get_all("sec-websocket-extensions")))
    except ValueError:
        extensions = []  # a garbled offer is declined, not fatal
    return HandshakeRequest(
        method=method,
        target=target,
        http_version=(int(m.group(1)), int(m.group(2))),
        headers=headers,
        host=host,
        port=port,
        key=key,
        versions=versions,
        origin=headers.get("origin", "") or "",
        protocols=parse_list(headers.get_all("sec-websocket-protocol")),
        extensions=extensions,
    )


def select_subprotocol(offered: Sequence[str], supported: Sequence[str]) -> str:
    """The first protocol in the client's list that the server supports (Qt >= 6.4), or ""."""
    for name in offered:
        if name in supported:
            return name
    return ""


@dataclass(frozen=True)
class Accepted:
    """What a completed handshake agreed on."""

    subprotocol: str = ""
    deflate: DeflateParams | None = None


def build_accept_response(
    request: HandshakeRequest,
    *,
    subprotocol: str = "",
    extensions: str = "",
    server_name: str = "",
    date: str | None = None,
) -> bytes:
    """The ``101 Switching Protocols`` reply, with Qt's header lines and order."""
    for text in (subprotocol, extensions, server_name, request.origin):
        if "\r" in text or "\n" in text:
            raise ValueError("header value contains a line break")
    lines = [
        "HTTP/1.1 101 Switching Protocols",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Accept: {accept_key(request.key)}",
    ]
    if subprotocol:
        lines.append(f"Sec-WebSocket-Protocol: {subprotocol}")
    if extensions:
        lines.append(f"Sec-WebSocket-Extensions: {extensions}")
    if server_name:
        lines.append(f"Server: {server_name}")
    lines += [
        "Access-Control-Allow-Credentials: false",
        "Access-Control-Allow-Methods: GET",
        "Access-Control-Allow-Headers: content-type",
        f"Access-Control-Allow-Origin: {request.origin or '*'}",
        f"Date: {date if date is not None else http_date()}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def accept(
    request: HandshakeRequest,
    *,
    subprotocols: Sequence[str] = (),
    deflate: DeflateConfig | None = None,
    server_name: str = "",
    date: str | None = None,
) -> tuple[bytes, Accepted]:
    """Negotiate subprotocol and permessage-deflate; returns (101 reply, result)."""
    subprotocol = select_subprotocol(request.protocols, subprotocols)
    params = negotiate_server(request.extensions, deflate) if deflate is not None else None
    reply = build_accept_response(
        request,
        subprotocol=subprotocol,
        extensions=params.response_header() if params is not None else "",
        server_name=server_name,
        date=date,
    )
    return reply, Accepted(subprotocol, params)


def build_forbidden_response() -> bytes:
    """Qt's reply to a refused origin."""
    return b"HTTP/1.1 403 Access Forbidden\r\n\r\n"


def build_bad_version_response() -> bytes:
    """Qt's reply to an unsupported ``Sec-WebSocket-Version``."""
    return b"HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\n\r\n"


# -- client side ----------------------------------------------------------------
def build_request(
    *,
    host: str,
    resource: str,
    key: str,
    origin: str = "",
    protocols: Sequence[str] = (),
    extensions: str = "",
    headers: Sequence[tuple[str, str]] = (),
) -> bytes:
    """The client's handshake, in Qt's line order.

    ``host`` is the Host value (see :func:`format_host`).  Invalid subprotocol
    names are dropped (Qt warns and drops them); CR/LF in any field raises
    ``ValueError`` with Qt's message.
    """
    for text, what in (
        (resource, "resource name"),
        (host, "hostname"),
        (origin, "origin"),
        (extensions, "extensions attribute"),
    ):
        if "\r" in text or "\n" in text:
            raise ValueError(f"The {what} contains newlines. Possible attack detected.")
    lines = [
        f"GET {resource or '/'} HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
    ]
    if origin:
        lines.append(f"Origin: {origin}")
    lines.append(f"Sec-WebSocket-Version: {SUPPORTED_VERSION}")
    if extensions:
        lines.append(f"Sec-WebSocket-Extensions: {extensions}")
    valid = [p for p in protocols if is_valid_subprotocol_name(p)]
    if valid:
        lines.append(f"Sec-WebSocket-Protocol: {', '.join(valid)}")
    for name, value in headers:
        if name.lower() == "sec-websocket-protocol":
            continue  # protocols are sent above, as Qt does
        if not TOKEN_RE.match(name) or "\r" in value or "\n" in value:
            raise ValueError(f"invalid header {name!r}")
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass
class HandshakeResponse:
    """A server's reply head."""

    http_version: tuple[int, int]
    status: int
    reason: str
    headers: Headers


class ClientHandshake:
    """Reads and checks the server's reply to :func:`build_request`."""

    TOO_LARGE = "Header is too large"
    BAD_STATUS = "Read handshake request status failed"
    BAD_HEADERS = "Parsing handshake request header failed"

    def __init__(
        self,
        key: str,
        *,
        protocols: Sequence[str] = (),
        deflate: DeflateConfig | None = None,
        max_line: int = MAX_HEADER_LINE,
        max_headers: int = MAX_HEADER_LINES,
        max_total: int = MAX_HEADER_BYTES,
    ) -> None:
        self.key = key
        self.protocols = [p for p in protocols if is_valid_subprotocol_name(p)]
        self.deflate = deflate
        self._reader = HeadReader(max_line, max_headers, max_total)
        self.response: HandshakeResponse | None = None

    def offer_extensions(self) -> str:
        """The ``Sec-WebSocket-Extensions`` value to pass to :func:`build_request`."""
        return client_offer(self.deflate) if self.deflate is not None else ""

    @property
    def leftover(self) -> bytes:
        """Bytes after the reply head: the server's first frames."""
        return self._reader.leftover

    def receive_data(self, data: bytes) -> HandshakeResponse | None:
        """The reply head once complete (any status); raises :class:`HandshakeError`."""
        if self.response is not None:
            raise RuntimeError("the handshake response is already complete")
        if not self._reader.feed(data, self.TOO_LARGE, self.BAD_HEADERS):
            return None
        lines = self._reader.lines
        try:
            version_text, _, rest = lines[0].decode("ascii").partition(" ")
            code_text, _, reason = rest.partition(" ")
            m = _HTTP_VERSION_RE.match(version_text)
            if not m or not (len(code_text) == 3 and code_text.isdigit()):
                raise ValueError("bad status line")
        except (UnicodeDecodeError, ValueError):
            raise HandshakeError(self.BAD_STATUS) from None
        try:
            headers = parse_fields(lines[1:])
        except ValueError:
            raise HandshakeError(self.BAD_HEADERS) from None
        self.response = HandshakeResponse(
            (int(m.group(1)), int(m.group(2))), int(code_text), reason, headers
        )
        return self.response

    def check(self, response: HandshakeResponse) -> Accepted:
        """Accept a ``101`` reply or raise :class:`HandshakeError` (Qt's texts).

        A 401 (authentication) is for the caller to handle before calling this.
        """
        h = response.headers
        protocol = h.get("sec-websocket-protocol", "") or ""
        if protocol and protocol not in self.protocols:
            raise HandshakeError(
                f"WebSocket server has chosen protocol {protocol} which has not been requested",
                status=response.status,
            )
        if response.status == 400:
            versions = parse_list(h.get_all("sec-websocket-version"))
            if versions and str(SUPPORTED_VERSION) not in versions:
                message = (
                    "Handshake: Server requests a version that we don't support: "
                    f"{', '.join(versions)}."
                )
            else:
                message = (
                    "QWebSocketPrivate::processHandshake: Unknown error condition "
                    "encountered. Aborting connection."
                )
            raise HandshakeError(message, status=400)
        if response.status != 101:
            raise HandshakeError(
                "QWebSocketPrivate::processHandshake: Unhandled http status code: "
                f"{response.status} ({response.reason}).",
                status=response.status,
            )
        accept_value = h.get("sec-websocket-accept", "") or ""
        upgrade = h.get("upgrade", "") or ""
        connection = h.get("connection", "") or ""
        if not (
            accept_value
            and response.http_version >= (1, 1)
            and has_token([upgrade], "websocket")
            and has_token([connection], "upgrade")
        ):
            major, minor = response.http_version
            raise HandshakeError(
                "Invalid parameter encountered during protocol upgrade: "
                f"Accept-key size: {len(accept_value)}, version: {major}.{minor}, "
                f"upgrade: {upgrade}, connection: {connection}",
                status=101,
            )
        expected = accept_key(self.key)
        if accept_value.strip() != expected:
            raise HandshakeError(
                f"Accept-Key received from server {accept_value} does not match the "
                f"client key {expected}.",
                status=101,
            )
        params: DeflateParams | None = None
        ext_values = h.get_all("sec-websocket-extensions")
        if ext_values:
            try:
                parsed = parse_extensions(", ".join(ext_values))
                if self.deflate is None:
                    if parsed:
                        raise DeflateNegotiationError("server accepted an extension not offered")
                else:
                    params = accept_response(parsed, self.deflate)
            except (ValueError, DeflateNegotiationError) as exc:
                raise HandshakeError(
                    f"Invalid Sec-WebSocket-Extensions in the server's response: {exc}",
                    code=1010,
                    status=101,
                ) from None
        return Accepted(protocol, params)


__all__ = [
    "GUID",
    "MAX_HEADER_BYTES",
    "MAX_HEADER_LINE",
    "MAX_HEADER_LINES",
    "SUPPORTED_VERSION",
    "Accepted",
    "ClientHandshake",
    "HandshakeError",
    "HandshakeRequest",
    "HandshakeResponse",
    "Headers",
    "ServerHandshake",
    "accept",
    "accept_key",
    "build_accept_response",
    "build_bad_version_response",
    "build_forbidden_response",
    "build_request",
    "format_host",
    "generate_key",
    "is_valid_subprotocol_name",
    "parse_extensions",
    "parse_host",
    "parse_list",
    "parse_request",
    "select_subprotocol",
]
