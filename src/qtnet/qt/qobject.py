"""QObject: ownership tree, thread affinity, deleteLater, object names, signals.

Python frees memory itself, so "deleting" a QObject here means what a program
can observe in Qt: subclasses release their resources (``_on_delete``: sockets
close), ``destroyed`` is emitted, children are deleted first-parent-first, the
object leaves its parent and every connection to or from it is dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ..iocore.loops import ThreadData, current_thread_data
from .namespace import Qt
from .signals import Signal, SignalInstance

O = TypeVar("O", bound="QObject")  # noqa: E741 - short like Qt's T


class _CreatorThreadData:
    """Class-level ``_td`` for an object whose QObject.__init__ never ran.

    A non-data descriptor: ``__init__`` stores the real value in the instance
    dict, which wins, so normal objects never get here and pay nothing.
    """

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        td = current_thread_data()
        obj.__dict__["_td"] = td
        return td


class QObject:
    destroyed = Signal(object)
    objectNameChanged = Signal(str)

    # Class-level defaults keep __init__ cheap (sockets are created by the
    # thousand) and let subclasses that forget super().__init__() still work.
    _deleted = False
    _blocked = False
    _parent: QObject | None = None
    # id(child) -> child: insertion-ordered like Qt's list, O(1) removal (a server
    # deletes one of its thousands of socket children per closed connection).
    _children: dict[int, QObject] | None = None
    # The SignalInstances created on this object (signals.Signal.__get__ adds
    # them): _destroy() drops their connections without scanning __dict__.
    _sigs: list[SignalInstance] | None = None
    _name = ""
    _props: dict[str, Any] | None = None
    _timers: dict[int, Any] | None = None
    _current_sender: QObject | None = None  # set by signals.py while our slot runs
    _td: ThreadData = _CreatorThreadData()  # type: ignore[assignment]

    def __init__(self, parent: QObject | None = None, **kwargs: Any) -> None:
        self._td = current_thread_data() if parent is None else parent._td
        if parent is not None:
            self._set_parent(parent)
        if kwargs:
            self._apply_kwargs(kwargs)

    def _apply_kwargs(self, kwargs: dict[str, Any]) -> None:
        # PySide6 accepts properties and signal connections as keywords:
        # QTimer(interval=5, timeout=f), QObject(objectName="x").
        for key, value in kwargs.items():
            attr = getattr(self, key, None)
            if isinstance(attr, SignalInstance):
                attr.connect(value)
                continue
            setter = getattr(self, "set" + key[:1].upper() + key[1:], None)
            if setter is None:
                raise AttributeError(f"'{key}' is not a Qt property or a signal")
            setter(value)

    # -- names and properties ----------------------------------------------
    def objectName(self) -> str:  # noqa: N802
        return self._name

    def setObjectName(self, name: str) -> None:  # noqa: N802
        if name != self._name:
            self._name = name
            self.objectNameChanged.emit(name)

    def property(self, name: str) -> Any:
        return (self._props or {}).get(name)

    def setProperty(self, name: str, value: Any) -> bool:  # noqa: N802
        if self._props is None:
            self._props = {}
        if value is None:
            self._props.pop(name, None)
        else:
            self._props[name] = value
        return False  # Qt: true only for declared Q_PROPERTYs

    def dynamicPropertyNames(self) -> list[bytes]:  # noqa: N802
        return [k.encode() for k in (self._props or {})]

    def inherits(self, class_name: str) -> bool:
        return any(c.__name__ == class_name for c in type(self).__mro__)

    def isWidgetType(self) -> bool:  # noqa: N802
        return False

    def isWindowType(self) -> bool:  # noqa: N802
        return False

    @staticmethod
    def tr(text: str, disambiguation: str | None = None, n: int = -1) -> str:
        return text

    # -- the ownership tree -------------------------------------------------
    def parent(self) -> QObject | None:
        return self._parent

    def setParent(self, parent: QObject | None) -> None:  # noqa: N802
        if parent is self._parent:
            return
        if parent is not None and parent._td is not self._td:
            import warnings

            warnings.warn(
                "QObject::setParent: Cannot set parent, new parent is in a different thread",
                RuntimeWarning,
                stacklevel=2,
            )
            return
        self._set_parent(parent)

    def _set_parent(self, parent: QObject | None) -> None:
        old = self._parent
        if old is not None:
            kids = old._children
            if kids is not None:
                kids.pop(id(self), None)
                if not kids:  # frees the table a server's 10,000 sockets grew
                    old._children = None
        self._parent = parent
        if parent is not None:
            kids = parent._children
            if kids is None:
                parent._children = kids = {}
            kids[id(self)] = self

    def children(self) -> list[QObject]:
        kids = self._children
        return list(kids.values()) if kids else []

    def findChildren(  # noqa: N802
        self,
        type_: type[O] | None = None,
        name: str | None = None,
        options: int = Qt.FindChildOption.FindChildrenRecursively,
    ) -> list[O]:
        found: list[Any] = []
        recursive = bool(int(options) & 1)

        def walk(obj: QObject) -> None:
            for ch in list((obj._children or {}).values()):
                if (type_ is None or isinstance(ch, type_)) and (not name or ch._name == name):
                    found.append(ch)
                if recursive:
                    walk(ch)

        walk(self)
        return found

    def findChild(  # noqa: N802
        self,
        type_: type[O] | None = None,
        name: str | None = None,
        options: int = Qt.FindChildOption.FindChildrenRecursively,
    ) -> O | None:
        kids = self.findChildren(type_, name, options)
        return kids[0] if kids else None

    # -- threads -------------------------------------------------------------
    def thread(self) -> Any:
        from .thread import QThread

        td = self._td
        if td.qthread is None and td.ident is None:
            return None  # moveToThread(None): Qt reports no thread
        return QThread._for_thread_data(td)

    def moveToThread(self, target: Any) -> bool:  # noqa: N802
        """Change thread affinity of this object and its children (Qt rules)."""
        if self._parent is not None:
            import warnings

            warnings.warn(
                "QObject::moveToThread: Cannot move objects with a parent",
                RuntimeWarning,
                stacklevel=2,
            )
            return False
        if self._td.ident is not None and self._td.ident != threading.get_ident():
            import warnings

            warnings.warn(
                "QObject::moveToThread: Current thread is not the object's thread. "
                "Cannot move to target thread",
                RuntimeWarning,
                stacklevel=2,
            )
            return False
        if target is None:
            # Qt allows "no thread": the object then processes no events.
            new_td = ThreadData()
        else:
            new_td = target._thread_data

        def move(obj: QObject) -> None:
            old_td = obj._td
            obj._td = new_td
            obj._moved_thread(old_td, new_td)
            for ch in list((obj._children or {}).values()):
                move(ch)

        move(self)
        return True

    def _moved_thread(self, old: ThreadData, new: ThreadData) -> None:
        """Hook: a subclass re-registers loop resources (timers, sockets)."""
        if self._timers:
            ids = list(self._timers)
            for tid in ids:
                interval = self._timers[tid].interval()
                self.killTimer(tid)
                self.startTimer(interval)

    # -- signals ------------------------------------------------------------
    def blockSignals(self, block: bool) -> bool:  # noqa: N802
        prev = self._blocked
        self._blocked = bool(block)
        return prev

    def signalsBlocked(self) -> bool:  # noqa: N802
        return self._blocked

    def sender(self) -> QObject | None:
        """The object whose signal invoked the running slot of *this* object, else None.

        As in Qt, only while that object is still connected to this one: a
        slot that runs after its connection went away (a queued call posted
        before disconnect(), a single-shot connection) sees None.
        """
        s = self._current_sender
        if s is None:
            return None
        for si in s._sigs or ():
            for c in si._conns:
                if c.receiver is self:
                    return s
        return None

    def senderSignalIndex(self) -> int:  # noqa: N802
        return -1

    def receivers(self, signal: Any) -> int:
        """Live connections of ``signal``: a SignalInstance or PySide's string
        form ``"2name(int)"`` (what ``SIGNAL("name(int)")`` gives)."""
        if isinstance(signal, str):
            name = signal.lstrip("0123456789").split("(", 1)[0]
            signal = self.__dict__.get(name) or getattr(self, name, None)
        return int(signal.receivers()) if isinstance(signal, SignalInstance) else 0

    def isSignalConnected(self, signal: Any) -> bool:  # noqa: N802
        return self.receivers(signal) > 0

    @staticmethod
    def connect(sender_signal: SignalInstance, slot: Any, type: int = 0) -> Any:  # noqa: A002
        """``QObject.connect(obj.signal, slot)`` (the static PySide form)."""
        return sender_signal.connect(slot, type)

    @staticmethod
    def disconnect(sender_signal: Any, slot: Any = None) -> bool:
        if isinstance(sender_signal, SignalInstance):
            return sender_signal.disconnect(slot)
        return bool(sender_signal.signal.disconnect(sender_signal))  # a Connection

    # -- QObject timers (startTimer / timerEvent) ---------------------------
    def startTimer(self, interval: int, timerType: int = Qt.TimerType.CoarseTimer) -> int:  # noqa: N802,N803
        from .timer import QTimer, QTimerEvent

        t = QTimer()
        t._td = self._td
        t.setTimerType(timerType)
        tid = t._allocate_id()
        t.timeout.connect(lambda: self.timerEvent(QTimerEvent(tid)))
        if self._timers is None:
            self._timers = {}
        self._timers[tid] = t
        t.start(interval)
        return tid

    def killTimer(self, id: int) -> None:  # noqa: N802,A002
        t = (self._timers or {}).pop(id, None)
        if t is not None:
            t.stop()

    def timerEvent(self, event: Any) -> None:  # noqa: N802
        pass

    def event(self, event: Any) -> bool:
        return False

    # -- deletion -----------------------------------------------------------
    def deleteLater(self) -> None:  # noqa: N802
        """Delete when control returns to this object's thread's event loop."""
        if not self._deleted:
            self._td.defer_delete(self)

    def _on_delete(self) -> None:
        """Hook for subclasses: release resources (the C++ destructor's work)."""

    def _destroy(self) -> None:
        if self._deleted:
            return
        try:
            self._on_delete()
        finally:
            # Run once per closed connection on a server: only what exists is
            # touched (a signal nobody read has no instance and no receivers).
            d = self.__dict__
            si = d.get("destroyed")
            if si is not None:
                si.emit(self)
            self._deleted = True
            kids = self._children
            if kids is not None:
                for child in list(kids.values()):
                    child._destroy()
                self._children = None
            if self._parent is not None:
                self._set_parent(None)
            timers = self._timers
            if timers is not None:
                for t in list(timers.values()):
                    t.stop()
                self._timers = None
            # Drop every outgoing connection; incoming ones are dropped lazily
            # at emit time because the emitter sees receiver._deleted.  The
            # signal instances leave __dict__ too: each refers back to us, and
            # without that cycle reference counting frees a closed socket at
            # once instead of leaving it to the cyclic GC (which cost a server
            # ~9 µs per connection).
            sigs = d.pop("_sigs", None)
            if sigs is not None:
                for si in sigs:
                    if si._conns:
                        si._disconnect_all()
                    attr = si._signal._attr
                    if d.get(attr) is si:
                        del d[attr]

    def isDeleted(self) -> bool:  # noqa: N802 - qtnet extension (shiboken.isValid)
        return self._deleted

    def __repr__(self) -> str:
        n = f" objectName={self._name!r}" if self._name else ""
        return f"<{type(self).__name__} at 0x{id(self):x}{n}>"


def invokeLater(obj: QObject, func: Callable[..., Any], *args: Any) -> None:  # noqa: N802
    """Run ``func(*args)`` on ``obj``'s thread (QMetaObject::invokeMethod, queued)."""

    def run() -> None:
        if not obj._deleted:
            func(*args)

    obj._td.post(run)
