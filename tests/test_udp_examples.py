"""The UDP examples (qtnet.examples.broadcast_*/multicast_*) and their qtnet commands.

Here they run on this host only: the broadcast sender aims at 127.0.0.1 and
the multicast programs are pinned to the loopback interface (``--interface
lo``).  Real broadcast and multicast between hosts: test_udp_netns.py.
"""

from __future__ import annotations

import json
import os
import random
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qtnet import QHostAddress
from qtnet.cli.main import build_parser
from qtnet.examples import broadcast_sender

REPO = Path(__file__).resolve().parent.parent
CLI = [
    sys.executable,
    "-c",
    "import sys; from qtnet.cli.main import main; sys.exit(main(sys.argv[1:]))",
]


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO / "src"), PYTHONDONTWRITEBYTECODE="1")


def start_receiver(*args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [*CLI, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
        cwd=str(REPO),
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if select.select([proc.stderr], [], [], 0.5)[0]:
            line = proc.stderr.readline()
            if line.startswith("Listening"):
                return proc
            if not line:
                break
    proc.kill()
    raise AssertionError(f"receiver did not start: {proc.communicate()[1]}")


def run_sender(*args: str) -> str:
    proc = subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env(),
        cwd=str(REPO),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def received(proc: subprocess.Popen[str]) -> list[dict[str, object]]:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_the_commands_and_their_defaults() -> None:
    parser = build_parser()
    a = parser.parse_args(["broadcast-sender"])
    assert (a.address, a.port, a.interval, a.count) == ("255.255.255.255", 45454, 1000, 0)
    a = parser.parse_args(["multicast-receiver", "--interface", "lo", "--json"])
    assert (a.group4, a.group6, a.port, a.interface, a.json) == (
        "239.255.43.21",
        "ff12::2115",
        45454,
        "lo",
        True,
    )
    a = parser.parse_args(["multicast-sender", "--ttl", "4"])
    assert a.ttl == 4 and a._target == "qtnet.examples.multicast_sender:run"
    assert (
        parser.parse_args(["broadcast-receiver"])._target == "qtnet.examples.broadcast_receiver:run"
    )
    for bad in (
        ["broadcast-sender", "--port", "0"],
        ["broadcast-receiver", "--count", "-1"],
        ["multicast-sender", "--interval", "soon"],
    ):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)


def test_an_example_takes_the_same_options_as_its_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        broadcast_sender.main(["--help"])
    assert exit_info.value.code == 0
    usage = capsys.readouterr().out
    assert all(opt in usage for opt in ("--address", "--port", "--interval", "--count"))


def test_broadcast_examples_on_this_host() -> None:
    port = str(random.randrange(20000, 60000))
    receiver = start_receiver(
        "broadcast-receiver", "--port", port, "--count", "3", "--timeout", "15", "--json"
    )
    out = run_sender(
        "broadcast-sender",
        "--address",
        "127.0.0.1",
        "--port",
        port,
        "--interval",
        "50",
        "--count",
        "5",
    )
    assert out.splitlines()[:2] == ["Now broadcasting datagram 1", "Now broadcasting datagram 2"]
    got = received(receiver)
    assert [d["data"] for d in got] == [
        "Broadcast message 1",
        "Broadcast message 2",
        "Broadcast message 3",
    ]
    for d in got:
        # The receiver is bound to Any (dual stack): IPv4 addresses come v4-mapped.
        assert (
            QHostAddress(str(d["sender"])).toIPv4Address()
            == QHostAddress("127.0.0.1").toIPv4Address()
        )
        assert str(d["destination"]).startswith("::ffff:127.0.0.1")
        assert d["destination_port"] == int(port)


def test_multicast_examples_on_the_loopback_interface() -> None:
    port = str(random.randrange(20000, 60000))
    group = f"239.252.{random.randrange(256)}.{random.randrange(1, 255)}"
    pinned = ["--group4", group, "--group6", "", "--interface", "lo", "--port", port]
    receiver = start_receiver(
        "multicast-receiver", *pinned, "--count", "3", "--timeout", "15", "--json"
    )
    out = run_sender("multicast-sender", *pinned, "--interval", "50", "--count", "5", "--ttl", "2")
    assert "Now sending datagram 5" in out
    got = received(receiver)
    assert [d["data"] for d in got] == [f"Multicast message {i}" for i in (1, 2, 3)]
    assert all(d["sender"] == "127.0.0.1" for d in got)
