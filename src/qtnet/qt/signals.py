"""Signals and slots with Qt's semantics (PySide6 spelling).

``Signal(int, str)`` is declared at class level; reading it from an instance
gives a :class:`SignalInstance` with ``connect``/``disconnect``/``emit``.

Why it is shaped this way:

* ``Signal`` is a *non-data* descriptor and the first ``__get__`` stores the
  SignalInstance in the object's ``__dict__`` under the signal's own name, so
  every later ``obj.readyRead`` is a plain instance-dict hit (no descriptor
  call) — emit is on every hot path of the network classes.
* The connection list is an immutable tuple replaced on every change.  Emission
  iterates the tuple it started with, so a slot that connects new slots does not
  get them called in the same emission (as in Qt), and each connection carries an
  ``alive`` flag so one disconnected during emission is skipped (as in Qt).
* Connection type ``AutoConnection`` is decided per emission: direct when the
  receiver lives in the emitting thread (or there is no receiver object),
  queued to the receiver's thread otherwise.
"""

from __future__ import annotations

import inspect
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from .namespace import Qt

if TYPE_CHECKING:
    from .qobject import QObject

_get_ident = threading.get_ident
_AUTO = 0
_DIRECT = 1
_QUEUED = 2
_BLOCKING = 3
_UNIQUE = 0x80
_SINGLE_SHOT = 0x100

# The sender of the signal whose slot is running, per thread (QObject.sender()).
_sender_tls = threading.local()


def current_sender() -> Any:
    return getattr(_sender_tls, "sender", None)


def _max_positional(func: Callable[..., Any]) -> int | None:
    """How many positional arguments ``func`` accepts (None: any number).

    Qt lets a slot take fewer arguments than the signal carries; the extra ones
    are dropped.  Computed once per connect, never per emit.
    """
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    n = 0
    for p in sig.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            return None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            n += 1
    return n


def _receiver_of(slot: Any) -> Any:
    """The QObject a slot belongs to (its context object), if any."""
    from .qobject import QObject

    if isinstance(slot, SignalInstance):
        return slot._owner
    owner = getattr(slot, "__self__", None)
    if isinstance(owner, QObject):
        return owner
    return None


class Connection:
    """One signal→slot connection (Qt: QMetaObject::Connection)."""

    __slots__ = ("signal", "slot", "call", "receiver", "type", "nargs", "alive", "single_shot")

    def __init__(
        self,
        signal: SignalInstance,
        slot: Any,
        receiver: Any,
        ctype: int,
    ) -> None:
        self.signal = signal
        self.slot = slot
        # A signal connected to a signal re-emits it.
        self.call: Callable[..., Any] = slot.emit if isinstance(slot, SignalInstance) else slot
        self.receiver = receiver
        self.type = ctype & 0x0F
        self.single_shot = bool(ctype & _SINGLE_SHOT)
        self.nargs = None if isinstance(slot, SignalInstance) else _max_positional(slot)
        self.alive = True

    def __bool__(self) -> bool:
        return self.alive

    def isValid(self) -> bool:  # noqa: N802 - Qt name
        return self.alive


def _report_slot_exception() -> None:
    # Qt (PySide) prints the traceback of a failing slot and carries on with
    # the other slots and with the event loop; so do we.
    sys.excepthook(*sys.exc_info())


def invoke(conn: Connection, sender: Any, args: tuple[Any, ...]) -> None:
    """Call one connection's slot in the current thread."""
    n = conn.nargs
    tls = _sender_tls
    prev = getattr(tls, "sender", None)
    tls.sender = sender
    try:
        if n is None or n >= len(args):
            conn.call(*args)
        else:
            conn.call(*args[:n])
    except Exception:
        _report_slot_exception()
    finally:
        tls.sender = prev


def _deliver_queued(conn: Connection, sender: Any, args: tuple[Any, ...]) -> None:
    if not conn.alive:
        return
    rec = conn.receiver
    if rec is not None and rec._deleted:
        return
    invoke(conn, sender, args)


def _deliver_blocking(conn: Connection, sender: Any, args: tuple[Any, ...], done: threading.Event) -> None:
    try:
        _deliver_queued(conn, sender, args)
    finally:
        done.set()


class SignalInstance:
    """A signal bound to one object."""

    __slots__ = ("_owner", "_signal", "_conns", "__weakref__")

    def __init__(self, owner: Any, signal: Signal) -> None:
        self._owner = owner
        self._signal = signal
        self._conns: tuple[Connection, ...] = ()

    # -- connect / disconnect ----------------------------------------------
    def connect(self, slot: Any, type: int = _AUTO) -> Connection:  # noqa: A002 - Qt name
        if not callable(slot):
            raise TypeError(f"connect: slot {slot!r} is not callable")
        ctype = int(type)
        if ctype & _UNIQUE:
            for c in self._conns:
                if c.alive and c.slot == slot:
                    # Qt returns an invalid connection for a duplicate unique one.
                    dead = Connection(self, slot, None, ctype)
                    dead.alive = False
                    return dead
        conn = Connection(self, slot, _receiver_of(slot), ctype)
        self._conns = self._conns + (conn,)
        return conn

    def disconnect(self, slot: Any = None) -> bool:
        """Disconnect ``slot`` (a callable or a Connection); all slots if None."""
        conns = self._conns
        if slot is None:
            for c in conns:
                c.alive = False
            self._conns = ()
            return bool(conns)
        if isinstance(slot, Connection):
            keep = tuple(c for c in conns if c is not slot)
            found = len(keep) != len(conns) and slot.alive
            slot.alive = False
        else:
            keep = []
            found = False
            for c in conns:
                if c.slot == slot:
                    c.alive = False
                    found = True
                else:
                    keep.append(c)
            keep = tuple(keep)
        self._conns = keep
        if not found:
            # PySide6 warns and returns False for a slot that was not connected.
            import warnings

            warnings.warn(
                f"Failed to disconnect ({slot!r}) from signal \"{self._signal.signature()}\".",
                RuntimeWarning,
                stacklevel=2,
            )
        return found

    def _drop(self, conn: Connection) -> None:
        conn.alive = False
        self._conns = tuple(c for c in self._conns if c is not conn)

    # -- emit ---------------------------------------------------------------
    def emit(self, *args: Any) -> None:
        conns = self._conns
        if not conns:
            return
        owner = self._owner
        if owner._blocked:
            return
        me = 0
        for c in conns:
            if not c.alive:
                continue
            rec = c.receiver
            t = c.type
            if rec is not None:
                if rec._deleted:
                    self._drop(c)
                    continue
                if t == _AUTO:
                    if not me:
                        me = _get_ident()
                    t = _DIRECT if rec._td.ident == me else _QUEUED
            if c.single_shot:
                self._drop(c)
            if t <= _DIRECT:
                invoke(c, owner, args)
            elif t == _QUEUED:
                rec_td = rec._td if rec is not None else owner._td
                rec_td.post(_deliver_queued, c, owner, args)
            else:  # BlockingQueuedConnection
                rec_td = rec._td if rec is not None else owner._td
                if rec_td.ident == _get_ident():
                    raise RuntimeError(
                        "Qt: Dead lock detected while activating a BlockingQueuedConnection"
                    )
                done = threading.Event()
                rec_td.post(_deliver_blocking, c, owner, args, done)
                done.wait()

    __call__ = emit

    # -- introspection ------------------------------------------------------
    def receivers(self) -> int:
        return sum(1 for c in self._conns if c.alive)

    def __getitem__(self, _types: Any) -> SignalInstance:
        # PySide overload selection (sig[int]); qtnet signals have one signature.
        return self

    def __repr__(self) -> str:
        return f"<SignalInstance {self._signal.signature()} of {self._owner!r}>"


T = TypeVar("T")


class Signal(Generic[T]):
    """Class-level signal declaration: ``readyRead = Signal()``, ``error = Signal(int)``."""

    def __init__(self, *types: Any, name: str | None = None, arguments: list[str] | None = None) -> None:
        self._types = types
        self._name = name or ""
        self._attr = ""
        self._arguments = arguments

    def __set_name__(self, owner: type, attr: str) -> None:
        self._attr = attr
        if not self._name:
            self._name = attr

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> Signal[T]: ...
    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> SignalInstance: ...
    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        inst = SignalInstance(obj, self)
        # Cache in the instance dict under the attribute name: later reads skip
        # this descriptor entirely (non-data descriptor precedence).
        obj.__dict__[self._attr] = inst
        return inst

    def signature(self) -> str:
        names = ",".join(getattr(t, "__name__", str(t)) for t in self._types)
        return f"{self._name}({names})"

    def __repr__(self) -> str:
        return f"<Signal {self.signature()}>"


def Slot(*types: Any, name: str | None = None, result: Any = None) -> Callable[[T], T]:  # noqa: N802
    """Decorator marking a method as a slot (kept for PySide6 compatibility)."""

    def deco(func: T) -> T:
        try:
            func._qtnet_slot = (types, name, result)  # type: ignore[attr-defined]
        except AttributeError:
            pass
        return func

    return deco


ConnectionType = Qt.ConnectionType
