"""Phone numbers: normalisation to E.164 with a default region, and time-zone inference.

Pure and cached where it is safe, because an import runs these a million times.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

_UNKNOWN_ZONE = "Etc/Unknown"
MAX_ZONES_TEXT = 255
MAX_PHONE_INPUT = 64


class InvalidPhone(ValueError):
    """The text is not a dialable number; the message says why, for the rejection report."""


@dataclass(frozen=True)
class Zones:
    """The contact's zone(s) and where they came from."""

    value: str  # one IANA name, or several separated by spaces
    source: str  # explicit | number | organization


def normalize(text: str, region: str | None) -> str:
    """``text`` as E.164 (``+14155550100``), reading national formats in ``region``."""
    raw = text.strip()
    if not raw:
        raise InvalidPhone("no phone number")
    if len(raw) > MAX_PHONE_INPUT:
        raise InvalidPhone("phone number is too long")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        if region is None and not raw.startswith("+"):
            raise InvalidPhone("not in international format and no default region") from None
        raise InvalidPhone("not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=65_536)
def _zones_for_prefix(prefix_digits: str) -> tuple[str, ...]:
    for length in range(len(prefix_digits), 0, -1):
        zones = TIMEZONE_DATA.get(prefix_digits[:length])
        if zones is not None:
            return tuple(z for z in zones if z != _UNKNOWN_ZONE)
    return ()


def zones_of_number(e164: str) -> tuple[str, ...]:
    """Every zone the number may be in (empty when the number says nothing).

    The same prefix walk as ``phonenumbers.timezone.time_zones_for_geographical_number``,
    done on the E.164 text so it can be cached per prefix.
    """
    return _zones_for_prefix(e164.lstrip("+")[:TIMEZONE_LONGEST_PREFIX])


def infer_zones(e164: str, explicit: str | None, fallback: str) -> Zones:
    """Explicit zone if given; else the number's zone(s); else the organisation's zone.

    A number spanning many zones (a toll-free range, a whole country) is stored with all of
    them when they fit, so the window must hold in each; otherwise the organisation's zone.
    """
    if explicit:
        return Zones(explicit, "explicit")
    zones = zones_of_number(e164)
    text = " ".join(zones)
    if zones and len(text) <= MAX_ZONES_TEXT:
        return Zones(text, "number")
    return Zones(fallback, "organization")
