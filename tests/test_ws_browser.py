"""A real browser against qtnet: headless Chromium opens the chat page that qtnet's
chat server serves and chats through it (Chromium's own WebSocket client).

Chromium is driven over the Chrome DevTools Protocol: ``--remote-debugging-port=0``
makes it write its port to ``DevToolsActivePort`` in the profile directory,
and a small CDP client (the ``websockets`` package) opens pages, types and
reads the page's DOM.  Two browser pages and one ``websockets`` client
(bob) join the same chat; the test asserts on what each page shows.

If Chromium is missing, the fixture installs Debian's ``chromium`` package
(``apt-get update`` first, non-interactive).  If that fails the test FAILS
with the reason; it is never skipped.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
]


def _install_chromium() -> str:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    log = []
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
    ):
        proc = subprocess.run(sudo + cmd, capture_output=True, text=True, env=env, timeout=900)
        log.append(
            f"$ {' '.join(cmd)} -> {proc.returncode}\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )
        if proc.returncode != 0:
            pytest.fail("installing Chromium failed:\n" + "\n".join(log))
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("apt-get installed chromium but no 'chromium' is on PATH:\n" + "\n".join(log))
    return path


@pytest.fixture(scope="module")
def chromium() -> str:
    return shutil.which("chromium") or shutil.which("chromium-browser") or _install_chromium()


@pytest.fixture
def chat_server() -> Iterator[int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "qtnet.examples.chat_server", "--port", "0", "--host", "127.0.0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("Chat Server listening on port"), line + (
            proc.stderr.read() if proc.stderr else ""
        )
        yield int(line.split()[-1])
    finally:
        proc.terminate()
        proc.wait(10)


class Browser:
    """Headless Chromium plus a minimal CDP client over one browser-level WebSocket."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="qtnet-chromium-")
        self.proc = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and len(port_file.read_text().splitlines()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                self.close()
                pytest.fail(f"Chromium did not start its DevTools endpoint:\n{err[-3000:]}")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.stack = contextlib.ExitStack()
        self.cdp: ClientConnection = self.stack.enter_context(
            connect(f"ws://127.0.0.1:{port}{path}", max_size=None)
        )
        self.ids = itertools.count(1)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        msg_id = next(self.ids)
        message: dict[str, Any] = {"id": msg_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self.cdp.send(json.dumps(message))
        while True:
            reply = json.loads(self.cdp.recv(timeout=30))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))

    def open_page(self, url: str) -> str:
        target = self.call("Target.createTarget", url=url)["targetId"]
        return str(self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"])

    def js(self, session: str, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session, expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait_js(self, session: str, expression: str, timeout: float = 15) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(session, expression)
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.05)

    def close(self) -> None:
        try:
            if hasattr(self, "stack"):
                self.stack.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(10)
            shutil.rmtree(self.profile, ignore_errors=True)


def say(browser: Browser, page: str, nick: str, text: str) -> None:
    browser.js(
        page,
        f"document.getElementById('nick').value = {json.dumps(nick)};"
        f"document.getElementById('message').value = {json.dumps(text)};"
        "document.getElementById('send').click(); true",
    )


def log_of(browser: Browser, page: str) -> list[str]:
    return list(
        browser.js(page, "[...document.querySelectorAll('#log li')].map(e => e.textContent)") or []
    )


def test_chromium_chats_through_the_qtnet_chat_server(chromium: str, chat_server: int) -> None:
    url = f"http://127.0.0.1:{chat_server}/"
    browser = Browser(chromium)
    try:
        alice = browser.open_page(url)
        carol = browser.open_page(url)
        for page in (alice, carol):
            status = browser.wait_js(
                page, "document.getElementById('status').textContent === 'connected'"
            )
            assert status, browser.js(page, "document.getElementById('status').textContent")
        with connect(f"ws://127.0.0.1:{chat_server}/chat") as bob:
            say(browser, alice, "alice", "hello from Chromium ✓")
            assert bob.recv(timeout=10) == "alice: hello from Chromium ✓"
            assert browser.wait_js(carol, "document.querySelectorAll('#log li').length >= 1")
            bob.send("bob: hi both")
            for page in (alice, carol):
                assert browser.wait_js(
                    page,
                    "[...document.querySelectorAll('#log li')]"
                    ".some(e => e.textContent === 'bob: hi both')",
                )
            say(browser, carol, "carol", "x" * 70000)  # longer than a 16-bit frame length
            assert bob.recv(timeout=10) == "carol: " + "x" * 70000
            assert browser.wait_js(alice, "document.querySelectorAll('#log li').length >= 3")
        assert log_of(browser, alice) == [
            "alice: hello from Chromium ✓",
            "bob: hi both",
            "carol: " + "x" * 70000,
        ]
        assert log_of(browser, carol) == [
            "alice: hello from Chromium ✓",
            "bob: hi both",
            "carol: " + "x" * 70000,
        ]
        assert browser.js(alice, "document.getElementById('status').textContent") == "connected"
    finally:
        browser.close()
