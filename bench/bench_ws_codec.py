#!/usr/bin/env python3
"""WebSocket protocol core, no I/O: qtnet's sans-I/O codec vs the `websockets` package.

    python bench/bench_ws_codec.py [--seconds 0.5] [--repeat 5] [--cpu 1] [--json]

Echo workload (what a server does per message, minus the socket): feed one
masked client frame to ``receive_data``, send the payload back with
``send_binary``, collect ``data_to_send()``.  Rates are messages per second on
one core, best of ``--repeat`` runs of ``--seconds`` each, for 64 B, 1 KiB and
64 KiB binary messages.

Rows:

* ``qtnet (pure)``: masking in pure Python (:func:`mask_pure`), as on a machine
  with nothing extra installed;
* ``qtnet (+speedups)``: masking by ``websockets.speedups.apply_mask`` (only if
  that C helper is importable; qtnet uses it automatically then);
* ``websockets``: ``websockets.server.ServerProtocol`` in OPEN state with
  ``max_size=None`` (its C masking if compiled), the same echo loop through
  ``receive_data`` / ``events_received`` / ``send_binary`` / ``data_to_send``.

A second table times the masking kernels alone.  Not a test: numbers vary by
machine; install `websockets` in the interpreter running this to get all rows.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import timeit
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

import qtnet.codecs.ws_protocol as ws_protocol  # noqa: E402
from qtnet.codecs import ws_frames  # noqa: E402
from qtnet.codecs.ws_frames import _XOR_TABLES, _xor_table, encode_frame, mask_pure  # noqa: E402

SIZES = [64, 1024, 65536]
MASK_SIZES = [125, 1024, 65536, 1 << 20]


def client_frame(size: int) -> bytes:
    return encode_frame(2, os.urandom(size), mask_key=os.urandom(4))


def rate(loop: Callable[[int], None], seconds: float, repeat: int) -> float:
    """Best messages/s over ``repeat`` runs of about ``seconds`` each."""
    n = 16
    while True:  # calibrate the batch so one run lasts about `seconds`
        t0 = time.perf_counter()
        loop(n)
        dt = time.perf_counter() - t0
        if dt > seconds / 4:
            break
        n *= 4
    n = max(1, int(n * seconds / dt))
    best = 0.0
    for _ in range(repeat):
        t0 = time.perf_counter()
        loop(n)
        best = max(best, n / (time.perf_counter() - t0))
    return best


def qtnet_echo(size: int, mask: Callable[..., bytes]) -> Callable[[int], None]:
    frame = client_frame(size)
    saved = ws_protocol.apply_mask

    def loop(n: int) -> None:
        ws_protocol.apply_mask = mask  # the protocol looks the name up per frame
        try:
            conn = ws_protocol.WebSocketConnection("server")
            receive, send, flush = conn.receive_data, conn.send_binary, conn.data_to_send
            for _ in range(n):
                for event in receive(frame):
                    send(event.data)  # type: ignore[union-attr]
                flush()
        finally:
            ws_protocol.apply_mask = saved

    return loop


def websockets_echo(size: int) -> Callable[[int], None] | None:
    try:
        from websockets.protocol import State
        from websockets.server import ServerProtocol
    except ImportError:
        return None
    frame = client_frame(size)

    def loop(n: int) -> None:
        proto = ServerProtocol(state=State.OPEN, max_size=None)
        receive, events, send = proto.receive_data, proto.events_received, proto.send_binary
        flush = proto.data_to_send
        for _ in range(n):
            receive(frame)
            for event in events():
                send(event.data)
            flush()

    return loop


def c_mask() -> Callable[..., bytes] | None:
    try:
        from websockets.speedups import apply_mask
    except ImportError:
        return None
    return apply_mask  # type: ignore[no-any-return]


def int_xor(data: bytes, key: bytes) -> bytes:
    n = len(data)
    stream = (key * ((n >> 2) + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(stream, "little")).to_bytes(
        n, "little"
    )


def strided_translate(data: bytes, key: bytes) -> bytes:
    buf = bytearray(data)
    for lane in range(4):
        buf[lane::4] = buf[lane::4].translate(_xor_table(key[lane]))
    return bytes(buf)


def mask_table(repeat: int) -> list[dict[str, object]]:
    kernels: dict[str, Callable[..., bytes] | None] = {
        "int XOR": int_xor,
        "strided translate": strided_translate,
        "mask_pure (chosen)": mask_pure,
        "websockets C": c_mask(),
    }
    key = os.urandom(4)
    for k in key:
        _ = _XOR_TABLES[k] or _xor_table(k)  # tables are built once per process
    rows = []
    for size in MASK_SIZES:
        data = os.urandom(size)
        row: dict[str, object] = {"size": size}
        for name, fn in kernels.items():
            if fn is None:
                continue
            number = max(1, int(2e6 // (size + 200)))
            timer = timeit.Timer("f(data, key)", globals={"f": fn, "data": data, "key": key})
            row[name] = min(timer.repeat(number=number, repeat=repeat)) / number
        rows.append(row)
    return rows


def human(size: int) -> str:
    if size >= 1 << 20:
        return f"{size >> 20} MiB"
    return f"{size >> 10} KiB" if size >= 1024 else f"{size} B"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=0.5)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cpu", type=int, default=None, help="pin this process to one CPU")
    ap.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = ap.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})

    accel = c_mask()
    rows: list[tuple[str, Callable[[int], Callable[[int], None] | None]]] = [
        ("qtnet (pure)", lambda s: qtnet_echo(s, mask_pure)),
    ]
    if accel is not None:
        rows.append(("qtnet (+speedups)", lambda s: qtnet_echo(s, accel)))
    rows.append(("websockets", websockets_echo))
    echo: dict[str, dict[int, float]] = {}
    for name, make in rows:
        for size in SIZES:
            loop = make(size)
            if loop is not None:
                echo.setdefault(name, {})[size] = rate(loop, args.seconds, args.repeat)
    masks = mask_table(args.repeat)

    info = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "qtnet_mask_default": ws_frames.MASK_IMPLEMENTATION,
        "websockets": _websockets_version(),
    }
    if args.json:
        print(json.dumps({"info": info, "echo_msgs_per_s": echo, "mask_seconds": masks}, indent=2))
        return 0
    print(f"$ {info['command']}")
    print(f"Python {info['python']} {info['machine']}; qtnet default mask: "
          f"{info['qtnet_mask_default']}; websockets {info['websockets']}")
    print()
    print("Echo through the sans-I/O core (receive_data + send_binary + data_to_send), msgs/s:")
    print(f"{'':20s}" + "".join(f"{human(s):>12s}" for s in SIZES))
    for name, by_size in echo.items():
        print(f"{name:20s}" + "".join(f"{by_size.get(s, 0):>12,.0f}" for s in SIZES))
    if "websockets" in echo:
        for name in echo:
            if name != "websockets":
                ratios = "  ".join(
                    f"{human(s)} {echo[name][s] / echo['websockets'][s]:.2f}x" for s in SIZES
                )
                print(f"  {name} / websockets: {ratios}")
    print()
    print("Masking kernels (time per call, throughput):")
    names = [k for k in masks[0] if k != "size"]
    print(f"{'':10s}" + "".join(f"{n:>26s}" for n in names))
    for row in masks:
        size = int(row["size"])  # type: ignore[call-overload]
        cells = []
        for n in names:
            t = float(row[n])  # type: ignore[arg-type]
            cells.append(f"{t * 1e6:9.2f} us {size / t / 1e9:7.2f} GB/s")
        print(f"{human(size):10s}" + "".join(f"{c:>26s}" for c in cells))
    return 0


def _websockets_version() -> str:
    try:
        import websockets
    except ImportError:
        return "not installed"
    return str(websockets.__version__)


if __name__ == "__main__":
    sys.exit(main())
