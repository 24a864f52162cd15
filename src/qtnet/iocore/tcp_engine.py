"""The TCP socket engine: one non-blocking OS socket (Qt: QNativeSocketEngine).

QAbstractSocket and QTcpServer keep their Qt state and buffers themselves and
call this engine for every system call.  Why the engine looks like this:

* **No asyncio transports.**  The fd is watched by the owning thread's
  notifier hub (``notifier.py``: an epoll set polled from that thread's loop)
  and the owner calls ``recv``/``send`` itself, as with Qt's socket notifiers.
  Transports/protocols cost 10-20 % on small-message echo (perf-anchors §4.2)
  and impose their own buffering, which would break Qt's ``bytesToWrite``/
  ``readBufferSize`` rules.
* **Notifications are switched, not re-created.**  The read notifier stays on
  for a socket's whole life except under read back-pressure; the write
  notifier is only on while unsent data waits for the kernel (EAGAIN) or a
  connect is in flight, so the loop does no work for idle sockets.
* **Blocking waits poll the fd directly** (``wait``), never the event loop, so
  ``waitFor*()`` work in a thread that has no loop and inside a slot while the
  thread's loop is running, exactly like Qt's ``waitForReadOrWrite``.
* **Errors** come out as :class:`EngineError` with Qt's code and text
  (``socket_errors``); EAGAIN is not an error (``recv``→None, ``send``→0).
"""

from __future__ import annotations

import _socket
import errno
import select
import socket
from collections.abc import Callable
from typing import Any

from . import socket_errors as se
from . import sockopts
from .socket_errors import EngineError

_POLLIN = select.POLLIN | select.POLLPRI
_POLLOUT = select.POLLOUT
_POLLERR = select.POLLERR | select.POLLHUP | select.POLLNVAL

Sockaddr = Any  # the tuple form socket.getsockname() returns for the family
_CHUNK = 65536
_raw_family = _socket.socket.family.__get__  # the C getter: a plain int
_CHUNKS_PER_CALL = 4
_new_raw_socket = _socket.socket
_SOCK_STREAM = int(socket.SOCK_STREAM)
_MSG_MORE = getattr(socket, "MSG_MORE", 0)  # Linux; elsewhere a plain send


class TcpEngine:
    """One OS TCP socket plus its registration with one event loop."""

    __slots__ = (
        "sock",
        "fd",
        "family",
        "hub",
        "_on_read",
        "_on_write",
        "reading",
        "writing",
        "registered",
        "eof",
        "_recv",
        "_send",
    )

    def __init__(self, sock: socket.socket, family: int = -1) -> None:
        self.sock = sock
        self.fd = sock.fileno()
        # socket.family would build an IntEnum
        self.family: int = _raw_family(sock) if family == -1 else family
        self.hub: Any = None  # the NotifierHub of the owner's thread
        self._on_read: Callable[[], Any] = _nothing
        self._on_write: Callable[[], Any] = _nothing
        self.reading = False  # read notifier on
        self.writing = False  # write notifier on
        self.registered = 0  # the event mask the hub's epoll set has for us (0: absent)
        self.eof = False  # read_into() met the end of the stream (or a reset)
        self._recv = sock.recv  # bound once: the hot paths call them per message
        self._send = sock.send

    # -- construction --------------------------------------------------------
    @classmethod
    def create(cls, family: int) -> TcpEngine:
        """A new non-blocking TCP socket of ``family`` (AF_INET / AF_INET6)."""
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as e:
            raise se.create_error(e.errno or 0) from None
        sock.setblocking(False)
        return cls(sock)

    @classmethod
    def accepted(cls, fd: int, family: int) -> TcpEngine:
        """The engine of a descriptor fresh from ``accept()`` on a ``family`` socket.

        The C-level ``_socket.socket`` is used as is: the Python ``socket.socket``
        subclass only adds makefile()/io reference counting, which the engine
        never uses, and costs two Python-level calls at creation and two at close
        on every connection a server handles.
        """
        try:
            sock = _new_raw_socket(family, _SOCK_STREAM, 0, fd)
            sock.setblocking(False)
        except OSError as e:
            raise EngineError(se.UNSUPPORTED_OPERATION, se.T_INVALID_SOCKET, e.errno or 0) from None
        return cls(sock, family)  # type: ignore[arg-type]

    @classmethod
    def adopt(cls, fd: int, family: int = -1) -> TcpEngine:
        """Take ownership of an existing socket descriptor (setSocketDescriptor).

        ``family`` may be given when the caller knows it (fresh from accept()):
        that spares the kernel queries Python makes to detect it.  A descriptor
        that is not an open stream socket raises UnsupportedSocketOperation /
        "Invalid socket descriptor", and stays open and unowned.
        """
        if fd < 0:
            raise EngineError(se.UNSUPPORTED_OPERATION, se.T_INVALID_SOCKET, errno.EBADF)
        try:
            if family == -1:
                sock = socket.socket(fileno=fd)
            else:
                sock = socket.socket(family, socket.SOCK_STREAM, 0, fileno=fd)
        except OSError as e:
            raise EngineError(se.UNSUPPORTED_OPERATION, se.T_INVALID_SOCKET, e.errno or 0) from None
        if family == -1 and (
            sock.type != socket.SOCK_STREAM
            or sock.family not in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX)
        ):
            sock.detach()  # not ours: leave the caller's descriptor open
            raise EngineError(se.UNSUPPORTED_OPERATION, se.T_INVALID_SOCKET, errno.ENOTSOCK)
        try:
            sock.setblocking(False)
        except OSError as e:
            sock.detach()
            raise EngineError(se.UNSUPPORTED_OPERATION, se.T_INVALID_SOCKET, e.errno or 0) from None
        return cls(sock)

    # -- setup: bind / listen / options ---------------------------------------
    def set_reuse_address(self, on: bool = True) -> None:
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1 if on else 0)
        except OSError:
            pass

    def set_v6only(self, on: bool) -> None:
        if self.family == socket.AF_INET6:
            try:
                self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if on else 0)
            except OSError:
                pass

    def is_dual_stack(self) -> bool:
        """An IPv6 socket that also carries IPv4 (IPV6_V6ONLY off)."""
        if self.family != socket.AF_INET6:
            return False
        try:
            return self.sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 0
        except OSError:
            return False

    def bind(self, sockaddr: Sockaddr) -> None:
        try:
            self.sock.bind(sockaddr)
        except OSError as e:
            raise se.bind_error(e.errno or 0) from None

    def listen(self, backlog: int) -> None:
        try:
            self.sock.listen(backlog)
        except OSError as e:
            raise se.listen_error(e.errno or 0) from None

    def is_listening(self) -> bool:
        try:
            return bool(self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))
        except OSError:
            return False

    def set_option(self, option: int, value: int) -> bool:
        return sockopts.set_option(self.sock, option, value)

    def option(self, option: int) -> int | None:
        return sockopts.get_option(self.sock, option)

    def local_sockaddr(self) -> Sockaddr | None:
        try:
            return self.sock.getsockname()
        except OSError:
            return None

    def peer_sockaddr(self) -> Sockaddr | None:
        try:
            return self.sock.getpeername()
        except OSError:
            return None

    # -- connect ---------------------------------------------------------------
    def connect(self, sockaddr: Sockaddr) -> bool:
        """Start a connect: True when already connected, False when in progress."""
        err = self.sock.connect_ex(sockaddr)
        if err == 0 or err == errno.EISCONN:
            return True
        if err in (errno.EINPROGRESS, errno.EALREADY, errno.EAGAIN, errno.EINTR):
            return False
        raise se.connect_error(err)

    def finish_connect(self) -> bool:
        """After a write notification: True connected, False still in progress."""
        err = self.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            raise se.connect_error(err)
        try:
            self.sock.getpeername()
        except OSError:
            return False
        return True

    # -- data --------------------------------------------------------------------
    def read_into(self, buf: bytearray, limit: int = 0) -> int:
        """Append what the kernel has to ``buf``; returns the byte count.

        Reads 64 KiB chunks while whole chunks keep coming (at most 4 per call,
        to stay fair to other sockets) and never more than ``limit`` bytes when
        ``limit`` > 0.  End of stream, or a reset (which Qt reports the same
        way, after the data that came before it), sets ``self.eof``.
        """
        want = _CHUNK if not limit or limit > _CHUNK else limit
        try:
            data = self._recv(want)
        except (BlockingIOError, InterruptedError):
            return 0
        except ConnectionResetError:
            self.eof = True
            return 0
        except OSError as e:
            raise se.read_error(e.errno or 0) from None
        n = len(data)
        if not n:
            self.eof = True
            return 0
        buf.extend(data)
        if n < want:
            return n  # the usual case: the kernel buffer is drained
        return self._read_more(buf, n, limit)

    # The owner's hot path (QAbstractSocket._read_ready on a plain TcpEngine)
    # calls ``self._recv``/``self._send`` itself, saving a Python call per
    # message, and hands any OSError to these two, which apply the rules of
    # read_into()/send_from().
    def recv_failed(self, e: OSError) -> int:
        """0 for EAGAIN/EINTR (and a reset, which sets eof); else raise EngineError."""
        if isinstance(e, (BlockingIOError, InterruptedError)):
            return 0
        if isinstance(e, ConnectionResetError):
            self.eof = True
            return 0
        raise se.read_error(e.errno or 0) from None

    def send_failed(self, e: OSError) -> int:
        """0 for EAGAIN/EINTR; else raise EngineError."""
        if isinstance(e, (BlockingIOError, InterruptedError)):
            return 0
        raise se.write_error(e.errno or 0) from None

    def _read_more(self, buf: bytearray, total: int, limit: int) -> int:
        """Whole chunks kept coming: read on, a few more at most."""
        recv = self._recv
        for _ in range(_CHUNKS_PER_CALL - 1):
            want = _CHUNK
            if limit:
                want = limit - total
                if want <= 0:
                    break
                if want > _CHUNK:
                    want = _CHUNK
            try:
                data = recv(want)
            except (BlockingIOError, InterruptedError):
                break
            except ConnectionResetError:
                self.eof = True
                break
            except OSError:
                break  # reported by the next read, after this data
            if not data:
                self.eof = True
                break
            buf.extend(data)
            n = len(data)
            total += n
            if n < want:
                break
        return total

    def send_from(self, buf: bytearray) -> int:
        """Send from the front of ``buf`` and remove what the kernel took."""
        return self._send_front(buf, 0)

    def _send_front(self, buf: bytearray, flags: int) -> int:
        try:
            n: int = self._send(buf, flags)
        except (BlockingIOError, InterruptedError):
            return 0
        except OSError as e:
            raise se.write_error(e.errno or 0) from None
        if n == len(buf):
            buf.clear()
        elif n:
            del buf[:n]
        return n

    def send_closing(self, buf: bytearray) -> int:
        """send_from() for the last data before close() (the owner is Closing).

        MSG_MORE lets the kernel hold a final partial segment until close(),
        which then sends the FIN on that same segment: one packet less per
        connection (a fortune-style server saves ~5 µs of kernel time per
        connection on loopback).  Only the timing of bytes on the wire changes.
        """
        return self._send_front(buf, _MSG_MORE)

    def recv(self, size: int) -> bytes | None:
        """Up to ``size`` bytes; b"" at end of stream; None when nothing is there.

        A reset from the peer reads as end of stream, as in Qt: the program sees
        RemoteHostClosedError, after any data that arrived before the reset.
        """
        try:
            return self.sock.recv(size)
        except (BlockingIOError, InterruptedError):
            return None
        except ConnectionResetError:
            return b""
        except OSError as e:
            raise se.read_error(e.errno or 0) from None

    def send(self, data: Any) -> int:
        """Bytes the kernel took (0 when its buffer is full)."""
        try:
            return self.sock.send(data)
        except (BlockingIOError, InterruptedError):
            return 0
        except OSError as e:
            raise se.write_error(e.errno or 0) from None

    def accept(self) -> tuple[int, Sockaddr] | None:
        """(descriptor, peer sockaddr) of the next connection, None when none waits.

        The descriptor is returned bare (no socket object): QTcpServer hands it to
        ``incomingConnection(handle)`` as Qt does, and whoever adopts it owns it.
        """
        try:
            return self.sock._accept()  # type: ignore[attr-defined,no-any-return]
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as e:
            raise se.accept_error(e.errno or 0) from None

    # -- notifications ----------------------------------------------------------
    def attach(self, hub: Any, on_read: Callable[[], Any], on_write: Callable[[], Any]) -> None:
        """Report readiness to ``hub`` (``notifier.hub_for``); notifiers start off."""
        self.hub = hub
        self._on_read = on_read
        self._on_write = on_write

    @property
    def loop(self) -> Any:
        hub = self.hub
        return hub.loop if hub is not None else None

    def enable_read(self) -> None:
        if not self.reading and self.hub is not None:
            self.reading = True
            self.hub.update(self)

    def disable_read(self) -> None:
        """Stop read notifications.  Lazily: the descriptor stays in the epoll
        set until it next reports readable, when the hub drops it (data arrives
        rarely after a read stop; a syscall per close or pause is saved)."""
        self.reading = False

    def enable_write(self) -> None:
        if not self.writing and self.hub is not None:
            self.writing = True
            self.hub.update(self)

    def disable_write(self) -> None:
        if self.writing:
            self.writing = False
            if self.hub is not None:
                self.hub.update(self)

    def detach(self) -> tuple[bool, bool]:
        """Leave the hub (thread change); returns (reading, writing) to restore."""
        state = (self.reading, self.writing)
        if self.hub is not None:
            self.hub.forget(self)
        self.reading = self.writing = False
        self.hub = None
        return state

    # -- blocking wait (waitFor*) -------------------------------------------------
    def wait(self, want_read: bool, want_write: bool, timeout_ms: float) -> tuple[bool, bool]:
        """Block until readable/writable or ``timeout_ms`` (<0: forever).

        Returns (readable, writable); (False, False) means the time ran out.
        An error or hang-up on the socket counts as whatever was asked for, so
        the following recv/send/finish_connect reports it.
        """
        poller = select.poll()
        mask = (_POLLIN if want_read else 0) | (_POLLOUT if want_write else 0)
        poller.register(self.fd, mask)
        events = poller.poll(None if timeout_ms < 0 else max(0, int(timeout_ms + 0.999)))
        if not events:
            return False, False
        ev = events[0][1]
        err = bool(ev & _POLLERR)
        return (
            want_read and (err or bool(ev & _POLLIN)),
            want_write and (err or bool(ev & _POLLOUT)),
        )

    # -- end ---------------------------------------------------------------------
    def close(self) -> None:
        if self.registered:
            self.hub.forget(self)
        self.reading = self.writing = False
        self.hub = None
        self._on_read = self._on_write = _nothing
        try:
            self.sock.close()
        except OSError:
            pass

    def release(self) -> int:
        """Stop managing the descriptor without closing it; returns it."""
        self.detach()
        return self.sock.detach()


def _nothing() -> None:
    pass
