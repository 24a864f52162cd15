"""``qtnet`` entry point: argparse with one subcommand per job.

Every command is described here by a name, a one-line help, a function that
declares its options and the dotted path of the function that runs it.  The
implementation module is imported only when its command is chosen, so
``qtnet --help`` and ``qtnet CMD --help`` stay fast (no asyncio, no uvloop, no
Qt classes loaded).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qtnet.cli import udp_examples, websocket_examples  # argparse only: no Qt class


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    target: str  # "package.module:function", the function takes the parsed Namespace


def _stream_version(text: str) -> int:
    """QDataStream version as a number (17) or a Qt name (Qt_5_10)."""
    from qtnet.cli._stream_versions import parse_stream_version

    try:
        return parse_stream_version(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _port(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 0..65535: {value}")
    return value


def _configure_fortune_server(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--host",
        default=None,
        help="address to listen on (default: all addresses, dual-stack '::' "
        "with a fallback to 0.0.0.0; the first non-localhost IPv4 address is shown)",
    )
    p.add_argument(
        "--port", type=_port, default=0, help="TCP port (default: 0, chosen by the system)"
    )
    p.add_argument(
        "--framing",
        choices=("qt5", "legacy"),
        default="qt5",
        help="qt5: a bare QString as in the Qt 5.10+ example (default); "
        "legacy: quint16 block size first, as in the Qt 4 example",
    )
    p.add_argument(
        "--stream-version",
        type=_stream_version,
        default=None,
        metavar="VERSION",
        help="QDataStream version, a number or a name such as Qt_5_10 (default: Qt_5_10)",
    )
    p.add_argument(
        "--fortunes",
        metavar="FILE",
        default=None,
        help="UTF-8 file with one fortune per line (default: the seven Qt example fortunes)",
    )
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        metavar="N",
        help="serve from N processes sharing the port with SO_REUSEPORT (default 1); "
        "a socket passed by systemd socket activation is used instead of --host/--port",
    )
    p.add_argument(
        "--log-interval",
        type=_non_negative,
        default=10.0,
        metavar="SECONDS",
        help="when stdout is not a terminal, log served/rate/active every SECONDS if "
        "anything happened (default 10, 0 = never); a terminal gets a live status line. "
        "Ctrl-C or SIGTERM stops the server and prints the summary",
    )


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0: {text}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1: {value}")
    return value


def _configure_fortune_client(p: argparse.ArgumentParser) -> None:
    p.add_argument("host", metavar="HOST", help="the fortune server's host name or address")
    p.add_argument("port", metavar="PORT", type=_port, help="the fortune server's port")
    p.add_argument(
        "--framing",
        choices=("auto", "qt5", "legacy"),
        default="auto",
        help="auto: tell from each reply's first bytes (default); qt5: a bare QString; "
        "legacy: quint16 block size first (Qt 4, PySide6 examples)",
    )
    p.add_argument(
        "--count",
        type=_positive_int,
        default=1,
        metavar="N",
        help="fortunes to print, each different from the one before (default 1)",
    )
    p.add_argument(
        "--timeout",
        type=_non_negative,
        default=30.0,
        metavar="SECONDS",
        help="give up after SECONDS (default 30, 0 = never); errors exit with status 1",
    )


def _configure_loopback(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--mb",
        type=_non_negative,
        default=50.0,
        metavar="MB",
        help="MiB the client sends to the server, in 64 KiB writes (default 50)",
    )
    p.add_argument(
        "--timeout",
        type=_non_negative,
        default=120.0,
        metavar="SECONDS",
        help="give up after SECONDS (default 120, 0 = never)",
    )


def _configure_doctor(p: argparse.ArgumentParser) -> None:
    del p  # no options


COMMANDS: tuple[Command, ...] = (
    Command(
        "fortune-server",
        "serve Qt's Fortune example: one QString per connection",
        _configure_fortune_server,
        "qtnet.cli.fortune:run_server",
    ),
    Command(
        "threaded-fortune-server",
        "the Fortune server with one QThread and blocking I/O per connection",
        _configure_fortune_server,
        "qtnet.cli.fortune:run_threaded_server",
    ),
    Command(
        "fortune-client",
        "fetch fortunes from a Fortune server (event-driven client)",
        _configure_fortune_client,
        "qtnet.cli.fortune:run_client",
    ),
    Command(
        "blocking-fortune-client",
        "fetch fortunes with waitFor*() calls in a QThread",
        _configure_fortune_client,
        "qtnet.cli.fortune:run_blocking_client",
    ),
    Command(
        "loopback",
        "send N MB from a client to a server in this process, with progress",
        _configure_loopback,
        "qtnet.cli.fortune:run_loopback",
    ),
    Command(
        "broadcast-sender",
        "Qt's Broadcast Sender: a UDP broadcast datagram every second",
        udp_examples.configure_broadcast_sender,
        "qtnet.examples.broadcast_sender:run",
    ),
    Command(
        "broadcast-receiver",
        "Qt's Broadcast Receiver: print UDP broadcast datagrams",
        udp_examples.configure_broadcast_receiver,
        "qtnet.examples.broadcast_receiver:run",
    ),
    Command(
        "multicast-sender",
        "Qt's Multicast Sender: IPv4 + IPv6 group datagrams every second",
        udp_examples.configure_multicast_sender,
        "qtnet.examples.multicast_sender:run",
    ),
    Command(
        "multicast-receiver",
        "Qt's Multicast Receiver: join the groups, print their datagrams",
        udp_examples.configure_multicast_receiver,
        "qtnet.examples.multicast_receiver:run",
    ),
    Command(
        "ws-echo-server",
        "Qt's WebSocket Echo Server: every message goes back to its sender",
        websocket_examples.configure_echo_server,
        "qtnet.cli.websocket_examples:run_echo_server",
    ),
    Command(
        "ws-echo-client",
        "Qt's WebSocket Echo Client: send one message, print the echo",
        websocket_examples.configure_echo_client,
        "qtnet.cli.websocket_examples:run_echo_client",
    ),
    Command(
        "chat-server",
        "Qt's WebSocket chat relay, with its web page served at http://HOST:PORT/",
        websocket_examples.configure_chat_server,
        "qtnet.cli.websocket_examples:run_chat_server",
    ),
    Command(
        "doctor",
        "show Python, event loop, platform and socket features",
        _configure_doctor,
        "qtnet.cli.doctor:run",
    ),
)


def build_parser() -> argparse.ArgumentParser:
    width = max(len(c.name) for c in COMMANDS) + 2
    listing = "\n".join(f"  {c.name:<{width}}{c.help}" for c in COMMANDS)
    parser = argparse.ArgumentParser(
        prog="qtnet",
        usage="%(prog)s [-h] [--version] COMMAND [options]",
        description="qtnet: Qt's network server stack in pure Python on asyncio/uvloop.",
        epilog=f"commands:\n{listing}\n\nRun 'qtnet COMMAND --help' for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print qtnet's version and exit")
    # The command list is the epilog above (one line per command); argparse's
    # own listing wraps long command names onto two lines.
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", help=argparse.SUPPRESS)
    for cmd in COMMANDS:
        p = sub.add_parser(
            cmd.name,
            description=cmd.help,
            formatter_class=lambda prog: argparse.HelpFormatter(prog, max_help_position=28),
        )
        cmd.configure(p)
        p.set_defaults(_target=cmd.target)
    return parser


def qtnet_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("qtnet")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        print(f"qtnet {qtnet_version()}")
        return 0
    target: str | None = getattr(args, "_target", None)
    if target is None:
        parser.print_help(sys.stderr)
        return 2
    module_name, _, func_name = target.partition(":")
    func = getattr(importlib.import_module(module_name), func_name)
    return int(func(args))


if __name__ == "__main__":
    sys.exit(main())
