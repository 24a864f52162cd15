#!/usr/bin/env python3
"""WebSocket broadcast load generator (picows clients on uvloop).

    python bench/servers/ws_broadcast_client_picows.py --port P --clients 1000 --seconds 2

Opens ``--clients`` connections.  The first one also publishes: it sends a
64-byte text message, and keeps ``--window`` messages in flight, a message
counting as done once every client has received it.  After ``--warmup``
seconds, deliveries (messages x clients) are counted for ``--seconds``
between the lines ``MARK start`` and ``MARK end``; then one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time

from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect


class Counter:
    def __init__(self, clients: int, window: int) -> None:
        self.clients = clients
        self.window = window
        self.pending: dict[int, int] = {}  # seq -> deliveries so far
        self.deliveries = 0
        self.done = 0
        self.next_seq = 0
        self.publisher: WSTransport | None = None

    def publish(self) -> None:
        assert self.publisher is not None
        while len(self.pending) < self.window:
            seq = self.next_seq
            self.next_seq += 1
            self.pending[seq] = 0
            self.publisher.send(WSMsgType.TEXT, f"{seq:>12} ".encode().ljust(64, b"x"))

    def delivered(self, payload: bytes) -> None:
        seq = int(payload[:12])
        self.deliveries += 1
        got = self.pending[seq] + 1
        if got == self.clients:
            del self.pending[seq]
            self.done += 1
            self.publish()
        else:
            self.pending[seq] = got


class Subscriber(WSListener):  # type: ignore[misc]
    def __init__(self, counter: Counter) -> None:
        self.counter = counter

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.TEXT:
            self.counter.delivered(frame.get_payload_as_bytes())
        elif frame.msg_type == WSMsgType.CLOSE:
            transport.disconnect()


async def run(args: argparse.Namespace) -> dict[str, float]:
    counter = Counter(args.clients, args.window)
    url = f"ws://127.0.0.1:{args.port}/"
    subs = []
    for _ in range(args.clients):
        _t, sub = await ws_connect(lambda: Subscriber(counter), url, enable_auto_ping=False)
        subs.append(sub)
    await asyncio.sleep(0.5)  # the server has registered every client
    counter.publisher = subs[0].transport
    counter.publish()
    await asyncio.sleep(args.warmup)
    print("MARK start", flush=True)
    d0, m0, t0 = counter.deliveries, counter.done, time.perf_counter()
    await asyncio.sleep(args.seconds)
    d, m, dt = counter.deliveries - d0, counter.done - m0, time.perf_counter() - t0
    print("MARK end", flush=True)
    for sub in subs:
        sub.transport.disconnect()
    return {
        "deliveries_per_s": d / dt,
        "messages_per_s": m / dt,
        "deliveries": d,
        "messages": m,
        "seconds": dt,
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--window", type=int, default=4)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--warmup", type=float, default=0.5)
    args = p.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    import uvloop

    print(json.dumps(uvloop.run(run(args))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
