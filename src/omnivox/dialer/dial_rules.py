"""The law for numbers an agent dials by hand (a click-to-call, an external transfer, a
third party): never a number on the do-not-call list, never outside the calling window in
the number's own local time (every zone it may be in).

Telephony's call control asks it through ``TelephonyService.check_manual_dial`` (its
``ManualDialCheck``, supplied by ``create_app``); click-to-call (``dialer.api``) and the
manual campaign dial (``dialer.manual``) use it directly.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from omnivox.accounts import Organization
from omnivox.campaigns import CallingWindow, in_window, infer_zones, is_dnc
from omnivox.core.errors import Conflict


class DialRefused(Conflict):
    code = "dial-refused"


async def check_manual_dial(
    db: AsyncSession, org: Organization, number: str, now: datetime
) -> None:
    """Refuse (409) a number the agent may not dial now; see the module docstring."""
    if await is_dnc(db, org.id, None, number):
        raise DialRefused(f"{number} is on the do-not-call list")
    zones = infer_zones(number, None, org.timezone)
    window = CallingWindow(org.calling_window_start, org.calling_window_end)
    if not in_window(window, zones.value, now):
        raise DialRefused(
            f"it is outside the calling window ({org.calling_window_start:%H:%M}-"
            f"{org.calling_window_end:%H:%M}) where {number} is ({zones.value})"
        )
