"""The documentation is true of the code: its snippets run, its site builds, its links resolve.

* Every ``python {.exec}`` block in docs/*.md runs in a fresh interpreter and
  must exit 0 (the blocks assert what the text says, on loopback sockets).
* The tutorial programs (docs/tutorial/) talk to each other, and to PySide6
  with their import lines changed, as the tutorial and migration pages claim.
* The API pages name every public class of ``qtnet._EXPORTS``; the examples
  page names every example module and ``qtnet`` command.
* ``mkdocs build --strict`` succeeds (the ``docs`` extra is installed into this
  interpreter if it is missing) and every internal link and anchor of the
  built HTML resolves (tools/docs_check.py; external links are not fetched).
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import re
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import qtnet
from peers import peer_env, pyside6_python
from tool_loader import load_tool

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
TUTORIAL = DOCS / "tutorial"


docs_check = load_tool("docs_check")
BLOCKS = docs_check.runnable_blocks(DOCS)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("QTNET_LOOP", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


# -- runnable snippets ------------------------------------------------------
def test_pages_have_runnable_blocks() -> None:
    pages = {b.page for b in BLOCKS}
    assert {"tutorial.md", "migration.md", "asyncio.md"} <= pages
    assert len(BLOCKS) >= 12


def test_block_finder_reads_the_fence_convention(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_text(
        "text\n```python {.exec}\nx = 1\n```\n```python\nnot run\n```\n"
        "````python {.exec title='t'}\ny = 2\n````\n"
    )
    found = docs_check.runnable_blocks(tmp_path)
    assert [(b.line, b.code) for b in found] == [(2, "x = 1\n"), (8, "y = 2\n")]


@pytest.mark.parametrize("block", BLOCKS, ids=[b.name for b in BLOCKS])
def test_doc_block_runs(block: object, tmp_path: Path) -> None:
    code = block.code  # type: ignore[attr-defined]
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=_env(),
        check=False,
    )
    assert proc.returncode == 0, f"{block.name} failed:\n{proc.stderr[-4000:]}"  # type: ignore[attr-defined]


# -- the tutorial programs --------------------------------------------------
def _pyside6_version(path: Path, dest: Path) -> Path:
    """The program with its ``from qtnet import ...`` line served by PySide6."""
    text = path.read_text()
    line = re.search(r"^from qtnet import (.+)$", text, re.MULTILINE)
    assert line is not None
    names = [n.strip() for n in line.group(1).split(",")]
    core = [
        n
        for n in names
        if n in {"QByteArray", "QCoreApplication", "QDataStream", "QIODevice", "QTimer"}
    ]
    net = [n for n in names if n not in core]
    imports = f"from PySide6.QtCore import {', '.join(core)}\n"
    if net:
        imports += f"from PySide6.QtNetwork import {', '.join(net)}\n"
    out = dest / path.name
    out.write_text(text[: line.start()] + imports + text[line.end() + 1 :])
    return out


@contextlib.contextmanager
def _server(cmd: list[str], env: dict[str, str]) -> Iterator[int]:
    proc = subprocess.Popen(
        [*cmd, "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "the server printed nothing within 60 s"
        first = proc.stdout.readline()  # the line is complete: it is printed with flush
        m = re.fullmatch(r"The server is running on port (\d+)\n", first)
        died = proc.poll() is not None and proc.stderr is not None
        assert m, f"server said {first!r}; stderr: {proc.stderr.read() if died else ''}"
        yield int(m.group(1))
    finally:
        proc.kill()
        proc.wait(30)


def _client(cmd: list[str], port: int, env: dict[str, str]) -> str:
    proc = subprocess.run(
        [*cmd, str(port)], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def _fortunes() -> list[str]:
    ns: dict[str, object] = {}
    text = (TUTORIAL / "fortune_server.py").read_text()
    block = re.search(r"^FORTUNES = \[.*?^\]", text, re.MULTILINE | re.DOTALL)
    assert block is not None
    exec(block.group(0), ns)  # the list literal only
    fortunes = ns["FORTUNES"]
    assert isinstance(fortunes, list)
    return fortunes


def test_tutorial_server_and_client() -> None:
    py = [sys.executable]
    with _server([*py, str(TUTORIAL / "fortune_server.py")], _env()) as port:
        got = {_client([*py, str(TUTORIAL / "fortune_client.py")], port, _env()) for _ in range(3)}
    assert got and got <= set(_fortunes())


def test_tutorial_programs_run_on_pyside6_with_the_imports_changed(tmp_path: Path) -> None:
    """The migration page's claim, on the tutorial's own files, both directions."""
    peer = [pyside6_python()]
    server = _pyside6_version(TUTORIAL / "fortune_server.py", tmp_path)
    client = _pyside6_version(TUTORIAL / "fortune_client.py", tmp_path)
    assert "qtnet" not in server.read_text() + client.read_text()
    ours = [sys.executable]
    fortunes = set(_fortunes())
    # real Qt server, qtnet client
    with _server([*peer, str(server)], peer_env()) as port:
        assert _client([*ours, str(TUTORIAL / "fortune_client.py")], port, _env()) in fortunes
    # qtnet server, real Qt client
    with _server([*ours, str(TUTORIAL / "fortune_server.py")], _env()) as port:
        assert _client([*peer, str(client)], port, peer_env()) in fortunes


# -- pages that must list everything ----------------------------------------
def test_api_pages_document_every_public_name() -> None:
    documented: set[str] = set()
    for page in (DOCS / "api").glob("*.md"):
        documented |= set(re.findall(r"^::: (qtnet\.[\w.]+)$", page.read_text(), re.MULTILINE))
    expected = {f"qtnet{mod}.{name}" for name, mod in qtnet._EXPORTS.items()}
    assert expected - documented == set(), "add these to a page under docs/api/"
    # a module's own docstring may be shown too; anything else must be public
    extra = {d for d in documented - expected if importlib.util.find_spec(d) is None}
    assert extra == set(), "documented but not exported"


def test_examples_page_lists_every_example_and_command() -> None:
    from qtnet.cli.main import COMMANDS

    text = (DOCS / "examples.md").read_text()
    helpers = {"__init__", "fortunes"}
    modules = {p.stem for p in (REPO / "src/qtnet/examples").glob("*.py")} - helpers
    assert modules, "no example modules found"
    for mod in sorted(modules):
        assert f"::: qtnet.examples.{mod}\n" in text, mod
        assert f"python -m qtnet.examples.{mod} --help" in text, mod
    names = {c.name for c in COMMANDS}
    mentioned = set(re.findall(r"`qtnet ([a-z][a-z-]*)`", text))
    assert mentioned and mentioned <= names, mentioned - names
    assert names - mentioned <= {"doctor"}, names - mentioned


# -- the site ---------------------------------------------------------------
def _docs_requirements() -> list[str]:
    """The ``docs`` extra of pyproject.toml (read by pattern: tomllib is 3.11+)."""
    text = (REPO / "pyproject.toml").read_text()
    block = re.search(r"^docs = \[\n(.*?)^\]", text, re.MULTILINE | re.DOTALL)
    assert block is not None, "no docs extra in pyproject.toml"
    reqs = re.findall(r'^\s*"([^"]+)",?\s*$', block.group(1), re.MULTILINE)
    assert reqs
    return reqs


def _ensure_mkdocs() -> None:
    """Install the ``docs`` extra into this interpreter if it is missing.

    Under a lock, as several test runs may share the venv.
    """
    probe = [sys.executable, "-c", "import mkdocs, material, mkdocstrings_handlers.python"]
    if subprocess.run(probe, capture_output=True, timeout=120, check=False).returncode == 0:
        return
    lock_path = Path(sys.prefix) / ".qtnet-docs-install.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if subprocess.run(probe, capture_output=True, timeout=120, check=False).returncode:
            pip = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
            proc = subprocess.run(
                [*pip, *_docs_requirements()],
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            assert proc.returncode == 0, f"installing the docs extra failed:\n{proc.stderr}"


# Generous: on a fresh machine this first installs the docs extra (about a
# minute), and the build itself takes 20-60 s on two busy cores.
@pytest.mark.timeout(900)
def test_site_builds_strict_and_every_internal_link_resolves(tmp_path: Path) -> None:
    _ensure_mkdocs()
    site = tmp_path / "site"
    env = _env()
    env["NO_MKDOCS_2_WARNING"] = "1"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-6000:]
    checked, broken = docs_check.check_site_links(site)
    assert broken == []
    assert checked > 500
    # the API reference was generated, not left as ":::" lines
    tcp = (site / "api" / "tcp" / "index.html").read_text()
    assert 'id="qtnet.qt.tcpserver.QTcpServer.listen"' in tcp
    assert ":::" not in tcp


def test_link_checker_reports_missing_pages_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<h1 id="top">t</h1><a href="a/">ok</a><a href="#top">ok</a>'
        '<a href="a/#nope">bad anchor</a><a href="b/">missing</a>'
        '<a href="https://example.org/x">external, not followed</a>'
    )
    (tmp_path / "a" / "index.html").write_text('<a href="../index.html#top">ok</a>')
    checked, broken = docs_check.check_site_links(tmp_path)
    assert checked == 5
    assert len(broken) == 2
    assert "no id 'nope'" in broken[0] and "b/" in broken[1]


# -- what the pages show of the command line --------------------------------
def _qtnet(*args: str) -> subprocess.CompletedProcess[str]:
    """``qtnet ARGS`` in a fresh interpreter; it must succeed."""
    proc = subprocess.run(
        [sys.executable, "-m", "qtnet.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def _doctor() -> dict[str, str]:
    proc = _qtnet("doctor")
    return dict(line.split(": ", 1) for line in proc.stdout.splitlines())


def test_doctor_output_shown_on_the_home_page_has_the_real_keys() -> None:
    text = (DOCS / "index.md").read_text()
    block = re.search(r"\$ qtnet doctor\n(.*?)```", text, re.DOTALL)
    assert block is not None
    shown = dict(line.split(": ", 1) for line in block.group(1).strip().splitlines())
    real = _doctor()
    assert list(shown) == list(real)
    for key in ("IPv4 multicast route", "IPv6 multicast route"):  # the same group asked
        assert shown[key].split()[1] == real[key].split()[1].rstrip(":"), key


def test_doctor_reports_the_multicast_routes_the_kernel_has() -> None:
    """Compared with the kernel's own answer for the same groups."""
    import socket

    info = _doctor()
    for key, family, group in (
        ("IPv4 multicast route", socket.AF_INET, "239.255.43.21"),
        ("IPv6 multicast route", socket.AF_INET6, "ff05::2115"),
    ):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((group, 45454))  # sends nothing: asks the routing table
                expected = f"yes ({group} goes out via {s.getsockname()[0]})"
        except OSError:
            expected = "no ("
        assert info[key].startswith(expected), (key, info[key])


def test_help_lists_every_command_with_one_line() -> None:
    from qtnet.cli.main import COMMANDS

    proc = _qtnet("--help")
    for cmd in COMMANDS:
        assert re.search(rf"^  {re.escape(cmd.name)} +\S", proc.stdout, re.MULTILINE), cmd.name
        assert "\n" not in cmd.help and cmd.help
