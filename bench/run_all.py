#!/usr/bin/env python3
"""Every benchmark in one run (``make bench``), and the report in docs/performance.md.

    python bench/run_all.py                 # the full run (~35 minutes; --rounds 3: ~23)
    python bench/run_all.py --rounds 3      # fewer rounds everywhere
    python bench/run_all.py --smoke         # minutes: does every part still run?
    python bench/run_all.py --only tcp,ws   # some parts (report: only their sections)
    python bench/run_all.py --no-report     # measure, print, leave docs/ alone
    python bench/run_all.py --from-run bench/results/run-….md   # re-render a saved run's report

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

Each run is also saved as ``bench/results/run-<UTC time>.md`` (everything it
printed, with a header line), and the report ends with a "Reproducibility"
section: this run compared figure by figure with the previous saved run
(bench/compare.py; the noise band is ``compare.NOISE_BAND``).
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SWEEP_SIZES = (64, 1024, 16384, 65536, 262144, 1048576)
NOISY_ROUNDS = 7  # rounds of the bulk and 64 KiB workloads (see make_parts)
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
    # Memory-bound workloads (bulk, 64 KiB echo) swing by up to 2x from one
    # round to the next on this shared VM (min-max in every saved run), so a
    # median of 3 flips between runs; they get more rounds.
    steady = ["--smoke"] if smoke else ["--rounds", str(max(args.rounds, NOISY_ROUNDS))]
    return [
        Part(
            "tcp",
            "TCP: echo, fortune accept/close, bulk",
            [
                ["run_tcp.py", *tcp_smoke, "--workloads", "echo-c32,echo-c1,echo-c10,fortune"],
                [
                    "run_tcp.py",
                    *steady,
                    "--workloads",
                    "bulk",
                    *(["--bulk-bytes", "100000000"] if smoke else []),
                ],
            ],
        ),
        Part(
            "tcp64k",
            "TCP: echo 64 KiB",
            [["run_tcp.py", *steady, "--workloads", "echo-c32", "--size", "65536"]],
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
    p.add_argument("--from-run", default=None, help="re-render the report of a saved run")
    args = p.parse_args()
    if args.from_run:
        return from_run(Path(args.from_run))
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
    saved = save_run(parts, command.strip(), started, time.time())
    print(f"\nrun saved: {saved.relative_to(REPO)}")
    if not args.no_report:
        write_report(parts, command.strip(), started, time.time(), saved, args.smoke)
    failed = [part.key for part in parts if not part.ok]
    if failed:
        print(f"parts that failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


# -- saved runs ------------------------------------------------------------------------------------
_HEADER = re.compile(
    r"<!-- run: started=(?P<started>[\d.]+); finished=(?P<finished>[\d.]+); "
    r"command=(?P<command>.*) -->"
)


def save_run(parts: list[Part], command: str, started: float, finished: float) -> Path:
    """What this run printed, as bench/compare.py reads it, in bench/results/."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(started))
    path = BENCH / "results" / f"run-{stamp}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    out = [f"<!-- run: started={started:.0f}; finished={finished:.0f}; command={command} -->\n"]
    for part in parts:
        out.append(f"\n## {part.title}\n\n")
        out += part.output
        out.append(f"\n({part.title}: {'ok' if part.ok else 'FAILED'}, {part.seconds:.0f} s)\n")
    path.write_text("".join(out))
    return path


def write_report(
    parts: list[Part], command: str, started: float, finished: float, saved: Path, smoke: bool
) -> None:
    """docs/performance.md's results, with this run compared with the previous saved one."""
    import compare
    import report

    earlier = [p for p in sorted(saved.parent.glob("run-*.md")) if p.name < saved.name]
    reproducibility = None
    if earlier:
        old, new = compare.load_run(earlier[-1]), compare.load_run(saved)
        result = compare.compare(old, new)
        if result.matched:
            reproducibility = compare.summary(result, old, new, full=False)
    path = report.write(parts, command, started, smoke, finished, reproducibility)
    print(f"\nreport written: {path.relative_to(REPO)}")


def from_run(path: Path) -> int:
    """Re-render the report of a saved run (nothing is measured)."""
    import compare

    run = compare.load_run(path)
    m = _HEADER.match(run.header)
    if not m:
        print(f"{path}: no '<!-- run: started=…' header line", file=sys.stderr)
        return 2
    parts = [
        Part(p.title.lower(), p.title, [], list(p.lines), p.ok, p.seconds) for p in run.parts
    ]
    write_report(parts, m["command"], float(m["started"]), float(m["finished"]), path, False)
    return 0 if all(p.ok for p in parts) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH))
    sys.exit(main())
