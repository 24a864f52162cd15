#!/usr/bin/env python3
"""WebSocket echo server on the ``websockets`` package (new asyncio implementation).

    python bench/servers/ws_echo_websockets.py --port 0 [--loop uvloop|asyncio]

Compression off, no size limit, no keepalive pings (as perf-anchors §4.2).
Prints ``PORT <n>`` once listening and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys

from websockets.asyncio.server import serve


async def echo(ws: object) -> None:
    async for message in ws:  # type: ignore[attr-defined]
        await ws.send(message)  # type: ignore[attr-defined]


async def run(port: int) -> None:
    async with serve(
        echo, "127.0.0.1", port, compression=None, max_size=None, ping_interval=None
    ) as server:
        print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
        await asyncio.Future()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    args = p.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(run(args.port))
    else:
        asyncio.run(run(args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
