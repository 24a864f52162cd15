"""A minimal Fortune server (Qt's ``network/fortuneserver`` example) on plain asyncio.

Stand-in until the Qt-API Fortune server (QTcpServer + QDataStream) lands: it
speaks the same bytes, so a real Qt Fortune client can talk to it.

* ``qt5`` framing (the Qt 5.10+ example): the reply is one QString written by
  QDataStream: big-endian quint32 byte length of the UTF-16BE payload, then
  the UTF-16BE code units.
* ``legacy`` framing (the Qt 4 example): the same QString preceded by a
  big-endian quint16 block size, the length of the QString encoding.

After writing, the server closes the connection gracefully (Qt:
``disconnectFromHost``: flush, then FIN).  SIGINT/SIGTERM stop it with exit
code 0 and a one-line summary.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import importlib
import ipaddress
import os
import random
import signal
import socket
import struct
import sys
from collections.abc import Sequence

from qtnet.cli._stream_versions import DEFAULT_STREAM_VERSION

FORTUNES: tuple[str, ...] = (
    "You've been leading a dog's life. Stay off the furniture.",
    "You've got to think about tomorrow.",
    "You will be surprised by a loud noise.",
    "You will feel hungry again in another hour.",
    "You might have mail.",
    "You cannot kill time without injuring eternity.",
    "Computers are not intelligent. They only think they are.",
)

ADDRESS_IN_USE_MESSAGE = "The bound address is already in use"


class ServerError(Exception):
    """Startup failed; the message is printed to stderr and the exit code is 1."""


# -- wire format ------------------------------------------------------------
def encode_qstring(text: str) -> bytes:
    """``QDataStream << QString`` (any stream version since Qt_2_0): length + UTF-16BE."""
    payload = text.encode("utf-16-be")
    return struct.pack(">I", len(payload)) + payload


def encode_fortune(text: str, framing: str) -> bytes:
    body = encode_qstring(text)
    if framing == "qt5":
        return body
    if framing == "legacy":
        if len(body) > 0xFFFF:
            raise ValueError("fortune too long for the legacy quint16 block size")
        return struct.pack(">H", len(body)) + body
    raise ValueError(f"unknown framing {framing!r}")


def load_fortunes(path: str | None) -> tuple[str, ...]:
    if path is None:
        return FORTUNES
    try:
        with open(path, encoding="utf-8") as fh:
            lines = tuple(line.rstrip("\r\n") for line in fh)
    except OSError as exc:
        raise ServerError(f"Cannot read fortunes file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ServerError(f"Fortunes file {path} is not UTF-8: {exc}") from None
    fortunes = tuple(line for line in lines if line.strip())
    if not fortunes:
        raise ServerError(f"Fortunes file {path} has no fortunes")
    return fortunes


# -- addresses --------------------------------------------------------------
def _usable_ipv4(text: str) -> bool:
    try:
        addr = ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return not (addr.is_loopback or addr.is_unspecified or addr.is_link_local)


def first_ipv4_address() -> str:
    """First non-loopback IPv4 address of the host, else 127.0.0.1.

    Mirrors the Qt example, which walks ``QNetworkInterface::allAddresses()``.
    """
    try:
        ifaddr = importlib.import_module("ifaddr")
        for adapter in ifaddr.get_adapters():
            for ip in adapter.ips:
                if isinstance(ip.ip, str) and _usable_ipv4(ip.ip):
                    return ip.ip
    except Exception:  # ifaddr missing or failing: fall back to the resolver
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            candidate = str(info[4][0])
            if _usable_ipv4(candidate):
                return candidate
    except OSError:
        pass
    return "127.0.0.1"


# -- listening socket -------------------------------------------------------
def _listen(
    family: socket.AddressFamily, sockaddr: tuple[object, ...], *, dual_stack: bool = False
) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if os.name == "posix":
            # As QTcpServer::listen does on Unix: rebind over TIME_WAIT.  A port
            # with a live listener still fails with EADDRINUSE.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and hasattr(socket, "IPV6_V6ONLY"):
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if dual_stack else 1)
        sock.bind(sockaddr)
        sock.listen(socket.SOMAXCONN)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def open_listening_socket(host: str | None, port: int) -> socket.socket:
    """Bind like ``QTcpServer::listen``: ``None`` means QHostAddress::Any (dual stack)."""
    if host is None:
        try:
            return _listen(socket.AF_INET6, ("::", port, 0, 0), dual_stack=True)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise
            # No IPv6 here: IPv4 only, like QHostAddress::AnyIPv4.
            return _listen(socket.AF_INET, ("0.0.0.0", port))
    infos = socket.getaddrinfo(
        host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
    )
    family, _, _, _, sockaddr = infos[0]
    dual = family == socket.AF_INET6 and host.strip("[]") == "::"
    return _listen(family, tuple(sockaddr), dual_stack=dual)


# -- serving ----------------------------------------------------------------
class FortuneServer:
    def __init__(self, fortunes: Sequence[str], framing: str) -> None:
        self._blocks = [encode_fortune(f, framing) for f in fortunes]
        self.served = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        del reader
        try:
            writer.write(random.choice(self._blocks))
            await writer.drain()
            self.served += 1
            writer.close()  # like disconnectFromHost: pending bytes first, then FIN
            await writer.wait_closed()
        except OSError:  # the client went away first (ConnectionResetError, ...)
            writer.transport.abort()

    async def serve(self, sock: socket.socket, announce: str) -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        installed: list[signal.Signals] = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
                installed.append(sig)
            except (NotImplementedError, RuntimeError):  # Windows: KeyboardInterrupt instead
                pass
        server = await asyncio.start_server(self.handle, sock=sock)
        try:
            print(announce, flush=True)
            await stop.wait()
        finally:
            server.close()
            try:
                await asyncio.wait_for(server.wait_closed(), timeout=2.0)
            except asyncio.TimeoutError:
                pass
            for sig in installed:
                loop.remove_signal_handler(sig)


def run(args: argparse.Namespace) -> int:
    stream_version = args.stream_version or DEFAULT_STREAM_VERSION
    del stream_version  # a QString is encoded identically for every version >= Qt_2_0
    try:
        fortunes = load_fortunes(args.fortunes)
        server = FortuneServer(fortunes, args.framing)
    except (ServerError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        sock = open_listening_socket(args.host, args.port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(ADDRESS_IN_USE_MESSAGE, file=sys.stderr)
        else:
            print(f"Unable to start the server: {exc.strerror or exc}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    announce = f"The server is running on IP: {first_ipv4_address()} port: {port}"
    try:
        asyncio.run(server.serve(sock, announce))
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    print(f"Served {server.served} fortunes", flush=True)
    return 0
