#!/usr/bin/env python3
"""Autobahn|Testsuite against qtnet: install the testsuite, run it, judge the report.

Two modes (``--mode``; ``both`` is the default):

* ``server`` — the testsuite's ``fuzzingclient`` connects to the qtnet echo
  server (``python -m qtnet.examples.ws_echo_server --deflate``, started here
  on 127.0.0.1 with a port the OS picks);
* ``client`` — the testsuite's ``fuzzingserver`` listens on a free loopback
  port below 32768 and the qtnet QWebSocket client ``tools/autobahn_client.py``
  runs every case against it.

Message size limits: qtnet keeps Qt's incoming limits (INT_MAX - 1), far
above the 16 MiB messages of cases 9.x, and the client raises its limits
explicitly, so no case fails for size.

The report (``<report-dir>/<mode>/index.json``) is read back and summarised
per case group; the exit status is 1 if any selected case is missing, has
behaviour FAILED, or closed UNCLEAN / FAILED / WRONG CODE.

Autobahn|Testsuite runs only on Python 2.7, so it lives in a virtualenv made
from pyenv's 2.7 interpreter under ``.peers/autobahn`` with pinned
dependencies (the last versions with Python 2.7 wheels or sdists that work
together).  ``--install-only`` just does that; it is idempotent and guarded by
a file lock, like ``tools/peers.py``.

    python tools/autobahn.py                         # cases 1-10, 12-13, both modes
    python tools/autobahn.py --cases 1-7 --mode server
    python tools/autobahn.py --cases 9.7,9.8 --report-dir /tmp/ab
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parent.parent
PEER_DIR = REPO / ".peers" / "autobahn"
STAMP = PEER_DIR / "qtnet-peer.json"
LOCK = REPO / ".peers" / ".autobahn.lock"
AGENT = "qtnet"

# Pinned: the set pip resolved for autobahntestsuite 0.8.2 on Python 2.7, frozen
# so later releases that dropped Python 2.7 (or broke the old API) never sneak in.
REQUIREMENTS: tuple[str, ...] = (
    "autobahntestsuite==0.8.2", "autobahn==0.10.9", "Twisted==20.3.0", "pyOpenSSL==21.0.0",
    "cryptography==3.3.2", "cffi==1.15.1", "pycparser==2.21", "service-identity==21.1.0",
    "pyasn1==0.5.1", "pyasn1-modules==0.3.0", "txaio==2.1.0", "klein==20.6.0",
    "Werkzeug==1.0.1", "Tubes==0.2.1", "Jinja2==2.11.3", "MarkupSafe==1.1.1",
    "zope.interface==5.5.2", "attrs==21.4.0", "Automat==22.10.0", "constantly==15.1.0",
    "hyperlink==21.0.0", "incremental==22.10.0", "idna==2.10", "PyHamcrest==1.10.1",
    "six==1.17.0", "enum34==1.1.10", "ipaddress==1.0.23", "typing==3.10.0.0", "ujson==2.0.3",
    "wsaccel==0.6.6", "unittest2==1.1.0", "traceback2==1.4.0", "linecache2==1.0.0",
)
VIRTUALENV_REQUIREMENT = "virtualenv<20.22"  # the last series that still runs on 2.7
PROBE = "import autobahntestsuite, autobahn, twisted; print(autobahntestsuite.__version__)"

# All groups the issue asks for; 11 does not exist in the testsuite.
DEFAULT_CASES = "1-10,12-13"
BAD_CLOSE = {"FAILED", "UNCLEAN", "WRONG CODE"}
COLUMNS = ("OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED")


class AutobahnError(RuntimeError):
    """The testsuite could not be installed or a run could not be carried out."""


# -- installation ---------------------------------------------------------------


def find_python27() -> str:
    """pyenv's newest 2.7.x interpreter (the testsuite runs on nothing newer)."""
    roots: list[str] = []
    if os.environ.get("PYENV_ROOT"):
        roots.append(os.environ["PYENV_ROOT"])
    pyenv = shutil.which("pyenv")
    if pyenv:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pyenv, "root"], capture_output=True, text=True, timeout=30,
                                 check=False).stdout.strip()
            if out:
                roots.append(out)
    roots.append(os.path.expanduser("~/.pyenv"))
    found: list[tuple[tuple[int, ...], str]] = []
    for root in dict.fromkeys(roots):
        for path in glob.glob(os.path.join(root, "versions", "2.7.*", "bin", "python")):
            m = re.search(r"versions/2\.7\.(\d+)/bin/python$", path)
            if m and os.access(path, os.X_OK):
                found.append(((int(m.group(1)),), path))
    if found:
        return max(found)[1]
    on_path = shutil.which("python2.7")
    if on_path:
        return on_path
    raise AutobahnError(
        "no Python 2.7 interpreter: Autobahn|Testsuite needs one (pyenv's 2.7.x or python2.7 "
        "on PATH); looked in " + ", ".join(f"{r}/versions/2.7.*" for r in dict.fromkeys(roots)))


def wstest_path() -> Path:
    return PEER_DIR / "bin" / "wstest"


def _stamp_content(base: str) -> dict[str, object]:
    return {"name": "autobahn", "python": base, "requirements": list(REQUIREMENTS)}


def is_installed() -> bool:
    try:
        stamp = json.loads(STAMP.read_text())
    except (OSError, ValueError):
        return False
    return bool(
        isinstance(stamp, dict)
        and stamp.get("requirements") == list(REQUIREMENTS)
        and wstest_path().exists()
        and (PEER_DIR / "bin" / "python").exists()
    )


def _run_logged(cmd: list[str], log: list[str], timeout: float) -> None:
    log.append("$ " + " ".join(cmd))
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as e:
        raise AutobahnError(f"timed out after {timeout:.0f}s: {' '.join(cmd)}\n"
                            + "\n".join(log)) from e
    # pip on 2.7 warns about every missing local index directory: keep the log readable.
    noise = re.compile(r"is ignored: it is neither a file nor a directory|DEPRECATION: Python 2.7")
    for text in (r.stdout, r.stderr):
        lines = [ln for ln in text.splitlines() if not noise.search(ln)]
        log.append("\n".join(lines)[-4000:])
    if r.returncode != 0:
        raise AutobahnError(f"command failed (exit {r.returncode}): {' '.join(cmd)}\n"
                            + "\n".join(log))


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def ensure_installed(quiet: bool = False) -> Path:
    """Install the testsuite into ``.peers/autobahn`` if needed; return wstest's path."""
    if is_installed():
        return wstest_path()
    with _file_lock(LOCK):
        if is_installed():  # another process finished while we waited
            return wstest_path()
        base = find_python27()
        log = [f"base interpreter: {base}"]
        if not quiet:
            print(f"[autobahn] installing Autobahn|Testsuite into {PEER_DIR} with {base}",
                  file=sys.stderr, flush=True)
        pip = ["-m", "pip", "--disable-pip-version-check", "--no-input"]
        probe = subprocess.run([base, "-m", "virtualenv", "--version"], capture_output=True,
                               text=True, timeout=60, check=False)
        if probe.returncode != 0:
            _run_logged([base, *pip, "install", "-q", VIRTUALENV_REQUIREMENT], log, timeout=600)
        if PEER_DIR.exists():  # a half-finished earlier install must not survive
            shutil.rmtree(PEER_DIR)
        _run_logged([base, "-m", "virtualenv", "-q", str(PEER_DIR)], log, timeout=300)
        py = str(PEER_DIR / "bin" / "python")
        _run_logged([py, *pip, "install", "-q", *REQUIREMENTS], log, timeout=1800)
        r = subprocess.run([py, "-c", PROBE], capture_output=True, text=True, timeout=120,
                           check=False)
        if r.returncode != 0 or not wstest_path().exists():
            raise AutobahnError("Autobahn|Testsuite installed but does not import:\n"
                                + r.stdout + r.stderr + "\n".join(log))
        tmp = STAMP.with_suffix(".tmp")
        tmp.write_text(json.dumps(_stamp_content(base)))
        os.replace(tmp, STAMP)
        return wstest_path()


def testsuite_version() -> str:
    py = str(PEER_DIR / "bin" / "python")
    code = ("import autobahntestsuite, autobahn, twisted, sys;"
            "print('autobahntestsuite %s, autobahn %s, Twisted %s, Python %s' % ("
            "autobahntestsuite.__version__, autobahn.__version__, twisted.__version__,"
            " sys.version.split()[0]))")
    r = subprocess.run([py, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    return r.stdout.strip() or "unknown"


# -- case selection ---------------------------------------------------------------


def case_patterns(spec: str) -> list[str]:
    """``"1-7,9.7,12.1.1"`` -> ``["1.*", ..., "7.*", "9.7.*", "12.1.1"]``."""
    patterns: list[str] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        m = re.fullmatch(r"(\d+)-(\d+)", part)
        if m:
            lo, hi = int(m.group(1)), int(m.group(2))
            patterns.extend(f"{g}.*" for g in range(lo, hi + 1) if g != 11)
        elif re.fullmatch(r"\d+(\.\d+)*", part):
            patterns.append(part if part.count(".") >= 2 else part + ".*")
        elif re.fullmatch(r"[\d.*]+", part):
            patterns.append(part)
        else:
            raise AutobahnError(f"bad case selection {part!r} (use e.g. 1-7,9.7,12.1.1)")
    if not patterns:
        raise AutobahnError("no cases selected")
    return patterns


def expected_cases(patterns: list[str]) -> list[str]:
    """The case ids the testsuite will run for ``patterns`` (asked of the testsuite itself)."""
    py = str(PEER_DIR / "bin" / "python")
    code = (
        "import json, sys\n"
        "from autobahntestsuite.caseset import CaseSet\n"
        "from autobahntestsuite.case import CaseSetname, CaseBasename, Cases, "
        "CaseCategories, CaseSubCategories\n"
        "cs = CaseSet(CaseSetname, CaseBasename, Cases, CaseCategories, CaseSubCategories)\n"
        "print(json.dumps(cs.parseSpecCases({'cases': json.loads(sys.argv[1])})))\n"
    )
    r = subprocess.run([py, "-c", code, json.dumps(patterns)], capture_output=True, text=True,
                       timeout=120, check=False)
    if r.returncode != 0:
        raise AutobahnError("cannot list the selected cases:\n" + r.stderr)
    cases: list[str] = json.loads(r.stdout)
    return cases


# -- running -----------------------------------------------------------------------


def free_port_below_32768() -> int:
    """A free loopback port outside Linux's ephemeral range (wstest cannot take port 0)."""
    for _ in range(200):
        port = 20000 + int.from_bytes(os.urandom(2), "big") % 12000
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AutobahnError("no free port found in 20000-31999")


def _qtnet_env() -> dict[str, str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    src = str(REPO / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class _OutputPump:
    """Copies a child's output into the log from a thread (a full pipe would
    block the child) and lets the caller wait for a line that matches."""

    def __init__(self, proc: subprocess.Popen[str], log: IO[str], label: str) -> None:
        self.lines: list[str] = []
        self.cond = threading.Condition()
        self.done = False
        self.thread = threading.Thread(target=self._pump, args=(proc, log, label), daemon=True)
        self.thread.start()

    def _pump(self, proc: subprocess.Popen[str], log: IO[str], label: str) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(f"[{label}] {line}")
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        checked = 0
        with self.cond:
            while True:
                for line in self.lines[checked:]:
                    m = re.search(pattern, line)
                    if m:
                        return m
                checked = len(self.lines)
                left = deadline - time.monotonic()
                if self.done or left <= 0:
                    raise AutobahnError(f"process did not print {pattern!r}; it printed:\n"
                                        + "".join(self.lines[-50:]))
                self.cond.wait(left)

    def join(self) -> None:
        self.thread.join(timeout=10)


def run_server_mode(wstest: Path, patterns: list[str], outdir: Path, timeout: float,
                    log: IO[str]) -> None:
    """fuzzingclient -> qtnet echo server."""
    server = subprocess.Popen(
        [sys.executable, "-m", "qtnet.examples.ws_echo_server", "--host", "127.0.0.1",
         "--port", "0", "--deflate"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_qtnet_env())
    pump = _OutputPump(server, log, "qtnet echo server")
    try:
        port = int(pump.wait_for(r"listening on port (\d+)", 60).group(1))
        spec = {
            "options": {"failByDrop": False},
            "outdir": str(outdir),
            "servers": [{"agent": AGENT, "url": f"ws://127.0.0.1:{port}",
                         "options": {"version": 18}}],
            "cases": patterns,
            "exclude-cases": [],
            "exclude-agent-cases": {},
        }
        spec_path = outdir.parent / "fuzzingclient.json"
        spec_path.write_text(json.dumps(spec, indent=2))
        r = subprocess.run([str(wstest), "-m", "fuzzingclient", "-s", str(spec_path)],
                           stdout=log, stderr=subprocess.STDOUT, timeout=timeout,
                           cwd=str(outdir.parent), check=False)
        if r.returncode != 0:
            raise AutobahnError(f"wstest fuzzingclient exited with {r.returncode}")
        if server.poll() is not None:
            raise AutobahnError(f"the qtnet echo server died (exit {server.returncode})")
    finally:
        _stop(server)
        pump.join()


def run_client_mode(wstest: Path, patterns: list[str], outdir: Path, timeout: float,
                    log: IO[str]) -> None:
    """fuzzingserver <- qtnet QWebSocket client."""
    port = free_port_below_32768()
    url = f"ws://127.0.0.1:{port}"
    spec = {
        "url": url,
        "options": {"failByDrop": False},
        "outdir": str(outdir),
        "webport": 0,
        "cases": patterns,
        "exclude-cases": [],
        "exclude-agent-cases": {},
    }
    spec_path = outdir.parent / "fuzzingserver.json"
    spec_path.write_text(json.dumps(spec, indent=2))
    server = subprocess.Popen(
        [str(wstest), "-m", "fuzzingserver", "-s", str(spec_path), "--webport", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=str(outdir.parent))
    pump = _OutputPump(server, log, "wstest")
    try:
        pump.wait_for(r"Ok, will run \d+ test cases", 120)
        # wstest prints that line just before it listens: wait until it accepts.
        deadline = time.monotonic() + 30
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline or server.poll() is not None:
                raise AutobahnError("wstest fuzzingserver never listened on " + url)
            time.sleep(0.1)
        client = subprocess.run(
            [sys.executable, str(REPO / "tools" / "autobahn_client.py"), "--url", url,
             "--agent", AGENT],
            stdout=log, stderr=subprocess.STDOUT, timeout=timeout, env=_qtnet_env(),
            check=False)
        if client.returncode != 0:
            log.write(f"qtnet client exited with {client.returncode}\n")
        # updateReports writes the report before it closes the connection, but
        # give the file system a moment in case the client raced ahead.
        deadline = time.monotonic() + 30
        while not (outdir / "index.json").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        _stop(server)
        pump.join()


# -- the report -------------------------------------------------------------------


def load_results(outdir: Path) -> dict[str, dict[str, Any]]:
    index = outdir / "index.json"
    try:
        data = json.loads(index.read_text())
    except (OSError, ValueError) as e:
        raise AutobahnError(f"no readable report at {index}: {e}") from e
    results: dict[str, dict[str, Any]] = data.get(AGENT, {})
    return results


def case_key(case_id: str) -> tuple[int, ...]:
    return tuple(int(x) for x in case_id.split("."))


def judge(results: dict[str, dict[str, Any]], expected: list[str]) -> list[str]:
    """Every problem in ``results``: missing cases, FAILED behaviour, bad closes."""
    problems: list[str] = []
    for case_id in expected:
        r = results.get(case_id)
        if r is None:
            problems.append(f"{case_id}: missing from the report")
            continue
        behavior, close = r.get("behavior"), r.get("behaviorClose")
        if behavior == "FAILED" or close in BAD_CLOSE:
            problems.append(f"{case_id}: behavior {behavior}, close {close}")
    return problems


def summary_rows(results: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, int]]]:
    """Counts per case group (9.x split at the second level is too fine: one row per group)."""
    groups: dict[int, dict[str, int]] = {}
    for case_id, r in results.items():
        g = case_key(case_id)[0]
        row = groups.setdefault(g, dict.fromkeys((*COLUMNS, "UNCLEAN"), 0))
        behavior = str(r.get("behavior"))
        row[behavior] = row.get(behavior, 0) + 1
        if r.get("behaviorClose") in BAD_CLOSE:
            row["UNCLEAN"] += 1
    return [(str(g), groups[g]) for g in sorted(groups)]


def format_table(title: str, results: dict[str, dict[str, Any]]) -> str:
    head = ("group", "cases", "Pass", "Non-Strict", "Informational", "Unimplemented",
            "Failed", "Unclean")
    lines = [title, "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    total = dict.fromkeys((*COLUMNS, "UNCLEAN"), 0)
    for group, row in summary_rows(results):
        n = sum(row[c] for c in COLUMNS)
        lines.append(f"| {group} | {n} | " + " | ".join(str(row[c]) for c in COLUMNS)
                     + f" | {row['UNCLEAN']} |")
        for c in total:
            total[c] += row[c]
    n = sum(total[c] for c in COLUMNS)
    lines.append(f"| all | {n} | " + " | ".join(str(total[c]) for c in COLUMNS)
                 + f" | {total['UNCLEAN']} |")
    return "\n".join(lines)


def durations(results: dict[str, dict[str, Any]], prefix: str) -> list[tuple[str, int]]:
    picked = [(c, int(r.get("duration", 0))) for c, r in results.items()
              if c.startswith(prefix)]
    return sorted(picked, key=lambda item: case_key(item[0]))


def non_strict(results: dict[str, dict[str, Any]]) -> list[str]:
    return sorted((c for c, r in results.items() if r.get("behavior") == "NON-STRICT"),
                  key=case_key)


# -- command line -----------------------------------------------------------------


def execute(mode: str, patterns: list[str], report_dir: Path, timeout: float) -> float:
    """Run one mode into ``report_dir/<mode>``; returns the seconds it took."""
    wstest = ensure_installed()
    outdir = report_dir / mode
    if outdir.exists():
        shutil.rmtree(outdir)
    outdir.mkdir(parents=True)
    log_path = report_dir / f"{mode}.log"
    started = time.monotonic()
    with open(log_path, "w", buffering=1) as log:
        try:
            if mode == "server":
                run_server_mode(wstest, patterns, outdir, timeout, log)
            else:
                run_client_mode(wstest, patterns, outdir, timeout, log)
        except subprocess.TimeoutExpired as e:
            raise AutobahnError(f"{mode} mode did not finish within {timeout:.0f}s "
                                f"(log: {log_path})") from e
    elapsed = time.monotonic() - started
    (report_dir / f"{mode}.run.json").write_text(json.dumps(
        {"elapsed": elapsed, "patterns": patterns, "testsuite": testsuite_version(),
         "python": sys.version.split()[0]}))
    return elapsed


def report(mode: str, report_dir: Path, expected: list[str] | None) -> tuple[bool, str]:
    """Judge ``report_dir/<mode>``; prints the summary, returns (passed, markdown)."""
    outdir = report_dir / mode
    results = load_results(outdir)
    try:
        run_info = json.loads((report_dir / f"{mode}.run.json").read_text())
    except (OSError, ValueError):
        run_info = {}
    if expected is None:
        expected = expected_cases(run_info.get("patterns") or case_patterns(DEFAULT_CASES))
    problems = judge(results, expected)
    elapsed = float(run_info.get("elapsed", 0.0))
    what = ("fuzzingclient -> qtnet echo server" if mode == "server"
            else "fuzzingserver <- qtnet client")
    title = f"{mode} mode ({what}): {len(expected)} cases in {elapsed:.1f} s"
    table = format_table(title, results)
    print("\n" + table)
    notes: list[str] = []
    for c in non_strict(results):
        notes.append(f"NON-STRICT {c}: {results[c].get('behavior')} / "
                     f"{results[c].get('behaviorClose')}")
    for problem in problems:
        notes.append(f"PROBLEM {problem}")
    for note in notes:
        print("  " + note)
    print(f"  report: {outdir / 'index.html'}  log: {report_dir / (mode + '.log')}", flush=True)
    md = [f"### {title}", "", *table.splitlines()[1:], ""]
    for prefix in ("9.7.", "9.8."):
        picked = durations(results, prefix)
        if picked:
            md.append(f"{prefix[:-1]} durations (ms): "
                      + ", ".join(f"{c} {ms}" for c, ms in picked))
            md.append("")
    md.extend(f"- {note}" for note in notes)
    return not problems, "\n".join(md) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run Autobahn|Testsuite against qtnet")
    parser.add_argument("--mode", choices=("server", "client", "both"), default="both",
                        help="server: test the qtnet server; client: test the qtnet client")
    parser.add_argument("--cases", default=DEFAULT_CASES,
                        help=f"case groups/ids, e.g. 1-7 or 9.7,12.1.1 [default: {DEFAULT_CASES}]")
    parser.add_argument("--report-dir", default=str(REPO / "reports" / "autobahn"),
                        help="where the reports go [default: reports/autobahn]")
    parser.add_argument("--timeout", type=float, default=7200,
                        help="seconds allowed per mode [default: 7200]")
    parser.add_argument("--install-only", action="store_true",
                        help="only make sure the testsuite is installed")
    parser.add_argument("--report-only", action="store_true",
                        help="do not run: judge the reports already in --report-dir")
    parser.add_argument("--markdown", help="also write the summary as Markdown to this file")
    args = parser.parse_args(argv)
    try:
        wstest = ensure_installed()
        if args.install_only:
            print(wstest)
            return 0
        print(f"Autobahn|Testsuite: {testsuite_version()}; qtnet under "
              f"Python {sys.version.split()[0]}", flush=True)
        report_dir = Path(args.report_dir).resolve()
        report_dir.mkdir(parents=True, exist_ok=True)
        modes = ("server", "client") if args.mode == "both" else (args.mode,)
        ok = True
        markdown: list[str] = []
        for mode in modes:
            expected: list[str] | None = None
            if not args.report_only:
                patterns = case_patterns(args.cases)
                expected = expected_cases(patterns)
                execute(mode, patterns, report_dir, args.timeout)
            passed, md = report(mode, report_dir, expected)
            markdown.append(md)
            ok = ok and passed
        if args.markdown:
            Path(args.markdown).write_text("\n".join(markdown))
    except AutobahnError as e:
        print(f"autobahn: {e}", file=sys.stderr)
        return 2
    print("\nAutobahn: " + ("all selected cases passed" if ok else "FAILURES (see above)"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
