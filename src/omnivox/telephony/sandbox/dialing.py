"""``<Dial><Number>`` / ``<Dial><Client>``: ring child legs and bridge the first to answer.

SIMULATED. The child legs are virtual parties (numbers) or sandbox softphones (clients).
"""

from __future__ import annotations

import asyncio

from omnivox.telephony.instructions import Dial, DialClient, DialNumber
from omnivox.telephony.sandbox import legs
from omnivox.telephony.sandbox.model import SandboxCall
from omnivox.telephony.sandbox.switch import Switch


async def dial_legs(carrier: Switch, parent: SandboxCall, verb: Dial) -> dict[str, str]:
    """Ring every target at once; bridge the first that answers until one side hangs up.

    Returns the parameters Twilio posts to the Dial's action URL.
    """
    children = [
        _child(carrier, parent, verb, target)
        for target in verb.targets
        if isinstance(target, DialNumber | DialClient)
    ]
    someone = asyncio.Event()
    rings = [carrier.runtime.spawn(_ring(carrier, c, someone)) for c in children]
    parent.tasks.extend(rings)
    await carrier.runtime.wait(someone, float(verb.timeout_seconds) + 1.0)
    winner = next((c for c in children if c.start_time is not None and not c.is_final), None)
    for child in children:
        if child is not winner:
            carrier.end_call(child, "canceled" if child.start_time is None else "completed")
    if winner is None:
        child = children[0]
        return {"DialCallStatus": child.status, "DialCallSid": child.sid}
    parent.bridged_to = winner.sid
    carrier.log(parent, "bridged", to=winner.sid)
    await carrier.runtime.wait(winner.ended)
    parent.bridged_to = None
    return {
        "DialCallStatus": "completed",
        "DialCallSid": winner.sid,
        "DialCallDuration": str(winner.duration_seconds),
    }


def _child(
    carrier: Switch, parent: SandboxCall, verb: Dial, target: DialNumber | DialClient
) -> SandboxCall:
    to = target.number if isinstance(target, DialNumber) else f"client:{target.identity}"
    account = carrier.account_of(parent)
    from_ = verb.caller_id or parent.from_
    child = carrier.new_call(
        account, from_=from_, to=to, direction="outbound-dial", parent_call_sid=parent.sid
    )
    child.timeout_seconds = verb.timeout_seconds
    carrier.set_status_callback(child, target.status_callback_url, list(target.status_events))
    return child


async def _ring(carrier: Switch, child: SandboxCall, someone: asyncio.Event) -> None:
    try:
        await legs.ring(carrier, child)
    finally:
        if child.start_time is not None or all_done(carrier, child):
            someone.set()


def all_done(carrier: Switch, child: SandboxCall) -> bool:
    siblings = [c for c in carrier.calls.values() if c.parent_call_sid == child.parent_call_sid]
    return all(c.is_final for c in siblings)
