#!/usr/bin/env python3
"""TCP benchmark: qtnet vs PySide6 vs asyncio/uvloop Protocols vs a C server, in one run.

    python bench/run_tcp.py                      # default: 5 rounds, 0.5 s warm-up, 2 s measured
    python bench/run_tcp.py --smoke              # 1 short round: does every contender start?
    python bench/run_tcp.py --rounds 9 --duration 5 --warmup 1      # a longer, steadier run
    python bench/run_tcp.py --workloads echo-c32,fortune --contenders c,pyside6,qtnet-uvloop

Method: every run starts a fresh server process pinned to CPU 0 (``taskset -c 0``)
and drives it with the C load generator (bench/c/loadgen.c) pinned to CPU 1: a
discarded pre-warm on its own connections, then warm-up, then the measured window.
Runs are interleaved: each round runs every workload against every contender,
and the contender order rotates from round to round, so slow drifts of this
shared machine hit everyone alike.  Reported: the median over rounds with the
min-max range, the server's and the load generator's CPU use during the
measurement window, and ratios computed per round (contender / reference in the
same round) and then taken as the median.  A contender that cannot start is
reported as "not available: <reason>"; a run with connection errors or wrong
bytes counts as failed, never as a number.

Results: a markdown table on stdout and the raw runs as JSON in bench/results/.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import (  # noqa: E402
    CONTENDERS,
    Contender,
    RunFailed,
    ServerProcess,
    Unavailable,
    fmt_k,
    fmt_rate,
    fmt_ratio,
    median,
)


@dataclasses.dataclass(frozen=True)
class Workload:
    key: str
    title: str
    kind: str  # which server program: "echo" or "fortune"
    unit: str
    loadgen_args: tuple[str, ...]
    value_field: str = "rate"


def make_workloads(
    size: int, pipeline: int, fortune_conns: int, bulk_bytes: int
) -> dict[str, Workload]:
    echo = ("--mode", "tcp-echo", "--size", str(size), "--pipeline", str(pipeline))
    depth = f", pipeline {pipeline}" if pipeline > 1 else ""
    items = [
        Workload(
            "echo-c32",
            f"TCP echo {size} B, 32 connections{depth}",
            "echo",
            "round trips/s",
            (*echo, "-c", "32"),
        ),
        Workload(
            "echo-c10",
            f"TCP echo {size} B, 10 connections{depth}",
            "echo",
            "round trips/s",
            (*echo, "-c", "10"),
        ),
        Workload(
            "echo-c1",
            f"TCP echo {size} B, 1 connection{depth}",
            "echo",
            "round trips/s",
            (*echo, "-c", "1"),
        ),
        Workload(
            "fortune",
            f"fortune accept/close ({fortune_conns} connections in flight, "
            "each reads one QString until EOF)",
            "fortune",
            "connections/s",
            ("--mode", "accept-close", "--expect", "qstring", "-c", str(fortune_conns)),
        ),
        Workload(
            "connect-close",
            "connect, close at once, wait for the server's close (32 in flight, echo servers)",
            "echo",
            "connections/s",
            ("--mode", "connect-close", "-c", "32"),
        ),
        Workload(
            "bulk",
            f"bulk echo over one connection, {bulk_bytes / 1e9:g} GB each way",
            "echo",
            "GB/s",
            ("--mode", "bulk", "--direction", "echo", "--bytes", str(bulk_bytes)),
            value_field="gbps",
        ),
    ]
    return {w.key: w for w in items}


DEFAULT_WORKLOADS = "echo-c32,echo-c1,echo-c10,fortune"
DEFAULT_CONTENDERS = "c,qtnet-asyncio,qtnet-uvloop,pyside6,asyncio,uvloop"
REFERENCES = (("pyside6", "× PySide6"), ("uvloop", "× uvloop Protocol"), ("c", "× C"))


def one_run(
    contender: Contender, workload: Workload, args: argparse.Namespace, pin: bool
) -> dict[str, Any]:
    """Fresh server, warm-up + measurement by the load generator, server stopped."""
    argv, env = contender.command(workload.kind)  # may raise Unavailable
    busy_before = harness.wait_for_quiet(args.quiet_wait) if args.quiet_wait > 0 else float("nan")
    server_cpu = harness.SERVER_CPU if pin else None
    loadgen_cpu = harness.LOADGEN_CPU if pin else None
    with ServerProcess(argv, env, server_cpu) as server:
        time.sleep(args.settle)  # let import-time work finish before the clock starts
        common = [*workload.loadgen_args, "--port", str(server.port)]
        if workload.kind == "fortune" and args.fortune_close == "rst":
            common += ["--close", "rst"]
        if args.prewarm > 0 and workload.key != "bulk":
            # A first set of connections that comes and goes: a fresh CPython
            # server otherwise keeps paying glibc mmap/munmap for every 256 KiB
            # recv buffer (asyncio's transports) until its first large free
            # adapts malloc's thresholds; a long-running server never sees that.
            pre = [*common, "--warmup", "0", "--duration", str(args.prewarm)]
            harness.run_loadgen(pre, loadgen_cpu, timeout=args.prewarm + 60)
        lg_args = [
            *common,
            "--warmup",
            str(args.warmup),
            "--duration",
            str(args.duration),
            "--server-pid",
            str(server.pid),
        ]
        timeout = (
            args.warmup
            + args.duration
            + 60
            + (args.bulk_bytes / 1e8 if workload.key == "bulk" else 0)
        )
        result = harness.run_loadgen(lg_args, loadgen_cpu, timeout=timeout)
        if not server.alive():
            raise RunFailed(f"server exited during the run: {server.stderr_tail()}")
    result["value"] = float(result.get(workload.value_field) or 0.0)
    result["machine_busy_before"] = busy_before
    problems = []
    if not result.get("complete"):
        problems.append("measurement did not complete")
    elif result["value"] <= 0:
        problems.append(f"nothing completed in the {args.duration} s window (server not serving?)")
    if result.get("errors"):
        problems.append(f"{result['errors']} connection errors")
    if result.get("bad"):
        problems.append(f"{result['bad']} wrong replies")
    if problems:
        detail = f" (last: {result['last_error']})" if result.get("last_error") else ""
        result["failure"] = "; ".join(problems) + detail
    return result


def other_cpu(result: dict[str, Any]) -> float | None:
    """CPUs used by everything but the server and the load generator during the window."""
    if result.get("machine_cpu") is None:
        return None
    return float(result["machine_cpu"] - result["loadgen_cpu"] - (result.get("server_cpu") or 0.0))


def summarize(
    runs: list[dict[str, Any]],
    workloads: list[Workload],
    contenders: list[Contender],
    unavailable: dict[tuple[str, str], str],
    max_other_cpu: float,
) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for w in workloads:
        per: dict[str, Any] = {}
        by_round: dict[str, dict[int, float]] = {}
        for c in contenders:
            mine = [r for r in runs if r["workload"] == w.key and r["contender"] == c.key]
            good = [r for r in mine if "failure" not in r and "error" not in r]
            entry: dict[str, Any] = {"label": c.label, "runs": len(mine), "ok_runs": len(good)}
            if (c.key, w.kind) in unavailable:
                entry["status"] = f"not available: {unavailable[(c.key, w.kind)]}"
            elif not good:
                last = next((r.get("failure") or r.get("error") for r in reversed(mine)), "no runs")
                entry["status"] = f"failed: {last}"
            else:
                vals = [r["result"]["value"] for r in good]
                entry.update(
                    status="ok",
                    median=median(vals),
                    min=min(vals),
                    max=max(vals),
                    values=vals,
                    server_cpu=median(
                        [
                            r["result"]["server_cpu"]
                            for r in good
                            if r["result"].get("server_cpu") is not None
                        ]
                    ),
                    loadgen_cpu=median([r["result"]["loadgen_cpu"] for r in good]),
                    # Server CPU time per operation: on a busy shared box the
                    # steadiest figure (contention lowers rates more than this).
                    us_per_op=median(
                        [
                            r["result"]["server_cpu"] / r["result"]["value"] * 1e6
                            for r in good
                            if r["result"].get("server_cpu") and r["result"]["value"] > 0
                        ]
                        or [float("nan")]
                    ),
                    other_cpu=median(
                        [o for r in good if (o := other_cpu(r["result"])) is not None]
                    ),
                )
                notes = []
                if len(good) < len(mine):
                    bad = next(r.get("failure") or r.get("error") for r in mine if r not in good)
                    notes.append(f"{len(mine) - len(good)} of {len(mine)} runs failed: {bad}")
                disturbed = [r for r in good if (other_cpu(r["result"]) or 0.0) > max_other_cpu]
                if disturbed:
                    notes.append(
                        f"{len(disturbed)} of {len(good)} runs still disturbed after retries "
                        f"(other CPU > {max_other_cpu})"
                    )
                if notes:
                    entry["note"] = "; ".join(notes)
                by_round[c.key] = {r["round"]: r["result"]["value"] for r in good}
            per[c.key] = entry
        for c in contenders:
            entry = per[c.key]
            if entry["status"] != "ok":
                continue
            for ref, _ in REFERENCES:
                pairs = [
                    by_round[c.key][rnd] / by_round[ref][rnd]
                    for rnd in by_round.get(c.key, {})
                    if rnd in by_round.get(ref, {}) and by_round[ref][rnd] > 0
                ]
                entry[f"x_{ref}"] = median(pairs) if pairs else float("nan")
        summary[w.key] = per
    return summary


def saturation_note(w: Workload, per: dict[str, Any]) -> str:
    """Does the load generator drive the C server above every other contender?"""
    c = per.get("c")
    if not c or c["status"] != "ok":
        return "C server not measured: cannot tell whether the load generator is the limit."
    others = {k: v for k, v in per.items() if k != "c" and v["status"] == "ok"}
    if not others:
        return f"C server: {fmt_rate(c['median'])} {w.unit}; no other contender measured."
    best_key = max(others, key=lambda k: others[k]["median"])
    best = others[best_key]
    margin = c["median"] / best["median"] - 1.0
    cpu = f"load generator CPU {c['loadgen_cpu']:.2f}, C server CPU {c['server_cpu']:.2f}"
    if c["loadgen_cpu"] >= 0.9 and c["server_cpu"] >= 0.9:
        limit = "both C processes are saturated: this is the ceiling of the box"
    elif c["loadgen_cpu"] >= 0.9:
        limit = (
            "the load generator's CPU is saturated (on loopback the kernel's TCP work for "
            "both ends, handshakes and teardowns above all, is charged to it)"
        )
    elif c["server_cpu"] >= 0.9:
        limit = "the C server's CPU is saturated"
    else:
        limit = (
            "neither side is saturated: the rate is bound by wake-up latency between the "
            "two CPUs, a floor no server can beat"
        )
    if margin > 0.05:
        return (
            "Load generator not the bottleneck: it drives the C server to "
            f"{fmt_rate(c['median'])} {w.unit}, {margin:+.0%} above the best other contender "
            f"({best['label']}, {fmt_rate(best['median'])}); {cpu}: {limit}."
        )
    if margin < -0.05:
        return (
            f"WARNING: {best['label']} ({fmt_rate(best['median'])}) measured above the C server "
            f"({fmt_rate(c['median'])}; {cpu}): noise between rounds exceeds the gap; at this "
            f"level {limit}. Treat both as at the ceiling; more rounds would separate them."
        )
    return (
        f"CEILING: {best['label']} ({fmt_rate(best['median'])}) is within 5 % of the C server "
        f"({fmt_rate(c['median'])}; {cpu}): {limit}, so ratios near the top are compressed."
    )


def _us(value: float | None, gb: bool) -> str:
    if gb or value is None or value != value:  # NaN: no CPU figure
        return "–"
    return f"{value:.1f}"


def markdown(
    summary: dict[str, Any],
    workloads: list[Workload],
    contenders: list[Contender],
    meta: dict[str, Any],
) -> str:
    out: list[str] = []
    s = meta["settings"]
    out.append(f"Command: `{meta['command']}`  ")
    out.append(
        f"{s['rounds']} rounds; per run: fresh server, {s['prewarm']} s discarded pre-warm "
        f"connections, {s['warmup']} s warm-up + {s['duration']} s measured; "
        f"server on CPU {harness.SERVER_CPU} and load generator on CPU {harness.LOADGEN_CPU}"
        + ("" if s["pinned"] else " (NOT pinned: taskset missing or < 2 CPUs)")
        + f"; started {meta['started']}, took {meta['elapsed_s'] / 60:.1f} min."
    )
    out.append("")
    for w in workloads:
        per = summary[w.key]
        out.append(f"### {w.title} — {w.unit}")
        out.append("")
        head = "| contender | median | min–max | runs ok | server CPU | server µs/op |"
        head += " loadgen CPU | other CPU |"
        head += "".join(f" {label} |" for _, label in REFERENCES)
        out.append(head)
        out.append("|" + "---|" * (8 + len(REFERENCES)))
        for c in contenders:
            e = per[c.key]
            if e["status"] != "ok":
                out.append(f"| {c.label} | {e['status']} |" + " |" * (7 + len(REFERENCES)))
                continue
            gb = w.unit == "GB/s"
            med = f"{e['median']:.2f}" if gb else fmt_rate(e["median"])
            rng = f"{e['min']:.2f}–{e['max']:.2f}" if gb else f"{fmt_k(e['min'])}–{fmt_k(e['max'])}"
            row = (
                f"| {c.label} | **{med}** | {rng} | {e['ok_runs']}/{e['runs']} | "
                f"{e['server_cpu']:.2f} | {_us(e.get('us_per_op'), gb)} | "
                f"{e['loadgen_cpu']:.2f} | {e['other_cpu']:.2f} |"
            )
            row += "".join(
                f" {fmt_ratio(e.get('x_' + ref, float('nan')))} |" for ref, _ in REFERENCES
            )
            out.append(row)
        notes = [
            f"{per[c.key]['label']}: {per[c.key]['note']}"
            for c in contenders
            if per[c.key].get("note")
        ]
        out.append("")
        out.append(saturation_note(w, per))
        for n in notes:
            out.append(f"* {n}")
        out.append("")
    out.append(
        "server µs/op: the server's CPU time (user + system) per round trip or connection, "
        "median over runs. "
        "CPU columns: cores used during the measurement window (1.00 = one full CPU); "
        '"other" = whole-machine busy time minus server and load generator (kernel softirq work '
        "not charged to either, plus anything else running on this shared box). Ratios are medians "
        "of per-round ratios."
    )
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    p.add_argument(
        "--warmup", type=float, default=0.5, help="seconds before measuring (default 0.5)"
    )
    p.add_argument(
        "--duration", type=float, default=2.0, help="measured seconds per run (default 2)"
    )
    p.add_argument("--settle", type=float, default=0.1, help="pause after the server is listening")
    p.add_argument(
        "--prewarm",
        type=float,
        default=0.5,
        help="seconds of a discarded first load-generator run on its own connections "
        "(default 0.5; 0 = none)",
    )
    p.add_argument(
        "--workloads",
        default=DEFAULT_WORKLOADS,
        help=f"comma list (default {DEFAULT_WORKLOADS}; also connect-close, bulk)",
    )
    p.add_argument(
        "--contenders",
        default=DEFAULT_CONTENDERS,
        help=f"comma list (default {DEFAULT_CONTENDERS})",
    )
    p.add_argument("--size", type=int, default=64, help="echo message size in bytes (default 64)")
    p.add_argument(
        "--pipeline", type=int, default=1, help="echo messages in flight per connection (default 1)"
    )
    p.add_argument(
        "--fortune-conns", type=int, default=32, help="fortune connections in flight (default 32)"
    )
    p.add_argument(
        "--fortune-close",
        choices=["fin", "rst"],
        default="fin",
        help="how the client closes after EOF",
    )
    p.add_argument(
        "--bulk-bytes", type=int, default=1_000_000_000, help="bytes per bulk run (default 1 GB)"
    )
    p.add_argument("--no-pin", action="store_true", help="do not pin server/load generator to CPUs")
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=10.0,
        help="before each run, wait up to this many seconds for other work on the box to drop "
        "below 0.3 CPUs (default 10; 0 = do not wait)",
    )
    p.add_argument(
        "--max-other-cpu",
        type=float,
        default=0.35,
        help="repeat a run during which other processes used more CPUs than this (default 0.35)",
    )
    p.add_argument("--retries", type=int, default=2, help="repeats of a disturbed run (default 2)")
    p.add_argument(
        "--smoke",
        action="store_true",
        help="1 round of 0.2 s + 0.5 s: checks every contender starts",
    )
    p.add_argument(
        "--json",
        type=Path,
        help="where to write raw results (default bench/results/tcp-<time>.json)",
    )
    p.add_argument("--markdown", type=Path, help="also write the markdown report to this file")
    p.add_argument(
        "--report",
        type=Path,
        metavar="RESULTS.json",
        help="measure nothing: print the report of a saved run (bench/results/tcp-*.json)",
    )
    args = p.parse_args(argv)
    if args.smoke:
        args.rounds, args.warmup, args.duration, args.prewarm = 1, 0.2, 0.5, 0.2
    return args


def rerender(path: Path) -> str:
    """The markdown report of a saved run, with this version's wording."""
    saved = json.loads(path.read_text())
    st = saved["settings"]
    all_workloads = make_workloads(
        st["size"], st["pipeline"], st["fortune_conns"], st.get("bulk_bytes", 1_000_000_000)
    )
    summary = saved["summary"]
    workloads = [all_workloads[k] for k in summary]
    first = next(iter(summary.values()))
    contenders = [CONTENDERS[k] for k in first]
    return markdown(summary, workloads, contenders, saved)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report:
        print(rerender(args.report))
        return 0
    all_workloads = make_workloads(args.size, args.pipeline, args.fortune_conns, args.bulk_bytes)
    try:
        workloads = [all_workloads[k] for k in args.workloads.split(",") if k]
        contenders = [CONTENDERS[k] for k in args.contenders.split(",") if k]
    except KeyError as e:
        print(
            f"unknown workload or contender: {e}; workloads: {', '.join(all_workloads)}; "
            f"contenders: {', '.join(CONTENDERS)}",
            file=sys.stderr,
        )
        return 2
    harness.exit_cleanly_on_signals()
    harness.build_c_tools()
    harness.raise_nofile_limit()
    pin = not args.no_pin and harness.can_pin()
    if not pin:
        print("warning: not pinning (taskset missing, < 2 CPUs or --no-pin)", file=sys.stderr)
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    t0 = time.monotonic()
    facts = harness.machine_facts(with_pyside6=any(c.key == "pyside6" for c in contenders))
    n_runs = args.rounds * len(workloads) * len(contenders)
    per_run = args.prewarm + args.warmup + args.duration + 1.2  # + start/stop, quiet check
    print(f"{n_runs} runs, at least {n_runs * per_run / 60:.1f} min", file=sys.stderr)

    runs: list[dict[str, Any]] = []
    unavailable: dict[tuple[str, str], str] = {}
    started_once: set[tuple[str, str]] = set()  # (contender, server kind) that ran at least once
    for rnd in range(args.rounds):
        shift = rnd % len(contenders)
        order = contenders[shift:] + contenders[:shift]
        for w in workloads:
            for c in order:
                if (c.key, w.kind) in unavailable:
                    continue
                record: dict[str, Any] = {"round": rnd, "workload": w.key, "contender": c.key}
                try:
                    record["result"] = one_run(c, w, args, pin)
                    started_once.add((c.key, w.kind))
                    # Neighbours on this shared box stole CPU during the window: the
                    # number measures them as much as the contender, so run it again.
                    for attempt in range(args.retries):
                        other = other_cpu(record["result"])
                        if other is None or other <= args.max_other_cpu:
                            break
                        print(
                            f"[{rnd + 1}/{args.rounds}] {w.key:9} {c.key:14} disturbed "
                            f"(other CPU {other:.2f}), retry {attempt + 1}/{args.retries}",
                            file=sys.stderr,
                        )
                        record.setdefault("disturbed_attempts", []).append(record["result"])
                        record["result"] = one_run(c, w, args, pin)
                    if "failure" in record["result"]:
                        record["failure"] = record["result"]["failure"]
                except Unavailable as e:
                    if (c.key, w.kind) not in started_once:
                        # "ImportError: ... from 'qtnet' (/path/__init__.py)": the path is noise
                        unavailable[(c.key, w.kind)] = re.sub(r" \(/[^)]*\)", "", str(e))
                        print(
                            f"[{rnd + 1}/{args.rounds}] {w.key:9} {c.key:14} not available: {e}",
                            file=sys.stderr,
                        )
                        continue
                    record["error"] = f"did not start: {e}"
                except RunFailed as e:
                    record["error"] = str(e)
                runs.append(record)
                res = record.get("result", {})
                shown = (
                    record.get("failure")
                    or record.get("error")
                    or (
                        f"{res['value']:,.2f} {w.unit}  "
                        f"(server CPU {res.get('server_cpu') or 0:.2f}, "
                        f"loadgen CPU {res['loadgen_cpu']:.2f})"
                    )
                )
                print(f"[{rnd + 1}/{args.rounds}] {w.key:9} {c.key:14} {shown}", file=sys.stderr)

    elapsed = time.monotonic() - t0
    command = " ".join(["python bench/run_tcp.py", *(sys.argv[1:] if argv is None else argv)])
    meta = {
        "command": command,
        "started": started,
        "elapsed_s": elapsed,
        "settings": {
            "rounds": args.rounds,
            "prewarm": args.prewarm,
            "warmup": args.warmup,
            "duration": args.duration,
            "pinned": pin,
            "size": args.size,
            "pipeline": args.pipeline,
            "fortune_conns": args.fortune_conns,
            "fortune_close": args.fortune_close,
            "bulk_bytes": args.bulk_bytes,
        },
        "facts": facts,
    }
    summary = summarize(runs, workloads, contenders, unavailable, args.max_other_cpu)
    report = markdown(summary, workloads, contenders, meta)
    print("\n## Machine\n")
    for k, v in facts.items():
        print(f"* {k}: {v}")
    print()
    print(report)
    out = args.json or harness.results_path("tcp")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**meta, "runs": runs, "summary": summary}, indent=1, default=str))
    print(f"\nraw results: {out}", file=sys.stderr)
    if args.markdown:
        args.markdown.write_text(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
