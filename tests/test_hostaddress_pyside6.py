"""QHostAddress against real Qt: one PySide6 subprocess computes, for ~200 address
texts, every query (toString, protocol, toIPv4Address, toIPv6Address, the
classification predicates, ``==`` with each SpecialAddress, QDataStream bytes),
``isEqual`` over a matrix of v4/v6 look-alikes and all conversion modes,
``parseSubnet`` and ``isInSubnet``; qtnet must give exactly the same answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from peers import pyside6_json
from qtnet.qt.bytearray import QByteArray
from qtnet.qt.datastream import QDataStream
from qtnet.qt.hostaddress import QHostAddress
from qtnet.qt.iodevice import QIODevice

ADDRS = [
    "", " ", "bjarne", "foo.bar.com", "127.0.0.1", "127.0.0.2", "255.255.255.255", "0.0.0.0",
    "::", "::1", "::2", "1.2.3.4", " 255.3.2.1", "255.3.2.1\r ", "123.0.0", "123.0.0.",
    "123.0.0.0.0", "256.9.9.9", "-1.9.9.9", "255.2 3.2.1",
    "FEDC:BA98:7654:3210:FEDC:BA98:7654:3210",
    "1080:0000:0000:0000:0008:0800:200C:417A", "1080::8:800:200C:417A", "FF01::43", "1::",
    "0:0:0:0:0:0:13.1.68.3", "::13.1.68.3", "0:0:0:0:0:FFFF:129.144.52.38", "::FFFF:129.144.52.38",
    "1::FFFF:129.144.52.38", "A:B::D:E", "1080:0:1:0:8:800:200C:417A", "1080:0:1:0:8:800:200C:0",
    "1080:0:1:0:8:800:0:0", "1080:0:0:8:800:0:0:0", "1080:0:0:0:8:0:0:0", "0:1:1:1:8:800:0:0",
    "0:1:1:1:8:800:0:1", ":", ":::", "::AAAA:", ":AAAA::", "FFFF:::129.144.52.38",
    "FEDC:BA98:7654:3210:FEDC:BA98:7654:3210:1234", "129.144.52.38::",
    "::129.144.52.38:129.144.52.38", ":::129.144.52.38", "1FEDC:BA98:7654:3210:FEDC:BA98:7654:3210",
    "::FFFFFFFF", "::EFGH", "ABCD:ABCD:ABCD", "::ABCD:ABCD::", "1::2::3", "1:2:::", ":::1:2",
    "1:::2", "FEDC::7654:3210:FEDC:BA98::3210", "ABCD:ABCD:ABCD:1.2.3.4",
    "ABCD::ABCD::ABCD:1.2.3.4",
    "::ffff", "::1:0", "::0.1.0.0", "::0.0.255.255", "::0.1.0.1", "::1.0.0.0", "::ffff:0.0.0.0",
    "::ffff:1.2.3.4", "::ffff:0:1.2.3.4", "::1:ffff:1.2.3.4", "::fffe:1.2.3.4", "1:0:0:1::",
    "1:0:0:1:0:0:0:1", "1::1:0:0:1", "0:0:1::", "1:2:3:4:5:6:7:0", "0:1:2:3:4:5:6:7",
    "0:0:0:0:0:1:0:0", "::ffff:ffff:ffff", "64:ff9b::1.2.3.4", "::ffff:127.0.0.1%eth0", "fe80::1%2",
    "FE80::1%ETH0", "1.2.3.4%x", "::%", "::1%", "fe80::1%%a", "fe80::1%a b", "fe80::1%a  b",
    " ::1 ", "::1\n", "127.1", "127.0.1", "0x7f.0.0.1", "0177.0.0.1", "01.2.3.4", "4294967295",
    "4294967296", "16777216", "1.2.3", "1..2.3", "1.2.3.256", "1.2.256", "1.65536", "1.16777215",
    "1.16777216", "256", "0x100", "1.2.3.0x4", "1.2.3.04", "1.2.3.08", "[::1]", "::1/64",
    "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:1.2.3.4",
    "1:2:3:4:5::1.2.3.4", "1:2:3:4:5:6::1.2.3.4", ":1.2.3.4", "::ffff:1.2.3", "::ffff:01.2.3.4",
    "::ffff:1.2.3.4.5", "00001::", "0001::", "1::g", "\uff11.2.3.4", "\t1.2.3.4", "1 .2.3.4",
    "1. 2.3.4", "1.+2.3.4", "1.+ 2.3.4", "1.2.3. 4", "1.2.3.4\x00x", "::1\x00", "0X7F.0.0.1",
    "+1.2.3.4", "1.2.3.-4", "0x", "0.0.0.0x0", "00", "09", "1e3", ".1.2.3", "0xFFFFFFFF",
    "0x100000000", "1.0xffffff", "1.0x1000000", "037777777777", "040000000000", "::ffff:1.2.3.04",
    "::1.2.3.4", "::127.0.0.1", "2001:db8::1", "ff02::1", "fe80::", "fec0::", "fe00::", "fc00::",
    "fdff::1", "2000::", "ff00::", "0.0.0.1", "0.255.255.255", "1.0.0.0", "10.0.0.4",
    "127.255.255.255", "192.168.3.4", "223.255.255.255", "224.0.0.0", "239.255.255.255",
    "240.0.0.0", "255.255.255.254", "172.16.0.1", "172.31.255.255", "172.32.0.0", "172.15.255.255",
    "169.254.1.1", "100.64.0.1", "::ffff:10.0.0.4", "::ffff:169.254.0.1", "::ffff:224.0.0.1",
    "::ffff:255.255.255.255", "::ffff:127.0.0.1", "::ffff:7F00:0001",
    "fe80::2e0:4cff:fefb:662a%eth0",
    "::ffff:1.2.3.4%lo", "1:2:3:4:5:6:7:8%", "a:b:c:d:e:f:0:0%1", "%", "%eth0", "1.2.3.4%",
]  # fmt: skip
SPECIALS = ["Null", "Broadcast", "LocalHost", "LocalHostIPv6", "Any", "AnyIPv6", "AnyIPv4"]
SUBNETS = [
    "", "foobar", "   ", "1.2.3.a", "1.2.3.4.5", "1.2.3.4:80", "1.2.3.4/33", "1.2.3.4/-1",
    "1.2.3.4/256.0.0.0", "1.2.3.4/255.253.0.0", "1.2.3.4/255.0.0.255", "1.2.3.4.", "ffff::/-1",
    "ffff::/129", "ffff::/255.255.0.0", "ffff::/ff00::", "0.0.0.0/0.0.0.0", "0.0.0.0/255.128.0.0",
    "0.0.0.0/255.255.255.254", "0.0.0.0/31", "10", "10.", "172.16.", "192.168.0.1", "::/0", "::/3",
    "::/128", "255.255.255.255/23", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/121",
    "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/3", "1.2.3.4/255.255.255.0", " 1.2.3.4/24",
    "1.2.3.4/ 24", "1.2.3.4/+24", "1.2.3.4/0x18", "1.2.3.4/024", "fe80::1%eth0/64",
    "::ffff:1.2.3.4/120", "1.2.3.4/", "/24", "/", "10/8", "1.2.3.4/255.255.255.0x0",
    "1.2.3.4/4294967296", "010.1/16", "0x10.1/16", "1.2.3.4/255.255.255", "1.2.3.4/255.255.255.0 ",
    "1.2.3.4/ffff::", "1.2.3.4/24/8", "1.2.3.4 /24", "1.2.3.4/2 4", "::1/", "::1/64 ", "1.2.3.4/-0",
    "1.2.3.4/0.0.0.0", "1.2.3.4/128.0.0.0", "1.2.3.4/0.255.255.255", "1.2.3.4/::ffff:255.255.0.0",
    "a::/16", "::ffff:0.0.0.0/96", "1.2.3.256/24", "1..3/24", "256/8", "1.2.3/8", "1/33", "1/32",
    "1.2.3.4/\uff12",
]  # fmt: skip
CONV: list[Any] = [
    "", "127.0.0.1", "::1", "0.0.0.1", "192.168.1.1", "::192.168.1.1", "::ffff:192.168.1.1",
    "0.0.0.0", "::", "::ffff:0.0.0.0", "::ffff:127.0.0.1", "::127.0.0.1", "1.2.3.4", "::1.2.3.4",
    "fe80::1%eth0", "fe80::1%eth1", "fe80::1", "2001:db8::1", {"s": "Any"}, {"s": "AnyIPv4"},
    {"s": "AnyIPv6"}, {"s": "Broadcast"}, "255.255.255.255", "::ffff:255.255.255.255", "::0.0.0.2",
    "::2",
]  # fmt: skip
MODES = [0, 1, 2, 4, 8, 3, 5, 12, 0xFF]
SUBNET_ROWS: list[list[Any]] = [
    ["", "", 32], ["", {"s": "AnyIPv4"}, 0], [{"s": "AnyIPv4"}, "", 16],
    [{"s": "AnyIPv4"}, {"s": "Any"}, -1], [{"s": "LocalHost"}, {"s": "AnyIPv6"}, 0],
    [{"s": "LocalHostIPv6"}, {"s": "Any"}, 0], [{"s": "LocalHost"}, "::ffff:255.0.0.0", 113],
    [{"s": "LocalHost"}, "128.0.0.0", 1], ["224.0.0.1", "128.0.0.0", 1],
    ["10.0.1.255", "10.0.0.0", 15], ["fec0::1", "8000::", 1], ["2:3:5::1", "2:3:4::", 47],
    ["2:3:5::1", "2:3:4::", 48], ["2:3:4:5::1", "2:3:4:5::0", 127], ["1.2.3.4", "1.2.3.4", 1000],
    ["::ffff:1.2.3.4", "1.2.3.0", 24], ["::ffff:1.2.3.4", "::ffff:1.2.3.0", 120],
    [{"s": "Any"}, {"s": "Any"}, 0], ["fe80::1%eth0", "fe80::", 10],
    ["1.2.3.4", "1.2.3.0", 2**31 - 1],
    ["::1", "::", 129],
]  # fmt: skip

# The same computation on both sides; `host`, `wire` and `proto` differ per library.
COMMON = r"""
def make(d):
    return H(getattr(H, d["s"])) if isinstance(d, dict) else H(d)

def info(h):
    return dict(str=h.toString(), proto=proto(h), null=h.isNull(), scope=h.scopeId(),
                v4=h.toIPv4Address(), v6=bytes(h.toIPv6Address()).hex(), loop=h.isLoopback(),
                mc=h.isMulticast(), ll=h.isLinkLocal(), sl=h.isSiteLocal(),
                ula=h.isUniqueLocalUnicast(), glob=h.isGlobal(), bc=h.isBroadcast(),
                priv=h.isPrivateUse(), bool=bool(h), wire=wire(h),
                eqspecial=[h == getattr(H, n) for n in D["specials"]])

def subnet(s):
    a, n = H.parseSubnet(s)
    return [a.toString(), proto(a), n]

def compute():
    conv = [make(c) for c in D["conv"]]
    return {
        "addrs": [info(H(a)) for a in D["addrs"]],
        "set": [H().setAddress(a) for a in D["addrs"]],
        "specials": [info(H(getattr(H, n))) for n in D["specials"]],
        "subnets": [subnet(s) for s in D["subnets"]],
        "eq": [[a == b for b in conv] for a in conv],
        "iseq": [[[a.isEqual(b, mode(m)) for m in D["modes"]] for b in conv] for a in conv],
        "insub": [make(a).isInSubnet(make(b), n) for a, b, n in D["subnet_rows"]],
    }
"""

PEER_SCRIPT = (
    r"""
import json, sys
from PySide6.QtCore import QByteArray, QDataStream, QIODevice
from PySide6.QtNetwork import QHostAddress as H
D = json.load(sys.stdin)
def proto(h): return int(h.protocol().value)
def mode(m): return H.ConversionModeFlag(m)
def wire(h):
    ba = QByteArray()
    s = QDataStream(ba, QIODevice.OpenModeFlag.WriteOnly)
    s << h
    return bytes(ba).hex()
"""
    + COMMON
    + "\nprint(json.dumps(compute()))\n"
)


def _qtnet_side(data: dict[str, Any]) -> Any:
    def wire(h: QHostAddress) -> str:
        ba = QByteArray()
        h._write_to(QDataStream(ba, QIODevice.OpenModeFlag.WriteOnly))
        return bytes(ba).hex()

    scope: dict[str, Any] = {
        "H": QHostAddress, "D": data, "proto": lambda h: int(h.protocol()),
        "mode": lambda m: m, "wire": wire,
    }  # fmt: skip
    exec(COMMON, scope)  # the very code the peer runs
    return json.loads(json.dumps(scope["compute"]()))


DATA = {"addrs": ADDRS, "specials": SPECIALS, "subnets": SUBNETS, "conv": CONV, "modes": MODES,
        "subnet_rows": SUBNET_ROWS}  # fmt: skip


@pytest.fixture(scope="module")
def both() -> tuple[Any, Any]:
    return pyside6_json(PEER_SCRIPT, DATA), _qtnet_side(DATA)


def test_every_query_per_address(both: tuple[Any, Any]) -> None:
    qt, ours = both
    diffs = {
        ADDRS[i]: {k: (x[k], y[k]) for k in x if x[k] != y[k]}
        for i, (x, y) in enumerate(zip(qt["addrs"], ours["addrs"], strict=True))
        if x != y
    }
    assert diffs == {}
    assert ours["set"] == qt["set"]
    assert ours["specials"] == qt["specials"]


def test_parse_subnet(both: tuple[Any, Any]) -> None:
    qt, ours = both
    assert dict(zip(SUBNETS, ours["subnets"], strict=True)) == dict(
        zip(SUBNETS, qt["subnets"], strict=True)
    )


def test_equality_matrices(both: tuple[Any, Any]) -> None:
    qt, ours = both
    names = [c if isinstance(c, str) else c["s"] for c in CONV]
    eq_diffs = [
        (names[i], names[j])
        for i in range(len(CONV))
        for j in range(len(CONV))
        if qt["eq"][i][j] != ours["eq"][i][j]
    ]
    iseq_diffs = [
        (names[i], names[j], MODES[k])
        for i in range(len(CONV))
        for j in range(len(CONV))
        for k in range(len(MODES))
        if qt["iseq"][i][j][k] != ours["iseq"][i][j][k]
    ]
    assert eq_diffs == [] and iseq_diffs == []
    assert sum(map(sum, qt["eq"])) > len(CONV)  # the table does contain equal pairs


def test_is_in_subnet(both: tuple[Any, Any]) -> None:
    qt, ours = both
    assert ours["insub"] == qt["insub"]
