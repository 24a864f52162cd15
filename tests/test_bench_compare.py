"""bench/compare.py: matching figures of two saved benchmark runs and the band verdict.

Synthetic runs in the format bench/run_all.py saves (no benchmark is run).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import compare  # noqa: E402

RUN = """<!-- run: started=1700000000; finished=1700001200; command=python bench/run_all.py -->

## UDP echo

$ python bench/bench_udp.py --rounds 3
3 rounds, fresh server per run; started 2026-11-22 {when} UTC, took 2.4 min.

#### UDP echo 64 B, 10 socket(s) — round trips/s

| contender | median | min–max | runs ok | server CPU | × PySide6 |
|---|---|---|---|---|---|
| qtnet readDatagram (uvloop) | **{qtnet}** | 98.1 k–104.4 k | 3/3 | 0.99 | {ratio}x |
| PySide6 readDatagram | **80,202** | 79.6 k–80.3 k | 3/3 | 0.99 | 1.00x |

(UDP echo: ok, 144 s)

## WebSocket echo

| server | 64 B msg/s (min-max) | 64 B server µs/msg (user+sys) |
|---|---|---|
| qtnet (uvloop) | 88,313 (80.5-89.2 k) | {ws} (4.7+7.0) |

(WebSocket echo: ok, 89 s)
"""


def _write(tmp: Path, name: str, **values: str) -> Path:
    fields = {"when": "10:11:17", "qtnet": "102,267", "ratio": "1.27", "ws": "11.3"} | values
    path = tmp / name
    path.write_text(RUN.format(**fields))
    return path


def test_figures_are_matched_by_part_table_row_and_column(tmp_path: Path) -> None:
    run = compare.load_run(_write(tmp_path, "run-1.md"))
    assert [p.title for p in run.parts] == ["UDP echo", "WebSocket echo"]
    figs = compare.figures(run)
    caption = "UDP echo 64 B, 10 socket(s) — round trips/s"
    assert figs[("UDP echo", caption, "qtnet readDatagram (uvloop)", "median")] == 102267
    assert figs[("UDP echo", caption, "qtnet readDatagram (uvloop)", "× PySide6")] == 1.27
    ws = ("WebSocket echo", "", "qtnet (uvloop)", "64 B server µs/msg (user+sys)")
    assert figs[ws] == 11.3
    assert figs[("WebSocket echo", "", "qtnet (uvloop)", "64 B msg/s (min-max)")] == 88313
    # Ranges, run counts and CPU-use columns describe the measurement: not figures.
    columns = {key[3] for key in figs}
    assert not columns & {"min–max", "runs ok", "server CPU"}


def test_a_rerun_within_the_band_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Another start time in the caption must not stop figures from matching.
    old = _write(tmp_path, "run-1.md")
    new = _write(tmp_path, "run-2.md", when="11:02:00", qtnet="95,000", ratio="1.20", ws="12.0")
    assert compare.main([str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert "6 figures matched, 6 within the noise band (±25%), 0 outside" in out
    assert "-7.1%" in out  # 102,267 -> 95,000


def test_a_figure_outside_the_band_fails_and_is_listed_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _write(tmp_path, "run-1.md")
    new = _write(tmp_path, "run-2.md", qtnet="60,000", ratio="0.75")
    assert compare.main([str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "2 outside" in out
    table = [line for line in out.splitlines() if line.startswith(("| UDP", "| Web"))]
    assert "**no**" in table[0] and "**no**" in table[1] and "**no**" not in table[2]
    c = compare.compare(compare.load_run(old), compare.load_run(new))
    brief = compare.summary(c, compare.load_run(old), compare.load_run(new), full=False)
    assert brief.count("**no**") == 2 and "yes" not in brief


def test_runs_with_nothing_in_common_fail(tmp_path: Path) -> None:
    old = _write(tmp_path, "run-1.md")
    other = tmp_path / "run-2.md"
    other.write_text("<!-- run: started=1; finished=2; command=x -->\n\n## Idle\n\n(Idle: ok, 1 s)\n")  # noqa: E501
    assert compare.main([str(old), str(other)]) == 1
