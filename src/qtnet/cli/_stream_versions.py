"""QDataStream version numbers (``QDataStream::Version``) by Qt name."""

from __future__ import annotations

# Values of QDataStream::Version as in Qt 6.12 (checked against PySide6 6.12.0);
# aliases map to the same number as in Qt.
STREAM_VERSIONS: dict[str, int] = {
    "Qt_1_0": 1,
    "Qt_2_0": 2,
    "Qt_2_1": 3,
    "Qt_3_0": 4,
    "Qt_3_1": 5,
    "Qt_3_3": 6,
    "Qt_4_0": 7,
    "Qt_4_1": 7,
    "Qt_4_2": 8,
    "Qt_4_3": 9,
    "Qt_4_4": 10,
    "Qt_4_5": 11,
    "Qt_4_6": 12,
    "Qt_4_7": 12,
    "Qt_4_8": 12,
    "Qt_4_9": 12,
    "Qt_5_0": 13,
    "Qt_5_1": 14,
    "Qt_5_2": 15,
    "Qt_5_3": 15,
    "Qt_5_4": 16,
    "Qt_5_5": 16,
    "Qt_5_6": 17,
    "Qt_5_7": 17,
    "Qt_5_8": 17,
    "Qt_5_9": 17,
    "Qt_5_10": 17,
    "Qt_5_11": 17,
    "Qt_5_12": 18,
    "Qt_5_13": 19,
    "Qt_5_14": 19,
    "Qt_5_15": 19,
    "Qt_6_0": 20,
    "Qt_6_1": 20,
    "Qt_6_2": 20,
    "Qt_6_3": 20,
    "Qt_6_4": 20,
    "Qt_6_5": 20,
    "Qt_6_6": 21,
    "Qt_6_7": 22,
    "Qt_6_8": 22,
    "Qt_6_9": 22,
    "Qt_6_10": 23,
    "Qt_6_11": 24,
    "Qt_6_12": 24,
}

DEFAULT_STREAM_VERSION = STREAM_VERSIONS["Qt_5_10"]
# QString has been written as quint32 byte length + UTF-16 since Qt 2.0.
MIN_QSTRING_UTF16_VERSION = STREAM_VERSIONS["Qt_2_0"]
MAX_STREAM_VERSION = max(STREAM_VERSIONS.values())


def parse_stream_version(text: str) -> int:
    """``"17"`` or ``"Qt_5_10"`` -> 17; raises ValueError for anything else."""
    name = text.strip()
    if name in STREAM_VERSIONS:
        return STREAM_VERSIONS[name]
    try:
        value = int(name, 10)
    except ValueError:
        raise ValueError(
            f"unknown QDataStream version {text!r} (use a number or a name like Qt_5_10)"
        ) from None
    if not MIN_QSTRING_UTF16_VERSION <= value <= MAX_STREAM_VERSION:
        raise ValueError(
            f"QDataStream version {value} not supported "
            f"(range {MIN_QSTRING_UTF16_VERSION}..{MAX_STREAM_VERSION})"
        )
    return value
