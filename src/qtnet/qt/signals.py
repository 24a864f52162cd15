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
  slot's thread is the emitting thread, queued to the slot's thread otherwise.
  The slot's thread is its receiver object's thread; a slot with no QObject
  receiver (function, lambda, partial) belongs to the *sender's* thread, as a
  Qt functor connection without a context object does.
* ``QObject.sender()`` is stored on the receiver (Qt keeps it per receiver
  too): it is set only while one of the receiver's own bound methods runs as a
  slot, so a lambda or a plain function never sees a sender (as in PySide6),
  and emission to receiver-less slots pays nothing for it.
"""

from __future__ import annotations

import inspect
import sys
import threading
from collections.abc import Callable
from types import FunctionType, MethodType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from .namespace import Qt

if TYPE_CHECKING:
    # Type-checker-only classes: what ``obj.someSignal`` is to mypy (one per
    # argument count; see that module for why).
    from .signal_typing import (
        SignalInstance0,
        SignalInstance1,
        SignalInstance2,
        SignalInstance3,
        SignalInstance4,
        SignalInstance5,
        SignalInstance6,
    )

_get_ident = threading.get_ident
_CO_VARARGS = inspect.CO_VARARGS
_AUTO = 0
_DIRECT = 1
_QUEUED = 2
_BLOCKING = 3
_UNIQUE = 0x80
_SINGLE_SHOT = 0x100
_MODE_AUTO = 0  # Connection.mode values; emit() compares against the literals
_MODE_DIRECT = 1
_MODE_OTHER = 2

def _max_positional(func: Callable[..., Any]) -> int | None:
    """How many positional arguments ``func`` accepts (None: any number).

    Qt lets a slot take fewer arguments than the signal carries; the extra ones
    are dropped.  Computed once per connect, never per emit: plain functions
    and methods are read off their code object (connect is on the path of
    every accepted connection, and inspect.signature costs ~10 µs); anything
    else (partial, callable object, builtin) goes through inspect.
    """
    target: Any = func
    bound = 0
    if type(target) is MethodType:
        target = target.__func__
        bound = 1
    if type(target) is FunctionType:
        code = target.__code__
        if code.co_flags & _CO_VARARGS:
            return None
        return max(0, code.co_argcount - bound)
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


_qobject_class: Any = None  # qobject.QObject, imported on first use (circular import)


def _receiver_of(slot: Any) -> Any:
    """The QObject a slot belongs to (its context object), if any."""
    global _qobject_class
    if isinstance(slot, SignalInstance):
        return slot._owner
    owner = getattr(slot, "__self__", None)
    if owner is None:
        return None
    if _qobject_class is None:
        from .qobject import QObject

        _qobject_class = QObject
    return owner if isinstance(owner, _qobject_class) else None


class Connection:
    """One signal→slot connection (Qt: QMetaObject::Connection)."""

    __slots__ = (
        "signal", "slot", "call", "receiver", "type", "nargs", "alive", "single_shot", "mode",
    )

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
        # What emit() inlines: _MODE_AUTO (direct when the slot's thread is the
        # emitting one), _MODE_DIRECT, or _MODE_OTHER (queued, blocking or
        # single-shot: handled out of line by SignalInstance._dispatch).
        if self.single_shot or self.type > _DIRECT:
            self.mode = _MODE_OTHER
        else:
            self.mode = self.type

    def __bool__(self) -> bool:
        return self.alive

    def isValid(self) -> bool:  # noqa: N802 - Qt name
        return self.alive


_new_connection = object.__new__


def _method_connection(signal: SignalInstance, slot: MethodType) -> Connection | None:
    """An AutoConnection to a bound Python method, built directly (None: not
    a plain function underneath; the caller takes the general path)."""
    func = slot.__func__
    if func.__class__ is not FunctionType:
        return None
    code = func.__code__
    owner = slot.__self__
    global _qobject_class
    if _qobject_class is None:
        from .qobject import QObject

        _qobject_class = QObject
    conn: Connection = _new_connection(Connection)
    conn.signal = signal
    conn.slot = conn.call = slot
    conn.receiver = owner if isinstance(owner, _qobject_class) else None
    conn.type = conn.mode = _AUTO
    conn.single_shot = False
    conn.nargs = None if code.co_flags & _CO_VARARGS else max(0, code.co_argcount - 1)
    conn.alive = True
    return conn


def _report_slot_exception() -> None:
    # Qt (PySide) prints the traceback of a failing slot and carries on with
    # the other slots and with the event loop; so do we.
    sys.excepthook(*sys.exc_info())


def invoke(conn: Connection, sender: Any, args: tuple[Any, ...]) -> None:
    """Call one connection's slot in the current thread (the slow path of emit)."""
    n = conn.nargs
    if n is not None and n < len(args):
        args = args[:n]
    rec = conn.receiver
    if rec is None:
        try:
            conn.call(*args)
        except Exception:
            _report_slot_exception()
        return
    prev = rec._current_sender
    rec._current_sender = sender
    try:
        conn.call(*args)
    except Exception:
        _report_slot_exception()
    finally:
        rec._current_sender = prev


def _deliver_queued(conn: Connection, sender: Any, args: tuple[Any, ...]) -> None:
    # As in Qt, a call already queued is delivered even if the connection was
    # disconnected since (that is what lets a queued SingleShotConnection
    # fire), but not once its context object - the receiver, or the sender for
    # a slot without a receiver - has been deleted.
    context = conn.receiver if conn.receiver is not None else sender
    if context._deleted:
        return
    invoke(conn, sender, args)


def _deliver_blocking(
    conn: Connection, sender: Any, args: tuple[Any, ...], done: threading.Event
) -> None:
    try:
        _deliver_queued(conn, sender, args)
    finally:
        done.set()


def _warn_not_disconnected(signal: SignalInstance, slot: Any) -> None:
    # PySide6 warns (and returns False) instead of raising.
    import warnings

    warnings.warn(
        f"Failed to disconnect ({slot!r}) from signal \"{signal._signal.signature()}\".",
        RuntimeWarning,
        stacklevel=3,
    )


class SignalInstance:
    """A signal bound to one object."""

    __slots__ = ("_owner", "_signal", "_conns", "_only", "__weakref__")

    def __init__(self, owner: Any, signal: Signal[Any]) -> None:
        self._owner = owner
        self._signal = signal
        self._conns: tuple[Connection, ...] = ()
        self._only: Connection | None = None  # the connection, when there is exactly one

    def _set_conns(self, conns: tuple[Connection, ...]) -> None:
        self._conns = conns
        self._only = conns[0] if len(conns) == 1 else None

    # -- connect / disconnect ----------------------------------------------
    def connect(self, slot: Any, type: int = _AUTO) -> Connection:  # noqa: A002 - Qt name
        if type == _AUTO and slot.__class__ is MethodType:
            # The common case (``sock.disconnected.connect(sock.deleteLater)`` on
            # every accepted connection), without the general path's checks.
            conn = _method_connection(self, slot)
            if conn is not None:
                conns = self._conns
                self._conns = conns = conns + (conn,)
                self._only = conn if len(conns) == 1 else None
                return conn
        if not callable(slot):
            raise TypeError(f"connect: slot {slot!r} is not callable")
        ctype = int(type)
        if ctype & _UNIQUE:
            # PySide6 honours UniqueConnection only for QObject methods and
            # signals (for other callables it refuses the connection with a
            # warning); qtnet applies it to every callable.
            for c in self._conns:
                if c.alive and c.slot == slot:
                    # Qt returns an invalid connection for a duplicate unique one.
                    dead = Connection(self, slot, None, ctype)
                    dead.alive = False
                    return dead
        conn = Connection(self, slot, _receiver_of(slot), ctype)
        self._set_conns(self._conns + (conn,))
        return conn

    def disconnect(self, slot: Any = None) -> bool:
        """Disconnect ``slot`` (a callable or a Connection); all slots if None.

        Returns False, with a RuntimeWarning, when nothing was connected (as
        PySide6 does).  A QObject method or a signal is disconnected from every
        connection it has here; any other callable connected several times
        loses only its most recent connection (PySide6's behaviour).
        """
        conns = self._conns
        if slot is None:
            for c in conns:
                c.alive = False
            self._set_conns(())
            if not conns:
                _warn_not_disconnected(self, None)
            return bool(conns)
        if isinstance(slot, Connection):
            found = slot.alive and slot in conns
            if found:
                self._drop(slot)
        elif _receiver_of(slot) is not None:
            found = False
            for c in conns:
                if c.slot == slot:
                    c.alive = False
                    found = True
            if found:
                self._set_conns(tuple(c for c in conns if c.alive))
        else:
            found = False
            for c in reversed(conns):
                if c.slot == slot:
                    self._drop(c)
                    found = True
                    break
        if not found:
            _warn_not_disconnected(self, slot)
        return found

    def _disconnect_all(self) -> None:
        """Drop every connection silently (object deletion)."""
        for c in self._conns:
            c.alive = False
        self._conns = ()
        self._only = None

    def _drop(self, conn: Connection) -> None:
        conn.alive = False
        self._set_conns(tuple(c for c in self._conns if c is not conn))

    # -- emit ---------------------------------------------------------------
    def emit(self, *args: Any) -> bool:
        # The hot path of every network class.  Direct calls (AutoConnection in
        # the slot's thread, DirectConnection) are inlined, with a shortcut for
        # the common single connection; queued, blocking and single-shot
        # connections go through _dispatch.  Mode literals: 0 auto, 1 direct.
        conns = self._conns
        if not conns:
            return True
        owner = self._owner
        if owner._blocked:
            return True
        me = _get_ident()
        c = self._only
        if c is not None:
            rec = c.receiver
            m = c.mode
            if rec is None:
                if m == 1 or (m == 0 and owner._td.ident == me):
                    n = c.nargs
                    try:
                        if n is None or n >= len(args):
                            c.call(*args)
                        else:
                            c.call(*args[:n])
                    except Exception:
                        _report_slot_exception()
                    return True
            elif (m == 1 or (m == 0 and rec._td.ident == me)) and not rec._deleted:
                n = c.nargs
                prev = rec._current_sender
                rec._current_sender = owner
                try:
                    if n is None or n >= len(args):
                        c.call(*args)
                    else:
                        c.call(*args[:n])
                except Exception:
                    _report_slot_exception()
                finally:
                    rec._current_sender = prev
                return True
        here = owner._td.ident == me
        na = len(args)
        for c in conns:
            if not c.alive:
                continue
            rec = c.receiver
            m = c.mode
            if rec is None:
                if m == 1 or (m == 0 and here):
                    n = c.nargs
                    try:
                        if n is None or n >= na:
                            c.call(*args)
                        else:
                            c.call(*args[:n])
                    except Exception:
                        _report_slot_exception()
                    continue
            else:
                if rec._deleted:
                    self._drop(c)
                    continue
                if m == 1 or (m == 0 and rec._td.ident == me):
                    n = c.nargs
                    prev = rec._current_sender
                    rec._current_sender = owner
                    try:
                        if n is None or n >= na:
                            c.call(*args)
                        else:
                            c.call(*args[:n])
                    except Exception:
                        _report_slot_exception()
                    finally:
                        rec._current_sender = prev
                    continue
            self._dispatch(c, owner, args, me)
        return True

    __call__ = emit

    def _dispatch(self, c: Connection, owner: Any, args: tuple[Any, ...], me: int) -> None:
        """Deliver through a queued, blocking or single-shot connection."""
        rec = c.receiver
        td = rec._td if rec is not None else owner._td
        t = c.type
        if t == _AUTO:
            t = _DIRECT if td.ident == me else _QUEUED
        if c.single_shot:
            self._drop(c)
        if t == _DIRECT:
            invoke(c, owner, args)
        elif t == _QUEUED:
            td.post(_deliver_queued, c, owner, args)
        else:  # BlockingQueuedConnection
            if td.ident == me:
                raise RuntimeError(
                    "Qt: Dead lock detected while activating a BlockingQueuedConnection"
                )
            done = threading.Event()
            td.post(_deliver_blocking, c, owner, args, done)
            done.wait()

    # -- introspection ------------------------------------------------------
    def receivers(self) -> int:
        return sum(1 for c in self._conns if c.alive)

    def __getitem__(self: _SelfInstance, _types: Any) -> _SelfInstance:
        # PySide overload selection (sig[int]); qtnet signals have one signature.
        return self

    def __repr__(self) -> str:
        return f"<SignalInstance {self._signal.signature()} of {self._owner!r}>"


T = TypeVar("T")
_SelfInstance = TypeVar("_SelfInstance", bound=SignalInstance)
# What reading the signal from an instance gives (for the type checker):
# SignalInstance2[int, str] for Signal(int, str), picked by __init__'s
# overloads from the argument types; plain SignalInstance when they cannot tell.
_Bound = TypeVar("_Bound", bound=SignalInstance, covariant=True)
_A = TypeVar("_A")
_B = TypeVar("_B")
_C = TypeVar("_C")
_D = TypeVar("_D")
_E = TypeVar("_E")
_F = TypeVar("_F")


class Signal(Generic[_Bound]):
    """Class-level signal declaration: ``readyRead = Signal()``, ``error = Signal(int)``."""

    @overload
    def __init__(self: Signal[SignalInstance0], *,
                 name: str | None = None, arguments: list[str] | None = None) -> None: ...
    @overload
    def __init__(self: Signal[SignalInstance1[_A]],
                 a: type[_A], /, *,
                 name: str | None = None, arguments: list[str] | None = None) -> None: ...
    @overload
    def __init__(self: Signal[SignalInstance2[_A, _B]],
                 a: type[_A], b: type[_B], /, *,
                 name: str | None = None, arguments: list[str] | None = None) -> None: ...
    @overload
    def __init__(self: Signal[SignalInstance3[_A, _B, _C]],
                 a: type[_A], b: type[_B], c: type[_C], /, *,
                 name: str | None = None, arguments: list[str] | None = None) -> None: ...
    @overload
    def __init__(self: Signal[SignalInstance4[_A, _B, _C, _D]],
                 a: type[_A], b: type[_B], c: type[_C], d: type[_D], /, *,
                 name: str | None = None, arguments: list[str] | None = None) -> None: ...
    @overload
    def __init__(self: Signal[SignalInstance5[_A, _B, _C, _D, _E]],
                 a: type[_A], b: type[_B], c: type[_C], d: type[_D], e: type[_E], /, *,
                 name: str | None = None, arguments: list[str] | None = None) -> None: ...
    @overload
    def __init__(self: Signal[SignalInstance6[_A, _B, _C, _D, _E, _F]],
                 a: type[_A], b: type[_B], c: type[_C], d: type[_D], e: type[_E], f: type[_F], /, *,
                 name: str | None = None, arguments: list[str] | None = None) -> None: ...
    @overload
    def __init__(self: Signal[SignalInstance], *types: Any,
                 name: str | None = None, arguments: list[str] | None = None) -> None: ...
    def __init__(
        self, *types: Any, name: str | None = None, arguments: list[str] | None = None
    ) -> None:
        self._types = types
        self._name = name or ""
        self._attr = ""
        self._arguments = arguments

    def __set_name__(self, owner: type, attr: str) -> None:
        self._attr = attr
        if not self._name:
            self._name = attr

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> Signal[_Bound]: ...
    @overload
    def __get__(self, obj: object, objtype: type | None = None) -> _Bound: ...
    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        inst = SignalInstance(obj, self)
        # Cache in the instance dict under the attribute name: later reads skip
        # this descriptor entirely (non-data descriptor precedence).  ``_sigs``
        # lists the instances made, for QObject._destroy() and sender().
        d = obj.__dict__
        d[self._attr] = inst
        sigs = d.get("_sigs")
        if sigs is None:
            d["_sigs"] = [inst]
        else:
            sigs.append(inst)
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
