"""QHostInfo: host name lookups, blocking (``fromName``) or asynchronous (``lookupHost``).

Behaviour follows Qt 6 on Unix (checked against PySide6 6.12):

* A name is first converted to its ASCII (IDNA) form; an empty name fails with
  "No host name given", a name that is not a valid host name with "Invalid
  hostname" (both HostNotFound).  Unicode names are mapped approximately as
  UTS #46 does (NFKC, lower case, ß kept) and encoded with Punycode.
* The system resolver (``getaddrinfo``) finds the addresses, in its order,
  without duplicates.  A name without addresses gives HostNotFound / "Host not
  found"; other resolver failures UnknownError with the resolver's message.
* An IP address literal ("127.0.0.1", "::1", even "127.1") needs no lookup: the
  address is the result, and the host name is the address's reverse-lookup name
  ("localhost"), or its text when it has none.
* ``lookupHost`` runs the lookup on a pool thread (at most 20 at once) and calls
  the slot on the thread of the receiver (or, with a bare callable, of the
  caller), with the id it returned as ``lookupId()``.  ``abortHostLookup(id)``
  makes sure the slot is never called.  Results of a receiver deleted meanwhile
  are dropped.

Deviation: ``lookupHost`` returns the lookup id for every overload (PySide6
returns None for the callable one), so ``abortHostLookup`` works with callables.
"""

from __future__ import annotations

import enum
import itertools
import re
import socket
import threading
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from ..iocore import hostlookup
from ..iocore.loops import ThreadData, current_thread_data
from .enums import export_enums
from .hostaddress import QHostAddress
from .netenums import NetworkLayerProtocol
from .qobject import QObject
from .signals import SignalInstance

__all__ = ["QHostInfo"]


class QHostInfo:
    """The result of a host name lookup: the name, its addresses and the error."""

    class HostInfoError(enum.IntEnum):
        NoError = 0
        HostNotFound = 1
        UnknownError = 2

    __slots__ = ("_host_name", "_addresses", "_error", "_error_string", "_lookup_id")

    # export_enums() puts these members on the class at import time;
    # the declarations tell type checkers (tools/enum_declarations.py).
    if TYPE_CHECKING:
        NoError: ClassVar[QHostInfo.HostInfoError]
        HostNotFound: ClassVar[QHostInfo.HostInfoError]
        UnknownError: ClassVar[QHostInfo.HostInfoError]

    def __init__(self, other: QHostInfo | int = -1, *, lookupId: int | None = None) -> None:  # noqa: N803
        if isinstance(other, QHostInfo):
            self._copy_from(other)
            return
        if lookupId is not None:
            other = lookupId
        self._host_name = ""
        self._addresses: list[QHostAddress] = []
        self._error = QHostInfo.HostInfoError.NoError
        self._error_string = "Unknown error"
        self._lookup_id = int(other)

    def _copy_from(self, other: QHostInfo) -> None:
        self._host_name = other._host_name
        self._addresses = list(other._addresses)
        self._error = other._error
        self._error_string = other._error_string
        self._lookup_id = other._lookup_id

    # -- the result ---------------------------------------------------------------
    def hostName(self) -> str:  # noqa: N802
        return self._host_name

    def setHostName(self, name: str) -> None:  # noqa: N802
        self._host_name = name

    def addresses(self) -> list[QHostAddress]:
        return [QHostAddress(a) for a in self._addresses]

    def setAddresses(self, addresses: list[QHostAddress]) -> None:  # noqa: N802
        self._addresses = [QHostAddress(a) for a in addresses]

    def error(self) -> QHostInfo.HostInfoError:
        return self._error

    def setError(self, error: int) -> None:  # noqa: N802
        self._error = QHostInfo.HostInfoError(error)

    def errorString(self) -> str:  # noqa: N802
        return self._error_string

    def setErrorString(self, text: str) -> None:  # noqa: N802
        self._error_string = text

    def lookupId(self) -> int:  # noqa: N802
        return self._lookup_id

    def setLookupId(self, id: int) -> None:  # noqa: N802,A002
        self._lookup_id = int(id)

    def swap(self, other: QHostInfo) -> None:
        mine = QHostInfo(self)
        self._copy_from(other)
        other._copy_from(mine)

    def __copy__(self) -> QHostInfo:
        return QHostInfo(self)

    def __repr__(self) -> str:
        addrs = ", ".join(a.toString() for a in self._addresses)
        return (
            f"<QHostInfo {self._host_name!r} [{addrs}] {self._error.name} "
            f"lookupId={self._lookup_id}>"
        )

    # -- lookups ------------------------------------------------------------------
    @staticmethod
    def localHostName() -> str:  # noqa: N802
        return hostlookup.local_host_name()

    @staticmethod
    def localDomainName() -> str:  # noqa: N802
        return hostlookup.local_domain_name()

    @staticmethod
    def fromName(name: str) -> QHostInfo:  # noqa: N802
        """Look ``name`` up and wait for the answer (lookupId() is -1)."""
        return _lookup(name, -1)

    @staticmethod
    def lookupHost(name: str, receiver: Any, member: Any = None) -> int:  # noqa: N802
        """Start an asynchronous lookup; returns its id (for abortHostLookup).

        ``lookupHost(name, callable)``: ``callable(info)`` runs on this thread (on
        the object's thread if it is a QObject's method, as for a connection).
        ``lookupHost(name, context, callable)``: on the context QObject's thread,
        and not at all if the context is deleted first.
        ``lookupHost(name, receiver, b"slot(QHostInfo)")`` (or ``SLOT(...)``): the
        receiver's slot (or signal) of that name.
        """
        context: QObject | None = None
        if member is None:
            if isinstance(receiver, SignalInstance):
                receiver = receiver.emit
            if not callable(receiver):
                raise TypeError("lookupHost(name, callable) needs a callable")
            func: Callable[[QHostInfo], Any] = receiver
            owner = getattr(receiver, "__self__", None)
            if isinstance(owner, QObject):
                context = owner  # a QObject's method: its thread, and nothing once deleted
        else:
            if not isinstance(receiver, QObject):
                raise TypeError("lookupHost(name, receiver, member): receiver must be a QObject")
            context = receiver
            if isinstance(member, SignalInstance):
                func = member.emit
            elif callable(member):
                func = member
            else:
                func = _resolve_member(receiver, member)
        lookup_id = next(_ids)
        with _pending_lock:
            _pending.add(lookup_id)
        caller_td = current_thread_data()
        ctx = context

        def target() -> ThreadData:
            return caller_td if ctx is None else ctx._td

        def deliver(info: QHostInfo) -> None:
            with _pending_lock:
                if lookup_id not in _pending:
                    return  # aborted
                _pending.discard(lookup_id)
            if ctx is not None and ctx._deleted:
                return
            func(info)

        if not name:
            # Nothing to resolve: Qt answers at once, but still through the event loop.
            target().post(deliver, _lookup(name, lookup_id))
        else:
            hostlookup.run_in_pool(lambda: _lookup(name, lookup_id), deliver, target)
        return lookup_id

    @staticmethod
    def abortHostLookup(lookupId: int) -> None:  # noqa: N802,N803
        """The lookup's result will not be delivered (the resolver call itself may
        still finish on its pool thread)."""
        with _pending_lock:
            _pending.discard(int(lookupId))


export_enums(QHostInfo, QHostInfo.HostInfoError)

_ids = itertools.count(1)  # Qt numbers lookups from 1; next() is atomic under the GIL
_pending: set[int] = set()
_pending_lock = threading.Lock()


def _resolve_member(receiver: QObject, member: Any) -> Callable[[QHostInfo], Any]:
    """A slot given as Qt's SLOT()/SIGNAL() text, e.g. ``"1onLookup(QHostInfo)"``."""
    if isinstance(member, (bytes, bytearray, memoryview)):
        text = bytes(member).decode()
    else:
        text = str(member)
    if text[:1] in ("0", "1", "2"):  # the method-type code SLOT()/SIGNAL() put first
        text = text[1:]
    attr = getattr(receiver, text.partition("(")[0].strip(), None)
    if isinstance(attr, SignalInstance):
        return attr.emit
    if not callable(attr):
        raise AttributeError(f"{type(receiver).__name__} has no slot {member!r}")
    return attr  # type: ignore[no-any-return]


def _lookup(name: str, lookup_id: int) -> QHostInfo:
    """The blocking lookup behind fromName() and lookupHost() (never raises)."""
    info = QHostInfo(lookup_id)
    info._host_name = name
    try:
        _fill(info, name)
    except Exception as e:  # a resolver surprise must still produce a result
        info._error = QHostInfo.HostInfoError.UnknownError
        info._error_string = str(e) or type(e).__name__
    return info


def _fill(info: QHostInfo, name: str) -> None:
    literal = QHostAddress()
    if literal.setAddress(name):
        if literal.protocol() == NetworkLayerProtocol.IPv4Protocol:
            found = hostlookup.reverse_name(
                socket.AF_INET, literal.toIPv4Address().to_bytes(4, "big")
            )
        else:
            found = hostlookup.reverse_name(socket.AF_INET6, bytes(literal.toIPv6Address()))
        info._host_name = found or literal.toString()
        info._addresses = [literal]
        return
    ace = _to_ace(name)
    if not ace:
        info._error = QHostInfo.HostInfoError.HostNotFound
        info._error_string = "Invalid hostname" if name else "No host name given"
        return
    try:
        results = hostlookup.resolve(ace)
    except socket.gaierror as e:
        if e.errno in hostlookup.NOT_FOUND_ERRORS:
            info._error = QHostInfo.HostInfoError.HostNotFound
            info._error_string = "Host not found"
        else:
            info._error = QHostInfo.HostInfoError.UnknownError
            info._error_string = e.strerror or str(e)
        return
    addresses: list[QHostAddress] = []
    for family, sockaddr in results:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        if family == socket.AF_INET:
            addr = QHostAddress._from_sockaddr(family, sockaddr)
        else:
            addr = QHostAddress._from_sockaddr(family, (sockaddr[0], 0, 0, 0))
            if sockaddr[3]:
                addr.setScopeId(str(sockaddr[3]))  # Qt puts the number here, not the name
        if addr not in addresses:
            addresses.append(addr)
    if not addresses:
        info._error = QHostInfo.HostInfoError.HostNotFound
        info._error_string = "Host not found"
    info._addresses = addresses


# -- host names to ASCII (QUrl::toAce) ---------------------------------------------------

_ASCII_LABEL = re.compile(r"[a-z0-9_-]+\Z")  # letters, digits, '-', and '_' as Qt allows
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_IGNORED = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff\u034f\u180b\u180c\u180d"))
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})


def _to_ace(name: str) -> str:
    """The ASCII form of a host name, "" if it is not a valid one (QUrl::toAce)."""
    if name.isascii():
        text = name.lower()
    else:
        text = name.translate(_DOTS).translate(_IGNORED)
        dots = text.count(".")
        text = unicodedata.normalize("NFKC", text).lower()
        if text.count(".") != dots:
            return ""  # a compatibility character turned into a dot (e.g. U+2024)
    labels = text.split(".")
    trailing_dot = len(labels) > 1 and labels[-1] == ""
    if trailing_dot:
        labels.pop()
    out = []
    for label in labels:
        ace = _label_to_ace(label)
        if not ace or len(ace) > 63:
            return ""
        out.append(ace)
    return ".".join(out) + ("." if trailing_dot else "")


def _label_to_ace(label: str) -> str:
    if not label or label[0] == "-" or label[-1] == "-":
        return ""
    if label.isascii():
        if not _ASCII_LABEL.match(label) or label == "xn--":
            return ""
        return label
    if label[2:4] == "--" or unicodedata.category(label[0]).startswith("M"):
        return ""
    for ch in label:
        if ch.isascii():
            if not _ASCII_LABEL.match(ch):
                return ""
        elif ch in "\u200c\u200d\ufffd" or unicodedata.category(ch) in _BAD_CATEGORIES:
            return ""
    return "xn--" + label.encode("punycode").decode("ascii")
