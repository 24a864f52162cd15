"""Shared machinery for qtnet's network benchmarks (not a test module).

* builds the C load generator and C echo server into ``bench/build/`` with the
  system ``cc -O2`` when a binary is missing or older than its source;
* knows the contender servers (C, qtnet on asyncio/uvloop, PySide6 in its
  Python 3.12 peer venv, bare asyncio/uvloop Protocols) and how to start each
  one pinned to a CPU, waiting for its ``PORT <n>`` line;
* runs the load generator pinned to the other CPU and parses its JSON line;
* collects machine facts and small statistics helpers.

A contender that cannot start (missing module, PySide6 peer not installable,
qtnet class not written yet) raises :class:`Unavailable` with the reason, so
a benchmark run reports it instead of crashing.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BUILD = BENCH / "build"
RESULTS = BENCH / "results"
SERVERS = BENCH / "servers"
C_DIR = BENCH / "c"
# tool -> (sources compiled together, headers they include)
C_SOURCES: dict[str, tuple[list[Path], list[Path]]] = {
    "loadgen": ([C_DIR / "loadgen.c", C_DIR / "loadgen_core.c"], [C_DIR / "loadgen.h"]),
    "echo_server": ([C_DIR / "echo_server.c"], []),
}

SERVER_CPU = "0"
LOADGEN_CPU = "1"
STARTUP_TIMEOUT_S = 60.0  # PySide6's first import on a cold cache can take a while


class Unavailable(Exception):
    """A contender cannot run here; the message says why."""


class RunFailed(Exception):
    """One benchmark run failed (server crashed, load generator error)."""


# -- building the C tools -------------------------------------------------------


def build_c_tools(force: bool = False) -> dict[str, Path]:
    """Compile loadgen and echo_server if missing or older than their source."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    BUILD.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for name, (sources, headers) in C_SOURCES.items():
        exe = BUILD / name
        newest = max(p.stat().st_mtime for p in (*sources, *headers))
        if force or not exe.exists() or exe.stat().st_mtime < newest:
            if cc is None:
                raise SystemExit("no C compiler (cc) found: install gcc (apt-get install gcc)")
            # Build under a private name, then rename: other benchmark runs may be
            # executing (or building) the same binary right now.
            tmp = exe.with_name(f".{name}.{os.getpid()}.tmp")
            cmd = [cc, "-O2", "-Wall", "-Wextra", "-o", str(tmp), *map(str, sources)]
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
            if proc.returncode != 0:
                tmp.unlink(missing_ok=True)
                raise SystemExit(f"compiling {name} failed:\n{proc.stderr}")
            os.replace(tmp, exe)
        out[name] = exe
    return out


def raise_nofile_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def exit_cleanly_on_signals() -> None:
    """SIGTERM/SIGINT unwind the stack, so every started server is stopped.

    Background jobs of a non-interactive shell start with SIGINT ignored, and
    SIGTERM would kill the harness without running any cleanup.
    """

    def _exit(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, _exit)


def can_pin() -> bool:
    return shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2


def pinned(argv: Sequence[str], cpu: str | None) -> list[str]:
    return ["taskset", "-c", cpu, *argv] if cpu is not None else list(argv)


# -- interpreters -----------------------------------------------------------------


def repo_python() -> str:
    """The repo's venv interpreter (qtnet + uvloop installed), else this one."""
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


@functools.lru_cache(maxsize=1)
def _tools_peers() -> ModuleType:
    path = REPO / "tools" / "peers.py"
    spec = importlib.util.spec_from_file_location("qtnet_tools_peers_bench", path)
    if spec is None or spec.loader is None:
        raise Unavailable(f"cannot load {path}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses need the module registered
    spec.loader.exec_module(mod)
    return mod


@functools.lru_cache(maxsize=1)
def pyside6_python() -> str:
    """The PySide6 peer's interpreter (Python 3.12), installing it on first use."""
    try:
        return str(_tools_peers().ensure("pyside6"))
    except Exception as e:  # PeerError, OSError, ...: report, never crash the run
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise Unavailable(f"PySide6 peer: {first}") from e


def peer_env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("PYTHONPATH", None)  # keep the repo venv's packages out of the peer
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def qtnet_env(loop: str) -> dict[str, str]:
    env = dict(os.environ)
    env["QTNET_LOOP"] = loop
    src = str(REPO / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


# -- contenders ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Contender:
    """One server implementation; ``command(kind)`` builds its argv for a workload kind."""

    key: str
    label: str
    kinds: tuple[str, ...]  # workload kinds it serves: "echo", "fortune", ...

    def command(self, kind: str) -> tuple[list[str], dict[str, str]]:
        py = repo_python()
        if self.key == "c":
            exe = str(BUILD / "echo_server")
            mode = {"echo": "tcp-echo", "fortune": "fortune"}[kind]
            return [exe, "--mode", mode, "--port", "0"], dict(os.environ)
        if self.key in ("qtnet-asyncio", "qtnet-uvloop"):
            script = SERVERS / f"qtnet_{kind}.py"
            return [py, str(script), "--port", "0"], qtnet_env(self.key.split("-")[1])
        if self.key == "pyside6":
            script = SERVERS / f"pyside6_{kind}.py"
            return [pyside6_python(), str(script), "--port", "0"], peer_env()
        if self.key in ("asyncio", "uvloop"):
            name = {"echo": "asyncio_protocol_echo.py", "fortune": "asyncio_fortune.py"}[kind]
            return [py, str(SERVERS / name), "--loop", self.key, "--port", "0"], dict(os.environ)
        raise Unavailable(f"unknown contender {self.key}")


CONTENDERS: dict[str, Contender] = {
    c.key: c
    for c in (
        Contender("c", "C epoll server", ("echo", "fortune")),
        Contender("qtnet-asyncio", "qtnet (asyncio loop)", ("echo", "fortune")),
        Contender("qtnet-uvloop", "qtnet (uvloop loop)", ("echo", "fortune")),
        Contender("pyside6", "PySide6 6.12 (Qt, Python 3.12)", ("echo", "fortune")),
        Contender("asyncio", "asyncio Protocol", ("echo", "fortune")),
        Contender("uvloop", "uvloop Protocol", ("echo", "fortune")),
    )
}


# -- server processes ---------------------------------------------------------------


class ServerProcess:
    """A contender server started pinned to a CPU; ``port`` once it is listening."""

    def __init__(self, argv: list[str], env: dict[str, str], cpu: str | None) -> None:
        self._out = tempfile.TemporaryFile(mode="w+b")
        self._err = tempfile.TemporaryFile(mode="w+b")
        try:
            self.proc = subprocess.Popen(
                pinned(argv, cpu),
                stdout=self._out,
                stderr=self._err,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=str(REPO),
            )
        except OSError as e:
            self._close_files()
            raise Unavailable(f"cannot start {argv[0]}: {e}") from e
        self.pid = self.proc.pid  # taskset execs the server: same pid
        self.port = self._wait_for_port()

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            self._out.seek(0)
            for line in self._out.read().decode(errors="replace").splitlines():
                if line.startswith("PORT "):
                    return int(line.split()[1])
            if self.proc.poll() is not None:
                reason = self.stderr_tail() or f"exited with status {self.proc.returncode}"
                self._close_files()
                raise Unavailable(reason)
            time.sleep(0.02)
        self.stop()
        raise Unavailable(f"no 'PORT <n>' line within {STARTUP_TIMEOUT_S:.0f} s")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stderr_tail(self, lines: int = 1) -> str:
        """The last meaningful stderr line(s): usually the exception text."""
        try:
            self._err.seek(0)
            text = self._err.read().decode(errors="replace")
        except (OSError, ValueError):
            return ""
        kept = [ln.strip() for ln in text.splitlines() if ln.strip()]
        return " | ".join(kept[-lines:])[:300]

    def rss_kb(self) -> dict[str, int]:
        return read_status_kb(self.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._close_files()

    def _close_files(self) -> None:
        for f in (self._out, self._err):
            try:
                f.close()
            except OSError:
                pass

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def read_status_kb(pid: int) -> dict[str, int]:
    """VmRSS, RssAnon, VmHWM (kB) of a process from /proc/<pid>/status."""
    out: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon", "VmHWM"):
                out[key] = int(rest.split()[0])
    return out


# -- the load generator -------------------------------------------------------------


def run_loadgen(args: Sequence[str], cpu: str | None, timeout: float) -> dict[str, Any]:
    """Run bench/build/loadgen with ``args``; return its JSON result."""
    argv = pinned([str(BUILD / "loadgen"), *args], cpu)
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as e:
        raise RunFailed(f"load generator did not finish within {timeout:.0f} s") from e
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise RunFailed(f"load generator printed no result: {proc.stderr.strip()[-300:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# -- a quiet machine ---------------------------------------------------------------


def _machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs from the first line of /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:9]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def machine_busy(sample_s: float = 0.25) -> float:
    """CPUs' worth of work done by everything on the machine over ``sample_s``."""
    b0, t0 = _machine_busy_ticks()
    time.sleep(sample_s)
    b1, t1 = _machine_busy_ticks()
    ncpu = os.cpu_count() or 1
    return (b1 - b0) / max(t1 - t0, 1) * ncpu


def wait_for_quiet(max_wait_s: float, threshold: float = 0.3) -> float:
    """Wait (bounded) until other work on this shared box uses < ``threshold`` CPUs.

    Returns the last busy sample; a benchmark run starting on a busy machine
    would measure the neighbours as much as the contender.
    """
    deadline = time.monotonic() + max_wait_s
    busy = machine_busy()
    while busy >= threshold and time.monotonic() < deadline:
        time.sleep(0.5)
        busy = machine_busy()
    return busy


# -- facts and statistics -----------------------------------------------------------------


def _cmd_output(argv: Sequence[str], env: dict[str, str] | None = None) -> str:
    try:
        proc = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=60, check=False, env=env
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def machine_facts(with_pyside6: bool = True) -> dict[str, str]:
    """What a reader needs to compare numbers: CPU, kernel, interpreters, versions."""
    lscpu = _cmd_output(["lscpu"])
    model = next(
        (ln.split(":", 1)[1].strip() for ln in lscpu.splitlines() if ln.startswith("Model name")),
        platform.processor() or "unknown",
    )
    hyper = next(
        (ln.split(":", 1)[1].strip() for ln in lscpu.splitlines() if "Hypervisor vendor" in ln), ""
    )
    py = repo_python()
    probe = (
        "import sys, platform; v = platform.python_version()\n"
        "try:\n import uvloop; u = uvloop.__version__\nexcept ImportError:\n u = 'not installed'\n"
        "print(v, u)"
    )
    py_ver, _, uv_ver = _cmd_output([py, "-c", probe]).partition(" ")
    facts = {
        "cpus (nproc)": _cmd_output(["nproc"]) or str(os.cpu_count()),
        "cpu model": model + (f" ({hyper} guest)" if hyper else ""),
        "kernel": platform.release(),
        "memory": _meminfo_total(),
        "python (qtnet, asyncio, uvloop contenders)": f"{py_ver} ({py})",
        "uvloop": uv_ver,
        "cc": (_cmd_output(["cc", "--version"]).splitlines() or ["unknown"])[0],
        "load average at start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }
    if with_pyside6:
        try:
            peer = pyside6_python()
            out = _cmd_output(
                [
                    peer,
                    "-c",
                    "import platform, PySide6;"
                    "print(platform.python_version(), PySide6.__version__)",
                ],
                env=peer_env(),
            )
            pv, _, qv = out.partition(" ")
            facts["python (PySide6 peer)"] = f"{pv} ({peer})"
            facts["PySide6"] = qv
        except Unavailable as e:
            facts["PySide6"] = f"not available: {e}"
    return facts


def _meminfo_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def fmt_rate(value: float) -> str:
    """12,345 for rates; '-' for missing."""
    if value != value:  # NaN
        return "-"
    return f"{value:,.0f}"


def fmt_k(value: float) -> str:
    if value != value:
        return "-"
    return f"{value / 1000:.1f} k" if value >= 1000 else f"{value:.0f}"


def fmt_ratio(value: float) -> str:
    return "-" if value != value else f"{value:.2f}x"


def results_path(prefix: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS / f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}.json"
