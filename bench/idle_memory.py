#!/usr/bin/env python3
"""Memory per idle TCP connection: RSS of each echo server before/after N idle clients.

    python bench/idle_memory.py                    # 5,000 connections, every contender
    python bench/idle_memory.py --conns 10000 --contenders pyside6,qtnet-uvloop

For each contender a fresh echo server (the same programs as bench/run_tcp.py)
is started and warmed up with 100 short-lived connections.  Then this script
opens N connections and reads VmRSS/RssAnon from /proc/<pid>/status twice:

* "connected": once the server process holds N more file descriptors (every
  connection accepted by the application, no data exchanged yet);
* "after one echo": after one byte was sent on every connection and echoed back,
  so each connection has been through the read path once (servers that keep a
  read buffer per connection show it here).

Reported: (RSS - RSS before) / N in KB per connection.  Kernel socket buffers
are not part of a process's RSS, so the C server shows the floor (its few
bytes of bookkeeping per connection).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import selectors
import socket
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from harness import CONTENDERS, Contender, ServerProcess, Unavailable  # noqa: E402

BATCH = 40  # connections per batch: below every server's listen backlog (Qt: 50), else SYNs drop


def count_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def wait_for_fds(pid: int, expected: int, timeout_s: float) -> None:
    """Wait (bounded) until the server holds ``expected`` fds, i.e. accepted everything."""
    deadline = time.monotonic() + timeout_s
    while count_fds(pid) < expected:
        if time.monotonic() > deadline:
            raise TimeoutError(f"server holds {count_fds(pid)} fds, expected {expected}")
        time.sleep(0.05)


def ping_all(socks: list[socket.socket], timeout_s: float) -> None:
    """Send one byte on every connection and wait for each echo."""
    deadline = time.monotonic() + timeout_s
    sel = selectors.DefaultSelector()
    try:
        for i in range(0, len(socks), BATCH):
            batch = socks[i : i + BATCH]
            for s in batch:
                s.send(b"x")
            _wait_all(sel, batch, selectors.EVENT_READ, deadline, "echo")
            for s in batch:
                if s.recv(16) != b"x":
                    raise OSError("the server did not echo the byte sent")
    finally:
        sel.close()


def open_idle_connections(
    port: int, count: int, ping: bool, timeout_s: float, server_pid: int | None = None
) -> list[socket.socket]:
    """Open ``count`` connections (and echo one byte on each); raise on any failure.

    Each batch waits until the application has taken the previous one (its echo,
    or its fd count when ``server_pid`` is given): connecting faster than the
    server accepts overflows its listen backlog and costs 1 s SYN retransmits.
    """
    socks: list[socket.socket] = []
    fds_base = count_fds(server_pid) if server_pid is not None else 0
    deadline = time.monotonic() + timeout_s
    sel = selectors.DefaultSelector()
    try:
        while len(socks) < count:
            batch: list[socket.socket] = []
            for _ in range(min(BATCH, count - len(socks))):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", port))
                batch.append(s)
            socks.extend(batch)
            _wait_all(sel, batch, selectors.EVENT_WRITE, deadline, "connect")
            for s in batch:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    raise OSError(err, f"connect failed after {len(socks) - len(batch)} connects")
            if server_pid is not None:
                wait_for_fds(server_pid, fds_base + len(socks), deadline - time.monotonic())
            if ping:
                for s in batch:
                    s.send(b"x")
                _wait_all(sel, batch, selectors.EVENT_READ, deadline, "echo")
                for s in batch:
                    if s.recv(16) != b"x":
                        raise OSError("the server did not echo the byte sent")
    except BaseException:
        for s in socks:
            s.close()
        raise
    finally:
        sel.close()
    return socks


def _wait_all(
    sel: selectors.BaseSelector, socks: list[socket.socket], event: int, deadline: float, what: str
) -> None:
    pending = set(socks)
    for s in socks:
        sel.register(s, event)
    try:
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{len(pending)} connections still waiting for {what}")
            for key, _ in sel.select(timeout=min(left, 1.0)):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                pending.discard(sock)
                sel.unregister(sock)
    finally:
        for s in pending:
            sel.unregister(s)


def settled_rss(server: ServerProcess, max_wait_s: float = 5.0) -> dict[str, int]:
    """RSS once two samples 0.3 s apart agree within 1 % (bounded wait)."""
    prev = server.rss_kb()
    deadline = time.monotonic() + max_wait_s
    while time.monotonic() < deadline:
        time.sleep(0.3)
        cur = server.rss_kb()
        if abs(cur["VmRSS"] - prev["VmRSS"]) <= max(prev["VmRSS"] // 100, 64):
            return cur
        prev = cur
    return prev


def measure(contender: Contender, conns: int, pin: bool) -> dict[str, Any]:
    argv, env = contender.command("echo")
    with ServerProcess(argv, env, harness.SERVER_CPU if pin else None) as server:
        warm = open_idle_connections(server.port, 100, ping=True, timeout_s=30)
        for s in warm:
            s.close()
        time.sleep(0.5)
        before = settled_rss(server)
        t0 = time.monotonic()
        socks = open_idle_connections(server.port, conns, False, 120, server_pid=server.pid)
        try:
            opened_s = time.monotonic() - t0
            connected = settled_rss(server)
            ping_all(socks, timeout_s=120)
            echoed = settled_rss(server)
            if not server.alive():
                raise harness.RunFailed(f"server exited: {server.stderr_tail()}")
        finally:
            for s in socks:
                s.close()
    return {
        "before_kb": before,
        "connected_kb": connected,
        "echoed_kb": echoed,
        "open_seconds": opened_s,
        "kb_per_conn_connected": (connected["VmRSS"] - before["VmRSS"]) / conns,
        "kb_per_conn_echoed": (echoed["VmRSS"] - before["VmRSS"]) / conns,
        "anon_kb_per_conn_echoed": (echoed["RssAnon"] - before["RssAnon"]) / conns,
    }


def mb(status_kb: dict[str, int]) -> str:
    return f"{status_kb['VmRSS'] / 1024:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--conns", type=int, default=5000, help="idle connections (default 5000)")
    p.add_argument("--contenders", default="c,qtnet-asyncio,qtnet-uvloop,pyside6,asyncio,uvloop")
    p.add_argument("--no-pin", action="store_true")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    harness.exit_cleanly_on_signals()
    harness.build_c_tools()
    limit = harness.raise_nofile_limit()
    if limit < args.conns + 200:
        print(f"RLIMIT_NOFILE is {limit}: too low for {args.conns} connections", file=sys.stderr)
        return 2
    pin = not args.no_pin and harness.can_pin()
    contenders = [CONTENDERS[k] for k in args.contenders.split(",") if k]
    results: dict[str, Any] = {}
    for c in contenders:
        try:
            results[c.key] = measure(c, args.conns, pin)
            r = results[c.key]
            print(
                f"{c.key:14} {r['kb_per_conn_connected']:.2f} KB/connection connected, "
                f"{r['kb_per_conn_echoed']:.2f} after one echo",
                file=sys.stderr,
            )
        except Unavailable as e:
            results[c.key] = {"status": "not available: " + re.sub(r" \(/[^)]*\)", "", str(e))}
            print(f"{c.key:14} {results[c.key]['status']}", file=sys.stderr)
        except (OSError, harness.RunFailed) as e:
            results[c.key] = {"status": f"failed: {e}"}
            print(f"{c.key:14} {results[c.key]['status']}", file=sys.stderr)

    command = " ".join(["python bench/idle_memory.py", *(sys.argv[1:] if argv is None else argv)])
    lines = [
        f"Command: `{command}`",
        "",
        f"### Idle TCP connections: {args.conns:,} held by one echo server, "
        "KB of RSS per connection",
        "",
        "| contender | RSS before | connected | KB/conn connected | after one echo "
        "| KB/conn after one echo |",
        "|---|---|---|---|---|---|",
    ]
    for c in contenders:
        r = results[c.key]
        if "status" in r:
            lines.append(f"| {c.label} | {r['status']} | | | | |")
            continue
        lines.append(
            f"| {c.label} | {mb(r['before_kb'])} | {mb(r['connected_kb'])} "
            f"| **{r['kb_per_conn_connected']:.2f}** | {mb(r['echoed_kb'])} "
            f"| **{r['kb_per_conn_echoed']:.2f}** |"
        )
    print("\n".join(lines))
    out = args.json or harness.results_path("idle-memory")
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = {"command": command, "conns": args.conns, "results": results}
    out.write_text(json.dumps(raw, indent=1))
    print(f"\nraw results: {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
