"""Socket notifiers: one epoll set per thread, registered with that thread's loop.

Qt's event dispatcher keeps its own table of socket notifiers and polls them;
qtnet does the same.  Each thread gets a :class:`NotifierHub`: an epoll set
holding the descriptors of that thread's sockets, whose own descriptor is the
only thing registered with the thread's asyncio/uvloop loop (``add_reader``).
When it is readable, ``dispatch`` collects the ready sockets in one
``epoll.poll`` call and runs their read/write handlers, reads first (Qt's
order); afterwards it sends the data that handlers wrote to *other* sockets
(one flush pass per wake-up, however many sockets were written to).

Why not ``loop.add_reader`` per socket:

* **Correctness on uvloop.**  libuv stops a poll handle as soon as the kernel
  reports POLLERR — which a TCP reset does — after one last callback.  When
  data was waiting in front of the reset, that callback reads the data and the
  reset is never seen: the connection hangs in ConnectedState forever.  An
  epoll set we poll ourselves is plainly level-triggered, like Qt's.
* **Memory.**  A uvloop poll handle costs ~660 bytes per descriptor and an
  asyncio selector key ~390; here a socket costs one dict slot.
* **Speed.**  Ready sockets are dispatched from one Python loop, without a
  loop Handle per event (stock asyncio gains the most).

Level-triggered rules: a descriptor is in the set only while its engine wants
reads or writes (an idle error condition would otherwise be reported forever),
and a handler that cannot consume readiness (read buffer full) switches its
interest off.  Switching reads off is lazy (no syscall): the first event the
engine no longer wants makes ``dispatch`` update the registration.

Where ``select.epoll`` does not exist, :class:`LoopHub` keeps the same
interface over ``loop.add_reader``/``add_writer``.
"""

from __future__ import annotations

import select
import sys
import threading
import weakref
from collections.abc import Callable
from typing import Any

from .loops import ThreadData

_EPOLLIN = getattr(select, "EPOLLIN", 1)
_EPOLLOUT = getattr(select, "EPOLLOUT", 4)
_EPOLLERR = getattr(select, "EPOLLERR", 8) | getattr(select, "EPOLLHUP", 16)
_READ_EVENTS = _EPOLLIN | _EPOLLERR | getattr(select, "EPOLLPRI", 2)
_WRITE_EVENTS = _EPOLLOUT | _EPOLLERR
_MAX_EVENTS = 512  # per wake-up; the rest stays ready for the next one (level-triggered)


class NotifierHub:
    """The socket notifiers of one thread (see the module docstring)."""

    __slots__ = (
        "_ep",
        "_handlers",
        "loop",
        "_flushq",
        "_flush_handle",
        "_dispatching",
        "_removed",
        "guarded",
        "__weakref__",
    )

    def __init__(self) -> None:
        self._ep = select.epoll()
        self._handlers: dict[int, Any] = {}
        self.loop: Any = None
        self._flushq: list[Any] = []
        self._flush_handle: Any = None
        self._dispatching = False
        self._removed = 0  # descriptors dropped since the table's size was last checked
        self.guarded = False  # a thread-exit guard will close us (see hub_for)

    def close(self) -> None:
        """Release the epoll descriptor (the thread ended); idempotent."""
        if self.loop is not None:
            try:
                self.loop.remove_reader(self._ep.fileno())
            except Exception:  # the loop is closed already: nothing registered
                pass
            self.loop = None
        self._handlers.clear()
        self._ep.close()

    def bind_loop(self, loop: Any) -> None:
        """Be polled by ``loop`` (re-registering when the thread's loop changed)."""
        if loop is self.loop:
            return
        old = self.loop
        if old is not None:
            try:
                old.remove_reader(self._ep.fileno())
            except Exception:  # closed, or a loop of another thread: nothing to undo
                pass
        loop.add_reader(self._ep.fileno(), self.dispatch)
        self.loop = loop
        if self._flushq and self._flush_handle is None:
            self._flush_handle = loop.call_soon(self.run_flushes)

    def update(self, eng: Any) -> None:
        """Make the set match ``eng.reading``/``eng.writing`` (``eng.registered``
        holds the mask the kernel has; nothing is done when it already matches)."""
        mask = (_EPOLLIN if eng.reading else 0) | (_EPOLLOUT if eng.writing else 0)
        current = eng.registered
        if mask == current:
            return
        fd = eng.fd
        try:
            if not mask:
                eng.registered = 0
                self._drop(fd)
                self._ep.unregister(fd)
            elif current:
                self._ep.modify(fd, mask)
                eng.registered = mask
            else:
                self._ep.register(fd, mask)
                self._handlers[fd] = eng
                eng.registered = mask
        except (OSError, ValueError):
            # The descriptor was closed behind the engine's back (or is not
            # pollable), or the hub was closed with its thread: nothing can be
            # watched; forget it.
            self._drop(fd)
            eng.registered = 0

    def forget(self, eng: Any) -> None:
        if eng.registered:
            eng.registered = 0
            self._drop(eng.fd)
            try:
                self._ep.unregister(eng.fd)
            except (OSError, ValueError):
                pass

    def _drop(self, fd: int) -> None:
        self._handlers.pop(fd, None)
        self._removed += 1
        if self._removed >= 1024 and not self._dispatching:
            self._shrink_table()

    def _shrink_table(self) -> None:
        """Give back the table of a dict that once held many more descriptors.

        A dict never shrinks when entries leave it: after 10,000 connections
        closed, the fd map would keep ~600 KB for the rest of the process.
        ``dispatch`` iterates over the dict, so this runs only outside it.
        """
        self._removed = 0
        handlers = self._handlers
        if sys.getsizeof(handlers) > 256 * len(handlers) + 8192:
            self._handlers = dict(handlers)

    def dispatch(self) -> None:
        handlers = self._handlers
        self._dispatching = True
        try:
            for fd, ev in self._ep.poll(0, _MAX_EVENTS):
                eng = handlers.get(fd)
                if eng is None:
                    continue
                try:
                    if ev & _READ_EVENTS and eng.reading:
                        eng._on_read()
                        if ev & _WRITE_EVENTS and eng.writing:
                            eng._on_write()
                    elif ev & _WRITE_EVENTS and eng.writing:
                        eng._on_write()
                    else:
                        self.update(eng)  # interest dropped lazily (disable_read): apply it
                except Exception:
                    # A bug in one socket's handler must not starve the others
                    # (nor skip the flush pass below): report it and go on.
                    sys.excepthook(*sys.exc_info())
        finally:
            self._dispatching = False
        if self._removed >= 1024:
            self._shrink_table()
        if self._flushq:
            self.run_flushes()

    # -- deferred flushes (write() outside the socket's own handler) ---------------------
    def schedule_flush(self, owner: Any) -> None:
        """Call ``owner._flush_soon(self)`` later in this loop iteration."""
        self._flushq.append(owner)
        if not self._dispatching and self._flush_handle is None and self.loop is not None:
            self._flush_handle = self.loop.call_soon(self.run_flushes)

    def run_flushes(self) -> None:
        self._flush_handle = None
        q = self._flushq
        self._flushq = []
        for owner in q:
            try:
                owner._flush_soon(self)
            except Exception:
                sys.excepthook(*sys.exc_info())


class LoopHub:
    """The same interface over per-descriptor ``add_reader``/``add_writer`` (no epoll)."""

    __slots__ = ("loop", "_flushq", "_flush_handle", "guarded", "__weakref__")

    def __init__(self) -> None:
        self.loop: Any = None
        self._flushq: list[Any] = []
        self._flush_handle: Any = None
        self.guarded = False

    def close(self) -> None:
        self.loop = None

    def bind_loop(self, loop: Any) -> None:
        self.loop = loop

    def update(self, eng: Any) -> None:
        loop = self.loop
        fd = eng.fd
        want_r, want_w = eng.reading, eng.writing
        if want_r:
            loop.add_reader(fd, eng._on_read)
        else:
            _quiet(loop.remove_reader, fd)
        if want_w:
            loop.add_writer(fd, eng._on_write)
        else:
            _quiet(loop.remove_writer, fd)
        eng.registered = (1 if want_r else 0) | (4 if want_w else 0)

    def forget(self, eng: Any) -> None:
        if eng.registered:
            eng.registered = 0
            _quiet(self.loop.remove_reader, eng.fd)
            _quiet(self.loop.remove_writer, eng.fd)

    def schedule_flush(self, owner: Any) -> None:
        self._flushq.append(owner)
        if self._flush_handle is None and self.loop is not None:
            self._flush_handle = self.loop.call_soon(self.run_flushes)

    def run_flushes(self) -> None:
        self._flush_handle = None
        q = self._flushq
        self._flushq = []
        for owner in q:
            owner._flush_soon(self)


def _quiet(func: Callable[[int], Any], fd: int) -> None:
    try:
        func(fd)
    except Exception:
        pass


_hubs: weakref.WeakKeyDictionary[ThreadData, Any] = weakref.WeakKeyDictionary()
_HAS_EPOLL = hasattr(select, "epoll")
_thread_exit = threading.local()


class _ExitGuard:
    """Lives in the thread's thread-local storage, which Python clears when the
    thread ends: then the thread's hub gives its epoll descriptor back (a
    threaded server runs one short thread per connection)."""

    __slots__ = ("td_ref", "hub")

    def __init__(self, td: ThreadData, hub: Any) -> None:
        self.td_ref = weakref.ref(td)
        self.hub = hub

    def __del__(self) -> None:
        td = self.td_ref()
        if td is not None and _hubs.get(td) is self.hub:
            del _hubs[td]
        self.hub.close()  # idempotent: close_loop() may have released it already


def release_hub(td: ThreadData) -> None:
    """Close ``td``'s hub now (ThreadData.close_loop: the thread is ending)."""
    hub = _hubs.pop(td, None)
    if hub is not None:
        hub.close()


def hub_for(td: ThreadData) -> Any:
    """The hub of ``td``'s thread, bound to its current loop (created on first use)."""
    hub = _hubs.get(td)
    if hub is None:
        hub = NotifierHub() if _HAS_EPOLL else LoopHub()
        _hubs[td] = hub
    if (
        not hub.guarded
        and td.is_current()
        and threading.current_thread() is not threading.main_thread()
    ):
        hub.guarded = True
        _thread_exit.guard = _ExitGuard(td, hub)
    loop = td.loop()
    if hub.loop is not loop:
        hub.bind_loop(loop)
    return hub
