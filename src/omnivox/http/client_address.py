"""The client's address: the socket peer, or, when that peer is a trusted reverse proxy
(``OMNIVOX_TRUSTED_PROXIES``), the nearest X-Forwarded-For hop that is not one.

Walking from the right matters: a client may send any X-Forwarded-For it likes, and each
proxy appends the address it saw, so only the hops our own proxies added can be believed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_LENGTH = 64  # the longest address worth keeping (IPv6 with a zone fits)


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(request: Request, proxies: Sequence[Network]) -> str:
    peer = request.client.host if request.client else ""
    if not proxies or not _trusted(peer, proxies):
        return peer[:MAX_LENGTH]
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:MAX_LENGTH]
    return (hops[0] if hops else peer)[:MAX_LENGTH]  # every hop is ours: the first is nearest
