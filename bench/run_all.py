#!/usr/bin/env python3
"""Every benchmark in one command (``make bench``): TCP, idle memory, micro-benchmarks.

    python bench/run_all.py            # full run (several minutes)
    python bench/run_all.py --smoke    # quick check that every part still runs

Runs, one after the other, on this interpreter:

1. ``bench/run_tcp.py`` -- echo and fortune workloads, every contender, interleaved;
2. ``bench/idle_memory.py`` -- KB per idle connection at 5,000 connections;
3. every ``bench/bench_*.py`` script with its default arguments (micro-benchmarks
   and the other protocols' benchmarks; not in ``--smoke``: they have no short mode).

Each part prints its own report; a part that fails is reported and the others
still run.  The exit status is non-zero if any part failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def run_part(title: str, argv: list[str]) -> bool:
    print(f"\n## {title}\n", flush=True)
    t0 = time.monotonic()
    rc = subprocess.call([sys.executable, *argv], cwd=str(BENCH.parent))
    print(
        f"\n({title}: {'ok' if rc == 0 else f'FAILED, exit {rc}'}, {time.monotonic() - t0:.0f} s)"
    )
    return rc == 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="short runs: checks that everything works")
    p.add_argument("--conns", type=int, default=5000, help="idle connections (default 5000)")
    args = p.parse_args()
    ok = run_part(
        "TCP: echo and fortune",
        [str(BENCH / "run_tcp.py"), *(["--smoke"] if args.smoke else [])],
    )
    conns = 500 if args.smoke else args.conns
    ok &= run_part("Idle connections", [str(BENCH / "idle_memory.py"), "--conns", str(conns)])
    for script in sorted(BENCH.glob("bench_*.py")):
        if args.smoke:
            print(f"\n(skipped in --smoke: {script.name})")
            continue
        ok &= run_part(f"Benchmark: {script.name}", [str(script)])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
