"""Which Qt version's behaviour each documented class and member follows.

The API reference (docs/api/*.md, rendered by mkdocstrings) gets one line per
class and per member from this table: tools/mkdocs_hooks.py appends it, and
tests/test_qt_versions.py keeps the table true of the code and of Qt.

Reading the table:

* Every documented object (each ``:::`` line of docs/api/*.md) has an entry,
  keyed by its name (``"QTcpServer"``, ``"serve_workers"``).  An empty entry
  means: the object and all its members follow the reference, Qt
  ``REFERENCE`` as bound by PySide6 ``REFERENCE`` (the peer the tests run
  against, pinned in tools/peers.py).
* ``CLASS`` in an entry: the class itself appeared after Qt 6.0; the version
  is stated for the class and for each of its members.
* A member name maps to one of:
    - a version such as ``"6.4"``: a Qt member added after Qt 6.0 (the
      ``\\since`` of Qt's documentation); earlier members state nothing more,
      as all of Qt 6 has them;
    - ``EXTENSION``: qtnet only, no Qt or PySide6 counterpart;
    - any other text: said as it is (e.g. a Qt C++ member PySide6 lacks).
* A member rendered under a subclass page (``inherited_members``) is looked
  up through the runtime class's MRO: QUdpSocket's ``read_async`` is found
  in the QAbstractSocket entry.  A nested name (``SocketError.HostNotFoundError``)
  is looked up in full, then by its first part.

Only members absent from PySide6's class need an entry (the test finds them
by asking the PySide6 peer); "since" versions were checked against Qt's
class documentation (qtbase, qtwebsockets sources and the Qt 6.11 docs).
"""

from __future__ import annotations

REFERENCE = "6.12"
CLASS = "*"
EXTENSION = "extension"

_ASYNC_SOCKET = {
    name: EXTENSION
    for name in (
        "connect_async", "disconnected_async", "drained", "read_async", "read_exactly",
        "readline_async",
    )
}
_CPP_ONLY = "Qt C++ API (PySide6 does not bind it)"
_SSL_BACKENDS = {
    name: "6.1"
    for name in (
        "activeBackend", "availableBackends", "implementedClasses", "isClassImplemented",
        "isFeatureSupported", "isProtocolSupported", "setActiveBackend", "supportedFeatures",
        "supportedProtocols",
    )
}
# QDataStream's codec mixins keep their building blocks public (the stream
# operators of qtnet's own classes call them); none of them is Qt API.
_DATASTREAM_HELPERS = {
    name: EXTENSION
    for name in (
        "abort_transaction", "at_end", "buffer", "byte_order", "commit_transaction", "end",
        "pos", "precision", "read_bool", "read_bytes", "read_charptr", "read_double",
        "read_float", "read_host_address", "read_i16", "read_i32", "read_i64", "read_i8",
        "read_list", "read_map", "read_qbytearray", "read_qchar", "read_qstring",
        "read_qstringlist", "read_raw", "read_size", "read_u16", "read_u32", "read_u64",
        "read_u8", "read_variant", "rollback_transaction", "set_status", "skip_raw",
        "start_transaction", "tx_depth", "write_bool", "write_bytes", "write_charptr",
        "write_double", "write_float", "write_host_address", "write_i16", "write_i32",
        "write_i64", "write_i8", "write_list", "write_map", "write_qbytearray", "write_qchar",
        "write_qstring", "write_qstringlist", "write_raw", "write_size", "write_u16",
        "write_u32", "write_u64", "write_u8", "write_variant",
    )
}

VERSIONS: dict[str, dict[str, str]] = {
    # -- QtCore subset ---------------------------------------------------------
    "Qt": {},
    "Signal": {"signature": EXTENSION},
    "Slot": {},
    "SignalInstance": {"receivers": EXTENSION},
    "QObject": {"isDeleted": EXTENSION},
    "QCoreApplication": {"exec_async": EXTENSION},
    "QEventLoop": {},
    "QTimer": {"id": "6.8", "callOnTimeout": _CPP_ONLY},
    "QTimerEvent": {},
    "QThread": {"isMainThread": "6.8", "currentThreadId": _CPP_ONLY},
    "QUrl": {},
    "QByteArray": {
        "assign": "6.6",
        "isValidUtf8": "6.3",
        "percentDecoded": "6.4",
        "removeAt": "6.5",
        "removeFirst": "6.5",
        "removeLast": "6.5",
        "constData": _CPP_ONLY,
        "isDetached": _CPP_ONLY,
    },
    "QIODeviceBase": {},
    "QIODevice": {},
    "QBuffer": {},
    "QDataStream": dict(_DATASTREAM_HELPERS),
    # -- TCP ---------------------------------------------------------------------
    "QAbstractSocket": dict(_ASYNC_SOCKET),
    "QTcpSocket": {},
    "QTcpServer": {
        "accepted": EXTENSION,
        "listenBacklogSize": "6.3",
        "setListenBacklogSize": "6.3",
        "pendingConnectionAvailable": "6.4",
    },
    "QHostAddress": {"isPrivateUse": "6.6"},
    "QIPv6Address": {},
    "QHostInfo": {},
    "QNetworkInterface": {},
    "QNetworkAddressEntry": {},
    "QNetworkProxy": {},
    # -- UDP ---------------------------------------------------------------------
    "QUdpSocket": {},
    "QNetworkDatagram": {},
    # -- WebSockets ----------------------------------------------------------------
    "QWebSocketServer": {
        "accepted": EXTENSION,
        "perMessageDeflate": EXTENSION,
        "setPerMessageDeflate": EXTENSION,
        "alertSent": "6.2",
        "alertReceived": "6.2",
        "handshakeInterruptedOnError": "6.2",
        "supportedSubprotocols": "6.4",
        "setSupportedSubprotocols": "6.4",
    },
    "QWebSocket": {
        "drained": EXTENSION,
        "extension": EXTENSION,
        "open_async": EXTENSION,
        "receive": EXTENSION,
        "wait_closed": EXTENSION,
        "peerVerifyError": "6.2",
        "alertSent": "6.2",
        "alertReceived": "6.2",
        "handshakeInterruptedOnError": "6.2",
        "continueInterruptedHandshake": "6.2",
        "handshakeOptions": "6.4",
        "subprotocol": "6.4",
        "errorOccurred": "6.5",
        "authenticationRequired": "6.6",
    },
    "QWebSocketProtocol": {},
    "QWebSocketCorsAuthenticator": {},
    "QWebSocketHandshakeOptions": {
        CLASS: "6.4",
        "perMessageDeflate": EXTENSION,
        "setPerMessageDeflate": EXTENSION,
    },
    "QNetworkRequest": {},
    # -- TLS -------------------------------------------------------------------------
    "QSsl": {"ImplementedClass": "6.1", "SupportedFeature": "6.1"},
    "QSslSocket": dict(_SSL_BACKENDS),
    "QSslServer": {CLASS: "6.4"},
    "QSslConfiguration": {},
    "QSslCipher": {},
    "QSslCertificate": {},
    "QSslKey": {},
    "QSslError": {},
    # -- Multi-core serving (docs/api/workers.md) -------------------------------------
    "serve_workers": {CLASS: EXTENSION},
    "bound_sockets": {CLASS: EXTENSION},
    "systemd_listen_fds": {CLASS: EXTENSION},
    "WorkerError": {CLASS: EXTENSION},
}


def note_text(value: str | None) -> str:
    """The line shown for one object: ``value`` is its table value (None: none)."""
    if value == EXTENSION:
        return "Qt version: qtnet extension, no Qt counterpart."
    if value is None:
        return f"Qt version: follows Qt {REFERENCE} (PySide6 {REFERENCE})."
    if value[:1].isdigit():
        return f"Qt version: follows Qt {REFERENCE} (PySide6 {REFERENCE}); in Qt since {value}."
    return f"Qt version: follows Qt {REFERENCE}; {value}."


def lookup(entries: list[dict[str, str]], member: str) -> str | None:
    """The table value for ``member`` ("" for the class itself) given the
    entries of the documented class and then of its bases (MRO order)."""
    if member:
        first = member.split(".", 1)[0]
        for entry in entries:
            for key in (member, first):
                if key in entry:
                    return entry[key]
    return entries[0].get(CLASS) if entries else None
