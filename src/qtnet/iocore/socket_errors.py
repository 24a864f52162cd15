"""Socket error codes and texts as Qt reports them, and the errno → (code, text) maps.

The codes are the integer values of ``QAbstractSocket::SocketError``; the Qt
layer (``qt/socketerrors.py``) gives them their enum names.  iocore works with
plain ints because it must not import the Qt layer.

The texts are the strings Qt's native socket engine and QAbstractSocket use,
so that ``errorString()`` matches real Qt word for word (programs and tests
compare them).  Which errno gives which code follows Qt's Unix engine, except
where Qt's choice is a known bug (see ``accept_error``).
"""

from __future__ import annotations

import errno
import os

# -- QAbstractSocket::SocketError values -------------------------------------
UNKNOWN = -1
CONNECTION_REFUSED = 0
REMOTE_HOST_CLOSED = 1
HOST_NOT_FOUND = 2
SOCKET_ACCESS = 3
SOCKET_RESOURCE = 4
SOCKET_TIMEOUT = 5
DATAGRAM_TOO_LARGE = 6
NETWORK = 7
ADDRESS_IN_USE = 8
ADDRESS_NOT_AVAILABLE = 9
UNSUPPORTED_OPERATION = 10
UNFINISHED_OPERATION = 11
OPERATION = 19
TEMPORARY = 22

# -- texts --------------------------------------------------------------------
T_UNKNOWN = "Unknown error"
T_REMOTE_CLOSED = "The remote host closed the connection"
T_TIMEOUT = "Network operation timed out"  # a waitFor*() on an open socket
T_SOCKET_OP_TIMEOUT = "Socket operation timed out"  # waitForConnected()
T_CONNECTION_TIMEOUT = "Connection timed out"
T_RESOURCE = "Out of resources"
T_OP_UNSUPPORTED = "Unsupported socket operation"
T_PROTOCOL_UNSUPPORTED = "Protocol type not supported"
T_INVALID_SOCKET = "Invalid socket descriptor"
T_HOST_UNREACHABLE = "Host unreachable"
T_NETWORK_UNREACHABLE = "Network unreachable"
T_ACCESS = "Permission denied"
T_CONNECTION_REFUSED = "Connection refused"
T_ADDRESS_IN_USE = "The bound address is already in use"
T_ADDRESS_NOT_AVAILABLE = "The address is not available"
T_ADDRESS_PROTECTED = "The address is protected"
T_WRITE = "Unable to write"
T_PORT_IN_USE = "Another socket is already listening on the same port"
T_NOT_SOCKET = "Operation on non-socket"
T_TEMPORARY = "Temporary error"
T_CONNECTION_RESET = "Connection reset by peer"
T_HOST_NOT_FOUND = "Host not found"
T_NOT_CONNECTED = "Socket is not connected"
T_OPERATION_NOT_SUPPORTED = "Operation on socket is not supported"
T_CONNECT_IN_PROGRESS = "Trying to connect while connection is in progress"


class EngineError(Exception):
    """A failed socket operation, carrying Qt's error code and text."""

    def __init__(self, code: int, text: str, errno_: int = 0) -> None:
        super().__init__(code, text)
        self.code = code
        self.text = text
        self.errno = errno_

    def __repr__(self) -> str:
        return f"EngineError({self.code}, {self.text!r}, errno={self.errno})"


_RESOURCE_ERRNOS = frozenset({errno.ENFILE, errno.EMFILE, errno.ENOBUFS, errno.ENOMEM})


def create_error(err: int) -> EngineError:
    """socket() failed."""
    if err in (errno.EPROTONOSUPPORT, errno.EAFNOSUPPORT, errno.EINVAL):
        return EngineError(UNSUPPORTED_OPERATION, T_PROTOCOL_UNSUPPORTED, err)
    if err in _RESOURCE_ERRNOS:
        return EngineError(SOCKET_RESOURCE, T_RESOURCE, err)
    if err in (errno.EACCES, errno.EPERM):
        return EngineError(SOCKET_ACCESS, T_ACCESS, err)
    return EngineError(UNKNOWN, T_UNKNOWN, err)


def bind_error(err: int) -> EngineError:
    if err == errno.EADDRINUSE:
        return EngineError(ADDRESS_IN_USE, T_ADDRESS_IN_USE, err)
    if err in (errno.EACCES, errno.EPERM):
        return EngineError(SOCKET_ACCESS, T_ADDRESS_PROTECTED, err)
    if err == errno.EINVAL:
        return EngineError(UNSUPPORTED_OPERATION, T_OP_UNSUPPORTED, err)
    if err == errno.EADDRNOTAVAIL:
        return EngineError(ADDRESS_NOT_AVAILABLE, T_ADDRESS_NOT_AVAILABLE, err)
    if err == errno.EAFNOSUPPORT:
        return EngineError(UNSUPPORTED_OPERATION, T_PROTOCOL_UNSUPPORTED, err)
    return EngineError(UNKNOWN, T_UNKNOWN, err)


def listen_error(err: int) -> EngineError:
    if err == errno.EADDRINUSE:
        return EngineError(ADDRESS_IN_USE, T_PORT_IN_USE, err)
    return EngineError(UNKNOWN, T_UNKNOWN, err)


def connect_error(err: int) -> EngineError:
    if err in (errno.ECONNREFUSED, errno.EINVAL):
        return EngineError(CONNECTION_REFUSED, T_CONNECTION_REFUSED, err)
    if err == errno.ETIMEDOUT:
        return EngineError(NETWORK, T_CONNECTION_TIMEOUT, err)
    if err == errno.EHOSTUNREACH:
        return EngineError(NETWORK, T_HOST_UNREACHABLE, err)
    if err == errno.ENETUNREACH:
        return EngineError(NETWORK, T_NETWORK_UNREACHABLE, err)
    if err == errno.EADDRINUSE:
        return EngineError(NETWORK, T_ADDRESS_IN_USE, err)
    if err in (errno.EACCES, errno.EPERM):
        return EngineError(SOCKET_ACCESS, T_ACCESS, err)
    if err == errno.EADDRNOTAVAIL:
        return EngineError(NETWORK, T_ADDRESS_NOT_AVAILABLE, err)
    return EngineError(UNKNOWN, T_UNKNOWN, err)


def accept_error(err: int) -> EngineError:
    """accept() failed.

    ``TEMPORARY`` errors are skipped by the server and never pause accepting.
    Qt reports ECONNABORTED (a client that gave up before we accepted it) as a
    NetworkError, which makes QTcpServer pause accepting for good because of one
    impatient client; qtnet treats it as the transient condition it is.
    """
    if err in (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED, errno.EINTR, errno.EPROTO):
        return EngineError(TEMPORARY, T_TEMPORARY, err)
    if err in _RESOURCE_ERRNOS:
        return EngineError(SOCKET_RESOURCE, T_RESOURCE, err)
    if err in (errno.EBADF, errno.EOPNOTSUPP):
        return EngineError(UNSUPPORTED_OPERATION, T_INVALID_SOCKET, err)
    if err in (errno.EFAULT, errno.ENOTSOCK):
        return EngineError(SOCKET_RESOURCE, T_NOT_SOCKET, err)
    if err in (errno.EPROTONOSUPPORT, errno.EAFNOSUPPORT, errno.EINVAL):
        return EngineError(UNSUPPORTED_OPERATION, T_PROTOCOL_UNSUPPORTED, err)
    if err in (errno.EACCES, errno.EPERM):
        return EngineError(SOCKET_ACCESS, T_ACCESS, err)
    return EngineError(UNKNOWN, T_UNKNOWN, err)


# The errnos Qt words itself when it turns an errno into text (qt_error_string);
# every other errno reads as the C library's strerror() text.
_QT_ERRNO_TEXTS = {
    errno.EACCES: "Permission denied",
    errno.EMFILE: "Too many open files",
    errno.ENOENT: "No such file or directory",
    errno.ENOSPC: "No space left on device",
}


def system_error_text(err: int) -> str:
    """The text Qt gives an errno it has no socket-specific message for."""
    if not err:
        return T_UNKNOWN  # Qt's text is empty, which errorString() shows as this
    text = _QT_ERRNO_TEXTS.get(err)
    return text if text is not None else os.strerror(err)


def read_error(err: int) -> EngineError:
    """recv() failed with something other than EAGAIN/EINTR/ECONNRESET.

    ETIMEDOUT is what a half-open connection ends with: keepalive probes (or
    retransmissions) went unanswered and the kernel gave up.  Real Qt 6.12
    reports it as SocketTimeoutError, "Connection timed out" (observed with
    PySide6 over two network namespaces: tests/test_keepalive_halfopen.py), not
    as the NetworkError its older engines gave every read error.  Any other
    errno is a NetworkError with the errno's system text, as Qt's engine words
    a read error it has no text of its own for.
    """
    if err == errno.ETIMEDOUT:
        return EngineError(SOCKET_TIMEOUT, T_CONNECTION_TIMEOUT, err)
    return EngineError(NETWORK, system_error_text(err), err)


def write_error(err: int) -> EngineError:
    if err in (errno.EPIPE, errno.ECONNRESET):
        return EngineError(REMOTE_HOST_CLOSED, T_REMOTE_CLOSED, err)
    if err == errno.EMSGSIZE:
        return EngineError(DATAGRAM_TOO_LARGE, "Datagram was too large to send", err)
    return EngineError(NETWORK, T_WRITE, err)
