"""Memory that a burst of connections leaves behind (issue 8, ``make soak``).

Python dicts and sets keep the table they grew to when entries leave them, and
small objects made during a burst and kept afterwards pin the heap pages around
them.  These tests pin down the three places qtnet had such leftovers: the
notifier's fd map, a server's children table, and the Date of every 101 reply.
"""

from __future__ import annotations

import socket
import sys
import time
from email.utils import formatdate, parsedate_to_datetime

from qt_helpers import qapp_fixture, wait_until  # noqa: F401 - the qapp fixture
from qtnet import QHostAddress, QTcpServer
from qtnet.codecs import ws_http
from qtnet.iocore.loops import current_thread_data
from qtnet.iocore.notifier import hub_for

CONNECTIONS = 1100  # more than the 1,024 removals after which the fd map is checked


def test_fd_map_and_children_shrink_after_a_burst_of_connections(qapp: object) -> None:
    server = QTcpServer()
    server.setMaxPendingConnections(CONNECTIONS)
    server.setListenBacklogSize(CONNECTIONS)
    assert server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), 0)
    hub = hub_for(current_thread_data())
    accepted: list[object] = []

    def take() -> None:
        while server.hasPendingConnections():
            s = server.nextPendingConnection()
            s.disconnected.connect(s.deleteLater)
            accepted.append(s)

    server.newConnection.connect(take)
    clients: list[socket.socket] = []
    try:
        for _ in range(CONNECTIONS):
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(("127.0.0.1", server.serverPort()))
            clients.append(c)
        assert wait_until(lambda: len(accepted) == CONNECTIONS, 20000), len(accepted)
        assert len(server.children()) >= CONNECTIONS
        peak = sys.getsizeof(hub._handlers)
        assert peak > 32 * 1024  # the table really grew
    finally:
        for c in clients:
            c.close()
    accepted.clear()
    assert wait_until(lambda: not server.children(), 20000), len(server.children())
    # The last child leaving frees the server's table, not just empties it.
    assert server._children is None
    # The fd map holds the listening socket (and whatever else this thread
    # watches) in a table sized for that, not for 1,100 sockets.
    assert wait_until(lambda: sys.getsizeof(hub._handlers) < peak // 4, 5000), (
        sys.getsizeof(hub._handlers), peak, len(hub._handlers))
    assert len(hub._handlers) < 64
    server.close()


def test_http_date_is_formatted_once_a_second() -> None:
    first = ws_http.http_date()
    again = ws_http.http_date()
    now = time.time()
    assert again is first or parsedate_to_datetime(again).timestamp() > parsedate_to_datetime(
        first).timestamp()
    # RFC 9110 IMF-fixdate, the same text the standard library makes for that second.
    stamp = parsedate_to_datetime(again).timestamp()
    assert abs(stamp - now) <= 2
    assert again == formatdate(stamp, usegmt=True)
    assert again.endswith(" GMT") and len(again) == 29
