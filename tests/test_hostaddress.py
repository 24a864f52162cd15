"""QHostAddress: the rows of Qt's tst_qhostaddress (reference section 4), the socket
helpers, and a batched comparison with real Qt (PySide6) over ~200 addresses."""

from __future__ import annotations

import copy
import pickle
import socket

import pytest

from qtnet.qt.bytearray import QByteArray
from qtnet.qt.datastream import QDataStream
from qtnet.qt.hostaddress import QHostAddress, QIPv6Address
from qtnet.qt.iodevice import QIODevice
from qtnet.qt.netenums import NetworkLayerProtocol

H = QHostAddress
SA = QHostAddress.SpecialAddress
CM = QHostAddress.ConversionModeFlag
IPV4, IPV6 = NetworkLayerProtocol.IPv4Protocol, NetworkLayerProtocol.IPv6Protocol
ANYP, UNKNOWN = NetworkLayerProtocol.AnyIPProtocol, NetworkLayerProtocol.UnknownNetworkLayerProtocol


def verify_clear(addr: QHostAddress) -> None:
    """Qt's verifyClear(): everything a null address reports."""
    assert addr.isNull() and not addr
    for check in ("isLoopback", "isGlobal", "isLinkLocal", "isSiteLocal", "isUniqueLocalUnicast",
                  "isMulticast", "isBroadcast", "isPrivateUse"):  # fmt: skip
        assert getattr(addr, check)() is False, check
    assert addr == H() and addr == SA.Null
    assert addr.protocol() is UNKNOWN
    assert addr._ipv4_ok() == (0, False) and addr.toIPv4Address() == 0
    assert bytes(addr.toIPv6Address()) == bytes(16)
    assert addr.scopeId() == "" and addr.toString() == ""
    assert hash(addr) == hash(H())


def test_enum_values() -> None:
    assert [int(SA[n]) for n in ("Null", "Broadcast", "LocalHost", "LocalHostIPv6", "Any",
                                 "AnyIPv6", "AnyIPv4")] == list(range(7))  # fmt: skip
    assert (CM.StrictConversion, CM.ConvertV4MappedToIPv4, CM.ConvertV4CompatToIPv4) == (0, 1, 2)
    assert (CM.ConvertUnspecifiedAddress, CM.ConvertLocalHost, CM.TolerantConversion) == (4, 8, 255)
    assert (IPV4, IPV6, ANYP, UNKNOWN) == (0, 1, 2, -1)
    # PySide6 spellings: members on the class, protocol() returns the shared enum
    assert H.LocalHost is SA.LocalHost and H.IPv6Protocol is IPV6 and H.ConvertLocalHost == 8
    assert H("::1").protocol() is IPV6


def test_constructor_default() -> None:
    verify_clear(H())


# (text, ok, toString when ok, 4/6/0) -- tst_qhostaddress setAddress_QString_data
PARSE_ROWS = [
    ("127.0.0.1", True, "127.0.0.1", 4), ("255.3.2.1", True, "255.3.2.1", 4),
    (" 255.3.2.1", True, "255.3.2.1", 4), ("255.3.2.1\r ", True, "255.3.2.1", 4),
    ("0.0.0.0", True, "0.0.0.0", 4), ("123.0.0", True, "123.0.0.0", 4),
    ("FEDC:BA98:7654:3210:FEDC:BA98:7654:3210", True, "fedc:ba98:7654:3210:fedc:ba98:7654:3210", 6),
    ("1080:0000:0000:0000:0008:0800:200C:417A", True, "1080::8:800:200c:417a", 6),
    ("1080:0:0:0:8:800:200C:417A", True, "1080::8:800:200c:417a", 6),
    ("1080::8:800:200C:417A", True, "1080::8:800:200c:417a", 6), ("FF01::43", True, "ff01::43", 6),
    ("::1", True, "::1", 6), ("1::", True, "1::", 6), ("::", True, "::", 6),
    ("0:0:0:0:0:0:13.1.68.3", True, "::13.1.68.3", 6), ("::13.1.68.3", True, "::13.1.68.3", 6),
    ("0:0:0:0:0:FFFF:129.144.52.38", True, "::ffff:129.144.52.38", 6),
    ("::FFFF:129.144.52.38", True, "::ffff:129.144.52.38", 6),
    ("1::FFFF:129.144.52.38", True, "1::ffff:8190:3426", 6), ("A:B::D:E", True, "a:b::d:e", 6),
    ("1080:0:1:0:8:800:200C:417A", True, "1080:0:1:0:8:800:200c:417a", 6),
    ("1080:0:1:0:8:800:200C:0", True, "1080:0:1:0:8:800:200c:0", 6),
    ("1080:0:1:0:8:800:0:0", True, "1080:0:1:0:8:800::", 6),
    ("1080:0:0:8:800:0:0:0", True, "1080:0:0:8:800::", 6),
    ("1080:0:0:0:8:0:0:0", True, "1080::8:0:0:0", 6),
    ("0:1:1:1:8:800:0:0", True, "0:1:1:1:8:800::", 6),
    ("0:1:1:1:8:800:0:1", True, "0:1:1:1:8:800:0:1", 6),
] + [(bad, False, "", 0) for bad in [
    "foobarcom", "foo.bar.com", "", " \t\r", "256.9.9.9", "-1.9.9.9", "123.0.0.", "123.0.0.0.0",
    "255.2 3.2.1", ":", ":::", "::AAAA:", ":AAAA::", "FFFF:::129.144.52.38",
    "FEDC:BA98:7654:3210:FEDC:BA98:7654:3210:1234", "129.144.52.38::",
    "::129.144.52.38:129.144.52.38", ":::129.144.52.38", "1FEDC:BA98:7654:3210:FEDC:BA98:7654:3210",
    "::FFFFFFFF", "::EFGH", "ABCD:ABCD:ABCD", "::ABCD:ABCD::", "1::2::3", "1:2:::", ":::1:2",
    "1:::2", "FEDC::7654:3210:FEDC:BA98::3210", "ABCD:ABCD:ABCD:1.2.3.4",
    "ABCD::ABCD::ABCD:1.2.3.4",
]]  # fmt: skip


@pytest.mark.parametrize(("text", "ok", "res", "proto"), PARSE_ROWS)
def test_constructor_and_set_address(text: str, ok: bool, res: str, proto: int) -> None:
    for addr in (H(text), H()):
        if addr.isNull() and text:
            assert addr.setAddress(text) is ok
        assert addr.isNull() is not ok
        if ok:
            assert addr.toString() == res
        assert addr.protocol() is {4: IPV4, 6: IPV6, 0: UNKNOWN}[proto]
        addr.clear()
        verify_clear(addr)


SPECIAL_ROWS = [
    ("127.0.0.1", SA.LocalHost, True), ("127.0.0.2", SA.LocalHost, False),
    ("127.0.0.2", SA.LocalHostIPv6, False), ("::1", SA.LocalHostIPv6, True),
    ("::2", SA.LocalHostIPv6, False), ("::1", SA.LocalHost, False), ("", SA.Null, True),
    ("bjarne", SA.Null, True), ("", SA.Broadcast, False), ("255.255.255.255", SA.Any, False),
    ("255.255.255.255", SA.Broadcast, True), ("::", SA.AnyIPv6, True),
    ("0.0.0.0", SA.AnyIPv4, True),
    ("::", SA.Any, False), ("0.0.0.0", SA.Any, False),
]  # fmt: skip


@pytest.mark.parametrize(("text", "special", "result"), SPECIAL_ROWS)
def test_special_addresses(text: str, special: SA, result: bool) -> None:
    assert (H(text) == special) is result
    assert (special == H(text)) is result and (H(text) != special) is not result
    # a special address equals itself under every overload (QTBUG-22898)
    assert H(special) == H(special) and H(special) == special and special == H(special)
    assert not (H(special) != H(special)) and not (H(special) != special)
    assert not (special != H(special))
    ha = H()
    assert ha.setAddress(special) is None
    assert ha == special and hash(ha) == hash(H(special))
    setter = H()
    setter.setAddress(text)
    if result:
        assert setter == special and hash(setter) == hash(H(special))
    else:
        assert setter != special


@pytest.mark.parametrize(("first", "second", "result"), [
    (H(), H(), True), (H(SA.Any), H(SA.Any), True), (H(SA.AnyIPv6), H(SA.AnyIPv6), True),
    (H(SA.Broadcast), H(SA.Broadcast), True), (H(SA.LocalHost), H(SA.Broadcast), False),
    (H(SA.LocalHost), H(SA.LocalHostIPv6), False), (H(), H(SA.LocalHostIPv6), False),
    (H(SA.AnyIPv4), H(SA.AnyIPv6), False), (H(SA.LocalHost), H("::ffff:127.0.0.1"), False),
    (H(SA.LocalHost), H(bytes(10) + b"\xff\xff\x7f\0\0\1"), False),
])  # fmt: skip
def test_compare(first: QHostAddress, second: QHostAddress, result: bool) -> None:
    assert (first == second) is result and (second == first) is result
    assert (first != second) is not result
    if result:
        assert hash(first) == hash(second)


L4, L6 = H(SA.LocalHost), H(SA.LocalHostIPv6)
A4_, A6_ = H(SA.AnyIPv4), H(SA.AnyIPv6)
ISEQUAL_ROWS = [
    (L4, L6, CM.ConvertLocalHost, True), (L4, L6, CM.ConvertV4CompatToIPv4, False),
    (L4, L6, CM.ConvertV4MappedToIPv4, False), (L4, L6, CM.ConvertUnspecifiedAddress, False),
    (H("0.0.0.1"), L6, CM.ConvertLocalHost, False),
    (H("192.168.1.1"), H("::192.168.1.1"), CM.ConvertLocalHost, False),
    (H("192.168.1.1"), H("::ffff:192.168.1.1"), CM.ConvertLocalHost, False),
    (H("0.0.0.1"), L6, CM.ConvertUnspecifiedAddress, False),
    (H("192.168.1.1"), H("::192.168.1.1"), CM.ConvertUnspecifiedAddress, False),
    (H("192.168.1.1"), H("::ffff:192.168.1.1"), CM.ConvertUnspecifiedAddress, False),
    (H("0.0.0.1"), L6, CM.ConvertV4CompatToIPv4, False),
    (H("192.168.1.1"), H("::192.168.1.1"), CM.ConvertV4CompatToIPv4, True),
    (H("192.168.1.1"), H("::ffff:192.168.1.1"), CM.ConvertV4CompatToIPv4, False),
    (H("0.0.0.1"), L6, CM.ConvertV4MappedToIPv4, False),
    (H("192.168.1.1"), H("::192.168.1.1"), CM.ConvertV4MappedToIPv4, False),
    (H("192.168.1.1"), H("::FFFF:192.168.1.1"), CM.ConvertV4MappedToIPv4, True),
    (H(), H(SA.Any), CM.ConvertLocalHost, False),
    (H(), H(SA.Any), CM.ConvertUnspecifiedAddress, False),
    (H(SA.AnyIPv6), H(SA.AnyIPv4), CM.ConvertV4CompatToIPv4, True),
    (H(SA.AnyIPv6), H(SA.AnyIPv4), CM.ConvertV4MappedToIPv4, False),
    (H(SA.AnyIPv6), H(SA.AnyIPv4), CM.ConvertUnspecifiedAddress, True),
    (H(SA.Any), H(SA.AnyIPv4), CM.ConvertUnspecifiedAddress, True),
    (H(SA.Any), H(SA.AnyIPv6), CM.ConvertUnspecifiedAddress, True),
    (H(SA.AnyIPv6), H(SA.AnyIPv4), CM.ConvertLocalHost, False),
    (H(SA.Any), H(SA.AnyIPv4), CM.ConvertLocalHost, False),
    (H(SA.Any), H(SA.AnyIPv6), CM.ConvertLocalHost, False),
    (L6, H(SA.Any), CM.TolerantConversion, False), (L4, H(SA.Any), CM.TolerantConversion, False),
    (L6, A6_, CM.TolerantConversion, False), (L4, A6_, CM.TolerantConversion, False),
    (L6, A4_, CM.TolerantConversion, False), (L4, A4_, CM.TolerantConversion, False),
]  # fmt: skip


@pytest.mark.parametrize(("first", "second", "mode", "result"), ISEQUAL_ROWS)
def test_is_equal(first: QHostAddress, second: QHostAddress, mode: CM, result: bool) -> None:
    assert first.isEqual(second, mode) is result
    assert second.isEqual(first, mode) is result


def test_is_equal_defaults_and_special_argument() -> None:
    assert H("1.2.3.4").isEqual(H("::ffff:1.2.3.4"))  # TolerantConversion by default
    assert not H("1.2.3.4").isEqual(H("::ffff:1.2.3.4"), CM.StrictConversion)
    assert H("0.0.0.0").isEqual(SA.Any, CM.ConvertUnspecifiedAddress)
    assert not H("1.2.3.4").isEqual(SA.Any)


def test_assignment_from_sockaddr() -> None:
    addr = H("4.2.2.1")
    assert H._from_sockaddr(socket.AF_INET, ("4.2.2.1", 0)) == addr


def test_scope_id() -> None:
    address = H("fe80::2e0:4cff:fefb:662a%eth0")
    assert address.scopeId() == "eth0"
    assert address.toString() == "fe80::2e0:4cff:fefb:662a%eth0"
    address2 = H("fe80::2e0:4cff:fefb:662a")
    assert address2.scopeId() == ""
    address2.setScopeId("en0")
    assert address2.toString() == "fe80::2e0:4cff:fefb:662a%en0"
    address2 = copy.copy(address)
    assert address2.scopeId() == "eth0" and address2.toString().endswith("%eth0")
    assert address2 == H("fe80::2e0:4cff:fefb:662a%en1")  # scope takes no part in ==
    v4 = H("1.2.3.4")
    v4.setScopeId("eth0")  # only IPv6 addresses have one
    assert v4.scopeId() == "" and v4.toString() == "1.2.3.4"
    address.clear()
    verify_clear(address)
    address2.clear()
    verify_clear(address2)


def test_hash_key() -> None:
    table: dict[QHostAddress, str] = {H(): "ole"}
    assert table[H()] == "ole"
    table[H("127.0.0.1")] = "v4"
    assert table[H(SA.LocalHost)] == "v4" and H("::ffff:127.0.0.1") not in table
    assert len({H("fe80::1%a"), H("fe80::1%b"), H("fe80::1")}) == 1


STREAM_ROWS = [
    H(), H(0xDEADBEEF), H("127.128.129.130"), H("1080:0000:0000:0000:0008:0800:200C:417A"),
    H("fe80::2e0:4cff:fefb:662a%eth0"), H(SA.Null), H(SA.LocalHost), H(SA.LocalHostIPv6),
    H(SA.Broadcast), H(SA.Any), H(SA.AnyIPv4), H(SA.AnyIPv6), H("foo.bar.com"),
]  # fmt: skip


def _stream_bytes(addr: QHostAddress) -> bytes:
    ba = QByteArray()
    out = QDataStream(ba, QIODevice.OpenModeFlag.WriteOnly)
    addr._write_to(out)
    assert out.status() == QDataStream.Status.Ok
    return bytes(ba)


@pytest.mark.parametrize("address", STREAM_ROWS, ids=repr)
def test_streaming_round_trip(address: QHostAddress) -> None:
    data = _stream_bytes(address)
    back = H("9.9.9.9")
    stream = QDataStream(QByteArray(data))
    back._read_from(stream)
    assert stream.status() == QDataStream.Status.Ok and stream.atEnd()
    assert back == address and back.scopeId() == address.scopeId()


def test_streaming_bytes() -> None:
    assert _stream_bytes(H()) == b"\xff"
    assert _stream_bytes(H("127.0.0.1")) == bytes.fromhex("007f000001")
    assert _stream_bytes(H(0xDEADBEEF)) == bytes.fromhex("00deadbeef")
    assert _stream_bytes(H(SA.Any)) == b"\x02"
    assert _stream_bytes(H(SA.AnyIPv4)) == bytes(5)
    assert _stream_bytes(H("::1")) == b"\x01" + bytes(15) + b"\x01" + b"\xff" * 4
    scope = "eth0".encode("utf-16-be")  # a QString: byte length, then UTF-16 units
    assert _stream_bytes(H("fe80::1%eth0")) == (
        b"\x01\xfe\x80" + bytes(13) + b"\x01" + len(scope).to_bytes(4, "big") + scope
    )


def test_streaming_operators() -> None:
    ba = QByteArray()
    out = QDataStream(ba, QIODevice.OpenModeFlag.WriteOnly)
    assert (out << H("127.0.0.1") << H(SA.Any) << "x") is out  # chains like PySide6
    assert bytes(ba) == bytes.fromhex("007f000001" "02" "00000002" "0078")
    first, second = H(), H("9.9.9.9")
    stream = QDataStream(QByteArray(bytes(ba)))
    assert (stream >> first >> second) is stream
    assert first == SA.LocalHost and second == SA.Any and stream.readQString() == "x"


def test_streaming_unknown_tag_is_corrupt() -> None:
    addr = H("1.2.3.4")
    stream = QDataStream(QByteArray(b"\x07"))
    addr._read_from(stream)
    assert addr.isNull() and stream.status() == QDataStream.Status.ReadCorruptData


PARSE_SUBNET_ROWS = [(s, H(), -1) for s in [
    "", "foobar", "   ", "1.2.3.a", "1.2.3.4.5", "1.2.3.4:80", "1.2.3.4/33", "1.2.3.4/-1",
    "1.2.3.4/256.0.0.0", "1.2.3.4/255.253.0.0", "1.2.3.4/255.0.0.255", "1.2.3.4.", "ffff::/-1",
    "ffff::/129", "ffff::/255.255.0.0", "ffff::/ff00::",
]] + [(f"0.0.0.0/{mask}", H(SA.AnyIPv4), n) for mask, n in [
    ("0.0.0.0", 0), ("255.128.0.0", 9), ("255.192.0.0", 10), ("255.224.0.0", 11),
    ("255.240.0.0", 12), ("255.248.0.0", 13), ("255.252.0.0", 14), ("255.254.0.0", 15),
    ("255.255.0.0", 16), ("255.255.255.0", 24), ("255.255.255.254", 31), ("255.255.255.255", 32),
    ("0", 0), ("1", 1), ("9", 9), ("31", 31), ("32", 32),
]] + [
    ("10", H("10.0.0.0"), 8), ("10.", H("10.0.0.0"), 8), ("172.16", H("172.16.0.0"), 16),
    ("172.16.", H("172.16.0.0"), 16), ("192.168.0", H("192.168.0.0"), 24),
    ("192.168.0.1", H("192.168.0.1"), 32),
] + [(f"::/{n}", H(SA.AnyIPv6), n) for n in (0, 3, 16, 48, 127, 128)] + [
    (f"255.255.255.255/{n}", H(text), n) for n, text in [
        (31, "255.255.255.254"), (24, "255.255.255.0"), (23, "255.255.254.0"),
        (22, "255.255.252.0"),
        (21, "255.255.248.0"), (20, "255.255.240.0"), (19, "255.255.224.0"), (18, "255.255.192.0"),
        (17, "255.255.128.0"), (16, "255.255.0.0"), (8, "255.0.0.0"), (1, "128.0.0.0"),
        (0, "0.0.0.0"),
    ]
] + [(f"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/{n}", H(text), n) for n, text in [
    (127, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"),
    (121, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff80"),
    (120, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00"), (112, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:0"),
    (48, "ffff:ffff:ffff::"), (47, "ffff:ffff:fffe::"), (46, "ffff:ffff:fffc::"),
    (45, "ffff:ffff:fff8::"), (44, "ffff:ffff:fff0::"), (43, "ffff:ffff:ffe0::"),
    (42, "ffff:ffff:ffc0::"), (41, "ffff:ffff:ff80::"), (40, "ffff:ffff:ff00::"),
    (1, "8000::"), (0, "::"),
]] + [("3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/3", H("2000::"), 3)]  # fmt: skip


@pytest.mark.parametrize(("subnet", "prefix", "length"), PARSE_SUBNET_ROWS)
def test_parse_subnet(subnet: str, prefix: QHostAddress, length: int) -> None:
    result = H.parseSubnet(subnet)
    assert isinstance(result, tuple) and len(result) == 2
    assert result[0] == prefix and result[1] == length


A4, A6, ANY = H(SA.AnyIPv4), H(SA.AnyIPv6), H(SA.Any)
IN_SUBNET_ROWS = [(H(), p, n, False) for p, n in [
    (H(), 32), (A4, 32), (A4, 8), (A4, 0), (H("255.255.255.0"), 24), (A6, 0), (A6, 32), (A6, 128),
]] + [
    (A4, H(), 16, False), (A6, H(), 16, False), (L4, H(), 16, False), (L6, H(), 16, False),
    (A4, ANY, -1, False), (A6, A6, -1, False), (L4, A6, 0, False), (L6, ANY, 0, False),
    (L4, H("ffff:ffff:ffff:ffff:ffff:ffff:255.0.0.0"), 113, False),
    (L4, H("::ffff:255.0.0.0"), 113, False),
    (L4, A4, 0, True), (L4, H("255.255.0.0"), 0, True), (L4, H("1.2.3.4"), 0, True),
    (L4, A4, 1, True), (L4, H("128.0.0.0"), 1, False), (H("224.0.0.1"), H("128.0.0.0"), 1, True),
    (H("224.0.0.1"), H("0.0.0.0"), 1, False), (L4, H("127.0.0.0"), 8, True),
    (L4, H("126.0.0.0"), 8, False), (H("10.0.1.255"), H("10.0.0.0"), 15, True),
    (H("172.16.0.1"), H("172.16.0.0"), 16, True),
] + [(L4, L4, n, True) for n in (1, 7, 8, 23, 31, 32)] + [
    (L6, A6, 0, True), (L6, L6, 0, True), (L6, H("ffff::"), 0, True), (L6, A6, 1, True),
    (H("fec0::1"), H("8000::"), 1, True), (L6, H("8000::"), 1, False),
    (H("fec0::1"), H("::"), 1, False), (H("2:3:5::1"), H("2:3:4::"), 47, True),
    (H("2:3:4::1"), H("2:3:4::"), 48, True), (H("2:3:5::1"), H("2:3:4::"), 48, False),
    (H("2:3:4:5::1"), H("2:3:4:5::"), 127, True), (H("2:3:4:5::1"), H("2:3:4:5::1"), 128, True),
    (H("2:3:4:5::1"), H("2:3:4:5::0"), 128, False),
]  # fmt: skip


@pytest.mark.parametrize(("address", "prefix", "length", "result"), IN_SUBNET_ROWS)
def test_is_in_subnet(
    address: QHostAddress, prefix: QHostAddress, length: int, result: bool
) -> None:
    assert address.isInSubnet(prefix, length) is result
    assert address.isInSubnet((prefix, length)) is result  # the QPair overload


def test_is_in_subnet_takes_special_address_and_parse_result() -> None:
    assert H("127.1.2.3").isInSubnet(SA.LocalHost, 8)
    assert H("10.9.8.7").isInSubnet(H.parseSubnet("10.0.0.0/8"))


# Qt's AddressClassification per row -> the predicates (tst_qhostaddress classification)
LOOP, LOCALNET, LINK, SITE, ULA, MCAST, BCAST, GLOBAL, PRIVATE, UNK = range(10)
CLASS_ROWS = [(H(), UNK), (H("&&&"), UNK), (ANY, LOCALNET), (H(SA.Null), UNK), (A6, LOCALNET),
              (L6, LOOP), (A4, LOCALNET), (L4, LOOP), (H(SA.Broadcast), BCAST)] + [
    (H(t), c) for t, c in [
        ("::", LOCALNET), ("::1", LOOP), ("::2", GLOBAL), ("2000::", GLOBAL),
        ("3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", GLOBAL),
        ("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", GLOBAL),
        ("fc00::", ULA), ("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ULA), ("fe00::", UNK),
        ("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", UNK), ("fe80::", LINK),
        ("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", LINK), ("fec0::", SITE),
        ("feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", SITE), ("ff00::", MCAST),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", MCAST),
    ]
] + [(H(prefix + t), c) for prefix in ("", "::ffff:") for t, c in [
    ("0.0.0.0", LOCALNET), ("0.0.0.1", LOCALNET), ("0.255.255.255", LOCALNET), ("1.0.0.0", GLOBAL),
    ("1.2.3.4", GLOBAL), ("10.0.0.4", PRIVATE), ("127.0.0.1", LOOP), ("127.0.0.2", LOOP),
    ("127.255.255.255", LOOP), ("192.168.3.4", PRIVATE), ("223.255.255.255", GLOBAL),
    ("224.0.0.0", MCAST), ("239.255.255.255", MCAST), ("240.0.0.0", UNK),
    ("255.255.255.254", UNK), ("255.255.255.255", BCAST),
]]  # fmt: skip


@pytest.mark.parametrize(("address", "cls"), CLASS_ROWS, ids=lambda v: repr(v))
def test_classification(address: QHostAddress, cls: int) -> None:
    assert address.isLoopback() is (cls == LOOP)
    assert address.isGlobal() is (cls in (GLOBAL, PRIVATE, ULA, SITE))
    assert address.isLinkLocal() is (cls == LINK)
    assert address.isSiteLocal() is (cls == SITE)
    assert address.isUniqueLocalUnicast() is (cls == ULA)
    assert address.isMulticast() is (cls == MCAST)
    assert address.isBroadcast() is (cls == BCAST)
    assert address.isPrivateUse() is (cls in (PRIVATE, ULA))


@pytest.mark.parametrize(("source", "proto", "result"), [
    (ANY, 4, A4), (ANY, 6, A6), (A4, 6, A6), (A6, 4, A4),
    (H("::ffff:192.0.2.1"), 4, H("192.0.2.1")),
    (H("192.0.2.1"), 6, H("::ffff:192.0.2.1")), (L4, 6, H("::ffff:127.0.0.1")),
    (H("::ffff:127.0.0.1"), 4, L4), (L6, 4, H()), (H("::192.0.2.1"), 4, H()),
    (H("::127.0.0.1"), 4, H()), (H("2001:db8::1"), 4, H()), (H("ff02::1"), 4, H()),
])  # fmt: skip
def test_convert_v4_v6(source: QHostAddress, proto: int, result: QHostAddress) -> None:
    if proto == 4:
        value, ok = source._ipv4_ok()
        assert ok is (result.protocol() is IPV4)
        assert source.toIPv4Address() == value
        if ok:
            assert H(value) == result
    else:
        assert H(source.toIPv6Address()) == result


def test_python_forms() -> None:
    assert H("1.2.3.4").toIPv4Address() == 0x01020304 and H("::1").toIPv4Address() == 0
    v6 = H("::1").toIPv6Address()
    assert isinstance(v6, QIPv6Address) and len(v6) == 16 and v6[15] == 1 and list(v6)[0] == 0
    assert H(QIPv6Address()) == A6 and H(bytearray(16)) == A6 and H([0] * 15 + [1]) == L6
    assert H(0xFFFFFFFF) == SA.Broadcast and H(H("::1")) == L6
    with pytest.raises(OverflowError):
        H(-1)
    with pytest.raises(OverflowError):
        H(2**32)
    with pytest.raises(ValueError):
        H(bytes(15))
    with pytest.raises(TypeError):
        H(1.5)
    assert H().setAddress("1.2.3.4") is True and H().setAddress("nope") is False
    assert H().setAddress(5) is None
    a, b = H("1.2.3.4"), H("fe80::1%x")
    a.swap(b)
    assert a.toString() == "fe80::1%x" and b.toString() == "1.2.3.4"
    for addr in (H("fe80::1%eth0"), ANY, H(), H("10.0.0.1"), A6):
        back = pickle.loads(pickle.dumps(addr))
        assert back == addr and back.toString() == addr.toString() and copy.deepcopy(addr) == addr
    assert (
        repr(ANY) == "QHostAddress(QHostAddress::Any)" and repr(L4) == 'QHostAddress("127.0.0.1")'
    )
    assert bool(ANY) and not bool(H())
    assert (H("1.2.3.4") == "1.2.3.4") is False and (H("0.0.0.5") == 5) is False
    assert ANY.toString() == "0.0.0.0" and ANY.protocol() is ANYP and ANY != A4 and ANY != A6


def test_sockaddr_helpers() -> None:
    assert L4._to_sockaddr(80) == (socket.AF_INET, ("127.0.0.1", 80), None)
    assert L6._to_sockaddr(81) == (socket.AF_INET6, ("::1", 81, 0, 0), True)
    assert ANY._to_sockaddr(0) == (socket.AF_INET6, ("::", 0, 0, 0), False)
    assert A4._to_sockaddr(0) == (socket.AF_INET, ("0.0.0.0", 0), None)
    assert A6._to_sockaddr(0) == (socket.AF_INET6, ("::", 0, 0, 0), True)
    assert H("::ffff:127.0.0.1")._to_sockaddr(1)[2] is False
    assert H("fe80::1%lo")._to_sockaddr(1)[1][3] == socket.if_nametoindex("lo")
    assert H("fe80::1%7")._to_sockaddr(1)[1][3] == 7
    with pytest.raises(ValueError):
        H()._to_sockaddr(0)
    peer = H._from_sockaddr(socket.AF_INET6, ("fe80::1", 5, 0, socket.if_nametoindex("lo")))
    assert peer.toString() == "fe80::1%lo"
    assert H._from_sockaddr(socket.AF_INET6, ("::ffff:127.0.0.1", 5, 0, 0)).toString() == (
        "::ffff:127.0.0.1"
    )


@pytest.mark.parametrize("address", [L4, L6, H("::ffff:127.0.0.1")], ids=repr)
def test_sockaddr_round_trip_through_real_sockets(address: QHostAddress) -> None:
    family, sockaddr, v6only = address._to_sockaddr(0)
    with socket.socket(family, socket.SOCK_STREAM) as server:
        if v6only is not None:
            server.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(v6only))
        server.bind(sockaddr)
        server.listen(1)
        bound = H._from_sockaddr(family, server.getsockname())
        assert bound == address and bound.protocol() is address.protocol()
        port = server.getsockname()[1]
        # An IPv6 socket bound to ::ffff:127.0.0.1 takes IPv4 clients, who show v4-mapped.
        client_family = socket.AF_INET if address.toIPv4Address() else socket.AF_INET6
        target = "127.0.0.1" if client_family == socket.AF_INET else "::1"
        with socket.create_connection((target, port), timeout=5) as client:
            conn, peer = server.accept()
            with conn:
                seen = H._from_sockaddr(family, peer)
                mine = H._from_sockaddr(client.family, client.getsockname())
                mapped = address.protocol() is IPV6 and client_family == socket.AF_INET
                assert seen.isEqual(mine)
                assert seen.toString() == ("::ffff:127.0.0.1" if mapped else mine.toString())
