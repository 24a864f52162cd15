"""CLI commands for the WebSocket examples: ``ws-echo-server``, ``ws-echo-client``,
``chat-server``.

Only argparse is imported here: ``qtnet --help`` must stay fast, so the
examples (and the Qt classes) load when a command runs.
"""

from __future__ import annotations

import argparse
import sys


def _port(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 0..65535: {value}")
    return value


def configure_echo_server(p: argparse.ArgumentParser) -> None:
    p.add_argument("-p", "--port", type=_port, default=1234,
                   help="TCP port (default: 1234; 0: any)")
    p.add_argument("--host", default=None, help="address to listen on (default: all addresses)")
    p.add_argument("-d", "--debug", action="store_true", help="print every message")
    p.add_argument("--deflate", action="store_true",
                   help="accept permessage-deflate from clients that offer it")
    p.add_argument("--cert", metavar="FILE",
                   help="PEM certificate (chain): serve wss:// (with --key)")
    p.add_argument("--key", metavar="FILE", help="PEM private key of --cert")
    p.add_argument("--workers", type=_positive_int, default=1, metavar="N",
                   help="serve from N processes sharing the port with SO_REUSEPORT (default 1)")


def _positive_int(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1: {value}")
    return value


def configure_echo_client(p: argparse.ArgumentParser) -> None:
    p.add_argument("-n", "--hostname", default="localhost", help="server host (default: localhost)")
    p.add_argument("-p", "--port", type=_port, default=1234, help="server port (default: 1234)")
    p.add_argument("-m", "--message", default="Hello, world!", help="text to send")
    p.add_argument("-d", "--debug", action="store_true", help="print connection progress")
    p.add_argument("--deflate", action="store_true", help="offer permessage-deflate")
    p.add_argument("--secure", action="store_true", help="connect with wss:// instead of ws://")
    p.add_argument("--ca", metavar="FILE", help="PEM CA certificates to trust (implies --secure)")
    p.add_argument("--insecure", action="store_true",
                   help="ignore certificate errors (implies --secure)")


def configure_chat_server(p: argparse.ArgumentParser) -> None:
    p.add_argument("-p", "--port", type=_port, default=1234,
                   help="TCP port (default: 1234; 0: any)")
    p.add_argument("--host", default=None, help="address to listen on (default: all addresses)")
    p.add_argument("--no-page", action="store_true",
                   help="WebSocket only: do not serve the chat page over HTTP")


def _flags(args: argparse.Namespace, *names: str) -> list[str]:
    return [f"--{n.replace('_', '-')}" for n in names if getattr(args, n)]


def run_echo_server(args: argparse.Namespace) -> int:
    from qtnet.examples import ws_echo_server
    from qtnet.iocore.workers import WorkerError, serve_workers, systemd_listen_fds

    argv = ["--port", str(args.port), *_flags(args, "debug", "deflate")]
    if args.host:
        argv += ["--host", args.host]
    if args.cert or args.key:
        argv += ["--cert", args.cert or "", "--key", args.key or ""]
    def serve(extra: list[str]) -> int:
        from qtnet.cli._app import application, quit_on_signals

        restore = quit_on_signals(application())  # SIGTERM/Ctrl-C: exec() returns, exit 0
        try:
            return ws_echo_server.main([*argv, *extra])
        finally:
            restore()

    inherited = systemd_listen_fds()
    if inherited:
        return serve(["--socket-descriptor", str(inherited[0])])
    if args.workers == 1:
        return serve([])

    def worker(fd: int, index: int) -> int:
        del index
        return serve(["--socket-descriptor", str(fd)])

    def announce(address: str, port: int) -> None:
        print(f"Echo server on {address} port {port}: {args.workers} workers", flush=True)

    any_host = args.host is None or args.host.strip("[] ").lower() in ("", "*", "any")
    try:
        return serve_workers(worker, args.workers, host=None if any_host else args.host,
                             port=args.port, on_bound=announce)
    except WorkerError as exc:
        print(f"ws-echo-server: {exc}", file=sys.stderr)
        return 1


def run_echo_client(args: argparse.Namespace) -> int:
    from qtnet.examples import ws_echo_client

    argv = ["--hostname", args.hostname, "--port", str(args.port), "--message", args.message,
            *_flags(args, "debug", "deflate", "secure", "insecure")]
    if args.ca:
        argv += ["--ca", args.ca]
    return ws_echo_client.main(argv)


def run_chat_server(args: argparse.Namespace) -> int:
    from qtnet.examples import chat_server

    argv = ["--port", str(args.port), *_flags(args, "no_page")]
    if args.host:
        argv += ["--host", args.host]
    return chat_server.main(argv)
