"""Static types for signals: what mypy sees of ``obj.someSignal``.

Nothing here runs.  ``Signal(int, str)`` is typed by the overloads of
``Signal.__init__`` (signals.py) as ``Signal[SignalInstance2[int, str]]``,
and reading it from an instance gives a ``SignalInstance2[int, str]``: one
class per argument count, because a slot may take the signal's arguments *or
any prefix of them* (Qt drops the extra ones), and an overload per prefix is
the way to say that to a type checker (a TypeVarTuple cannot be cut into
prefixes).  So for ``Signal(int, str)``:

* ``connect`` accepts a callable taking ``(int, str)``, ``(int)`` or ``()``
  (plus anything with ``*args``, and another signal instance, whose
  ``__call__`` is its ``emit``), and rejects e.g. ``def f(s: str)`` or a
  slot requiring three arguments.  The slot types are callback protocols
  (``SlotTaking2[int, str]``), not ``Callable[[int, str], object]``: mypy
  matches an unannotated lambda against a protocol by its arity alone, so the
  PySide idiom ``lambda s=sock: ...`` (a default-valued parameter) is
  accepted, where a ``Callable`` context makes mypy give up on the lambda;
* ``emit`` / ``__call__`` take exactly ``(int, str)``.

These classes exist for the type checker only (``if TYPE_CHECKING``): at run
time every signal instance is a plain :class:`~qtnet.qt.signals.SignalInstance`
and nothing on the emit/connect hot paths changes.  Import them for
annotations under ``TYPE_CHECKING`` (or with ``from __future__ import
annotations``).  Signals with more than six arguments, or declared with
something other than types (``Signal("QVariant")``), stay untyped: plain
``SignalInstance``, any slot, any arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, Generic, Protocol, TypeVar, overload

    from .signals import Connection, SignalInstance

    A = TypeVar("A")
    B = TypeVar("B")
    C = TypeVar("C")
    D = TypeVar("D")
    E = TypeVar("E")
    F = TypeVar("F")
    # Slot parameters are contravariant: a slot taking object takes an int.
    A_in = TypeVar("A_in", contravariant=True)
    B_in = TypeVar("B_in", contravariant=True)
    C_in = TypeVar("C_in", contravariant=True)
    D_in = TypeVar("D_in", contravariant=True)
    E_in = TypeVar("E_in", contravariant=True)
    F_in = TypeVar("F_in", contravariant=True)

    class SlotTaking0(Protocol):
        """A callable that can be called with 0 positional arguments."""

        def __call__(self) -> object: ...

    class SlotTaking1(Protocol[A_in]):
        """A callable that can be called with 1 positional argument."""

        def __call__(self, a: A_in, /) -> object: ...

    class SlotTaking2(Protocol[A_in, B_in]):
        """A callable that can be called with 2 positional arguments."""

        def __call__(self, a: A_in, b: B_in, /) -> object: ...

    class SlotTaking3(Protocol[A_in, B_in, C_in]):
        """A callable that can be called with 3 positional arguments."""

        def __call__(self, a: A_in, b: B_in, c: C_in, /) -> object: ...

    class SlotTaking4(Protocol[A_in, B_in, C_in, D_in]):
        """A callable that can be called with 4 positional arguments."""

        def __call__(self, a: A_in, b: B_in, c: C_in, d: D_in, /) -> object: ...

    class SlotTaking5(Protocol[A_in, B_in, C_in, D_in, E_in]):
        """A callable that can be called with 5 positional arguments."""

        def __call__(self, a: A_in, b: B_in, c: C_in, d: D_in, e: E_in, /) -> object: ...

    class SlotTaking6(Protocol[A_in, B_in, C_in, D_in, E_in, F_in]):
        """A callable that can be called with 6 positional arguments."""

        def __call__(self, a: A_in, b: B_in, c: C_in, d: D_in, e: E_in, f: F_in, /) -> object: ...

    class SignalInstance0(SignalInstance):
        """A signal with 0 arguments: ``Signal()``."""

        def connect(self, slot: SlotTaking0, type: int = 0) -> Connection: ...
        def emit(self) -> bool: ...
        def __call__(self) -> bool: ...

    class SignalInstance1(SignalInstance, Generic[A]):
        """A signal with 1 argument: ``Signal(A)``."""

        @overload
        def connect(self, slot: SlotTaking1[A], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking0, type: int = 0) -> Connection: ...
        def connect(self, slot: Any, type: int = 0) -> Connection: ...
        def emit(self, a: A, /) -> bool: ...
        def __call__(self, a: A, /) -> bool: ...

    class SignalInstance2(SignalInstance, Generic[A, B]):
        """A signal with 2 arguments: ``Signal(A, B)``."""

        @overload
        def connect(self, slot: SlotTaking2[A, B], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking1[A], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking0, type: int = 0) -> Connection: ...
        def connect(self, slot: Any, type: int = 0) -> Connection: ...
        def emit(self, a: A, b: B, /) -> bool: ...
        def __call__(self, a: A, b: B, /) -> bool: ...

    class SignalInstance3(SignalInstance, Generic[A, B, C]):
        """A signal with 3 arguments: ``Signal(A, B, C)``."""

        @overload
        def connect(self, slot: SlotTaking3[A, B, C], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking2[A, B], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking1[A], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking0, type: int = 0) -> Connection: ...
        def connect(self, slot: Any, type: int = 0) -> Connection: ...
        def emit(self, a: A, b: B, c: C, /) -> bool: ...
        def __call__(self, a: A, b: B, c: C, /) -> bool: ...

    class SignalInstance4(SignalInstance, Generic[A, B, C, D]):
        """A signal with 4 arguments: ``Signal(A, B, C, D)``."""

        @overload
        def connect(self, slot: SlotTaking4[A, B, C, D], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking3[A, B, C], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking2[A, B], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking1[A], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking0, type: int = 0) -> Connection: ...
        def connect(self, slot: Any, type: int = 0) -> Connection: ...
        def emit(self, a: A, b: B, c: C, d: D, /) -> bool: ...
        def __call__(self, a: A, b: B, c: C, d: D, /) -> bool: ...

    class SignalInstance5(SignalInstance, Generic[A, B, C, D, E]):
        """A signal with 5 arguments: ``Signal(A, B, C, D, E)``."""

        @overload
        def connect(self, slot: SlotTaking5[A, B, C, D, E], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking4[A, B, C, D], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking3[A, B, C], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking2[A, B], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking1[A], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking0, type: int = 0) -> Connection: ...
        def connect(self, slot: Any, type: int = 0) -> Connection: ...
        def emit(self, a: A, b: B, c: C, d: D, e: E, /) -> bool: ...
        def __call__(self, a: A, b: B, c: C, d: D, e: E, /) -> bool: ...

    class SignalInstance6(SignalInstance, Generic[A, B, C, D, E, F]):
        """A signal with 6 arguments: ``Signal(A, B, C, D, E, F)``."""

        @overload
        def connect(self, slot: SlotTaking6[A, B, C, D, E, F], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking5[A, B, C, D, E], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking4[A, B, C, D], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking3[A, B, C], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking2[A, B], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking1[A], type: int = 0) -> Connection: ...
        @overload
        def connect(self, slot: SlotTaking0, type: int = 0) -> Connection: ...
        def connect(self, slot: Any, type: int = 0) -> Connection: ...
        def emit(self, a: A, b: B, c: C, d: D, e: E, f: F, /) -> bool: ...
        def __call__(self, a: A, b: B, c: C, d: D, e: E, f: F, /) -> bool: ...
