"""The fortune commands as a user runs them: subprocesses over loopback.

``qtnet fortune-server`` (signals, summary, port in use, status output on a
pipe and on a terminal), ``threaded-fortune-server``, ``fortune-client`` and
``blocking-fortune-client`` (framings, errors), ``loopback``, every
``--help``, and ``python -m qtnet.examples.<name>``.
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from qtnet.examples.fortunes import FORTUNES, encode_fortune
from tcp_helpers import closed_port

QTNET = [sys.executable, "-m", "qtnet.cli.main"]
ANNOUNCE = re.compile(r"^The server is running on IP: (\S+) port: (\d+)$")
COMMANDS = (
    "fortune-server",
    "threaded-fortune-server",
    "fortune-client",
    "blocking-fortune-client",
    "loopback",
)

pytestmark = pytest.mark.timeout(120)


def _env(loop: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)  # the programs must flush by themselves
    if loop:
        env["QTNET_LOOP"] = loop
    return env


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*QTNET, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env=_env(),
    )


class Server:
    """A fortune server subprocess on 127.0.0.1 and a port the system picks."""

    def __init__(
        self, *args: str, command: str = "fortune-server", loop: str | None = None
    ) -> None:
        self.proc = subprocess.Popen(
            [*QTNET, command, "--host", "127.0.0.1", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=_env(loop),
        )
        line = self.read_line()
        m = ANNOUNCE.match(line)
        assert m, line
        assert m.group(1) == "127.0.0.1"
        self.port = int(m.group(2))

    def read_line(self, timeout: float = 20) -> str:
        assert self.proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            if not sel.select(timeout):
                self.kill()
                pytest.fail(f"no output within {timeout} s")
        line = self.proc.stdout.readline()
        if not line:
            _, err = self.proc.communicate(timeout=10)
            pytest.fail(f"server exited ({self.proc.returncode}): {err}")
        return line.rstrip("\n")

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str, str]:
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=20)
        return self.proc.returncode, out, err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=10)


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for s in started:
        s.kill()


def fetch(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        chunks = []
        while chunk := s.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks)


# -- fortune-server --------------------------------------------------------------------------------
@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
@pytest.mark.parametrize("command", ["fortune-server", "threaded-fortune-server"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_server_stops_cleanly_with_a_summary(
    servers: list[Server], loop: str, command: str, sig: int
) -> None:
    server = Server("--framing", "legacy", command=command, loop=loop)
    servers.append(server)
    expected = {encode_fortune(f, "legacy") for f in FORTUNES}
    for _ in range(3):
        assert fetch(server.port) in expected
    t0 = time.monotonic()
    code, out, err = server.stop(sig)
    assert code == 0, err
    assert time.monotonic() - t0 < 10
    assert out.splitlines()[-1] == "Served 3 fortunes"
    assert "Traceback" not in err


def test_signal_right_after_the_announcement(servers: list[Server]) -> None:
    # The handlers are installed before the line is printed: no KeyboardInterrupt.
    for _ in range(3):
        server = Server("--log-interval", "0")
        servers.append(server)
        code, out, err = server.stop()
        assert code == 0 and out.splitlines()[-1] == "Served 0 fortunes", err
        assert "Traceback" not in err


@pytest.mark.parametrize("command", ["fortune-server", "threaded-fortune-server"])
def test_port_in_use(command: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        res = run_cli(command, "--host", "127.0.0.1", "--port", str(port))
    assert res.returncode == 1
    assert "Unable to start the server: The bound address is already in use." in res.stderr
    assert "The server is running" not in res.stdout


def test_bad_fortunes_file_and_host(tmp_path: object) -> None:
    res = run_cli("fortune-server", "--fortunes", "/nonexistent/fortunes.txt")
    assert res.returncode == 1 and "Cannot read fortunes file" in res.stderr
    res = run_cli("fortune-server", "--host", "no such host!")
    assert res.returncode == 1 and "Unable to start the server" in res.stderr


def test_plain_log_lines_when_not_a_terminal(servers: list[Server]) -> None:
    server = Server("--log-interval", "0.2")
    servers.append(server)
    for _ in range(2):
        fetch(server.port)
    line = server.read_line()
    assert re.match(
        r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] served 2 fortunes \([\d.]+/s\), \d+ active$", line
    ), line
    code, out, _ = server.stop()
    # Idle: no more log lines, then the summary.
    assert code == 0
    assert out.splitlines()[-2].startswith("Stopped after ")
    assert out.splitlines()[-1] == "Served 2 fortunes"
    assert "served" not in "".join(out.splitlines()[:-2])


def test_no_log_lines_with_interval_zero(servers: list[Server]) -> None:
    server = Server("--log-interval", "0")
    servers.append(server)
    fetch(server.port)
    time.sleep(0.5)
    code, out, _ = server.stop()
    assert code == 0 and out.splitlines() == ["Served 1 fortunes"]


def _read_pty(fd: int, until: str, timeout: float = 20) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while until not in seen and time.monotonic() < deadline:
            if sel.select(0.2):
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk.decode(errors="replace")
    return seen


def test_live_status_line_on_a_terminal() -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [*QTNET, "fortune-server", "--host", "127.0.0.1"],
        stdout=slave,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=_env(),
    )
    os.close(slave)
    try:
        text = _read_pty(master, "port: ")
        text += _read_pty(master, "\n")
        port = int(re.search(r"port: (\d+)", text).group(1))  # type: ignore[union-attr]
        for _ in range(3):
            fetch(port)
        status = _read_pty(master, "served 3 |")
        assert "\r\x1b[2Kserved 3 | " in status and "| active " in status and "| up 0:00:" in status
        proc.send_signal(signal.SIGINT)
        rest = _read_pty(master, "Served 3 fortunes\r\n")
        assert proc.wait(20) == 0
        # The live line is cleared before the summary (the terminal turns \n into \r\n).
        assert re.search(
            r"\r\x1b\[2KStopped after [\d.]+ s \([\d.]+ fortunes/s on average\)\r\n"
            r"Served 3 fortunes\r\n$",
            rest,
        ), repr(rest[-200:])
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        os.close(master)


def test_threaded_server_serves_concurrent_clients(servers: list[Server]) -> None:
    server = Server(command="threaded-fortune-server")
    servers.append(server)
    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(lambda _: fetch(server.port), range(40)))
    expected = {encode_fortune(f, "qt5") for f in FORTUNES}
    assert set(replies) <= expected
    code, out, err = server.stop()
    assert code == 0 and out.splitlines()[-1] == "Served 40 fortunes", err
    assert "failed" not in err


# -- the clients -----------------------------------------------------------------------------------
@pytest.mark.parametrize("client", ["fortune-client", "blocking-fortune-client"])
@pytest.mark.parametrize(
    ("server_framing", "client_framing"),
    [("qt5", "qt5"), ("legacy", "legacy"), ("qt5", "auto"), ("legacy", "auto")],
)
def test_client_reads_fortunes(
    servers: list[Server], client: str, server_framing: str, client_framing: str
) -> None:
    server = Server("--framing", server_framing)
    servers.append(server)
    res = run_cli(
        client, "127.0.0.1", str(server.port), "--count", "4", "--framing", client_framing
    )
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert len(lines) == 4 and set(lines) <= set(FORTUNES)
    assert all(a != b for a, b in zip(lines, lines[1:], strict=False))
    assert res.stderr == ""


@pytest.mark.parametrize("client", ["fortune-client", "blocking-fortune-client"])
def test_client_with_the_wrong_framing_fails(servers: list[Server], client: str) -> None:
    # legacy reader, qt5 server: the first two bytes (0x0000) are taken as the
    # block size, the QString length is garbage, and the server closes first.
    server = Server("--framing", "qt5")
    servers.append(server)
    res = run_cli(client, "127.0.0.1", str(server.port), "--framing", "legacy", "--timeout", "20")
    assert res.returncode == 1
    assert "closed the connection before a whole fortune arrived" in res.stderr
    assert "The remote host closed the connection" in res.stderr


@pytest.mark.parametrize("client", ["fortune-client", "blocking-fortune-client"])
def test_client_errors(client: str) -> None:
    res = run_cli(client, "127.0.0.1", str(closed_port()))
    assert res.returncode == 1 and res.stdout == ""
    assert "was refused (Connection refused)" in res.stderr
    res = run_cli(client, "no such host!", "5000")
    assert res.returncode == 1
    assert "was not found (Host not found)" in res.stderr


def test_client_timeout() -> None:
    # A listener that never answers: the client gives up after --timeout.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        t0 = time.monotonic()
        res = run_cli("fortune-client", "127.0.0.1", str(port), "--timeout", "1")
    assert res.returncode == 1 and "No answer within 1 s" in res.stderr
    assert time.monotonic() - t0 < 20


@pytest.mark.parametrize("client", ["fortune-client", "blocking-fortune-client"])
def test_client_interrupted(client: str) -> None:
    # A listener that never answers; Ctrl-C ends the wait with the shell's status.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        proc = subprocess.Popen(
            [*QTNET, client, "127.0.0.1", str(port), "--timeout", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        silent.settimeout(20)
        conn, _ = silent.accept()  # the client is connected and waiting
        with conn:
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signal.SIGINT, err
    assert "Interrupted (0 of 1 fortunes)." in err and "Traceback" not in err


# -- loopback --------------------------------------------------------------------------------------
def test_loopback_plain_output() -> None:
    res = run_cli("loopback", "--mb", "16")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert re.match(
        r"^Received all 16777216 bytes intact: 16 MB in [\d.]+ s \([\d.]+ MB/s\)$", lines[-1]
    ), lines[-1]
    assert lines[-2] == "written 16.0 MB (100%), received 16.0 MB (100%)"
    assert len(lines) >= 5  # one line per 10 % received


def test_loopback_progress_bars_on_a_terminal() -> None:
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [*QTNET, "loopback", "--mb", "8"],
        stdout=slave,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=_env(),
    )
    os.close(slave)
    try:
        text = _read_pty(master, "MB/s)")
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        os.close(master)
    full = "[" + "#" * 40 + "] 100% 8.0/8.0 MB"
    assert f"bytes written  {full}" in text and f"bytes received {full}" in text
    assert "Received all 8388608 bytes intact" in text


def test_loopback_rejects_zero() -> None:
    res = run_cli("loopback", "--mb", "0")
    assert res.returncode == 2 and "--mb must be above 0" in res.stderr


# -- help and python -m ----------------------------------------------------------------------------
@pytest.mark.parametrize("command", COMMANDS)
def test_help_documents_every_option(command: str) -> None:
    from qtnet.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    options = sub.choices[command]._actions
    res = run_cli(command, "--help")
    assert res.returncode == 0, res.stderr
    text = " ".join(res.stdout.split())
    for action in options:
        names = action.option_strings or [action.metavar or action.dest]
        for name in names:
            assert name in text, f"{command} --help misses {name}"
        assert action.help and " ".join(action.help.split())[:30] in text, (command, action.dest)


@pytest.mark.parametrize(
    ("module", "command"),
    [
        ("fortune_server", "fortune-server"),
        ("threaded_fortune_server", "threaded-fortune-server"),
        ("fortune_client", "fortune-client"),
        ("blocking_fortune_client", "blocking-fortune-client"),
        ("loopback", "loopback"),
    ],
)
def test_examples_run_with_python_m(module: str, command: str) -> None:
    res = subprocess.run(
        [sys.executable, "-m", f"qtnet.examples.{module}", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
    )
    assert res.returncode == 0, res.stderr
    assert f"qtnet [-h] [--version] COMMAND [options] {command}" in " ".join(res.stdout.split())


def test_python_m_example_serves(servers: list[Server]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "qtnet.examples.loopback", "--mb", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Received all 2097152 bytes intact" in out
