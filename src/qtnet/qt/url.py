"""QUrl: URL parsing, components and formatting with Qt 6's behaviour.

The components are kept the way Qt keeps them ("pretty" form): unreserved
characters and valid UTF-8 escapes decoded, characters that may never appear
raw in a URL (controls, ``"<>\\^`{|}``) percent-encoded, and every other escape
kept as the input had it, so ``%2F`` in a path survives a round trip.  The
formatting options then encode spaces / non-ASCII (``FullyEncoded``) or decode
further (component getters, ``FullyDecoded``), following what PySide6 returns.

The host is stored decoded and lower-cased; IDNA ``xn--`` labels are shown in
Unicode and encoded back by ``FullyEncoded``/``toEncoded``.  An IPv6 host is
stored without brackets (``ws://[::1]:1234/`` has ``host() == "::1"``).

Not implemented: StrictMode's detailed error texts (StrictMode refuses invalid
percent escapes with a generic message), Qt's IDN TLD whitelist (every ACE
label is shown decoded), ``EncodeReserved``/``DecodeReserved``.
"""

from __future__ import annotations

import enum
import warnings
from typing import Any

from ..codecs.url_syntax import (
    BAD_PERCENT_RE,
    QUERY_GETTER_DECODES,
    SCHEME_PREFIX_RE,
    SCHEME_RE,
    encode_component,
    from_decoded,
    full_decode,
    normalize_component,
    parse_host,
    remove_dot_segments,
    to_ace,
)
from .bytearray import QByteArray
from .enums import export_enums
from .url_statics import UrlStatics

__all__ = ["QUrl"]


class QUrl(UrlStatics):
    """A URL (Qt's QUrl, PySide6 API)."""

    __slots__ = ("_scheme", "_user", "_password", "_host", "_port", "_path", "_query",
                 "_fragment", "_error")

    class ParsingMode(enum.IntEnum):
        TolerantMode = 0
        StrictMode = 1
        DecodedMode = 2

    class UrlFormattingOption(enum.IntFlag):
        None_ = 0x0
        RemoveScheme = 0x1
        RemovePassword = 0x2
        RemoveUserInfo = 0x2 | 0x4
        RemovePort = 0x8
        RemoveAuthority = 0x2 | 0x4 | 0x8 | 0x10
        RemovePath = 0x20
        RemoveQuery = 0x40
        RemoveFragment = 0x80
        PreferLocalFile = 0x200
        StripTrailingSlash = 0x400
        RemoveFilename = 0x800
        NormalizePathSegments = 0x1000

    class ComponentFormattingOption(enum.IntFlag):
        PrettyDecoded = 0x000000
        EncodeSpaces = 0x100000
        EncodeUnicode = 0x200000
        EncodeDelimiters = 0x400000 | 0x800000
        EncodeReserved = 0x1000000
        DecodeReserved = 0x2000000
        FullyEncoded = 0x100000 | 0x200000 | 0x400000 | 0x800000 | 0x1000000
        FullyDecoded = 0x100000 | 0x200000 | 0x400000 | 0x800000 | 0x1000000 | 0x4000000

    class UserInputResolutionOption(enum.IntEnum):
        DefaultResolution = 0
        AssumeLocalFile = 1

    def __init__(self, url: Any = "", mode: int = 0) -> None:
        self._clear()
        if isinstance(url, QUrl):
            self._copy_from(url)
        elif url:
            self.setUrl(url, mode)

    def _clear(self) -> None:
        self._scheme = ""
        self._user: str | None = None
        self._password: str | None = None
        self._host: str | None = None  # None: no authority
        self._port = -1
        self._path = ""
        self._query: str | None = None
        self._fragment: str | None = None
        self._error: tuple[str, str, bool] | None = None  # message, source, show scheme

    def _copy_from(self, other: QUrl) -> None:
        for name in QUrl.__slots__:
            setattr(self, name, getattr(other, name))

    def _fail(self, message: str, source: str, show_scheme: bool = False) -> None:
        if self._error is None:
            self._error = (message, source, show_scheme)

    # -- parsing ---------------------------------------------------------------------
    def setUrl(self, url: Any, mode: int = 0) -> None:  # noqa: N802
        text = url.decode("utf-8", "replace") if isinstance(url, (bytes, bytearray)) else str(url)
        self._clear()
        if not text:
            return
        if BAD_PERCENT_RE.search(text):
            if int(mode) == QUrl.ParsingMode.StrictMode:
                self._fail("Invalid percent-encoding in URL", text)
                return
            text = text.replace("%", "%25")  # Qt: one stray '%' means all are literal
        rest = text
        m = SCHEME_PREFIX_RE.match(rest)
        if m:
            self._scheme = m.group(1).lower()
            rest = rest[m.end():]
        rest, hash_, fragment = rest.partition("#")
        if hash_:
            self._fragment = normalize_component(fragment)
        rest, qmark, query = rest.partition("?")
        if qmark:
            self._query = normalize_component(query)
        if rest.startswith("//"):
            end = rest.find("/", 2)
            if end < 0:
                end = len(rest)
            self._set_authority(rest[2:end], text)
            rest = rest[end:]
        elif self._scheme == "file" and rest.startswith("/"):
            self._host = ""  # "file:/tmp/a" is "file:///tmp/a"
        self._path = normalize_component(rest)

    def _set_authority(self, auth: str, source: str) -> None:
        self._host = ""
        self._port = -1
        userinfo, at, hostport = auth.partition("@")  # Qt splits at the first '@'
        if at:
            user, colon, password = userinfo.partition(":")
            self._user = normalize_component(user)
            self._password = normalize_component(password) if colon else None
        else:
            hostport = auth
            self._user = self._password = None
        if hostport.startswith("["):
            close = hostport.find("]")
            if close < 0:
                hosttext, portpart = hostport, ""
            else:
                hosttext, portpart = hostport[: close + 1], hostport[close + 1 :]
            if portpart and not portpart.startswith(":"):
                self._fail("Invalid IPv6 address", source)
                return
            port = portpart[1:]
        else:
            hosttext, colon, port = hostport.rpartition(":")
            if not colon:
                hosttext, port = hostport, ""
        host, err = parse_host(hosttext)
        if err:
            self._fail(err, source)
            return
        self._host = host
        if port:
            if not port.isdigit() or not port.isascii() or int(port) > 65535:
                self._fail("Invalid port or port number out of range", source)
                return
            self._port = int(port)

    # -- validity ----------------------------------------------------------------------
    def _path_error(self) -> str | None:
        path = self._path
        if self._host is not None:
            if path and not path.startswith("/"):
                return "Path component is relative and authority is present"
        elif path.startswith("//"):
            return "Path component starts with '//' and authority is absent"
        elif not self._scheme:
            colon = path.find(":")
            if colon >= 0 and (path.find("/") < 0 or colon < path.find("/")):
                return "Relative URL's path component contains ':' before any '/'"
        return None

    def isValid(self) -> bool:  # noqa: N802
        if self.isEmpty():
            return False
        return self._error is None and self._path_error() is None

    def errorString(self) -> str:  # noqa: N802
        if self._error is not None:
            message, source, show_scheme = self._error
        else:
            path_error = self._path_error()
            if path_error is None or self.isEmpty():
                return ""
            message, source, show_scheme = path_error, full_decode(self._path), False
        parts = []
        if self._scheme or show_scheme:
            parts.append(f'scheme = "{self._scheme}"')
        if self._user is not None or self._password is not None:
            parts.append(f'userinfo = "{self.userInfo()}"')
        if self._host is not None:
            parts.append(f'host = "{self._host}"')
        if self._path:
            parts.append(f'path = "{full_decode(self._path)}"')
        if self._query is not None:
            parts.append(f'query = "{self.query()}"')
        if self._fragment is not None:
            parts.append(f'fragment = "{self.fragment()}"')
        return f'{message}; source was "{source}"; ' + ", ".join(parts)

    def isEmpty(self) -> bool:  # noqa: N802
        return (
            not self._scheme and self._host is None and not self._path
            and self._query is None and self._fragment is None and self._error is None
        )

    def isRelative(self) -> bool:  # noqa: N802
        return not self._scheme

    def clear(self) -> None:
        self._clear()

    # -- components -----------------------------------------------------------------
    def scheme(self) -> str:
        return self._scheme

    def setScheme(self, scheme: str) -> None:  # noqa: N802
        if scheme and not SCHEME_RE.match(scheme):
            bad = next(
                (c for c in scheme if not (c.isascii() and (c.isalnum() or c in "+-."))), scheme[0]
            )
            self._scheme = ""
            self._fail(f"Invalid scheme (character '{bad}' not permitted)", scheme, True)
            return
        self._scheme = scheme.lower()
        if self._scheme == "file" and self._host is None and self._path.startswith("/"):
            self._host = ""

    def _getter(self, stored: str | None, options: int, decode: dict[str, str] | None) -> str:
        if not stored:
            return ""
        opts = int(options)
        if opts & 0x4000000:  # FullyDecoded
            return full_decode(stored)
        if opts & 0x1F00000:
            return encode_component(stored, opts)
        if decode is None:  # path, user name, password: PrettyDecoded decodes all
            return full_decode(stored)
        for escape, ch in decode.items():
            if escape in stored:
                stored = stored.replace(escape, ch)
        return stored

    def path(self, options: int = 0) -> str:
        return self._getter(self._path, options, None)

    def setPath(self, path: str, mode: int = 2) -> None:  # noqa: N802
        self._path = self._component(path, mode, "?#")

    def _component(self, value: str | None, mode: int, delimiters: str) -> str:
        if not value:
            return ""
        if int(mode) == QUrl.ParsingMode.DecodedMode:
            return from_decoded(value, delimiters)
        if BAD_PERCENT_RE.search(value):
            value = value.replace("%", "%25")
        out = normalize_component(value)
        for ch in delimiters:
            out = out.replace(ch, f"%{ord(ch):02X}")
        return out

    def fileName(self, options: int = 0) -> str:  # noqa: N802
        return self.path(options).rpartition("/")[2]

    def query(self, options: int = 0) -> str:
        return self._getter(self._query, options, {**QUERY_GETTER_DECODES, "%23": "#"})

    def setQuery(self, query: Any, mode: int = 0) -> None:  # noqa: N802
        if query is None:
            self._query = None
            return
        if not isinstance(query, str):
            query = query.query(QUrl.ComponentFormattingOption.FullyEncoded)  # QUrlQuery
        self._query = self._component(query, mode, "#")

    def hasQuery(self) -> bool:  # noqa: N802
        return self._query is not None

    def fragment(self, options: int = 0) -> str:
        return self._getter(self._fragment, options, QUERY_GETTER_DECODES)

    def setFragment(self, fragment: str | None, mode: int = 0) -> None:  # noqa: N802
        self._fragment = None if fragment is None else self._component(fragment, mode, "")

    def hasFragment(self) -> bool:  # noqa: N802
        return self._fragment is not None

    def userName(self, options: int = 0) -> str:  # noqa: N802
        return self._getter(self._user, options, None)

    def setUserName(self, name: str | None, mode: int = 2) -> None:  # noqa: N802
        self._user = None if not name else self._component(name, mode, ":@/?#[]")
        self._ensure_authority()

    def password(self, options: int = 0) -> str:
        return self._getter(self._password, options, None)

    def setPassword(self, password: str | None, mode: int = 2) -> None:  # noqa: N802
        self._password = None if not password else self._component(password, mode, "@/?#[]")
        self._ensure_authority()

    def userInfo(self, options: int = 0) -> str:  # noqa: N802
        if self._user is None and self._password is None:
            return ""
        opts = int(options)
        user, password = self._user or "", self._password
        if not opts:  # PrettyDecoded: all decoded but %3A (':' would be ambiguous)
            user = full_decode(user.replace("%3A", "%253A"))
            if password is not None:
                password = full_decode(password.replace("%3A", "%253A"))
        else:
            user = self._getter(user, opts, None)
            if password is not None:
                password = self._getter(password, opts, None)
        return user if password is None else f"{user}:{password}"

    def setUserInfo(self, info: str, mode: int = 0) -> None:  # noqa: N802
        user, colon, password = (info or "").partition(":")
        self._user = self._component(user, mode, "@/?#[]") if info else None
        self._password = self._component(password, mode, "@/?#[]") if colon else None
        self._ensure_authority()

    def _ensure_authority(self) -> None:
        if self._host is None and (self._user is not None or self._password is not None):
            self._host = ""

    def host(self, options: int = 0) -> str:
        host = self._host or ""
        if int(options) & QUrl.ComponentFormattingOption.EncodeUnicode:
            return to_ace(host).replace("%", "%25")
        return host

    def setHost(self, host: str, mode: int = 2) -> None:  # noqa: N802
        if not host:
            self._host = "" if self._user is not None or self._port != -1 else None
            return
        parsed, err = parse_host(host)
        if err:
            self._host = None
            self._fail(err, host)
            return
        self._host = parsed

    def port(self, defaultPort: int = -1) -> int:  # noqa: N803
        return defaultPort if self._port == -1 else self._port

    def setPort(self, port: int) -> None:  # noqa: N802
        if port < -1 or port > 65535:
            self._port = -1
            self._fail("Invalid port or port number out of range", str(port))
            return
        self._port = port
        if port != -1 and self._host is None:
            self._host = ""

    def authority(self, options: int = 0) -> str:
        return self._authority(int(options), True)

    def setAuthority(self, authority: str, mode: int = 0) -> None:  # noqa: N802
        self._error = None
        if authority is None or (not authority and self._user is None):
            self._host, self._user, self._password, self._port = None, None, None, -1
            return
        self._set_authority(authority, authority)

    def _authority(self, opts: int, isolated: bool) -> str:
        if self._host is None:
            return ""
        out = []
        if (self._user is not None or self._password is not None) and (opts & 0x6) != 0x6:
            user = encode_component(self._user or "", opts)
            if isolated:
                user = user.replace("%2F", "/")
            out.append(user)
            if self._password is not None and not opts & 0x2:
                password = encode_component(self._password, opts)
                out.append(":" + (password.replace("%2F", "/") if isolated else password))
            out.append("@")
        host = self._host
        if opts & QUrl.ComponentFormattingOption.EncodeUnicode:
            host = to_ace(host)
        if ":" in host:
            host = "[" + host.replace("%", "%25") + "]"
        out.append(host)
        if self._port != -1 and not opts & 0x8:
            out.append(f":{self._port}")
        return "".join(out)

    # -- whole URL -------------------------------------------------------------------------
    def toString(self, options: int = 0) -> str:  # noqa: N802
        opts = int(options)
        if not self.isValid():
            return ""
        if opts & 0x4000000:
            warnings.warn(
                "QUrl: QUrl::FullyDecoded is not permitted when reconstructing the full URL",
                RuntimeWarning,
                stacklevel=2,
            )
            opts &= ~0x7F00000
        if opts & 0x200 and self.isLocalFile():
            return self.toLocalFile()
        out = []
        if self._scheme and not opts & 0x1:
            out.append(self._scheme + ":")
        if self._host is not None and (opts & 0x1E) != 0x1E:
            out.append("//" + self._authority(opts, False))
        elif self._scheme == "file" and self._path.startswith("/"):
            out.append("//")  # a local file keeps its empty authority
        if not opts & 0x20:
            out.append(encode_component(self._formatted_path(opts), opts))
        if self._query is not None and not opts & 0x40:
            out.append("?" + encode_component(self._query, opts))
        if self._fragment is not None and not opts & 0x80:
            fragment = encode_component(self._fragment, opts)
            if opts & 0xC00000:
                fragment = fragment.replace("#", "%23")
            out.append("#" + fragment)
        return "".join(out)

    def _formatted_path(self, opts: int) -> str:
        path = self._path
        if opts & 0x1000:
            path = remove_dot_segments(path)
        if opts & 0x800:
            path = path[: path.rfind("/") + 1]
        if opts & 0x400:
            while len(path) > 1 and path.endswith("/"):
                path = path[:-1]
        return path

    def url(self, options: int = 0) -> str:
        return self.toString(options)

    def toDisplayString(self, options: int = 0) -> str:  # noqa: N802
        return self.toString(int(options) | QUrl.UrlFormattingOption.RemovePassword)

    def toEncoded(self, options: int = 0x1F00000) -> QByteArray:  # noqa: N802
        return QByteArray._of(self.toString(int(options) | 0x1F00000).encode("ascii", "replace"))

    @staticmethod
    def fromEncoded(data: Any, mode: int = 0) -> QUrl:  # noqa: N802
        return QUrl(bytes(data).decode("utf-8", "replace"), mode)

    def adjusted(self, options: int) -> QUrl:
        opts = int(options)
        url = QUrl(self)
        if opts & 0x1:
            url._scheme = ""
        if (opts & 0x1E) == 0x1E:
            url._host, url._user, url._password, url._port = None, None, None, -1
        else:
            if opts & 0x4:
                url._user = None
            if opts & 0x2:
                url._password = None
            if opts & 0x8:
                url._port = -1
        url._path = "" if opts & 0x20 else url._formatted_path(opts)
        if opts & 0x40:
            url._query = None
        if opts & 0x80:
            url._fragment = None
        return url

    def resolved(self, relative: QUrl) -> QUrl:
        """RFC 3986 section 5.2 reference resolution."""
        rel = relative
        target = QUrl(rel)
        if rel._scheme:
            target._path = remove_dot_segments(rel._path)
            return target
        if rel._host is not None:
            target._scheme = self._scheme
            target._path = remove_dot_segments(rel._path)
            return target
        target._scheme, target._host, target._port = self._scheme, self._host, self._port
        target._user, target._password = self._user, self._password
        if not rel._path:
            target._path = self._path
            if rel._query is None:
                target._query = self._query
        elif rel._path.startswith("/"):
            target._path = remove_dot_segments(rel._path)
        else:
            if self._host is not None and not self._path:
                merged = "/" + rel._path
            else:
                merged = self._path[: self._path.rfind("/") + 1] + rel._path
            target._path = remove_dot_segments(merged)
        return target

    def isParentOf(self, child: QUrl) -> bool:  # noqa: N802
        if (child._scheme, child._host, child._port) != (self._scheme, self._host, self._port):
            return False
        mine, theirs = self._path, child._path
        if not mine:
            return theirs.startswith("/")
        if not theirs.startswith(mine) or len(theirs) <= len(mine):
            return False
        return mine.endswith("/") or theirs[len(mine)] == "/"

    def matches(self, other: QUrl, options: int) -> bool:
        mine = self.adjusted(options).toString(0x1F00000)
        return mine == other.adjusted(options).toString(0x1F00000)

    # -- local files -------------------------------------------------------------------
    def isLocalFile(self) -> bool:  # noqa: N802
        return self._scheme == "file"

    @staticmethod
    def fromLocalFile(localFile: str) -> QUrl:  # noqa: N802,N803
        url = QUrl()
        if not localFile:
            return url
        url._scheme = "file"
        path = localFile
        if path.startswith("//"):  # a UNC-style path: //host/share
            host, _, rest = path[2:].partition("/")
            url.setHost(host)
            path = "/" + rest
        elif path.startswith("/"):
            url._host = ""
        url._path = from_decoded(path, "?#")
        return url

    def toLocalFile(self) -> str:  # noqa: N802
        if not self.isLocalFile():
            return ""
        path = full_decode(self._path)
        return f"//{self._host}{path}" if self._host else path

    # -- Python protocol ----------------------------------------------------------------
    def _key(self) -> tuple[Any, ...]:
        return (self._scheme, self._user, self._password, self._host, self._port, self._path,
                self._query, self._fragment, self._error is None)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QUrl):
            return NotImplemented
        return self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __lt__(self, other: QUrl) -> bool:
        return self.toString(0x1F00000) < other.toString(0x1F00000)

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"QUrl({self.toString()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (QUrl, (self.toString(0x1F00000),))

    def __copy__(self) -> QUrl:
        return QUrl(self)

    def swap(self, other: QUrl) -> None:
        mine = QUrl(self)
        self._copy_from(other)
        other._copy_from(mine)


export_enums(QUrl, QUrl.ParsingMode, QUrl.UrlFormattingOption, QUrl.ComponentFormattingOption,
             QUrl.UserInputResolutionOption)
