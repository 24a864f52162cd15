"""Multi-core serving: N worker processes sharing one port, and inherited sockets.

Python runs one thread of Python at a time, so a server uses more than one
core only with more than one process.  ``serve_workers`` makes that a one-line
change to a Qt-style program:

* **One socket per worker, all bound with SO_REUSEPORT.**  The parent creates
  the N listening (or UDP) sockets before it forks, all on the same address
  and port, and each worker adopts its own with Qt's API
  (``QTcpServer.setSocketDescriptor``, ``QWebSocketServer.setNativeDescriptor``,
  ``QUdpSocket.setSocketDescriptor``).  The kernel then spreads new
  connections (or datagrams, by sender) over the workers' sockets: each worker
  has its own accept queue, so there is no thundering herd and no lock, which
  is why this scales better than N processes sharing one listening socket.
  The sockets are made in the parent so that port 0 works (the first socket
  picks the port, the others join it) and the port is known before any
  worker starts.
* **Forked, not spawned.**  Workers run the caller's function directly after
  ``fork()``, so a program needs no second entry point.  The parent must not
  have created an event loop or Qt objects yet (it has no reason to), which
  keeps the fork safe.
* **Supervised.**  SIGINT/SIGTERM in the parent are passed to every worker,
  and the parent waits for all of them.  A worker that dies on its own (crash,
  SIGKILL) is started again on the same socket, so connections queued on that
  socket are not lost; one that keeps dying within a second of its start is
  given up on after a few tries, and everything stops with an error.

``systemd_listen_fds`` is the other way to be handed sockets: systemd socket
activation (sd_listen_fds(3)).  Linux only, like SO_REUSEPORT balancing.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "WorkerError",
    "bound_sockets",
    "serve_workers",
    "systemd_listen_fds",
]

SD_LISTEN_FDS_START = 3  # systemd passes sockets from fd 3 on
DEFAULT_BACKLOG = 50  # QTcpServer::listenBacklogSize()'s default
_FAST_DEATH_SECONDS = 1.0  # a worker dying sooner than this after its start...
_FAST_DEATHS_ALLOWED = 5  # ...this many times in a row makes the pool give up

_ANY_NAMES = ("", "*", "any", "0.0.0.0", "::")


class WorkerError(RuntimeError):
    """The sockets could not be made, or the workers kept failing."""


def _family_and_address(host: str | None) -> list[tuple[int, str, bool]]:
    """(family, address, dual_stack) choices to try, best first.

    All addresses ("any", None) means dual-stack ``::`` as QHostAddress.Any
    does, falling back to 0.0.0.0 where IPv6 is missing.  A literal is used
    as it is; a name resolves to its first address.
    """
    name = (host or "").strip("[]").strip().lower()
    if name in _ANY_NAMES and name not in ("0.0.0.0", "::"):
        return [(socket.AF_INET6, "::", True), (socket.AF_INET, "0.0.0.0", False)]
    try:
        literal = ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        try:
            infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise WorkerError(f"cannot resolve {host!r}: {exc.strerror}") from None
        family, _, _, _, sockaddr = infos[0]
        return [(family, str(sockaddr[0]), False)]
    if literal.version == 6:
        return [(socket.AF_INET6, name, False)]
    return [(socket.AF_INET, name, False)]


def _bind_one(
    family: int, address: str, dual_stack: bool, port: int, kind: str, backlog: int
) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    try:
        # SO_REUSEADDR as QTcpServer sets it on Unix (restart while old
        # connections sit in TIME_WAIT); SO_REUSEPORT lets the workers share.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if dual_stack else 1)
        sock.bind((address, port))
        if kind == "tcp":
            sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def bound_sockets(
    count: int,
    host: str | None = None,
    port: int = 0,
    kind: Literal["tcp", "udp"] = "tcp",
    backlog: int = DEFAULT_BACKLOG,
) -> list[socket.socket]:
    """``count`` sockets on one address and port with SO_REUSEPORT: listening
    TCP sockets, or bound UDP sockets.  Port 0 picks a free port for all."""
    if count < 1:
        raise ValueError(f"count must be >= 1, not {count}")
    if kind not in ("tcp", "udp"):
        raise ValueError(f"kind must be 'tcp' or 'udp', not {kind!r}")
    if not hasattr(socket, "SO_REUSEPORT"):
        raise WorkerError("this platform has no SO_REUSEPORT")
    last_error: OSError | None = None
    for family, address, dual_stack in _family_and_address(host):
        sockets: list[socket.socket] = []
        try:
            first = _bind_one(family, address, dual_stack, port, kind, backlog)
            sockets.append(first)
            chosen = first.getsockname()[1]
            for _ in range(count - 1):
                sockets.append(_bind_one(family, address, dual_stack, chosen, kind, backlog))
            return sockets
        except OSError as exc:
            for sock in sockets:
                sock.close()
            last_error = exc
            if exc.errno not in (errno.EAFNOSUPPORT, errno.EADDRNOTAVAIL):
                break
    assert last_error is not None
    raise WorkerError(
        f"cannot bind {host or 'all addresses'} port {port}: {last_error.strerror}"
    ) from last_error


def systemd_listen_fds(unset_environment: bool = True) -> list[int]:
    """The sockets systemd passed to this process (socket activation), or [].

    As sd_listen_fds(3): only when ``LISTEN_PID`` is this process, fds from 3
    on, marked close-on-exec; the variables are removed so that child
    processes do not take the sockets for theirs.
    """
    pid = os.environ.get("LISTEN_PID", "")
    count = os.environ.get("LISTEN_FDS", "")
    if unset_environment:
        for name in ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"):
            os.environ.pop(name, None)
    if not pid.isdigit() or int(pid) != os.getpid() or not count.isdigit():
        return []
    fds = list(range(SD_LISTEN_FDS_START, SD_LISTEN_FDS_START + int(count)))
    for fd in fds:
        os.set_inheritable(fd, False)
    return fds


# -- the worker pool ---------------------------------------------------------------------------
WorkerFunction = Callable[[int, int], int]  # (socket fd, worker index) -> exit status


@dataclass
class _Worker:
    index: int
    sock: socket.socket
    pid: int = 0
    started: float = 0.0
    fast_deaths: int = 0
    status: int | None = None  # exit status once it is done for good
    restarts: int = field(default=0)


def _exit_status(wait_status: int) -> int:
    if os.WIFSIGNALED(wait_status):
        return 128 + os.WTERMSIG(wait_status)
    return os.WEXITSTATUS(wait_status)


class _Pool:
    def __init__(self, target: WorkerFunction, sockets: Sequence[socket.socket]) -> None:
        self.target = target
        self.workers = [_Worker(i, s) for i, s in enumerate(sockets)]
        self.stopping = False
        self.failure: str | None = None

    def start(self, worker: _Worker) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the worker
            status = 1
            try:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    signal.signal(sig, signal.SIG_DFL)
                for other in self.workers:
                    if other is not worker:
                        other.sock.close()
                status = int(self.target(worker.sock.fileno(), worker.index))
            except SystemExit as exc:
                status = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                finally:
                    os._exit(status)
        worker.pid = pid
        worker.started = time.monotonic()

    def signal_all(self, signum: int) -> None:
        for worker in self.workers:
            if worker.pid and worker.status is None:
                try:
                    os.kill(worker.pid, signum)
                except ProcessLookupError:
                    pass

    def on_signal(self, signum: int, frame: object) -> None:
        del frame
        self.stopping = True
        # A terminal's Ctrl-C reaches the workers too (same process group);
        # a SIGTERM sent to the parent alone must be passed on.
        self.signal_all(signal.SIGTERM if signum == signal.SIGTERM else signum)

    def reap(self, pid: int, wait_status: int) -> None:
        worker = next((w for w in self.workers if w.pid == pid), None)
        if worker is None:
            return
        status = _exit_status(wait_status)
        worker.pid = 0
        if self.stopping and os.WIFSIGNALED(wait_status):
            # Ended by the SIGINT/SIGTERM we passed on (a program without its
            # own handler): that is the stop that was asked for, not a failure.
            if os.WTERMSIG(wait_status) in (signal.SIGINT, signal.SIGTERM):
                status = 0
        if self.stopping or status == 0:
            worker.status = status
            return
        lived = time.monotonic() - worker.started
        worker.fast_deaths = worker.fast_deaths + 1 if lived < _FAST_DEATH_SECONDS else 0
        if worker.fast_deaths >= _FAST_DEATHS_ALLOWED:
            worker.status = status
            self.failure = (
                f"worker {worker.index} exited with status {status} "
                f"{worker.fast_deaths} times in a row within {_FAST_DEATH_SECONDS:g} s"
            )
            self.stopping = True
            self.signal_all(signal.SIGTERM)
            return
        print(
            f"qtnet: worker {worker.index} (pid {pid}) exited with status {status}; restarting",
            file=sys.stderr,
            flush=True,
        )
        worker.restarts += 1
        self.start(worker)

    def run(self) -> int:
        previous = {
            sig: signal.signal(sig, self.on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for worker in self.workers:
                self.start(worker)
            while any(w.pid for w in self.workers):
                try:
                    pid, wait_status = os.wait()
                except ChildProcessError:
                    break
                self.reap(pid, wait_status)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for worker in self.workers:
                worker.sock.close()
        if self.failure is not None:
            raise WorkerError(self.failure)
        return max((w.status or 0) for w in self.workers)


def serve_workers(
    target: WorkerFunction,
    workers: int,
    *,
    host: str | None = None,
    port: int = 0,
    kind: Literal["tcp", "udp"] = "tcp",
    backlog: int = DEFAULT_BACKLOG,
    on_bound: Callable[[str, int], None] | None = None,
) -> int:
    """Run ``target(fd, index)`` in ``workers`` forked processes, each with its
    own SO_REUSEPORT socket on ``host``/``port``; return the largest exit status.

    ``target`` adopts the descriptor with Qt's API and runs its event loop, e.g.
    ``server.setSocketDescriptor(fd); return app.exec()``.  ``on_bound(address, port)``
    runs in the parent once the sockets exist (to print the port, say).
    Blocks until every worker has exited (SIGINT/SIGTERM stop them all).
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, not {workers}")
    if not hasattr(os, "fork"):
        raise WorkerError("worker processes need fork(), which this platform lacks")
    sockets = bound_sockets(workers, host, port, kind, backlog)
    try:
        if on_bound is not None:
            name = sockets[0].getsockname()
            on_bound(str(name[0]), int(name[1]))
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    return _Pool(target, sockets).run()
