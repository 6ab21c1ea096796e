"""Reconciliation: open calls are checked against the provider's own record.

Run at start-up for every open call (a restart may have missed webhooks) and periodically
for calls open longer than any call can last. A call the provider ended ends at the
provider's end time; one it has no record or no end time for (never placed, or lost with
a sandbox that restarted) ends at the last event Omnivox knew of and is marked
``end_estimated``: ending it at the restart would count the downtime as talk time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from omnivox.core.logging import get_logger
from omnivox.telephony.errors import ProviderError
from omnivox.telephony.fsm_types import CancelRequested, ProviderCallStatus, ProviderStatus
from omnivox.telephony.models import Call, CallEventRow
from omnivox.telephony.service import TelephonyService

log = get_logger(__name__)


async def reconcile_open_calls(svc: TelephonyService, older_than: timedelta | None = None) -> int:
    """Apply the provider's final status to calls it has ended; returns how many changed."""
    changed = 0
    for stale in await svc.open_calls(older_than):
        try:
            changed += await _reconcile(svc, stale)
        except ProviderError as exc:
            log.warning(
                "reconciliation could not reach the provider", call_id=stale.id, error=str(exc)
            )
    if changed:
        log.info("calls reconciled with the provider", count=changed)
    return changed


async def _last_known(svc: TelephonyService, call: Call) -> datetime:
    async with svc.sessions() as session:
        last = await session.scalar(
            select(func.max(CallEventRow.at)).where(
                CallEventRow.call_id == call.id, CallEventRow.applied.is_(True)
            )
        )
    return last or call.created_at


async def _reconcile(svc: TelephonyService, stale: Call) -> int:
    if stale.provider_sid is None:
        event: CancelRequested | ProviderCallStatus = CancelRequested(
            at=await _last_known(svc, stale)
        )
        estimated = True
    else:
        record = await svc.provider.fetch_call(stale.provider_sid)
        if record is not None and not record.is_final:
            return 0
        status = record.status if record is not None else ProviderStatus.FAILED
        end = record.end_time if record is not None else None
        estimated = end is None
        at = end or await _last_known(svc, stale)
        # No sequence number: the provider's record is authoritative, whatever came before.
        event = ProviderCallStatus(
            at=at,
            status=status,
            timestamp=at,
            answered_by=record.answered_by if record else None,
            error_code=None if record else "not-found-at-provider",
        )
    async with svc.sessions() as session:
        call = await session.get(Call, stale.id)
        if call is None or call.state != stale.state:
            return 0
        result = await svc.apply_and_announce(
            session,
            call,
            event,
            {"reconciliation": "provider record"},
            end_estimated=estimated,
        )
        await svc.end_conference_legs(call)
        return 1 if getattr(result, "changed", False) else 0
