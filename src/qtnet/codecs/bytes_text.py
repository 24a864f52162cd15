"""Qt's byte-array text conversions as pure functions on bytes.

What ``QByteArray`` does for numbers (``toInt``/``toDouble``/``number``), hex,
Base64 and percent-encoding, with Qt's rules: surrounding ASCII whitespace is
allowed around numbers but ``_`` separators and Python-only prefixes are not,
``fromHex`` skips non-hex characters and pairs digits from the end, the
lenient Base64 decoder skips bytes outside the alphabet.
"""

from __future__ import annotations

import base64
import binascii
import math
import struct
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any

ASCII_SPACES = b" \t\n\r\x0b\x0c"  # C isspace() in the "C" locale
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_NON_HEX = bytes(c for c in range(256) if c not in _HEX_DIGITS)
_B64_STD = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_URL = _B64_STD[:62] + b"-_"
_NON_B64_STD = bytes(c for c in range(256) if c not in _B64_STD)
_NON_B64_URL = bytes(c for c in range(256) if c not in _B64_URL)
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_DIGITS36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_SINGLE = [bytes((i,)) for i in range(256)]

# Base64 option bits and decoding statuses (QByteArray::Base64Option / Base64DecodingStatus)
BASE64_URL = 1
BASE64_OMIT_EQUALS = 2
BASE64_ABORT_ON_ERROR = 4
STATUS_OK, STATUS_ILLEGAL_LENGTH, STATUS_ILLEGAL_CHARACTER, STATUS_ILLEGAL_PADDING = 0, 1, 2, 3


# -- number parsing (Qt's toInt family and toDouble) ----------------------------------
# (min, max) for each integer conversion; long is 64-bit as on Linux/macOS.
_RANGES = {
    "short": (-(1 << 15), (1 << 15) - 1),
    "ushort": (0, (1 << 16) - 1),
    "int": (-(1 << 31), (1 << 31) - 1),
    "uint": (0, (1 << 32) - 1),
    "long": (-(1 << 63), (1 << 63) - 1),
    "ulong": (0, (1 << 64) - 1),
}


def parse_int(data: bytes | bytearray, base: int, kind: str) -> tuple[int, bool]:
    text = bytes(data).strip(ASCII_SPACES)
    lo, hi = _RANGES[kind]
    if not text or (base != 0 and not 2 <= base <= 36):
        return 0, False
    neg = False
    if text[:1] in (b"+", b"-"):
        neg = text[:1] == b"-"
        text = text[1:]
        if neg and lo == 0:
            return 0, False  # Qt refuses a minus sign for the unsigned conversions
    prefix = text[:2].lower()
    if base == 0:
        if prefix == b"0x":
            base, text = 16, text[2:]
        elif prefix == b"0b":
            base, text = 2, text[2:]
        elif text[:1] == b"0" and len(text) > 1:
            base, text = 8, text[1:]
        else:
            base = 10
    elif (base == 16 and prefix == b"0x") or (base == 2 and prefix == b"0b"):
        text = text[2:]
    # Python's int() also takes "_" separators and a second 0x/0o/0b prefix: refuse them.
    python_prefix = {16: b"0x", 8: b"0o", 2: b"0b"}.get(base)
    if not text or not text.isalnum() or (python_prefix and text[:2].lower() == python_prefix):
        return 0, False
    try:
        value = int(text, base)
    except ValueError:
        return 0, False
    if neg:
        value = -value
    if not lo <= value <= hi:
        return 0, False
    return value, True


def parse_double(data: bytes | bytearray) -> tuple[float, bool]:
    text = bytes(data).strip(ASCII_SPACES)
    if not text or b"_" in text or any(c in ASCII_SPACES for c in text):
        return 0.0, False
    lowered = text.lower()
    if b"n" in lowered and lowered.lstrip(b"+-") not in (b"inf", b"nan") or lowered[:1] in b"+-" \
            and lowered[1:] == b"nan":
        return 0.0, False  # Python's float() also takes "infinity" and signed NaNs; Qt does not
    try:
        value = float(text)
    except ValueError:
        return 0.0, False
    if math.isinf(value) and b"inf" not in lowered:
        return 0.0, False  # overflow: Qt reports failure with 0
    if value == 0.0 and lowered.split(b"e")[0].strip(b"+-.0"):
        return 0.0, False  # underflow to zero
    return value, True


def format_number(value: Any, fmt_or_base: Any = None, precision: int = 6) -> bytes:
    if isinstance(value, float):
        fmt = "g" if fmt_or_base is None else str(fmt_or_base)
        return format_double(value, fmt, 6 if precision < 0 else precision).encode("ascii")
    n = int(value)
    base = 10 if fmt_or_base is None else int(fmt_or_base)
    if base == 10:
        return str(n).encode("ascii")
    if base == 16:
        return format(n, "x").encode("ascii")
    if base == 8:
        return format(n, "o").encode("ascii")
    if base == 2:
        return format(n, "b").encode("ascii")
    if not 2 <= base <= 36:
        raise ValueError(f"invalid base {base}")
    digits = []
    m = abs(n)
    while True:
        m, r = divmod(m, base)
        digits.append(_DIGITS36[r])
        if not m:
            break
    return (("-" if n < 0 else "") + "".join(reversed(digits))).encode("ascii")


def to_float32(value: float) -> tuple[float, bool]:
    """``value`` rounded to a C float; beyond its range Qt gives +-inf and false."""
    try:
        single: float = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        single = math.copysign(math.inf, value)
    if math.isinf(single) and not math.isinf(value):
        return single, False
    if single == 0.0 and value != 0.0:
        return 0.0, False  # underflow
    return single, True


def format_double(value: float, fmt: str, precision: int) -> str:
    """printf-style 'e'/'f'/'g' formatting, but ties round away from zero as in Qt."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    kind = fmt.lower() if fmt.lower() in ("e", "f", "g") else "f"
    exact = Decimal(0.0 if value == 0 else value)  # Qt prints -0.0 as 0
    with localcontext(Context(prec=2000)):
        if kind == "f":
            text = _fixed(exact, precision)
        elif kind == "e":
            text = _scientific(exact, precision)
        else:
            digits = precision or 1
            exponent = 0 if exact == 0 else _round_significant(exact, digits).adjusted()
            if -4 <= exponent < digits:
                text = _strip_zeros(_fixed(exact, digits - 1 - exponent))
            else:
                mantissa, _, exp_part = _scientific(exact, digits - 1).partition("e")
                text = _strip_zeros(mantissa) + "e" + exp_part
    return text.upper() if fmt.isupper() else text


def _round_significant(d: Decimal, digits: int) -> Decimal:
    return d.quantize(Decimal(1).scaleb(d.adjusted() - digits + 1), rounding=ROUND_HALF_UP)


def _fixed(d: Decimal, decimals: int) -> str:
    return f"{d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):f}"


def _scientific(d: Decimal, decimals: int) -> str:
    if d == 0:
        return f"{Decimal(0).quantize(Decimal(1).scaleb(-decimals)):f}e+00"
    rounded = _round_significant(d, decimals + 1)
    exponent = rounded.adjusted()
    mantissa = rounded.scaleb(-exponent).quantize(Decimal(1).scaleb(-decimals))
    return f"{mantissa:f}e{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"


def _strip_zeros(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def from_hex(data: bytes | bytearray | memoryview) -> bytes:
    digits = bytes(data).translate(None, _NON_HEX)
    if len(digits) % 2:
        digits = b"0" + digits  # Qt pairs digits from the end
    return bytes.fromhex(digits.decode("ascii"))


def to_base64(data: bytes | bytearray | memoryview, options: int) -> bytes:
    out = base64.urlsafe_b64encode(data) if options & BASE64_URL else base64.b64encode(data)
    return out.rstrip(b"=") if options & BASE64_OMIT_EQUALS else out


def from_base64(data: bytes | bytearray | memoryview, options: int) -> tuple[bytes | None, int]:
    """(decoded bytes or None on error, decoding status)."""
    raw = bytes(data)
    alphabet_gaps = _NON_B64_URL if options & BASE64_URL else _NON_B64_STD
    if options & BASE64_ABORT_ON_ERROR:  # strict alphabet, '=' padding only at the end
        core = raw.rstrip(b"=")
        pad = len(raw) - len(core)
        if core.translate(None, alphabet_gaps) != core:
            return None, STATUS_ILLEGAL_CHARACTER
        if len(core) % 4 == 1 or pad > 2 or (pad and (len(core) + pad) % 4):
            return None, STATUS_ILLEGAL_PADDING
    else:  # lenient (Qt's default): skip every byte outside the alphabet
        core = raw.translate(None, alphabet_gaps)
    if len(core) % 4 == 1:
        core = core[:-1]  # six lone bits make no byte
    core += b"=" * (-len(core) % 4)
    try:
        out = base64.urlsafe_b64decode(core) if options & BASE64_URL else base64.b64decode(core)
    except binascii.Error:
        return None, STATUS_ILLEGAL_LENGTH
    return out, STATUS_OK


def to_percent_encoding(
    data: bytes | bytearray | memoryview,
    exclude: bytes | bytearray | memoryview = b"",
    include: bytes | bytearray | memoryview = b"",
    percent: int = 0x25,
) -> bytes:
    """Escape all but unreserved bytes (RFC 3986) and ``exclude``; ``include`` always."""
    keep_extra = frozenset(exclude)
    force = frozenset(include)
    table = [
        _SINGLE[c] if (c in keep_extra or (c in _UNRESERVED and c not in force))
        else b"%c%02X" % (percent, c)
        for c in range(256)
    ]
    return b"".join(map(table.__getitem__, bytes(data)))


def from_percent_encoding(data: bytes | bytearray | memoryview, percent: int = 0x25) -> bytes:
    """Decode ``%XX`` escapes; a ``%`` not followed by two hex digits stays as it is."""
    raw = bytes(data)
    pct = _SINGLE[percent]
    parts = raw.split(pct)
    if len(parts) == 1:
        return raw
    out = [parts[0]]
    for part in parts[1:]:
        head = part[:2]
        if len(head) == 2 and head.translate(None, _NON_HEX) == head:
            out.append(_SINGLE[int(head, 16)])
            out.append(part[2:])
        else:
            out.append(pct)
            out.append(part)
    return b"".join(out)
