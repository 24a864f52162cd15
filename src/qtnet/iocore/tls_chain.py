"""The peer's certificate chain from an ``ssl.SSLObject``, as DER bytes.

Python exposes the unverified chain only on 3.13 (``get_unverified_chain``)
or through the private ``_sslobj`` before that; this hides the difference
from the TLS engine.
"""

from __future__ import annotations

import ssl
from typing import Any

__all__ = ["peer_chain_der"]


def peer_chain_der(sslobj: ssl.SSLObject | None) -> list[bytes]:
    """The certificates the peer sent, leaf first (DER); [] when none."""
    if sslobj is None:
        return []
    leaf = sslobj.getpeercert(binary_form=True)
    if not leaf:
        return []
    chain: list[bytes] = []
    getter = getattr(sslobj, "get_unverified_chain", None)
    raw: Any = None
    try:
        raw = getter() if getter is not None else sslobj._sslobj.get_unverified_chain()  # type: ignore[attr-defined]
    except (AttributeError, ssl.SSLError, ValueError):
        raw = None
    for c in raw or ():
        chain.append(c if isinstance(c, bytes) else c.public_bytes(ssl._ssl.ENCODING_DER))  # type: ignore[attr-defined]
    if not chain or chain[0] != leaf:
        chain.insert(0, leaf)
    return chain
