"""Autobahn|Testsuite, the fast subset (cases 1-7), against the qtnet server and client.

``tools/autobahn.py`` installs the testsuite (Python 2.7, in ``.peers/autobahn``;
the first install takes about a minute, later runs reuse it), starts the
qtnet echo server for ``fuzzingclient`` and the qtnet client for
``fuzzingserver``, and judges the JSON report.  These tests run it as a
subprocess and then read the report themselves: every one of the 246 cases
must be present, none FAILED, none closed uncleanly.  The full run (cases
1-10 and 12-13) is in docs/conformance.md.

A testsuite that cannot be installed FAILS the test with the installer's
output: it is never skipped.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "tools" / "autobahn.py"
CASES_1_TO_7 = 246  # 16 + 11 + 7 + 10 + 20 + 145 + 37 (autobahntestsuite 0.8.2)
GOOD_BEHAVIOR = {"OK", "NON-STRICT", "INFORMATIONAL"}
GOOD_CLOSE = {"OK", "INFORMATIONAL"}


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("qtnet_tools_autobahn", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


autobahn = _load_tool()


@pytest.fixture(scope="module")
def testsuite() -> Path:
    try:
        wstest: Path = autobahn.ensure_installed(quiet=True)
    except autobahn.AutobahnError as e:
        pytest.fail(f"Autobahn|Testsuite could not be installed: {e}", pytrace=False)
    return wstest


def _run_mode(mode: str, report_dir: Path) -> dict[str, dict[str, Any]]:
    r = subprocess.run(
        [sys.executable, str(SCRIPT), "--mode", mode, "--cases", "1-7",
         "--report-dir", str(report_dir), "--timeout", "420"],
        capture_output=True, text=True, timeout=480, check=False)
    log = report_dir / f"{mode}.log"
    tail = log.read_text()[-3000:] if log.exists() else "(no log)"
    assert r.returncode == 0, (
        f"tools/autobahn.py --mode {mode} exited {r.returncode}\n{r.stdout}\n{r.stderr}\n"
        f"--- log tail ---\n{tail}")
    index = json.loads((report_dir / mode / "index.json").read_text())
    results: dict[str, dict[str, Any]] = index["qtnet"]
    return results


def _assert_clean(results: dict[str, dict[str, Any]]) -> None:
    assert len(results) == CASES_1_TO_7, sorted(results)
    groups = {case_id.split(".")[0] for case_id in results}
    assert groups == {"1", "2", "3", "4", "5", "6", "7"}
    bad = {case_id: (r["behavior"], r["behaviorClose"]) for case_id, r in results.items()
           if r["behavior"] not in GOOD_BEHAVIOR or r["behaviorClose"] not in GOOD_CLOSE}
    assert not bad, f"Autobahn cases not passed: {bad}"


@pytest.mark.timeout(600)
def test_qtnet_server_passes_cases_1_to_7(testsuite: Path, tmp_path: Path) -> None:
    """fuzzingclient against the qtnet echo server."""
    _assert_clean(_run_mode("server", tmp_path))


@pytest.mark.timeout(600)
def test_qtnet_client_passes_cases_1_to_7(testsuite: Path, tmp_path: Path) -> None:
    """fuzzingserver against the qtnet QWebSocket client."""
    _assert_clean(_run_mode("client", tmp_path))


# -- the judging logic of tools/autobahn.py ---------------------------------------


def test_case_selection_expands_groups_and_ids() -> None:
    assert autobahn.case_patterns("1-3") == ["1.*", "2.*", "3.*"]
    assert autobahn.case_patterns("10-13") == ["10.*", "12.*", "13.*"]  # there is no group 11
    assert autobahn.case_patterns("9.7, 12.1.1") == ["9.7.*", "12.1.1"]
    with pytest.raises(autobahn.AutobahnError):
        autobahn.case_patterns("all")


def test_judge_reports_failed_unclean_and_missing_cases() -> None:
    results = {
        "1.1.1": {"behavior": "OK", "behaviorClose": "OK"},
        "2.1": {"behavior": "FAILED", "behaviorClose": "OK"},
        "3.1": {"behavior": "OK", "behaviorClose": "UNCLEAN"},
        "6.4.3": {"behavior": "NON-STRICT", "behaviorClose": "OK"},
        "7.1.6": {"behavior": "INFORMATIONAL", "behaviorClose": "INFORMATIONAL"},
    }
    problems = autobahn.judge(results, ["1.1.1", "2.1", "3.1", "4.1.1", "6.4.3", "7.1.6"])
    assert problems == [
        "2.1: behavior FAILED, close OK",
        "3.1: behavior OK, close UNCLEAN",
        "4.1.1: missing from the report",
    ]
    table = autobahn.format_table("t", results)
    assert "| all | 5 | 2 | 1 | 1 | 0 | 1 | 1 |" in table
