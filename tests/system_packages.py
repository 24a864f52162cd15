"""Debian packages that some tests need (Chromium, HAProxy, iproute2).

A test that needs a program installs it with apt-get when it is missing, so a
fresh machine with only Python runs the whole suite; when installation fails
the test FAILS with apt's output (a skipped test would hide the gap).
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def ensure_command(command: str, package: str, timeout: float = 900) -> str:
    """Path of ``command``, installing Debian ``package`` first if needed."""
    found = shutil.which(command) or shutil.which(command, path="/usr/sbin:/sbin")
    if found:
        return found
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    log = []
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
    ):
        proc = subprocess.run(sudo + cmd, capture_output=True, text=True, env=env, timeout=timeout)
        log.append(
            f"$ {' '.join(cmd)} -> {proc.returncode}\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
        )
        if proc.returncode != 0:
            pytest.fail(f"installing {package} failed:\n" + "\n".join(log))
    found = shutil.which(command) or shutil.which(command, path="/usr/sbin:/sbin")
    if found is None:
        details = "\n".join(log)
        pytest.fail(f"apt-get installed {package}, yet {command!r} is not on PATH:\n{details}")
    return found
