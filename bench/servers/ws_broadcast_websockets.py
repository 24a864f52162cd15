#!/usr/bin/env python3
"""WebSocket broadcast server on the ``websockets`` package, for bench_ws_broadcast.py.

    python bench/servers/ws_broadcast_websockets.py --port 0

Every text message a client sends goes to every connected client with
``websockets.broadcast`` (the package's fast path: no await per client).
Compression off, no size limit, no keepalive.  Prints ``PORT <n>``.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys

from websockets.asyncio.server import ServerConnection, broadcast, serve

CLIENTS: set[ServerConnection] = set()


async def relay(ws: ServerConnection) -> None:
    CLIENTS.add(ws)
    try:
        async for message in ws:
            broadcast(CLIENTS, message)
    finally:
        CLIENTS.discard(ws)


async def run(port: int) -> None:
    async with serve(
        relay, "127.0.0.1", port, compression=None, max_size=None, ping_interval=None
    ) as server:
        print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
        await asyncio.Future()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0)
    args = p.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    import uvloop

    uvloop.run(run(args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
