"""Load and soak test for one qtnet server process (issue 8; ``make soak``).

Three processes, loopback only:

* the server (``--serve``): a qtnet ``QTcpServer`` echo and a
  ``QWebSocketServer`` echo in one process, printing its fd count and RSS every
  half second;
* the client (``--client``): asyncio on uvloop, raw sockets (a minimal masked
  WebSocket client of its own), so the client never limits the server;
* the driver (default): runs the phases and checks the figures.

Phases (each bounded by its share of ``SOAK_SECONDS``, default 600):

1. warm-up: 2,000 connect/echo/close cycles, then the baseline fds and RSS;
2. ``--tcp`` (10,000) TCP connections held at once, each echoes a message,
   then all close; the server's fds and RSS must return within 5 % of baseline;
3. ``--ws`` (10,000) WebSocket connections, the same;
4. ``--cycles`` (200,000) connect/echo/close cycles: no fd leak (back to the
   baseline count) and RSS growth below 5 MB.

Prints one JSON report (also written to ``--out`` if given) and exits 1 if a
check failed.  Usage: ``python tools/soak.py [--tcp N] [--ws N] [--cycles N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ctypes
import gc
import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MESSAGE = b"soak-echo-0123456789"


def raise_fd_limit(want: int = 65536) -> int:
    """Raise RLIMIT_NOFILE as far as allowed (root may raise the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for target in ((want, max(want, hard)), (hard, hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, target)
            return target[0]
        except (ValueError, OSError):
            continue
    return soft


def proc_stats() -> tuple[int, int]:
    """(open fds, RSS in KiB) of this process."""
    fds = len(os.listdir("/proc/self/fd"))
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return fds, int(line.split()[1])
    return fds, 0


# -- the qtnet server process ---------------------------------------------------------
class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]


def heap_stats() -> dict[str, int]:
    """glibc's own account of the C heap (KiB): what is in use vs held free.

    Separates memory still allocated (a leak, or caches) from free memory the
    allocator cannot give back because live blocks sit between it (fragmentation).
    """
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    return {"heap_in_use_kb": (info.uordblks + info.hblkhd) // 1024,
            "heap_free_kb": info.fordblks // 1024}


def serve(max_seconds: float) -> None:
    sys.path.insert(0, os.path.join(ROOT, "src"))
    from qtnet import QCoreApplication, QHostAddress, QTcpServer, QTimer, QWebSocketServer

    raise_fd_limit()
    app = QCoreApplication([])
    local = QHostAddress(QHostAddress.SpecialAddress.LocalHost)
    tcp = QTcpServer()
    tcp.setListenBacklogSize(4096)
    tcp.setMaxPendingConnections(100000)
    assert tcp.listen(local, 0), tcp.errorString()
    ws = QWebSocketServer("soak", QWebSocketServer.NonSecureMode)
    ws.setMaxPendingConnections(100000)
    assert ws.listen(local, 0), ws.errorString()
    live_tcp: set[Any] = set()
    live_ws: set[Any] = set()
    totals = {"tcp_accepted": 0, "ws_accepted": 0}

    def forget(live: set[Any], s: Any) -> None:
        live.discard(s)
        if not live:
            live.clear()  # a set keeps the table it grew to until cleared

    def take_tcp() -> None:
        while tcp.hasPendingConnections():
            s = tcp.nextPendingConnection()
            live_tcp.add(s)
            totals["tcp_accepted"] += 1
            s.readyRead.connect(lambda s=s: s.write(s.readAll()))
            s.disconnected.connect(lambda s=s: (forget(live_tcp, s), s.deleteLater()))

    def take_ws() -> None:
        while ws.hasPendingConnections():
            s = ws.nextPendingConnection()
            live_ws.add(s)
            totals["ws_accepted"] += 1
            s.textMessageReceived.connect(s.sendTextMessage)
            s.disconnected.connect(lambda s=s: (forget(live_ws, s), s.deleteLater()))

    tcp.newConnection.connect(take_tcp)
    ws.newConnection.connect(take_ws)

    trim_requested = [False]
    signal.signal(signal.SIGUSR1, lambda *_: trim_requested.__setitem__(0, True))

    def report() -> None:
        trimmed = trim_requested[0]
        if trimmed:
            # On request only (never during a phase): shows how much of the RSS
            # is memory the allocators keep for reuse rather than live objects.
            trim_requested[0] = False
            gc.collect()
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        fds, rss = proc_stats()
        extra = {"gc_objects": len(gc.get_objects()), **heap_stats()} if trimmed else {}
        print(json.dumps({"fds": fds, "rss_kb": rss, "tcp": len(live_tcp), "ws": len(live_ws),
                          "trimmed": trimmed, **extra, **totals}), flush=True)

    print(json.dumps({"tcp_port": tcp.serverPort(), "ws_port": ws.serverPort()}), flush=True)
    timer = QTimer()
    timer.timeout.connect(report)
    timer.start(500)
    QTimer.singleShot(int(max_seconds * 1000), app.quit)
    app.exec()


# -- the client process (uvloop) ------------------------------------------------------------
def _ws_frame(opcode: int, payload: bytes) -> bytes:
    key = os.urandom(4)
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    assert len(payload) < 126
    return bytes((0x80 | opcode, 0x80 | len(payload))) + key + masked


class _NoGate:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


async def _tcp_session(port: int, source: str, release: asyncio.Event | None,
                       gate: Any = None) -> None:
    async with gate or _NoGate():  # connect + echo; holding is outside the gate
        reader, writer = await asyncio.open_connection("127.0.0.1", port,
                                                       local_addr=(source, 0))
        writer.write(MESSAGE)
        got = await reader.readexactly(len(MESSAGE))
    if got != MESSAGE:
        raise RuntimeError("bad echo")
    if release is not None:
        await release.wait()
    writer.close()
    await writer.wait_closed()


async def _ws_session(port: int, source: str, release: asyncio.Event | None,
                      gate: Any = None) -> None:
    async with gate or _NoGate():  # handshake + echo; holding is outside the gate
        reader, writer = await asyncio.open_connection("127.0.0.1", port,
                                                       local_addr=(source, 0))
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"handshake refused: {head[:40]!r}")
        writer.write(_ws_frame(0x1, MESSAGE))
        frame = await reader.readexactly(2 + len(MESSAGE))
    if frame[2:] != MESSAGE:
        raise RuntimeError("bad echo")
    if release is not None:
        await release.wait()
    writer.write(_ws_frame(0x8, b"\x03\xe8"))
    await reader.readexactly(4)  # the server's close frame (code 1000)
    writer.close()
    await writer.wait_closed()


def _sources(n: int = 8) -> list[str]:
    """Several loopback source addresses: more ephemeral ports for 200k cycles."""
    return [f"127.0.0.{i}" for i in range(1, n + 1)]


async def _hold(kind: str, port: int, count: int) -> None:
    session = _tcp_session if kind == "tcp" else _ws_session
    release = asyncio.Event()
    gate = asyncio.Semaphore(256)  # connects in flight (the listen backlog)
    sources = _sources()
    errors: list[str] = []

    async def one(i: int) -> None:
        try:
            await session(port, sources[i % len(sources)], release, gate)
        except Exception as exc:  # reported in the summary
            errors.append(repr(exc))

    t0 = time.monotonic()
    tasks = [asyncio.ensure_future(one(i)) for i in range(count)]
    # The driver watches the server's count and says when to let go.
    print(json.dumps({"spawned": count}), flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    hold_time = time.monotonic() - t0
    release.set()
    await asyncio.gather(*tasks)
    print(json.dumps({"done": True, "errors": len(errors), "first_error": errors[:1],
                      "hold_seconds": round(hold_time, 2), "cmd": line.strip()}), flush=True)


async def _cycles(port: int, count: int, concurrency: int, deadline: float) -> None:
    sources = _sources()
    done = 0
    errors: list[str] = []
    t0 = time.monotonic()

    async def worker(w: int) -> None:
        nonlocal done
        i = w
        while done < count and time.monotonic() < deadline:
            done += 1
            try:
                await _tcp_session(port, sources[i % len(sources)], None)
            except Exception as exc:  # reported in the summary
                errors.append(repr(exc))
            i += concurrency

    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    elapsed = time.monotonic() - t0
    print(json.dumps({"cycles": done, "errors": len(errors), "first_error": errors[:1],
                      "seconds": round(elapsed, 1), "per_second": round(done / elapsed)}),
          flush=True)


def client(args: list[str]) -> None:
    import uvloop

    raise_fd_limit()
    mode = args[0]
    if mode == "hold":
        uvloop.run(_hold(args[1], int(args[2]), int(args[3])))
    else:
        deadline = time.monotonic() + float(args[4])
        uvloop.run(_cycles(int(args[1]), int(args[2]), int(args[3]), deadline))


# -- the driver ---------------------------------------------------------------------------
class Server:
    def __init__(self, max_seconds: float, allocator: str) -> None:
        env = dict(os.environ)
        if allocator == "malloc":
            env["PYTHONMALLOC"] = "malloc"
        else:
            env.pop("PYTHONMALLOC", None)
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(max_seconds)],
            stdout=subprocess.PIPE, text=True, env=env,
        )
        assert self.proc.stdout is not None
        ports = json.loads(self.proc.stdout.readline())
        self.tcp_port, self.ws_port = ports["tcp_port"], ports["ws_port"]
        self.latest: dict[str, int] = {}
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        self.wait(lambda s: True, 10)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._lock:
                self.latest = json.loads(line)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return dict(self.latest)

    def wait(self, pred: Any, timeout: float) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.stats()
            if s and pred(s):
                return s
            time.sleep(0.25)
        return self.stats()

    def settled(self, timeout: float = 10) -> dict[str, int]:
        """Stats once no connection is live and RSS stopped moving (2 s stable)."""
        s = self.wait(lambda s: s["tcp"] == 0 and s["ws"] == 0, timeout)
        last = s
        stable_since = time.monotonic()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and time.monotonic() - stable_since < 2:
            time.sleep(0.5)
            now = self.stats()
            if now["fds"] != last["fds"] or abs(now["rss_kb"] - last["rss_kb"]) > 64:
                stable_since = time.monotonic()
            last = now
        return last

    def trimmed(self) -> dict[str, int]:
        """Stats after the server ran gc.collect() and malloc_trim(0) (SIGUSR1)."""
        self.proc.send_signal(signal.SIGUSR1)
        s = self.wait(lambda s: s.get("trimmed", False), 10)
        keep = ("fds", "rss_kb", "gc_objects", "heap_in_use_kb", "heap_free_kb")
        return {k: v for k, v in s.items() if k in keep}

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def _client_cmd(*args: object) -> list[str]:
    return [sys.executable, __file__, "--client", *map(str, args)]


def run_cycles(server: Server, count: int, concurrency: int, budget: float) -> dict[str, Any]:
    proc = subprocess.Popen(
        _client_cmd("cycles", server.tcp_port, count, concurrency, budget),
        stdout=subprocess.PIPE, text=True,
    )
    stdout, _ = proc.communicate(timeout=budget + 120)
    return dict(json.loads(stdout.strip().splitlines()[-1]))


def run_hold(server: Server, kind: str, count: int, budget: float) -> dict[str, Any]:
    port = server.tcp_port if kind == "tcp" else server.ws_port
    proc = subprocess.Popen(_client_cmd("hold", kind, port, count), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdout.readline()  # spawned
    before = server.stats()
    t0 = time.monotonic()
    key = "tcp" if kind == "tcp" else "ws"
    held = server.wait(lambda s: s[key] >= count, budget)
    seconds = round(time.monotonic() - t0, 1)
    time.sleep(1.0)  # the echoes of the last connections
    held = server.stats()
    proc.stdin.write("release\n")
    proc.stdin.flush()
    summary = json.loads(proc.stdout.readline())
    proc.wait(60)
    after = server.settled(30)
    return {"held": held[key], "seconds_to_hold_all": seconds,
            "client_errors": summary["errors"], "first_error": summary["first_error"],
            "during": {"fds": held["fds"], "rss_kb": held["rss_kb"]},
            "accepted_total": held[f"{key}_accepted"] - before.get(f"{key}_accepted", 0),
            "after": {"fds": after["fds"], "rss_kb": after["rss_kb"]}}


def within(value: int, base: int, fraction: float) -> bool:
    return abs(value - base) <= base * fraction


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(float(sys.argv[2]))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        client(sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--tcp", type=int, default=10000)
    parser.add_argument("--ws", type=int, default=10000)
    parser.add_argument("--cycles", type=int, default=200000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--seconds", type=float,
                        default=float(os.environ.get("SOAK_SECONDS", "600")))
    parser.add_argument("--out", default="")
    parser.add_argument(
        "--allocator", choices=("malloc", "pymalloc"), default="malloc",
        help="the server's allocator: with pymalloc (CPython's default) freed arenas "
             "pinned by a few long-lived objects keep the RSS at its high-water mark")
    args = parser.parse_args()
    raise_fd_limit()
    budget = args.seconds
    server = Server(budget + 120, args.allocator)
    report: dict[str, Any] = {"fd_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
                              "allocator": args.allocator}
    failures: list[str] = []
    try:
        run_cycles(server, 2000, 32, budget / 8)
        settled = server.settled(15)
        base = server.trimmed()
        report["baseline"] = {"rss_kb_untrimmed": settled["rss_kb"], **base}
        rounds = [("tcp", args.tcp, "tcp_hold"), ("ws", args.ws, "ws_hold"),
                  ("tcp", args.tcp, "tcp_hold_again")]
        for kind, count, name in rounds:
            if count <= 0:
                continue
            phase = run_hold(server, kind, count, budget / 8)
            phase["after_trim"] = server.trimmed()
            report[name] = phase
            # Both sides measured the same way: after gc.collect() + malloc_trim(0).
            ref = base
            if phase["held"] < count:
                failures.append(f"{kind}: only {phase['held']} of {count} held at once")
            if phase["client_errors"]:
                failures.append(f"{kind}: {phase['client_errors']} client errors")
            if not within(phase["after"]["fds"], ref["fds"], 0.05):
                failures.append(f"{name}: fds {phase['after']['fds']} vs {ref['fds']}")
            if not within(phase["after_trim"]["rss_kb"], ref["rss_kb"], 0.05):
                failures.append(f"{name}: RSS (after trim) {phase['after_trim']['rss_kb']} KiB"
                                f" vs {ref['rss_kb']} KiB")
            if not within(phase["after_trim"]["gc_objects"], base["gc_objects"], 0.05):
                failures.append(f"{name}: {phase['after_trim']['gc_objects']} objects vs "
                                f"baseline {base['gc_objects']} (objects leaked)")
        if args.cycles > 0:
            before = server.settled(15)
            cyc = run_cycles(server, args.cycles, args.concurrency, budget / 2)
            after = server.settled(30)
            growth = after["rss_kb"] - before["rss_kb"]
            report["cycles"] = {**cyc, "before": before, "after": after,
                                "rss_growth_kb": growth}
            if cyc["cycles"] < args.cycles:
                failures.append(f"cycles: only {cyc['cycles']} of {args.cycles} in the budget")
            if cyc["errors"]:
                failures.append(f"cycles: {cyc['errors']} errors, e.g. {cyc['first_error']}")
            if after["fds"] != before["fds"]:
                failures.append(f"cycles: fds {before['fds']} -> {after['fds']}")
            if growth >= 5 * 1024:
                failures.append(f"cycles: RSS grew {growth} KiB")
    finally:
        server.stop()
    report["failures"] = failures
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
