#!/usr/bin/env python3
"""WebSocket echo benchmark: qtnet vs PySide6 QWebSocketServer vs websockets vs picows.

    python bench/bench_ws.py                       # 5 interleaved rounds, 64 B and 64 KiB, 32 conns
    python bench/bench_ws.py --rounds 3 --contenders qtnet,pyside6 --idle 0

Method (perf-anchors §4.2): every contender is an echo server (binary
messages, compression off) started fresh for each round, pinned to CPU 0;
the load generator is a picows client on uvloop pinned to CPU 1 (the fastest
Python client), ``--conns`` connections each with one message in flight.
Rounds are interleaved (contender order rotates), results are medians.  For
each run the server's CPU time between the client's ``MARK start``/``MARK
end`` lines is divided by the messages echoed: "server µs/msg" is the cost
that decides throughput once the server's core is saturated, and it is less
sensitive to other load on a shared machine than the rate.

Idle memory (``--idle N``): a fresh server per contender, N WebSocket
connections opened (handshake done, then one echo on each) from a helper
process; (RSS after - RSS before) / N in KB.

Contenders: qtnet (bench/servers/ws_echo_qt.py on uvloop; ``qtnet-asyncio``
on stock asyncio), PySide6 6.12 (the same script, Python 3.12 peer venv),
websockets (new asyncio implementation, uvloop), picows (Cython parser,
uvloop).  picows, websockets and uvloop for the client and those two servers
live in a bench-only venv ``.peers/wsbench`` made on first use.  A contender
that cannot run is reported, not fatal.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import selectors
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import ServerProcess, Unavailable  # noqa: E402

BENCH = Path(__file__).resolve().parent
SERVERS = BENCH / "servers"
WSBENCH = harness.REPO / ".peers" / "wsbench"
WSBENCH_PACKAGES = ["picows==2.3.1", "websockets==17.4", "uvloop>=0.19"]
CONTENDER_KEYS = ["qtnet", "qtnet-asyncio", "pyside6", "websockets", "picows"]
LABELS = {
    "qtnet": "qtnet (uvloop)",
    "qtnet-asyncio": "qtnet (asyncio)",
    "pyside6": "PySide6 6.12 QWebSocketServer (Py 3.12)",
    "websockets": "websockets 17.4 (uvloop)",
    "picows": "picows 2.3.1 (uvloop)",
}


def wsbench_python() -> str:
    """The bench-only venv (picows, websockets, uvloop), created on first use."""
    py = WSBENCH / "bin" / "python"
    probe = [str(py), "-c", "import picows, websockets, uvloop"]
    if py.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return str(py)
    venv.EnvBuilder(with_pip=True, clear=True).create(WSBENCH)
    pip = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", *WSBENCH_PACKAGES],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if pip.returncode != 0 or subprocess.run(probe, capture_output=True).returncode != 0:
        raise Unavailable(f"bench venv: pip install failed: {pip.stderr.strip()[-300:]}")
    return str(py)


def server_command(key: str) -> tuple[list[str], dict[str, str]]:
    if key in ("qtnet", "qtnet-asyncio"):
        loop = "asyncio" if key == "qtnet-asyncio" else "uvloop"
        return (
            [harness.repo_python(), str(SERVERS / "ws_echo_qt.py"), "--impl", "qtnet"],
            harness.qtnet_env(loop),
        )
    if key == "pyside6":
        return (
            [harness.pyside6_python(), str(SERVERS / "ws_echo_qt.py"), "--impl", "pyside6"],
            harness.peer_env(),
        )
    if key == "websockets":
        return [wsbench_python(), str(SERVERS / "ws_echo_websockets.py")], dict(os.environ)
    if key == "picows":
        return [wsbench_python(), str(SERVERS / "ws_echo_picows.py")], dict(os.environ)
    raise Unavailable(f"unknown contender {key}")


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def run_echo(key: str, sizes: list[int], conns: int, seconds: float) -> dict[int, dict[str, float]]:
    """One fresh server; one client run per message size."""
    argv, env = server_command(key)
    client_py = wsbench_python()
    out: dict[int, dict[str, float]] = {}
    with ServerProcess(argv, env, harness.SERVER_CPU) as server:
        for size in sizes:
            cmd = harness.pinned(
                [
                    client_py,
                    str(SERVERS / "ws_echo_client_picows.py"),
                    "--port",
                    str(server.port),
                    "--conns",
                    str(conns),
                    "--size",
                    str(size),
                    "--seconds",
                    str(seconds),
                    "--warmup",
                    "0.5",
                ],
                harness.LOADGEN_CPU,
            )
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            assert proc.stdout is not None
            cpu: dict[str, tuple[float, float]] = {}
            result: dict[str, Any] = {}
            for line in proc.stdout:
                if line.startswith("MARK "):
                    cpu[line.split()[1]] = cpu_seconds(server.pid)
                elif line.startswith("{"):
                    result = json.loads(line)
            proc.wait(timeout=60)
            if proc.returncode != 0 or not result or len(cpu) != 2:
                raise harness.RunFailed(
                    f"client failed: {proc.stderr.read()[-300:] if proc.stderr else ''}"
                )
            user = cpu["end"][0] - cpu["start"][0]
            system = cpu["end"][1] - cpu["start"][1]
            n = max(result["messages"], 1)
            out[size] = {
                "rps": result["rps"],
                "cpu_us_per_msg": (user + system) / n * 1e6,
                "user_us_per_msg": user / n * 1e6,
                "sys_us_per_msg": system / n * 1e6,
                "server_util": (user + system) / result["seconds"],
            }
    return out


# -- idle memory ----------------------------------------------------------------------------------
def idle_client(port: int, count: int) -> None:
    """Helper process: open ``count`` WebSocket connections, echo once on each, hold them."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()
    frame = b"\x82\x81\x00\x00\x00\x00x"  # masked (zero key) binary "x"
    socks: list[socket.socket] = []
    sel = selectors.DefaultSelector()

    def wait_for(batch: list[socket.socket], marker: bytes) -> None:
        pending = {s: b"" for s in batch}
        for s in batch:
            sel.register(s, selectors.EVENT_READ)
        deadline = time.monotonic() + 60
        while pending:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(pending)} connections stuck")
            for k, _ in sel.select(1.0):
                s = k.fileobj
                assert isinstance(s, socket.socket)
                pending[s] += s.recv(65536)
                if marker in pending[s]:
                    del pending[s]
                    sel.unregister(s)

    while len(socks) < count:
        batch = []
        for _ in range(min(40, count - len(socks))):
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            s.sendall(request)
            batch.append(s)
        wait_for(batch, b"\r\n\r\n")
        socks += batch
    print("OPEN", flush=True)
    for i in range(0, len(socks), 200):
        batch = socks[i : i + 200]
        for s in batch:
            s.sendall(frame)
        wait_for(batch, b"\x82\x01x")
    print("ECHOED", flush=True)
    sys.stdin.read()  # hold the connections until the bench closes stdin


def run_idle(key: str, count: int) -> dict[str, float]:
    argv, env = server_command(key)
    with ServerProcess(argv, env, harness.SERVER_CPU) as server:
        time.sleep(0.5)
        before = server.rss_kb()["VmRSS"]
        helper = subprocess.Popen(
            harness.pinned(
                [sys.executable, __file__, "--idle-client", str(server.port), str(count)],
                harness.LOADGEN_CPU,
            ),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert helper.stdout is not None
            marks = {}
            for line in helper.stdout:
                time.sleep(1.0)  # let the server settle (deferred deletes, buffers)
                marks[line.strip()] = server.rss_kb()["VmRSS"]
                if line.startswith("ECHOED"):
                    break
            if "ECHOED" not in marks:
                raise harness.RunFailed(
                    f"idle client failed: {helper.stderr.read()[-300:] if helper.stderr else ''}"
                )
        finally:
            helper.kill()
            helper.wait(10)
    return {
        "kb_per_conn_open": (marks["OPEN"] - before) / count,
        "kb_per_conn_echoed": (marks["ECHOED"] - before) / count,
    }


# -- the report -------------------------------------------------------------------------------------
def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--conns", type=int, default=32)
    p.add_argument("--sizes", default="64,65536")
    p.add_argument("--contenders", default="qtnet,pyside6,websockets,picows")
    p.add_argument(
        "--idle", type=int, default=2000, help="connections for the idle-memory run (0: skip)"
    )
    p.add_argument("--idle-client", nargs=2, type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.idle_client:
        idle_client(*args.idle_client)
        return 0
    harness.raise_nofile_limit()
    sizes = [int(s) for s in args.sizes.split(",")]
    keys = [k for k in args.contenders.split(",") if k]
    runs: dict[str, dict[int, list[dict[str, float]]]] = {k: {s: [] for s in sizes} for k in keys}
    unavailable: dict[str, str] = {}
    for rnd in range(args.rounds):
        order = keys[rnd % len(keys) :] + keys[: rnd % len(keys)]
        for key in order:
            if key in unavailable:
                continue
            harness.wait_for_quiet(30)
            try:
                got = run_echo(key, sizes, args.conns, args.seconds)
            except Unavailable as e:
                unavailable[key] = str(e)
                continue
            except harness.RunFailed as e:
                print(f"round {rnd + 1} {key}: {e}", file=sys.stderr)
                continue
            for size, r in got.items():
                runs[key][size].append(r)
            print(
                f"round {rnd + 1}/{args.rounds} {key}: "
                + ", ".join(
                    f"{s} B {r['rps']:,.0f}/s ({r['cpu_us_per_msg']:.1f} us/msg)"
                    for s, r in got.items()
                ),
                file=sys.stderr,
                flush=True,
            )
    idle: dict[str, dict[str, float]] = {}
    if args.idle:
        for key in keys:
            if key in unavailable:
                continue
            try:
                idle[key] = run_idle(key, args.idle)
            except (Unavailable, harness.RunFailed, TimeoutError, OSError) as e:
                print(f"idle {key}: {e}", file=sys.stderr)
    summary = {
        k: {
            s: {
                "rps": harness.median([r["rps"] for r in v]),
                "cpu_us_per_msg": harness.median([r["cpu_us_per_msg"] for r in v]),
                "user_us_per_msg": harness.median([r["user_us_per_msg"] for r in v]),
                "sys_us_per_msg": harness.median([r["sys_us_per_msg"] for r in v]),
                "min": min((r["rps"] for r in v), default=float("nan")),
                "max": max((r["rps"] for r in v), default=float("nan")),
            }
            for s, v in per.items()
        }
        for k, per in runs.items()
        if k not in unavailable
    }
    print_report(summary, idle, unavailable, sizes, args)
    path = harness.results_path("ws")
    path.write_text(
        json.dumps(
            {
                "args": vars(args),
                "runs": runs,
                "summary": summary,
                "idle": idle,
                "unavailable": unavailable,
                "machine": harness.machine_facts(with_pyside6="pyside6" in keys),
            },
            indent=1,
            default=str,
        )
    )
    print(f"\nraw results: {path.relative_to(harness.REPO)}")
    return 0


def print_report(
    summary: dict[str, Any],
    idle: dict[str, Any],
    unavailable: dict[str, str],
    sizes: list[int],
    args: argparse.Namespace,
) -> None:
    print(
        f"\nWebSocket binary echo, {args.conns} connections, median of {args.rounds} interleaved "
        f"rounds x {args.seconds:.0f} s; server on CPU {harness.SERVER_CPU}, picows client on CPU "
        f"{harness.LOADGEN_CPU}\n"
    )
    head = "| server | " + " | ".join(
        f"{s} B msg/s (min-max) | {s} B server µs/msg (user+sys)" for s in sizes
    )
    print(head + " |")
    print("|" + "---|" * (1 + 2 * len(sizes)))
    for key, per in summary.items():
        cells = [
            f"{per[s]['rps']:,.0f} ({per[s]['min'] / 1000:.1f}-{per[s]['max'] / 1000:.1f} k) | "
            f"{per[s]['cpu_us_per_msg']:.1f} ({per[s]['user_us_per_msg']:.1f}+"
            f"{per[s]['sys_us_per_msg']:.1f})"
            for s in sizes
        ]
        print(f"| {LABELS.get(key, key)} | " + " | ".join(cells) + " |")
    if "qtnet" in summary:
        print()
        for other in ("pyside6", "websockets", "picows"):
            if other in summary:
                ratios = ", ".join(
                    f"{s} B: {summary['qtnet'][s]['rps'] / summary[other][s]['rps']:.2f}x rate, "
                    f"{summary[other][s]['cpu_us_per_msg'] / summary['qtnet'][s]['cpu_us_per_msg']:.2f}x "
                    "less CPU/msg"
                    for s in sizes
                )
                print(f"qtnet vs {other}: {ratios}")
    if idle:
        print(f"\nIdle memory, {args.idle} connections: RSS growth per connection")
        print("| server | after handshake | after one echo each |\n|---|---|---|")
        for key, m in idle.items():
            print(
                f"| {LABELS.get(key, key)} | {m['kb_per_conn_open']:.1f} KB | {m['kb_per_conn_echoed']:.1f} KB |"
            )
    for key, why in unavailable.items():
        print(f"\n{key}: not run ({why})")


if __name__ == "__main__":
    sys.exit(main())
