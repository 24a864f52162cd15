#!/usr/bin/env python3
"""Multi-core serving: qtnet with 2 worker processes vs 1, on this 2-core machine.

    .venv/bin/python bench/bench_workers.py                 # 5 rounds, echo + fortune
    .venv/bin/python bench/bench_workers.py --rounds 3 --duration 3

Servers: bench/servers/qtnet_workers.py (qtnet.iocore.workers.serve_workers:
one SO_REUSEPORT listening socket per worker) on uvloop.  1 worker runs pinned
to CPU 0 with the C load generator pinned to CPU 1, as in the other
benchmarks.  2 workers get both CPUs, and so does the load generator, which
now competes with them: on a 2-core box the load generator's own CPU use is
what keeps "2 workers" below 2x, and the report shows it (loadgen CPU).
The C echo server (one process) is run too, as the ceiling of the load
generator.  Rounds alternate 1 and 2 workers; ratios are per round, medians.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

WORKLOADS = {
    "echo": (
        "TCP echo 64 B, 32 connections",
        "round trips/s",
        ["--mode", "tcp-echo", "--size", "64", "-c", "32"],
    ),
    "fortune": (
        "fortune accept/close, 64 connections in flight",
        "connections/s",
        ["--mode", "accept-close", "--expect", "qstring", "-c", "64"],
    ),
}


def one_run(kind: str, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    py = harness.repo_python()
    if workers == 0:  # the C server: the load generator's ceiling
        if kind == "fortune":
            argv = [str(harness.BUILD / "echo_server"), "--mode", "fortune", "--port", "0"]
        else:
            argv = [str(harness.BUILD / "echo_server"), "--mode", "tcp-echo", "--port", "0"]
        env = None
        server_cpu, loadgen_cpu = harness.SERVER_CPU, harness.LOADGEN_CPU
    else:
        argv = [
            py,
            str(harness.SERVERS / "qtnet_workers.py"),
            "--kind",
            kind,
            "--workers",
            str(workers),
            "--port",
            "0",
        ]
        env = harness.qtnet_env("uvloop")
        server_cpu = harness.SERVER_CPU if workers == 1 else "0,1"
        loadgen_cpu = harness.LOADGEN_CPU if workers == 1 else "0,1"
    import os

    with harness.ServerProcess(argv, env or dict(os.environ), server_cpu) as server:
        time.sleep(0.5)
        common = [*WORKLOADS[kind][2], "--port", str(server.port)]
        harness.run_loadgen([*common, "--warmup", "0", "--duration", "0.5"], loadgen_cpu, 60)
        result = harness.run_loadgen(
            [*common, "--warmup", str(args.warmup), "--duration", str(args.duration)],
            loadgen_cpu,
            args.warmup + args.duration + 60,
        )
    result["value"] = float(result.get("rate") or 0.0)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=float, default=0.5)
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--workloads", default="echo,fortune")
    args = parser.parse_args()
    harness.build_c_tools()
    harness.raise_nofile_limit()
    kinds = args.workloads.split(",")
    runs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for rnd in range(args.rounds):
        order = [1, 2, 0] if rnd % 2 == 0 else [2, 1, 0]
        for kind in kinds:
            for workers in order:
                try:
                    res = one_run(kind, workers, args)
                except (harness.RunFailed, harness.Unavailable) as exc:
                    res = {"value": float("nan"), "error": str(exc)}
                res["round"] = rnd
                runs.setdefault((kind, workers), []).append(res)
                print(
                    f"round {rnd + 1} {kind} workers={workers or 'C'}: "
                    f"{res['value']:,.0f} loadgen CPU {res.get('loadgen_cpu', float('nan')):.2f}",
                    file=sys.stderr,
                    flush=True,
                )
    for kind in kinds:
        title, unit = WORKLOADS[kind][:2]
        print(f"\n### {title} — {unit}\n")
        print("| server | median | min–max | loadgen CPU | × 1 worker |")
        print("|---|---|---|---|---|")
        base = {r["round"]: r["value"] for r in runs[(kind, 1)]}
        for workers, label in (
            (0, "C epoll server (1 process)"),
            (1, "qtnet, 1 worker"),
            (2, "qtnet, 2 workers"),
        ):
            rs = runs[(kind, workers)]
            vals = [r["value"] for r in rs if r["value"] == r["value"]]
            if not vals:
                print(f"| {label} | failed: {rs[-1].get('error', '?')} | | | |")
                continue
            ratios = [r["value"] / base[r["round"]] for r in rs if base.get(r["round"])]
            cpu = harness.median([r.get("loadgen_cpu", float("nan")) for r in rs])
            print(
                f"| {label} | **{harness.fmt_rate(harness.median(vals))}** | "
                f"{harness.fmt_k(min(vals))}–{harness.fmt_k(max(vals))} | {cpu:.2f} | "
                f"{harness.fmt_ratio(harness.median(ratios)) if ratios else '–'} |"
            )
    out = harness.results_path("workers")
    out.write_text(json.dumps({f"{k}-{w}": v for (k, w), v in runs.items()}, indent=1))
    print(f"\nraw results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
