#!/usr/bin/env python3
"""WebSocket echo server on picows (Cython frame parser) and uvloop.

    python bench/servers/ws_echo_picows.py --port 0

Echoes every frame with its type; prints ``PORT <n>`` once listening.
"""

from __future__ import annotations

import argparse
import resource
import sys

from picows import WSFrame, WSListener, WSMsgType, WSTransport, ws_create_server


class Echo(WSListener):  # type: ignore[misc]
    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        if frame.msg_type == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code(), frame.get_close_message())
            transport.disconnect()
            return
        if frame.msg_type == WSMsgType.PING:
            transport.send_pong(frame.get_payload_as_bytes())
            return
        transport.send(frame.msg_type, frame.get_payload_as_bytes(), frame.fin)


async def run(port: int) -> None:
    server = await ws_create_server(
        lambda _request: Echo(), "127.0.0.1", port, max_frame_size=1 << 30
    )
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


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
