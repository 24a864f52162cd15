"""Text and number forms of IP addresses with Qt's (QHostAddress's) rules; pure functions.

* IPv4 text is read like ``inet_aton``: 1 to 4 parts, each hex (``0x``), octal
  (leading ``0``) or decimal, the last part filling the remaining bytes.
* IPv6 text is strict RFC 4291 (up to 4 hex digits a group, one ``::``, an
  optional dotted quad at the end with no leading zeros).
* IPv6 output is RFC 5952, except that v4-mapped (``::ffff:1.2.3.4``) and
  v4-compatible (``::1.2.3.4``, when the IPv4 part is at least 0.1.0.0) addresses
  end in a dotted quad, as Qt prints them.
* ``classify`` gives Qt's address classes (loopback, link-local, RFC 1918 ...).
"""

from __future__ import annotations

import re
import struct

__all__ = [
    "classify",
    "convert_to_ipv4",
    "format_ipv6",
    "is_global_class",
    "is_plain_ipv4",
    "mapped_ipv6",
    "parse_ipv4",
    "parse_ipv6",
    "prefix_length_of",
    "qt_to_uint",
]

ZERO16 = bytes(16)
MAPPED_PREFIX = bytes(10) + b"\xff\xff"  # ::ffff:0:0/96
LOCALHOST4 = 0x7F000001

# One IPv4 component as inet_aton/strtoull(base 0) reads it: hex, octal or decimal,
# after optional blanks and a plus sign.
_IPV4_PART = re.compile(r" *\+?(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\Z")
_HEX_GROUP = re.compile(r"[0-9a-fA-F]{1,4}\Z")
_DEC_OCTET = re.compile(r"(?:0|[1-9][0-9]{0,2})\Z")
# Plain dotted-decimal IPv4, the common case: its value is the same under every
# reading, so the C inet_aton can take it.
_PLAIN_IPV4 = re.compile(
    r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
    r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\Z"
)
is_plain_ipv4 = _PLAIN_IPV4.match
_QT_UINT = re.compile(r"[ \t\n\v\f\r]*\+?([0-9]+)[ \t\n\v\f\r]*\Z")


def parse_ipv4(text: str) -> int | None:
    """Qt's (inet_aton's) IPv4 syntax: 1 to 4 parts, the last one fills the rest."""
    parts = text.split(".")
    n = len(parts)
    if n > 4:
        return None
    value = 0
    for i, part in enumerate(parts):
        if not _IPV4_PART.match(part):
            return None
        digits = part.lstrip(" ").lstrip("+")
        if digits[:2] in ("0x", "0X"):
            v = int(digits[2:], 16)
        elif len(digits) > 1 and digits[0] == "0":
            v = int(digits, 8)
        else:
            v = int(digits)
        if i < n - 1:
            if v > 255:
                return None
            value = (value << 8) | v
        else:
            bits = 8 * (5 - n)
            if v >> bits:
                return None
            value = (value << bits) | v
    return value


def parse_dotted_quad(text: str) -> bytes | None:
    """The strict IPv4 tail of an IPv6 address: four decimal octets, no leading zeros."""
    parts = text.split(".")
    if len(parts) != 4:
        return None
    out = bytearray(4)
    for i, part in enumerate(parts):
        if not _DEC_OCTET.match(part):
            return None
        v = int(part)
        if v > 255:
            return None
        out[i] = v
    return bytes(out)


def hex_groups(part: str) -> list[int] | None:
    if not part:
        return []
    out = []
    for group in part.split(":"):
        if not _HEX_GROUP.match(group):
            return None
        out.append(int(group, 16))
    return out


def parse_ipv6(text: str) -> bytes | None:
    """RFC 4291 text (no scope) to 16 bytes, or None."""
    colon = text.rfind(":")
    if colon < 0:
        return None
    v4: bytes | None = None
    if "." in text[colon + 1 :]:
        # An embedded dotted quad can only be the last 32 bits.
        v4 = parse_dotted_quad(text[colon + 1 :])
        if v4 is None:
            return None
        text = text[: colon + 1]
        if not text.endswith("::"):
            text = text[:-1]  # "a:b:" -> "a:b"; a lone ":" becomes "" and fails below
    head, sep, tail = text.partition("::")
    if sep and "::" in tail:
        return None
    front = hex_groups(head)
    back = hex_groups(tail) if sep else []
    if front is None or back is None:
        return None
    words = len(front) + len(back) + (2 if v4 is not None else 0)
    if sep:
        if words > 7:
            return None  # "::" must stand for at least one group
        groups = front + [0] * (8 - words) + back
    elif words != 8:
        return None
    else:
        groups = front
    raw = b"".join(g.to_bytes(2, "big") for g in groups)
    return raw + v4 if v4 is not None else raw


def format_ipv6(a6: bytes) -> str:
    """RFC 5952 text, with Qt's dotted-quad form for v4-mapped and v4-compatible."""
    if a6[:10] == ZERO16[:10]:
        mid = a6[10:12]
        if mid == b"\xff\xff":
            return "::ffff:" + _dotted(a6[12:])
        if mid == b"\0\0" and a6[12:14] != b"\0\0":
            return "::" + _dotted(a6[12:])
    text = _WORDS_FORMAT(*_unpack_words(a6))
    # The longest run of two or more zero groups becomes "::", the first one on a tie.
    # Searching ":0:0:"-style patterns (longest first) in ":text:" finds exactly that.
    padded = f":{text}:"
    for run in _ZERO_RUNS:
        at = padded.find(run)
        if at >= 0:
            return f"{padded[1:at]}::{padded[at + len(run) : -1]}"
    return text


_unpack_words = struct.Struct("!8H").unpack
_WORDS_FORMAT = ":".join(["{:x}"] * 8).format
_ZERO_RUNS = tuple(":" + "0:" * n for n in range(8, 1, -1))


def _dotted(four: bytes) -> str:
    return f"{four[0]}.{four[1]}.{four[2]}.{four[3]}"


def qt_to_uint(text: str) -> int | None:
    """QString::toUInt(): optional blanks and '+', decimal digits, at most 32 bits."""
    m = _QT_UINT.match(text)
    if m is None:
        return None
    v = int(m.group(1))
    return v if v <= 0xFFFFFFFF else None


def mapped_ipv6(a4: int) -> bytes:
    """The IPv6 form Qt keeps for an IPv4 address (0.0.0.0 maps to ::)."""
    return MAPPED_PREFIX + a4.to_bytes(4, "big") if a4 else ZERO16


def convert_to_ipv4(a6: bytes, mode: int) -> int | None:
    """The IPv4 address an IPv6 one stands for under ConversionMode ``mode``."""
    if not mode or a6[:8] != ZERO16[:8]:
        return None
    mid = int.from_bytes(a6[8:12], "big")
    low = int.from_bytes(a6[12:], "big")
    if mid == 0xFFFF and mode & 1:  # ConvertV4MappedToIPv4
        return low
    if mid:
        return None
    if low == 0 and mode & 4:  # ConvertUnspecifiedAddress
        return 0
    if low == 1 and mode & 8:  # ConvertLocalHost
        return LOCALHOST4
    if low != 1 and mode & 2:  # ConvertV4CompatToIPv4
        return low
    return None


# Address classes (Qt's AddressClassification); the "global" ones count for isGlobal().
C_UNKNOWN, C_LOCALNET, C_LOOPBACK, C_LINKLOCAL, C_MULTICAST, C_BROADCAST = range(6)
C_GLOBAL, C_PRIVATE, C_ULA, C_SITELOCAL = range(16, 20)


def classify_ipv4(a: int) -> int:
    top = a >> 24
    if top == 127:
        return C_LOOPBACK
    if top >> 4 == 0xE:
        return C_MULTICAST
    if a >> 16 == 0xA9FE:
        return C_LINKLOCAL
    if top == 0:
        return C_LOCALNET
    if top >> 4 == 0xF:
        return C_BROADCAST if a == 0xFFFFFFFF else C_UNKNOWN
    if top == 10 or a >> 20 == 0xAC1 or a >> 16 == 0xC0A8:  # RFC 1918
        return C_PRIVATE
    return C_GLOBAL


def classify(proto: int, a4: int, a6: bytes) -> int:
    """The address class of (protocol, IPv4 value, 16-byte form) as QHostAddress keeps them."""
    if a4:  # IPv4, or IPv6 v4-mapped
        return classify_ipv4(a4)
    high = int.from_bytes(a6[:8], "big")
    if high:
        first = a6[0]
        if first == 0xFF:
            return C_MULTICAST
        if first == 0xFE:
            bits = a6[1] & 0xC0
            if bits == 0xC0:
                return C_SITELOCAL
            if bits == 0x80:
                return C_LINKLOCAL
            return C_UNKNOWN
        if first in (0xFC, 0xFD):
            return C_ULA
        return C_GLOBAL
    low = int.from_bytes(a6[8:], "big")
    if low == 1:
        return C_LOOPBACK
    if low >> 32 == 0xFFFF:
        return C_LOCALNET  # ::ffff:0.0.0.0
    if low:
        return C_GLOBAL
    return C_UNKNOWN if proto < 0 else C_LOCALNET  # null vs 0.0.0.0, ::, Any


def is_global_class(cls: int) -> bool:
    """Qt's isGlobal(): global unicast, RFC 1918, unique-local and site-local."""
    return cls >= C_GLOBAL


def prefix_length_of(width: int, value: int) -> int | None:
    """The prefix length of a netmask (``width`` bits wide), None if not contiguous."""
    zeros = ~value & ((1 << width) - 1)
    if zeros & (zeros + 1):
        return None  # the ones are not contiguous from the top
    return width - zeros.bit_length()
