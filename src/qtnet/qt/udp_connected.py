"""QUdpSocket's connected mode: connectToHost, then read()/write() one datagram each.

A UDP "connection" is only a default peer kept by the kernel: connecting is
immediate (no handshake), yet QUdpSocket still passes through HostLookupState
and ConnectingState and emits hostFound/connected, as Qt does.  The open mode
gets Unbuffered (Qt's UDP sockets never buffer).  ``read(n)`` takes one
datagram (the rest of a longer one is lost), ``write(data)`` sends one.

A "port unreachable" ICMP answer to an earlier datagram makes the next
``write`` fail with ConnectionRefusedError (the socket stays connected), and a
read that meets it returns nothing with the same error; the read notifier
drops it silently, as Qt's does.
"""

from __future__ import annotations

import socket
from typing import Any

from ..iocore import socket_errors as se
from ..iocore.socket_errors import EngineError
from ..iocore.udp_engine import UdpEngine
from .iodevice import QIODevice
from .socket_waits import _Deadline
from .socketerrors import STATE, NetworkLayerProtocol, socket_error
from .udp_conversions import payload
from .udp_datagrams import UdpDatagramSocket

_UNCONNECTED, _HOSTLOOKUP, _CONNECTING, _CONNECTED, _BOUND = range(5)  # SocketState values
_AF_INET, _AF_INET6 = socket.AF_INET, socket.AF_INET6
_UNBUFFERED = int(QIODevice.OpenModeFlag.Unbuffered)


class UdpConnectedSocket(UdpDatagramSocket):
    """QUdpSocket's connectToHost() and its QIODevice read()/write() side."""

    def connectToHost(
        self,
        hostName: Any,
        port: int,  # noqa: N802,N803
        openMode: int = QIODevice.OpenModeFlag.ReadWrite,  # noqa: N803
        protocol: int = NetworkLayerProtocol.AnyIPProtocol,
    ) -> None:
        # UDP sockets are unbuffered in Qt: the open mode says so.
        super().connectToHost(hostName, port, int(openMode) | _UNBUFFERED, protocol)

    def _connect_next(self) -> None:
        """Connect to the next resolved address: immediate for UDP (no handshake)."""
        while self._state == _CONNECTING:
            if not self._addresses:
                err = self._last_connect_error
                self._reset_socket_layer()
                self._bury()
                self._state = _UNCONNECTED
                code, text = (
                    (err.code, err.text)
                    if err
                    else (se.CONNECTION_REFUSED, se.T_CONNECTION_REFUSED)
                )
                self._set_error(code, text)
                self.stateChanged.emit(STATE[_UNCONNECTED])
                self.errorOccurred.emit(socket_error(code))
                return
            host = self._addresses.pop(0)
            try:
                family, sockaddr, v6only = host._to_sockaddr(self._port)
            except ValueError:
                continue
            eng = self._engine
            if (
                eng is not None
                and eng.family == _AF_INET6
                and family == _AF_INET
                and eng.is_dual_stack()
            ):
                family, sockaddr = _AF_INET6, ("::ffff:" + sockaddr[0], sockaddr[1], 0, 0)
            if eng is None or eng.family != family:
                if eng is not None:
                    self._engine = None
                    eng.close()
                try:
                    eng = UdpEngine.create(family)
                except EngineError as e:
                    self._last_connect_error = e
                    continue
                if v6only is False:
                    eng.set_v6only(False)
                self._attach(eng)
            try:
                eng.connect(sockaddr)
            except EngineError as e:
                self._last_connect_error = e
                continue
            self._connection_established()
            return

    def write(self, data: Any) -> int:
        """Send ``data`` as one datagram to the connected peer."""
        if not self._om & 2:
            self._write_refused()
            return -1
        eng = self._engine
        if eng is None or self._state != _CONNECTED:
            self._set_error(se.UNKNOWN, se.T_NOT_CONNECTED)
            return -1
        try:
            n: int = eng.send(payload(data))
        except EngineError as e:
            self._set_error_emit(e.code, e.text)
            return -1
        d = self.__dict__
        bw = d.get("bytesWritten")
        if (bw is not None and bw._conns) or d.get("channelBytesWritten") is not None:
            self._emit_bytes_written(n)
        return n

    def writeData(self, data: bytes | bytearray | memoryview) -> int:  # noqa: N802
        return self.write(bytes(data))

    def readData(self, maxlen: int) -> bytes:  # noqa: N802
        """One datagram (cut to ``maxlen``) for QIODevice's read() in connected mode."""
        if self._engine is None or self._state != _CONNECTED or maxlen <= 0:
            return b""
        item = self._next_datagram(report_empty=False)
        if item is None:
            return b""
        data: bytes = item[0]
        return data if len(data) <= maxlen else data[:maxlen]

    # -- waiting (bound or connected) ------------------------------------------------------------
    def waitForReadyRead(self, msecs: int = 30000) -> bool:  # noqa: N802
        """Block until a datagram is there (readyRead emitted) or ``msecs`` pass."""
        st = self._state
        if st == _UNCONNECTED:
            return False
        deadline = _Deadline(int(msecs))
        if st in (_HOSTLOOKUP, _CONNECTING) and not self.waitForConnected(int(msecs)):
            return False
        while True:
            eng = self._engine
            if eng is None or self._state not in (_CONNECTED, _BOUND):
                return False
            if self._dq or not self._armed:
                return True  # a datagram already waits (Qt: its readyRead was emitted)
            readable, _ = eng.wait(True, False, deadline.left())
            if not readable:
                return self._wait_timed_out()
            if self._read_ready():
                return True
            if deadline.expired():
                return self._wait_timed_out()
