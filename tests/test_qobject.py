"""QObject: ownership tree, names, properties, deletion, thread affinity, timers.

Orders and deletion timing were checked against PySide6 6.12; the parity test
at the end re-runs the tree scenario under both.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import warnings
from typing import Any

import pytest

from qt_helpers import qapp_fixture, settle, wait_until  # noqa: F401 - the qapp fixture
from qtnet import QCoreApplication, QEventLoop, QObject, Qt, QThread, QTimer, Signal


def named(name: str, parent: QObject | None = None) -> QObject:
    o = QObject(parent)
    o.setObjectName(name)
    return o


def names(objs: list[Any]) -> list[str]:
    return [o.objectName() for o in objs]


# -- the ownership tree ------------------------------------------------------------


def test_children_in_creation_order_and_set_parent_moves(qapp: Any) -> None:
    p = named("p")
    a = named("a", p)
    b = named("b", p)
    c = named("c", a)
    assert names(p.children()) == ["a", "b"]
    assert a.parent() is p and c.parent() is a and p.parent() is None
    b.setParent(a)
    assert names(p.children()) == ["a"]
    assert names(a.children()) == ["c", "b"]
    b.setParent(p)  # re-added at the end
    assert names(p.children()) == ["a", "b"]
    c.setParent(None)
    assert a.children() == [] and c.parent() is None
    p.children().clear()  # children() is a copy
    assert len(p.children()) == 2


def test_find_children_recursive_direct_by_name_and_type(qapp: Any) -> None:
    class Special(QObject):
        pass

    p = named("p")
    a = named("a", p)
    b = named("b", p)
    c = named("c", a)
    s = Special(c)
    s.setObjectName("b")
    assert names(p.findChildren(QObject)) == ["a", "c", "b", "b"]  # depth first
    assert p.findChildren(QObject)[2:] == [s, b]
    assert names(p.findChildren(QObject, options=Qt.FindDirectChildrenOnly)) == ["a", "b"]
    assert p.findChildren(QObject, "b") == [s, b]
    assert p.findChildren(Special) == [s]
    assert p.findChild(QObject, "c") is c
    assert p.findChild(QObject, "c", Qt.FindChildOption.FindDirectChildrenOnly) is None
    assert p.findChild(Special) is s
    assert p.findChild(QObject, "nope") is None
    assert p.findChildren(QObject, "") == p.findChildren(QObject)  # empty name matches all


def test_object_name_and_its_change_signal(qapp: Any) -> None:
    o = QObject()
    assert o.objectName() == ""
    seen: list[str] = []
    o.objectNameChanged.connect(seen.append)
    o.setObjectName("x")
    o.setObjectName("x")  # unchanged: no signal
    o.setObjectName("y")
    assert seen == ["x", "y"] and o.objectName() == "y"
    assert QObject(objectName="kw").objectName() == "kw"


def test_constructor_keywords_set_properties_and_connect_signals(qapp: Any) -> None:
    fired: list[int] = []
    t = QTimer(interval=5, singleShot=True, timeout=lambda: fired.append(1))
    assert t.interval() == 5 and t.isSingleShot()
    t.start()
    assert wait_until(lambda: fired == [1])
    with pytest.raises(AttributeError, match="'foo' is not a Qt property or a signal"):
        QObject(foo=1)


def test_dynamic_properties(qapp: Any) -> None:
    o = QObject()
    assert o.property("foo") is None
    assert o.setProperty("foo", 1) is False  # True only for declared properties
    assert o.property("foo") == 1
    assert [bytes(n) for n in o.dynamicPropertyNames()] == [b"foo"]
    o.setProperty("foo", None)  # None removes it
    assert o.property("foo") is None and o.dynamicPropertyNames() == []


def test_inherits(qapp: Any) -> None:
    class Mine(QObject):
        pass

    assert Mine().inherits("QObject") and Mine().inherits("Mine")
    assert not QObject().inherits("QTimer")
    assert QTimer().inherits("QObject")


# -- deletion -------------------------------------------------------------------------


def test_destroyed_is_emitted_once_with_the_object(qapp: Any) -> None:
    o = QObject()
    seen: list[Any] = []
    o.destroyed.connect(seen.append)
    o.deleteLater()
    o.deleteLater()
    assert wait_until(o.isDeleted)
    o._destroy()
    o.deleteLater()
    settle(20)
    assert seen == [o]


def test_deleting_a_parent_deletes_its_children_parent_first(qapp: Any) -> None:
    p = named("p")
    a = named("a", p)
    b = named("b", a)
    c = named("c", p)
    order: list[str] = []
    for o in (p, a, b, c):
        o.destroyed.connect(lambda obj: order.append(obj.objectName()))
    p.deleteLater()
    assert wait_until(p.isDeleted)
    assert order == ["p", "a", "b", "c"]  # PySide6 6.12 order
    assert all(o.isDeleted() for o in (a, b, c))


def test_deleting_a_child_removes_it_from_its_parent(qapp: Any) -> None:
    p = named("p")
    a = named("a", p)
    named("b", p)
    a.deleteLater()
    assert wait_until(a.isDeleted)
    assert names(p.children()) == ["b"]
    assert a.parent() is None


def test_delete_later_waits_until_the_slot_returned(qapp: Any) -> None:
    class Doomed(QObject):
        poke = Signal()

    o = Doomed()
    during: list[bool] = []

    def slot() -> None:
        o.deleteLater()
        QCoreApplication.processEvents()  # Qt does not delete inside the slot
        during.append(o.isDeleted())

    o.poke.connect(slot)
    QTimer.singleShot(0, o.poke.emit)  # the slot runs from the event loop
    QTimer.singleShot(50, QCoreApplication.quit)
    assert QCoreApplication.exec() == 0
    assert during == [False]
    assert o.isDeleted()


def test_delete_later_from_a_top_level_slot_waits_for_exec(qapp: Any) -> None:
    # PySide6 6.12: deleteLater() outside any event loop is honoured by the
    # next exec(), never by processEvents() (not even inside the slot).
    class Doomed(QObject):
        poke = Signal()

    o = Doomed()
    during: list[bool] = []

    def slot() -> None:
        o.deleteLater()
        QCoreApplication.processEvents()
        during.append(o.isDeleted())

    o.poke.connect(slot)
    o.poke.emit()
    QCoreApplication.processEvents()
    assert during == [False] and not o.isDeleted()
    loop = QEventLoop()
    QTimer.singleShot(0, loop.quit)
    assert loop.exec() == 0
    assert o.isDeleted()


def test_delete_later_in_a_timer_slot_happens_before_the_next_timer(qapp: Any) -> None:
    o = QObject()
    states: list[bool] = []

    def first() -> None:
        o.deleteLater()
        states.append(o.isDeleted())

    def second() -> None:
        states.append(o.isDeleted())
        QCoreApplication.quit()

    QTimer.singleShot(0, first)
    QTimer.singleShot(20, second)
    QCoreApplication.exec()
    assert states == [False, True]  # PySide6 6.12: [True, False] in isValid() terms


def test_on_delete_hook_runs_before_destroyed(qapp: Any) -> None:
    events: list[str] = []

    class Res(QObject):
        def _on_delete(self) -> None:
            events.append("released")

    r = Res()
    r.destroyed.connect(lambda obj: events.append("destroyed"))
    r._destroy()
    assert events == ["released", "destroyed"]


# -- threads ---------------------------------------------------------------------------


def test_thread_of_objects(qapp: Any) -> None:
    o = QObject()
    assert o.thread() is QThread.currentThread()
    assert qapp.thread() is QThread.currentThread()
    assert named("child", o).thread() is o.thread()
    o.moveToThread(None)
    assert o.thread() is None  # Qt: no thread affinity


def test_move_to_thread_rules(qapp: Any) -> None:
    p = QObject()
    child = QObject(p)
    t = QThread()
    with pytest.warns(RuntimeWarning, match="Cannot move objects with a parent"):
        assert child.moveToThread(t) is False
    assert child.thread() is qapp.thread()

    o = QObject()
    result: list[bool] = []

    def move_from_elsewhere() -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result.append(o.moveToThread(t))
        result.append(any("not the object's thread" in str(w.message) for w in caught))

    th = threading.Thread(target=move_from_elsewhere)
    th.start()
    th.join(10)
    assert result == [False, True]
    assert o.thread() is qapp.thread()

    # A legal move takes the children along.
    assert p.moveToThread(t) is True
    assert p.thread() is t and child.thread() is t


def test_set_parent_across_threads_is_refused(qapp: Any) -> None:
    t = QThread()
    far = QObject()
    far.moveToThread(t)
    near = QObject()
    with pytest.warns(RuntimeWarning, match="different thread"):
        near.setParent(far)
    assert near.parent() is None


def test_moved_object_runs_its_slots_and_timers_in_the_thread(qapp: Any) -> None:
    class Worker(QObject):
        go = Signal()

        def __init__(self) -> None:
            super().__init__()
            self.ran_in: list[int] = []
            self.ticks: list[int] = []

        def work(self) -> None:
            self.ran_in.append(threading.get_ident())
            self.tid = self.startTimer(5)

        def timerEvent(self, event: Any) -> None:  # noqa: N802
            self.ticks.append(threading.get_ident())

    w = Worker()
    t = QThread()
    w.moveToThread(t)
    w.go.connect(w.work)
    t.start()
    try:
        w.go.emit()  # auto: queued to the worker thread
        assert wait_until(lambda: len(w.ran_in) == 1 and len(w.ticks) >= 2)
        assert w.ran_in[0] != threading.get_ident()
        assert set(w.ticks) == {w.ran_in[0]}
    finally:
        t.quit()
        assert t.wait(10000)


# -- startTimer / timerEvent -----------------------------------------------------------------


def test_start_timer_kill_timer_and_timer_event(qapp: Any) -> None:
    class Ticker(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.ids: list[int] = []

        def timerEvent(self, event: Any) -> None:  # noqa: N802
            self.ids.append(event.timerId())

    o = Ticker()
    fast = o.startTimer(5)
    slow = o.startTimer(10_000)
    assert fast > 0 and slow > 0 and fast != slow
    assert wait_until(lambda: len(o.ids) >= 3)
    assert set(o.ids) == {fast}
    o.killTimer(fast)
    count = len(o.ids)
    settle(40)
    assert len(o.ids) == count
    o.killTimer(slow)
    o.killTimer(12345)  # unknown id: ignored


def test_deleting_an_object_stops_its_timers(qapp: Any) -> None:
    class Ticker(QObject):
        n = 0

        def timerEvent(self, event: Any) -> None:  # noqa: N802
            self.n += 1

    o = Ticker()
    o.startTimer(2)
    assert wait_until(lambda: o.n >= 1)
    o._destroy()
    n = o.n
    settle(30)
    assert o.n == n


# -- PySide6 parity --------------------------------------------------------------------

_TREE_SCENARIO = r"""
import json, sys
if sys.argv[1] == "pyside6":
    from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer
else:
    from qtnet import QCoreApplication, QEventLoop, QObject, Qt, QTimer
app = QCoreApplication([])
out = {}
def mk(name, parent=None):
    o = QObject(parent); o.setObjectName(name); return o
p = mk("p"); a = mk("a", p); b = mk("b", p); c = mk("c", a); d = mk("b", c)
n = lambda objs: [o.objectName() for o in objs]
out["children"] = n(p.children())
out["find_all"] = n(p.findChildren(QObject))
out["find_direct"] = n(p.findChildren(QObject, options=Qt.FindDirectChildrenOnly))
out["find_b"] = [o is d for o in p.findChildren(QObject, "b")]
b.setParent(c)
out["moved"] = [n(p.children()), n(c.children())]
order = []
for o in (p, a, b, c, d):
    o.destroyed.connect(lambda *x, name=o.objectName(): order.append(name))
names = []
p.objectNameChanged.connect(names.append)
p.setObjectName("p"); p.setObjectName("q"); p.setObjectName("p")
out["names"] = names
p.deleteLater()
QCoreApplication.processEvents()
out["after_process_events"] = order[:]
loop = QEventLoop(); QTimer.singleShot(0, loop.quit); loop.exec()
out["destroy_order"] = order
print(json.dumps(out))
"""


def _scenario(cmd: list[str], flavour: str) -> Any:
    proc = subprocess.run(
        [*cmd, "-c", _TREE_SCENARIO, flavour],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout)


def test_pyside6_parity_of_the_object_tree() -> None:
    from peers import pyside6_python

    expected = _scenario([pyside6_python()], "pyside6")
    assert _scenario([sys.executable], "qtnet") == expected
    assert expected["after_process_events"] == []
    assert expected["destroy_order"][0] == "p" and len(expected["destroy_order"]) == 5


def test_subclass_that_skips_qobject_init_still_works(qapp: Any) -> None:
    class Careless(QObject):
        sig = Signal(int)

        def __init__(self) -> None:  # no super().__init__()
            self.value = 1

    c = Careless()
    got: list[int] = []
    c.sig.connect(got.append)
    c.sig.emit(3)
    assert got == [3]
    assert c.thread() is QThread.currentThread()
    assert c.parent() is None and c.children() == [] and c.objectName() == ""
