"""The organisation's window on the sandbox carrier: a supervisor simulates a caller on one
of their own numbers (the demo's way in). Mounted only in sandbox mode. Routing's, because
the check is routing's data: the number must be one of the organisation's."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from omnivox.accounts import E164
from omnivox.core.errors import NotFound
from omnivox.core.security.permissions import Permission as P
from omnivox.core.security.principal import Principal
from omnivox.http import DB, Allow
from omnivox.routing.models import InboundNumber
from omnivox.telephony import PartyScript, runtime_of

router = APIRouter(prefix="/api/v1/sandbox", tags=["sandbox"], include_in_schema=False)


class SimulatedCaller(BaseModel):
    from_: E164 = Field(alias="from")
    to: E164
    hang_up_after: float | None = Field(default=None, gt=0, le=3600)


class SimulatedCall(BaseModel):
    sid: str
    status: str


@router.post("/inbound-calls", response_model=SimulatedCall, status_code=201)
async def simulate_caller(
    data: SimulatedCaller, request: Request, db: DB, actor: Principal = Allow(P.SANDBOX_CONTROL)
) -> SimulatedCall:
    """SIMULATED: a virtual party calls ``to``, which must be one of the caller's
    organisation's numbers (another organisation's number answers 404)."""
    owned = await db.scalar(
        select(InboundNumber.id).where(
            InboundNumber.number == data.to, InboundNumber.organization_id == actor.organization_id
        )
    )
    runtime = runtime_of(request)
    carrier = runtime.carrier
    if carrier is None:
        raise NotFound("the sandbox carrier is not in use (OMNIVOX_TELEPHONY is not 'sandbox')")
    if owned is None:
        raise NotFound(f"{data.to} is not one of your organisation's numbers")
    if data.to not in carrier.numbers:  # stored by another node or process since start-up
        runtime.provision_number(data.to)
    try:
        call = await carrier.place_inbound_call(
            data.from_, data.to, PartyScript(hang_up_after=data.hang_up_after)
        )
    except KeyError:  # removed between the check and the call
        raise NotFound(f"{data.to} is not configured on the sandbox carrier") from None
    return SimulatedCall(sid=call.sid, status=call.status)
