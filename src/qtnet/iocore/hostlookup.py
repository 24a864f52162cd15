"""The system resolver, blocking calls and a bounded worker pool (QHostInfo's backend).

Qt resolves names with the C library (``getaddrinfo``) on a thread pool and
posts each result back to the thread that asked; so does this module.  The
calls here are the only ones qtnet makes to the resolver; results are plain
tuples, the Qt-level meaning (QHostInfo, error texts) lives in ``qt/hostinfo.py``.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from .loops import ThreadData

__all__ = [
    "NOT_FOUND_ERRORS",
    "local_domain_name",
    "local_host_name",
    "resolve",
    "reverse_name",
    "run_in_pool",
]

T = TypeVar("T")

# Qt runs up to 20 lookups at once (QHostInfoLookupManager); the rest queue.
MAX_PARALLEL_LOOKUPS = 20

# getaddrinfo() errors that mean "this name has no address" (Qt: HostNotFound).
NOT_FOUND_ERRORS = frozenset(
    code
    for code in (
        getattr(socket, "EAI_NONAME", None),
        getattr(socket, "EAI_FAIL", None),
        getattr(socket, "EAI_NODATA", None),
    )
    if code is not None
)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def resolve(ace_name: str) -> list[tuple[int, tuple[Any, ...]]]:
    """``(family, sockaddr)`` for every address of ``ace_name``, in resolver order.

    Raises ``socket.gaierror`` on failure.  Like Qt, asks with AI_ADDRCONFIG (only
    families the host has addresses for) and retries without it if the C library
    rejects the flag.
    """
    flags = getattr(socket, "AI_ADDRCONFIG", 0)
    try:
        infos = socket.getaddrinfo(ace_name, None, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, flags)
    except socket.gaierror as e:
        if not flags or e.errno != getattr(socket, "EAI_BADFLAGS", None):
            raise
        infos = socket.getaddrinfo(ace_name, None, socket.AF_UNSPEC, socket.SOCK_STREAM)
    return [(int(family), sockaddr) for family, _, _, _, sockaddr in infos]


def reverse_name(family: int, packed: bytes) -> str | None:
    """The host name of an address (``getnameinfo``, numeric text if it has none);
    None if the resolver fails."""
    host = socket.inet_ntop(family, packed)
    sockaddr: tuple[Any, ...] = (host, 0) if family == socket.AF_INET else (host, 0, 0, 0)
    try:
        return socket.getnameinfo(sockaddr, 0)[0]
    except (socket.gaierror, OSError):
        return None


def local_host_name() -> str:
    return socket.gethostname()


def local_domain_name() -> str:
    """The resolver's default domain, as the C library's res_init() finds it:
    $LOCALDOMAIN, else the last ``domain``/``search`` line of /etc/resolv.conf,
    else the domain part of the host name; "" when there is none."""
    env = os.environ.get("LOCALDOMAIN", "").split()
    if env:
        return env[0]
    domain = ""
    try:
        with open("/etc/resolv.conf", encoding="utf-8", errors="replace") as conf:
            for line in conf:
                words = line.split()
                if len(words) >= 2 and words[0] in ("domain", "search"):
                    domain = words[1]
    except OSError:
        pass
    if domain:
        return domain.rstrip(".") if domain != "." else ""
    host = socket.gethostname()
    return host.partition(".")[2]


def _executor() -> ThreadPoolExecutor:
    global _pool
    pool = _pool
    if pool is None:
        with _pool_lock:
            pool = _pool
            if pool is None:
                pool = ThreadPoolExecutor(MAX_PARALLEL_LOOKUPS, thread_name_prefix="qtnet-lookup")
                _pool = pool
    return pool


def run_in_pool(
    job: Callable[[], T], deliver: Callable[[T], None], target: Callable[[], ThreadData]
) -> Future[T]:
    """Run ``job`` on a pool thread, then ``deliver(result)`` on the loop of the
    thread ``target()`` names at that moment (the receiver may have moved)."""

    def done(future: Future[T]) -> None:
        if future.cancelled():
            return
        target().post(deliver, future.result())

    future = _executor().submit(job)
    future.add_done_callback(done)
    return future
