"""The ``qtnet`` command line and the project plumbing around it.

Runs the CLI in subprocesses (as a user would) and talks to the Fortune
server over loopback only (127.0.0.1 / ::1).
"""

from __future__ import annotations

import ast
import os
import re
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
QTNET = [sys.executable, "-m", "qtnet.cli.main"]

FORTUNES = {
    "You've been leading a dog's life. Stay off the furniture.",
    "You've got to think about tomorrow.",
    "You will be surprised by a loud noise.",
    "You will feel hungry again in another hour.",
    "You might have mail.",
    "You cannot kill time without injuring eternity.",
    "Computers are not intelligent. They only think they are.",
}
# The shown IP is the first non-localhost IPv4 address when listening on all
# addresses, else the address given with --host (an IPv6 one for --host ::1).
ANNOUNCE = re.compile(r"^The server is running on IP: (\d+\.\d+\.\d+\.\d+|[0-9a-f:]+) port: (\d+)$")
SUMMARY = re.compile(r"^Served (\d+) fortunes$")

pytestmark = pytest.mark.timeout(60)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)  # the server must flush by itself
    return env


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*QTNET, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env=_env(),
    )


def read_line(proc: subprocess.Popen[str], timeout: float = 15) -> str:
    """One stdout line from ``proc``, failing (not hanging) after ``timeout``."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            proc.kill()
            _, err = proc.communicate()
            pytest.fail(f"no output within {timeout}s; stderr: {err}")
    line = proc.stdout.readline()
    if not line:
        _, err = proc.communicate()
        pytest.fail(f"server exited early ({proc.returncode}); stderr: {err}")
    return line.rstrip("\n")


class FortuneServer:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [*QTNET, "fortune-server", "--host", "127.0.0.1", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=_env(),
        )
        self.announce = read_line(self.proc)
        m = ANNOUNCE.match(self.announce)
        assert m, f"unexpected first line: {self.announce!r}"
        self.ip, self.port = m.group(1), int(m.group(2))

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str, str]:
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=15)
        return self.proc.returncode, out, err

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.fixture
def server_factory() -> Iterator[type[FortuneServer]]:
    started: list[FortuneServer] = []

    class Tracked(FortuneServer):
        def __init__(self, *args: str) -> None:
            super().__init__(*args)
            started.append(self)

    yield Tracked
    for s in started:
        s.kill()


def fetch(port: int, host: str = "127.0.0.1") -> bytes:
    """Everything the server sends before closing the connection."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect((host, port))
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def decode_qstring(data: bytes) -> str:
    assert len(data) >= 4, data
    (size,) = struct.unpack(">I", data[:4])
    assert size != 0xFFFFFFFF, "null QString"
    assert size % 2 == 0 and len(data) == 4 + size, (size, len(data))
    return data[4:].decode("utf-16-be")


# -- qtnet --help ---------------------------------------------------------
def test_help_lists_every_subcommand() -> None:
    from qtnet.cli.main import COMMANDS

    res = run_cli("--help")
    assert res.returncode == 0, res.stderr
    names = [c.name for c in COMMANDS]
    assert {"fortune-server", "doctor"} <= set(names)
    for cmd in COMMANDS:
        line = next((ln for ln in res.stdout.splitlines() if ln.strip().startswith(cmd.name)), None)
        assert line is not None, f"{cmd.name} missing from --help:\n{res.stdout}"
        assert cmd.help[:20] in res.stdout, f"no help text for {cmd.name}"


def test_help_does_not_import_subcommands() -> None:
    """Command modules load only when their command runs, so --help stays fast."""
    code = (
        "import sys, contextlib, io\n"
        "from qtnet.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main.main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('qtnet.cli.', 'qtnet.qt', "
        "'qtnet.iocore', 'qtnet.examples'))))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr
    # Besides main, only the argparse-only option modules of example commands may load.
    options_only = {"qtnet.cli.main", "qtnet.cli.udp_examples", "qtnet.cli.websocket_examples"}
    loaded = set(ast.literal_eval(res.stdout.strip()))
    assert "qtnet.cli.main" in loaded and loaded <= options_only, loaded


def test_no_command_prints_usage_and_fails() -> None:
    res = run_cli()
    assert res.returncode == 2
    assert "fortune-server" in res.stderr


def test_fortune_server_help() -> None:
    res = run_cli("fortune-server", "--help")
    assert res.returncode == 0, res.stderr
    for opt in ("--host", "--port", "--framing", "--stream-version", "--fortunes"):
        assert opt in res.stdout


def test_console_script_installed() -> None:
    script = Path(sys.executable).parent / "qtnet"
    if not script.exists():
        found = shutil.which("qtnet")
        assert found is not None, "qtnet console script not installed (pip install -e . / make test)"
        script = Path(found)
    res = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr
    assert "fortune-server" in res.stdout


# -- qtnet doctor ---------------------------------------------------------
def test_doctor() -> None:
    res = run_cli("doctor")
    assert res.returncode == 0, res.stderr
    info = dict(line.split(": ", 1) for line in res.stdout.splitlines())
    assert set(info) >= {"qtnet", "python", "event loop", "platform", "SO_REUSEPORT", "IPv6"}
    assert info["python"].startswith(".".join(map(str, sys.version_info[:3])))
    assert info["event loop"].split()[0] in {"uvloop", "asyncio"}


def test_doctor_honours_qtnet_loop() -> None:
    env = _env()
    env["QTNET_LOOP"] = "asyncio"
    res = subprocess.run([*QTNET, "doctor"], capture_output=True, text=True, timeout=30, env=env)
    assert res.returncode == 0, res.stderr
    assert "event loop: asyncio" in res.stdout


# -- the Fortune server ---------------------------------------------
@pytest.mark.parametrize("framing", ["qt5", "legacy"])
def test_fortune_server_serves_fortunes(server_factory: type[FortuneServer], framing: str) -> None:
    server = server_factory("--framing", framing)
    assert 0 < server.port < 65536
    n = 5
    for _ in range(n):
        data = fetch(server.port)
        if framing == "legacy":
            (block_size,) = struct.unpack(">H", data[:2])
            assert block_size == len(data) - 2
            data = data[2:]
        assert decode_qstring(data) in FORTUNES
    code, out, err = server.stop(signal.SIGINT)
    assert code == 0, err
    assert out.strip().splitlines()[-1] == f"Served {n} fortunes"


def test_fortune_server_sigterm(server_factory: type[FortuneServer]) -> None:
    server = server_factory()
    fetch(server.port)
    code, out, err = server.stop(signal.SIGTERM)
    assert code == 0, err
    assert SUMMARY.match(out.strip().splitlines()[-1])


def test_fortune_server_custom_file(server_factory: type[FortuneServer], tmp_path: Path) -> None:
    fortunes = tmp_path / "fortunes.txt"
    fortunes.write_text("Ünïcode fortune 🐍\n\n", encoding="utf-8")
    server = server_factory("--fortunes", str(fortunes), "--stream-version", "Qt_6_5")
    data = fetch(server.port)
    # The snake is outside the BMP: a surrogate pair, 2 UTF-16 code units.
    assert struct.unpack(">I", data[:4])[0] == 2 * (len("Ünïcode fortune ") + 2)
    assert decode_qstring(data) == "Ünïcode fortune 🐍"
    assert server.stop()[0] == 0


def test_fortune_server_port_in_use() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        res = run_cli("fortune-server", "--host", "127.0.0.1", "--port", str(port))
    assert res.returncode == 1
    assert "The bound address is already in use" in res.stderr
    assert "The server is running" not in res.stdout


def test_fortune_server_ipv6_loopback(server_factory: type[FortuneServer]) -> None:
    # The project's machines all have ::1; a missing IPv6 loopback is a
    # broken test host, reported as a failure rather than skipped.
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
        probe.bind(("::1", 0))
    server = server_factory("--host", "::1")
    assert decode_qstring(fetch(server.port, "::1")) in FORTUNES
    assert server.stop()[0] == 0


def test_fortune_server_rejects_bad_stream_version() -> None:
    res = run_cli("fortune-server", "--stream-version", "Qt_9_9")
    assert res.returncode == 2
    assert "QDataStream version" in res.stderr


def test_encoding_helpers() -> None:
    from qtnet.examples.fortunes import encode_fortune, encode_qstring

    assert encode_qstring("Hi") == b"\x00\x00\x00\x04\x00H\x00i"
    assert encode_fortune("Hi", "qt5") == encode_qstring("Hi")
    assert encode_fortune("Hi", "legacy") == b"\x00\x08" + encode_qstring("Hi")


# -- project plumbing ---------------------------------------------------------
def test_ci_script_runs_make_test() -> None:
    ci = REPO / ".ci" / "run"
    assert ci.exists()
    assert os.access(ci, os.X_OK), ".ci/run must be executable"
    text = ci.read_text()
    assert "set -euo pipefail" in text
    assert re.search(r"^make test\b", text, re.M)


def test_makefile_targets() -> None:
    assert shutil.which("make") is not None, "make is required (the README's commands use it)"
    for target in ("run", "test", "bench", "lint", "clean"):
        res = subprocess.run(
            ["make", "-n", target], cwd=REPO, capture_output=True, text=True, timeout=30
        )
        assert res.returncode == 0, f"make -n {target}: {res.stderr}"


def test_fortune_server_startup_is_quick(server_factory: type[FortuneServer]) -> None:
    t0 = time.monotonic()
    server = server_factory()
    assert time.monotonic() - t0 < 10
    assert server.stop()[0] == 0
