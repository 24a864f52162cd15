"""UDP broadcast and multicast between real separate hosts: network namespaces.

The fixture builds a small private network the test owns: three hosts
(namespaces ``a``, ``b``, ``c``) plugged by veth pairs into a bridge that lives
in a fourth namespace, addresses 10.250.<k>.1-3/24 and fd00:250:<k>::1-3/64
that exist only inside those namespaces.  Nothing is connected to the host's
own interfaces, so no datagram can leave them; the namespaces (and with them
every interface) are deleted when the module's tests end.

Each host runs qtnet in its own process (``ip netns exec``, the repo's
interpreter, PYTHONPATH=src): Qt's four UDP examples (``qtnet.examples.*``)
and a small probe receiver that prints every datagram's metadata as JSON.

Needs root and iproute2 (installed with apt-get when ``ip`` is missing).  If
the namespaces cannot be created the tests FAIL with the reason; they are
never skipped.
"""

from __future__ import annotations

import json
import os
import random
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from qtnet import QHostAddress

REPO = Path(__file__).resolve().parent.parent
HOSTS = ("a", "b", "c")

PROBE = r"""
import json, sys
from qtnet import QCoreApplication, QHostAddress, QNetworkInterface, QTimer, QUdpSocket
bind, port, groups, iface = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
count, timeout = int(sys.argv[5]), float(sys.argv[6])
app = QCoreApplication([])
s = QUdpSocket()
if not s.bind(QHostAddress(bind), port, QUdpSocket.ShareAddress):
    sys.exit("bind: " + s.errorString())
for g in filter(None, groups.split(",")):
    if not s.joinMulticastGroup(QHostAddress(g), QNetworkInterface.interfaceFromName(iface)):
        sys.exit("join " + g + ": " + s.errorString())
got = []
def read():
    while s.hasPendingDatagrams():
        d = s.receiveDatagram()
        got.append(1)
        print(json.dumps({"data": bytes(d.data()).decode(), "sender": d.senderAddress().toString(),
              "sender_port": d.senderPort(), "destination": d.destinationAddress().toString(),
              "destination_port": d.destinationPort(), "hop_limit": d.hopLimit(),
              "interface": d.interfaceIndex()}), flush=True)
        if count and len(got) >= count:
            app.quit()
s.readyRead.connect(read)
QTimer.singleShot(int(timeout * 1000), app.quit)
print("Listening", file=sys.stderr, flush=True)
app.exec()
"""


class Network:
    """Namespaces hub/a/b/c, a bridge and three veth pairs (see the module docstring)."""

    def __init__(self) -> None:
        tag = f"{os.getpid() % 10000}{random.randrange(1000):03d}"
        self.prefix = f"qtnet-test-{tag}-"
        self.k = random.randrange(1, 255)  # the 10.250.<k>.0/24 subnet
        self.created: list[str] = []
        self.index: dict[str, int] = {}

    def ns(self, host: str) -> str:
        return self.prefix + host

    def ip4(self, host: str) -> str:
        return f"10.250.{self.k}.{HOSTS.index(host) + 1}"

    def ip6(self, host: str) -> str:
        return f"fd00:250:{self.k:x}::{HOSTS.index(host) + 1}"

    @property
    def subnet_broadcast(self) -> str:
        return f"10.250.{self.k}.255"

    def _ip(self, *args: str) -> None:
        proc = subprocess.run(
            ["ip", *args], capture_output=True, text=True, timeout=30, check=False
        )
        if proc.returncode != 0:
            raise RuntimeError(f"ip {' '.join(args)}: {proc.stderr.strip() or proc.returncode}")

    def create(self) -> None:
        for host in ("hub", *HOSTS):
            name = self.ns(host)
            self._ip("netns", "add", name)
            self.created.append(name)
            self._ip("-n", name, "link", "set", "lo", "up")
            # Addresses usable at once (no duplicate address detection wait).
            self._ip(
                "netns",
                "exec",
                name,
                "sysctl",
                "-qw",
                "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0",
            )
        hub = self.ns("hub")
        self._ip("-n", hub, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0")
        self._ip("-n", hub, "link", "set", "br0", "up")
        for host in HOSTS:
            dev = f"v-{host}"
            self._ip(
                "link",
                "add",
                "name",
                dev,
                "netns",
                self.ns(host),
                "type",
                "veth",
                "peer",
                "name",
                f"p-{host}",
                "netns",
                hub,
            )
            self._ip("-n", hub, "link", "set", f"p-{host}", "master", "br0", "up")
            self._ip("-n", self.ns(host), "link", "set", dev, "up")
            self._ip(
                "-n", self.ns(host), "addr", "add", f"{self.ip4(host)}/24", "brd", "+", "dev", dev
            )
            self._ip(
                "-n", self.ns(host), "addr", "add", f"{self.ip6(host)}/64", "dev", dev, "nodad"
            )
            # 255.255.255.255 and IPv4 groups need a route; it can only lead to the bridge.
            self._ip("-n", self.ns(host), "route", "add", "default", "dev", dev)
            out = self.run_py(host, f"import socket; print(socket.if_nametoindex('v-{host}'))")
            self.index[host] = int(out.strip())

    def destroy(self) -> None:
        for name in reversed(self.created):
            subprocess.run(
                ["ip", "netns", "del", name], capture_output=True, timeout=30, check=False
            )
        self.created.clear()

    # -- processes inside a namespace -------------------------------------------------------
    def argv(self, host: str, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.ns(host), sys.executable, *args]

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO / "src")
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def run_py(self, host: str, code: str) -> str:
        proc = subprocess.run(
            self.argv(host, "-c", code),
            capture_output=True,
            text=True,
            timeout=60,
            env=self.env(),
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    def start(self, host: str, *args: str) -> subprocess.Popen[str]:
        """Start a receiver and wait (bounded) until it says it is listening."""
        proc = subprocess.Popen(
            self.argv(host, *args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=self.env(),
            cwd=str(REPO),
        )
        assert proc.stderr is not None
        deadline = time.monotonic() + 30
        seen = ""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stderr], [], [], 0.5)
            if ready:
                line = proc.stderr.readline()
                seen += line
                if line.startswith("Listening"):
                    return proc
                if not line and proc.poll() is not None:
                    break
        proc.kill()
        raise AssertionError(f"receiver on {host} did not start: {seen}")

    def send(self, host: str, *args: str) -> str:
        proc = subprocess.run(
            self.argv(host, *args),
            capture_output=True,
            text=True,
            timeout=60,
            env=self.env(),
            cwd=str(REPO),
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout


def _ensure_iproute2() -> None:
    if shutil.which("ip"):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "iproute2"]):
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=600, env=env, check=False
        )
        if proc.returncode != 0:
            pytest.fail(
                f"iproute2 is needed and could not be installed ({' '.join(cmd)}): "
                f"{proc.stderr.strip()[-500:]}"
            )
    if not shutil.which("ip"):
        pytest.fail("iproute2 was installed but `ip` is still not on PATH")


NetworkT = TypeVar("NetworkT", bound=Network)


def built(network: NetworkT) -> Iterator[NetworkT]:
    """Body of a module fixture: create ``network``, yield it, remove it after.

    Fails (never skips) with the reason when it cannot be created, and checks
    that no namespace of it is left behind.
    """
    _ensure_iproute2()
    try:
        network.create()
    except Exception as e:  # not root, no netns/veth/bridge support, ...: fail with the reason
        network.destroy()
        pytest.fail(f"cannot build the test network namespaces (root and iproute2 needed): {e}")
    try:
        yield network
    finally:
        network.destroy()
        leftover = subprocess.run(
            ["ip", "netns", "list"], capture_output=True, text=True, check=False
        ).stdout
        assert network.prefix not in leftover


@pytest.fixture(scope="module")
def net() -> Iterator[Network]:
    yield from built(Network())


def finish(proc: subprocess.Popen[str]) -> tuple[int, list[dict[str, Any]], str]:
    """Wait for a receiver; (exit status, its JSON lines, its stderr)."""
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return (
        proc.returncode,
        [json.loads(line) for line in out.splitlines() if line.startswith("{")],
        err,
    )


def v4(text: str) -> int:
    """The IPv4 value of an address as printed (plain, or v4-mapped by a dual-stack socket)."""
    return QHostAddress(text.split("%")[0]).toIPv4Address()


def example(name: str) -> tuple[str, str]:
    return "-m", f"qtnet.examples.{name}"


def test_namespaces_are_private(net: Network) -> None:
    """The test hosts see only each other: no route, no interface of the machine."""
    routes = net.run_py(
        "a",
        "import subprocess; print(subprocess.run(['ip', '-o', 'link'], "
        "capture_output=True, text=True).stdout)",
    )
    assert "v-a" in routes and "eth0" not in routes and "p-" not in routes


@pytest.mark.parametrize("to", ["limited", "subnet"])
def test_broadcast_between_hosts(net: Network, to: str) -> None:
    port = str(random.randrange(20000, 60000))
    address = "255.255.255.255" if to == "limited" else net.subnet_broadcast
    count = 4
    receivers = [
        net.start(
            host,
            *example("broadcast_receiver"),
            "--port",
            port,
            "--count",
            str(count),
            "--timeout",
            "20",
            "--json",
        )
        for host in ("b", "c")
    ]
    # An IPv4 socket sharing the port on b also reports the TTL (a dual-stack one cannot).
    probe = net.start("b", "-c", PROBE, "0.0.0.0", port, "", "v-b", str(count), "20")
    out = net.send(
        "a",
        *example("broadcast_sender"),
        "--address",
        address,
        "--port",
        port,
        "--interval",
        "100",
        "--count",
        str(count + 4),
    )
    assert "Now broadcasting datagram 1" in out
    for proc in (*receivers, probe):
        status, got, err = finish(proc)
        assert status == 0, err
        assert len(got) == count
        for i, dg in enumerate(got):
            assert dg["data"] == f"Broadcast message {i + 1}"
            assert v4(dg["sender"]) == v4(net.ip4("a"))
            assert v4(dg["destination"]) == v4(address)
            assert dg["destination_port"] == int(port)
            if proc is probe:
                assert dg["hop_limit"] == 64  # one hop: the TTL the sender's kernel set
                assert dg["interface"] == net.index["b"]
            else:
                assert dg["hop_limit"] == -1  # as Qt: dual-stack sockets get no IPv4 TTL


def test_multicast_between_hosts(net: Network) -> None:
    port = str(random.randrange(20000, 60000))
    g4 = f"239.250.{random.randrange(256)}.{random.randrange(1, 255)}"
    g6 = f"ff14::250:{random.randrange(1, 0xFFFF):x}"
    link6 = f"ff12::250:{random.randrange(1, 0xFFFF):x}"
    count = 3
    b_example = net.start(
        "b",
        *example("multicast_receiver"),
        "--group4",
        g4,
        "--group6",
        g6,
        "--port",
        port,
        "--count",
        str(2 * count),
        "--timeout",
        "20",
        "--json",
    )
    c_example = net.start(
        "c",
        *example("multicast_receiver"),
        "--group4",
        "",
        "--group6",
        link6,
        "--interface",
        "v-c",
        "--port",
        port,
        "--count",
        str(count),
        "--timeout",
        "20",
        "--json",
    )
    b_probe4 = net.start("b", "-c", PROBE, "0.0.0.0", port, g4, "v-b", str(count), "20")
    # c has not joined g6: its IPv6 socket must see only the link-local group.
    c_probe6 = net.start("c", "-c", PROBE, "::", port, link6, "v-c", str(count), "20")
    ttl = "3"
    out = net.send(
        "a",
        *example("multicast_sender"),
        "--group4",
        g4,
        "--group6",
        g6,
        "--port",
        port,
        "--ttl",
        ttl,
        "--interval",
        "100",
        "--count",
        str(count + 3),
    )
    assert "Now sending datagram 1" in out
    net.send(
        "a",
        *example("multicast_sender"),
        "--group4",
        "",
        "--group6",
        link6,
        "--port",
        port,
        "--ttl",
        ttl,
        "--interval",
        "100",
        "--count",
        str(count + 3),
    )

    status, got, err = finish(b_example)
    assert status == 0, err
    v4_got = [d for d in got if "destination" not in d]  # read with readDatagram
    v6_got = [d for d in got if "destination" in d]  # read with receiveDatagram
    assert len(got) == 2 * count and len(v4_got) >= 2 and len(v6_got) >= 2
    for part in (v4_got, v6_got):  # each family in order, from message 1
        assert [d["data"] for d in part] == [f"Multicast message {i + 1}" for i in range(len(part))]
    assert all(v4(d["sender"]) == v4(net.ip4("a")) for d in v4_got)
    for d in v6_got:
        sender = QHostAddress(d["sender"].split("%")[0])
        assert sender.isLinkLocal() or sender == QHostAddress(net.ip6("a"))
        assert QHostAddress(d["destination"].split("%")[0]) == QHostAddress(g6)
        assert d["hop_limit"] == int(ttl) and d["interface"] == net.index["b"]

    status, got, err = finish(c_example)
    assert status == 0, err
    assert [d["data"] for d in got] == [f"Multicast message {i + 1}" for i in range(count)]
    assert all(QHostAddress(d["destination"].split("%")[0]) == QHostAddress(link6) for d in got)

    status, got, err = finish(b_probe4)
    assert status == 0, err
    for i, d in enumerate(got):
        assert d["data"] == f"Multicast message {i + 1}"
        assert QHostAddress(d["destination"]) == QHostAddress(g4)
        assert d["hop_limit"] == int(ttl) and d["interface"] == net.index["b"]

    status, got, err = finish(c_probe6)
    assert status == 0, err
    assert all(QHostAddress(d["destination"].split("%")[0]) == QHostAddress(link6) for d in got)
    assert len(got) == count


def test_multicast_reaches_only_members(net: Network) -> None:
    port = str(random.randrange(20000, 60000))
    g4 = f"239.251.{random.randrange(256)}.{random.randrange(1, 255)}"
    member = net.start("b", "-c", PROBE, "0.0.0.0", port, g4, "v-b", "2", "15")
    outsider = net.start("c", "-c", PROBE, "0.0.0.0", port, "", "v-c", "0", "3")
    net.send(
        "a",
        *example("multicast_sender"),
        "--group4",
        g4,
        "--group6",
        "",
        "--port",
        port,
        "--interval",
        "100",
        "--count",
        "4",
    )
    status, got, err = finish(member)
    assert status == 0 and len(got) == 2, err
    status, got, err = finish(outsider)
    assert status == 0 and got == [], err  # bound to the port, but never joined the group
