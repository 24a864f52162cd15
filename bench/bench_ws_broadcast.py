#!/usr/bin/env python3
"""WebSocket broadcast to 1,000 clients: qtnet vs PySide6 QWebSocketServer vs websockets.

    python bench/bench_ws_broadcast.py                   # 5 rounds, 1,000 clients
    python bench/bench_ws_broadcast.py --rounds 3 --clients 200 --contenders qtnet,pyside6

The chat-relay pattern: one client publishes 64-byte text messages, the server
sends each to every connected client (bench/servers/ws_broadcast_qt.py, the
same script on qtnet and on PySide6; websockets uses its ``broadcast``).  The
load generator (bench/servers/ws_broadcast_client_picows.py, picows on
uvloop) holds the 1,000 connections and keeps 4 messages in flight, a message
being done once all clients have it.  Server pinned to CPU 0, clients to CPU
1, a fresh server per run, rounds interleaved with the order rotating.
Reported: deliveries/s (messages x clients), server CPU µs per delivery, and
per-round ratios.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_ws  # noqa: E402
import harness  # noqa: E402

SERVERS = harness.SERVERS
LABELS = {
    "qtnet": "qtnet (uvloop)",
    "pyside6": "PySide6 6.12 QWebSocketServer (Py 3.12)",
    "websockets": "websockets 17.4 broadcast() (uvloop)",
}


def server_command(key: str) -> tuple[list[str], dict[str, str]]:
    if key == "qtnet":
        argv = [harness.repo_python(), str(SERVERS / "ws_broadcast_qt.py"), "--impl", "qtnet"]
        return argv, harness.qtnet_env("uvloop")
    if key == "pyside6":
        argv = [harness.pyside6_python(), str(SERVERS / "ws_broadcast_qt.py"), "--impl", "pyside6"]
        return argv, harness.peer_env()
    if key == "websockets":
        import os

        argv = [bench_ws.wsbench_python(), str(SERVERS / "ws_broadcast_websockets.py")]
        return argv, dict(os.environ)
    raise harness.Unavailable(f"unknown contender {key}")


def one_run(key: str, args: argparse.Namespace) -> dict[str, Any]:
    argv, env = server_command(key)
    client = [
        bench_ws.wsbench_python(),
        str(SERVERS / "ws_broadcast_client_picows.py"),
        "--clients",
        str(args.clients),
        "--seconds",
        str(args.seconds),
        "--warmup",
        "1",
    ]
    with harness.ServerProcess(argv, env, harness.SERVER_CPU) as server:
        cmd = harness.pinned([*client, "--port", str(server.port)], harness.LOADGEN_CPU)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        cpu: dict[str, tuple[float, float]] = {}
        result: dict[str, Any] = {}
        for line in proc.stdout:
            if line.startswith("MARK "):
                cpu[line.split()[1]] = bench_ws.cpu_seconds(server.pid)
            elif line.startswith("{"):
                result = json.loads(line)
        proc.wait(timeout=120)
        if proc.returncode != 0 or not result or len(cpu) != 2:
            err = proc.stderr.read()[-300:] if proc.stderr else ""
            raise harness.RunFailed(f"client failed: {err}")
    used = sum(cpu["end"]) - sum(cpu["start"])
    result["cpu_us_per_delivery"] = used / max(result["deliveries"], 1) * 1e6
    result["server_util"] = used / result["seconds"]
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--contenders", default="qtnet,pyside6,websockets")
    args = p.parse_args()
    harness.raise_nofile_limit()
    keys = args.contenders.split(",")
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in keys}
    unavailable: dict[str, str] = {}
    t0 = time.monotonic()
    for rnd in range(args.rounds):
        order = keys[rnd % len(keys) :] + keys[: rnd % len(keys)]
        for key in order:
            if key in unavailable:
                continue
            try:
                res = one_run(key, args)
            except harness.Unavailable as exc:
                unavailable[key] = str(exc)
                continue
            except harness.RunFailed as exc:
                res = {"error": str(exc)}
            res["round"] = rnd
            runs[key].append(res)
            print(
                f"round {rnd + 1} {key}: {res.get('deliveries_per_s', float('nan')):,.0f} "
                f"deliveries/s",
                file=sys.stderr,
                flush=True,
            )
    print(f"\n### WebSocket broadcast, {args.clients:,} clients, 64 B text — deliveries/s\n")
    print(
        "| server | median deliveries/s | min–max | server µs/delivery | server CPU |"
        " × PySide6 | × websockets |"
    )
    print("|---|---|---|---|---|---|---|")
    per_round = {k: {r["round"]: r.get("deliveries_per_s") for r in rs} for k, rs in runs.items()}
    summary: dict[str, Any] = {}
    for key in keys:
        if key in unavailable:
            print(f"| {LABELS[key]} | not available: {unavailable[key][:120]} | | | | | |")
            continue
        ok = [r for r in runs[key] if "deliveries_per_s" in r]
        if not ok:
            print(f"| {LABELS[key]} | failed | | | | | |")
            continue
        vals = [r["deliveries_per_s"] for r in ok]

        def ratio(ref: str, key: str = key) -> str:
            rs = [
                v / per_round[ref][r]
                for r, v in per_round[key].items()
                if v and per_round.get(ref, {}).get(r)
            ]
            return harness.fmt_ratio(harness.median(rs)) if rs else "–"

        cpu = harness.median([r["cpu_us_per_delivery"] for r in ok])
        util = harness.median([r["server_util"] for r in ok])
        summary[key] = {"median": harness.median(vals), "cpu_us_per_delivery": cpu}
        print(
            f"| {LABELS[key]} | **{harness.fmt_rate(harness.median(vals))}** | "
            f"{harness.fmt_k(min(vals))}–{harness.fmt_k(max(vals))} | {cpu:.2f} | {util:.2f} | "
            f"{ratio('pyside6')} | {ratio('websockets')} |"
        )
    out = harness.results_path("ws-broadcast")
    out.write_text(
        json.dumps(
            {
                "args": vars(args),
                "runs": runs,
                "summary": summary,
                "unavailable": unavailable,
                "elapsed_s": time.monotonic() - t0,
            },
            indent=1,
        )
    )
    print(f"\nraw results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
