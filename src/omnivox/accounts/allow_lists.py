"""An organisation's IP allow-lists: the addresses its people may use the web UI from,
and those its API tokens may be used from (each a list of CIDR ranges; empty: anywhere).
The client address is the HTTP kit's (the socket peer, or behind a trusted proxy the
address it reports: ``OMNIVOX_TRUSTED_PROXIES``)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Literal

from omnivox.accounts.models import Organization
from omnivox.core.errors import InvalidInput, PermissionDenied
from omnivox.core.security.principal import Principal

Channel = Literal["web", "api"]
MAX_RANGES = 100


def check_ranges(values: Sequence[str], field: str) -> list[str]:
    """Normalised CIDR ranges (``10.0.0.7`` -> ``10.0.0.7/32``), or 422 naming the bad one."""
    if len(values) > MAX_RANGES:
        raise InvalidInput.on(field, f"at most {MAX_RANGES} ranges")
    out = []
    for value in values:
        try:
            out.append(str(ipaddress.ip_network(value.strip(), strict=False)))
        except ValueError:
            raise InvalidInput.on(field, f"{value!r} is not an address or CIDR range") from None
    return out


def allowed(ranges: Sequence[str], address: str | None) -> bool:
    if not ranges:
        return True
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(r, strict=False) for r in ranges)


def ranges_of(org: Organization, channel: Channel) -> list[str]:
    return list((org.ip_allow_web if channel == "web" else org.ip_allow_api) or [])


def check_access(org: Organization, channel: Channel, address: str | None) -> None:
    if not allowed(ranges_of(org, channel), address):
        what = "the web interface" if channel == "web" else "API tokens"
        raise PermissionDenied(
            f"your organisation allows {what} only from its listed addresses; "
            f"{address or 'this address'} is not one of them"
        )


def guard_self(
    actor: Principal, address: str | None, web: Sequence[str] | None, api: Sequence[str] | None
) -> None:
    """The administrator saving a list must stay inside it: a list that would shut out the
    address they are saving from (for the way they are connected) is refused."""
    channel: Channel = "api" if actor.via == "token" else "web"
    new = api if channel == "api" else web
    if new is not None and not allowed(new, address):
        raise InvalidInput.on(
            f"ip_allow_{channel}",
            f"you would lock yourself out: your address {address or '(unknown)'} is not in it",
        )
