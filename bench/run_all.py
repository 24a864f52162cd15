#!/usr/bin/env python3
"""Every benchmark in one run (``make bench``), and the report in docs/performance.md.

    python bench/run_all.py                 # the full run (about 45 minutes)
    python bench/run_all.py --rounds 3      # fewer rounds everywhere
    python bench/run_all.py --smoke         # minutes: does every part still run?
    python bench/run_all.py --only tcp,ws   # some parts (report: only their sections)
    python bench/run_all.py --no-report     # measure, print, leave docs/ alone

Parts, one after the other (each starts fresh servers pinned to CPU 0 and its
load generator on CPU 1, interleaves its contenders and reports medians and
per-round ratios; see each script's docstring):

=========  ===================================================================
tcp        TCP echo 64 B (1, 10, 32 connections), fortune accept/close, 1 GB bulk
tcp64k     TCP echo 64 KiB, 32 connections
sizes      TCP echo throughput vs message size, 64 B ... 1 MiB (chart)
idle       idle TCP connections: KB per connection at 5,000
udp        UDP echo 64 B
ws         WebSocket echo 64 B and 64 KiB, idle WebSocket connections at 5,000
broadcast  WebSocket broadcast to 1,000 clients
workers    2 worker processes vs 1 (SO_REUSEPORT)
fortune    the Fortune servers side by side + 20,000 connections
micro      signals, QDataStream, WebSocket codec micro-benchmarks
=========  ===================================================================

Every part prints a markdown report (also shown live) and saves raw JSON in
bench/results/.  At the end the results section of docs/performance.md
(between its ``<!-- results:begin -->`` / ``<!-- results:end -->`` markers) is
replaced by: the machine, the command, every part's tables, and PNG charts in
docs/img/ (bench/report.py).  A part that fails is reported and the others
still run; the exit status says whether all of them worked.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SWEEP_SIZES = (64, 1024, 16384, 65536, 262144, 1048576)
SWEEP_CONTENDERS = "c,qtnet-uvloop,pyside6,uvloop"


@dataclass
class Part:
    key: str
    title: str
    commands: list[list[str]]
    output: list[str] = field(default_factory=list)  # markdown printed by the commands
    ok: bool = True
    seconds: float = 0.0


def make_parts(args: argparse.Namespace) -> list[Part]:
    smoke = args.smoke
    r = ["--rounds", "1" if smoke else str(args.rounds)]
    tcp_smoke = ["--smoke"] if smoke else r
    sweep = []
    for size in SWEEP_SIZES[:2] if smoke else SWEEP_SIZES:
        sweep.append(
            [
                "run_tcp.py",
                *(["--smoke"] if smoke else ["--rounds", str(min(args.rounds, 3))]),
                "--workloads",
                "echo-c10",
                "--size",
                str(size),
                "--contenders",
                SWEEP_CONTENDERS,
            ]
        )
    conns = "500" if smoke else str(args.conns)
    short = ["--rounds", "1", "--duration", "0.5"] if smoke else r
    return [
        Part(
            "tcp",
            "TCP: echo, fortune accept/close, bulk",
            [
                [
                    "run_tcp.py",
                    *tcp_smoke,
                    "--workloads",
                    "echo-c32,echo-c1,echo-c10,fortune,bulk",
                    *(["--bulk-bytes", "100000000"] if smoke else []),
                ]
            ],
        ),
        Part(
            "tcp64k",
            "TCP: echo 64 KiB",
            [["run_tcp.py", *tcp_smoke, "--workloads", "echo-c32", "--size", "65536"]],
        ),
        Part("sizes", "TCP: throughput vs message size", sweep),
        Part("idle", "Idle TCP connections", [["idle_memory.py", "--conns", conns]]),
        Part("udp", "UDP echo", [["bench_udp.py", *(["--smoke"] if smoke else r)]]),
        Part(
            "ws",
            "WebSocket echo and idle connections",
            [["bench_ws.py", *r, "--idle", "500" if smoke else conns]],
        ),
        Part(
            "broadcast",
            "WebSocket broadcast",
            [["bench_ws_broadcast.py", *r, *(["--clients", "200"] if smoke else [])]],
        ),
        Part("workers", "Multi-core: 2 workers vs 1", [["bench_workers.py", *short]]),
        Part("fortune", "Fortune servers", [["bench_fortune.py", *(["--smoke"] if smoke else r)]]),
        Part(
            "micro",
            "Micro-benchmarks",
            [] if smoke else [["bench_signals.py"], ["bench_datastream.py"], ["bench_ws_codec.py"]],
        ),
    ]


def run_command(argv: list[str], sink: list[str]) -> bool:
    """Run one bench script, showing and keeping its stdout (the markdown)."""
    full = [sys.executable, str(BENCH / argv[0]), *argv[1:]]
    print(f"$ python bench/{shlex.join(argv)}", flush=True)
    proc = subprocess.Popen(full, cwd=str(REPO), stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        sink.append(line)
    return proc.wait() == 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="short runs: checks that everything works")
    p.add_argument("--rounds", type=int, default=5, help="rounds per part (default 5)")
    p.add_argument("--conns", type=int, default=5000, help="idle connections (default 5000)")
    p.add_argument("--only", default="", help="comma list of parts (default: all)")
    p.add_argument("--no-report", action="store_true", help="do not rewrite docs/performance.md")
    args = p.parse_args()
    parts = make_parts(args)
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {part.key for part in parts}
        if unknown:
            p.error(f"unknown parts: {', '.join(sorted(unknown))}")
        parts = [part for part in parts if part.key in wanted]
    started = time.time()
    command = "python bench/run_all.py " + shlex.join(sys.argv[1:])
    for part in parts:
        print(f"\n## {part.title}\n", flush=True)
        t0 = time.monotonic()
        for argv in part.commands:
            part.ok &= run_command(argv, part.output)
        part.seconds = time.monotonic() - t0
        print(f"\n({part.title}: {'ok' if part.ok else 'FAILED'}, {part.seconds:.0f} s)")
    if not args.no_report:
        import report

        path = report.write(parts, command.strip(), started, smoke=args.smoke)
        print(f"\nreport written: {path.relative_to(REPO)}")
    failed = [part.key for part in parts if not part.ok]
    if failed:
        print(f"parts that failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH))
    sys.exit(main())
