"""Byte-for-byte agreement of qtnet's QDataStream codec with real Qt (PySide6 6.12).

One PySide6 subprocess (see tests/peers.py) does all the Qt side in a single run:

* encode: PySide6 writes every value with every setting; the bytes must equal
  qtnet's (versions 7, 17, 21, 22, 24; both byte orders; both precisions).
* decode: PySide6 reads what qtnet wrote and must get the original values back.
* re-encode: QVariant types PySide6 cannot build from Python (quint32, float,
  QVariantHash, QChar, ...) are read by Qt (QStandardItem::read) and written
  again (QStandardItem::write); Qt's bytes must equal qtnet's.  A QVariantHash
  with several entries is compared by content, since hash order is not stable.
* malformed: Qt and qtnet read the same truncated/corrupted/random input and
  must agree on value, status and read position, with and without a transaction.

A failure to install PySide6 fails these tests with pip's output; none is skipped.
"""

from __future__ import annotations

import ipaddress
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest

from peers import pyside6_json
from qtnet.codecs.datastream import (
    ByteOrder,
    FloatingPointPrecision,
    HostAddressWire,
    MetaType,
    Reader,
    Status,
    Variant,
    Writer,
    variant_from_python,
    variant_to_python,
)

VERSIONS = [7, 17, 21, 22, 24]
ORDERS = [ByteOrder.BigEndian, ByteOrder.LittleEndian]
SINGLE, DOUBLE = FloatingPointPrecision.SinglePrecision, FloatingPointPrecision.DoublePrecision

PEER_SCRIPT = r"""
import json, sys
from PySide6.QtCore import QDataStream, QByteArray, QIODevice
from PySide6.QtGui import QStandardItem
from PySide6.QtNetwork import QHostAddress

INTS = {"i8": "Int8", "u8": "UInt8", "i16": "Int16", "u16": "UInt16", "i32": "Int32",
        "u32": "UInt32", "i64": "Int64", "u64": "UInt64"}
HOSTS = {"null": QHostAddress(), "any": QHostAddress(QHostAddress.Any),
         "any4": QHostAddress(QHostAddress.AnyIPv4), "any6": QHostAddress(QHostAddress.AnyIPv6)}

def from_json(v):
    if isinstance(v, dict):
        if "__b" in v:
            return QByteArray() if v["__b"] is None else QByteArray(bytes.fromhex(v["__b"]))
        if "__f" in v:
            return float.fromhex(v["__f"])
        return {k: from_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [from_json(x) for x in v]
    return v

def to_json(v):
    if isinstance(v, QByteArray):
        null = v.isNull()  # first: the buffer protocol (bytes(v)) detaches a null array
        return {"__b": bytes(v).hex(), "null": null}
    if isinstance(v, (bytes, bytearray)):
        return {"__b": bytes(v).hex()}
    if isinstance(v, float):
        return {"__f": v.hex()}
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_json(x) for x in v]
    return v

def make(settings, data=None):
    ver, order, prec = settings
    if data is None:
        ba = QByteArray()
        s = QDataStream(ba, QIODevice.WriteOnly)
    else:
        ba = QByteArray(data)
        s = QDataStream(ba)
    s.setVersion(ver)
    s.setByteOrder(QDataStream.ByteOrder(order))
    s.setFloatingPointPrecision(QDataStream.FloatingPointPrecision(prec))
    return ba, s

def write(s, op, arg):
    if op in INTS:
        getattr(s, "write" + INTS[op])(arg)
    elif op == "bool": s.writeBool(arg)
    elif op == "float": s.writeFloat(arg)
    elif op == "double": s.writeDouble(arg)
    elif op == "qchar": s.writeQChar(arg)
    elif op == "qstring": s.writeQString(arg)
    elif op == "qbytearray": s << arg
    elif op == "bytes": s.writeBytes(bytes(arg))
    elif op == "raw": s.writeRawData(bytes(arg))
    elif op == "qstringlist": s.writeQStringList(arg)
    elif op == "variant": s.writeQVariant(arg)
    elif op == "hostaddr": s << (HOSTS[arg] if arg in HOSTS else QHostAddress(arg))
    else: raise SystemExit("unknown write op " + op)

def reencode_variant(settings, data):
    ver = settings[0]
    frame, w = make(settings)
    w.writeInt32(1); w.writeInt32(256); w.writeRawData(data); w.writeInt32(0)
    _, r = make(settings, bytes(frame))
    item = QStandardItem()
    item.read(r)
    status = r.status().value
    out, o = make(settings)
    item.write(o)
    full = bytes(out)
    head, _ = make(settings)
    tail = 16 + (1 if ver >= 8 else 0)  # role 255 + the flags variant + the flags int
    try:
        value = to_json(item.data(256))
    except Exception:
        value = "<unconvertible>"
    return {"hex": full[8:len(full) - tail].hex(), "head": full[:8].hex(), "value": value}, status

def read(s, op, settings, data):
    if op in INTS:
        return getattr(s, "read" + INTS[op])()
    if op == "bool": return s.readBool()
    if op == "float": return s.readFloat()
    if op == "double": return s.readDouble()
    if op == "qchar": return s.readQChar()
    if op == "qstring": return s.readQString()
    if op == "qbytearray":
        t = QByteArray(b"sentinel")
        s >> t
        return t
    if op == "bytes": return s.readBytes(0)
    if op == "qstringlist": return s.readQStringList()
    if op == "variant": return s.readQVariant()
    if op == "hostaddr":
        a = QHostAddress("9.9.9.9")
        s >> a
        out, o = make(settings)
        o << a
        return {"protocol": a.protocol().value, "rewritten": bytes(out).hex()}
    raise SystemExit("unknown read op " + op)

spec = json.load(sys.stdin)
res = {}
for cid, settings, op, arg in spec["encode"]:
    ba, s = make(settings)
    write(s, op, from_json(arg))
    res[cid] = {"hex": bytes(ba).hex(), "status": s.status().value}
for cid, settings, op, hexdata, tx in spec["decode"]:
    data = bytes.fromhex(hexdata)
    if op == "variant_reencode":
        value, status = reencode_variant(settings, data)
        res[cid] = {"value": value, "status": status}
        continue
    ba, s = make(settings, data)
    if tx:
        s.startTransaction()
    value = to_json(read(s, op, settings, data))
    entry = {"value": value, "status": s.status().value}
    if tx:
        entry["commit"] = s.commitTransaction()
        entry["status_after"] = s.status().value
    entry["pos"] = s.device().pos()
    res[cid] = entry
print(json.dumps(res))
"""

Settings = tuple[int, int, int]

# -- values for every type --------------------------------------------------------------

NULL_QBYTEARRAY = object()  # stands for QByteArray() (null) in the variant values
LONG_ASCII = "All work and no play makes Jack a dull boy. " * 7
VALUES: dict[str, list[Any]] = {
    "i8": [-128, -1, 0, 127],
    "u8": [0, 255],
    "i16": [-32768, -2, 32767],
    "u16": [0, 65535],
    "i32": [-(2**31), -2, 37, 2**31 - 1],
    "u32": [0, 0xDEADBEEF],
    "i64": [-(2**63), -4, 2**62 + 5],
    "u64": [5, 2**64 - 1],
    "bool": [True, False],
    "float": [1.0, 0.1, -123.0, 3.4e38, 1e300, 1e-45],
    "double": [0.1, -234.0, 1e300, 5e-324],
    "qstring": [None, "", "A", "ab", "Her er det noe tekst", "text\nCRLF\r\n", "é€😀", LONG_ASCII],
    "qbytearray": [None, b"", b"foo", bytes(range(256))],
    "bytes": [b"ab", b"\x00\x01\x02"],
    "raw": [b"abc"],
    "qstringlist": [[], ["a"], ["a", "", "é€😀"]],
    "qchar": ["a", "~"],
    "variant": [
        None,
        True,
        False,
        0,
        -1,
        2**31 - 1,
        2**31,
        -(2**63),
        1.5,
        0.1,
        "ab",
        "",
        b"x",
        NULL_QBYTEARRAY,
        ["a", "b"],
        [],
        [1, "a", None, [2.5]],
        {"b": 1, "a": {"c": ["x"]}},
        {},
    ],
    "hostaddr": [
        "null",
        "127.0.0.1",
        "::1",
        "fe80::1%eth0",
        "any",
        "any4",
        "any6",
        "::ffff:1.2.3.4",
    ],
}


def host_wire(spec: str) -> HostAddressWire:
    fixed = {"null": HostAddressWire(-1), "any": HostAddressWire(2), "any4": HostAddressWire(0, 0),
             "any6": HostAddressWire(1, ipv6=bytes(16))}  # fmt: skip
    if spec in fixed:
        return fixed[spec]
    addr, _, scope = spec.partition("%")
    ip = ipaddress.ip_address(addr)
    if ip.version == 4:
        return HostAddressWire(0, int(ip))
    return HostAddressWire(1, ipv6=ip.packed, scope_id=scope or None)


def as_variant(value: Any) -> Variant:
    if value is NULL_QBYTEARRAY:
        return Variant(MetaType.QByteArray, None)
    return variant_from_python(value)


def qtnet_write(w: Writer, op: str, value: Any) -> None:
    if op == "variant":
        w.write_variant(as_variant(value))
    elif op == "hostaddr":
        w.write_host_address(host_wire(value))
    else:
        getattr(w, "write_" + op)(value)


def to_json(v: Any) -> Any:
    """qtnet-side values in the peer's JSON form (bytes and floats tagged)."""
    if isinstance(v, (bytes, bytearray)):
        return {"__b": bytes(v).hex()}
    if isinstance(v, float):
        return {"__f": v.hex()}
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_json(x) for x in v]
    return v


def peer_arg(op: str, value: Any) -> Any:
    """``value`` as JSON for the peer script (which turns {"__b": ...} into a QByteArray)."""
    if value is NULL_QBYTEARRAY or (op == "qbytearray" and value is None):
        return {"__b": None}
    if op in ("qbytearray", "variant") and not isinstance(value, float):
        return to_json(value)
    if op in ("bytes", "raw"):
        return list(value)
    return value  # floats travel as JSON numbers: Python's repr round-trips exactly


def settings_for(op: str) -> list[Settings]:
    precisions = [SINGLE, DOUBLE] if op in ("float", "double", "variant") else [DOUBLE]
    return [(v, int(o), int(p)) for v in VERSIONS for o in ORDERS for p in precisions]


def encode(settings: Settings, fn: Callable[[Writer], None]) -> bytes:
    w = Writer(version=settings[0], byte_order=settings[1], precision=settings[2])
    fn(w)
    return bytes(w.buffer)


# -- building the cases (pure qtnet work, at import time) ----------------------------------

ENCODE: dict[str, list[tuple[str, Settings, str, Any, bytes]]] = defaultdict(list)
DECODE: dict[str, list[tuple[str, Settings, str, bytes, bool, Any]]] = defaultdict(list)

for op, values in VALUES.items():
    for settings in settings_for(op):
        for i, value in enumerate(values):
            cid = f"{op}/{settings}/{i}"
            data = encode(settings, lambda w, op=op, value=value: qtnet_write(w, op, value))
            ENCODE[op].append(("enc/" + cid, settings, op, peer_arg(op, value), data))
            if op != "raw":
                DECODE[op].append(("dec/" + cid, settings, op, data, False, value))

TYPED_VARIANTS: list[Variant] = [
    Variant(MetaType.UInt, 0xFFFFFFFE),
    Variant(MetaType.ULongLong, 2**64 - 1),
    Variant(MetaType.LongLong, -(2**63)),
    Variant(MetaType.Float, 1.5),
    Variant(MetaType.Float, 0.1),
    Variant(MetaType.QVariantHash, {"a": Variant(MetaType.Int, 5)}),
    Variant(MetaType.QVariantHash, {f"k{i}": Variant(MetaType.UInt, i) for i in range(5)}),
    Variant(MetaType.QChar, "é"),
    Variant(MetaType.Short, -2),
    Variant(MetaType.UShort, 65534),
    Variant(MetaType.SChar, -1),
    Variant(MetaType.UChar, 255),
    Variant(MetaType.Char, 65),
    Variant(MetaType.Long, 2**40),
    Variant(MetaType.ULong, 2**63),
    Variant(MetaType.Nullptr, None),
    Variant(MetaType.QString, "a", is_null=True),
    Variant(MetaType.QString, None),
    Variant(MetaType.QByteArray, None),
    Variant(MetaType.QStringList, ["x", None]),
    Variant(MetaType.QVariantList, [Variant(MetaType.UInt, 1), Variant(MetaType.Float, 2.0)]),
    Variant(MetaType.QVariantMap, {"z": Variant(MetaType.Bool, True), "a": Variant(0, None, True)}),
]
REENCODE: list[tuple[str, Settings, bytes, Variant]] = []
for settings in settings_for("variant"):
    for i, var in enumerate(TYPED_VARIANTS):
        REENCODE.append(
            (
                f"reencode/{settings}/{i}",
                settings,
                encode(settings, lambda w, v=var: w.write_variant(v)),
                var,
            )
        )


def _malformed_inputs() -> list[tuple[str, Settings, bytes]]:
    """Truncations of valid encodings at every byte, crafted edge cases and seeded random junk."""
    out: list[tuple[str, Settings, bytes]] = []
    samples: dict[str, Callable[[Writer], None]] = {
        "qstring": lambda w: w.write_qstring("é€😀ab"),
        "qbytearray": lambda w: w.write_qbytearray(b"hello"),
        "bytes": lambda w: w.write_bytes(b"hello"),
        "qstringlist": lambda w: w.write_qstringlist(["ab", "", "c"]),
        "i64": lambda w: w.write_i64(-5),
        "double": lambda w: w.write_double(0.5),
        "hostaddr": lambda w: w.write_host_address(host_wire("fe80::1%eth0")),
        "variant": lambda w: w.write_variant(
            variant_from_python([1, "ab", {"k": [2.5, None]}, b"x"])
        ),
    }
    for op, fn in samples.items():
        for settings in [(21, 0, 1), (22, 1, 1), (7, 0, 1)]:
            full = encode(settings, fn)
            for cut in range(len(full)):
                out.append((op, settings, full[:cut]))
    crafted = [
        ("qstring", "ffffffff 07"), ("qstring", "00000003 006100 07"), ("qstring", "79797979 07"),
        ("qstring", "fffffffd 07"), ("qstring", "fffffffe 0000000000000004 00610062 07"),
        ("qstring", "fffffffe ffffffffffffffff 07"), ("qstring", "fffffffe 8000000000000000 07"),
        ("qstring", "fffffffe 00000000 07"), ("qbytearray", "ffffffff 07"),
        ("qbytearray", "fffffffe 0000000000000002 6162 07"), ("qbytearray", "fffffffe 8000000000000000"),  # noqa: E501
        ("qbytearray", "fffffffe ffffffffffffffff 07"), ("bytes", "ffffffff 07"), ("bytes", "00000000 07"),  # noqa: E501
        ("qstringlist", "ffffffff 07"), ("qstringlist", "fffffffe ffffffffffffffff 07"),
        ("qstringlist", "00000002 00000001 0061"), ("qstringlist", "fffffff0 00000002 0061"),
        ("hostaddr", "05 07"), ("hostaddr", "03"), ("hostaddr", "01 fe80"),
        ("variant", "00000008 00 00000002 00000002 0061 00000002 00 00000001 00000002 0061 00000002 00 00000002"),  # noqa: E501
        ("variant", "0000000b 00 ffffffff"), ("variant", "00000009 00 00000001 0000000a 00 00000003 0061"),  # noqa: E501
    ]  # fmt: skip
    for op, hexdata in crafted:
        for settings in [(21, 0, 1), (22, 0, 1)]:
            out.append((op, settings, bytes.fromhex(hexdata)))
    rng = random.Random(20240607)
    for op in [
        "qstring",
        "qbytearray",
        "bytes",
        "qstringlist",
        "i32",
        "double",
        "qchar",
        "hostaddr",
    ]:
        for _ in range(40):
            n = rng.randrange(0, 20)
            data = bytes(
                rng.choice([0, 0, 0, 1, 2, 3, 0x61, 0xFF, 0xFE, rng.randrange(256)])
                for _ in range(n)
            )
            out.append((op, (rng.choice([21, 22]), rng.choice([0, 1]), 1), data))
    return out


MALFORMED: dict[str, list[tuple[str, Settings, str, bytes, bool]]] = defaultdict(list)
for k, (op, settings, data) in enumerate(_malformed_inputs()):
    for tx in (False, True):
        MALFORMED[op].append((f"bad/{k}/{tx}", settings, op, data, tx))


def qtnet_read(op: str, settings: Settings, data: bytes, tx: bool) -> dict[str, Any]:
    """qtnet's reading of ``data``, in the same form the peer reports."""
    r = Reader(data, version=settings[0], byte_order=settings[1], precision=settings[2])
    if tx:
        r.start_transaction()
    value: Any
    if op == "qstring":
        s = r.read_qstring()
        value = "" if s is None else s
    elif op == "qbytearray":
        b = r.read_qbytearray()
        value = {"__b": (b or b"").hex(), "null": b is None}
    elif op == "bytes":
        b = r.read_bytes()
        value = None if b is None else {"__b": b.hex()}
    elif op == "qstringlist":
        value = ["" if s is None else s for s in r.read_qstringlist()]
    elif op == "variant":
        value = to_json(
            variant_to_python(
                r.read_variant(), lambda b: {"__b": (b or b"").hex(), "null": b is None}
            )
        )
    elif op == "hostaddr":
        a = r.read_host_address()
        proto = {-1: -1, 0: 0, 1: 1, 2: 2}[a.protocol]
        if r.status == Status.ReadCorruptData and a.protocol == -1:
            proto = -1
        w = Writer(version=settings[0], byte_order=settings[1], precision=settings[2])
        w.write_host_address(a)
        value = {"protocol": proto, "rewritten": bytes(w.buffer).hex()}
    elif op == "qchar":
        value = r.read_qchar()
    elif op in ("float", "double"):
        value = {"__f": getattr(r, "read_" + op)().hex()}
    else:
        value = getattr(r, "read_" + op)()
    out = {"value": value, "status": int(r.status)}
    if tx:
        out["commit"] = r.commit_transaction()
        out["status_after"] = int(r.status)
    out["pos"] = r.pos
    return out


# -- the single peer run ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def peer() -> dict[str, Any]:
    spec = {
        "encode": [[cid, s, op, arg] for cases in ENCODE.values() for cid, s, op, arg, _ in cases],
        "decode": [
            [cid, s, op, data.hex(), tx]
            for cases in DECODE.values()
            for cid, s, op, data, tx, _ in cases
        ]
        + [[cid, s, "variant_reencode", data.hex(), False] for cid, s, data, _ in REENCODE]
        + [
            [cid, s, op, data.hex(), tx]
            for cases in MALFORMED.values()
            for cid, s, op, data, tx in cases
        ],
    }
    result: dict[str, Any] = pyside6_json(PEER_SCRIPT, spec, timeout=600)
    return result


@pytest.mark.parametrize("op", sorted(ENCODE))
def test_qt_writes_the_same_bytes(peer: dict[str, Any], op: str) -> None:
    bad = []
    for cid, _, _, _, data in ENCODE[op]:
        got = peer[cid]
        if got["hex"] != data.hex() or got["status"] != 0:
            bad.append(f"{cid}: Qt {got['hex']} (status {got['status']}) qtnet {data.hex()}")
    assert not bad, "\n".join(bad[:20])
    assert ENCODE[op]  # the case list is not empty


def _expected_peer_value(op: str, value: Any, settings: Settings) -> Any:
    single = settings[2] == SINGLE and settings[0] >= 12
    if op == "qstring":
        return "" if value is None else value
    if op == "qbytearray":
        return {"__b": (value or b"").hex(), "null": value is None}
    if op == "bytes":
        return {"__b": value.hex()}
    if op == "float" or (op == "double" and single):
        r = Reader(encode(settings, lambda w: w.write_float(value)), version=settings[0],
                   byte_order=settings[1], precision=settings[2])  # fmt: skip
        return {"__f": r.read_float().hex()}
    if op == "double":
        return {"__f": value.hex()}
    if op == "variant":
        data = encode(settings, lambda w: w.write_variant(as_variant(value)))
        r = Reader(data, version=settings[0], byte_order=settings[1], precision=settings[2])
        return to_json(
            variant_to_python(
                r.read_variant(), lambda b: {"__b": (b or b"").hex(), "null": b is None}
            )
        )
    if op == "hostaddr":
        return None  # checked through the re-written bytes
    return value


@pytest.mark.parametrize("op", sorted(DECODE))
def test_qt_reads_what_qtnet_writes(peer: dict[str, Any], op: str) -> None:
    bad = []
    for cid, settings, _, data, _, value in DECODE[op]:
        got = peer[cid]
        if op == "hostaddr":
            ok = got["value"]["rewritten"] == data.hex()
        else:
            ok = got["value"] == _expected_peer_value(op, value, settings)
        if not ok or got["status"] != 0 or got["pos"] != len(data):
            bad.append(f"{cid}: Qt read {got} from {data.hex()}")
    assert not bad, "\n".join(bad[:20])


def test_qt_reencodes_typed_variants_identically(peer: dict[str, Any]) -> None:
    bad = []
    for cid, settings, data, var in REENCODE:
        got = peer[cid]
        head = "00000002 00000100" if settings[1] == 0 else "02000000 00010000"
        if got["status"] != 0 or got["value"]["head"] != bytes.fromhex(head).hex():
            bad.append(f"{cid}: Qt status {got['status']} head {got['value']['head']}")
            continue
        qt_bytes = bytes.fromhex(got["value"]["hex"])
        if var.type_id == MetaType.QVariantHash and len(var.value) > 1:  # type: ignore[arg-type]
            # Hash order differs between implementations: compare what the bytes mean.
            r = Reader(qt_bytes, version=settings[0], byte_order=settings[1], precision=settings[2])
            if r.read_variant() != var or r.status != Status.Ok or not r.at_end():
                bad.append(f"{cid}: Qt's hash {qt_bytes.hex()} decodes differently")
        elif qt_bytes != data:
            bad.append(f"{cid}: Qt {qt_bytes.hex()} qtnet {data.hex()}")
    assert not bad, "\n".join(bad[:20])
    assert len(REENCODE) >= 100


@pytest.mark.parametrize("op", sorted(MALFORMED))
def test_malformed_input_is_read_like_qt(peer: dict[str, Any], op: str) -> None:
    bad = []
    for cid, settings, _, data, tx in MALFORMED[op]:
        got = peer[cid]
        mine = qtnet_read(op, settings, data, tx)
        if got != mine:
            bad.append(f"{cid} {settings} {data.hex()}:\n   Qt    {got}\n   qtnet {mine}")
    assert not bad, f"{len(bad)} mismatches\n" + "\n".join(bad[:15])
    assert len(MALFORMED[op]) >= 40


# -- the peer infrastructure itself ------------------------------------------------------------


def test_peer_is_reused_once_installed() -> None:
    import time

    from peers import _tools_peers, pyside6_python

    first = pyside6_python()
    t0 = time.perf_counter()
    again = _tools_peers().ensure("pyside6")  # a second ensure must not reinstall
    assert again == first and time.perf_counter() - t0 < 10
    assert _tools_peers().is_ready("pyside6")


def test_peer_install_failure_raises_with_pips_reason(tmp_path: Any, monkeypatch: Any) -> None:
    from peers import _tools_peers

    tools = _tools_peers()
    monkeypatch.setattr(tools, "PEERS_DIR", tmp_path)
    broken = tools.PeerSpec("broken", (str(tmp_path / "no-such-project"),), "pass")
    monkeypatch.setitem(tools.PEERS, "broken", broken)
    with pytest.raises(tools.PeerError, match="pip install"):
        tools.ensure("broken")
    assert not tools.is_ready("broken")
