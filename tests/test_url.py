"""QUrl: parsing, components, formatting, resolution; checked against PySide6.

``PROBE`` is one script body run in a PySide6 subprocess and in this process.
For a table of URLs (valid, odd and broken ones) it records every component
getter, validity, the error text and ``toString`` with the formatting options;
then it runs setter / resolution / local-file / user-input cases.  PySide6 only
takes ``ComponentFormattingOption`` values where Qt takes any formatting
options, so the probe passes options through ``O()``, which each side defines.
"""

from __future__ import annotations

import copy
import pickle
import warnings
from typing import Any

from peers import pyside6_json
from qtnet import QUrl

URLS = [
    "ws://localhost:1234",
    "ws://localhost:1234/",
    "WS://LocalHost:1234/Path?Q=1#Frag",
    "http://user:pass@host:80/p?q#f",
    "ws://[::1]:1234/",
    "http://[::FFFF:1.2.3.4]/",
    "http://[fe80::1%25eth0]/",
    "http://[2001:DB8:0:0:0:0:0:1]:8080/x",
    "http://1.2.3.4:65535",
    "http://host:65536/",
    "http://host:-1/",
    "http://host:abc/",
    "",
    "   ",
    "/local/path",
    "relative/path",
    "file:///tmp/x y",
    "file:/tmp/a",
    "mailto:a@b.c",
    "http://host/a b",
    "http://host/%41%zz",
    "http://hÖst.de/ä?ö=ü#ß",
    "http://host/p?a=1&b=2",
    "http://host?x",
    "http://host#",
    "http://host/?",
    "http://@host/",
    "http://:pw@host/",
    "http://u@host:1",
    "http://[::1",
    "http://ho st/",
    "http://host:/",
    "localhost:1234",
    "x:y",
    "1http://a",
    "http://a..b/",
    "http://Host.COM.",
    "ws://127.0.0.1:0/ws",
    "wss://example.com/chat?token=a%20b",
    "http://a/b/c/../d/./e",
    "//host/path",
    "?q",
    "#f",
    "http://h/p%2Fq",
    "http://h/p?q=%2F",
    "http://h/😀",
    "http://xn--mnich-kva.de/",
    "http://münich.de/",
    "http://h/ö%C3%B6",
    "http://[1::2::3]/",
    "http://h:80",
    "https://h:443/",
    "http:// h/",
    "http://127.1/",
    "http://0x7f.1/",
    "http://h_x.com/",
    "http://h!x.com/",
    "http://-h.com/",
    "HTTP://ÄÖ.com/",
    "http://a.b.c.d.e/",
    'http://h/a%25b%2Fc%3Fd%23e%20f%7Bg{h"i<j|k^l`m\\n[o]p',
    'http://h/p?a%25b%2Fc%3Fd%23e%20f%7Bg{h"i<j|k^l`m\\n[o]p%5Bq%40r@s%3At:u%26v&w%3Dx=y%2By+z',
    'http://h/p#a%25b%2Fc%3Fd%23e%20f%7Bg{h"i<j|k^l%40r@s#',
    "http://u%3Ax%40y%20z%2F:p%3Aw%40%20@h/",
    "http://h/%7e%41%2d",
    "http://h/\x01\x7f",
    "http://h/a?b?c",
    "http://h/a%3F?q",
    "http://h/%C3%A4%e4",
    "ws://h:1234/chat?x=1&y=two%20words#top",
    "ftp://ftp.example.org/pub/",
    "ws://[::ffff:127.0.0.1]:80",
    "http://a@b@c/",
    "data:text/plain,hi",
]

PROBE = r"""
FE = 0x1F00000  # FullyEncoded
FD = 0x7F00000  # FullyDecoded
out = []
for s in URLS:
    u = QUrl(s)
    out.append(dict(
        s=s, valid=u.isValid(), empty=u.isEmpty(), rel=u.isRelative(), err=u.errorString(),
        ts=u.toString(), url=u.url(), enc=bytes(u.toEncoded()).decode("latin-1"),
        disp=u.toDisplayString(), scheme=u.scheme(), host=u.host(), hostFE=u.host(O(FE)),
        port=u.port(), port99=u.port(99), path=u.path(), pathFE=u.path(O(FE)), pathFD=u.path(O(FD)),
        query=u.query(), queryFE=u.query(O(FE)), queryFD=u.query(O(FD)), hasq=u.hasQuery(),
        frag=u.fragment(), fragFD=u.fragment(O(FD)), hasf=u.hasFragment(), user=u.userName(),
        pw=u.password(), ui=u.userInfo(), auth=u.authority(), local=u.isLocalFile(),
        lf=u.toLocalFile(), fileName=u.fileName(),
        rmui=u.toString(O(0x6)), rmpw=u.toString(O(0x2)), rmport=u.toString(O(0x8)),
        rmauth=u.toString(O(0x1E)), rmq=u.toString(O(0x40 | 0x80)), rmpath=u.toString(O(0x20)),
        rmscheme=u.toString(O(0x1)), fe=u.toString(O(FE)), spaces=u.toString(O(0x100000)),
        strip=u.toString(O(0x400)), rmfile=u.toString(O(0x800)), norm=u.toString(O(0x1000)),
        adjusted=u.adjusted(O(0x800 | 0x1000)).toString(), preferLocal=u.toString(O(0x200)),
    ))

def rec(label, u):
    out.append([label, u.toString(), u.isValid(), u.errorString(), u.host(), u.port(),
                u.path(), u.query(), u.fragment(), u.userName(), u.password()])

u = QUrl("http://h"); u.setPath("/a?b#c%d e"); rec("setPath decoded", u)
u = QUrl("http://h"); u.setPath("x"); rec("setPath relative with authority", u)
u = QUrl("http://h"); u.setPath("//x"); rec("setPath double slash", u)
u = QUrl(); u.setPath("//x"); rec("setPath double slash, no authority", u)
u = QUrl("http://h/"); u.setPath("/%41%20", QUrl.TolerantMode); rec("setPath tolerant", u)
u = QUrl("http://h/"); u.setQuery("a b&c=%41%zz#"); rec("setQuery", u)
u = QUrl("http://h/p?q#f"); u.setQuery(""); rec("setQuery empty", u)
u = QUrl("http://h/p?q#f"); u.setQuery(None); rec("setQuery None", u)
u = QUrl("http://h/p?q#f"); u.setFragment(""); rec("setFragment empty", u)
u = QUrl("http://h/p?q#f"); u.setFragment(None); rec("setFragment None", u)
u = QUrl("http://h/"); u.setUserName("u:@/ x"); u.setPassword("p:@/")
rec("setUserName/Password", u)
u = QUrl("http://u:p@h/"); u.setUserInfo("a:b:c"); rec("setUserInfo", u)
u = QUrl("http://h/"); u.setHost("ExA mple"); rec("setHost invalid", u)
u = QUrl("http://h/"); u.setHost("[::1]"); rec("setHost bracketed", u)
u = QUrl("http://h/"); u.setHost("::1"); rec("setHost bare IPv6", u)
u = QUrl("http://h/"); u.setHost("WWW.Example.COM"); rec("setHost case", u)
u = QUrl("http://h/"); u.setPort(70000); rec("setPort out of range", u)
u = QUrl("http://h:5/"); u.setPort(-1); rec("setPort -1", u)
u = QUrl("http://h/"); u.setScheme("1x"); rec("setScheme invalid", u)
u = QUrl("http://h/"); u.setScheme("WS"); rec("setScheme case", u)
u = QUrl("http://h/p?q#f"); u.setAuthority("u:p@x:5"); rec("setAuthority", u)
u = QUrl("http://h/p?q#f"); u.setUrl("ws://z"); rec("setUrl", u)
u = QUrl(); u.setScheme("ws"); u.setHost("localhost"); u.setPort(1234); u.setPath("/chat")
rec("built", u)
u = QUrl("ws://h/"); u.clear(); rec("clear", u)
base = QUrl("http://a/b/c/d;p?q")
for r in ["g:h", "g", "./g", "g/", "/g", "//g", "?y", "g?y", "#s", "g#s", "g?y#s", ";x", "g;x",
          "", ".", "./", "..", "../", "../g", "../..", "../../", "../../g", "../../../g",
          "../../../../g", "/./g", "/../g", "g.", ".g", "g..", "..g", "./../g", "./g/.",
          "g/./h", "g/../h", "g;x=1/./y", "g;x=1/../y", "g?y/./x", "g#s/../x", "http:g"]:
    rec("resolved " + r, base.resolved(QUrl(r)))
rec("resolved onto authority-only", QUrl("ws://h:1").resolved(QUrl("chat")))
for p in ["/tmp/a b#c", "", "rel/x", "//srv/share/x", "/tmp/100%", "/ä/ö"]:
    rec("fromLocalFile " + p, QUrl.fromLocalFile(p))
rec("toLocalFile host", QUrl(QUrl("file://srv/x").toLocalFile()))
for s in ["example.com", "localhost:1234", "ftp.x.org/a", "/tmp/x", "::1", "127.0.0.1:80",
          "http://x", "  example.com/a b  ", "", "ws://h:1/", "foo", "mailto:x@y"]:
    rec("fromUserInput " + s, QUrl.fromUserInput(s))
out.append(["eq", QUrl("http://a") == QUrl("http://a"), QUrl("http://a") == QUrl("HTTP://A"),
            QUrl() == QUrl(""), QUrl("http://a/") == QUrl("http://a"), QUrl("x") != QUrl("y"),
            QUrl("http://a") < QUrl("http://b"), hash(QUrl("x")) == hash(QUrl("x"))])
out.append(["matches", QUrl("http://a/").matches(QUrl("http://a"), O(0)),
            QUrl("http://a:80/x").matches(QUrl("http://a/x"), O(0x8)),
            QUrl("http://a/b/").matches(QUrl("http://a/b"), O(0x400))])
out.append(["parent", QUrl("http://h").isParentOf(QUrl("http://h/a")),
            QUrl("http://h/a").isParentOf(QUrl("http://h/a/b")),
            QUrl("http://h/a").isParentOf(QUrl("http://h/ab")),
            QUrl("http://h/a/").isParentOf(QUrl("http://h/a/")),
            QUrl("http://h/a").isParentOf(QUrl("https://h/a/b"))])
out.append(["statics", bytes(QUrl.toPercentEncoding("a b/ä~")).decode(),
            QUrl.fromPercentEncoding(b"a%20b%C3%A4"), bytes(QUrl.toAce("höst.de")).decode(),
            QUrl.fromAce(b"xn--hst-sna.de"), QUrl.fromEncoded(b"http://a/%C3%A4").toString(),
            bytes(QUrl("http://h/ä b").toEncoded()).decode()])
"""

PEER = (
    r"""
import json, sys
from PySide6.QtCore import QUrl
URLS = json.load(sys.stdin)
def O(v):
    return QUrl.ComponentFormattingOption(v)
"""
    + PROBE
    + r"""
print(json.dumps(out, ensure_ascii=False))
"""
)


def _run_locally() -> list[Any]:
    namespace: dict[str, Any] = {"QUrl": QUrl, "URLS": URLS, "O": lambda v: v}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        exec(PROBE, namespace)
    return namespace["out"]  # type: ignore[no-any-return]


def _differences(theirs: Any, mine: Any, label: str) -> list[str]:
    if isinstance(theirs, dict) and isinstance(mine, dict):
        return [
            f"{label} {k}: Qt={theirs[k]!r} qtnet={mine.get(k)!r}"
            for k in theirs
            if theirs[k] != mine.get(k)
        ]
    return [] if theirs == mine else [f"{label}: Qt={theirs!r}\n    qtnet={mine!r}"]


def test_matches_pyside6_on_parsing_formatting_setters_and_resolution() -> None:
    theirs = pyside6_json(PEER, URLS)
    mine = _run_locally()
    assert len(theirs) == len(mine)
    diffs: list[str] = []
    for t, m in zip(theirs, mine, strict=True):
        label = repr(t["s"]) if isinstance(t, dict) else str(t[0])
        if label == "'http://[1::2::3]/'":  # Qt names the offending character; qtnet does not
            t = dict(t, err=None)
            m = dict(m, err=None)
        diffs += _differences(t, m, label)
    assert not diffs, "\n".join(diffs[:60])


# -- direct checks of what WebSocket programs rely on --------------------------------------


def test_websocket_urls() -> None:
    url = QUrl("ws://localhost:1234")
    assert url.isValid() and url.scheme() == "ws" and url.host() == "localhost"
    assert url.port() == 1234 and url.path() == "" and url.toString() == "ws://localhost:1234"
    slash = QUrl("ws://localhost:1234/")
    assert slash.path() == "/" and slash != url
    v6 = QUrl("ws://[::1]:1234/chat?room=1")
    assert v6.host() == "::1" and v6.port() == 1234 and v6.query() == "room=1"
    assert v6.toString() == "ws://[::1]:1234/chat?room=1"
    assert QUrl(v6.toString()) == v6
    assert QUrl("wss://h/x").port() == -1 and QUrl("wss://h/x").port(443) == 443


def test_empty_url_and_copy_semantics() -> None:
    empty = QUrl()
    assert empty.isEmpty() and not empty.isValid() and empty.toString() == ""
    assert empty.port() == -1 and empty.errorString() == ""
    url = QUrl("http://u:p@h:8/p?q#f")
    clone = QUrl(url)
    clone.setPath("/other")
    assert url.path() == "/p" and clone.path() == "/other"
    assert copy.copy(url) == url and pickle.loads(pickle.dumps(url)) == url
    assert repr(url) == "QUrl('http://u:p@h:8/p?q#f')"
    a, b = QUrl("http://a"), QUrl("http://b")
    a.swap(b)
    assert a.host() == "b" and b.host() == "a"
    assert {QUrl("http://x"): 1}[QUrl("HTTP://X")] == 1


def test_formatting_option_spellings() -> None:
    url = QUrl("http://user:pw@host:81/a b/?q#f")
    assert url.toString(QUrl.RemoveUserInfo | QUrl.RemovePort) == "http://host/a b/?q#f"
    assert url.toString(QUrl.UrlFormattingOption.RemovePassword) == "http://user@host:81/a b/?q#f"
    assert url.toString(QUrl.FullyEncoded | QUrl.RemoveQuery) == "http://user:pw@host:81/a%20b/#f"
    assert (
        url.toString(
            QUrl.ComponentFormattingOption.EncodeSpaces
            | QUrl.StripTrailingSlash
            | QUrl.RemoveFragment
        )
        == "http://user:pw@host:81/a%20b?q"
    )
    assert bytes(url.toEncoded(QUrl.RemoveAuthority)) == b"http:/a%20b/?q#f"
    assert QUrl.ParsingMode.StrictMode == QUrl.StrictMode == 1 and QUrl.DecodedMode == 2
    assert QUrl("http://h/%zz", QUrl.StrictMode).isValid() is False
    assert QUrl("http://h/%zz", QUrl.TolerantMode).path() == "/%zz"
