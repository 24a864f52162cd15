#!/usr/bin/env python3
"""Reference peers: real Qt (PySide6) in its own virtualenv, for byte-for-byte checks.

qtnet must produce the same bytes and behaviour as real Qt, so tests and
benchmarks compare against PySide6.  PySide6 is never imported into the test
process: on Python 3.11 it over-releases ``None`` and aborts the interpreter,
and a crash there would take the whole pytest run with it.  Instead the peer
lives in ``<repo>/.peers/<name>`` (ignored by git) and is driven as a
subprocess.

Usage::

    python tools/peers.py ensure pyside6      # prints the peer's python path
    python tools/peers.py path pyside6        # path only, no install

Design notes:

* Idempotent: a stamp file records what was installed; a peer whose stamp
  matches and whose probe import works is reused without touching the network.
* Safe under concurrency: several engineers (and pytest workers) may ask for
  the peer at the same moment, so installation runs under an exclusive file
  lock and the stamp is written last, only after the probe import succeeds.
* Works on a fresh machine with only Python: venv + pip from the registry.
  Python 3.12 from pyenv is preferred (PySide6 is happiest there); otherwise
  any ``python3.12`` on PATH, otherwise the running interpreter.
* Failure raises :class:`PeerError` with pip's output, so tests FAIL with the
  reason instead of being skipped.
"""

from __future__ import annotations

import dataclasses
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PEERS_DIR = REPO / ".peers"


class PeerError(RuntimeError):
    """A peer could not be installed or does not work."""


@dataclasses.dataclass(frozen=True)
class PeerSpec:
    name: str
    requirements: tuple[str, ...]
    # Run in the peer after installing; must exit 0.  Proves the wheels work.
    probe: str
    preferred_python: str = "3.12"


PEERS: dict[str, PeerSpec] = {
    "pyside6": PeerSpec(
        name="pyside6",
        # Pinned: byte-level expectations are tied to one Qt release.  6.12.0
        # is what PyPI served when this was written (pip index versions).
        requirements=("PySide6-Essentials==6.12.0", "PySide6-Addons==6.12.0"),
        probe=(
            "import PySide6, PySide6.QtCore, PySide6.QtNetwork, PySide6.QtWebSockets;"
            "print(PySide6.__version__)"
        ),
    ),
}


def _version_key(path: str) -> tuple[int, ...]:
    m = re.search(r"versions/(\d+)\.(\d+)\.(\d+)", path)
    return tuple(int(x) for x in m.groups()) if m else (0,)


def find_base_python(preferred: str) -> str:
    """An interpreter to build the venv from: pyenv's ``preferred`` series first."""
    roots: list[str] = []
    if os.environ.get("PYENV_ROOT"):
        roots.append(os.environ["PYENV_ROOT"])
    pyenv = shutil.which("pyenv")
    if pyenv:
        try:
            out = subprocess.run(
                [pyenv, "root"], capture_output=True, text=True, timeout=30, check=False
            ).stdout.strip()
            if out:
                roots.append(out)
        except (OSError, subprocess.SubprocessError):
            pass
    roots.append(os.path.expanduser("~/.pyenv"))
    candidates: list[str] = []
    for root in dict.fromkeys(roots):
        # Only final releases (3.12.1, not 3.12.0rc1 or 3.12-dev).
        for p in glob.glob(os.path.join(root, "versions", f"{preferred}.*", "bin", "python")):
            if re.search(rf"versions/{re.escape(preferred)}\.\d+/bin/python$", p) and os.access(
                p, os.X_OK
            ):
                candidates.append(p)
    if candidates:
        return max(candidates, key=_version_key)
    on_path = shutil.which(f"python{preferred}")
    if on_path:
        return on_path
    return sys.executable or shutil.which("python3") or "python3"


def peer_dir(name: str) -> Path:
    return PEERS_DIR / name


def peer_python(name: str) -> Path:
    d = peer_dir(name)
    if os.name == "nt":
        return d / "Scripts" / "python.exe"
    return d / "bin" / "python"


def _stamp_path(name: str) -> Path:
    return peer_dir(name) / "qtnet-peer.json"


def _stamp_content(spec: PeerSpec) -> dict[str, object]:
    return {"name": spec.name, "requirements": list(spec.requirements)}


def _probe(spec: PeerSpec, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [str(peer_python(spec.name)), "-c", spec.probe],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def is_ready(name: str) -> bool:
    """True if the peer is installed as specified (checks the stamp, not the network)."""
    spec = PEERS[name]
    try:
        stamp = json.loads(_stamp_path(name).read_text())
    except (OSError, ValueError):
        return False
    return bool(stamp == _stamp_content(spec) and peer_python(name).exists())


class _Lock:
    """An exclusive inter-process lock on a file (POSIX flock; no-op elsewhere)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def __enter__(self) -> _Lock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows
            pass
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the flock
            self.fd = None


def _run_logged(cmd: list[str], log: list[str], timeout: float) -> None:
    log.append("$ " + " ".join(cmd))
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as e:
        raise PeerError(
            f"timed out after {timeout:.0f}s: {' '.join(cmd)}\n" + "\n".join(log)
        ) from e
    log.append(r.stdout[-4000:])
    log.append(r.stderr[-4000:])
    if r.returncode != 0:
        raise PeerError(f"command failed (exit {r.returncode}): {' '.join(cmd)}\n" + "\n".join(log))


def ensure(name: str, *, quiet: bool = True) -> str:
    """Install the peer if needed; return the path of its python interpreter."""
    if name not in PEERS:
        raise PeerError(f"unknown peer {name!r}; known: {', '.join(sorted(PEERS))}")
    spec = PEERS[name]
    if is_ready(name):
        return str(peer_python(name))
    with _Lock(PEERS_DIR / f".{name}.lock"):
        # Someone else may have finished the install while we waited for the lock.
        if is_ready(name):
            return str(peer_python(name))
        log: list[str] = []
        d = peer_dir(name)
        base = find_base_python(spec.preferred_python)
        log.append(f"base interpreter: {base}")
        if not quiet:
            print(f"[peers] creating {d} with {base}", file=sys.stderr)
        # Always start clean: a half-finished earlier install must not survive.
        if d.exists():
            shutil.rmtree(d)
        if os.path.realpath(base) == os.path.realpath(sys.executable):
            venv.EnvBuilder(with_pip=True, clear=True).create(d)
        else:
            _run_logged([base, "-m", "venv", "--clear", str(d)], log, timeout=300)
        py = str(peer_python(name))
        if not quiet:
            print(f"[peers] pip install {' '.join(spec.requirements)}", file=sys.stderr)
        _run_logged(
            [
                py,
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                *spec.requirements,
            ],
            log,
            timeout=1800,
        )
        r = _probe(spec)
        if r.returncode != 0:
            raise PeerError(
                f"peer {name} installed but its probe failed:\n{r.stdout}\n{r.stderr}\n"
                + "\n".join(log)
            )
        tmp = _stamp_path(name).with_suffix(".tmp")
        tmp.write_text(json.dumps(_stamp_content(spec)))
        os.replace(tmp, _stamp_path(name))
        return py


# Packages added on top of a peer when a test asks for them (ensure_addon),
# each group with its own stamp, so adding a group never rebuilds (and
# re-downloads) the peer itself.
ADDONS: dict[str, tuple[str, ...]] = {
    # qasync runs asyncio on Qt's event loop (tests/test_qasync.py); ifaddr is
    # qtnet's one pure-Python dependency, so qtnet's source tree imports there.
    "qasync": ("qasync==0.28.0", "ifaddr>=0.2"),
}


def ensure_addon(name: str, addon: str) -> str:
    """ensure(name), then pip-install the ADDONS[addon] group into it if needed."""
    if addon not in ADDONS:
        raise PeerError(f"unknown addon {addon!r}; known: {', '.join(sorted(ADDONS))}")
    py = ensure(name)
    stamp = peer_dir(name) / f"qtnet-addon-{addon}.json"
    content = {"addon": addon, "requirements": list(ADDONS[addon])}

    def ready() -> bool:
        try:
            return bool(json.loads(stamp.read_text()) == content)
        except (OSError, ValueError):
            return False

    if ready():
        return py
    with _Lock(PEERS_DIR / f".{name}.lock"):
        if not ready():
            log: list[str] = []
            _run_logged(
                [
                    py,
                    "-m",
                    "pip",
                    "install",
                    "--disable-pip-version-check",
                    "--no-input",
                    *ADDONS[addon],
                ],
                log,
                timeout=600,
            )
            tmp = stamp.with_suffix(".tmp")
            tmp.write_text(json.dumps(content))
            os.replace(tmp, stamp)
    return py


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("ensure", "path"):
        print(
            "usage: peers.py ensure|path <peer>   (peers: " + ", ".join(PEERS) + ")",
            file=sys.stderr,
        )
        return 2
    cmd, name = argv
    try:
        if cmd == "path":
            if name not in PEERS:
                raise PeerError(f"unknown peer {name!r}")
            print(peer_python(name))
            return 0 if is_ready(name) else 1
        print(ensure(name, quiet=False))
    except PeerError as e:
        print(f"peers: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
