#!/usr/bin/env python3
"""TCP echo server on a bare asyncio ``Protocol`` (stock asyncio or uvloop).

    python bench/servers/asyncio_protocol_echo.py --loop asyncio|uvloop --port 0

The reference for "what the event loop's own transports can do": the reply is
written from ``data_received``; asyncio and uvloop set TCP_NODELAY on every
TCP transport.  Prints ``PORT <n>`` once listening and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
from typing import cast


class EchoProtocol(asyncio.Protocol):
    transport: asyncio.Transport

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses: no isinstance check.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(EchoProtocol, host, port)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--host", choices=["127.0.0.1", "::1"], default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    # Idle-connection runs hold thousands of sockets.
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(serve(args.host, args.port))
    else:
        asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
