"""The opening handshake: request parsing and limits, Qt's replies, client checks.

Rows adapt tst_handshakerequest / tst_handshakeresponse / tst_qwebsocketserver
(qt-autotests.md §5, §8, §9) and tst_qwebsocket's client-side errors (§6).
"""

from __future__ import annotations

import datetime
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qtnet.codecs.ws_deflate import DeflateConfig, DeflateParams
from qtnet.codecs.ws_handshake import (
    ClientHandshake,
    HandshakeError,
    HandshakeRequest,
    ServerHandshake,
    accept,
    accept_key,
    build_accept_response,
    build_bad_version_response,
    build_forbidden_response,
    build_request,
    format_host,
    generate_key,
    is_valid_subprotocol_name,
    parse_extensions,
    parse_host,
    select_subprotocol,
)
from qtnet.codecs.ws_protocol import BinaryMessage, TextMessage, WebSocketConnection

KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455 §1.3


def request_bytes(*headers: str, line: str = "GET /chat?x=1 HTTP/1.1") -> bytes:
    return ("\r\n".join([line, *headers]) + "\r\n\r\n").encode("latin-1")


GOOD = [
    "Host: server.example.com:8080",
    "Upgrade: websocket",
    "Connection: Upgrade",
    f"Sec-WebSocket-Key: {KEY}",
    "Origin: http://example.com",
    "Sec-WebSocket-Protocol: chat, superchat",
    "Sec-WebSocket-Version: 13",
]


def parse(data: bytes) -> HandshakeRequest:
    request = ServerHandshake().receive_data(data)
    assert request is not None
    return request


def rejected(data: bytes) -> HandshakeError:
    with pytest.raises(HandshakeError) as info:
        ServerHandshake().receive_data(data)
    return info.value


def replace(name: str, value: str | None) -> list[str]:
    """GOOD with header ``name`` replaced (or removed when ``value`` is None)."""
    out = [h for h in GOOD if not h.lower().startswith(name.lower() + ":")]
    return out if value is None else [*out, f"{name}: {value}"]


# -- server: parsing ------------------------------------------------------------
def test_accept_key_rfc_example() -> None:
    assert accept_key(KEY) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_good_request_fields() -> None:
    r = parse(request_bytes(*GOOD))
    assert (r.method, r.target, r.http_version) == ("GET", "/chat?x=1", (1, 1))
    assert (r.host, r.port, r.key, r.origin) == ("server.example.com", 8080, KEY, "http://example.com")
    assert r.protocols == ["chat", "superchat"] and r.versions == [13]
    assert (r.path, r.query) == ("/chat", "x=1")
    assert r.request_url() == "ws://server.example.com:8080/chat?x=1"
    assert r.request_url(secure=True) == "wss://server.example.com:8080/chat?x=1"
    assert r.headers.get("ORIGIN") == "http://example.com" and "sec-websocket-key" in r.headers
    assert len(r.headers) == 7


def test_byte_by_byte_and_leftover() -> None:
    data = request_bytes(*GOOD)
    hs = ServerHandshake()
    results = [hs.receive_data(data[i : i + 1]) for i in range(len(data))]
    assert results[:-1] == [None] * (len(results) - 1)
    assert results[-1] is not None and hs.request is results[-1]
    assert hs.leftover == b""
    with pytest.raises(RuntimeError):
        hs.receive_data(b"more")
    hs = ServerHandshake()
    assert hs.receive_data(data[:50]) is None
    assert hs.receive_data(data[50:] + b"\x81\x85frame") is not None
    assert hs.leftover == b"\x81\x85frame"


@pytest.mark.parametrize(
    "data",
    [
        b"garbage\r\n\r\n",
        b"foo\r\nbar\r\n\r\n",
        request_bytes(*GOOD, line="VERB RESOURCE PROTOCOL"),
        request_bytes(*GOOD, line="V R P"),
        request_bytes(*GOOD, line="GET . HTTP/1.1"),
        request_bytes(*GOOD, line="GET /x HTTP/invalid"),
        request_bytes(*GOOD, line="GET /x HTTP/a.1"),
        request_bytes(*GOOD, line="GET /x HTTP/1.0"),
        request_bytes(*GOOD, line="POST /x HTTP/1.1"),
        request_bytes(*GOOD, line="GET  /x HTTP/1.1"),
        request_bytes(*GOOD, line="GET /x\0 HTTP/1.1"),
        b"\0" * 10 + b"\r\n\r\n",
        b"\r\n\r\n",
        request_bytes(*replace("Connection", "keep-alive")),
        request_bytes(*replace("Connection", None)),
        request_bytes(*replace("Upgrade", "ftp")),
        request_bytes(*replace("Upgrade", None)),
        request_bytes(*replace("Host", None)),
        request_bytes(*replace("Host", "b\u00fccher.example")),
        request_bytes(*replace("Sec-WebSocket-Key", None)),
        request_bytes(*replace("Sec-WebSocket-Key", "AVD FBDDFF")),  # not 16 bytes
        request_bytes(*replace("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25j")),
        request_bytes(*GOOD, f"Sec-WebSocket-Key: {KEY}"),  # twice
        request_bytes(*replace("Sec-WebSocket-Version", None)),
        request_bytes(*replace("Sec-WebSocket-Version", "\xff\xff")),
        request_bytes(*replace("Sec-WebSocket-Version", "13, abc")),
        request_bytes(" Host: x", *GOOD),  # first header line starts with whitespace
        request_bytes(*GOOD, "NoColonHere"),
        request_bytes(*GOOD, "Bad Name: x"),
    ],
)
def test_malformed_requests_close_silently_with_1002(data: bytes) -> None:
    error = rejected(data)
    assert (error.code, error.message, error.response) == (1002, "Invalid handshake request.", b"")


def test_unsupported_version_gets_400() -> None:
    error = rejected(request_bytes(*replace("Sec-WebSocket-Version", "8")))
    assert error.code == 1002 and error.message == "Unsupported version requested."
    assert error.response == b"HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\n\r\n"
    assert build_bad_version_response() == error.response


def test_header_spelling_variants() -> None:
    r = parse(request_bytes(*replace("Connection", "keep-alive, Upgrade")))
    assert r.host == "server.example.com"
    r = parse(request_bytes(*replace("Connection", "Upgrade,keepalive")))
    parse(request_bytes(*replace("Upgrade", "WebSocket")))
    parse(request_bytes(*replace("Upgrade", "websocket ")))
    # Upgrade is a token list (RFC 6455 §4.2.1); Qt rejects "websocket,ftp"
    parse(request_bytes(*replace("Upgrade", "websocket, ftp")))
    r = parse(request_bytes(*replace("Sec-WebSocket-Version", "4, 5, 6, 7, 8, 13")))
    assert r.versions == [13, 8, 7, 6, 5, 4]
    r = parse(
        request_bytes(*[h.replace(": ", ":") for h in GOOD])  # no space after the colon
    )
    assert r.versions == [13] and r.origin == "http://example.com"


def test_control_characters_in_header_lines_are_refused() -> None:
    # RFC 9110 5.5: a field value is visible characters, spaces, tabs (and
    # obs-text); any other control character makes the request invalid.
    for ch in ("\x00", "\x01", "\x1b", "\x7f", "\x0b", "\x0c"):
        err = rejected(request_bytes(*replace("Origin", f"http://a{ch}b")))
        # An invalid request: closed without a reply, as Qt does (section 5).
        assert err.message == ServerHandshake.INVALID and err.response == b""
        rejected(request_bytes(*GOOD, f"X-Name{ch}: v"))
    # A tab and obs-text (bytes 0x80-0xFF) are allowed.
    r = parse(request_bytes(*replace("Origin", "http://a\tb\xe9")))
    assert r.origin == "http://a\tb\xe9"


def test_folded_header_lines_are_joined() -> None:
    r = parse(request_bytes(*replace("Origin", "http://a  "), "\tb "))
    assert r.origin == "http://a b"


def test_protocol_header_lines_are_merged_in_order() -> None:
    r = parse(request_bytes(*GOOD, "Sec-WebSocket-Protocol: foo"))
    assert r.protocols == ["chat", "superchat", "foo"]


def test_absolute_form_target() -> None:
    r = parse(request_bytes(*GOOD, line="GET ws://server.example.com/a?b HTTP/1.1"))
    assert (r.path, r.query) == ("/a", "b")


# -- Host -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("localhost:1234", ("localhost", 1234)),
        ("localhost", ("localhost", None)),
        ("10.0.0.1", ("10.0.0.1", None)),
        ("10.0.0.1:80", ("10.0.0.1", 80)),
        ("[56:56:56:56:56:56:56:56]", ("56:56:56:56:56:56:56:56", None)),
        ("[::1]:8080", ("::1", 8080)),
        ("[v7.1234]", ("v7.1234", None)),
    ],
)
def test_host_parsing(value: str, expected: tuple[str, int | None]) -> None:
    assert parse_host(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "56:56:56:56:56:56:56:56]", "abc:def@foo.com", ":def@foo.com", "abc:@foo.com",
     "@foo.com", "foo.com/", "foo.com:", "foo.com:99999", "foo.com:8a", "[::1", "a b"],
)
def test_bad_hosts(value: str) -> None:
    with pytest.raises(ValueError):
        parse_host(value)


def test_request_url_for_ipv6_and_missing_port() -> None:
    r = parse(request_bytes(*replace("Host", "[::1]:9000")))
    assert r.request_url() == "ws://[::1]:9000/chat?x=1"
    r = parse(request_bytes(*replace("Host", "example.com")))
    assert r.request_url() == "ws://example.com/chat?x=1"
    assert format_host("::1", 80) == "[::1]:80" and format_host("a.b") == "a.b"


# -- limits ---------------------------------------------------------------------
def test_header_line_limit() -> None:
    ok = "X-Long: " + "a" * (8192 - 8)
    parse(request_bytes(*GOOD, ok))
    error = rejected(request_bytes(*GOOD, ok + "a"))
    assert error.code == 1002 and error.response == b""
    rejected(request_bytes(*GOOD, "X" * 8192))  # no colon


def test_header_count_limit() -> None:
    extra = [f"X-H{i}: v" for i in range(100 - len(GOOD))]
    parse(request_bytes(*GOOD, *extra))
    rejected(request_bytes(*GOOD, *extra, "X-One-More: v"))


def test_huge_header_block_is_refused_early() -> None:
    hs = ServerHandshake()
    fed = 0
    with pytest.raises(HandshakeError) as info:
        hs.receive_data(b"GET / HTTP/1.1\r\n")
        for i in range(100_000):
            chunk = f"X-Filler-{i}: {'v' * 200}\r\n".encode()
            fed += len(chunk)
            hs.receive_data(chunk)
    assert info.value.code in (1002, 1009)
    assert fed < 70_000  # a 1 MB header block is never buffered whole
    hs = ServerHandshake(max_headers=10_000)
    with pytest.raises(HandshakeError) as info:
        hs.receive_data(b"GET / HTTP/1.1\r\n")
        for i in range(10_000):
            hs.receive_data(f"X-F{i}: {'v' * 100}\r\n".encode())
    assert (info.value.code, info.value.message) == (1009, "Header is too large.")


def test_one_endless_line_is_refused_after_8_kib() -> None:
    hs = ServerHandshake()
    fed = 0
    with pytest.raises(HandshakeError):
        for _ in range(1000):
            hs.receive_data(b"G" * 1024)
            fed += 1024
    assert fed <= 9 * 1024


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=500), st.integers(1, 50))
def test_request_parser_raises_only_handshake_errors(data: bytes, chunk: int) -> None:
    hs = ServerHandshake()
    try:
        for i in range(0, len(data), chunk):
            if hs.receive_data(data[i : i + chunk]) is not None:
                break
    except HandshakeError as exc:
        assert exc.code in (1002, 1009)


# -- server: replies --------------------------------------------------------------
def test_101_response_lines_match_qt() -> None:
    r = parse(request_bytes(*GOOD))
    reply = build_accept_response(r, subprotocol="superchat", server_name="MySrv",
                                  date="Sun, 22 Nov 2026 02:34:17 GMT")
    assert reply.decode().split("\r\n") == [
        "HTTP/1.1 101 Switching Protocols",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        "Sec-WebSocket-Protocol: superchat",
        "Server: MySrv",
        "Access-Control-Allow-Credentials: false",
        "Access-Control-Allow-Methods: GET",
        "Access-Control-Allow-Headers: content-type",
        "Access-Control-Allow-Origin: http://example.com",
        "Date: Sun, 22 Nov 2026 02:34:17 GMT",
        "",
        "",
    ]


def test_101_defaults_no_origin_no_name_and_a_real_date() -> None:
    r = parse(request_bytes(*replace("Origin", None)))
    lines = build_accept_response(r).decode().split("\r\n")
    assert "Access-Control-Allow-Origin: *" in lines
    assert not any(line.startswith(("Server:", "Sec-WebSocket-Protocol:")) for line in lines)
    [date] = [line[6:] for line in lines if line.startswith("Date: ")]
    parsed = datetime.datetime.strptime(date, "%a, %d %b %Y %H:%M:%S GMT")
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert abs((parsed - now).total_seconds()) < 300
    with pytest.raises(ValueError):
        build_accept_response(r, server_name="evil\r\nX: y")


def test_403_response() -> None:
    assert build_forbidden_response() == b"HTTP/1.1 403 Access Forbidden\r\n\r\n"


@pytest.mark.parametrize(
    ("offered", "expected"),
    [
        ([], ""),
        (["chat", "superchat"], "chat"),
        (["superchat", "chat"], "superchat"),  # the client's order wins
        (["foo"], ""),
        (["foo", "chat"], "chat"),
    ],
)
def test_subprotocol_selection(offered: list[str], expected: str) -> None:
    assert select_subprotocol(offered, ["chat", "superchat"]) == expected


def test_accept_negotiates_subprotocol_and_deflate() -> None:
    r = parse(request_bytes(
        *GOOD, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"
    ))
    reply, accepted = accept(r, subprotocols=["superchat"], deflate=DeflateConfig())
    assert accepted.subprotocol == "superchat" and accepted.deflate == DeflateParams()
    assert b"\r\nSec-WebSocket-Extensions: permessage-deflate\r\n" in reply
    reply, accepted = accept(r)  # compression not enabled on this server
    assert accepted.deflate is None and b"Extensions" not in reply


def test_garbled_extension_offer_is_declined_not_fatal() -> None:
    r = parse(request_bytes(*GOOD, "Sec-WebSocket-Extensions: permessage-deflate; =;;"))
    assert r.extensions == []
    assert accept(r, deflate=DeflateConfig())[1].deflate is None


def test_parse_extensions() -> None:
    assert parse_extensions('a; x=1; y="tok", , b;z') == [
        ("a", [("x", "1"), ("y", "tok")]), ("b", [("z", None)])
    ]
    for bad in ("a;", "a b", 'a; x="unterminated', 'a; x="not a token"', "a; =1"):
        with pytest.raises(ValueError):
            parse_extensions(bad)


# -- client side --------------------------------------------------------------------
def test_build_request_matches_qt_layout() -> None:
    data = build_request(
        host="127.0.0.1:8080", resource="/segment/with%20spaces?q=1", key=KEY,
        origin="http://o", protocols=["foo", "bar"], extensions="permessage-deflate",
        headers=[("X-Custom-Header", "v"), ("Sec-WebSocket-Protocol", "dropped")],
    )
    assert data.decode().split("\r\n") == [
        "GET /segment/with%20spaces?q=1 HTTP/1.1",
        "Host: 127.0.0.1:8080",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {KEY}",
        "Origin: http://o",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Extensions: permessage-deflate",
        "Sec-WebSocket-Protocol: foo, bar",
        "X-Custom-Header: v",
        "",
        "",
    ]


def test_build_request_drops_invalid_protocols_and_refuses_newlines() -> None:
    data = build_request(host="h", resource="/", key=KEY, protocols=["a b", "x\r\n", "{}"])
    assert b"Sec-WebSocket-Protocol" not in data and b"Origin" not in data
    data = build_request(host="h", resource="", key=KEY, protocols=["ok", "{}", "fine"])
    assert b"\r\nSec-WebSocket-Protocol: ok, fine\r\n" in data and data.startswith(b"GET / ")
    with pytest.raises(ValueError, match="The origin contains newlines"):
        build_request(host="h", resource="/", key=KEY, origin="a\r\nb")
    with pytest.raises(ValueError, match="The resource name contains newlines"):
        build_request(host="h", resource="/\r\n", key=KEY)
    assert is_valid_subprotocol_name("chat.v2") and not is_valid_subprotocol_name("")


def test_generated_keys() -> None:
    keys = {generate_key() for _ in range(100)}
    assert len(keys) == 100 and all(len(k) == 24 for k in keys)


def reply_for(key: str, *extra: str, status: str = "101 Switching Protocols") -> bytes:
    lines = [f"HTTP/1.1 {status}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Accept: {accept_key(key)}", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def client_check(data: bytes, **kw: object) -> object:
    hs = ClientHandshake(KEY, **kw)  # type: ignore[arg-type]
    response = hs.receive_data(data)
    assert response is not None
    return hs.check(response)


def test_client_accepts_in_two_chunks_and_keeps_leftover_frames() -> None:
    hs = ClientHandshake(KEY, protocols=["chat"])
    data = reply_for(KEY, "Sec-WebSocket-Protocol: chat") + b"\x81\x02hi"
    assert hs.receive_data(data[:-10]) is None  # the final CRLFCRLF comes later
    response = hs.receive_data(data[-10:])
    assert response is not None and response.status == 101
    accepted = hs.check(response)
    assert accepted.subprotocol == "chat" and accepted.deflate is None
    assert hs.leftover == b"\x81\x02hi"
    assert WebSocketConnection("client").receive_data(hs.leftover) == [TextMessage("hi")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"HTTP/1.1 403 Access Forbidden\r\n\r\n",
         "QWebSocketPrivate::processHandshake: Unhandled http status code: 403 "
         "(Access Forbidden)."),
        (b"HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 8, 7\r\n\r\n",
         "Handshake: Server requests a version that we don't support: 8, 7."),
        (b"HTTP/1.1 400 Bad Request\r\n\r\n",
         "QWebSocketPrivate::processHandshake: Unknown error condition encountered. "
         "Aborting connection."),
        (reply_for(KEY, "Sec-WebSocket-Protocol: other"),
         "WebSocket server has chosen protocol other which has not been requested"),
        (reply_for("bm90IHRoZSByaWdodCBrZXk="),
         f"Accept-Key received from server {accept_key('bm90IHRoZSByaWdodCBrZXk=')} does not "
         f"match the client key {accept_key(KEY)}."),
        (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
         "Invalid parameter encountered during protocol upgrade: Accept-key size: 0, "
         "version: 1.1, upgrade: websocket, connection: "),
        (b"HTTP/1.1 abc\r\n\r\n", "Read handshake request status failed"),
        (b"HTTP/1.1 101 OK\r\nbroken line\r\n\r\n", "Parsing handshake request header failed"),
    ],
)
def test_client_errors_use_qt_texts(data: bytes, message: str) -> None:
    with pytest.raises(HandshakeError) as info:
        client_check(data, protocols=["chat"])
    assert info.value.message == message


def test_client_extension_checks() -> None:
    accepted = client_check(
        reply_for(KEY, "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10"),
        deflate=DeflateConfig(),
    )
    assert accepted.deflate == DeflateParams(server_max_window_bits=10)  # type: ignore[attr-defined]
    for bad_ext, config in [
        ("permessage-deflate", None),  # not offered
        ("permessage-deflate; bogus", DeflateConfig()),
        ("x-unknown", DeflateConfig()),
    ]:
        with pytest.raises(HandshakeError, match="Sec-WebSocket-Extensions") as info:
            client_check(reply_for(KEY, f"Sec-WebSocket-Extensions: {bad_ext}"), deflate=config)
        assert info.value.code == 1010


def test_client_header_too_large() -> None:
    hs = ClientHandshake(KEY)
    with pytest.raises(HandshakeError, match="Header is too large"):
        for _ in range(200):
            hs.receive_data(b"X-Pad: " + b"p" * 1000 + b"\r\n")


# -- both sides together ----------------------------------------------------------
@pytest.mark.parametrize("compress", [False, True])
def test_full_handshake_then_messages(compress: bool) -> None:
    key = generate_key()
    client_hs = ClientHandshake(key, protocols=["foo", "chat"],
                                deflate=DeflateConfig() if compress else None)
    request = build_request(host=format_host("::1", 4000), resource="/room", key=key,
                            protocols=client_hs.protocols, extensions=client_hs.offer_extensions())
    server_hs = ServerHandshake()
    parsed = server_hs.receive_data(request)
    assert parsed is not None and parsed.request_url() == "ws://[::1]:4000/room"
    reply, server_side = accept(parsed, subprotocols=["chat"],
                                deflate=DeflateConfig(server_max_window_bits=11))
    response = client_hs.receive_data(reply)
    assert response is not None
    client_side = client_hs.check(response)
    assert client_side.subprotocol == server_side.subprotocol == "chat"
    assert (client_side.deflate is not None) is compress
    if compress:
        assert client_side.deflate is not None and server_side.deflate is not None
        for side in (client_side.deflate, server_side.deflate):
            assert (side.server_max_window_bits, side.client_max_window_bits) == (11, 15)
    server = WebSocketConnection("server", deflate=server_side.deflate)
    client = WebSocketConnection("client", deflate=client_side.deflate)
    payload = os.urandom(3000) + b"z" * 3000
    client.send_binary(payload)
    client.send_text("hello")
    assert server.receive_data(client.data_to_send()) == [
        BinaryMessage(payload), TextMessage("hello")
    ]


BROWSER_REQUESTS = {
    "chromium": [
        "Host: 127.0.0.1:8765",
        "Connection: Upgrade",
        "Pragma: no-cache",
        "Cache-Control: no-cache",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
        "Upgrade: websocket",
        "Origin: http://127.0.0.1:8765",
        "Sec-WebSocket-Version: 13",
        "Accept-Encoding: gzip, deflate, br",
        "Accept-Language: en-US,en;q=0.9",
        "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
    ],
    "firefox": [
        "Host: localhost:8765",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "Accept: */*",
        "Sec-WebSocket-Version: 13",
        "Origin: http://localhost:8765",
        "Sec-WebSocket-Extensions: permessage-deflate",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Connection: keep-alive, Upgrade",
        "Sec-Fetch-Mode: websocket",
        "Pragma: no-cache",
        "Upgrade: websocket",
    ],
}


@pytest.mark.parametrize("browser", sorted(BROWSER_REQUESTS))
def test_browser_requests_negotiate_compression(browser: str) -> None:
    r = parse(request_bytes(*BROWSER_REQUESTS[browser], line="GET /chat HTTP/1.1"))
    assert r.origin.startswith("http://") and r.path == "/chat"
    reply, accepted = accept(r, deflate=DeflateConfig(client_max_window_bits=12))
    assert accepted.deflate is not None
    expected = (
        "permessage-deflate; client_max_window_bits=12"  # the browser allowed lowering it
        if browser == "chromium"
        else "permessage-deflate"
    )
    assert f"\r\nSec-WebSocket-Extensions: {expected}\r\n".encode() in reply
    assert f"Sec-WebSocket-Accept: {accept_key(r.key)}".encode() in reply
