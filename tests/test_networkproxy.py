"""QNetworkProxy (minimal): values, capabilities, equality and the application
proxy, compared with real Qt (PySide6)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from peers import pyside6_json
from qtnet.qt.networkproxy import QNetworkProxy, _proxy_is_direct

P = QNetworkProxy

COMMON = r"""
def show(p):
    return [value(p.type()), p.hostName(), p.port(), p.user(), p.password(),
            value(p.capabilities()), p.isCachingProxy(), p.isTransparentProxy()]

def picture():
    out = {"types": [show(P(P.ProxyType(t))) for t in range(6)],
           "full": show(P(P.HttpProxy, "h", 8080, "u", "pw")),
           "app_default": show(P.applicationProxy())}
    x = P(P.HttpProxy, "h", 1)
    x.setType(P.Socks5Proxy)
    out["settype"] = show(x)
    x.setCapabilities(P.Capability(0))
    x.setType(P.HttpProxy)
    out["caps_kept"] = show(x)
    y = P()
    y.setHostName("proxy"); y.setPort(3128); y.setUser("me"); y.setPassword("secret")
    y.setType(P.HttpCachingProxy)
    out["setters"] = show(y)
    out["eq"] = [P(P.NoProxy) == P.NoProxy, P(P.HttpProxy, "a") == P(P.HttpProxy, "b"),
                 P(P.HttpProxy, "a", 1, "u") == P(P.HttpProxy, "a", 1, "v"),
                 P(P.HttpProxy, "a", 1) == P(P.HttpProxy, "a", 1), P(P.Socks5Proxy) != P.NoProxy,
                 P(y) == y]
    P.setApplicationProxy(P(P.Socks5Proxy, "s", 1080))
    out["app_set"] = show(P.applicationProxy())
    P.setApplicationProxy(P.DefaultProxy)
    out["app_reset"] = show(P.applicationProxy())
    return out
"""

PEER_SCRIPT = (
    r"""
import json
from PySide6.QtNetwork import QNetworkProxy as P
def value(v): return int(v.value)
"""
    + COMMON
    + "\nprint(json.dumps(picture()))\n"
)


@pytest.fixture(autouse=True)
def restore_application_proxy() -> Iterator[None]:
    saved = P.applicationProxy()
    yield
    P.setApplicationProxy(saved)


def test_matches_qt() -> None:
    qt = pyside6_json(PEER_SCRIPT)
    scope: dict[str, Any] = {"P": P, "value": int}
    exec(COMMON, scope)
    assert scope["picture"]() == qt


def test_enum_values_and_basics() -> None:
    assert [int(t) for t in P.ProxyType] == [0, 1, 2, 3, 4, 5]
    assert P.NoProxy is P.ProxyType.NoProxy and P.HostNameLookupCapability == 0x10
    assert P().type() is P.DefaultProxy and P() == P(P.DefaultProxy)  # documented deviation
    with pytest.raises(OverflowError):
        P(P.HttpProxy, "h", 70000)
    with pytest.raises(TypeError):
        hash(P())
    a, b = P(P.HttpProxy, "a", 1), P(P.NoProxy)
    a.swap(b)
    assert a.type() is P.NoProxy and b.hostName() == "a"
    assert '"a":1' in repr(b)


def test_direct_connection_rule() -> None:
    assert _proxy_is_direct(P(P.NoProxy)) and _proxy_is_direct(P())
    assert not _proxy_is_direct(P(P.Socks5Proxy, "s", 1080))
    P.setApplicationProxy(P(P.HttpProxy, "h", 3128))
    assert not _proxy_is_direct(P()) and _proxy_is_direct(P(P.NoProxy))
