#!/usr/bin/env python3
"""QString encode/decode rate: qtnet vs real Qt (PySide6), side by side.

    python bench/bench_datastream.py [--seconds 0.3] [--repeat 5]

Workloads (seven fortune-sized ASCII sentences, 20-57 characters, as the
fortune server sends):

* ``one-shot``: a fresh stream per string, like a server writing one reply
  per connection (``QDataStream(QByteArray, WriteOnly).writeQString(s)``;
  reading: ``QDataStream(data).readQString()``).
* ``bulk``: one stream, many strings (7000 per pass), the raw codec speed.

qtnet runs in this interpreter; PySide6 runs in its peer virtualenv
(``tools/peers.py ensure pyside6``, Python 3.12) as a subprocess, because
PySide6 must not be loaded into the same process.  Rates are strings per
second, best of ``--repeat`` runs.  Not a test: numbers vary by machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from qtnet.codecs.datastream import Reader, Writer  # noqa: E402

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

PEER_BENCH = r"""
import json, sys, time
from PySide6.QtCore import QDataStream, QByteArray, QIODevice
cfg = json.load(sys.stdin)
F = cfg["fortunes"]; SECONDS = cfg["seconds"]; REPEAT = cfg["repeat"]; BULK = cfg["bulk"]
WO = QIODevice.OpenModeFlag.WriteOnly

def rate(fn, per_call):
    best = 0.0
    for _ in range(REPEAT):
        n = 0; t0 = time.perf_counter(); t = t0
        while t - t0 < SECONDS:
            fn(); n += 1; t = time.perf_counter()
        best = max(best, n * per_call / (t - t0))
    return best

def enc_one():
    for s in F:
        ba = QByteArray(); QDataStream(ba, WO).writeQString(s)

encoded = []
for s in F:
    ba = QByteArray(); QDataStream(ba, WO).writeQString(s); encoded.append(QByteArray(ba))

def dec_one():
    for d in encoded:
        QDataStream(d).readQString()

def enc_bulk():
    ba = QByteArray(); st = QDataStream(ba, WO); w = st.writeQString
    for _ in range(BULK):
        for s in F:
            w(s)
    return ba

bulk = QByteArray(enc_bulk())
def dec_bulk():
    st = QDataStream(bulk); r = st.readQString
    for _ in range(BULK * len(F)):
        r()

print(json.dumps({
    "one-shot encode": rate(enc_one, len(F)), "one-shot decode": rate(dec_one, len(F)),
    "bulk encode": rate(enc_bulk, BULK * len(F)), "bulk decode": rate(dec_bulk, BULK * len(F)),
    "python": sys.version.split()[0],
}))
"""


def rate(fn: Callable[[], object], per_call: int, seconds: float, repeat: int) -> float:
    best = 0.0
    for _ in range(repeat):
        n = 0
        t0 = t = time.perf_counter()
        while t - t0 < seconds:
            fn()
            n += 1
            t = time.perf_counter()
        best = max(best, n * per_call / (t - t0))
    return best


def qtnet_codec(seconds: float, repeat: int) -> dict[str, float]:
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
        for _ in range(BULK * len(FORTUNES)):
            read()

    k = len(FORTUNES)
    return {
        "one-shot encode": rate(enc_one, k, seconds, repeat),
        "one-shot decode": rate(dec_one, k, seconds, repeat),
        "bulk encode": rate(enc_bulk, BULK * k, seconds, repeat),
        "bulk decode": rate(dec_bulk, BULK * k, seconds, repeat),
    }


def qtnet_api(seconds: float, repeat: int) -> dict[str, float] | str:
    try:
        from qtnet.qt.bytearray import QByteArray
        from qtnet.qt.datastream import QDataStream
        from qtnet.qt.iodevice import QIODevice
    except ImportError as e:  # report a broken Qt layer in the table instead of dying
        return f"unavailable ({e})"
    wo = QIODevice.OpenModeFlag.WriteOnly

    def enc_one() -> None:
        for s in FORTUNES:
            QDataStream(QByteArray(), wo).writeQString(s)

    encoded = []
    for s in FORTUNES:
        ba = QByteArray()
        QDataStream(ba, wo).writeQString(s)
        encoded.append(QByteArray(ba))

    def dec_one() -> None:
        for d in encoded:
            QDataStream(d).readQString()

    def enc_bulk() -> QByteArray:
        ba = QByteArray()
        write = QDataStream(ba, wo).writeQString
        for _ in range(BULK):
            for s in FORTUNES:
                write(s)
        return ba

    bulk = QByteArray(enc_bulk())

    def dec_bulk() -> None:
        read = QDataStream(bulk).readQString
        for _ in range(BULK * len(FORTUNES)):
            read()

    k = len(FORTUNES)
    return {
        "one-shot encode": rate(enc_one, k, seconds, repeat),
        "one-shot decode": rate(dec_one, k, seconds, repeat),
        "bulk encode": rate(enc_bulk, BULK * k, seconds, repeat),
        "bulk decode": rate(dec_bulk, BULK * k, seconds, repeat),
    }


def pyside6(seconds: float, repeat: int) -> dict[str, float] | str:
    spec = importlib.util.spec_from_file_location("qtnet_tools_peers", REPO / "tools" / "peers.py")
    assert spec is not None and spec.loader is not None
    peers = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = peers
    spec.loader.exec_module(peers)
    try:
        py = peers.ensure("pyside6")
    except Exception as e:  # report, do not hide: the table says why the column is empty
        return f"unavailable ({e})"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    cfg = {"fortunes": FORTUNES, "seconds": seconds, "repeat": repeat, "bulk": BULK}
    proc = subprocess.run(
        [py, "-c", PEER_BENCH], input=json.dumps(cfg), capture_output=True, text=True, env=env,
        timeout=600, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        return f"failed: {proc.stderr[-500:]}"
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x / 1e6:8.3f} M/s" if x >= 1e6 else f"{x / 1e3:8.1f} k/s"


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seconds", type=float, default=0.3, help="length of one timed run")
    ap.add_argument("--repeat", type=int, default=5, help="runs per workload (best is kept)")
    args = ap.parse_args()

    codec = qtnet_codec(args.seconds, args.repeat)
    api = qtnet_api(args.seconds, args.repeat)
    qt = pyside6(args.seconds, args.repeat)

    print(f"QString encode/decode, strings per second (best of {args.repeat} x {args.seconds}s)")
    print(f"qtnet: Python {platform.python_version()}; PySide6: Python "
          f"{qt.get('python', '?') if isinstance(qt, dict) else '?'}")  # fmt: skip
    for name, col in (("qtnet QDataStream", api), ("PySide6", qt)):
        if isinstance(col, str):
            print(f"note: {name} column {col}")
    hdr = f"{'workload':<18}{'qtnet codec':>16}{'qtnet QDataStream':>20}{'PySide6':>16}{'codec/Qt':>10}{'API/Qt':>9}"  # noqa: E501
    print(hdr)
    print("-" * len(hdr))
    for key in ("one-shot encode", "one-shot decode", "bulk encode", "bulk decode"):
        c = codec[key]
        a = api.get(key) if isinstance(api, dict) else None
        q = qt.get(key) if isinstance(qt, dict) else None
        r1 = f"{c / q:9.2f}x" if q else f"{'-':>10}"
        r2 = f"{a / q:8.2f}x" if (q and a) else f"{'-':>9}"
        print(f"{key:<18}{fmt(c):>16}{fmt(a):>20}{fmt(q):>16}{r1}{r2}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
