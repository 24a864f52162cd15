#!/usr/bin/env python3
"""Does a re-run reproduce a benchmark run?  Compare two saved runs figure by figure.

    python bench/compare.py                    # the two most recent bench/results/run-*.md
    python bench/compare.py OLD.md NEW.md      # two given runs

Every run of ``bench/run_all.py`` saves what it printed (every part's markdown
tables) as ``bench/results/run-<UTC time>.md``.  This script reads two such
files, matches every figure (part → table → row → column, e.g. "UDP echo →
UDP echo 64 B, 10 socket(s) … → qtnet readDatagram (uvloop) → × PySide6") and
prints each pair with its change.  A figure is reproduced when the change is
within :data:`NOISE_BAND` — the one place the band is stated; the report and
docs/performance.md quote it from here.  Exit status 0 when every figure is
within the band, 1 otherwise (the ones outside are listed first).

What counts as a figure: every numeric cell of the tables except the columns
that describe the measurement rather than its result (min–max ranges, runs
ok, CPU-use columns, RSS before).  Cells that are not numbers are skipped.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

# The noise band between two runs on this shared 2-core machine, for rates,
# CPU per operation and ratios alike.  ±25 % is the spread the project measured
# between runs of the same code (docs/performance.md, "Reproducing"); ratios
# taken inside one run usually move far less, but a ratio of two rates measured
# minutes apart can move as much as either rate.
NOISE_BAND = 0.25

_PART_END = re.compile(r"^\((?P<title>.+): (?P<status>ok|FAILED), (?P<seconds>\d+) s\)\s*$")
_SKIP_COLUMN = re.compile(
    r"^(min[–-]max|runs ok|range|(server|loadgen|other) CPU|RSS before|errors?)$", re.IGNORECASE
)
# Run-specific words in a caption (when it started, how long it took).
_CAPTION_NOISE = re.compile(r"[;,]?\s*(started|took) [^;]*?(UTC|min\.?)(?=[,;]|$)")
_NUMBER = re.compile(r"^\**\s*(-?[\d,]*\.?\d+)\s*(x|k|%|KB|MB|GB/s)?\b", re.IGNORECASE)


@dataclass
class Part:
    title: str
    ok: bool
    seconds: float
    lines: list[str] = field(default_factory=list)


@dataclass
class Run:
    path: Path
    header: str
    parts: list[Part]


def load_run(path: Path) -> Run:
    """A saved run: its first line (the ``<!-- run … -->`` header) and its parts."""
    text = path.read_text().splitlines(keepends=True)
    header = text[0].strip() if text and text[0].startswith("<!--") else ""
    parts: list[Part] = []
    current: list[str] = []
    for line in text[1:] if header else text:
        m = _PART_END.match(line)
        if m:
            title = m["title"]
            body = current
            # The part's own heading is the first "## " line of its segment.
            for i, ln in enumerate(body):
                if ln.startswith("## "):
                    title = ln[3:].strip()
                    body = body[i + 1 :]
                    break
            parts.append(Part(title, m["status"] == "ok", float(m["seconds"]), body))
            current = []
        else:
            current.append(line)
    return Run(path, header, parts)


def number(cell: str) -> float | None:
    """The leading number of a table cell ("**82,218**", "1.07x", "12.2 (5.0+7.2)")."""
    m = _NUMBER.match(cell.strip())
    if not m:
        return None
    try:
        return float(m.group(1).replace(",", ""))
    except ValueError:
        return None


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def figures(run: Run) -> dict[tuple[str, str, str, str], float]:
    """(part, table caption, row, column) -> value, for every figure of the run."""
    out: dict[tuple[str, str, str, str], float] = {}
    for part in run.parts:
        caption = ""
        header: list[str] | None = None
        for line in part.lines:
            s = line.strip()
            if not s.startswith("|"):
                header = None
                if s:
                    caption = _CAPTION_NOISE.sub("", s.lstrip("#")).strip()
                continue
            cells = _cells(s)
            if header is None:
                header = cells
                continue
            if set("".join(cells)) <= set("-: "):
                continue  # the separator row
            row = cells[0].replace("*", "").strip()
            for name, cell in zip(header[1:], cells[1:], strict=False):
                if _SKIP_COLUMN.search(name):
                    continue
                value = number(cell)
                if value is None:
                    continue
                key = (part.title, caption, row, name)
                n = 2
                while key in out:  # a table printed twice in one part
                    key = (part.title, f"{caption} ({n})", row, name)
                    n += 1
                out[key] = value
    return out


@dataclass
class Comparison:
    matched: list[tuple[tuple[str, str, str, str], float, float, float]]
    only_old: list[tuple[str, str, str, str]]
    only_new: list[tuple[str, str, str, str]]

    @property
    def outside(self) -> list[tuple[tuple[str, str, str, str], float, float, float]]:
        return [m for m in self.matched if abs(m[3]) > NOISE_BAND]

    def median_change(self) -> float:
        return statistics.median(abs(m[3]) for m in self.matched) if self.matched else 0.0


def compare(old: Run, new: Run) -> Comparison:
    a, b = figures(old), figures(new)
    matched = []
    for key, va in a.items():
        if key not in b:
            continue
        vb = b[key]
        if va == 0:
            change = 0.0 if vb == 0 else float("inf")
        else:
            change = (vb - va) / abs(va)
        matched.append((key, va, vb, change))
    return Comparison(
        matched, [k for k in a if k not in b], [k for k in b if k not in a]
    )


def _fmt(v: float) -> str:
    return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"


def summary(c: Comparison, old: Run, new: Run, full: bool = True) -> str:
    """Markdown: the verdict, then the figures outside the band first (all of
    them with ``full``, else only those outside)."""
    band = f"±{NOISE_BAND:.0%}"
    lines = [
        f"Compared `{new.path.name}` with the earlier run `{old.path.name}`: "
        f"{len(c.matched)} figures matched, {len(c.matched) - len(c.outside)} within the "
        f"noise band ({band}), {len(c.outside)} outside; median change "
        f"{c.median_change():.1%}.",
        "",
    ]
    if c.only_old or c.only_new:
        lines += [
            f"Not in both runs: {len(c.only_old)} figures only in the earlier run, "
            f"{len(c.only_new)} only in this one.",
            "",
        ]
    rows = sorted(c.matched if full else c.outside, key=lambda m: -abs(m[3]))
    if not rows:
        return "\n".join(lines) + "\n"
    lines += [f"| figure | earlier | this run | change | within {band} |", "|---|---|---|---|---|"]
    for (part, caption, row, col), va, vb, ch in rows:
        ok = "yes" if abs(ch) <= NOISE_BAND else "**no**"
        name = f"{part} › {caption[:60]} › {row} › {col}"
        lines.append(f"| {name} | {_fmt(va)} | {_fmt(vb)} | {ch:+.1%} | {ok} |")
    return "\n".join(lines) + "\n"


def latest_runs(n: int = 2) -> list[Path]:
    return sorted(RESULTS.glob("run-*.md"))[-n:]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("old", nargs="?", help="the earlier run (default: second most recent)")
    p.add_argument("new", nargs="?", help="the later run (default: most recent)")
    args = p.parse_args(argv)
    if args.old and args.new:
        paths = [Path(args.old), Path(args.new)]
    else:
        paths = latest_runs()
        if len(paths) < 2:
            p.error(f"need two saved runs in {RESULTS} (bench/run_all.py saves one per run)")
    old, new = load_run(paths[0]), load_run(paths[1])
    c = compare(old, new)
    if not c.matched:
        print("no figure in common: not two runs of the same parts?", file=sys.stderr)
        return 1
    sys.stdout.write(summary(c, old, new))
    return 1 if c.outside else 0


if __name__ == "__main__":
    sys.exit(main())
