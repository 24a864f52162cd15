"""Runs every atheris target for a fixed time (``make fuzz`` / ``make fuzz-smoke``).

Each target starts from its seed corpus in fuzz/corpus/<target>/ (read only)
plus the inputs earlier runs found in build/fuzz/<target>/ (new ones are
written there, not into the repo).  A crashing input is saved as
build/fuzz/crash-<target>-*; the run stops at the first failing target and
exits non-zero.  To keep a new input as a seed, copy it into fuzz/corpus/<target>/.

Usage: python fuzz/run_all.py [--seconds N] [target ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TARGETS = ["datastream", "ws_protocol", "ws_handshake", "ws_deflate"]


def run(target: str, seconds: int, python: str) -> int:
    work = os.path.join(ROOT, "build", "fuzz", target)
    os.makedirs(work, exist_ok=True)
    seeds = os.path.join(HERE, "corpus", target)
    prefix = os.path.join(ROOT, "build", "fuzz", f"crash-{target}-")
    cmd = [
        python, os.path.join(HERE, f"fuzz_{target}.py"), work, seeds,
        f"-max_total_time={seconds}", f"-artifact_prefix={prefix}",
        "-rss_limit_mb=2048", "-timeout=30", "-print_final_stats=1",
    ]
    print(f"== fuzz {target} for {seconds}s: {' '.join(cmd)}", flush=True)
    start = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = proc.stdout.splitlines()
    stats = [ln for ln in lines if ln.startswith(("stat::number_of_executed_units", "Done "))]
    print(f"   exit {proc.returncode} after {time.monotonic() - start:.0f}s; "
          + "; ".join(stats), flush=True)
    if proc.returncode != 0:
        print("\n".join(lines[-60:]), flush=True)
    return proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", "600")))
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("targets", nargs="*", default=TARGETS)
    args = parser.parse_args()
    for target in args.targets:
        rc = run(target, args.seconds, args.python)
        if rc != 0:
            print(f"fuzz target {target} FAILED (exit {rc})", file=sys.stderr)
            return 1
    print(f"all {len(args.targets)} fuzz targets ran {args.seconds}s each without a failure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
