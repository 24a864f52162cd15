"""The generated part of docs/performance.md: machine, command, tables, charts.

Called by bench/run_all.py at the end of a run.  The hand-written parts of
docs/performance.md (method, analysis, targets) stay as they are: only the
text between ``<!-- results:begin -->`` and ``<!-- results:end -->`` is
replaced.  Charts (matplotlib, installed into the running interpreter's
environment on first use) go to docs/img/ and are drawn from the raw JSON
files the parts of this run saved in bench/results/.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import harness

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "performance.md"
IMG = REPO / "docs" / "img"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def _results_since(prefix: str, started: float) -> list[dict[str, Any]]:
    """Raw result files of one kind written by this run, oldest first."""
    files = sorted(
        p for p in harness.RESULTS.glob(f"{prefix}-*.json") if p.stat().st_mtime >= started - 1
    )
    out = []
    for path in files:
        if prefix == "ws" and path.name.startswith("ws-broadcast"):
            continue
        try:
            out.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    return out


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "matplotlib"], check=True, timeout=900
        )
        import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# -- the figures ----------------------------------------------------------------------------------
def rates_by_workload(started: float) -> dict[str, dict[str, float]]:
    """workload title -> {contender label: median rate} from this run's files."""
    out: dict[str, dict[str, float]] = {}
    for data in _results_since("tcp", started):
        size = data.get("settings", {}).get("size")
        echo = data.get("summary", {}).get("echo-c32")
        if size == 64 and echo:
            out["TCP echo 64 B, 32 conns"] = {
                v["label"]: v["median"] for v in echo.values() if v.get("median")
            }
    for data in _results_since("udp", started):
        ten = data.get("summary", {}).get("10", {})
        out["UDP echo 64 B, 10 sockets"] = {
            v["label"]: v["median"] for v in ten.values() if v.get("median")
        }
    for data in _results_since("ws", started):
        summary = data.get("summary", {})
        labels = {
            "qtnet": "qtnet (uvloop)",
            "qtnet-asyncio": "qtnet (asyncio)",
            "pyside6": "PySide6",
            "websockets": "websockets",
            "picows": "picows",
        }
        out["WebSocket echo 64 B, 32 conns"] = {
            labels.get(k, k): v["64"]["rps"]
            for k, v in summary.items()
            if isinstance(v, dict) and v.get("64", {}).get("rps")
        }
    for data in _results_since("ws-broadcast", started):
        labels = {"qtnet": "qtnet (uvloop)", "pyside6": "PySide6", "websockets": "websockets"}
        out["WebSocket broadcast, 1,000 clients (deliveries)"] = {
            labels.get(k, k): v["median"] for k, v in data.get("summary", {}).items()
        }
    return out


def throughput_by_size(started: float) -> dict[str, dict[int, float]]:
    """contender label -> {message size: MB/s echoed} from this run's size sweep."""
    out: dict[str, dict[int, float]] = {}
    for data in _results_since("tcp", started):
        size = data.get("settings", {}).get("size")
        summary = data.get("summary", {})
        if set(summary) != {"echo-c10"} or not size:
            continue
        for v in summary["echo-c10"].values():
            if v.get("median"):
                out.setdefault(v["label"], {})[size] = v["median"] * size / 1e6
    return out


def draw_rates(rates: dict[str, dict[str, float]], path: Path) -> bool:
    if not rates:
        return False
    plt = _matplotlib()
    height = 0.6 + 0.8 * len(rates) + 0.3 * sum(len(v) for v in rates.values())
    fig, axes = plt.subplots(len(rates), 1, figsize=(8, height))
    if len(rates) == 1:
        axes = [axes]
    for ax, (title, values) in zip(axes, rates.items(), strict=True):
        items = sorted(values.items(), key=lambda kv: kv[1])
        colors = ["#2a7ab9" if label.startswith("qtnet") else "#9a9a9a" for label, _ in items]
        ax.barh([label for label, _ in items], [v for _, v in items], color=colors)
        for i, (_, v) in enumerate(items):
            ax.text(v, i, f" {v:,.0f}", va="center", fontsize=8)
        ax.set_title(title, fontsize=10, loc="left")
        ax.tick_params(labelsize=8)
        ax.set_xlim(0, max(values.values()) * 1.25)
    axes[-1].set_xlabel("per second (median of rounds; higher is better)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def draw_sizes(series: dict[str, dict[int, float]], path: Path) -> bool:
    if not series:
        return False
    plt = _matplotlib()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for label, points in sorted(series.items()):
        sizes = sorted(points)
        ax.plot(
            sizes,
            [points[s] for s in sizes],
            marker="o",
            linewidth=2.5 if label.startswith("qtnet") else 1.5,
            label=label,
        )
    ax.set_xscale("log", base=2)
    ax.set_xticks(sorted({s for p in series.values() for s in p}))
    ax.set_xticklabels([_size_label(s) for s in ax.get_xticks()])
    ax.set_xlabel("message size (TCP echo, 10 connections)")
    ax.set_ylabel("MB/s echoed")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def _size_label(size: float) -> str:
    size = int(size)
    if size >= 1 << 20:
        return f"{size >> 20} MiB"
    if size >= 1024:
        return f"{size >> 10} KiB"
    return f"{size} B"


# -- the markdown ---------------------------------------------------------------------------------
def _part_markdown(lines: Sequence[str]) -> str:
    out = []
    for line in lines:
        if line.startswith("#"):
            line = "#" + line  # one level below the part's heading
        if line.startswith("raw results: "):
            path = Path(line.split(": ", 1)[1].strip())
            line = f"raw results: `{path.relative_to(REPO) if path.is_absolute() else path}`\n"
        out.append(line)
    return "".join(out).strip()


def results_block(
    parts: Sequence[Any],
    command: str,
    started: float,
    smoke: bool,
    finished: float | None = None,
    reproducibility: str | None = None,
) -> str:
    IMG.mkdir(parents=True, exist_ok=True)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(started))
    minutes = ((finished or time.time()) - started) / 60
    lines = [BEGIN, "", "## Results", ""]
    if smoke:
        lines += [
            "**Smoke run: short measurements that only check everything runs. "
            "Do not quote these numbers.**",
            "",
        ]
    lines += [
        f"Generated by `{command}` on {when} ({minutes:.0f} minutes). "
        "Everything below this line up to the end marker is rewritten by each run.",
        "",
    ]
    lines += ["### Machine", "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in harness.machine_facts().items()]
    lines.append("")
    charts = []
    if draw_rates(rates_by_workload(started), IMG / "perf-rates.png"):
        charts.append("![Messages per second per contender](img/perf-rates.png)")
    if draw_sizes(throughput_by_size(started), IMG / "perf-sizes.png"):
        charts.append("![TCP echo throughput vs message size](img/perf-sizes.png)")
    if charts:
        lines += ["### Charts", "", *[c + "\n" for c in charts]]
    for part in parts:
        status = "" if part.ok else " — **FAILED** (see the output above for the reason)"
        lines += [
            f"### {part.title}{status}",
            "",
            f"({part.seconds / 60:.1f} minutes)",
            "",
            _part_markdown(part.output),
            "",
        ]
    if reproducibility:
        lines += [
            "### Reproducibility",
            "",
            "This run against the previous saved run (`python bench/compare.py`; "
            "noise band `NOISE_BAND` in bench/compare.py; the script lists every figure). "
            "The figures outside the band:",
            "",
            reproducibility,
            "",
        ]
    lines += [END]
    return "\n".join(lines) + "\n"


def write(*args: Any, **kwargs: Any) -> Path:
    """Put :func:`results_block` (same arguments) between the markers of docs/performance.md."""
    block = results_block(*args, **kwargs)
    text = DOC.read_text() if DOC.exists() else "# Performance\n\n"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block
    DOC.write_text(text)
    return DOC
