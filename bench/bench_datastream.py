#!/usr/bin/env python3
"""QDataStream speed: qtnet vs real Qt (PySide6), measured side by side.

    python bench/bench_datastream.py [--seconds 0.3] [--repeat 5] [--clock cpu|wall]
                                     [--baseline SRC]

Workloads (seven fortune-sized ASCII sentences, 20-57 characters, as the
fortune server sends them); rates are strings per second:

* ``one-shot encode``: ``ba = QByteArray(); QDataStream(ba, WriteOnly).writeQString(s)``,
  a fresh stream per string, like a server writing one reply per connection.
* ``one-shot decode``: ``QDataStream(data).readQString()``.
* ``bulk encode`` / ``bulk decode``: one stream, 7000 strings per pass.
* ``fortune client``: the fortune client's read loop on a sequential device that
  receives the stream in 1 KiB chunks (so most chunks end inside a string):
  per chunk ``startTransaction(); s = readQString(); commitTransaction()`` until
  a commit fails.  The device is a QIODevice subclass serving ``readData()``
  from a Python buffer -- the same code runs on PySide6 and qtnet.
* ``fortune client (_feed)``: qtnet only, the same loop on a device fed the way
  qtnet's sockets are (``QIODevice._feed``): the QTcpSocket read path.

Every implementation runs in its own worker process -- PySide6 in its peer
virtualenv (``tools/peers.py ensure pyside6``, Python 3.12), because PySide6
must not share a process with qtnet -- and the timed runs are interleaved
(workload by workload, repeat by repeat), so load from other processes hits
all columns alike.  Each cell is the median of ``--repeat`` runs of
``--seconds`` of the worker's CPU time (``--clock wall`` for elapsed time; CPU
time does not count the moments other processes on a busy machine hold the
core).  ``--baseline SRC`` adds a column for qtnet imported from
another source tree (e.g. ``git worktree`` of an older commit) for a
before/after comparison in the same run.  Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

# Seven sentences shaped like the fortune example's (ASCII, 20-57 characters).
FORTUNES = [
    "The early bird catches the worm, the second mouse the cheese.",
    "Tomorrow looks like a very good day to start.",
    "A quiet socket is a happy socket.",
    "Read the manual only after all else fails.",
    "You will find what you lost.",
    "Patience is also a form of action.",
    "Every bug you fix teaches you something.",
]
BULK = 1000  # passes over the seven strings per bulk run
CHUNK = 1024  # bytes per readyRead in the fortune-client workload

WORKLOADS = [
    "one-shot encode",
    "one-shot decode",
    "bulk encode",
    "bulk decode",
    "fortune client",
    "fortune client (_feed)",
]

Workload = tuple[Callable[[], object], int]  # (one pass, strings per pass)


def api_workloads(qds: Any, qba: Any, qiodevice: Any, qtnet: bool) -> dict[str, Workload]:
    """The workloads over a Qt API (PySide6's or qtnet's classes: same code)."""
    wo = qiodevice.OpenModeFlag.WriteOnly
    ro = qiodevice.OpenModeFlag.ReadOnly
    k = len(FORTUNES)

    def enc_one() -> None:
        for s in FORTUNES:
            ba = qba()  # kept in a variable: PySide6's stream holds a pointer to it
            qds(ba, wo).writeQString(s)

    encoded = []
    for s in FORTUNES:
        ba = qba()
        qds(ba, wo).writeQString(s)
        encoded.append(qba(ba))

    def dec_one() -> None:
        for d in encoded:
            qds(d).readQString()

    def enc_bulk() -> Any:
        ba = qba()
        write = qds(ba, wo).writeQString
        for _ in range(BULK):
            for s in FORTUNES:
                write(s)
        return ba

    bulk = qba(enc_bulk())

    def dec_bulk() -> None:
        read = qds(bulk).readQString
        for _ in range(BULK * k):
            read()

    class ReadDataDevice(qiodevice):  # type: ignore[misc,valid-type]
        """A socket-like sequential device serving readData() from a Python buffer."""

        def __init__(self) -> None:
            super().__init__()
            self.pending = bytearray()

        def isSequential(self) -> bool:  # noqa: N802
            return True

        def bytesAvailable(self) -> int:  # noqa: N802
            return len(self.pending) + super().bytesAvailable()

        def readData(self, maxlen: int) -> bytes:  # noqa: N802
            chunk = bytes(self.pending[:maxlen])
            del self.pending[:maxlen]
            return chunk

        def writeData(self, data: Any, size: Any = None) -> int:  # noqa: N802
            return -1

        def feed(self, data: bytes) -> None:
            self.pending += data

    class FeedDevice(qiodevice):  # type: ignore[misc,valid-type]
        """qtnet's socket read side: bytes arrive in the QIODevice buffer (_feed)."""

        def isSequential(self) -> bool:  # noqa: N802
            return True

        def feed(self, data: bytes) -> None:
            self._feed(data)

    wire = bytes(bulk)[: len(bytes(bulk)) // 10]  # 700 strings
    n_strings = BULK * k // 10
    chunks = [wire[i : i + CHUNK] for i in range(0, len(wire), CHUNK)]

    def fortune_client(device_class: Any) -> Callable[[], int]:
        def run() -> int:
            dev = device_class()
            dev.open(ro)
            st = qds(dev)
            got = 0
            for chunk in chunks:
                dev.feed(chunk)
                while True:  # the fortune client's readFortune(), one string at a time
                    st.startTransaction()
                    st.readQString()
                    if not st.commitTransaction():
                        break
                    got += 1
            return got

        if run() != n_strings:
            raise AssertionError("fortune client workload read the wrong count")
        return run

    out: dict[str, Workload] = {
        "one-shot encode": (enc_one, k),
        "one-shot decode": (dec_one, k),
        "bulk encode": (enc_bulk, BULK * k),
        "bulk decode": (dec_bulk, BULK * k),
        "fortune client": (fortune_client(ReadDataDevice), n_strings),
    }
    if qtnet:
        out["fortune client (_feed)"] = (fortune_client(FeedDevice), n_strings)
    return out


def codec_workloads() -> dict[str, Workload]:
    """The first four workloads on qtnet's sans-I/O codec alone."""
    from qtnet.codecs.datastream import Reader, Writer

    k = len(FORTUNES)

    def enc_one() -> None:
        for s in FORTUNES:
            Writer().write_qstring(s)

    encoded = []
    for s in FORTUNES:
        w = Writer()
        w.write_qstring(s)
        encoded.append(bytes(w.buffer))

    def dec_one() -> None:
        for d in encoded:
            Reader(d).read_qstring()

    def enc_bulk() -> bytes:
        w = Writer()
        write = w.write_qstring
        for _ in range(BULK):
            for s in FORTUNES:
                write(s)
        return bytes(w.buffer)

    bulk = enc_bulk()

    def dec_bulk() -> None:
        read = Reader(bulk).read_qstring
        for _ in range(BULK * k):
            read()

    return {
        "one-shot encode": (enc_one, k),
        "one-shot decode": (dec_one, k),
        "bulk encode": (enc_bulk, BULK * k),
        "bulk decode": (dec_bulk, BULK * k),
    }


CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}


def timed_rate(fn: Callable[[], object], per_call: int, seconds: float, clock: str) -> float:
    now = CLOCKS[clock]
    n = 0
    t0 = t = now()
    while t - t0 < seconds:
        fn()
        n += 1
        t = now()
    return n * per_call / (t - t0)


def worker(kind: str) -> int:
    """Serve timed runs: one JSON request per stdin line, one JSON reply per line."""
    if kind == "pyside6":
        from PySide6.QtCore import QByteArray, QDataStream, QIODevice

        loads = api_workloads(QDataStream, QByteArray, QIODevice, qtnet=False)
    elif kind == "codec":
        loads = codec_workloads()
    else:
        from qtnet.qt.bytearray import QByteArray as QBA
        from qtnet.qt.datastream import QDataStream as QDS
        from qtnet.qt.iodevice import QIODevice as QIOD

        loads = api_workloads(QDS, QBA, QIOD, qtnet=True)
    print(json.dumps({"ready": sorted(loads), "python": platform.python_version()}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        item = loads.get(req["name"])
        rate = None if item is None else timed_rate(item[0], item[1], req["seconds"], req["clock"])
        print(json.dumps({"rate": rate}), flush=True)
    return 0


class Worker:
    """One implementation in its own process, answering timed-run requests."""

    def __init__(self, label: str, argv: list[str], env: dict[str, str]) -> None:
        self.label = label
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        assert self.proc.stdout is not None
        hello = self.proc.stdout.readline()
        if not hello:
            raise RuntimeError(f"{label}: worker failed to start")
        info = json.loads(hello)
        self.workloads: list[str] = info["ready"]
        self.python: str = info["python"]

    def run(self, name: str, seconds: float, clock: str) -> float | None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        req = {"name": name, "seconds": seconds, "clock": clock}
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        rate: float | None = json.loads(self.proc.stdout.readline())["rate"]
        return rate

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def pyside6_python() -> str:
    spec = importlib.util.spec_from_file_location("qtnet_tools_peers", REPO / "tools" / "peers.py")
    assert spec is not None and spec.loader is not None
    peers = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = peers
    spec.loader.exec_module(peers)
    return str(peers.ensure("pyside6"))


def fmt(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x / 1e6:.3f} M/s" if x >= 1e6 else f"{x / 1e3:.1f} k/s"


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seconds", type=float, default=0.3, help="length of one timed run")
    ap.add_argument("--repeat", type=int, default=5, help="runs per cell (the median is shown)")
    ap.add_argument("--baseline", metavar="SRC", help="another qtnet src/ tree, as a column")
    ap.add_argument(
        "--clock", choices=sorted(CLOCKS), default="cpu",
        help="cpu: the worker's CPU time (default; steady on a shared machine); wall: elapsed",
    )  # fmt: skip
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args.worker)

    me = [sys.executable, str(Path(__file__).resolve()), "--worker"]
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    cols: list[tuple[str, list[str], dict[str, str]]] = [
        ("qtnet codec", [*me, "codec"], env),
    ]
    if args.baseline:
        base_env = dict(os.environ, PYTHONPATH=str(Path(args.baseline).resolve()))
        cols.append(("QDataStream before", [*me, "qtnet"], base_env))
    cols.append(("qtnet QDataStream", [*me, "qtnet"], env))
    notes = []
    try:
        py6 = pyside6_python()
        qt_env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        qt_env.pop("PYTHONPATH", None)
        cols.append(
            ("PySide6", [py6, str(Path(__file__).resolve()), "--worker", "pyside6"], qt_env)
        )
    except Exception as e:  # report, do not hide: the table says why the column is empty
        notes.append(f"PySide6 column unavailable: {e}")
    workers = [Worker(label, argv, e) for label, argv, e in cols]

    results: dict[tuple[str, str], list[float]] = {}
    try:
        for _ in range(args.repeat):
            for name in WORKLOADS:
                for w in workers:
                    if name in w.workloads:
                        rate = w.run(name, args.seconds, args.clock)
                        if rate is not None:
                            results.setdefault((w.label, name), []).append(rate)
    finally:
        for w in workers:
            w.close()

    def med(label: str, name: str) -> float | None:
        rs = results.get((label, name))
        return statistics.median(rs) if rs else None

    labels = [w.label for w in workers]
    pythons = ", ".join(f"{w.label}: Python {w.python}" for w in workers)
    print(
        f"QDataStream strings per second, median of {args.repeat} x {args.seconds}s "
        f"({args.clock} time), interleaved"
    )
    print(pythons)
    for n in notes:
        print("note:", n)
    ratio_cols = [lb for lb in labels if lb != "PySide6"]
    short = {"qtnet codec": "codec", "QDataStream before": "before", "qtnet QDataStream": "API"}
    hdr = f"{'workload':<24}" + "".join(f"{lb:>20}" for lb in labels)
    hdr += "".join(f"{short.get(lb, lb) + '/Qt':>11}" for lb in ratio_cols)
    print(hdr)
    print("-" * len(hdr))
    for name in WORKLOADS:
        row = f"{name:<24}" + "".join(f"{fmt(med(lb, name)):>20}" for lb in labels)
        q = med("PySide6", name)
        for lb in ratio_cols:
            a = med(lb, name)
            row += f"{a / q:10.2f}x" if (a and q) else f"{'-':>11}"
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
