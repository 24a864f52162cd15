#!/usr/bin/env python3
"""Signal/slot cost: qtnet vs real Qt (PySide6 6.12), side by side.

    python bench/bench_signals.py [--rounds 5] [--ops 200000]

Workloads, one ``Signal(int)`` on a QObject subclass, Python slots:

* ``emit, no slot``          - an emit nobody listens to (the common case of
  signals such as bytesWritten in a server);
* ``emit -> 1 method``       - one slot, a method of a receiver QObject;
* ``emit -> 3 methods``      - three such slots;
* ``emit -> 1 function`` / ``emit -> 3 functions`` - plain functions (no
  receiver object);
* ``connect+disconnect``     - ``sig.connect(r.slot)`` then ``sig.disconnect(r.slot)``.

Every number is nanoseconds per operation, timed as a plain ``for`` loop over
``--ops`` operations (the loop's own ~15 ns is included on both sides).  The
same benchmark source runs in three child processes: qtnet under this
interpreter, qtnet under the PySide6 peer's interpreter (Python 3.12, so the
qtnet/Qt ratio compares like with like) and PySide6 there.  PySide6 never
loads into a process that also has qtnet.  The children run round-robin
``--rounds`` times (so machine load hits all columns alike); each child
reports the median of 3 timed runs, the table shows the median over rounds.
Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

WORKLOADS = [
    "emit, no slot",
    "emit -> 1 method",
    "emit -> 3 methods",
    "emit -> 1 function",
    "emit -> 3 functions",
    "connect+disconnect",
]

# Runs in the child process; argv: flavour, ops.  Prints one JSON object.
CHILD = r"""
import gc, json, statistics, sys, time
flavour, OPS = sys.argv[1], int(sys.argv[2])
if flavour == "pyside6":
    from PySide6.QtCore import QCoreApplication, QObject, Signal
else:
    from qtnet import QCoreApplication, QObject, Signal

app = QCoreApplication([])

class Sender(QObject):
    sig = Signal(int)

class Receiver(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    def slot(self, value):
        self.count += 1

class Counter:
    count = 0

def make_function():
    counter = Counter()
    def function(value):
        counter.count += 1
    return function

def timed(body):
    gc.collect()
    gc.disable()
    try:
        samples = []
        for _ in range(3):
            t0 = time.perf_counter_ns()
            body()
            samples.append((time.perf_counter_ns() - t0) / OPS)
        return statistics.median(samples)
    finally:
        gc.enable()

def emit_loop(sender):
    emit = sender.sig.emit
    def body():
        for _ in range(OPS):
            emit(1)
    return body

out = {}
s = Sender()
out["emit, no slot"] = timed(emit_loop(s))

receivers = [Receiver() for _ in range(3)]
s1 = Sender(); s1.sig.connect(receivers[0].slot)
out["emit -> 1 method"] = timed(emit_loop(s1))
s3 = Sender()
for r in receivers:
    s3.sig.connect(r.slot)
out["emit -> 3 methods"] = timed(emit_loop(s3))
assert receivers[1].count == 3 * OPS, "slots were not called"

f1 = Sender(); f1.sig.connect(make_function())
out["emit -> 1 function"] = timed(emit_loop(f1))
f3 = Sender()
for _ in range(3):
    f3.sig.connect(make_function())
out["emit -> 3 functions"] = timed(emit_loop(f3))

cs, cr = Sender(), Receiver()
def connect_disconnect():
    sig, slot = cs.sig, cr.slot
    for _ in range(OPS // 10):
        sig.connect(slot)
        sig.disconnect(slot)
out["connect+disconnect"] = timed(connect_disconnect) * 10

out["python"] = sys.version.split()[0]
print(json.dumps(out))
"""


def _peer_python() -> str:
    spec = importlib.util.spec_from_file_location("qtnet_tools_peers", REPO / "tools" / "peers.py")
    assert spec is not None and spec.loader is not None
    peers = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = peers
    spec.loader.exec_module(peers)
    return str(peers.ensure("pyside6"))


def _run_child(python: str, flavour: str, ops: int) -> dict[str, Any]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    if flavour == "qtnet":
        env["PYTHONPATH"] = str(REPO / "src")  # the peer venv has no qtnet installed
    else:
        env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [python, "-c", CHILD, flavour, str(ops)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{flavour} under {python} failed:\n{proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rounds", type=int, default=5, help="round-robin rounds (median kept)")
    ap.add_argument("--ops", type=int, default=200_000, help="operations per timed run")
    args = ap.parse_args()

    peer = _peer_python()
    columns = {
        "qtnet (this python)": (sys.executable, "qtnet"),
        "qtnet (peer python)": (peer, "qtnet"),
        "PySide6": (peer, "pyside6"),
    }
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in columns}
    for _ in range(args.rounds):
        for name, (python, flavour) in columns.items():
            samples[name].append(_run_child(python, flavour, args.ops))

    med = {
        name: {w: statistics.median(run[w] for run in runs) for w in WORKLOADS}
        for name, runs in samples.items()
    }
    versions = {name: runs[0]["python"] for name, runs in samples.items()}
    print(
        f"Signal/slot cost, ns per operation (median of {args.rounds} rounds x 3 runs "
        f"x {args.ops} ops)"
    )
    print(
        f"qtnet: Python {versions['qtnet (this python)']} and "
        f"{versions['qtnet (peer python)']}; PySide6 6.12: Python {versions['PySide6']}"
    )
    names = list(columns)
    print(f"{'workload':<22}" + "".join(f"{n:>21}" for n in names) + f"{'Qt/qtnet':>10}")
    print(f"{'':<22}" + "".join(f"{'(py ' + versions[n] + ')':>21}" for n in names)
          + f"{'same py':>10}")  # fmt: skip
    print("-" * (22 + 21 * len(names) + 10))
    for w in WORKLOADS:
        cells = "".join(f"{med[n][w]:>21.0f}" for n in names)
        ratio = med["PySide6"][w] / med["qtnet (peer python)"][w]
        print(f"{w:<22}{cells}{ratio:>9.2f}x")
    print("(Qt/qtnet > 1: qtnet is faster by that factor, both on the peer's Python)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
