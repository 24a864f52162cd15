"""Helpers for the hostile-input and fault tests (test_hostile_input.py, test_faults.py).

* :func:`reset_peak_rss` / :func:`peak_rss_growth_mb`: the kernel's peak-RSS
  mark (VmHWM) is reset through ``/proc/self/clear_refs`` so a test can show
  that an attack did not make this process allocate what the attacker asked for.
* :func:`push`: send a large amount from a non-blocking raw socket while the
  qtnet loop (same thread) keeps running, stopping when the peer closes.
* :func:`ws_upgrade`: a raw client that completes a WebSocket handshake.
"""

from __future__ import annotations

import socket
import time

from qt_helpers import settle
from ws_helpers import RawPeer, handshake_request

_baseline_kb = 0


def _vm_hwm_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def _vm_rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def reset_peak_rss() -> None:
    """Start measuring: the peak becomes the current RSS (Linux >= 4.0)."""
    global _baseline_kb
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    _baseline_kb = _vm_rss_kb()


def peak_rss_growth_mb() -> float:
    """How far the peak RSS rose above the RSS at :func:`reset_peak_rss`."""
    return (_vm_hwm_kb() - _baseline_kb) / 1024


def push(peer: RawPeer, data: bytes, timeout_s: float = 20.0) -> int:
    """Send ``data`` without blocking the loop; returns the bytes the kernel took
    before the peer closed (or everything)."""
    sock = peer.sock
    sock.setblocking(False)
    sent = 0
    view = memoryview(data)
    deadline = time.monotonic() + timeout_s
    while sent < len(data) and time.monotonic() < deadline:
        try:
            sent += sock.send(view[sent : sent + 262144])
        except BlockingIOError:
            settle(2)
        except OSError:  # reset / broken pipe: the server hung up on us
            break
    return sent


def ws_upgrade(port: int, extra: tuple[str, ...] = ()) -> tuple[RawPeer, bytes]:
    """A raw client after a successful opening handshake; returns it and the reply head."""
    peer = RawPeer(port)
    peer.send(handshake_request(port, extra=extra))
    assert peer.wait_data(b"\r\n\r\n"), peer.data
    head, rest = peer.head_and_rest()
    assert head.startswith(b"HTTP/1.1 101"), head
    peer.data = rest
    return peer, head


def linger_zero(sock: socket.socket) -> None:
    """Make close() send RST instead of FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
