#!/usr/bin/env python3
"""The qtnet QWebSocket client under test by Autobahn|Testsuite's ``fuzzingserver``.

The standard Autobahn client loop, written as a PySide6-style program:

1. open ``<base>/getCaseCount``: the server sends the number of cases as text;
2. for N in 1..count open ``<base>/runCase?case=N&agent=<agent>`` and echo
   every message back as it came (text as text, binary as binary) until the
   server closes;
3. open ``<base>/updateReports?agent=<agent>`` so the server writes its report.

Each connection offers permessage-deflate (cases 12.x/13.x need it; for the
others the server simply declines or ignores it).  Incoming limits are set
explicitly to 64 MiB so the 16 MiB messages of 9.x fit whatever qtnet's
defaults become.  A watchdog ends a case that never disconnects, so the loop
is bounded.

    python tools/autobahn_client.py --url ws://127.0.0.1:9001 --agent qtnet
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from qtnet import (
    QByteArray,
    QCoreApplication,
    QObject,
    QTimer,
    QUrl,
    QWebSocket,
    QWebSocketHandshakeOptions,
)

INCOMING_LIMIT = 64 * 1024 * 1024
# Autobahn's longest case timeout is 480 s (12.x/13.x); past that a case is
# stuck for good and the whole run should move on.
CASE_WATCHDOG_MS = 600_000


class AutobahnClient(QObject):
    """Runs getCaseCount, every runCase, then updateReports (see the module docstring)."""

    def __init__(self, base_url: str, agent: str, deflate: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.base_url = base_url.rstrip("/")
        self.agent = agent
        self.deflate = deflate
        self.case_count = -1
        self.current_case = 0
        self.exit_code = 0
        self.socket: QWebSocket | None = None
        self.watchdog = QTimer(self)
        self.watchdog.setSingleShot(True)
        self.watchdog.timeout.connect(self.onWatchdog)

    def start(self) -> None:
        self.openSocket("/getCaseCount", self.onCountDisconnected, echo=False)

    def openSocket(self, path: str, on_disconnected: object, echo: bool) -> None:
        socket = QWebSocket()
        socket.setMaxAllowedIncomingFrameSize(INCOMING_LIMIT)
        socket.setMaxAllowedIncomingMessageSize(INCOMING_LIMIT)
        if echo:
            socket.textMessageReceived.connect(self.echoText)
            socket.binaryMessageReceived.connect(self.echoBinary)
        else:
            socket.textMessageReceived.connect(self.onCountMessage)
        socket.disconnected.connect(on_disconnected)
        self.socket = socket
        options = QWebSocketHandshakeOptions()
        options.setPerMessageDeflate(self.deflate)
        self.watchdog.start(CASE_WATCHDOG_MS)
        socket.open(QUrl(self.base_url + path), options)

    def finishSocket(self) -> None:
        self.watchdog.stop()
        if self.socket is not None:
            self.socket.deleteLater()
            self.socket = None

    def onCountMessage(self, message: str) -> None:
        try:
            self.case_count = int(message)
        except ValueError:
            print(f"autobahn-client: bad case count {message!r}", file=sys.stderr, flush=True)

    def onCountDisconnected(self) -> None:
        self.finishSocket()
        if self.case_count < 0:
            print("autobahn-client: no case count from the fuzzing server", file=sys.stderr,
                  flush=True)
            self.exit_code = 1
            QCoreApplication.exit(1)
            return
        print(f"autobahn-client: {self.case_count} cases", flush=True)
        self.nextCase()

    def nextCase(self) -> None:
        self.current_case += 1
        if self.current_case > self.case_count:
            self.openSocket(f"/updateReports?agent={self.agent}", self.onReportsDone, echo=False)
            return
        self.openSocket(f"/runCase?case={self.current_case}&agent={self.agent}",
                        self.onCaseDisconnected, echo=True)

    def onCaseDisconnected(self) -> None:
        self.finishSocket()
        self.nextCase()

    def onReportsDone(self) -> None:
        self.finishSocket()
        print("autobahn-client: reports updated", flush=True)
        QCoreApplication.exit(self.exit_code)

    def echoText(self, message: str) -> None:
        client = self.sender()
        if isinstance(client, QWebSocket):
            client.sendTextMessage(message)

    def echoBinary(self, message: QByteArray) -> None:
        client = self.sender()
        if isinstance(client, QWebSocket):
            client.sendBinaryMessage(message)

    def onWatchdog(self) -> None:
        print(f"autobahn-client: case {self.current_case} never ended; aborting it",
              file=sys.stderr, flush=True)
        self.exit_code = 1
        if self.socket is not None:
            self.socket.abort()  # emits disconnected, which moves the loop on


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="qtnet client for Autobahn fuzzingserver")
    parser.add_argument("--url", required=True, help="fuzzingserver URL, e.g. ws://127.0.0.1:9001")
    parser.add_argument("--agent", default="qtnet", help="agent name in the report")
    parser.add_argument("--no-deflate", action="store_true", help="do not offer permessage-deflate")
    args = parser.parse_args(argv)
    app = QCoreApplication(sys.argv[:1])
    client = AutobahnClient(args.url, args.agent, deflate=not args.no_deflate)
    QTimer.singleShot(0, client.start)
    code = int(app.exec())
    return code or client.exit_code


if __name__ == "__main__":
    sys.exit(main())
