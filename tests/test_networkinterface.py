"""QNetworkInterface / QNetworkAddressEntry: this host's interfaces compared with
real Qt (PySide6), the name/index helpers, the entry's netmask rules, and the
sysfs decoding (flags, type) on a fake /sys/class/net tree."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

import qtnet.qt.networkinterface as ni
from peers import pyside6_json
from qtnet.qt.hostaddress import QHostAddress
from qtnet.qt.networkinterface import QNetworkAddressEntry, QNetworkInterface

I = QNetworkInterface  # noqa: E741
E = QNetworkAddressEntry
Flag, Type = I.InterfaceFlag, I.InterfaceType

# Same code on both sides: a JSON picture of every interface.
COMMON = r"""
def entry(e, full):
    row = [e.ip().toString(), e.netmask().toString(), e.prefixLength(), e.broadcast().toString(),
           value(e.dnsEligibility())]
    if full:  # lifetimes: compared for the loopback interface only (see the test)
        row += [e.isLifetimeKnown(), e.isPermanent(), e.isTemporary()]
    return row

def iface(i):
    full = i.name() == "lo"
    return [i.name(), i.humanReadableName(), i.index(), value(i.flags()), value(i.type()),
            i.hardwareAddress(), i.maximumTransmissionUnit(), i.isValid(),
            [entry(e, full) for e in i.addressEntries()]]

def netmask_rows():
    out = []
    e = E()
    out.append([e.prefixLength(), e.netmask().toString(), value(e.dnsEligibility()),
                e.isLifetimeKnown(), e.isPermanent(), e.isTemporary()])
    steps = [("ip", "10.1.2.3"), ("len", 20), ("mask", "255.255.0.0"), ("mask", "255.0.255.0"),
             ("mask", "ffff::"), ("len", 40), ("len", 32), ("len", 0), ("len", -1),
             ("mask", "255.255.255.255"), ("ip", "::1"), ("len", 64), ("mask", "ffff:ffff::"),
             ("len", 129), ("ip", ""), ("len", 8)]
    for kind, arg in steps:
        if kind == "ip":
            e.setIp(H(arg))
        elif kind == "len":
            e.setPrefixLength(arg)
        else:
            e.setNetmask(H(arg))
        out.append([kind, arg, e.prefixLength(), e.netmask().toString()])
    a, b = E(), E()
    a.setIp(H("10.0.0.1")); b.setIp(H("10.0.0.1"))
    a.setPrefixLength(8)
    out.append([a == b, a != b])
    b.setNetmask(H("255.0.0.0"))
    out.append([a == b, a != b])
    return out

def picture():
    return {
        "ifaces": [iface(i) for i in I.allInterfaces()],
        "all": [a.toString() for a in I.allAddresses()],
        "byname": [iface(I.interfaceFromName(n)) for n in ["lo", "1", "nonexistent0", ""]],
        "byindex": [iface(I.interfaceFromIndex(n)) for n in [1, 0, 99999]],
        "index": [I.interfaceIndexFromName(n) for n in ["lo", "nonexistent0", "", "7"]],
        "name": [I.interfaceNameFromIndex(n) for n in [1, 0, 99999]],
        "default": iface(I()),
        "netmask": netmask_rows(),
    }
"""

PEER_SCRIPT = (
    r"""
import json
from PySide6.QtNetwork import QNetworkInterface as I, QNetworkAddressEntry as E, QHostAddress as H
def value(v): return int(v.value)
"""
    + COMMON
    + "\nprint(json.dumps(picture()))\n"
)


def _ours() -> Any:
    scope: dict[str, Any] = {"I": I, "E": E, "H": QHostAddress, "value": int}
    exec(COMMON, scope)
    return scope["picture"]()


def test_matches_qt_on_this_host() -> None:
    qt = pyside6_json(PEER_SCRIPT)
    ours = _ours()
    for key in qt:
        assert ours[key] == qt[key], key
    lo = next(i for i in ours["ifaces"] if i[0] == "lo")
    assert lo[3] & Flag.IsLoopBack and lo[4] == Type.Loopback
    assert [e[0] for e in lo[8]][:1] == ["127.0.0.1"]


def test_loopback_details() -> None:
    lo = I.interfaceFromName("lo")
    assert lo.isValid() and lo.index() == I.interfaceIndexFromName("lo") >= 1
    assert Flag.IsUp in lo.flags() and Flag.IsLoopBack in lo.flags()
    entry = next(e for e in lo.addressEntries() if e.ip() == QHostAddress.LocalHost)
    assert entry.prefixLength() == 8 and entry.netmask() == QHostAddress("255.0.0.0")
    assert entry.broadcast() == QHostAddress("127.255.255.255")  # Qt fills it in: ip | ~mask
    assert entry.dnsEligibility() == E.DnsIneligible
    assert QHostAddress.LocalHost in I.allAddresses()
    assert I.interfaceFromIndex(lo.index()).name() == "lo"
    clone = copy.copy(lo)
    assert clone.name() == "lo" and clone.addressEntries() == lo.addressEntries()
    other = I()
    other.swap(clone)
    assert other.name() == "lo" and not clone.isValid()
    assert "IsLoopBack" in repr(lo) and "127.0.0.1" in repr(lo)


def test_enum_values() -> None:
    assert [int(f) for f in Flag] == [1, 2, 4, 8, 16, 32]
    kinds = (Type.Unknown, Type.Loopback, Type.Ethernet, Type.Wifi, Type.Ieee1394)
    assert kinds == (0, 1, 3, 8, 13)
    assert Type.Wifi is Type.Ieee80211 and I.IsUp is Flag.IsUp and I.Ethernet is Type.Ethernet
    assert (E.DnsEligibilityUnknown, E.DnsIneligible, E.DnsEligible) == (-1, 0, 1)


def _fake_link(root: Path, name: str, **files: str) -> None:
    d = root / name
    d.mkdir()
    for key, text in files.items():
        if key == "wireless":
            (d / "wireless").mkdir()
        else:
            (d / key).write_text(text + "\n")


@pytest.mark.parametrize(
    ("files", "flags", "kind"),
    [
        # loopback: IFF_UP|IFF_LOOPBACK, operstate unknown -> up and running
        (dict(flags="0x9", operstate="unknown", type="772"),
         Flag.IsUp | Flag.IsRunning | Flag.IsLoopBack, Type.Loopback),
        # admin-up Ethernet without carrier: operstate down wins over IFF_UP
        (dict(flags="0x1003", operstate="down", type="1"),
         Flag.CanBroadcast | Flag.CanMulticast, Type.Ethernet),
        (dict(flags="0x1003", operstate="up", type="1", wireless=""),
         Flag.IsUp | Flag.IsRunning | Flag.CanBroadcast | Flag.CanMulticast, Type.Wifi),
        # a tun device: point-to-point, ARPHRD_NONE
        (dict(flags="0x1091", operstate="unknown", type="65534"),
         Flag.IsUp | Flag.IsRunning | Flag.IsPointToPoint | Flag.CanMulticast, Type.Virtual),
        (dict(flags="0x2", operstate="down", type="512"), Flag.CanBroadcast, Type.Ppp),
        (dict(flags="0x1", operstate="dormant", type="280"), Flag(0), Type.CanBus),
        (dict(flags="0x1", operstate="up", type="24"), Flag.IsUp | Flag.IsRunning, Type.Unknown),
    ],
)  # fmt: skip
def test_sysfs_decoding(tmp_path: Path, monkeypatch: Any, files: dict[str, str], flags: Flag,
                        kind: Type) -> None:  # fmt: skip
    _fake_link(tmp_path, "x0", mtu="1234", address="aa:bb:cc:00:11:22", **files)
    monkeypatch.setattr(ni, "_SYSFS", str(tmp_path))
    iface = I()
    iface._name = "x0"
    ni._read_link(iface)
    assert iface.flags() == flags and iface.type() == kind
    assert (
        iface.maximumTransmissionUnit() == 1234 and iface.hardwareAddress() == "AA:BB:CC:00:11:22"
    )


def test_address_entry_copies_are_independent() -> None:
    e = E()
    e.setIp(QHostAddress("192.168.1.10"))
    e.setPrefixLength(24)
    e.setBroadcast(QHostAddress("192.168.1.255"))
    ip = e.ip()
    ip.setAddress("1.1.1.1")  # ip() hands out a copy
    assert e.ip() == QHostAddress("192.168.1.10")
    clone = E(e)
    clone.setPrefixLength(16)
    assert e.prefixLength() == 24 and clone.netmask() == QHostAddress("255.255.0.0")
    assert e != clone
    e.setDnsEligibility(E.DnsEligible)
    assert e.dnsEligibility() is E.DnsEligible
    assert 'netmask = "255.255.255.0"' in repr(e)
