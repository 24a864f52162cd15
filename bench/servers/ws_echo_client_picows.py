#!/usr/bin/env python3
"""WebSocket echo load generator (picows client on uvloop).

    python bench/servers/ws_echo_client_picows.py --port P --conns 32 --size 64 --seconds 2

Each connection sends one binary message of ``--size`` bytes and waits for the
whole echo before sending the next.  After ``--warmup`` seconds the completed
round trips are counted for ``--seconds``, between the lines ``MARK start``
and ``MARK end``; then one JSON line ``{"rps": ..., "messages": ...,
"seconds": ...}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time

from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_connect


class EchoListener(WSListener):  # type: ignore[misc]
    def __init__(self, payload: bytes, counter: list[int]) -> None:
        self.payload = payload
        self.counter = counter
        self.got = 0
        self.ready: asyncio.Future[None] | None = None

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.transport = transport

    def start(self) -> None:
        self.transport.send(WSMsgType.BINARY, self.payload)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.CLOSE:
            transport.disconnect()
            return
        if frame.msg_type not in (WSMsgType.BINARY, WSMsgType.CONTINUATION):
            return
        self.got += len(frame.get_payload_as_memoryview())
        if frame.fin and self.got >= len(self.payload):
            self.got = 0
            self.counter[0] += 1
            transport.send(WSMsgType.BINARY, self.payload)


async def run(args: argparse.Namespace) -> dict[str, float]:
    payload = os.urandom(args.size)
    counter = [0]
    url = f"ws://127.0.0.1:{args.port}/"
    listeners = []
    for _ in range(args.conns):
        _t, listener = await ws_connect(
            lambda: EchoListener(payload, counter),
            url,
            max_frame_size=1 << 30,
            enable_auto_ping=False,
        )
        listeners.append(listener)
    for lst in listeners:
        lst.start()
    await asyncio.sleep(args.warmup)
    print("MARK start", flush=True)  # the bench samples the server's CPU time here...
    start_count, t0 = counter[0], time.perf_counter()
    await asyncio.sleep(args.seconds)
    n, dt = counter[0] - start_count, time.perf_counter() - t0
    print("MARK end", flush=True)  # ...and here
    for lst in listeners:
        lst.transport.disconnect()
    return {"rps": n / dt, "messages": n, "seconds": dt, "total": counter[0]}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--conns", type=int, default=32)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--warmup", type=float, default=0.5)
    args = p.parse_args()
    import uvloop

    result = uvloop.run(run(args))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
