"""URL syntax helpers for QUrl: component normalization, hosts, IDNA, dot segments.

Pure string functions (no qtnet imports).  A component's *stored* form is what
QUrl keeps: unreserved characters and valid UTF-8 escapes decoded, characters
that may never appear raw in a URL (controls, ``"<>\\^`{|}``) percent-encoded,
every other escape kept as given (so ``%2F`` in a path survives a round trip).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import unquote

ENCODE_SPACES = 0x100000  # QUrl::EncodeSpaces
ENCODE_UNICODE = 0x200000  # QUrl::EncodeUnicode

SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*\Z")
SCHEME_PREFIX_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
BAD_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_ESCAPES_RE = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_UNSAFE_RE = re.compile(r'[\x00-\x1f\x7f"<>\\^`{|}]')
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_NON_ASCII_OR_SPACE_RE = re.compile(r"[^\x21-\x7e]")
_IPV4ISH_RE = re.compile(r"[0-9A-Fa-fxX.]+\Z")
_HOST_OK_RE = re.compile(r"[^\x00-\x2c/:;<=>?@\[\\\]^`{|}~\x7f\s]+\Z")  # after decoding
# escapes that query()/fragment() decode in PrettyDecoded (PySide6 6.x): the unsafe
# characters except '`'
QUERY_GETTER_DECODES = {"%22": '"', "%3C": "<", "%3E": ">", "%5C": "\\", "%5E": "^", "%7B": "{",
                 "%7C": "|", "%7D": "}"}


def _pct(text: str) -> str:
    return "".join(f"%{b:02X}" for b in text.encode("utf-8"))


def normalize_component(raw: str) -> str:
    """The stored ("pretty") form of a component given in tolerant URL syntax."""
    if "%" in raw:
        raw = _ESCAPES_RE.sub(_normalize_escapes, raw)
    return _UNSAFE_RE.sub(lambda m: f"%{ord(m.group()):02X}", raw)


def _normalize_escapes(m: re.Match[str]) -> str:
    data = bytes.fromhex(m.group().replace("%", ""))
    text = data.decode("utf-8", "surrogateescape")
    out = []
    for ch in text:
        c = ord(ch)
        if 0xDC80 <= c <= 0xDCFF:  # a byte that is not valid UTF-8: keep it escaped
            out.append(f"%{c - 0xDC00:02X}")
        elif c >= 0x80 or c in _UNRESERVED or c == 0x20:
            out.append(ch)
        else:
            out.append(f"%{c:02X}")
    return "".join(out)


def from_decoded(value: str, delimiters: str) -> str:
    """The stored form of a literal (DecodedMode) component value."""
    out = value.replace("%", "%25")
    for ch in delimiters:
        out = out.replace(ch, f"%{ord(ch):02X}")
    return _UNSAFE_RE.sub(lambda m: f"%{ord(m.group()):02X}", out)


def full_decode(stored: str) -> str:
    return unquote(stored, errors="replace") if "%" in stored else stored


def encode_component(stored: str, options: int) -> str:
    """Apply EncodeSpaces / EncodeUnicode to a stored component."""
    if options & ENCODE_UNICODE:
        return _NON_ASCII_OR_SPACE_RE.sub(lambda m: _pct(m.group()), stored)
    if options & ENCODE_SPACES:
        return stored.replace(" ", "%20")
    return stored


def to_ace(host: str) -> str:
    if host.isascii():
        return host
    labels = []
    for label in host.split("."):
        if not label.isascii():
            label = "xn--" + label.encode("punycode").decode("ascii")
        labels.append(label)
    return ".".join(labels)


def from_ace(host: str) -> str:
    if "xn--" not in host:
        return host
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                label = label[4:].encode("ascii").decode("punycode")
            except (UnicodeError, ValueError):
                pass
        labels.append(label)
    return ".".join(labels)


def parse_host(text: str) -> tuple[str, str | None]:
    """(normalized host, error message or None) for a host in URL syntax."""
    if text.startswith("["):
        if not text.endswith("]"):
            return "", "Expected ']' to match '[' in hostname"
        inner = unquote(text[1:-1])
        addr, _, zone = inner.partition("%")
        try:
            ip = ipaddress.IPv6Address(addr)
        except ValueError:
            return "", "Invalid IPv6 address"
        return _ipv6_text(ip) + (f"%{zone}" if zone else ""), None
    host = unquote(text, errors="replace") if "%" in text else text
    if not host:
        return "", None
    if ":" in host:  # setHost("::1") without brackets
        return parse_host(f"[{host}]")
    if _IPV4ISH_RE.match(host) and not host.endswith("."):
        try:
            return socket.inet_ntoa(socket.inet_aton(host)), None
        except OSError:
            pass
    host = from_ace(host.lower())
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if not _HOST_OK_RE.match(host) or any(not lb or lb.startswith("-") for lb in labels):
        return "", "Invalid hostname (contains invalid characters)"
    return host, None


def _ipv6_text(ip: ipaddress.IPv6Address) -> str:
    mapped = ip.ipv4_mapped
    if mapped is not None:
        return f"::ffff:{mapped}"
    return ip.compressed


def remove_dot_segments(path: str) -> str:
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if len(out) > 1 or (out and out[0] != ""):
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    if path.startswith("/") and not result.startswith("/"):
        result = "/" + result
    return result
