#!/usr/bin/env python3
"""Fortune server on a bare asyncio ``Protocol`` (stock asyncio or uvloop).

    python bench/servers/asyncio_fortune.py --loop asyncio|uvloop --port 0

Each accepted connection gets one fortune serialized as Qt's QDataStream writes
a QString (quint32 big-endian byte length, then UTF-16BE), then the server
closes its side, exactly the bytes the Qt fortune server sends.  Prints
``PORT <n>`` once listening and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import struct
from typing import cast

# Seven short ASCII sentences, as the fortune example serves (20-57 characters).
FORTUNES = [
    "Every socket you close opens another.",
    "A watched port never accepts.",
    "Today is a good day to flush your buffers.",
    "The packet you wait for is already on its way.",
    "Small messages travel fast.",
    "Patience: the kernel is doing its best.",
    "Fortune favours the well-tested.",
]


def encode_qstring(text: str) -> bytes:
    payload = text.encode("utf-16-be")
    return struct.pack(">I", len(payload)) + payload


class FortuneProtocol(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        tcp = cast(asyncio.Transport, transport)  # uvloop's is no subclass of it
        tcp.write(encode_qstring(random.choice(FORTUNES)))
        tcp.close()  # flushes the write buffer, then closes


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(FortuneProtocol, host, port)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--host", choices=["127.0.0.1", "::1"], default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(serve(args.host, args.port))
    else:
        asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
